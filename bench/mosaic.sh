#!/usr/bin/env bash
# bench/mosaic.sh [MODEL_DIR] — issue 27's RRT-mosaic rows, measured side by side in one run:
#   1. the whole `chronolens induction --no-strict` process in fp32 (start-up, load, the
#      study, files, figures, exit; timed from outside) against the PyTorch peer's compute
#      (../shared/oracle/bench_torch.py MODEL mosaic, THREADS=1, Debian's python3-torch: its
#      in-process median of 5 after a warm-up, import and load left out);
#   2. the same whole process in bf16 against our fp32 one;
#   3. the bf16 load's share of a bf16 mosaic run (`cl_bench --only load --precision bf16`,
#      median of 3 loads, over the bf16 whole process);
# and, for scale, the engine alone on the peer's work (`cl_bench --only mosaic`: in-process,
# warm, one run after a warm-up) against the same peer: the floor of row 1.
# Default model: a random small checkpoint (init --seed 42: chronos-t5-small's shapes).
# The machine is shared: every round runs the five in turn (fp32, bf16, peer, engine, load), RUNS
# rounds (default 5) after a warm-up round; each ratio is the median of the round-by-round
# ratios, so a drift of the load moves both sides of it. The date, CPU, load average before
# and after print with the table: quote them with it. "engine" is the analysis time the
# study records in induction.json (its own clock: the rest of the wall is start-up, load,
# files, figures, exit). The bf16 cache (src/model/bf16_cache.c) goes to a cache folder of
# this script's ($DIR/cache), written by the warm-up round.
#   RUNS=7 bench/mosaic.sh            PEER=0: without the peer (rows 2 and 3 only)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/chronolens}
BENCH=${BENCH:-$BUILD/cl_bench}
RUNS=${RUNS:-5}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
PEER=${PEER:-1}
PEER_PY=${PEER_PY:-/usr/bin/python3}
PEER_DIR=${PEER_DIR:-../shared/oracle}
for x in "$CLI" "$BENCH"; do [ -x "$x" ] || { echo "bench/mosaic.sh: build first ($x missing)" >&2; exit 2; }; done
W=$DIR/mosaic
mkdir -p "$W"
export XDG_CACHE_HOME=$DIR/cache
MODEL=${1:-$DIR/small}
[ -f "$MODEL/model.safetensors" ] || "$CLI" init --size small --out "$MODEL" --seed 42 --quiet
BF16=1
"$CLI" induction --help 2>&1 | grep -q -- --precision || BF16=0
if ! "$BENCH" --only load --precision bf16 --reps 1 "$MODEL" > /dev/null 2>&1; then
    BF16=0; echo "# this CPU has no AVX512-BF16/AMX: bf16 rows left out" >&2
fi
if [ "$PEER" != 0 ] && ! { [ -f "$PEER_DIR/bench_torch.py" ] && "$PEER_PY" -c 'import torch' 2> /dev/null; }; then
    PEER=0; echo "# no PyTorch peer ($PEER_PY with torch, $PEER_DIR/bench_torch.py): row 1 left out" >&2
fi

TIMEFORMAT='%R %U %S'
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
engine_of() { sed -n 's/.*"seconds":[[:space:]]*\([0-9.eE+-]*\).*/\1/p' "$1/induction.json" | head -1; }
ours() { # ours PRECISION FILE: one whole process, "wall user sys engine" appended to FILE
    local out=$W/ind-$1 t
    t=$( { time "$CLI" induction --quiet --no-strict --precision "$1" --model "$MODEL" --out "$out" > /dev/null 2>&1; } 2>&1 )
    echo "$t $(engine_of "$out")" >> "$2"
}
peer() { THREADS=1 "$PEER_PY" "$PEER_DIR/bench_torch.py" "$MODEL" mosaic 2> /dev/null | awk '$1 == "mosaic" { print $2 }' >> "$1"; }
load16() { "$BENCH" --only load --precision bf16 --reps 3 "$MODEL" | awk '$2 == "load-bf16" { print $3 }' >> "$1"; }
engine() { "$BENCH" --only mosaic --reps 1 "$MODEL" | awk '$2 == "mosaic" { print $3 }' >> "$1"; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores, $("$CLI" --version 2>/dev/null | head -1)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS rounds after a warm-up round, model $MODEL"
: > "$W/f32.txt"; : > "$W/b16.txt"; : > "$W/peer.txt"; : > "$W/load.txt"; : > "$W/engine.txt"
for r in $(seq 0 "$RUNS"); do # round 0: the warm-up (page cache, the bf16 cache), not counted
    s=""; [ "$r" = 0 ] && s=.warm
    ours fp32 "$W/f32.txt$s"
    [ $BF16 = 1 ] && ours bf16 "$W/b16.txt$s"
    [ "$PEER" != 0 ] && peer "$W/peer.txt$s"
    engine "$W/engine.txt$s"
    [ $BF16 = 1 ] && load16 "$W/load.txt$s"
    [ "$r" = 0 ] && rm -f "$W"/*.warm
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

col() { awk -v c="$1" '{ print $c }' "$2" | median; }
cpu() { awk '{ print $2 + $3 }' "$1" | median; }
printf "%-42s %10s %10s %10s\n" "row (medians over rounds)" "ours" "reference" "ratio"
printf "%-42s %8.3f s %10s %10s   (CPU %.3f s, engine %.3f s)\n" "induction fp32, whole process: wall" \
    "$(col 1 "$W/f32.txt")" "" "" "$(cpu "$W/f32.txt")" "$(col 4 "$W/f32.txt")"
if [ "$PEER" != 0 ]; then
    ratio=$(paste "$W/peer.txt" "$W/f32.txt" | awk '{ print $1 / $2 }' | median)
    printf "%-42s %8.3f s %8.3f s %9.2fx   (target >= 1.5x)\n" "1. fp32 whole process vs peer compute" \
        "$(col 1 "$W/f32.txt")" "$(median < "$W/peer.txt")" "$ratio"
    ratio=$(paste "$W/peer.txt" "$W/engine.txt" | awk '{ print $1 / $2 }' | median)
    printf "%-42s %8.3f s %8.3f s %9.2fx   (in-process, warm: row 1's floor)\n" "   engine alone (cl_bench) vs peer compute" \
        "$(median < "$W/engine.txt")" "$(median < "$W/peer.txt")" "$ratio"
fi
if [ $BF16 = 1 ]; then
    printf "%-42s %8.3f s %10s %10s   (CPU %.3f s, engine %.3f s)\n" "induction bf16, whole process: wall" \
        "$(col 1 "$W/b16.txt")" "" "" "$(cpu "$W/b16.txt")" "$(col 4 "$W/b16.txt")"
    ratio=$(paste "$W/f32.txt" "$W/b16.txt" | awk '{ print $1 / $5 }' | median)
    cratio=$(paste "$W/f32.txt" "$W/b16.txt" | awk '{ print ($2 + $3) / ($6 + $7) }' | median)
    printf "%-42s %8.3f s %8.3f s %9.2fx   (CPU %.2fx; target >= 1.5x)\n" "2. bf16 whole process vs own fp32" \
        "$(col 1 "$W/b16.txt")" "$(col 1 "$W/f32.txt")" "$ratio" "$cratio"
    share=$(paste "$W/load.txt" "$W/b16.txt" | awk '{ print 100 * $1 / $2 }' | median)
    printf "%-42s %8.4f s %8.3f s %9.1f%%   (target < 10 %%)\n" "3. bf16 load, share of a bf16 mosaic run" \
        "$(median < "$W/load.txt")" "$(col 1 "$W/b16.txt")" "$share"
fi
