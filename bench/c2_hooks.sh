#!/usr/bin/env bash
# Chronos-2's hook points against a plain forward (bench/c2_hooks.py: a hook set with nothing
# registered, run_with_cache of every point, a group head ablated at its pattern and at its z),
# on a random checkpoint of chronos-2-small's shape, 8 series x 512 values in 4 groups of 2.
#   bench/c2_hooks.sh          (N=7 rounds; ~30 s on 2 idle cores)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
M="$DIR/chronos2-small"
mkdir -p "$DIR"
[ -f "$M/model.safetensors" ] || "$BUILD/chronolens" init --size chronos2-small --out "$M" --seed 42 --quiet
export PYTHONPATH=$PWD/python CHRONOLENS_LIB=$PWD/$BUILD
/usr/bin/python3 bench/c2_hooks.py "$M" "${N:-7}"
