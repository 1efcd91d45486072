#!/usr/bin/env bash
# run_with_cache of every hook point vs a plain forward (issue 26: <= 1.5x), on a random
# checkpoint of chronos-t5-small's shape (`chronolens init --size small`), 4 series x 512
# values: in one process (bench/hooks_cache.py, pairs alternated, ratio of each pair), and
# as whole processes alternated by bench/alternate.py (3 passes a process, N pairs).
#   bench/hooks.sh            (N=5 pairs; ~1 minute on 2 idle cores)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
N=${N:-5}
PY=/usr/bin/python3
M="$DIR/t5-small"
mkdir -p "$DIR"
[ -f "$M/model.safetensors" ] || "$BUILD/chronolens" init --size small --out "$M" --seed 42 --quiet
export PYTHONPATH=$PWD/python CHRONOLENS_LIB=$PWD/$BUILD
$PY bench/hooks_cache.py "$M" both "$N"
$PY bench/alternate.py "$N" "$PY bench/hooks_cache.py $M plain 3" "$PY bench/hooks_cache.py $M cache 3"
