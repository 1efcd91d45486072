"""The PyTorch peer's Chronos-Bolt workloads (as ../shared/oracle/bench_bolt_torch.py: same
model code, inputs, one warm-up then 3 runs), timed by CPU time as well as wall time: on a
shared, oversubscribed machine a process's CPU seconds do not grow with the time it waits.
usage: THREADS=1 python3 bench/bolt_peer_cpu.py MODEL_DIR [batch] [long]
Prints per workload: name, median wall seconds, median CPU seconds."""
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("CL_ORACLE", os.path.join(here, "../../shared/oracle")))
import torch  # noqa: E402
from boltref import load  # noqa: E402

torch.set_num_threads(int(os.environ.get("THREADS", "1")))
model = load(sys.argv[1])
g = torch.Generator().manual_seed(0)


def series(B, L):
    t = torch.arange(L).float()
    return torch.randn(B, L, generator=g).cumsum(-1) + 5 * torch.sin(t * 2 * torch.pi / 24)


def batch():
    with torch.no_grad():
        model.forward(series(64, 2048))


def long():
    with torch.no_grad():
        model.predict(series(8, 2048), 256)


for name in sys.argv[2:] or ["batch", "long"]:
    fn = {"batch": batch, "long": long}[name]
    fn()
    wall, cpu = [], []
    for _ in range(3):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    print(f"peer-{name}-cpu {sorted(wall)[1]:.4f} {sorted(cpu)[1]:.4f}", flush=True)
