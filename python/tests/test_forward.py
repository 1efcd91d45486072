"""forward() through Python against the PyTorch reference's golden outputs, and the capture
and lifetime rules of its arrays."""
import ctypes

import numpy as np
import pytest

import chronolens
from chronolens import _lib
from conftest import FIXTURES, read_safetensors

TOL = 1e-4


@pytest.mark.parametrize("name", ["rand-small", "rand-gated-bf16"])
def test_golden(name):
    d = FIXTURES / name
    g = read_safetensors(d / "golden.safetensors")
    m = chronolens.load(d)
    ctx = g["context"]
    r = m.forward(ctx, decoder_ids=g["decoder_input_ids"], capture="all")
    np.testing.assert_array_equal(r.token_ids, g["token_ids"])
    np.testing.assert_array_equal(r.attention_mask, g["attention_mask"])
    np.testing.assert_array_equal(r.scale, g["scale"])
    np.testing.assert_allclose(r.encoder_hidden, g["encoder_hidden"], rtol=0, atol=TOL)
    for st, key, nl in (("enc", "enc_attn", m.config.num_layers), ("dec", "dec_attn", m.config.num_decoder_layers),
                        ("cross", "cross_attn", m.config.num_decoder_layers)):
        a = r.attn[st]
        assert a.shape[0] == nl
        for l in range(nl):
            np.testing.assert_allclose(a[l], g["%s.%d" % (key, l)], rtol=0, atol=TOL, err_msg="%s.%d" % (key, l))
            for h in range(m.config.num_heads):
                np.testing.assert_array_equal(r.attention(st, l, h), a[l, :, h])
    np.testing.assert_allclose(r.logits, g["logits"], rtol=0, atol=TOL)
    last = m.forward(ctx, decoder_ids=g["decoder_input_ids"], last_only=True)
    assert last.logits.shape[1] == 1
    np.testing.assert_allclose(last.logits[:, 0], g["logits"][:, -1], rtol=0, atol=TOL)
    # tokenize / detokenize on their own
    ids, mask, scale = m.tokenize(ctx)
    np.testing.assert_array_equal(ids, g["token_ids"])
    v = m.detokenize(g["greedy_tokens"], scale)
    np.testing.assert_allclose(v, g["greedy_values"], rtol=1e-6, atol=0)


def test_capture_selection(nano):
    ids, mask, dec = chronolens.rrt_batch(nano, batch=8, seed=1)
    full = nano.forward(token_ids=ids, decoder_ids=dec, capture="all")
    sel = nano.forward(token_ids=ids, decoder_ids=dec,
                       capture={"cross": {"layers": [1], "heads": [2, 0], "rows": [1]},
                                "enc": {"rows": [-2]}})
    assert set(sel.attn) == {"cross", "enc"}
    assert sel.attn["cross"].shape == (1, 8, 2, 1, ids.shape[1])
    np.testing.assert_array_equal(sel.attention("cross", 1, 2), full.attn["cross"][1, :, 2, 1:2])
    np.testing.assert_array_equal(sel.attention("cross", 1, 0), full.attn["cross"][1, :, 0, 1:2])
    T = ids.shape[1]
    np.testing.assert_array_equal(sel.attn["enc"][:, :, :, 0], full.attn["enc"][:, :, :, T - 2])
    with pytest.raises(chronolens.Error, match="not captured"):
        sel.attention("cross", 0, 2)
    with pytest.raises(chronolens.Error, match="not captured"):
        sel.attention("dec", 0, 0)


def test_maps_are_views_of_library_memory(nano):
    ids, mask, dec = chronolens.rrt_batch(nano, batch=4, seed=2)
    r = nano.forward(token_ids=ids, decoder_ids=dec, capture="cross")
    shape = (ctypes.c_int * 5)()
    addr = _lib.lib.cl_state_attn(r._state.ptr, 2, shape)
    a = r.attn["cross"]
    assert a.ctypes.data == addr and tuple(shape) == a.shape  # no copy
    assert not a.flags.writeable
    keep = a.copy()
    # a later pass must not overwrite memory a live result still views
    ids2, _, dec2 = chronolens.rrt_batch(nano, batch=4, seed=3)
    r2 = nano.forward(token_ids=ids2, decoder_ids=dec2, capture="cross")
    assert r2._state is not r._state
    assert not np.array_equal(r2.attn["cross"], keep)
    np.testing.assert_array_equal(a, keep)
    # only the array kept: still valid after its result is gone
    only = nano.forward(token_ids=ids, decoder_ids=dec, capture="cross").attn["cross"]
    nano.forward(token_ids=ids2, decoder_ids=dec2, capture="cross")
    np.testing.assert_array_equal(only, keep)


def test_embed_equals_encoder_hidden(nano):
    rng = np.random.default_rng(0)
    ctx = rng.normal(size=(5, 40)).astype(np.float32)
    ctx[1, :7] = np.nan
    emb, scale = nano.embed(ctx, batch=5)
    r = nano.forward(ctx)
    np.testing.assert_array_equal(emb, r.encoder_hidden)
    np.testing.assert_array_equal(scale, r.scale)
    # in batches of 2: each batch is the encoder pass of those series
    emb2, _ = nano.embed(ctx, batch=2)
    for b0 in (0, 2, 4):
        np.testing.assert_array_equal(emb2[b0:b0 + 2], nano.forward(ctx[b0:b0 + 2]).encoder_hidden)


def test_a_loop_of_passes_reuses_states(nano):
    ids, mask, dec = chronolens.rrt_batch(nano, batch=4, seed=2)
    r = nano.forward(token_ids=ids, decoder_ids=dec, capture="cross")
    p1 = r._state.ptr
    r = nano.forward(token_ids=ids, decoder_ids=dec, capture="cross")  # the first result is gone now
    p2 = r._state.ptr
    r = nano.forward(token_ids=ids, decoder_ids=dec, capture="cross")
    assert p1 != p2 and r._state.ptr == p1


def test_threads_and_progress(nano):
    n = chronolens.get_threads()
    assert n >= 1
    ids, mask, dec = chronolens.rrt_batch(nano, batch=16, seed=4)
    a = nano.forward(token_ids=ids, decoder_ids=dec, capture="all")
    try:
        chronolens.set_threads(1)
        assert chronolens.get_threads() == 1
        b = nano.forward(token_ids=ids, decoder_ids=dec, capture="all")
    finally:
        chronolens.set_threads(n)
    assert chronolens.get_threads() == n
    # the library splits work so that results do not depend on the thread count
    np.testing.assert_array_equal(a.logits, b.logits)
    for s in a.attn:
        np.testing.assert_array_equal(a.attn[s], b.attn[s])
    calls = []
    chronolens.induction(nano, batch=8, strict=False, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] > 0
    assert all(d1 <= d2 for (d1, _), (d2, _) in zip(calls, calls[1:]))
