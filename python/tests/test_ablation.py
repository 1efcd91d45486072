"""Head ablation: `with model.ablate(stack, layer, head)` removes exactly that head's output —
the same as a checkpoint whose output projection has that head's columns zeroed — leaves the
maps of that layer (computed before the gate) as they were, changes what comes after, and is
undone on exit."""
import json
import shutil

import numpy as np
import pytest

import chronolens
from conftest import FIXTURES, read_safetensors, write_safetensors

SRC = FIXTURES / "rand-small"
WEIGHT = {"enc": "encoder.block.%d.layer.0.SelfAttention.o.weight",
          "dec": "decoder.block.%d.layer.0.SelfAttention.o.weight",
          "cross": "decoder.block.%d.layer.1.EncDecAttention.o.weight"}


@pytest.fixture(scope="module")
def small():
    m = chronolens.load(SRC)
    g = read_safetensors(SRC / "golden.safetensors")
    return m, g["context"], g["decoder_input_ids"]


def _zeroed(tmp_path, stack, layer, head):
    """A copy of rand-small with head `head` of that layer's output projection zeroed."""
    d = tmp_path / ("zeroed-%s-%d-%d" % (stack, layer, head))
    d.mkdir()
    shutil.copy(SRC / "config.json", d / "config.json")
    w = dict(read_safetensors(SRC / "model.safetensors"))
    dkv = json.load(open(SRC / "config.json"))["d_kv"]
    o = w[WEIGHT[stack] % layer].copy()
    o[:, head * dkv:(head + 1) * dkv] = 0
    w[WEIGHT[stack] % layer] = o
    write_safetensors(d / "model.safetensors", w)
    return d


@pytest.mark.parametrize("stack,layer,head", [("enc", 0, 1), ("dec", 1, 3), ("cross", 0, 2)])
def test_ablation_is_the_head_removed(small, tmp_path, stack, layer, head):
    m, ctx, dec = small
    base = m.forward(ctx, decoder_ids=dec, capture="all")
    with m.ablate(stack, layer, head):
        ab = m.forward(ctx, decoder_ids=dec, capture="all")
    z = chronolens.load(_zeroed(tmp_path, stack, layer, head)).forward(ctx, decoder_ids=dec, capture="all")
    # the same model function as the zeroed checkpoint (same products, only the order of a
    # few additions of zeros may differ)
    np.testing.assert_allclose(ab.encoder_hidden, z.encoder_hidden, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ab.logits, z.logits, rtol=0, atol=1e-5)
    for s in ab.attn:
        np.testing.assert_allclose(ab.attn[s], z.attn[s], rtol=0, atol=1e-6, err_msg=s)
    # what the ablation changes: the maps downstream of that sublayer in the data flow, no
    # other; the maps of its own layer and stack are computed before the gate
    for s in ("enc", "dec", "cross"):
        for l in range(ab.attn[s].shape[0]):
            if stack == "enc":  # the encoder output feeds every cross-attention, then the decoder
                expect = l > layer if s == "enc" else (True if s == "cross" else l >= 1)
            elif stack == "dec":  # the decoder residual after self-attention feeds that layer's cross queries
                expect = False if s == "enc" else (l > layer if s == "dec" else l >= layer)
            else:
                expect = False if s == "enc" else l > layer
            changed = not np.array_equal(ab.attn[s][l], base.attn[s][l])
            assert changed == expect, (s, l, "changed" if changed else "unchanged")
    assert not np.allclose(ab.logits, base.logits, atol=1e-4)
    # undone on exit
    after = m.forward(ctx, decoder_ids=dec, capture="all")
    np.testing.assert_array_equal(after.logits, base.logits)
    np.testing.assert_array_equal(after.encoder_hidden, base.encoder_hidden)


def test_ablation_targets_one_head(small):
    m, ctx, dec = small
    base = m.forward(ctx, decoder_ids=dec).logits.copy()
    outs = []
    for h in range(m.config.num_heads):
        with m.ablate("cross", 1, h):
            outs.append(m.forward(ctx, decoder_ids=dec).logits.copy())
    for h in range(len(outs)):
        assert not np.array_equal(outs[h], base)
        for k in range(h):
            assert not np.array_equal(outs[h], outs[k]), (h, k)
    # gate 1 is no ablation; nesting: both heads, then one, then none
    with m.ablate("cross", 1, 0, gate=1.0):
        np.testing.assert_array_equal(m.forward(ctx, decoder_ids=dec).logits, base)
    with m.ablate("cross", 1, 0):
        with m.ablate("cross", 1, [1]):
            both = m.forward(ctx, decoder_ids=dec).logits.copy()
        np.testing.assert_array_equal(m.forward(ctx, decoder_ids=dec).logits, outs[0])
    with m.ablate("cross", 1, [0, 1]):
        np.testing.assert_array_equal(m.forward(ctx, decoder_ids=dec).logits, both)
    np.testing.assert_array_equal(m.forward(ctx, decoder_ids=dec).logits, base)
    # embed sees encoder ablations
    e0, _ = m.embed(ctx)
    with m.ablate("enc", 1, 0):
        e1, _ = m.embed(ctx)
    assert not np.array_equal(e0, e1)


def test_ablation_bad_index(small):
    m, _, _ = small
    with pytest.raises(chronolens.Error) as e:
        with m.ablate("cross", 7, 0):
            pass
    assert "layer 7" in str(e.value) and e.value.code == 3
    with pytest.raises(chronolens.Error, match="stack"):
        m.ablate("sideways", 0, 0).__enter__()


def test_ablation_reproduces_the_induction_study(nano):
    """Δ log p(s_2) of every cross head computed here with ablate() and forward() equals the
    study's strict ablation score (a decoder pass resumed at the head's layer in C)."""
    res = chronolens.induction(nano, batch=40, seed=3)
    ids, mask, dec = chronolens.rrt_batch(nano, batch=40, seed=3)
    b, s2 = np.arange(40), ids[:, 2]  # enc S S s_0 EOS with S = s_0 s_1 s_2 ..; dec [start, s_1]

    def logp():
        x = nano.forward(token_ids=ids, decoder_ids=dec).logits[:, 1].astype(np.float64)
        x = x - x.max(axis=1, keepdims=True)
        return (x - np.log(np.exp(x).sum(axis=1, keepdims=True)))[b, s2]

    base = logp()
    for l in range(res.layers):
        for h in range(res.heads):
            with nano.ablate("cross", l, h):
                d = logp() - base
            assert abs(d.mean() - res.ablation.mean[l, h]) < 1e-6, (l, h)
            assert abs(d.std(ddof=1) - res.ablation.std[l, h]) < 1e-6, (l, h)


def test_studies_refuse_an_ablation_they_would_drop(small):
    """The studies run on states of their own: under model.ablate they refuse (an ablation
    silently dropped reads as a false null) and say which are in force; forecast and the
    pipeline apply it (in every cached decoding step: tests/test_hooks.py); outside it they run."""
    m, ctx, _ = small
    x = np.asarray(ctx)[:1]
    with m.ablate("cross", 0, 1):
        for run in (lambda: chronolens.induction(m, batch=2, strict=False),
                    lambda: chronolens.studies.embed_series(m, x)):
            with pytest.raises(chronolens.Error, match="does not apply head ablations .*cross layer 0 head 1"):
                run()
        assert m.embed(x)[0].shape[0] == 1  # Model.embed runs on the model's state: gated
        assert chronolens.forecast(m, x, horizon=2, samples=2).mean.shape == (1, 2)
        assert np.asarray(chronolens.pipeline(m).predict(x, prediction_length=2, num_samples=2)).shape == (1, 2, 2)
    assert chronolens.forecast(m, x, horizon=2, samples=2).mean.shape == (1, 2)
