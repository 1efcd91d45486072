"""The PyTorch peer's Chronos-2 batch workload (as ../shared/oracle/bench_chronos2_torch.py with
PEER=ref: chronos2ref.py, the same inputs, one warm-up then 3 runs), timed by CPU time as well
as wall time: on a shared, oversubscribed machine a process's CPU seconds do not grow with the
time it waits.
usage: THREADS=1 python3 bench/chronos2_peer_cpu.py MODEL_DIR
Prints: peer-batch-cpu, median wall seconds, median CPU seconds of one forward pass."""
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("CL_ORACLE", os.path.join(here, "../../shared/oracle")))
import torch  # noqa: E402
from chronos2ref import load  # noqa: E402

torch.set_num_threads(int(os.environ.get("THREADS", "1")))
model = load(sys.argv[1])
g = torch.Generator().manual_seed(0)
t = torch.arange(2048).float()
x = torch.randn(32, 2048, generator=g).cumsum(-1) + 5 * torch.sin(t * 2 * torch.pi / 24)


def batch():
    with torch.no_grad():
        model.forward(x, None, None, 4)


batch()
wall, cpu = [], []
for _ in range(3):
    w, c = time.perf_counter(), time.process_time()
    batch()
    wall.append(time.perf_counter() - w)
    cpu.append(time.process_time() - c)
print(f"peer-batch-cpu {sorted(wall)[1]:.4f} {sorted(cpu)[1]:.4f}", flush=True)
