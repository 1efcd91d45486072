"""Activation patching in C (chronolens.patching, cl_patching_run; chronolens.quantile_attribution):
the C grid against the Python loop (one forward pass per cell through Python) — within the
derived bound of its one reordered product for Chronos-T5, equal for Chronos-Bolt — and a
cell against the same pass by hand; positions, metrics, ablations, progress, cancelling and
the refusals; Bolt's per-quantile attribution against the head gate."""
import ctypes

import numpy as np
import pytest

import chronolens as cl
from chronolens import hooks as H
from conftest import FIXTURES

BOLT = FIXTURES / "bolt-rand"


@pytest.fixture(scope="module")
def t5():
    return cl.load()


@pytest.fixture(scope="module")
def bolt():
    return cl.load(BOLT)


def _ctx(B=3, L=60, k=0):
    t = np.arange(L)
    return np.stack([np.sin(t / (3 + b + k)) * 5 + 10 + b + (t % (4 + k)) for b in range(B)]).astype(np.float32)


def _logprob_bound(m, value):
    """|C - loop| of a mean log p: the loop's logits come from the LM head's product over all
    decoder rows, the C path's from the read row alone (another blocking of the same sums).
    One logit is a sum of d products h_j W_vj with h = the final norm's output: within
    2 gamma_d sum_j |h_j W_vj| <= 2 gamma_d sqrt(d) ||w * W_v|| (Cauchy-Schwarz, sum_j (x_j /
    rms x)^2 <= d), w * W_v (* d^-0.5 tied) = cl_logit_directions; log p moves by at most twice
    the largest logit's bound; plus the float32 rounding of the C value."""
    c = m.config
    V, d = c.vocab_size, c.d_model
    toks = np.arange(V, dtype=np.int32)
    dirs = np.empty((V, d), np.float32)
    H.call(H.lib.cl_logit_directions, m._h.ptr, toks.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), V,
           dirs.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
    u = 2.0 ** -24
    gamma = d * u / (1 - d * u)
    per_logit = 2 * gamma * np.sqrt(d) * np.linalg.norm(dirs.astype(np.float64), axis=1).max()
    return 2 * per_logit + 2 * u * np.abs(value) + 1e-12


def test_t5_c_grid_equals_the_python_loop(t5):
    clean, corrupt = _ctx(), _ctx(k=1)
    dec = np.array([0, 1700, 1800], np.int32)
    g = cl.patching(t5, clean, corrupt, decoder_ids=dec)
    c = t5.config
    assert g.shape == (c.num_decoder_layers, c.num_heads) and g.axes == ("layer", "head")
    top = g.target

    def logprob(out):  # the same metric in Python on the loop's full logits
        z = out[:, -1].astype(np.float64)
        lp = z - np.logaddexp.reduce(z, axis=-1)[:, None]
        return float(lp[np.arange(len(top)), top].mean())

    ref = cl.patching(t5, clean, corrupt, decoder_ids=dec, metric=logprob)
    bound = _logprob_bound(t5, np.abs(ref).max())
    assert np.abs(np.asarray(g) - np.asarray(ref)).max() <= bound
    assert abs(g.clean - ref.clean) <= bound and abs(g.corrupted - ref.corrupted) <= bound
    assert g.clean != g.corrupted and len(np.unique(np.asarray(g))) > 1
    # the default target is the clean run's most likely token at the read position
    full = t5.forward(clean, dec).logits
    assert np.array_equal(top, full[:, -1].argmax(-1))


def test_t5_cell_by_hand(t5):
    """Cell (1, 2) is the corrupted pass with that head's z patched, its logits at the read
    position only (forward's last_only: the same products as the C path)."""
    clean, corrupt = _ctx(), _ctx(k=1)
    dec = np.array([0, 1700, 1800], np.int32)
    g = cl.patching(t5, clean, corrupt, decoder_ids=dec, read_pos=1)
    n = "decoder.1.cross_attn.hook_z"
    _, cache = t5.run_with_cache(clean, decoder_ids=dec[:2], names_filter=n)
    lg = t5.forward(corrupt, dec[:2], last_only=True, interventions=[cl.patch(n, cache[n], head=2)]).logits[:, 0]
    z = lg.astype(np.float64)
    mx = z.max(-1, keepdims=True)
    lp = (z - mx - np.log(np.exp(z - mx).sum(-1, keepdims=True)))[np.arange(len(z)), g.target].astype(np.float32)
    assert np.allclose(g.per_series[1, 2, 0, :, 0], lp, rtol=1e-6, atol=1e-6)
    assert abs(g[1, 2] - lp.astype(np.float64).mean()) <= 1e-6


def test_bolt_c_grid_equals_the_python_loop(bolt):
    clean, corrupt = _ctx(2, 80), _ctx(2, 80, k=1) * 1.5
    g = cl.patching(bolt, clean, corrupt)  # the default: minus the median's change, one number a cell
    qi = len(bolt.config.quantiles) // 2
    clean_q = np.array(bolt.forward(clean).quantiles)
    ref = cl.patching(bolt, clean, corrupt, metric=lambda q: -float(np.abs(q[:, qi] - clean_q[:, qi]).mean()))
    assert np.array_equal(np.asarray(g), np.asarray(ref))
    assert g.corrupted == ref.corrupted and g.clean == 0.0
    q = cl.patching(bolt, clean, corrupt, metric="quantiles")
    c = bolt.config
    assert q.shape == (c.num_decoder_layers, c.num_heads, len(c.quantiles), c.prediction_length)
    assert q.axes == ("layer", "head", "quantile", "step")
    n = "decoder.0.cross_attn.hook_z"
    _, cache = bolt.run_with_cache(clean, names_filter=n)
    hand = bolt.forward(corrupt, interventions=[cl.patch(n, cache[n], head=1)]).quantiles
    assert np.array_equal(q.per_series[0, 1, 0].reshape(hand.shape), hand)
    df = q.to_pandas()
    assert list(df.columns) == ["layer", "head", "quantile", "step", "value"] and len(df) == q.size
    assert set(df["quantile"]) == set(c.quantiles)


def test_positions_metrics_and_points(t5):
    clean, corrupt = _ctx(), _ctx(k=1)
    dec = np.array([0, 1700, 1800], np.int32)
    c = t5.config
    g = cl.patching(t5, clean, corrupt, hooks="decoder.{l}.hook_resid_pre", decoder_ids=dec, per_position=True)
    assert g.shape == (c.num_decoder_layers, 1, 3) and g.axes == ("layer", "head", "position")
    # the last layer's output at every position patched: the clean run's number
    whole = cl.patching(t5, clean, corrupt, hooks="decoder.{l}.hook_resid_post", decoder_ids=dec)
    assert whole[-1, 0] == whole.clean and whole[0, 0] != whole.clean
    e = cl.patching(t5, clean, corrupt, hooks="encoder.{l}.attn.hook_z", decoder_ids=dec, pos=[3, 4])
    assert e.shape == (c.num_layers, c.num_heads)
    t1, t2 = np.full(3, 1700), np.full(3, 1800)
    ld = cl.patching(t5, clean, corrupt, decoder_ids=dec, metric="logit_diff", target=t1, target2=t2)
    assert ld.shape == (c.num_decoder_layers, c.num_heads) and np.isfinite(ld).all()
    z = cl.patching(t5, clean, corrupt, decoder_ids=dec, ablation="zero")
    with t5.ablate("cross", 0, 1):  # zero ablation = the head gate
        gated = t5.forward(corrupt, dec, last_only=True).logits.copy()
    base = t5.forward(corrupt, dec, last_only=True).logits
    assert not np.array_equal(gated, base)
    zz = gated[:, 0].astype(np.float64)
    lp = zz - np.logaddexp.reduce(zz, axis=-1)[:, None]
    assert abs(z[0, 1] - lp[np.arange(3), z.target].mean()) <= 1e-5


def test_refusals(t5, bolt):
    x = _ctx()
    with pytest.raises(cl.Error, match="Chronos-Bolt's"):
        cl.patching(t5, x, x, metric="quantiles")
    with pytest.raises(cl.Error, match="no logits"):
        cl.patching(bolt, x, x, metric="logprob")
    with pytest.raises(cl.Error, match="no such hook point"):
        cl.patching(t5, x, x, hooks="decoder.{l}.cross_attn.hook_nothing")
    with pytest.raises(cl.Error, match=r"\{l\}"):
        cl.patching(t5, x, x, hooks="decoder.0.cross_attn.hook_z")
    with pytest.raises(cl.Error, match="metric 'median'"):
        cl.patching(t5, x, x, metric="median")
    with pytest.raises(cl.Error, match="3 series, the corrupted 2"):
        cl.patching(t5, x, x[:2])
    with pytest.raises(cl.Error, match="quantile_attribution is Chronos-Bolt's"):
        cl.quantile_attribution(t5, x)
    with t5.ablate("cross", 0, 0), pytest.raises(cl.Error, match="does not apply head ablations"):
        cl.patching(t5, x, x)


def test_progress_and_cancel(t5, capsys):
    x, y = _ctx(), _ctx(k=1)
    seen = []
    cl.patching(t5, x, y, progress=lambda done, total: seen.append((done, total)))
    n = t5.config.num_decoder_layers * t5.config.num_heads
    # a report per cell, and the passes' layers relayed in between (cells done so far)
    assert seen[-1] == (n, n) and {t for _, t in seen} == {n} and len({d for d, _ in seen}) == n + 1
    cl.patching(t5, x, y, progress=True)
    assert "patching: %d/%d" % (n, n) in capsys.readouterr().err
    with pytest.raises(cl.Error, match="patching: cancelled") as e:
        cl.patching(t5, x, y, progress=lambda done, total: cl.CANCEL if done >= 2 else None)
    assert e.value.code == 5

    def stop(done, total):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        cl.patching(t5, x, y, progress=stop)


def test_quantile_attribution(bolt):
    x = _ctx(2, 80)
    c = bolt.config
    a = cl.quantile_attribution(bolt, x)  # zero ablation of every cross-attention head
    assert a.shape == (c.num_decoder_layers, c.num_heads, len(c.quantiles), c.prediction_length)
    base = np.array(bolt.forward(x).quantiles)
    with bolt.ablate("cross", 1, 2):
        gated = np.array(bolt.forward(x).quantiles)
    assert np.array_equal(a[1, 2], gated.mean(0) - base.mean(0))
    assert np.array_equal(a.clean, base.mean(0))
    m = cl.quantile_attribution(bolt, x, ablation="mean")
    p = cl.quantile_attribution(bolt, x, ablation="patch", source=_ctx(2, 80, k=1))
    assert m.shape == p.shape == a.shape and not np.array_equal(np.asarray(m), np.asarray(a))
    df = a.to_pandas()
    assert list(df.columns) == ["layer", "head", "quantile", "step", "value"]
    assert "PatchingGrid" in a._repr_html_()
    with pytest.raises(cl.Error, match="needs a source"):
        cl.quantile_attribution(bolt, x, ablation="patch")
