#!/usr/bin/env python3
"""The Python layer's cost: the reference mosaic (cross-attention induction scores of 100 RRT
sequences, L 10, R 2) on a `chronolens init --size small` checkpoint, through the Python
package and called from C (build/cl_bench_py_mosaic, the same library code, linked statically):

  scores     C: cl_rrt_cross_scores (batch, one pass capturing cross row 1, means and stds).
             Python: rrt_batch + forward(capture cross row 1, last_only) + the same means
             and stds in numpy over the captured maps (viewed, not copied).
  induction  the induction study (strict off): C cl_induction_run vs chronolens.induction.

The machine is shared: the C program stays loaded and C and Python alternate run by run (after
a warm-up run each), REPS runs a side; the table gives each side's fastest run (its least
disturbed) and the median of the paired ratios Python / C.
    bench/py_mosaic.py [MODEL_DIR]     (default: /tmp/small, made with init --size small)
Environment: BUILD (build), REPS (15), THREADS (library threads; 0 = every core,
the default of the commands and of the package)."""
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

REPS = int(os.environ.get("REPS", 15))


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return 1e3 * (time.perf_counter() - t0)


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "/tmp/small"
    if not (pathlib.Path(model) / "model.safetensors").exists():
        subprocess.run([str(BUILD / "chronolens"), "init", "--size", "small", "--out", model, "--seed", "42",
                        "--quiet"], check=True)
    threads = int(os.environ.get("THREADS", 0))
    chronolens.set_threads(threads)
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

    proc = subprocess.Popen([str(BUILD / "cl_bench_py_mosaic"), model, str(threads)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)

    def c_run(k):
        proc.stdin.write(k + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("cl_bench_py_mosaic failed")
        return float(line)

    pyfn = {"scores": py_scores, "induction": py_induction}
    rows = []
    for k in ("scores", "induction"):
        c_run(k), timed(pyfn[k])  # warm-up
        tc, tp = [], []
        for i in range(REPS):
            if i % 2:  # alternate which side goes first
                tp.append(timed(pyfn[k])), tc.append(c_run(k))
            else:
                tc.append(c_run(k)), tp.append(timed(pyfn[k]))
        rows.append((k, tc, tp))
    proc.stdin.close()
    proc.wait()
    print("model %s (%d params, d_model %d, %d+%d layers, %d heads), threads %d, batch 100, %d runs a side"
          % (model, m.num_params, c.d_model, c.num_layers, c.num_decoder_layers, c.num_heads,
             chronolens.get_threads(), REPS))
    print("| study | C fastest (ms) | Python fastest (ms) | fastest Python / C | median of paired Python / C |")
    print("|---|---|---|---|---|")
    ok = True
    for k, tc, tp in rows:
        ratio = min(tp) / min(tc)
        paired = statistics.median(p / q for p, q in zip(tp, tc))
        ok &= ratio <= 1.05
        print("| %s | %.1f | %.1f | %.3f | %.3f |" % (k, min(tc), min(tp), ratio, paired))
    print("fastest runs within 5 %%: %s" % ("yes" if ok else "NO"))
    overhead()
    # the Python scores are the C study's numbers
    s = py_scores()
    r = chronolens.induction(m, batch=100, seed=0, strict=False)
    assert np.allclose(s[0], r.current.mean, rtol=0, atol=1e-6) and np.allclose(s[2], r.right.mean, rtol=0, atol=1e-6)


def overhead(n=2000):
    """The package's own cost per call, independent of the machine's load: a forward pass
    and the induction study on tiny inputs of the bundled model through the package, minus the
    same library calls made directly (ctypes, arrays prepared once)."""
    import ctypes
    from chronolens import _lib
    m = chronolens.load()
    ids, mask, dec = chronolens.rrt_batch(m, seq_len=2, reps=2, batch=1)
    spec = {"cross": {"rows": [1]}}

    def bare_forward():
        st = m._state.ptr
        row = (ctypes.c_int * 1)(1)
        on = _lib.CaptureSpec(1, 0, None, 0, None, 1, row)
        off = _lib.CaptureSpec()
        err = _lib.ClError()
        for code, sp in ((0, off), (1, off), (2, on)):
            _lib.lib.cl_state_set_capture(st, code, ctypes.byref(sp), ctypes.byref(err))
        _lib.lib.cl_encode(st, ids, mask, 1, ids.shape[1], ctypes.byref(err))
        _lib.lib.cl_decode(st, dec, 2, 1, ctypes.byref(err))

    from chronolens import _structs
    io = _structs.InductionOpts()
    _lib.slib.cl_induction_default(m._cfg, ctypes.byref(io), ctypes.byref(_lib.ClError()))
    io.rrt.seq_len, io.rrt.reps, io.rrt.batch, io.strict = 2, 2, 1, 0

    def bare_induction():
        r = _structs.InductionResult()
        _lib.slib.cl_induction_run(m._h.ptr, ctypes.byref(io), ctypes.byref(r), ctypes.byref(_lib.ClError()))
        _lib.slib.cl_induction_free(ctypes.byref(r))

    out = []
    for pkg, bare in ((lambda: m.forward(token_ids=ids, decoder_ids=dec, capture=spec, last_only=True),
                       bare_forward),
                      (lambda: chronolens.induction(m, seq_len=2, reps=2, batch=1, strict=False), bare_induction)):
        pkg(), bare()
        best = []
        for f in (pkg, bare):
            t = []
            for _ in range(5):
                t0 = time.perf_counter()
                for _ in range(n):
                    f()
                t.append((time.perf_counter() - t0) / n)
            best.append(min(t))
        out.append(1e6 * (best[0] - best[1]))
    print("package overhead per call: forward %.0f us, induction %.0f us" % tuple(out))


if __name__ == "__main__":
    main()
