"""Chronos-Bolt in Python: forward (quantiles, encoder states, attention), embed and the
config's family fields, against the commands' numbers."""
import json

import numpy as np
import pytest

import chronolens
from conftest import FIXTURES, cli, read_csv
from conftest import g9, read_safetensors
from test_studies import CRIT, _stat_cells, json_eq

BOLT = FIXTURES / "bolt-rand"


def _ctx():
    t = np.arange(100)
    x = np.stack([np.sin(t / 3) * 5 + 10, np.cos(t / 7), np.random.default_rng(1).normal(size=100)])
    x[2, :30] = np.nan
    return x.astype(np.float32)


def _csv(path, x):
    with open(path, "w") as f:
        f.write(",".join("s%d" % b for b in range(x.shape[0])) + "\n")
        for t in range(x.shape[1]):
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in x[:, t]) + "\n")


def test_config_has_family_fields():
    c = chronolens.load(BOLT).config
    assert (c.family, c.patch_size, c.patch_stride, c.use_reg_token) == ("bolt", 16, 16, 1)
    assert c.quantiles == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    assert chronolens.load().config.family == "t5" and chronolens.load().config.quantiles == ()


def test_forward_and_embed_equal_cli(tmp_path):
    m = chronolens.load(BOLT)
    x = _ctx()
    _csv(tmp_path / "ctx.csv", x)
    H = m.config.prediction_length
    cli("forecast", "--model", BOLT, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "fc.csv", "--horizon", H,
        "--samples-out", tmp_path / "q.npy")
    r = m.forward(x, capture="all")
    T = 100 // 16 + 1 + 1  # 7 patches (left-padded to 112) + [REG]
    assert r.logits is None and r.encoder_hidden.shape == (3, T, m.config.d_model)
    assert r.quantiles.shape == (3, 9, H) and r.attention_mask.shape == (3, T)
    np.testing.assert_array_equal(r.quantiles, np.load(tmp_path / "q.npy"))
    assert r.attn["enc"].shape == (2, 3, 4, T, T) and r.attn["cross"].shape == (3, 3, 4, 1, T)
    np.testing.assert_allclose(r.attn["cross"].sum(-1), 1, rtol=1e-5)
    cli("embed", "--model", BOLT, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "e.npy", "--scales-out",
        tmp_path / "sc.npy")
    e, sc = m.embed(x)
    np.testing.assert_array_equal(e, np.load(tmp_path / "e.npy"))
    np.testing.assert_array_equal(sc, np.load(tmp_path / "sc.npy"))
    np.testing.assert_array_equal(sc, np.stack([r.loc, r.scale], axis=1))
    np.testing.assert_array_equal(e, r.encoder_hidden)


def test_ablation_applies_to_bolt_forward_and_embed():
    m = chronolens.load(BOLT)
    x = _ctx()
    q0 = m.forward(x).quantiles.copy()
    e0, _ = m.embed(x)
    with m.ablate("cross", 0, 1):
        assert np.abs(m.forward(x).quantiles - q0).max() > 0
    with m.ablate("enc", 0, 1):
        assert np.abs(m.embed(x)[0] - e0).max() > 0
    np.testing.assert_array_equal(m.forward(x).quantiles, q0)  # restored on exit


def test_bolt_forward_refuses_tokens():
    m = chronolens.load(BOLT)
    with pytest.raises(chronolens.Error, match="Chronos-Bolt model reads a context of values"):
        m.forward(token_ids=np.ones((1, 4)))
    with pytest.raises(chronolens.Error, match="Chronos-Bolt model reads a context of values"):
        m.forward(np.ones(20), decoder_ids=[0])


def test_induction_equals_cli(tmp_path):
    # repeated random patches: the same study as `chronolens induction` on a Bolt model
    m = chronolens.load(BOLT)
    cli("induction", "--model", BOLT, "--out", tmp_path, "--batch", 8, "--seed", 5, "--seeds", 2)
    r = chronolens.induction(m, batch=8, seed=5, seeds=2)
    assert r.copying is None and r.token_range is None
    rows = read_csv(tmp_path / "induction.csv")
    assert len(rows) == (r.layers + r.enc_layers) * r.heads
    for row in rows:
        l, h = int(row["layer"]), int(row["head"])
        pairs = ([("current", r.current), ("right", r.right), ("ablation_dlogp", r.ablation)]
                 if row["stack"] == "cross" else [("current", r.enc_current), ("right", r.enc_right)])
        for prefix, st in pairs:
            want, got = _stat_cells(row, prefix, st, l, h)
            assert got == want, (row["stack"], l, h, prefix)
    with pytest.raises(chronolens.Error, match="repeated random patches, not tokens"):
        chronolens.induction(m, batch=2, token_range=(3, 9))


def test_sweep_equals_cli(tmp_path):
    m = chronolens.load(BOLT)
    cli("sweep", "--model", BOLT, "--out", tmp_path, "--reps-list", "2,3", "--len-list", "2,4", "--batch", 4,
        "--seed", 1)
    r = chronolens.sweep(m, reps=[2, 3], lens=[2, 4], batch=4, seed=1)
    rows = read_csv(tmp_path / "sweep.csv")
    assert len(rows) == 4
    for row in rows:
        i, j = [2, 3].index(int(row["reps"])), [2, 4].index(int(row["seq_len"]))
        for stack in ("cross", "encoder"):
            for k, c in enumerate(CRIT):
                want = [row["%s_%s_%s" % (stack, c, w)] for w in ("n", "mean", "std")]
                a = (r.cross if stack == "cross" else r.encoder)[i, j, k]
                assert ["%d" % a[0], g9(a[1]), g9(a[2])] == want, (row, stack, c)


def test_multisine_equals_cli(tmp_path):
    m = chronolens.load(BOLT)
    cli("multisine", "--model", BOLT, "--out", tmp_path, "--noise", 0.1, "--seed", 7, "--permutations", 200)
    r = chronolens.multisine(m, noise=0.1, seed=7, permutations=200)
    sp = read_safetensors(tmp_path / "bolt-rand-spectra.safetensors")
    P = r.points // m.config.patch_stride  # one attention sample per patch
    assert r.points == m.config.context_length and r.attention.shape == (3, 4, P)
    for k in ("series", "series_spectrum", "frequency_hz", "quefrency_s", "attention", "spectrum", "double_fft",
              "double_fft_nodc"):
        np.testing.assert_array_equal(getattr(r, k), sp[k], err_msg=k)
    np.testing.assert_array_equal(r.heads["induction_score"], sp["induction_score"])
    cols = ("amplitude", "peak", "strength", "spacing_hz", "quefrency_s", "error_hz", "induction_score")
    for row in read_csv(tmp_path / "multisine.csv"):
        l, h = int(row["layer"]), int(row["head"])
        assert int(row["periodic"]) == int(r.heads["periodic"][l, h])
        for c in cols:
            assert row[c] == g9(r.heads[c][l, h]), (l, h, c)


def test_multisine_sweep_equals_cli(tmp_path):
    m = chronolens.load(BOLT)
    cli("multisine-sweep", "--model", BOLT, "--out", tmp_path, "--configs", 4, "--seed", 3, "--permutations", 100,
        "--batch", 4)
    r = chronolens.multisine_sweep(m, configs=4, seed=3, permutations=100, batch=4)
    rows = read_csv(tmp_path / "sweep.csv")
    assert len(rows) == 4 * m.config.num_decoder_layers * m.config.num_heads
    for row in rows:
        c, l, h = int(row["config"]), int(row["layer"]), int(row["head"])
        assert row["freqs_hz"] == ";".join("%g" % f for f in r.configs[c]["freqs_hz"])
        for k in ("amplitude", "peak", "strength", "spacing_hz", "error_hz"):
            assert row[k] == g9(r.heads[k][c, l, h]), (c, l, h, k)
        assert int(row["match"]) == int(r.heads["match"][c, l, h])
        assert row["induction_score"] == g9(r.induction_score[l, h])
    j = json.load(open(tmp_path / "sweep.json"))
    assert json_eq(j["settings"]["match_tolerance_hz"], r.match_tolerance_hz)  # 1 / the duration as run
    for want, got in zip(j["summary"], r.summary):
        for k in ("configs", "pairs", "periodic", "match", "match_gcd", "fraction_match"):
            assert json_eq(want[k], got[k]), k
