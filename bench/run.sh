#!/usr/bin/env bash
# Benchmarks of the engine (issue 2 protocol), with the PyTorch peer when available.
#   bench/run.sh [SIZE ...]        sizes of random checkpoints (default: tiny small base)
# Random checkpoints are made once with `chronolens init` under $CL_BENCH_DIR (default
# /tmp/chronolens-bench). The peer is ../shared/oracle/bench_torch.py run with Debian's
# python3-torch (THREADS=1: its fastest setting on 2-core machines).
# These machines are shared: chronolens and the peer run alternately ROUNDS times (default
# 3) and each side keeps its best round (its least disturbed), so a load spike on one side
# does not decide the ratio. Within a round each figure is a median (bench/bench.c).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
REPS=${REPS:-5}
ROUNDS=${ROUNDS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(tiny small base)
mkdir -p "$DIR"
PEER=../shared/oracle/bench_torch.py
have_peer=0
if [ -f "$PEER" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then have_peer=1; fi
: > "$DIR/ours.txt"
: > "$DIR/peer.txt"
for s in "${sizes[@]}"; do
  m="$DIR/$s"
  [ -f "$m/model.safetensors" ] || "$BUILD/chronolens" init --size "$s" --out "$m" --seed 42 --quiet
  for r in $(seq "$ROUNDS"); do
    "$BUILD/cl_bench" --reps "$REPS" "$m" | grep -v '^#' >> "$DIR/ours.txt"
    if [ $have_peer = 1 ]; then
      THREADS=1 /usr/bin/python3 "$PEER" "$m" context mosaic | sed "s/^/$s /" >> "$DIR/peer.txt"
    fi
  done
done
echo "== chronolens, $(nproc) cores: best of $ROUNDS rounds (each a median of $REPS runs) =="
# best round = highest % of sgemm (the ratio is measured within the round)
sort -k1,1 -k2,2 -k12,12gr "$DIR/ours.txt" | awk '!seen[$1" "$2]++' | tee "$DIR/chronolens.txt"
if [ $have_peer = 1 ]; then
  echo "== PyTorch peer (THREADS=1, best of $ROUNDS rounds) and chronolens' speed-up =="
  for s in "${sizes[@]}"; do
    for w in context mosaic; do
      p=$(awk -v n="$s" -v w="$w" '$1 == n && $2 == w { print $3 }' "$DIR/peer.txt" | sort -g | head -1)
      o=$(awk -v n="$s" -v w="$w" '$1 == n && $2 == w { print $3 }' "$DIR/ours.txt" | sort -g | head -1)
      awk -v n="$s" -v w="$w" -v p="$p" -v o="$o" \
        'BEGIN { printf "%-10s %-8s torch %8.4f s   chronolens %8.4f s   speed-up x%.2f\n", n, w, p, o, p / o }'
    done
  done
else
  echo "(PyTorch peer skipped: needs ../shared/oracle and Debian's python3-torch)"
fi
