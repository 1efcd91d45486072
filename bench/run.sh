#!/usr/bin/env bash
# Benchmarks of the engine (issue 2 protocol), with the PyTorch peer when available.
#   bench/run.sh [SIZE ...]        sizes of random checkpoints (default: tiny small base)
# Random checkpoints are made once with `chronolens init` under $CL_BENCH_DIR (default
# /tmp/chronolens-bench). The peer is ../shared/oracle/bench_torch.py run with Debian's
# python3-torch (THREADS=1: its fastest setting on 2-core machines).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
REPS=${REPS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(tiny small base)
mkdir -p "$DIR"
models=()
for s in "${sizes[@]}"; do
  [ -f "$DIR/$s/model.safetensors" ] || "$BUILD/chronolens" init --size "$s" --out "$DIR/$s" --seed 42 --quiet
  models+=("$DIR/$s")
done
echo "== chronolens ($(nproc) cores) =="
"$BUILD/cl_bench" --reps "$REPS" "${models[@]}" | tee "$DIR/chronolens.txt"
PEER=../shared/oracle/bench_torch.py
if [ -f "$PEER" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "== PyTorch peer (THREADS=1), and chronolens' speed-up =="
  for m in "${models[@]}"; do
    name=$(basename "$m")
    THREADS=1 /usr/bin/python3 "$PEER" "$m" context mosaic | while read -r work secs; do
      ours=$(awk -v n="$name" -v w="$work" '$1 == n && $2 == w { print $3 }' "$DIR/chronolens.txt")
      awk -v n="$name" -v w="$work" -v p="$secs" -v o="$ours" \
        'BEGIN { printf "%-10s %-8s torch %8.4f s   chronolens %8.4f s   speed-up x%.2f\n", n, w, p, o, p / o }'
    done
  done
else
  echo "(PyTorch peer skipped: needs ../shared/oracle and python3-torch)"
fi
