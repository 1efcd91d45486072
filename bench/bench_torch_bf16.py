"""The PyTorch peer in its own bf16: ../shared/oracle/bench_torch.py run unchanged inside
torch.autocast("cpu", dtype=torch.bfloat16), so its matrix products (linear, matmul, bmm)
run in bf16 with oneDNN's kernels, as PyTorch users would run it in bf16.
usage: python3 bench/bench_torch_bf16.py MODEL_DIR [workload ...]   (as bench_torch.py;
THREADS=1 as for the fp32 peer). Prints the same lines as bench_torch.py.
Only context and mosaic: the reference's forecast writes float32 min into its logits (EOS
never sampled), which autocast's bf16 logits cannot hold (RuntimeError), so the peer has
no bf16 forecast; bench_forecast.c compares bf16 forecasts with the fp32 peer."""
import os, runpy, sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
peer = os.environ.get("CL_PEER_SCRIPT", os.path.join(here, "..", "..", "shared", "oracle", "bench_torch.py"))
if not os.path.exists(peer):
    sys.exit(f"bench_torch_bf16: no peer script at {peer}")
sys.argv = [peer] + sys.argv[1:]
with torch.autocast("cpu", dtype=torch.bfloat16):
    runpy.run_path(peer, run_name="__main__")
