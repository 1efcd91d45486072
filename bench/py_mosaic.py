#!/usr/bin/env python3
"""The Python layer's cost: the reference mosaic (cross-attention induction scores of 100 RRT
sequences, L 10, R 2) on a `chronolens init --size small` checkpoint, through the Python
package and called from C (build/cl_bench_py_mosaic, the same shared libraries):

  scores     C: cl_rrt_cross_scores (batch, one pass capturing cross row 1, means and stds).
             Python: rrt_batch + forward(capture cross row 1, last_only) + the same means
             and stds in numpy over the captured maps (viewed, not copied).
  induction  the induction study (strict off): C cl_py_induction vs chronolens.induction.

The machine is shared: C and Python run alternately ROUNDS times and each keeps its best
round (least disturbed); within a round a figure is the median of REPS runs after a warm-up.
    bench/py_mosaic.py [MODEL_DIR]     (default: /tmp/small, made with init --size small)
Environment: BUILD (build), REPS (10), ROUNDS (3), THREADS (library threads; default all)."""
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
BUILD = ROOT / os.environ.get("BUILD", "build")
os.environ.setdefault("CHRONOLENS_LIB", str(BUILD))
import numpy as np  # noqa: E402

import chronolens  # noqa: E402

REPS = int(os.environ.get("REPS", 10))
ROUNDS = int(os.environ.get("ROUNDS", 3))


def timed(fn):
    fn()
    t = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(t)


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "/tmp/small"
    if not (pathlib.Path(model) / "model.safetensors").exists():
        subprocess.run([str(BUILD / "chronolens"), "init", "--size", "small", "--out", model, "--seed", "42",
                        "--quiet"], check=True)
    if "THREADS" in os.environ:
        chronolens.set_threads(int(os.environ["THREADS"]))
    m = chronolens.load(model)
    c = m.config
    pos = (2 - 1) * 10 + 1  # m = (R-1) L + 1

    def py_scores():
        ids, mask, dec = chronolens.rrt_batch(m, seq_len=10, reps=2, batch=100, seed=0)
        r = m.forward(token_ids=ids, attention_mask=mask, decoder_ids=dec, capture={"cross": {"rows": [1]}},
                      last_only=True)
        a = r.attn["cross"][:, :, :, 0, :]  # (layers, B, heads, T): a view of the library's buffer
        cur, right = a[..., pos], a[..., pos + 1]
        return cur.mean(axis=1), cur.std(axis=1, ddof=1), right.mean(axis=1), right.std(axis=1, ddof=1)

    def py_induction():
        return chronolens.induction(m, batch=100, seed=0, strict=False)

    env = dict(os.environ)
    if "THREADS" in os.environ:
        env["OPENBLAS_NUM_THREADS"] = os.environ["THREADS"]
    best = {}
    for _ in range(ROUNDS):
        out = subprocess.run([str(BUILD / "cl_bench_py_mosaic"), model, str(REPS)], check=True, capture_output=True,
                             text=True, env=env).stdout
        for line in out.split("\n"):
            if line:
                k, v = line.split()
                best["c " + k] = min(best.get("c " + k, 1e99), float(v))
        for k, fn in (("scores", py_scores), ("induction", py_induction)):
            best["py " + k] = min(best.get("py " + k, 1e99), timed(fn))
    print("model %s (%d params, d_model %d, %d+%d layers, %d heads), threads %d, batch 100, REPS %d, ROUNDS %d"
          % (model, m.num_params, c.d_model, c.num_layers, c.num_decoder_layers, c.num_heads,
             chronolens.get_threads(), REPS, ROUNDS))
    print("| study | C (ms) | Python (ms) | Python / C |")
    print("|---|---|---|---|")
    ok = True
    for k in ("scores", "induction"):
        ratio = best["py " + k] / best["c " + k]
        ok &= ratio <= 1.05
        print("| %s | %.2f | %.2f | %.3f |" % (k, best["c " + k], best["py " + k], ratio))
    print("within 5 %%: %s" % ("yes" if ok else "NO"))
    # the Python scores are the C study's numbers
    s = py_scores()
    r = chronolens.induction(m, batch=100, seed=0, strict=False)
    assert np.allclose(s[0], r.current.mean, rtol=0, atol=1e-6) and np.allclose(s[2], r.right.mean, rtol=0, atol=1e-6)


if __name__ == "__main__":
    main()
