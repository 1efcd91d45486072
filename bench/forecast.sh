#!/usr/bin/env bash
# bench/forecast.sh — issue 27's forecast targets on chronos-t5 shapes (default small and
# base): our whole `chronolens forecast` process against the PyTorch peer, and our decoding
# against the memory-bandwidth bound.
#   bench/forecast.sh [SIZE ...]        sizes of `chronolens init --size` (default: small base)
#   ROUNDS=3 PREC=fp32|bf16 bench/forecast.sh small
# Workload (the peer's `forecast`): one series of 512 values (a seeded random walk), 20 sample
# paths x 64 steps, the model's sampling settings, random weights (init --seed 42).
# Per round, side by side: RUNS_OURS whole processes of ours (start-up, load, encoder,
# decoding, output, exit; timed from outside), then one peer process
# (../shared/oracle/bench_torch.py MODEL forecast, THREADS=1, Debian's python3-torch), which
# prints its in-process median of 3 forecasts after a warm-up (compute only: import and load
# left out). The ratio is peer seconds / our wall seconds in the same round; the figure is
# the median over rounds (a drift of the machine's load moves both sides of a round).
# Then build/cl_bench_forecast MODEL: the in-process split (encoder, decoding) and decoding
# against the bound (decoder weight bytes per step x 64 steps / measured copy bandwidth).
# The machine is shared: the date, CPU, cores and load average come with the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CLI=${CLI:-$BUILD/chronolens}
ROUNDS=${ROUNDS:-3}
RUNS_OURS=${RUNS_OURS:-3}
PREC=${PREC:-fp32}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
PEER_PY=${PEER_PY:-/usr/bin/python3}
PEER_DIR=${PEER_DIR:-../shared/oracle}
[ -x "$CLI" ] || { echo "bench/forecast.sh: build first ($CLI missing)" >&2; exit 2; }
[ -x "$BUILD/cl_bench_forecast" ] || { echo "bench/forecast.sh: build first ($BUILD/cl_bench_forecast missing)" >&2; exit 2; }
SIZES=${*:-small base}
W=$DIR/forecast
mkdir -p "$W"
awk 'BEGIN { srand(42); x = 0; print "y";
             for (i = 0; i < 512; i++) { x += sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()); printf "%.6f\n", x } }' \
    > "$W/context.csv"
peer_ok=1
[ -f "$PEER_DIR/bench_torch.py" ] && "$PEER_PY" -c 'import torch' 2>/dev/null || peer_ok=0
TIMEFORMAT='%R %U %S'
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds, $RUNS_OURS whole processes of ours a round, precision $PREC"
[ $peer_ok = 1 ] || echo "# PyTorch peer unavailable ($PEER_PY with torch, $PEER_DIR/bench_torch.py): ours only"
for size in $SIZES; do
    model=$DIR/$size
    [ -f "$model/model.safetensors" ] || "$CLI" init --size "$size" --out "$model" --seed 42 --quiet
    ours=$W/$size-ours.txt; peer=$W/$size-peer.txt; pairs=$W/$size-pairs.txt
    : > "$ours"; : > "$peer"; : > "$pairs"
    cmd="$CLI forecast --quiet --precision $PREC --model $model --context $W/context.csv --horizon 64 --samples 20 --out $W/fc-$size.csv"
    $cmd  # warm-up (page cache; in bf16 the cache beside the checkpoint)
    for r in $(seq "$ROUNDS"); do
        : > "$W/round.txt"; p=""
        for i in $(seq "$RUNS_OURS"); do { time $cmd; } 2>> "$W/round.txt"; done
        cat "$W/round.txt" >> "$ours"
        o=$(awk '{ print $1 }' "$W/round.txt" | median)
        if [ $peer_ok = 1 ]; then
            p=$(THREADS=1 "$PEER_PY" "$PEER_DIR/bench_torch.py" "$model" forecast 2>/dev/null | awk '$1 == "forecast" { print $2 }')
            [ -n "$p" ] && { echo "$p" >> "$peer"; echo "$o $p" >> "$pairs"; }
        fi
        echo "#   $size round $r: ours $o s wall${p:+, peer $p s}" >&2
    done
    wall=$(awk '{ print $1 }' "$ours" | median); cpu=$(awk '{ print $2 + $3 }' "$ours" | median)
    printf "%-6s forecast %s, whole process: wall %.3f s, cpu %.3f s (medians of %d)" "$size" "$PREC" "$wall" "$cpu" \
        "$(wc -l < "$ours")"
    if [ -s "$pairs" ]; then
        pm=$(awk '{ print $2 }' "$pairs" | median); ratio=$(awk '{ print $2 / $1 }' "$pairs" | median)
        printf "; peer %.3f s (THREADS=1, compute only): ours %.2fx faster (median of %d rounds)" "$pm" "$ratio" \
            "$(wc -l < "$pairs")"
    fi
    printf "\n"
    "$BUILD/cl_bench_forecast" "$model" --reps 3 --precision "$PREC" | sed -n 's/^/       /; /seconds\|bandwidth\|bound/p'
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
