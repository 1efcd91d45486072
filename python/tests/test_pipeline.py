"""chronolens.pipeline: chronos-forecasting's ChronosPipeline / ChronosBoltPipeline API (argument
names, shapes, rules), with the numbers of `chronolens forecast` / `chronolens embed`."""
import os
import shutil

import numpy as np
import pytest

import chronolens
from conftest import FIXTURES, NANO, cli, g9, read_csv

BOLT = FIXTURES / "bolt-rand"
LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def _series():
    # unequal lengths: the list is left-padded with NaN, as left_pad_and_stack_1D
    t = np.arange(70)
    return [np.sin(t / 3) * 5 + 10, np.random.default_rng(4).normal(size=41), np.cos(t[:55] / 5)]


def _padded(series):
    L = max(len(s) for s in series)
    x = np.full((len(series), L), np.nan, np.float32)
    for i, s in enumerate(series):
        x[i, L - len(s):] = s
    return x


def _context_csv(path, ctx):
    with open(path, "w") as f:
        f.write(",".join("s%d" % b for b in range(ctx.shape[0])) + "\n")
        for t in range(ctx.shape[1]):
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in ctx[:, t]) + "\n")


def _check_csv(rows, q, mean, levels):
    assert len(rows) == q.shape[0] * q.shape[1]
    for row in rows:
        b, k = int(row["series"][1:]), int(row["step"]) - 1
        assert row["mean"] == g9(mean[b, k])
        for i, lv in enumerate(levels):
            assert row["q%g" % lv] == g9(q[b, k, i])


def test_t5_predict_equals_cli(tmp_path):
    p = chronolens.pipeline(NANO)
    assert isinstance(p, chronolens.ChronosPipeline) and p.forecast_type == "samples"
    s = _series()
    _context_csv(tmp_path / "ctx.csv", _padded(s))
    cli("forecast", "--model", NANO, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "fc.csv", "--horizon", 12,
        "--samples", 5, "--seed", 3, "--samples-out", tmp_path / "s.npy")
    got = p.predict(s, prediction_length=12, num_samples=5, seed=3)
    assert got.shape == (3, 5, 12) and got.dtype == np.float32  # (B, num_samples, H)
    np.testing.assert_array_equal(got, np.load(tmp_path / "s.npy"))
    np.testing.assert_array_equal(got, p.predict(_padded(s), prediction_length=12, num_samples=5, seed=3))
    q, mean = p.predict_quantiles(s, prediction_length=12, num_samples=5, seed=3)
    assert q.shape == (3, 12, 9) and mean.shape == (3, 12)  # (B, H, Q), (B, H)
    _check_csv(read_csv(tmp_path / "fc.csv"), q, mean, LEVELS)
    # as upstream: the mean and torch.quantile's linear interpolation over the samples
    want = np.moveaxis(np.quantile(got.astype(np.float64), LEVELS, axis=1), 0, -1)
    np.testing.assert_allclose(q, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(mean, got.mean(axis=1), rtol=1e-6, atol=1e-6)
    # the model's defaults: prediction_length and num_samples of its chronos_config
    c = p.model.config
    assert p.predict(s[0]).shape == (1, c.num_samples, c.prediction_length)


def test_t5_embed_equals_cli(tmp_path):
    p = chronolens.pipeline(NANO)
    s = _series()
    _context_csv(tmp_path / "ctx.csv", _padded(s))
    cli("embed", "--model", NANO, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "e.npy", "--scales-out",
        tmp_path / "sc.npy")
    e, scale = p.embed(s)
    np.testing.assert_array_equal(e, np.load(tmp_path / "e.npy"))
    np.testing.assert_array_equal(scale, np.load(tmp_path / "sc.npy"))
    assert e.shape == (3, 71, p.model.config.d_model)  # the longest series + EOS


def test_bolt_predict_and_embed_equal_cli(tmp_path):
    p = chronolens.pipeline(BOLT)
    assert isinstance(p, chronolens.ChronosBoltPipeline) and p.forecast_type == "quantiles"
    assert p.quantiles == LEVELS and p.model.config.family == "bolt" and p.model.config.patch_size == 16
    s = _series()
    _context_csv(tmp_path / "ctx.csv", _padded(s))
    cli("forecast", "--model", BOLT, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "fc.csv", "--horizon", 10,
        "--samples-out", tmp_path / "s.npy")
    got = p.predict(s, prediction_length=10)
    assert got.shape == (3, 9, 10)  # (B, Q, H)
    np.testing.assert_array_equal(got, np.load(tmp_path / "s.npy"))
    q, mean = p.predict_quantiles(s, prediction_length=10)
    _check_csv(read_csv(tmp_path / "fc.csv"), q, mean, LEVELS)
    # the model's own levels are its outputs; the mean is the median
    np.testing.assert_array_equal(q, np.swapaxes(got, 1, 2))
    np.testing.assert_array_equal(mean, got[:, 4])
    q2, _ = p.predict_quantiles(s, prediction_length=10, quantile_levels=[0.5, 0.9])
    np.testing.assert_array_equal(q2, np.swapaxes(got[:, [4, 8]], 1, 2))
    with pytest.warns(UserWarning, match="not within the range"):
        p.predict_quantiles(s, prediction_length=10, quantile_levels=[0.05, 0.5])
    with pytest.raises(TypeError):
        p.predict(s, num_samples=3)  # upstream's Bolt predict has no sampling arguments
    # chronolens.forecast runs Bolt too, and refuses sampling settings as the command does
    f = chronolens.forecast(p.model, s[1], horizon=10)
    np.testing.assert_array_equal(f.samples, p.predict(s[1], prediction_length=10))
    with pytest.raises(chronolens.Error, match="--seed means nothing for a Chronos-Bolt model"):
        chronolens.forecast(p.model, s[1], horizon=10, seed=1)
    cli("embed", "--model", BOLT, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "e.npy", "--scales-out",
        tmp_path / "sc.npy")
    e, (loc, scale) = p.embed(s)
    np.testing.assert_array_equal(e, np.load(tmp_path / "e.npy"))
    np.testing.assert_array_equal(np.stack([loc, scale], axis=1), np.load(tmp_path / "sc.npy"))


def test_prediction_length_rules():
    p = chronolens.pipeline(NANO)
    H = p.model_prediction_length
    with pytest.raises(ValueError, match="limit_prediction_length"):
        p.predict(np.ones(30), prediction_length=H + 1, num_samples=2, limit_prediction_length=True)
    with pytest.warns(UserWarning, match="We recommend keeping prediction length"):
        assert p.predict(np.ones(30), prediction_length=H + 1, num_samples=2).shape == (1, 2, H + 1)


def test_bad_contexts():
    p = chronolens.pipeline(NANO)
    with pytest.raises(chronolens.Error, match="series 1 has shape"):
        p.predict([np.ones(5), np.ones((2, 2))])
    with pytest.raises(chronolens.Error, match="context has shape"):
        p.predict(np.ones((1, 2, 3)))
    with pytest.raises(chronolens.Error, match="series 1: value 4 is not finite"):
        p.predict([np.ones(5), np.array([1.0, np.inf])])


def test_hub_id_from_local_cache(tmp_path, monkeypatch):
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert chronolens.hf_hub_cache() == tmp_path / "xdg" / "huggingface" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    where = tmp_path / "hf" / "hub" / "models--amazon--chronos-t5-small" / "snapshots"
    with pytest.raises(chronolens.Error, match=str(where)):
        chronolens.pipeline("amazon/chronos-t5-small")
    snap = where / "0123abc"
    shutil.copytree(NANO, snap, ignore=shutil.ignore_patterns("*.svg", "*.png", "*.csv", "*.md"))
    (where.parent / "refs").mkdir()
    (where.parent / "refs" / "main").write_text("0123abc")
    assert chronolens.resolve_model("amazon/chronos-t5-small") == str(snap)
    assert chronolens.pipeline("amazon/chronos-t5-small").model.path == str(snap)
    # $HF_HUB_CACHE first
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "other"))
    with pytest.raises(chronolens.Error, match=str(tmp_path / "other")):
        chronolens.resolve_model("amazon/chronos-t5-small")
    # a folder is a folder, whatever its name looks like
    monkeypatch.chdir(tmp_path / "hf" / "hub" / "models--amazon--chronos-t5-small")
    assert chronolens.resolve_model("snapshots/0123abc") == "snapshots/0123abc"


def test_torch_in_torch_out():
    torch = pytest.importorskip("torch")
    p = chronolens.pipeline(NANO)
    x = torch.tensor(np.sin(np.arange(40) / 3), dtype=torch.float32)
    s = p.predict(x, prediction_length=4, num_samples=2)
    assert isinstance(s, torch.Tensor) and tuple(s.shape) == (1, 2, 4)
    np.testing.assert_array_equal(s.numpy(), p.predict(x.numpy(), prediction_length=4, num_samples=2))


def test_lists_everywhere():
    # every function that takes a context takes a list of unequal-length series, padded the same
    nano = chronolens.load(NANO)
    s = _series()
    np.testing.assert_array_equal(chronolens.embed(nano, s)[0], chronolens.embed(nano, _padded(s))[0])
    np.testing.assert_array_equal(chronolens.forecast(nano, s, horizon=3, samples=2).samples,
                                  chronolens.forecast(nano, _padded(s), horizon=3, samples=2).samples)
    with pytest.raises(chronolens.Error, match="series 0 has shape"):
        chronolens.tokenize(nano, [np.ones((2, 2)), np.ones(3)])


# ---- issue 26 item 7: the gaps a user of chronos-forecasting would hit

def test_context_by_either_name():
    # upstream's README calls predict(context=...); later releases name it inputs
    p = chronolens.pipeline(NANO)
    x = np.sin(np.arange(40) / 3)
    want = p.predict(x, 4, num_samples=2)
    np.testing.assert_array_equal(p.predict(context=x, prediction_length=4, num_samples=2), want)
    np.testing.assert_array_equal(p.predict(inputs=x, prediction_length=4, num_samples=2), want)
    q, m = p.predict_quantiles(context=x, prediction_length=4, quantile_levels=[0.5], num_samples=2)
    assert q.shape == (1, 4, 1) and m.shape == (1, 4)
    np.testing.assert_array_equal(p.embed(context=x)[0], p.embed(inputs=x)[0])
    with pytest.raises(TypeError, match="not both"):
        p.predict(x, context=x)
    with pytest.raises(TypeError, match="missing the context"):
        p.predict(prediction_length=4)
    b = chronolens.pipeline(BOLT)
    np.testing.assert_array_equal(b.predict(context=x, prediction_length=3), b.predict(x, 3))


def test_2d_with_nan_is_the_list():
    # a 2-D batch left-padded with NaN and the list of unequal series are one input
    s = _series()
    for path in (NANO, BOLT):
        p = chronolens.pipeline(path)
        kw = {"num_samples": 3} if p.forecast_type == "samples" else {}
        np.testing.assert_array_equal(p.predict(_padded(s), 5, **kw), p.predict(s, 5, **kw))
        qa, ma = p.predict_quantiles(_padded(s), 5, quantile_levels=[0.1, 0.5], **kw)
        qb, mb = p.predict_quantiles(s, 5, quantile_levels=[0.1, 0.5], **kw)
        np.testing.assert_array_equal(qa, qb)
        np.testing.assert_array_equal(ma, mb)
        B = len(s)
        assert qa.shape == (B, 5, 2) and ma.shape == (B, 5)
        if p.forecast_type == "quantiles":
            assert p.predict(s, 5).shape == (B, len(p.quantiles), 5)  # Bolt: (B, Q, H)
        else:
            assert p.predict(s, 5, num_samples=3).shape == (B, 3, 5)  # T5: (B, num_samples, H)


def test_torch_everywhere():
    torch = pytest.importorskip("torch")
    s = _series()
    ts = [torch.tensor(x, dtype=torch.float32) for x in s]
    padded = torch.tensor(_padded(s))
    for path in (NANO, BOLT):
        p = chronolens.pipeline(path)
        kw = {"num_samples": 2} if p.forecast_type == "samples" else {}
        a, b = p.predict(ts, 3, **kw), p.predict(padded, 3, **kw)  # a list of 1-D tensors, a 2-D tensor
        assert isinstance(a, torch.Tensor) and a.dtype == torch.float32
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        np.testing.assert_array_equal(a.numpy(), p.predict(_padded(s), 3, **kw))
        q, m = p.predict_quantiles(padded, 3, quantile_levels=[0.5], **kw)
        assert isinstance(q, torch.Tensor) and isinstance(m, torch.Tensor) and tuple(q.shape) == (3, 3, 1)
        e, state = p.embed(ts)
        assert isinstance(e, torch.Tensor)
        np.testing.assert_array_equal(e.numpy(), p.embed(_padded(s))[0])


def test_hub_newest_snapshot(tmp_path, monkeypatch):
    # no refs/main (or one naming a snapshot that is not there): the newest snapshot
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    snaps = tmp_path / "hf" / "hub" / "models--amazon--chronos-bolt-tiny" / "snapshots"
    old, new = snaps / "aaa", snaps / "bbb"
    for d, t in ((new, 2_000_000_000), (old, 1_000_000_000)):
        shutil.copytree(BOLT, d)
        os.utime(d, (t, t))
    assert chronolens.resolve_model("amazon/chronos-bolt-tiny") == str(new)
    (snaps.parent / "refs").mkdir()
    (snaps.parent / "refs" / "main").write_text("gone\n")
    assert chronolens.resolve_model("amazon/chronos-bolt-tiny") == str(new)
    (snaps.parent / "refs" / "main").write_text("aaa\n")
    assert chronolens.resolve_model("amazon/chronos-bolt-tiny") == str(old)
    p = chronolens.pipeline("amazon/chronos-bolt-tiny")
    assert isinstance(p, chronolens.ChronosBoltPipeline) and p.model.path == str(old)
    # the files name it as the commands do: NAME of models--ORG--NAME, not the hash
    from chronolens.tables import model_name
    assert model_name(p.model) == "chronos-bolt-tiny"
    # $HF_HUB_CACHE before $HF_HOME; an id in neither: the error names where it looked
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "elsewhere"))
    with pytest.raises(chronolens.Error) as e:
        chronolens.pipeline("amazon/chronos-bolt-tiny")
    assert str(tmp_path / "elsewhere" / "models--amazon--chronos-bolt-tiny" / "snapshots") in str(e.value)
    assert "downloads nothing" in str(e.value)
