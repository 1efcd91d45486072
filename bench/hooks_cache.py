"""run_with_cache of every hook point vs a plain forward pass, in one process (issue 26:
target <= 1.5x): `python3 bench/hooks_cache.py MODEL [MODE] [N]`. MODE "both" (default)
alternates the two N times and prints each median and their ratio (pairs: the machine's
drift cancels); "plain" / "cache" run one of them N times (for bench/alternate.py, whole process). "both" also times a pass
with a hook set attached and nothing registered (the cost of the branches).
4 series x 512 values of a noisy sine; the decoder reads the start token (one position)."""
import statistics
import sys
import time

import numpy as np

import chronolens as cl

path = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "both"
n = int(sys.argv[3]) if len(sys.argv) > 3 else 3
m = cl.load(path)
t = np.arange(512)
rng = np.random.default_rng(0)
x = np.stack([np.sin(t / (5 + b)) * 10 + 50 + rng.normal(size=512) for b in range(4)]).astype(np.float32)


def plain():
    return m.forward(x).logits


def cache():
    out, c = m.run_with_cache(x)
    return out, len(c)


def empty():  # a hook set attached, nothing registered: one branch per point
    return m.run_with_cache(x, names_filter=[])[0]


if mode == "plain":
    for _ in range(n):
        plain()
elif mode == "cache":
    for _ in range(n):
        cache()
else:
    plain(), cache()  # warm-up: states, buffers
    tp, tc, ratio, re = [], [], [], []
    for _ in range(n):
        a = time.perf_counter(); plain(); b = time.perf_counter(); _, k = cache(); c = time.perf_counter()
        empty(); d = time.perf_counter()
        tp.append(b - a); tc.append(c - b); ratio.append((c - b) / (b - a)); re.append((d - c) / (b - a))
    nbytes = sum(v.nbytes for v in m.run_with_cache(x)[1].values())
    print("hooks cached: %d points, %.1f MiB" % (k, nbytes / 2**20))
    print("plain forward   median %.3f s (min %.3f, max %.3f)" % (statistics.median(tp), min(tp), max(tp)))
    print("run_with_cache  median %.3f s (min %.3f, max %.3f)" % (statistics.median(tc), min(tc), max(tc)))
    print("ratio cache/plain: median %.2f (pairs: %s)" % (statistics.median(ratio), ", ".join("%.2f" % r for r in ratio)))
    print("ratio empty set/plain: median %.3f (pairs: %s)" % (statistics.median(re), ", ".join("%.3f" % r for r in re)))
