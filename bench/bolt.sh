#!/usr/bin/env bash
# Chronos-Bolt benchmark (issue 16 protocol), on a random checkpoint of bolt-small's shape.
#   bench/bolt.sh            (ROUNDS=1 by default: one round takes ~10 minutes on 2 cores)
# Whole processes, one thread each (THREADS=1 for the PyTorch peer, --threads 1 for
# chronolens, OMP_NUM_THREADS=1 for chronos-bolt.c), timed by /usr/bin/time (seconds and
# peak resident memory), run alternately so that each ratio is measured in the same round:
#   batch: 64 series x 2048 values, one pass (prediction_length 64)
#   long:  8 series x 2048 values, horizon 256 (ChronosBoltPipeline.predict's expansion)
#   cbc:   8 series x 2048 values, one pass: chronolens vs chronos-bolt.c
# The peer (../shared/oracle/bench_bolt_torch.py) prints its in-process median of 3 runs
# after a warm-up; its whole process (torch import, load, 4 runs) is timed too. chronos-bolt.c
# is cloned and built outside the repository (CBC_DIR, default /tmp/chronos-bolt.c from
# CBC_REPO), its weights written by bench/bolt_to_cbc.py. Encoder share of sgemm:
# build/cl_bench_bolt. Results: $DIR/bolt-results.txt (label, wall s, CPU s, peak kB). The
# machine may be oversubscribed: bench/bolt_peer_cpu.py times the peer's runs by CPU time
# too, so that the CPU-time ratios do not depend on how long each process waited.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
ROUNDS=${ROUNDS:-1}
CBC_DIR=${CBC_DIR:-/tmp/chronos-bolt.c}
CBC_REPO=${CBC_REPO:-https://github.com/abdulfatir/chronos-bolt.c}
PY=/usr/bin/python3
PEER=../shared/oracle/bench_bolt_torch.py
M="$DIR/bolt-small"
mkdir -p "$DIR"
[ -f "$M/model.safetensors" ] || "$BUILD/chronolens" init --size bolt-small --out "$M" --seed 42 --quiet
# inputs: random walks plus a daily sine (wide CSV for chronolens, long item_id,target for chronos-bolt.c)
$PY - "$DIR" <<'PYEOF'
import math, random, sys
d = sys.argv[1]
rng = random.Random(0)
def series(B, L):
    out = []
    for _ in range(B):
        w, s = 0.0, []
        for t in range(L):
            w += rng.gauss(0, 1)
            s.append(w + 5 * math.sin(t * 2 * math.pi / 24))
        out.append(s)
    return out
for name, B in (("batch", 64), ("long", 8)):
    xs = series(B, 2048)
    with open(f"{d}/bolt-{name}.csv", "w") as f:
        f.write(",".join(f"s{i}" for i in range(B)) + "\n")
        for t in range(2048):
            f.write(",".join(f"{x[t]:.6f}" for x in xs) + "\n")
    if name == "long":
        with open(f"{d}/bolt-cbc.csv", "w") as f:
            f.write("item_id,target\n")
            for i, x in enumerate(xs):
                f.writelines(f"s{i},{v:.6f}\n" for v in x)
PYEOF
have_peer=0
if [ -f "$PEER" ] && $PY -c 'import torch' 2>/dev/null; then have_peer=1; fi
have_cbc=0
if [ -x "$CBC_DIR/chronos_bolt" ] || { [ -d "$CBC_DIR" ] || git clone -q "$CBC_REPO" "$CBC_DIR"; } && make -s -C "$CBC_DIR" >/dev/null 2>&1; then
  [ -f "$DIR/bolt-small.bin" ] || $PY bench/bolt_to_cbc.py "$M" "$DIR/bolt-small.bin" >/dev/null
  have_cbc=1
fi
OUT="$DIR/bolt-results.txt"
: > "$OUT"
timed() { # label command...: appends "label wall_seconds cpu_seconds(user+sys) peak_kB"
  local label=$1; shift
  /usr/bin/time -f "$label %e %U %S %M" -o "$DIR/time.txt" "$@" > "$DIR/stdout.txt" 2>/dev/null
  awk '{printf "%s %s %.2f %s\n", $1, $2, $3 + $4, $5}' "$DIR/time.txt" > "$DIR/time2.txt"
  mv "$DIR/time2.txt" "$DIR/time.txt"
  cat "$DIR/time.txt" >> "$OUT"
}
for r in $(seq "$ROUNDS"); do
  "$BUILD/cl_bench_bolt" --threads 1 --reps 3 "$M" 64 2048 | grep -v '^#' >> "$OUT"
  timed "chronolens-batch" "$BUILD/chronolens" forecast --threads 1 --quiet --model "$M" --context "$DIR/bolt-batch.csv" --out "$DIR/o-batch.csv"
  timed "chronolens-long" "$BUILD/chronolens" forecast --threads 1 --quiet --model "$M" --context "$DIR/bolt-long.csv" --horizon 256 --batch 72 --out "$DIR/o-long.csv"
  timed "chronolens-cbc" "$BUILD/chronolens" forecast --threads 1 --quiet --model "$M" --context "$DIR/bolt-long.csv" --out "$DIR/o-cbc.csv"
  if "$BUILD/cl_bench_bolt" --threads 1 --reps 3 --precision bf16 "$M" 64 2048 2>/dev/null | grep -v '^#' >> "$OUT"; then
    timed "chronolens-batch-bf16" "$BUILD/chronolens" forecast --threads 1 --quiet --precision bf16 --model "$M" --context "$DIR/bolt-batch.csv" --out "$DIR/o-batch-bf16.csv"
  fi # else: no AVX512-BF16/AMX here, no bf16 rows
  if [ $have_peer = 1 ]; then
    for w in batch long; do
      THREADS=1 timed "peer-$w-process" $PY "$PEER" "$M" $w
      sed "s/^bolt-$w /peer-$w-median /" "$DIR/stdout.txt" >> "$OUT"
      THREADS=1 CL_ORACLE="$(dirname "$PEER")" $PY bench/bolt_peer_cpu.py "$M" $w >> "$OUT"
    done
  fi
  if [ $have_cbc = 1 ]; then
    OMP_NUM_THREADS=1 timed "cbc-8x2048" "$CBC_DIR/chronos_bolt" "$DIR/bolt-small.bin" "$DIR/bolt-cbc.csv" "$DIR/o-cbc-c.csv"
  fi
done
cat "$OUT"
