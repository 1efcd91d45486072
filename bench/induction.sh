#!/bin/sh
# bench/induction.sh [tiny small base ...] — the `mosaic` workload: `chronolens induction` with
# the study's defaults (L 10, R 2, batch 100, one seed) on random checkpoints of each size,
# scores only (--no-strict) and with the strict tests (ablation of every cross-attention
# head, copying scores). Prints wall-clock seconds (model loading and figures included) and
# the analysis time the command records in induction.json.
set -eu
BUILD=${BUILD:-build}
CLI=$BUILD/chronolens
MODELS=$BUILD/bench-models
OUT=$BUILD/bench-out
THREADS=${THREADS:-$(nproc)}   # THREADS=2 bench/induction.sh: as on a 2-core machine
SIZES=${*:-tiny small base}
[ -x "$CLI" ] || { echo "bench/induction.sh: build first ($CLI missing)" >&2; exit 2; }
for s in $SIZES; do
    [ -f "$MODELS/$s/model.safetensors" ] || { mkdir -p "$MODELS"; "$CLI" init --quiet --size "$s" --seed 0 --out "$MODELS/$s"; }
done
now() { date +%s.%N; }
printf "%-6s %-10s %8s %10s   (%s threads)\n" size mode wall_s analysis_s "$THREADS"
for s in $SIZES; do
    for mode in scores strict; do
        flag=""; [ "$mode" = scores ] && flag="--no-strict"
        t0=$(now)
        "$CLI" induction --quiet --threads "$THREADS" $flag --model "$MODELS/$s" --out "$OUT/$s-$mode"
        t1=$(now)
        an=$(sed -n 's/.*"seconds":[[:space:]]*\([0-9.eE+-]*\).*/\1/p' "$OUT/$s-$mode/induction.json" | head -1)
        printf "%-6s %-10s %8.2f %10.2f\n" "$s" "$mode" "$(echo "$t1 - $t0" | bc)" "$an"
    done
done
