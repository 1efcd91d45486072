#!/usr/bin/env bash
# bench/process.sh — whole processes as a user runs them (issue 27): start-up, loading the
# checkpoint (bf16: rounding it), the work, the figures and the exit, timed from outside.
#   bench/process.sh [MODEL_DIR]        default: a random small checkpoint (init --seed 42)
#   BASE=/path/to/other/chronolens bench/process.sh    also time another build, alternated
#   PEER=1 bench/process.sh    also the PyTorch peer (../shared/oracle/bench_torch.py, THREADS=1,
#                              Debian's python3-torch), once per round after our runs: its
#                              in-process medians (compute only) against our whole processes
# Workloads (the issue's): the RRT mosaic, `induction --no-strict` (L 10, R 2, 100 sequences)
# in fp32 and in bf16 (bf16 where the CPU has it), and `forecast` of one series of 512
# values (a seeded random walk), 20 sample paths x 64 steps.
# These machines are shared: every command runs RUNS times (default 5) after a warm-up,
# in turn with the others (A B A B ...), and each figure is a median; a ratio is the median
# of the run-by-run ratios of neighbouring runs, so a load drift moves both sides. It prints
# the date, the CPU, the cores and the load average before and after: quote them with the
# table. "engine" is the analysis time the study records in induction.json (its own clock,
# inside the process): the rest of the wall time is start-up, loading, figures and exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/chronolens}
RUNS=${RUNS:-5}
BASE=${BASE:-}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
[ -x "$CLI" ] || { echo "bench/process.sh: build first ($CLI missing)" >&2; exit 2; }
mkdir -p "$DIR/process"
W=$DIR/process
MODEL=${1:-$DIR/small}
[ -f "$MODEL/model.safetensors" ] || "$CLI" init --size small --out "$MODEL" --seed 42 --quiet
# the forecast's context: one column, 512 steps of a seeded Gaussian random walk
awk 'BEGIN { srand(42); x = 0; print "y";
             for (i = 0; i < 512; i++) { x += sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()); printf "%.6f\n", x } }' \
    > "$W/context.csv"
PRECS=${PRECS:-fp32 bf16}   # bf16 runs in fp32 where the CPU lacks AVX512-BF16 (docs/precision.md)

cmd_of() { # cmd_of BIN WORKLOAD TAG: the command line (as words) of one workload
    local bin=$1 w=$2 tag=$3
    case $w in
    induction-fp32) echo "$bin induction --quiet --no-strict --model $MODEL --out $W/ind-$tag" ;;
    induction-bf16) echo "$bin induction --quiet --no-strict --precision bf16 --model $MODEL --out $W/ind16-$tag" ;;
    forecast-fp32)  echo "$bin forecast --quiet --model $MODEL --context $W/context.csv --horizon 64 --samples 20 --out $W/fc-$tag.csv" ;;
    forecast-bf16)  echo "$bin forecast --quiet --precision bf16 --model $MODEL --context $W/context.csv --horizon 64 --samples 20 --out $W/fc16-$tag.csv" ;;
    esac
}

# one timed run: appends "wall user sys" to $4
TIMEFORMAT='%R %U %S'
run_once() { # run_once BIN WORKLOAD TAG FILE
    local c; c=$(cmd_of "$1" "$2" "$3")
    { time $c >/dev/null 2>&1; } 2>> "$4"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
col() { awk -v c="$1" '{ print $c }' "$2"; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs a side after one warm-up, medians"
WORKLOADS=""
for p in $PRECS; do WORKLOADS="$WORKLOADS induction-$p"; done
for p in $PRECS; do WORKLOADS="$WORKLOADS forecast-$p"; done
sides="new"; [ -n "$BASE" ] && sides="new base"
for w in $WORKLOADS; do
    for s in $sides; do : > "$W/$w-$s.txt"; done
    : > "$W/$w-engine.txt"
    for s in $sides; do bin=$CLI; [ $s = base ] && bin=$BASE; run_once "$bin" "$w" "$s" /dev/null; done  # warm-up
    for r in $(seq "$RUNS"); do
        for s in $sides; do
            bin=$CLI; [ $s = base ] && bin=$BASE
            run_once "$bin" "$w" "$s" "$W/$w-$s.txt"
        done
        if [[ $w == induction-* ]]; then
            j=$W/ind-new/induction.json; [ "$w" = induction-bf16 ] && j=$W/ind16-new/induction.json
            sed -n 's/.*"seconds":[[:space:]]*\([0-9.eE+-]*\).*/\1/p' "$j" | head -1 >> "$W/$w-engine.txt"
        fi
    done
done
# the peer: one process per round (mosaic, then forecast; each its in-process median of 5 / 3
# runs after a warm-up), interleaved with rounds of ours: a drift of the load moves both
PEER_PY=${PEER_PY:-/usr/bin/python3}
PEER_DIR=${PEER_DIR:-../shared/oracle}
if [ -n "${PEER:-}" ]; then
    : > "$W/peer.txt"; : > "$W/peer-new.txt"
    for r in $(seq "$RUNS"); do
        run_once "$CLI" induction-fp32 new "$W/peer-new.txt"
        run_once "$CLI" forecast-fp32 new "$W/peer-new.txt"
        THREADS=1 "$PEER_PY" "$PEER_DIR/bench_torch.py" "$MODEL" mosaic forecast 2>/dev/null |
            awk '{ v[$1] = $2 } END { print v["mosaic"], v["forecast"] }' >> "$W/peer.txt"
    done
fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-15s %9s %9s %9s %9s" workload "wall s" "cpu s" "sys s" "engine s"
[ -n "$BASE" ] && printf " %9s %9s %11s %11s" "base wall" "base cpu" "wall ratio" "cpu ratio"
printf "\n"
for w in $WORKLOADS; do
    f=$W/$w-new.txt
    wall=$(col 1 "$f" | median); cpu=$(awk '{ print $2 + $3 }' "$f" | median); sys=$(col 3 "$f" | median)
    eng=$(median < "$W/$w-engine.txt"); [ -n "$eng" ] && eng=$(printf "%.3f" "$eng") || eng=-
    printf "%-15s %9.3f %9.3f %9.3f %9s" "$w" "$wall" "$cpu" "$sys" "$eng"
    if [ -n "$BASE" ]; then
        g=$W/$w-base.txt
        bw=$(col 1 "$g" | median); bc=$(awk '{ print $2 + $3 }' "$g" | median)
        # base / new, run by run (> 1: the new build is faster)
        rw=$(paste "$g" "$f" | awk '{ print $1 / $4 }' | median)
        rc=$(paste "$g" "$f" | awk '{ print ($2 + $3) / ($5 + $6) }' | median)
        printf " %9.3f %9.3f %10.2fx %10.2fx" "$bw" "$bc" "$rw" "$rc"
    fi
    printf "\n"
done
if [[ " $PRECS " == *" bf16 "* ]]; then
    a=$(paste "$W/induction-fp32-new.txt" "$W/induction-bf16-new.txt" | awk '{ print $1 / $4 }' | median)
    printf "# induction, whole process: bf16 %.2fx as fast as fp32 (median of run-by-run ratios of separate loops)\n" "$a"
fi
if [ -n "${PEER:-}" ]; then
    # our runs of round r: lines 2r-1 (induction) and 2r (forecast) of peer-new.txt
    paste <(awk 'NR % 2 == 1 { print $1 }' "$W/peer-new.txt") <(awk 'NR % 2 == 0 { print $1 }' "$W/peer-new.txt") \
        "$W/peer.txt" > "$W/peer-pairs.txt"
    pm=$(col 3 "$W/peer-pairs.txt" | median); pf=$(col 4 "$W/peer-pairs.txt" | median)
    om=$(col 1 "$W/peer-pairs.txt" | median); of=$(col 2 "$W/peer-pairs.txt" | median)
    rm_=$(awk '{ print $3 / $1 }' "$W/peer-pairs.txt" | median); rf=$(awk '{ print $4 / $2 }' "$W/peer-pairs.txt" | median)
    printf "# PyTorch peer (THREADS=1, compute only) against our whole process, %s rounds, medians:\n" "$RUNS"
    printf "#   mosaic:   peer %.3f s, induction fp32 %.3f s wall: %.2fx (round by round)\n" "$pm" "$om" "$rm_"
    printf "#   forecast: peer %.3f s, forecast fp32 %.3f s wall: %.2fx (round by round)\n" "$pf" "$of" "$rf"
fi
