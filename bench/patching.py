"""The chronolens side of bench/patching.sh (issue 26: a per-head activation-patching grid over
every cross-attention head of a chronos-t5-small-shaped checkpoint, 100 RRT sequences,
metric = log p of the next token, >= 5x faster than the same grid with PyTorch forward hooks,
whole process as a user sees it).

    python3 bench/patching.py make MODEL INPUTS.npz     the inputs, outside any timing
    python3 bench/patching.py run MODEL INPUTS.npz [OUT.npy]
    python3 bench/patching.py compare A.npy B.npy       the two grids side by side

make: the induction study's RRT batch (rrt_batch: L 10, R 2, batch 100, seed 0; `S S s_0 EOS`,
decoder [start, s_1]); corrupted = the first repeat re-drawn from the same token band (numpy
seed 1); target = s_2 (encoder position 2), the token an induction head predicts.
run: chronolens.patching(..., token_ids=True, metric="logprob", target=s_2) — the C path."""
import sys
import time

import numpy as np

t_start = time.perf_counter()
mode = sys.argv[1]
if mode == "compare":
    a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
    print("grids %s: max |chronolens - torch| = %.3g (largest |value| %.3g)" % (
        a.shape, np.abs(a - b).max(), np.abs(b).max()))
    sys.exit(0)

import chronolens as cl  # noqa: E402  (timed as part of the process)

path, inputs = sys.argv[2], sys.argv[3]
m = cl.load(path)
if mode == "make":
    ids, mask, dec = cl.rrt_batch(m, seq_len=10, reps=2, batch=100, seed=0)
    lo, hi = cl.rrt_band(m)
    corrupted = ids.copy()
    corrupted[:, :10] = np.random.default_rng(1).integers(lo, hi + 1, size=(ids.shape[0], 10))
    np.savez(inputs, clean=ids, corrupted=corrupted, dec=dec, target=ids[:, 2].copy())
    sys.exit(0)
d = np.load(inputs)
t0 = time.perf_counter()
g = cl.patching(m, d["clean"], d["corrupted"], decoder_ids=d["dec"], token_ids=True, metric="logprob",
                target=d["target"])
t1 = time.perf_counter()
print("chronolens: grid %s of %d sequences in %.3f s (process so far %.3f s); clean %.4f corrupted %.4f" % (
    g.shape, d["clean"].shape[0], t1 - t0, t1 - t_start, g.clean, g.corrupted), file=sys.stderr)
if len(sys.argv) > 4:
    np.save(sys.argv[4], np.asarray(g))
