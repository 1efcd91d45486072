"""One axis order for attention (issue 26 item 9): per layer (batch, head, query_pos, key_pos),
TransformerLens's order for patterns and the order of the <stack>_attn.<layer> tensors that
`chronolens forward` writes; Python stacks the captured layers first (layer, batch, head,
query_pos, key_pos) and gives one layer by model index with pattern()."""
import numpy as np
import pytest

import chronolens
from conftest import FIXTURES, NANO, cli, read_safetensors


def _ctx_csv(path, x):
    path.write_text(",".join("s%d" % b for b in range(x.shape[0])) + "\n" +
                    "".join(",".join(repr(float(v)) for v in row) + "\n" for row in x.T))


def _context():
    t = np.arange(40, dtype=np.float64)
    return np.stack([np.sin(t / 3) * 5, (t % 7) - 2.5, np.cos(t / 4)])


def test_t5_layers_equal_cli_tensors(nano, tmp_path):
    x = _context()
    _ctx_csv(tmp_path / "c.csv", x)
    cli("forward", "--model", NANO, "--context", tmp_path / "c.csv", "--out", tmp_path / "f.safetensors",
        "--maps", "enc,cross", "--layers", "1", "--heads", "2,0")
    f = read_safetensors(tmp_path / "f.safetensors")
    r = nano.forward(x, capture={"enc": {"layers": [1], "heads": [2, 0]}, "cross": {"layers": [1], "heads": [2, 0]}})
    for st, key in (("enc", "enc_attn.1"), ("cross", "cross_attn.1")):
        p = r.pattern(st, 1)
        B, T = x.shape[0], r.token_ids.shape[1]
        assert p.shape == f[key].shape == (B, 2, T if st == "enc" else 1, T)  # (batch, head, query, key)
        np.testing.assert_array_equal(p, f[key])
        np.testing.assert_array_equal(r.attn[st][0], p)  # the stacked array: layer first
        np.testing.assert_array_equal(r.attention(st, 1, 0), p[:, 1])  # one head: (batch, query, key)
    with pytest.raises(chronolens.Error, match="layer 0 was not captured"):
        r.pattern("cross", 0)
    with pytest.raises(chronolens.Error, match="stack dec was not captured"):
        r.pattern("dec", 0)


def test_bolt_layers_equal_cli_tensors(tmp_path):
    bolt = FIXTURES / "bolt-rand"
    m = chronolens.load(bolt)
    x = _context()
    _ctx_csv(tmp_path / "c.csv", x)
    cli("forward", "--model", bolt, "--context", tmp_path / "c.csv", "--out", tmp_path / "f.safetensors")
    f = read_safetensors(tmp_path / "f.safetensors")
    r = m.forward(x, capture="all")
    for st, key, n in (("enc", "enc_attn", m.config.num_layers), ("dec", "dec_attn", m.config.num_decoder_layers),
                       ("cross", "cross_attn", m.config.num_decoder_layers)):
        for l in range(n):
            np.testing.assert_array_equal(r.pattern(st, l), f["%s.%d" % (key, l)], err_msg="%s.%d" % (key, l))
