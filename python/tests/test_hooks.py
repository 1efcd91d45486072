"""The hook layer in Python (chronolens/hooks.py): hook names, run_with_cache and its cache,
stack_head_results, run_with_hooks, the declared interventions in forward, embed, forecast
and the pipeline — Chronos-T5 (the bundled model) and Chronos-Bolt (the fixture)."""
import numpy as np
import pytest

import chronolens as cl
from conftest import FIXTURES

BOLT = FIXTURES / "bolt-rand"


@pytest.fixture(scope="module", params=["t5", "bolt"])
def model(request):
    return cl.load(None if request.param == "t5" else BOLT)


def _ctx(B=2, L=80):
    t = np.arange(L)
    return np.stack([np.sin(t / (3 + b)) * 5 + 10 + b for b in range(B)]).astype(np.float32)


def _out(m, r):
    return r.quantiles if m.config.family == "bolt" else r.logits


def test_hook_names(model):
    n = model.hook_names()
    c = model.config
    assert "hook_embed" in n and "encoder.0.attn.hook_pattern" in n and "decoder_final_ln.hook_normalized" in n
    assert "decoder.%d.hook_resid_mid_cross" % (c.num_decoder_layers - 1) in n
    assert ("input_patch_embedding.hook_out" in n) == (c.family == "bolt")
    assert len(n) == len(set(n))


def test_run_with_cache_layouts_and_filter(model):
    c, x = model.config, _ctx()
    out, cache = model.run_with_cache(x)
    ref = _out(model, model.forward(x))
    assert out.shape == ref.shape
    assert set(cache.keys()) == set(model.hook_names())
    B = x.shape[0]
    T = cache["hook_embed"].shape[1]
    assert cache["encoder.0.hook_resid_pre"].shape == (B, T, c.d_model)
    assert cache["encoder.1.attn.hook_q"].shape == (B, T, c.num_heads, c.d_kv)
    assert cache["encoder.0.attn.hook_pattern"].shape == (B, c.num_heads, T, T)
    Td = 1
    assert cache["decoder.0.cross_attn.hook_pattern"].shape == (B, c.num_heads, Td, T)
    assert np.allclose(cache["encoder.0.attn.hook_pattern"].sum(-1), 1, atol=1e-5)
    # the encoder's final norm is the encoder output the forward pass gives (to float rounding:
    # the sublayer outputs are added apart when cached)
    assert np.allclose(cache["encoder_final_ln.hook_normalized"], model.forward(x).encoder_hidden, atol=1e-4)
    _, fin = model.run_with_cache(x, names_filter="encoder_final_ln.hook_normalized")
    assert np.array_equal(fin["encoder_final_ln.hook_normalized"], model.forward(x).encoder_hidden)
    # within float rounding of the plain pass (the sublayer outputs are added apart when cached)
    assert np.abs(out - ref).max() <= 1e-4 * max(1.0, np.abs(ref).max())
    # only what is asked is kept: a name, a list, a callable
    _, one = model.run_with_cache(x, names_filter="encoder.0.attn.hook_z")
    assert list(one.keys()) == ["encoder.0.attn.hook_z"]
    assert np.array_equal(one["encoder.0.attn.hook_z"], cache["encoder.0.attn.hook_z"])
    _, some = model.run_with_cache(x, names_filter=lambda n: n.endswith("hook_resid_post"))
    assert len(some) == c.num_layers + c.num_decoder_layers
    out1, _ = model.run_with_cache(x, names_filter=["encoder.0.attn.hook_z"])
    assert np.array_equal(out1, ref)  # nothing at a split point: bit for bit the plain pass
    with pytest.raises(cl.Error, match="encoder.9.attn.hook_z: no such hook point"):
        model.run_with_cache(x, names_filter="encoder.9.attn.hook_z")


def test_stack_head_results_sum_to_attn_out(model):
    x = _ctx()
    _, cache = model.run_with_cache(x)
    r = cache.head_results("encoder.1.attn.hook_z")  # (B, T, H, d)
    assert np.allclose(r.sum(2), cache["encoder.1.hook_attn_out"], atol=1e-4)
    st, labels = cache.stack_head_results(stack="cross", return_labels=True)
    c = model.config
    assert st.shape[0] == c.num_decoder_layers * c.num_heads and labels[1] == "L0H1"
    assert np.allclose(st[:c.num_heads].sum(0), cache["decoder.0.hook_cross_attn_out"], atol=1e-4)
    rem = cache.stack_head_results(1, incl_remainder=True)
    assert np.allclose(rem.sum(0), cache["encoder.1.hook_resid_pre"], atol=1e-4)


def test_zero_ablation_equals_the_gate(model):
    x = _ctx()
    with model.ablate("cross", 0, 1):
        gated = _out(model, model.forward(x)).copy()
    hooked = _out(model, model.forward(x, interventions=[cl.zero_ablate("decoder.0.cross_attn.hook_z", head=1)]))
    assert np.array_equal(gated, hooked)
    plain = _out(model, model.forward(x))
    assert not np.array_equal(plain, hooked)


def test_patching_the_clean_run_reproduces_it(model):
    """Every residual stream of the clean run patched into a run on another context: the
    clean run's output, bit for bit (Bolt: its head's normalised output; the quantiles are
    de-normalised by each context's own scale)."""
    clean, corrupt = _ctx(), _ctx()[::-1].copy() * 2
    head = "output_patch_embedding.hook_out"
    pick = lambda n: "resid" in n or n == "hook_embed" or n == head
    out, cache = model.run_with_cache(clean, names_filter=pick)
    ivs = [cl.patch(n, cache[n]) for n in cache if n != head]
    got, c2 = model.run_with_cache(corrupt, names_filter=[head] if head in cache else [], interventions=ivs)
    if model.config.family == "bolt":
        assert np.array_equal(c2[head], cache[head])
        assert not np.array_equal(got, out)
    else:
        assert np.array_equal(got, out)
    # one position of one head's z patched moves less than all of them
    z = "decoder.0.cross_attn.hook_z"
    _, cz = model.run_with_cache(clean, names_filter=z)
    base = _out(model, model.forward(corrupt))
    one = _out(model, model.forward(corrupt, interventions=[cl.patch(z, cz[z], head=0, pos=[0])]))
    assert not np.array_equal(one, base)


def test_run_with_hooks(model):
    x = _ctx()
    seen = []

    def look(a, hook):
        seen.append((hook.name, a.shape, hook.pos0, hook.layer()))

    def kill(a, hook):
        return np.zeros_like(a)

    out = model.run_with_hooks(x, fwd_hooks=[("encoder.1.attn.hook_z", look), ("decoder.0.cross_attn.hook_z", kill)])
    ref = _out(model, model.forward(x, interventions=[cl.zero_ablate("decoder.0.cross_attn.hook_z")]))
    assert np.array_equal(out, ref)
    assert seen[0][0] == "encoder.1.attn.hook_z" and seen[0][3] == 1 and len(seen[0][1]) == 4

    def boom(a, hook):
        raise ValueError("from the hook")

    with pytest.raises(ValueError, match="from the hook"):
        model.run_with_hooks(x, fwd_hooks=[("encoder.0.hook_resid_mid", boom)])
    n = []
    model.run_with_hooks(x, fwd_hooks=[(lambda name: name.endswith("hook_pattern"), lambda a, h: n.append(h.name))])
    assert len(n) == sum(1 for k in model.hook_names() if k.endswith("hook_pattern"))


def test_interventions_in_embed(model):
    x = _ctx()
    e0, _ = model.embed(x)
    e1, _ = model.embed(x, interventions=[cl.zero_ablate("encoder.0.attn.hook_z", head=0)])
    with model.ablate("enc", 0, 0):
        e2, _ = model.embed(x)
    assert np.array_equal(e1, e2) and not np.array_equal(e0, e1)
    # batches of one series: a patch's source row is the series' own (cl_hooks_set_rows)
    _, cache = model.run_with_cache(x, names_filter="hook_embed")
    other = x[::-1].copy() * 2
    e3, _ = model.embed(other, batch=1, interventions=[cl.patch("hook_embed", cache["hook_embed"])])
    want = model.embed(x, batch=1)[0]
    if model.config.family == "t5":  # Bolt's patch embedding of 2 series rounds apart from 1's
        assert np.array_equal(e3, want)
    assert np.allclose(e3, want, atol=1e-5)


def test_forecast_moves_under_an_ablation():
    """The experiment issue 26 names: ablate heads, watch the forecast move (every cached
    decoding step runs the ablation); the same through interventions; cache off agrees."""
    m = cl.load()
    x = _ctx(1, 120)
    c = m.config
    base = cl.forecast(m, x, horizon=8, samples=8, seed=3)
    heads = list(range(c.num_heads))
    with m.ablate("cross", 0, heads), m.ablate("cross", 1, heads):
        abl = cl.forecast(m, x, horizon=8, samples=8, seed=3)
    assert np.abs(abl.mean - base.mean).max() > 0
    ivs = [cl.zero_ablate("decoder.%d.cross_attn.hook_z" % l) for l in range(c.num_decoder_layers)]
    same = cl.forecast(m, x, horizon=8, samples=8, seed=3, interventions=ivs)
    assert np.array_equal(same.samples, abl.samples)
    greedy = dict(horizon=6, samples=2, top_k=1, seed=1, interventions=ivs)
    assert np.array_equal(cl.forecast(m, x, cache=True, **greedy).samples, cl.forecast(m, x, cache=False, **greedy).samples)
    # and the logits it starts from moved
    d = np.abs(m.forward(x, interventions=ivs).logits - m.forward(x).logits).max()
    assert d > 0
    p = cl.pipeline(m, interventions=ivs)
    assert np.array_equal(np.asarray(p.predict(x, prediction_length=8, num_samples=8, seed=3)), abl.samples)


def test_bolt_forecast_moves_under_an_ablation():
    m = cl.load(BOLT)
    x = _ctx(2, 100)
    base = cl.forecast(m, x, horizon=4)
    ivs = [cl.zero_ablate("decoder.0.cross_attn.hook_z")]
    abl = cl.forecast(m, x, horizon=4, interventions=ivs)
    assert np.abs(abl.mean - base.mean).max() > 0
    with m.ablate("cross", 0, list(range(m.config.num_heads))):
        gated = cl.forecast(m, x, horizon=4)
    assert np.array_equal(gated.samples, abl.samples)


def test_intervention_errors(model):
    x = _ctx()
    with pytest.raises(cl.Error, match="head 99 out of range"):
        model.forward(x, interventions=[cl.zero_ablate("encoder.0.attn.hook_z", head=99)])
    with pytest.raises(cl.Error, match="has no heads"):
        model.forward(x, interventions=[cl.zero_ablate("encoder.0.hook_resid_pre", head=0)])
    with pytest.raises(cl.Error, match="value holds"):
        model.forward(x, interventions=[cl.steer("encoder.0.hook_resid_pre", np.ones(3, np.float32))])
    with pytest.raises(cl.Error, match="not a chronolens Intervention"):
        model.forward(x, interventions=["encoder.0.hook_resid_pre"])
    _, cache = model.run_with_cache(x[:1], names_filter="encoder.0.hook_resid_pre")
    with pytest.raises(cl.Error, match="no series 1"):
        model.forward(x, interventions=[cl.patch("encoder.0.hook_resid_pre", cache["encoder.0.hook_resid_pre"])])
    # resample: series b takes the chosen source row
    r = cl.resample_ablate("encoder.0.hook_resid_pre", cache["encoder.0.hook_resid_pre"], rows=[0, 0])
    a = _out(model, model.forward(x, interventions=[r]))
    assert np.isfinite(a).all()


def test_a_kept_cache_is_not_reused(model):
    """run_with_cache reuses the buffers of caches nothing refers to any more, never those of
    a cache (or one of its arrays) still held."""
    x, other = _ctx(), _ctx()[::-1].copy() * 2
    _, c1 = model.run_with_cache(x, names_filter="hook_embed")
    a = c1["hook_embed"].copy()
    for _ in range(3):
        model.run_with_cache(other, names_filter="hook_embed")
    assert np.array_equal(c1["hook_embed"], a)
    arr = c1["hook_embed"]
    del c1
    for _ in range(3):
        _, c2 = model.run_with_cache(other, names_filter="hook_embed")
    assert np.array_equal(arr, a) and not np.array_equal(c2["hook_embed"], a)


def test_docs_hooks_example():
    """docs/python.md's Hooks section runs."""
    from conftest import REPO
    text = (REPO / "docs" / "python.md").read_text()
    sec = text.index("\n## Hooks\n")
    start = text.index("```python", sec) + len("```python")
    exec(compile(text[start:text.index("```", start)], "docs/python.md", "exec"), {"__name__": "docs"})


def test_logit_attribution_sums_to_the_logit():
    m = cl.load()
    x = _ctx(2, 60)
    dec = np.array([[0, 1500, 1700]] * 2, np.int32)
    logits, cache = m.run_with_cache(x, decoder_ids=dec, names_filter=lambda n: n.startswith("decoder."))
    tok = logits[:, -1].argmax(-1)
    contrib, labels = cache.logit_attribution(tok)
    assert contrib.shape == (len(labels), 2) and labels[0] == "embed" and "L1X3" in labels
    assert np.allclose(contrib.sum(0), logits[np.arange(2), -1, tok], atol=1e-3)
    with pytest.raises(cl.Error, match="Chronos-T5"):
        cl.load(BOLT).run_with_cache(_ctx())[1].logit_attribution([0])


def test_patching_grid(model):
    clean, corrupt = _ctx(), _ctx()[::-1].copy() * 2
    g = cl.patching(model, clean, corrupt)
    c = model.config
    assert g.shape == (c.num_decoder_layers, c.num_heads)
    assert np.isfinite(g).all() and g.clean != g.corrupted
    # one cell by hand: the same number
    name = "decoder.0.cross_attn.hook_z"
    _, cache = model.run_with_cache(clean, names_filter=name)
    out = _out(model, model.forward(corrupt, interventions=[cl.patch(name, cache[name], head=1)]))
    ref = cl.patching(model, clean, corrupt, metric=lambda o: float(np.asarray(o).sum()))
    assert ref[0, 1] == float(out.sum())
