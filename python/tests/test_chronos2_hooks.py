"""Chronos-2 in the workbench (chronolens.chronos2, hooks.py): Model.forward with the pipeline's
keyword names against chronos2ref.py's goldens (tests/fixtures/chronos2-rand), hook_names,
run_with_cache's activations equal to the golden tensors, interventions and callbacks that move
the forecast, the zero-ablation of a time head equal to Model.ablate's gate, stack_head_results
summing to the attention outputs, patching, and the pipeline applying interventions."""
import json

import numpy as np
import pytest

import chronolens as cl
from conftest import FIXTURES, read_safetensors

C2 = FIXTURES / "chronos2-rand"
TOL = 1e-4


@pytest.fixture(scope="module")
def m():
    return cl.load(str(C2))


@pytest.fixture(scope="module")
def golden():
    return read_safetensors(C2 / "golden.safetensors"), json.load(open(C2 / "inputs.json"))


def run_args(golden):
    g, inp = golden
    return g["context"], dict(group_ids=g["group_ids"], num_output_patches=inp["batch"]["num_output_patches"])


def test_config_and_names(m):
    c = m.config
    assert c.family == "chronos2" and c.max_output_patches == 4 and c.patch_size == 16 and len(c.quantiles) == 21
    assert c.num_decoder_layers == 0 and c.use_arcsinh == 1 and c.rope_theta > 0
    names = m.hook_names()
    assert names[:3] == ["input_patch_embedding.hook_out", "hook_embed", "encoder.0.hook_resid_pre"]
    assert names[-2:] == ["encoder_final_ln.hook_normalized", "output_patch_embedding.hook_out"]
    for n in ("encoder.1.time_attn.hook_pattern", "encoder.1.group_attn.hook_pattern", "encoder.1.hook_resid_mid_group",
              "encoder.1.hook_group_attn_out", "encoder.1.hook_time_attn_out", "encoder.1.mlp.hook_post"):
        assert n in names
    assert not any(n.startswith("decoder") for n in names)
    with pytest.raises(cl.Error, match="no such hook point"):
        m.run_with_cache(np.ones(64), names_filter="encoder.0.attn.hook_z")


def test_forward_golden(m, golden):
    g, _ = golden
    ctx, kw = run_args(golden)
    r = m.forward(ctx, capture="all", **kw)
    for name in ("loc", "scale", "input_embeds", "encoder_hidden", "quantile_preds", "quantile_preds_normalized"):
        assert np.abs(getattr(r, name) - g[name]).max() <= TOL, name
    assert np.array_equal(r.attention_mask, g["attention_mask"])
    for l in range(m.config.num_layers):
        assert np.abs(r.pattern("enc", l) - g["time_attn.%d" % l]).max() <= TOL
        assert np.abs(r.group_attn[l] - g["group_attn.%d" % l]).max() <= TOL
        assert np.abs(r.hidden[l] - g["hidden.%d" % l]).max() <= TOL
    cross = m.forward(ctx, cross_learning=True, num_output_patches=kw["num_output_patches"])
    assert np.abs(cross.quantile_preds - g["quantile_preds_cross"]).max() <= TOL
    with pytest.raises(cl.Error, match="token_ids"):
        m.forward(ctx, token_ids=np.zeros((1, 4), np.int32))
    with pytest.raises(cl.Error, match="group ids"):
        m.forward(ctx, group_ids=[0, 1])


def test_forward_covariates(m, golden):
    g, inp = golden
    cov = inp["covariates"]
    F = cov["future_length"]
    r = m.forward(g["cov.context"], group_ids=g["cov.group_ids"], future_covariates=g["cov.future_covariates"][:, :F],
                  num_output_patches=cov["num_output_patches"])
    assert np.abs(r.quantile_preds - g["cov.quantile_preds"]).max() <= TOL


def test_run_with_cache_golden(m, golden):
    g, _ = golden
    ctx, kw = run_args(golden)
    out, cache = m.run_with_cache(ctx, **kw)
    assert len(cache) == len(m.hook_names())
    assert np.abs(out - g["quantile_preds"]).max() <= TOL
    B, S, d = g["input_embeds"].shape
    H = m.config.num_heads
    assert np.abs(cache["hook_embed"] - g["input_embeds"]).max() <= TOL
    for l in range(m.config.num_layers):
        e = "encoder.%d." % l
        assert cache[e + "time_attn.hook_pattern"].shape == (B, H, S, S)
        assert np.abs(cache[e + "time_attn.hook_pattern"] - g["time_attn.%d" % l]).max() <= TOL
        assert cache[e + "group_attn.hook_pattern"].shape == (S, H, B, B)  # (token, head, query series, key series)
        assert np.abs(cache[e + "group_attn.hook_pattern"] - g["group_attn.%d" % l]).max() <= TOL
        assert np.abs(cache[e + "hook_resid_mid"] - g["hidden_time.%d" % l]).max() <= TOL
        assert np.abs(cache[e + "hook_resid_mid_group"] - g["hidden_group.%d" % l]).max() <= TOL
        assert np.abs(cache[e + "hook_resid_post"] - g["hidden.%d" % l]).max() <= TOL
        assert cache[e + "group_attn.hook_z"].shape == (B, S, H, m.config.d_kv)
    assert np.abs(cache["encoder_final_ln.hook_normalized"] - g["encoder_hidden"]).max() <= TOL
    assert np.abs(cache["output_patch_embedding.hook_out"] - g["quantile_preds_normalized"]).max() <= TOL


def test_stack_head_results(m, golden):
    ctx, kw = run_args(golden)
    _, cache = m.run_with_cache(ctx, **kw)
    nl, H = m.config.num_layers, m.config.num_heads
    heads, labels = cache.stack_head_results(stack="encoder", return_labels=True)
    assert heads.shape[0] == nl * H and labels[H] == "L1H0"
    for l in range(nl):
        s = heads[l * H:(l + 1) * H].sum(0)
        assert np.abs(s - cache["encoder.%d.hook_time_attn_out" % l]).max() <= 1e-4
    group = cache.stack_head_results(stack="group")
    for l in range(nl):
        assert np.abs(group[l * H:(l + 1) * H].sum(0) - cache["encoder.%d.hook_group_attn_out" % l]).max() <= 1e-4


def test_interventions_move_the_forecast(m, golden):
    ctx, kw = run_args(golden)
    clean = m.forward(ctx, **kw).quantile_preds.copy()
    # a time head zeroed = Model.ablate's gate, bit for bit
    z = m.forward(ctx, interventions=cl.zero_ablate("encoder.1.time_attn.hook_z", head=2), **kw).quantile_preds
    with m.ablate("enc", 1, 2):
        gated = m.forward(ctx, **kw).quantile_preds
    assert np.array_equal(z, gated) and np.abs(z - clean).max() > 1e-3
    # a group-attention head ablated, and its pattern: the forecast moves
    g = m.forward(ctx, interventions=cl.zero_ablate("encoder.0.group_attn.hook_z", head=0), **kw).quantile_preds
    p = m.forward(ctx, interventions=cl.zero_ablate("encoder.0.group_attn.hook_pattern", head=0), **kw).quantile_preds
    assert np.abs(g - clean).max() > 1e-3 and np.abs(p - clean).max() > 1e-3
    # a callback (the slower path) halving the group attention's output
    seen = []

    def halve(a, hook):
        seen.append((hook.name, a.shape))
        return a * 0.5
    out = m.run_with_hooks(ctx, fwd_hooks=[("encoder.2.hook_group_attn_out", halve)], **kw)
    assert seen == [("encoder.2.hook_group_attn_out", ctx.shape[:1] + (seen[0][1][1], m.config.d_model))]
    assert np.abs(out - clean).max() > 1e-4
    # patching a run from its own cache reproduces it
    _, cache = m.run_with_cache(ctx, names_filter="encoder.1.hook_resid_pre", **kw)
    again = m.forward(ctx, interventions=cl.patch("encoder.1.hook_resid_pre", cache["encoder.1.hook_resid_pre"]),
                      **kw).quantile_preds
    assert np.abs(again - clean).max() <= 1e-5


def test_patching_group_heads(m, golden):
    ctx, kw = run_args(golden)
    corrupted = ctx[:, ::-1].copy()
    grid = cl.patching(m, ctx, corrupted, hooks="encoder.{l}.group_attn.hook_z", **kw)
    assert grid.shape == (m.config.num_layers, m.config.num_heads)
    assert np.all(np.isfinite(grid)) and grid.clean == 0.0 and grid.corrupted < 0


def test_pipeline_interventions(golden):
    g, inp = golden
    ctx = g["context"]
    tasks = [ctx[rows] for rows in inp["batch"]["tasks_rows"]]
    plain = np.concatenate(cl.pipeline(str(C2)).predict(tasks, prediction_length=32))
    kill = [cl.zero_ablate("encoder.%d.group_attn.hook_z" % l) for l in range(3)]
    pipe = cl.pipeline(str(C2), interventions=kill)
    moved = np.concatenate(pipe.predict(tasks, prediction_length=32))
    assert np.abs(moved - plain).max() > 1e-3
    m = pipe.model
    with m.ablate("enc", 0, 1):  # the gates run in the forecast too
        gated = np.concatenate(cl.pipeline(m).predict(tasks, prediction_length=32))
    assert np.abs(gated - plain).max() > 1e-4
    with pytest.raises(cl.Error, match="patching from another run is refused"):
        cl.pipeline(str(C2), interventions=cl.patch("hook_embed", np.zeros((4, 40, 40), np.float32))).predict(
            tasks, prediction_length=32)


def test_embed(m, golden):
    g, _ = golden
    want = read_safetensors(C2 / "embed.safetensors")
    emb, scale = m.embed(g["context"])
    assert emb.shape == want["encoder_hidden"].shape and scale.shape == (len(g["context"]), 2)
    assert np.abs(emb - want["encoder_hidden"]).max() <= TOL
    assert np.array_equal(scale[:, 0], want["loc"]) and np.array_equal(scale[:, 1], want["scale"])
    moved, _ = m.embed(g["context"], interventions=cl.zero_ablate("encoder.0.time_attn.hook_z", head=0))
    assert np.abs(moved - emb).max() > 1e-4
    # a patch's rows follow the series across passes of `batch` series: series b from source[b]
    full = np.nan_to_num(g["context"]) + np.arange(4)[:, None]      # no padded token: batch-free
    src = m.run_with_cache(full, names_filter="hook_embed", num_output_patches=1)[1]["hook_embed"]
    plain, _ = m.embed(full)
    one, _ = m.embed(full[::-1].copy(), batch=1, interventions=cl.patch("hook_embed", src))
    assert np.abs(one - plain).max() <= 1e-5


def test_no_tokenizer(m):
    with pytest.raises(cl.Error, match="a Chronos-2 model has no tokenizer"):
        m.tokenize(np.ones(50))
