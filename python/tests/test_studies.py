"""The studies through Python equal the command line's files for the same model, options and
seed (the same library code: every printed digit, every spectrum bit)."""
import json

import numpy as np
import pytest

import chronolens
from conftest import NANO, cli, g9, read_csv, read_safetensors

CRIT = ("current", "right", "any")


def json_eq(want, got):
    """A JSON number of the library (cJSON: 15 digits when they give the double back within one
    ulp, else 17) against the double computed here; null = not finite."""
    if want is None:
        return not np.isfinite(got)
    return abs(want - got) <= np.spacing(max(abs(want), abs(got)))


def _stat_cells(row, prefix, st, l, h):
    return [row[prefix + "_mean"], row[prefix + "_std"], row[prefix + "_seed_std"]], \
           [g9(st.mean[l, h]), g9(st.std[l, h]), g9(st.seed_std[l, h])]


def test_induction_equals_cli(nano, tmp_path):
    cli("induction", "--model", NANO, "--out", tmp_path, "--batch", 30, "--seed", 5, "--seeds", 2)
    r = chronolens.induction(nano, batch=30, seed=5, seeds=2)
    rows = read_csv(tmp_path / "induction.csv")
    assert len(rows) == (r.layers + r.enc_layers) * r.heads
    for row in rows:
        l, h = int(row["layer"]), int(row["head"])
        if row["stack"] == "cross":
            pairs = [("current", r.current), ("right", r.right), ("ablation_dlogp", r.ablation),
                     ("copying", r.copying)]
            flags = [("above_current", r.above_current), ("above_right", r.above_right),
                     ("strict_current", r.strict_current), ("strict_right", r.strict_right)]
        else:
            pairs = [("current", r.enc_current), ("right", r.enc_right)]
            flags = [("above_current", r.enc_above_current), ("above_right", r.enc_above_right)]
        for prefix, st in pairs:
            want, got = _stat_cells(row, prefix, st, l, h)
            assert got == want, (row["stack"], l, h, prefix)
        for name, a in flags:
            assert int(row[name]) == int(a[l, h]), (row["stack"], l, h, name)
    j = json.load(open(tmp_path / "induction.json"))["models"][0]
    assert j["token_range"] == list(r.token_range) == list(chronolens.rrt_band(nano))
    for stack, key in (("cross", "cross"), ("encoder", "encoder"), ("strict", "strict")):
        for c in CRIT:
            cnt = r.counts[key][c]
            w = j["counts"][stack][c]
            assert cnt.n == w["n"] and json_eq(w["mean"], cnt.mean) and json_eq(w["std"], cnt.std)
    # without strict: the same scores, no ablation
    r2 = chronolens.induction(nano, batch=30, seed=5, seeds=2, strict=False)
    np.testing.assert_array_equal(r2.current.mean, r.current.mean)
    assert r2.ablation is None and "strict" not in r2.counts


def test_sweep_equals_cli(nano, tmp_path):
    cli("sweep", "--model", NANO, "--out", tmp_path, "--reps-list", "2,3", "--len-list", "3,5", "--batch", 20,
        "--seed", 1)
    r = chronolens.sweep(nano, reps=[2, 3], lens=[3, 5], batch=20, seed=1)
    rows = read_csv(tmp_path / "sweep.csv")
    assert len(rows) == 4
    for row in rows:
        i, j = [2, 3].index(int(row["reps"])), [3, 5].index(int(row["seq_len"]))
        for stack in ("cross", "encoder"):
            for k, c in enumerate(CRIT):
                want = [row["%s_%s_%s" % (stack, c, w)] for w in ("n", "mean", "std")]
                a = (r.cross if stack == "cross" else r.encoder)[i, j, k]
                assert ["%d" % a[0], g9(a[1]), g9(a[2])] == want, (row, stack, c)
    np.testing.assert_array_equal(r.count("cross", "any", "n"), r.cross[:, :, 2, 0])


def test_multisine_equals_cli(nano, tmp_path):
    cli("multisine", "--model", NANO, "--out", tmp_path, "--noise", 0.1, "--seed", 7, "--permutations", 200)
    r = chronolens.multisine(nano, noise=0.1, seed=7, permutations=200)
    sp = read_safetensors(tmp_path / "chronos-nano-spectra.safetensors")
    for k in ("series", "series_spectrum", "frequency_hz", "quefrency_s", "attention", "spectrum", "double_fft",
              "double_fft_nodc"):
        np.testing.assert_array_equal(getattr(r, k), sp[k], err_msg=k)
    np.testing.assert_array_equal(r.heads["amplitude"], sp["amplitude"])
    np.testing.assert_array_equal(r.heads["induction_score"], sp["induction_score"])
    rows = read_csv(tmp_path / "multisine.csv")
    cols = ("amplitude", "peak", "strength", "spacing_hz", "quefrency_s", "error_hz", "induction_score",
            "induction_current", "induction_right")
    for row in rows:
        l, h = int(row["layer"]), int(row["head"])
        assert int(row["periodic"]) == int(r.heads["periodic"][l, h])
        for c in cols:
            assert row[c] == g9(r.heads[c][l, h]), (l, h, c)
        assert row["smallest_gap_hz"] == g9(r.smallest_gap_hz)
    j = json.load(open(tmp_path / "multisine.json"))["models"][0]
    assert json_eq(j["spearman_amplitude_induction"]["rho"], r.rho)
    assert json_eq(j["spearman_amplitude_induction"]["p"], r.p)
    assert (j["periodic_heads"], j["heads_at_smallest_gap"]) == (r.periodic_heads, r.heads_at_smallest_gap)


def test_multisine_sweep_equals_cli(nano, tmp_path):
    cli("multisine-sweep", "--model", NANO, "--out", tmp_path, "--configs", 6, "--seed", 3, "--permutations", 100,
        "--batch", 4)
    r = chronolens.multisine_sweep(nano, configs=6, seed=3, permutations=100, batch=4)
    rows = read_csv(tmp_path / "sweep.csv")
    H = nano.config.num_heads
    assert len(rows) == 6 * nano.config.num_decoder_layers * H
    for row in rows:
        c, l, h = int(row["config"]), int(row["layer"]), int(row["head"])
        cfg = r.configs[c]
        assert row["freqs_hz"] == ";".join("%g" % f for f in cfg["freqs_hz"])
        assert row["smallest_gap_hz"] == "%g" % cfg["smallest_gap_hz"]
        assert int(row["non_divisor"]) == int(cfg["non_divisor"])
        for k in ("amplitude", "peak", "strength", "spacing_hz", "error_hz"):
            assert row[k] == g9(r.heads[k][c, l, h]), (c, l, h, k)
        assert int(row["match"]) == int(r.heads["match"][c, l, h])
        assert row["induction_score"] == g9(r.induction_score[l, h])
    j = json.load(open(tmp_path / "sweep.json"))
    keys = {"q05": "q05", "q25": "q25", "q50": "q50", "q75": "q75", "q95": "q95"}
    for want, got in zip(j["summary"], r.summary):
        assert want["subset"] == got["subset"]
        for k in ("configs", "pairs", "periodic", "match", "match_gcd", "fraction_match"):
            assert json_eq(want[k], got[k]), k
        for k in keys:
            assert json_eq(want["error_hz"][k], got[k]), k
        for k in ("spearman_rho", "spearman_p", "mean_abs_error_hz"):
            assert json_eq(want[k], got[k]), k
    for want, got in zip(j["configurations"], r.configs):
        for k in ("freqs_hz", "amps", "phases_rad"):
            assert len(want[k]) == len(got[k]) and all(json_eq(w, g) for w, g in zip(want[k], got[k])), k


def _context_csv(path, ctx):
    """The column-per-series CSV the commands read (empty cell = missing)."""
    with open(path, "w") as f:
        f.write(",".join("s%d" % b for b in range(ctx.shape[0])) + "\n")
        for t in range(ctx.shape[1]):
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in ctx[:, t]) + "\n")


def test_forecast_and_embed_equal_cli(nano, tmp_path):
    rng = np.random.default_rng(4)
    t = np.arange(60)
    ctx = np.stack([np.sin(t / 3) * 5 + 10, rng.normal(size=60), np.cos(t / 5)]).astype(np.float32)
    ctx[1, :9] = np.nan
    _context_csv(tmp_path / "ctx.csv", ctx)
    cli("forecast", "--model", NANO, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "fc.csv", "--horizon", 12,
        "--samples", 5, "--seed", 2, "--samples-out", tmp_path / "s.npy")
    f = chronolens.forecast(nano, ctx, horizon=12, samples=5, seed=2)
    np.testing.assert_array_equal(f.samples, np.load(tmp_path / "s.npy"))
    rows = read_csv(tmp_path / "fc.csv")
    assert len(rows) == 3 * 12
    for row in rows:
        b, k = int(row["series"][1:]), int(row["step"]) - 1
        assert row["mean"] == g9(f.mean[b, k])
        for i, lv in enumerate(f.levels):
            assert row["q%g" % lv] == g9(f.quantiles[b, k, i])
    cli("embed", "--model", NANO, "--context", tmp_path / "ctx.csv", "--out", tmp_path / "e.npy", "--scales-out",
        tmp_path / "sc.npy")
    e, sc = chronolens.embed(nano, ctx)
    np.testing.assert_array_equal(e, np.load(tmp_path / "e.npy"))
    np.testing.assert_array_equal(sc, np.load(tmp_path / "sc.npy"))
    cli("forecast", "--method", "parrot", "--context", tmp_path / "ctx.csv", "--out", tmp_path / "p.csv",
        "--horizon", 12)
    p, info = chronolens.parrot(ctx, 12)
    for row in read_csv(tmp_path / "p.csv"):
        assert row["mean"] == g9(p[int(row["series"][1:]), int(row["step"]) - 1])


def test_claims_equal_report(tmp_path):
    out = tmp_path / "report"
    cli("report", "--quick", "--out", out)
    d = out / "data"
    got = chronolens.claims(d / "scores.csv", multisine=d)
    want = json.load(open(d / "claims.json"))
    assert [(c.id, c.model) for c in got] == [(w["id"], w["model"]) for w in want]
    words = {True: "supported", False: "not supported", None: "undecided"}
    for c, w in zip(got, want):
        assert (c.claim, c.test, words[c.verdict], c.reason) == (w["claim"], w["test"], w["verdict"], w["reason"])
        assert list(c.numbers) == list(w["numbers"])
        for k, v in w["numbers"].items():
            assert json_eq(v, c.numbers[k]), (c.id, k)
    assert any(c.verdict is not None for c in got)
    # without the multisine results the multisine claims are undecided
    no_ms = {c.id: c for c in chronolens.claims(d / "scores.csv")}
    assert no_ms["period_is_gap"].verdict is None and no_ms["amplitude_is_induction"].verdict is None
