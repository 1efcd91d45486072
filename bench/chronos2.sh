#!/usr/bin/env bash
# Chronos-2 benchmark (issue 29 item 6), on a random checkpoint of amazon/chronos-2's shape
# (`chronolens init --size chronos2-base`, 120M parameters).
#   bench/chronos2.sh            (ROUNDS=1 by default: a round takes ~3 minutes of CPU on 2 cores)
# Whole processes, one thread each (THREADS=1 for the PyTorch peer, --threads 1 for
# chronolens), timed by /usr/bin/time (wall and CPU seconds, peak resident memory), run in
# turn so that each ratio is measured in the same round:
#   batch: 32 series x 2048 values, one pass of 4 output patches (forecast --horizon 64), fp32
#          and --precision bf16 (where the CPU has AVX512-BF16 or AMX)
# The peer (../shared/oracle/bench_chronos2_torch.py, chronos2ref.py) prints its in-process
# median of 3 runs after a warm-up; its whole process (torch import, load, 4 passes) is timed
# too, and bench/chronos2_peer_cpu.py times its passes by CPU time, so that the ratios of CPU
# seconds do not depend on how long each process waited on a shared machine.
# Results: $DIR/chronos2-results.txt (label, wall s, CPU s, peak kB; peer lines: label, wall s
# [, CPU s] of one pass).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
ROUNDS=${ROUNDS:-1}
PY=/usr/bin/python3
PEER=../shared/oracle/bench_chronos2_torch.py
M="$DIR/chronos2-base"
mkdir -p "$DIR"
[ -f "$M/model.safetensors" ] || "$BUILD/chronolens" init --size chronos2-base --out "$M" --seed 42 --quiet
# inputs: random walks plus a daily sine, as the peer's (its own draws)
$PY - "$DIR" <<'PYEOF'
import math, random, sys
rng = random.Random(0)
xs = []
for _ in range(32):
    w, s = 0.0, []
    for t in range(2048):
        w += rng.gauss(0, 1)
        s.append(w + 5 * math.sin(t * 2 * math.pi / 24))
    xs.append(s)
with open(f"{sys.argv[1]}/chronos2-batch.csv", "w") as f:
    f.write(",".join(f"s{i}" for i in range(32)) + "\n")
    for t in range(2048):
        f.write(",".join(f"{x[t]:.6f}" for x in xs) + "\n")
PYEOF
have_peer=0
if [ -f "$PEER" ] && $PY -c 'import torch' 2>/dev/null; then have_peer=1; fi
OUT="$DIR/chronos2-results.txt"
: > "$OUT"
timed() { # label command...: appends "label wall_seconds cpu_seconds(user+sys) peak_kB"
  local label=$1; shift
  /usr/bin/time -f "$label %e %U %S %M" -o "$DIR/time.txt" "$@" > "$DIR/stdout.txt" 2>/dev/null
  awk '{printf "%s %s %.2f %s\n", $1, $2, $3 + $4, $5}' "$DIR/time.txt" >> "$OUT"
}
bf16=0
grep -qE 'avx512_bf16|amx_bf16' /proc/cpuinfo && bf16=1
for r in $(seq "$ROUNDS"); do
  timed "chronolens-batch" "$BUILD/chronolens" forecast --threads 1 --quiet --model "$M" \
    --context "$DIR/chronos2-batch.csv" --horizon 64 --out "$DIR/o-batch.csv"
  if [ $bf16 = 1 ]; then
    timed "chronolens-batch-bf16" "$BUILD/chronolens" forecast --threads 1 --quiet --precision bf16 --model "$M" \
      --context "$DIR/chronos2-batch.csv" --horizon 64 --out "$DIR/o-batch-bf16.csv"
  fi
  # as a user runs it: the default threads (every core; the peer's BLAS uses every core too)
  timed "chronolens-batch-default-threads" "$BUILD/chronolens" forecast --quiet --model "$M" \
    --context "$DIR/chronos2-batch.csv" --horizon 64 --out "$DIR/o-batch.csv"
  if [ $bf16 = 1 ]; then
    timed "chronolens-batch-bf16-default-threads" "$BUILD/chronolens" forecast --quiet --precision bf16 --model "$M" \
      --context "$DIR/chronos2-batch.csv" --horizon 64 --out "$DIR/o-batch-bf16.csv"
  fi
  if [ $have_peer = 1 ]; then
    THREADS=1 timed "peer-batch-process" $PY "$PEER" "$M" batch
    sed "s/^chronos2-batch /peer-batch-median /" "$DIR/stdout.txt" >> "$OUT"
    THREADS=1 CL_ORACLE="$(dirname "$PEER")" $PY bench/chronos2_peer_cpu.py "$M" >> "$OUT"
  fi
done
cat "$OUT"
