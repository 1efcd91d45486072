"""The PyTorch side of bench/patching.sh: the per-head activation-patching grid over every
cross-attention head, written as a TransformerLens-style user writes it on PyTorch — a plain
T5 made of nn.Modules (this file's own, read from the checkpoint's safetensors), one clean run
caching each layer's per-head attention output z with forward hooks, then for every (layer,
head) a forward hook (register_forward_hook) that writes the clean head's z into the corrupted
run, a full forward pass per cell, the metric = the mean over sequences of log p(target) at the
last decoder position.

    /usr/bin/python3 bench/patching_peer_torch.py MODEL INPUTS.npz [OUT.npy]

INPUTS.npz (bench/patching.py make): clean, corrupted (B, T) token ids, dec (B, Td), target (B).
Prints the grid's time; OUT.npy receives the grid (layers, heads) for the comparison.
Debian's python3-torch; torch.set_num_threads(all cores), inference mode."""
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

t_start = time.perf_counter()


def load_safetensors(path):
    """{name: float32 tensor} of a safetensors file (F32 or BF16)."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        head = json.loads(f.read(n))
        raw = f.read()
    out = {}
    for name, info in head.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = np.frombuffer(raw, dtype=np.uint8, count=b - a, offset=a)
        if info["dtype"] == "F32":
            t = torch.from_numpy(buf.view(np.float32).copy())
        elif info["dtype"] == "BF16":
            t = torch.from_numpy(buf.view(np.int16).copy()).view(torch.bfloat16).float()
        else:
            raise SystemExit("patching_peer_torch: %s: dtype %s" % (name, info["dtype"]))
        out[name] = t.reshape(info["shape"])
    return out


def rel_bucket(rel, bidirectional, num_buckets, max_distance):
    """T5's bucket of each relative position (key - query)."""
    bucket = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        bucket += (rel > 0).long() * num_buckets
        n = rel.abs()
    else:
        n = (-rel).clamp(min=0)
    exact = num_buckets // 2
    large = exact + (torch.log(n.float().clamp(min=1) / exact) / math.log(max_distance / exact)
                     * (num_buckets - exact)).long()
    return bucket + torch.where(n < exact, n, large.clamp(max=num_buckets - 1))


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class Attention(nn.Module):
    """Unscaled multi-head attention; hook_z (an identity module) sees z (B, Tq, H*dk), the heads'
    outputs before W_O: where a user's forward hook patches a head."""

    def __init__(self, d, H, dk):
        super().__init__()
        self.H, self.dk = H, dk
        self.q, self.k, self.v = (nn.Linear(d, H * dk, bias=False) for _ in range(3))
        self.o = nn.Linear(H * dk, d, bias=False)
        self.hook_z = nn.Identity()

    def forward(self, x, kv, bias):
        B, Tq, _ = x.shape
        Tk, H, dk = kv.shape[1], self.H, self.dk
        q = self.q(x).view(B, Tq, H, dk).transpose(1, 2)
        k = self.k(kv).view(B, Tk, H, dk).transpose(1, 2)
        v = self.v(kv).view(B, Tk, H, dk).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(2, 3) + bias, dim=-1)
        z = self.hook_z((a @ v).transpose(1, 2).reshape(B, Tq, H * dk))
        return self.o(z)


class FF(nn.Module):
    def __init__(self, d, dff, gated, act):
        super().__init__()
        self.gated, self.act = gated, act
        if gated:
            self.wi_0, self.wi_1 = nn.Linear(d, dff, bias=False), nn.Linear(d, dff, bias=False)
        else:
            self.wi = nn.Linear(d, dff, bias=False)
        self.wo = nn.Linear(dff, d, bias=False)

    def forward(self, x):
        h = self.act(self.wi_0(x)) * self.wi_1(x) if self.gated else self.act(self.wi(x))
        return self.wo(h)


class Block(nn.Module):
    def __init__(self, c, cross, act):
        super().__init__()
        d, eps = c["d_model"], c.get("layer_norm_epsilon", 1e-6)
        self.ln_self, self.self_attn = RMSNorm(d, eps), Attention(d, c["num_heads"], c["d_kv"])
        self.cross = cross
        if cross:
            self.ln_cross, self.cross_attn = RMSNorm(d, eps), Attention(d, c["num_heads"], c["d_kv"])
        self.ln_ff, self.ff = RMSNorm(d, eps), FF(d, c["d_ff"], c["gated"], act)

    def forward(self, x, bias, enc=None, xbias=None):
        h = self.ln_self(x)
        x = x + self.self_attn(h, h, bias)
        if self.cross:
            x = x + self.cross_attn(self.ln_cross(x), enc, xbias)
        return x + self.ff(self.ln_ff(x))


class T5(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        ffp = c.get("feed_forward_proj", "relu")
        c["gated"] = ffp.startswith("gated")
        name = c.get("dense_act_fn") or ffp.split("-")[-1]
        act = {"relu": torch.relu, "gelu": nn.functional.gelu,
               "gelu_new": lambda x: nn.functional.gelu(x, approximate="tanh")}[
            "gelu_new" if name == "gelu" and c["gated"] else name]
        d, nl = c["d_model"], c.get("num_decoder_layers") or c["num_layers"]
        self.shared = nn.Embedding(c["vocab_size"], d)
        self.enc_rel = nn.Embedding(c["relative_attention_num_buckets"], c["num_heads"])
        self.dec_rel = nn.Embedding(c["relative_attention_num_buckets"], c["num_heads"])
        self.encoder = nn.ModuleList(Block(c, False, act) for _ in range(c["num_layers"]))
        self.decoder = nn.ModuleList(Block(c, True, act) for _ in range(nl))
        eps = c.get("layer_norm_epsilon", 1e-6)
        self.enc_final, self.dec_final = RMSNorm(d, eps), RMSNorm(d, eps)
        self.tied = c.get("tie_word_embeddings", True)
        self.lm_head = None if self.tied else nn.Linear(d, c["vocab_size"], bias=False)

    def bias(self, rel, Tq, Tk, bidirectional):
        r = torch.arange(Tk)[None, :] - torch.arange(Tq)[:, None]
        b = rel_bucket(r, bidirectional, self.c["relative_attention_num_buckets"],
                       self.c.get("relative_attention_max_distance", 128))
        return rel(b).permute(2, 0, 1).unsqueeze(0)

    def forward(self, ids, mask, dec):
        neg = torch.finfo(torch.float32).min
        T, Td = ids.shape[1], dec.shape[1]
        kmask = (1.0 - mask[:, None, None, :].float()) * neg
        x = self.shared(ids)
        bias = self.bias(self.enc_rel, T, T, True) + kmask
        for blk in self.encoder:
            x = blk(x, bias)
        enc = self.enc_final(x)
        causal = (1 - torch.tril(torch.ones(Td, Td)))[None, None] * neg
        dbias = self.bias(self.dec_rel, Td, Td, False) + causal
        y = self.shared(dec)
        for blk in self.decoder:
            y = blk(y, dbias, enc, kmask)
        y = self.dec_final(y)
        if self.tied:
            return (y * self.c["d_model"] ** -0.5) @ self.shared.weight.T
        return self.lm_head(y)


def load(path):
    c = json.load(open(os.path.join(path, "config.json")))
    m = T5(c)
    w = load_safetensors(os.path.join(path, "model.safetensors"))
    sd = {"shared.weight": w["shared.weight"],
          "enc_rel.weight": w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"],
          "dec_rel.weight": w["decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"],
          "enc_final.weight": w["encoder.final_layer_norm.weight"],
          "dec_final.weight": w["decoder.final_layer_norm.weight"]}
    if not m.tied:
        sd["lm_head.weight"] = w["lm_head.weight"]
    for st, blocks in (("encoder", m.encoder), ("decoder", m.decoder)):
        for i in range(len(blocks)):
            p, q = "%s.block.%d." % (st, i), "%s.%d." % (st, i)
            subs = [("layer.0.layer_norm", "ln_self"), ("layer.0.SelfAttention", "self_attn")]
            subs += [("layer.1.layer_norm", "ln_cross"), ("layer.1.EncDecAttention", "cross_attn"),
                     ("layer.2.layer_norm", "ln_ff"), ("layer.2.DenseReluDense", "ff")] if st == "decoder" else \
                [("layer.1.layer_norm", "ln_ff"), ("layer.1.DenseReluDense", "ff")]
            for a, b in subs:
                for k, v in w.items():
                    if k.startswith(p + a + ".") and "relative_attention_bias" not in k:
                        sd[q + b + k[len(p + a):]] = v
    m.load_state_dict(sd)
    return m.eval()


def main():
    path, inputs = sys.argv[1], sys.argv[2]
    out = sys.argv[3] if len(sys.argv) > 3 else None
    torch.set_num_threads(os.cpu_count())
    m = load(path)
    d = np.load(inputs)
    clean, corrupted = torch.from_numpy(d["clean"]).long(), torch.from_numpy(d["corrupted"]).long()
    dec, target = torch.from_numpy(d["dec"]).long(), torch.from_numpy(d["target"]).long()
    mask = torch.ones_like(clean)
    H, dk = m.c["num_heads"], m.c["d_kv"]
    t0 = time.perf_counter()
    with torch.inference_mode():
        cache = {}
        hs = [blk.cross_attn.hook_z.register_forward_hook(
            lambda mod, inp, z, l=l: cache.__setitem__(l, z.detach().clone())) for l, blk in enumerate(m.decoder)]
        m(clean, mask, dec)
        for h in hs:
            h.remove()

        def metric(logits):
            return torch.log_softmax(logits[:, -1].double(), -1).gather(1, target[:, None]).mean().item()

        grid = np.empty((len(m.decoder), H))
        for l, blk in enumerate(m.decoder):
            for h in range(H):
                def patch_head(mod, inp, z, l=l, h=h):
                    z = z.clone()
                    z[..., h * dk:(h + 1) * dk] = cache[l][..., h * dk:(h + 1) * dk]
                    return z
                hook = blk.cross_attn.hook_z.register_forward_hook(patch_head)
                grid[l, h] = metric(m(corrupted, mask, dec))
                hook.remove()
    t1 = time.perf_counter()
    print("torch peer: grid %dx%d of %d sequences in %.3f s (process so far %.3f s)" % (
        grid.shape[0], grid.shape[1], clean.shape[0], t1 - t0, t1 - t_start), file=sys.stderr)
    if out:
        np.save(out, grid)


if __name__ == "__main__":
    main()
