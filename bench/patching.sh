#!/usr/bin/env bash
# Activation patching in C vs PyTorch forward hooks (issue 26: >= 5x, whole process as users
# see it): a per-head patching grid over every cross-attention head of a random checkpoint of
# chronos-t5-small's shape (`chronolens init --size small`), 100 RRT sequences (the induction
# study's, L 10, R 2), the first repeat re-drawn in the corrupted run, metric = log p(s_2) at
# the last decoder position. Each side is one python process that imports its package, loads
# the model and runs the grid: bench/patching.py (chronolens.patching, the C path) and
# bench/patching_peer_torch.py (a plain PyTorch T5, register_forward_hook per cell, a full
# forward per cell). The two grids are compared first, then timed alternated (N pairs).
#   bench/patching.sh            (N=3 pairs; the torch side takes ~1 min a run on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${CL_BENCH_DIR:-/tmp/chronolens-bench}
N=${N:-3}
PY=/usr/bin/python3
M="$DIR/t5-small"
IN="$DIR/patching-rrt.npz"
mkdir -p "$DIR"
[ -f "$M/model.safetensors" ] || "$BUILD/chronolens" init --size small --out "$M" --seed 42 --quiet
export PYTHONPATH=$PWD/python CHRONOLENS_LIB=$PWD/$BUILD
$PY bench/patching.py make "$M" "$IN"
$PY bench/patching.py run "$M" "$IN" "$DIR/patching-cl.npy"
$PY bench/patching_peer_torch.py "$M" "$IN" "$DIR/patching-torch.npy"
$PY bench/patching.py compare "$DIR/patching-cl.npy" "$DIR/patching-torch.npy"
uptime
$PY bench/alternate.py "$N" "$PY bench/patching.py run $M $IN" "$PY bench/patching_peer_torch.py $M $IN"
