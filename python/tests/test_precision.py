"""load(precision=...): bf16 matrix products from Python, within the bounds tests/test_bf16.c
pins for the same fixture, the default and fp32 unchanged, and bad values refused."""
import numpy as np
import pytest

import chronolens
from chronolens import _lib
from conftest import FIXTURES, read_safetensors

# tests/test_bf16.c SMALL_B (twice the measured deviation of rand-small): attention max |diff|,
# encoder hidden ||d|| / ||x||
ATTN, ENC = 0.14, 0.02


def test_fp32_default_and_bad_values():
    m = chronolens.load(FIXTURES / "rand-small")
    assert m.precision == "fp32"
    assert chronolens.load(FIXTURES / "rand-small", precision="fp32").precision == "fp32"
    for bad in ("fp16", "", None, 16):
        with pytest.raises(chronolens.Error, match="precision"):
            chronolens.load(FIXTURES / "rand-small", precision=bad)


@pytest.mark.skipif(not _lib.lib.cl_bf16_supported(), reason="this CPU has no AVX512-BF16/AMX")
def test_bf16_forward_within_bounds():
    d = FIXTURES / "rand-small"
    g = read_safetensors(d / "golden.safetensors")
    a, b = chronolens.load(d), chronolens.load(d, precision="bf16")
    assert b.precision == "bf16"
    ra = a.forward(g["context"], decoder_ids=g["decoder_input_ids"], capture="all")
    rb = b.forward(g["context"], decoder_ids=g["decoder_input_ids"], capture="all")
    np.testing.assert_array_equal(ra.token_ids, rb.token_ids)  # the tokenizer is not a product
    for st in ("enc", "cross"):
        d_attn = np.abs(ra.attn[st] - rb.attn[st]).max()
        assert 0 < d_attn <= ATTN, (st, d_attn)
    rel = np.linalg.norm(rb.encoder_hidden - ra.encoder_hidden) / np.linalg.norm(ra.encoder_hidden)
    assert 0 < rel <= ENC
    # the studies run in the model's precision: the induction scores move, the shapes do not
    ia, ib = chronolens.induction(a, batch=8, strict=False), chronolens.induction(b, batch=8, strict=False)
    assert ia.current.mean.shape == ib.current.mean.shape
    assert 0 < np.abs(ia.current.mean - ib.current.mean).max() <= ATTN
