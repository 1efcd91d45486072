"""Results as tables (issue 26 item 9): every result's table has the columns of the CSV the
command writes for the same study, in the same order, with the same values; to_pandas gives
that table as a DataFrame; _repr_html_ and __repr__ need no pandas."""
import numpy as np
import pytest

import chronolens
from conftest import NANO, cli, read_csv


def _text(v, fmt="%.9g"):
    """A value of a table as the command's CSV prints it."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "%d" % v
    if isinstance(v, (int, np.integer)):
        return "%d" % v
    if isinstance(v, (float, np.floating)):
        return fmt % v if np.isfinite(v) else ""
    if isinstance(v, tuple):
        return ";".join(_text(x, fmt) for x in v)
    return str(v)


def same_as_csv(result, path, fmts=None, fix=None):
    """result's table equals the CSV at path: header, row count and every cell as printed
    (fix: {column: f(cell)} applied to the file's cells first)."""
    rows = read_csv(path)
    for row in rows:
        for c, f in (fix or {}).items():
            row[c] = f(row[c])
    cols = result.table_columns()
    with open(path) as f:
        header = f.readline().strip().split(",")
    assert list(cols) == header
    n = len(rows)
    assert all(len(v) == n for v in cols.values()), {k: len(v) for k, v in cols.items()}
    fmts = fmts or {}
    for i, row in enumerate(rows):
        for c in header:
            assert _text(cols[c][i], fmts.get(c, "%.9g")) == row[c], (i, c, cols[c][i], row[c])
    return rows


def check_pandas(result):
    """to_pandas against the table (None without pandas: the CSV checks above still ran)."""
    try:
        import pandas as pd
    except ImportError:
        return None
    df = result.to_pandas()
    cols = result.table_columns()
    assert isinstance(df, pd.DataFrame) and list(df.columns) == list(cols) and len(df) == len(next(iter(cols.values())))
    for c, v in cols.items():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            np.testing.assert_array_equal(df[c].to_numpy(), v, err_msg=c)
    return df


def check_reprs(result):
    h = result._repr_html_()
    assert h.startswith("<div>") and "<table>" in h and "</table>" in h
    for c in result.table_columns():
        assert "<th>%s</th>" % c in h
    r = repr(result)
    assert type(result).__name__ in r and "to_pandas()" in r


def test_induction_table(nano, tmp_path):
    cli("induction", "--model", NANO, "--out", tmp_path, "--batch", 20, "--seed", 4, "--seeds", 2)
    r = chronolens.induction(nano, batch=20, seed=4, seeds=2)
    rows = same_as_csv(r, tmp_path / "induction.csv")
    assert rows[0]["model"] == r.model == "chronos-nano"
    df = check_pandas(r)
    if df is not None:  # a notebook's question: the cross head of highest score at the current token
        top = df[df["stack"] == "cross"].sort_values("current_mean", ascending=False, kind="stable").iloc[0]
        best = np.unravel_index(np.argmax(r.current.mean), r.current.mean.shape)
        assert (int(top["layer"]), int(top["head"])) == best
    check_reprs(r)
    # without strict: the ablation, copying and strict columns are empty, as in the file
    cli("induction", "--model", NANO, "--out", tmp_path / "ns", "--batch", 20, "--seed", 4, "--no-strict")
    same_as_csv(chronolens.induction(nano, batch=20, seed=4, strict=False), tmp_path / "ns" / "induction.csv")


def test_sweep_table(nano, tmp_path):
    cli("sweep", "--model", NANO, "--out", tmp_path, "--reps-list", "2,3", "--len-list", "3,5", "--batch", 20,
        "--seed", 1)
    r = chronolens.sweep(nano, reps=[2, 3], lens=[3, 5], batch=20, seed=1)
    same_as_csv(r, tmp_path / "sweep.csv")
    check_pandas(r)
    check_reprs(r)


def test_multisine_table(nano, tmp_path):
    cli("multisine", "--model", NANO, "--out", tmp_path, "--noise", 0.1, "--seed", 7, "--permutations", 200)
    r = chronolens.multisine(nano, noise=0.1, seed=7, permutations=200)
    same_as_csv(r, tmp_path / "multisine.csv")
    check_pandas(r)
    check_reprs(r)


def test_multisine_sweep_table(nano, tmp_path):
    cli("multisine-sweep", "--model", NANO, "--out", tmp_path, "--configs", 4, "--seed", 3, "--permutations", 50,
        "--batch", 4)
    r = chronolens.multisine_sweep(nano, configs=4, seed=3, permutations=50, batch=4)
    # the file prints the config's numbers with %g
    g = {k: "%g" for k in ("freqs_hz", "smallest_gap_hz", "gap_gcd_hz", "freq_gcd_hz")}
    same_as_csv(r, tmp_path / "sweep.csv", g)
    check_pandas(r)
    check_reprs(r)
    if check_pandas(r) is not None:
        s = r.summary_pandas()
        assert list(s["subset"]) == [d["subset"] for d in r.summary]


def test_to_pandas_without_pandas(nano, monkeypatch):
    # pandas is imported by to_pandas only: without it, an ImportError saying what to install
    import builtins
    real = builtins.__import__

    def no_pandas(name, *a, **k):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *a, **k)
    r = chronolens.sweep(nano, reps=[2], lens=[3], batch=4)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="python3-pandas"):
        r.to_pandas()
    assert "<table>" in r._repr_html_()


def test_forecast_table(nano, tmp_path):
    x = np.stack([np.sin(np.arange(60) / 3), np.cos(np.arange(60) / 5) * 4])
    ctx = tmp_path / "ctx.csv"
    # series named s0 and s1: the file's series column holds the names, the table the row index
    ctx.write_text("s0,s1\n" + "".join("%r,%r\n" % (a, b) for a, b in x.T))
    cli("forecast", "--model", NANO, "--context", ctx, "--out", tmp_path / "f.csv", "--samples", 8, "--horizon", 5,
        "--seed", 2)
    r = chronolens.forecast(nano, x, horizon=5, samples=8, seed=2)
    same_as_csv(r, tmp_path / "f.csv", fix={"series": lambda v: v[1:]})
    df = check_pandas(r)
    if df is not None:
        assert list(df.columns[:3]) == ["series", "step", "mean"] and df.step.min() == 1
    check_reprs(r)


def test_claims_table(tmp_path):
    # a scores table of the bundled model (induction writes one), then its claims both ways
    cli("induction", "--model", NANO, "--out", tmp_path / "ind", "--batch", 10, "--no-strict")
    scores = tmp_path / "ind" / "scores.csv"
    cli("claims", "--scores", scores, "--out", tmp_path)
    r = chronolens.claims(scores)
    assert isinstance(r, list) and isinstance(r[0], chronolens.Claim)
    rows = read_csv(tmp_path / "claims.csv")
    cols = r.table_columns()
    for c in rows[0]:  # the file has family only when a model is Chronos-Bolt
        assert [_text(v) for v in cols[c]] == [row[c] for row in rows], c
    check_reprs(r)


def test_forward_table(nano):
    ids, mask, dec = chronolens.rrt_batch(nano, batch=3)
    r = nano.forward(token_ids=ids, decoder_ids=dec, capture={"cross": {"layers": [1], "heads": [0, 2]},
                                                             "enc": True})
    cols = r.table_columns()
    n = sum(a.size for a in r.attn.values())
    assert all(len(v) == n for v in cols.values())
    # a row names the weight by model indices: cross layer 1 head 2, series 1, query 1, key 4
    sel = (cols["stack"] == "cross") & (cols["layer"] == 1) & (cols["head"] == 2) & (cols["series"] == 1) & \
          (cols["query"] == 1) & (cols["key"] == 4)
    assert sel.sum() == 1 and cols["weight"][sel][0] == r.attention("cross", 1, 2)[1, 1, 4]
    check_reprs(r)
    assert "%d rows" % n in repr(r)


def test_bolt_tables(tmp_path):
    # Chronos-Bolt: repeated random patches (no copying score: empty cells, NaN here)
    from conftest import FIXTURES
    bolt = FIXTURES / "bolt-rand"
    m = chronolens.load(bolt)
    cli("induction", "--model", bolt, "--out", tmp_path / "i", "--batch", 6, "--seed", 2)
    r = chronolens.induction(m, batch=6, seed=2)
    same_as_csv(r, tmp_path / "i" / "induction.csv")
    assert np.isnan(r.table_columns()["copying_mean"]).all()
    cli("multisine", "--model", bolt, "--out", tmp_path / "m", "--permutations", 50)
    same_as_csv(chronolens.multisine(m, permutations=50), tmp_path / "m" / "multisine.csv")
