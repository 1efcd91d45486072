"""Chronos-2's hook points against a plain forward, in one process: `python3
bench/c2_hooks.py MODEL [N]` on a checkpoint of chronos-2-small's shape (bench/c2_hooks.sh
makes one). 8 series x 512 values in 4 groups of 2, every output patch; N rounds of
alternated passes, each variant's median time over the plain pass's of the same round:
  empty    a hook set attached, nothing registered (the branches; the last layer then runs
           at every token, as under any hook set)
  cache    run_with_cache of every point (the group maps (S, H, B, B) formed whole)
  zpat     a group head's pattern zeroed (applied group by group, no (S, H, B, B))
  zz       the same head's z zeroed (no map formed)"""
import statistics
import sys
import time

import numpy as np

import chronolens as cl

m = cl.load(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
t = np.arange(512)
rng = np.random.default_rng(0)
x = np.stack([np.sin(t / (5 + b)) * 10 + 50 + rng.normal(size=512) for b in range(8)]).astype(np.float32)
kw = dict(group_ids=[0, 0, 1, 1, 2, 2, 3, 3])
run = {
    "plain": lambda: m.forward(x, **kw).quantile_preds,
    "empty": lambda: m.run_with_cache(x, names_filter=[], **kw)[0],
    "cache": lambda: len(m.run_with_cache(x, **kw)[1]),
    "zpat": lambda: m.forward(x, interventions=cl.zero_ablate("encoder.3.group_attn.hook_pattern", head=1), **kw),
    "zz": lambda: m.forward(x, interventions=cl.zero_ablate("encoder.3.group_attn.hook_z", head=1), **kw),
}
for f in run.values():
    f()  # warm-up: states, buffers, the cache's memory
times = {k: [] for k in run}
for _ in range(n):
    for k, f in run.items():
        a = time.perf_counter()
        f()
        times[k].append(time.perf_counter() - a)
base = statistics.median(times["plain"])
print("plain forward: median %.1f ms over %d rounds" % (base * 1e3, n))
for k in ("empty", "cache", "zpat", "zz"):
    r = [a / b for a, b in zip(times[k], times["plain"])]
    print("%-6s median %.1f ms, %.2fx plain (per-round ratios %.2f..%.2f)" % (
        k, statistics.median(times[k]) * 1e3, statistics.median(r), min(r), max(r)))
