#!/usr/bin/env bash
# Benchmarks of the engine (issue 2 protocol; bf16: issue 19), with the PyTorch peer when
# available.
#   bench/run.sh [SIZE ...]        sizes of random checkpoints (default: tiny small base)
# Random checkpoints are made once with `chronolens init` under $CL_BENCH_DIR (default
# /tmp/chronolens-bench). The peer is ../shared/oracle/bench_torch.py run with Debian's
# python3-torch (THREADS=1: its fastest setting on 2-core machines); its bf16 is the same
# script inside torch.autocast("cpu", dtype=torch.bfloat16) (bench/bench_torch_bf16.py).
# These machines are shared: chronolens fp32, chronolens bf16, the peer and the peer's bf16
# run alternately ROUNDS times (default 3) and each keeps its best round (its least
# disturbed), so a load spike on one side does not decide the ratio. Within a round each
# figure is a median (bench/bench.c). bf16 runs where the CPU has AVX512-BF16/AMX
# (PRECISIONS="fp32 bf16" by default there, "fp32" elsewhere).
# Forecasting (bench/bench_forecast.c, with the peer): on FORECAST_SIZES (default
# "small base"), once per precision; FORECAST_SIZES= skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
REPS=${REPS:-5}
ROUNDS=${ROUNDS:-3}
FORECAST_SIZES=${FORECAST_SIZES-small base}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(tiny small base)
mkdir -p "$DIR"
PEER=../shared/oracle/bench_torch.py
PEER16=bench/bench_torch_bf16.py
have_peer=0
if [ -f "$PEER" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then have_peer=1; fi
if [ -z "${PRECISIONS:-}" ]; then
  PRECISIONS=fp32
  # cl_bench refuses bf16 (exit 2) where the CPU lacks it
  "$BUILD/cl_bench" --reps 1 --precision bf16 /nonexistent 2>&1 | grep -q "no AVX512-BF16" || PRECISIONS="fp32 bf16"
fi
: > "$DIR/ours.txt"
: > "$DIR/peer.txt"
for s in "${sizes[@]}"; do
  m="$DIR/$s"
  [ -f "$m/model.safetensors" ] || "$BUILD/chronolens" init --size "$s" --out "$m" --seed 42 --quiet
  for r in $(seq "$ROUNDS"); do
    for p in $PRECISIONS; do
      "$BUILD/cl_bench" --reps "$REPS" --precision "$p" "$m" | grep -v '^#' >> "$DIR/ours.txt"
      if [ $have_peer = 1 ]; then
        script=$PEER; [ "$p" = bf16 ] && script=$PEER16
        THREADS=1 /usr/bin/python3 "$script" "$m" context mosaic | sed "s/^/$s $p /" >> "$DIR/peer.txt"
      fi
    done
  done
done
echo "== chronolens, $(nproc) cores: best of $ROUNDS rounds (each a median of $REPS runs) =="
# best round = highest % of sgemm (the ratio is measured within the round)
sort -k1,1 -k2,2 -k12,12gr "$DIR/ours.txt" | awk '!seen[$1" "$2]++' | tee "$DIR/chronolens.txt"
best() { sort -g | head -1; }
if [ $have_peer = 1 ]; then
  echo "== PyTorch peer (THREADS=1, best of $ROUNDS rounds) and chronolens' speed-up =="
  for s in "${sizes[@]}"; do
    for w in context mosaic; do
      p=$(awk -v n="$s" -v w="$w" '$1 == n && $2 == "fp32" && $3 == w { print $4 }' "$DIR/peer.txt" | best)
      o=$(awk -v n="$s" -v w="$w" '$1 == n && $2 == w { print $3 }' "$DIR/ours.txt" | best)
      awk -v n="$s" -v w="$w" -v p="$p" -v o="$o" \
        'BEGIN { printf "%-10s %-8s torch %8.4f s   chronolens %8.4f s   speed-up x%.2f\n", n, w, p, o, p / o }'
    done
  done
fi
if [[ " $PRECISIONS " == *" bf16 "* ]]; then
  echo "== bf16 (best of $ROUNDS rounds): chronolens fp32 / bf16, peer fp32 / bf16, and bf16's speed-ups =="
  for s in "${sizes[@]}"; do
    for w in context mosaic; do
      o=$(awk -v n="$s" -v w="$w" '$1 == n && $2 == w { print $3 }' "$DIR/ours.txt" | best)
      b=$(awk -v n="$s" -v w="$w-bf16" '$1 == n && $2 == w { print $3 }' "$DIR/ours.txt" | best)
      p=NaN; q=NaN
      if [ $have_peer = 1 ]; then
        p=$(awk -v n="$s" -v w="$w" '$1 == n && $2 == "fp32" && $3 == w { print $4 }' "$DIR/peer.txt" | best)
        q=$(awk -v n="$s" -v w="$w" '$1 == n && $2 == "bf16" && $3 == w { print $4 }' "$DIR/peer.txt" | best)
      fi
      awk -v n="$s" -v w="$w" -v o="$o" -v b="$b" -v p="$p" -v q="$q" 'BEGIN {
        printf "%-6s %-8s ours fp32 %7.4f s  bf16 %7.4f s  peer fp32 %7.4f s  bf16 %7.4f s   bf16 vs ours x%.2f  vs peer fp32 x%.2f  vs peer bf16 x%.2f\n",
               n, w, o, b, p, q, o / b, p / b, q / b }'
    done
  done
fi
for s in $FORECAST_SIZES; do
  m="$DIR/$s"
  [ -f "$m/model.safetensors" ] || "$BUILD/chronolens" init --size "$s" --out "$m" --seed 42 --quiet
  for p in $PRECISIONS; do
    echo "== forecast, $s, $p =="
    peer_flag=""; [ $have_peer = 1 ] && peer_flag=--peer
    "$BUILD/cl_bench_forecast" "$m" --reps 3 --precision "$p" $peer_flag
  done
done
if [ $have_peer = 0 ]; then
  echo "(PyTorch peer skipped: needs ../shared/oracle and Debian's python3-torch)"
fi
