"""chronolens.pipeline on a Chronos-2 checkpoint (Chronos2Pipeline): predict, predict_quantiles
and predict_df with upstream's argument names, against chronos2ref.py's goldens
(tests/fixtures/chronos2-rand: the long-horizon tasks, the covariate tasks as raw dicts) and
against the command's numbers for the long format."""
import json

import numpy as np
import pytest

import chronolens
from conftest import FIXTURES, cli, read_safetensors

C2 = FIXTURES / "chronos2-rand"
TOL = 1e-4


@pytest.fixture(scope="module")
def pipe():
    return chronolens.pipeline(str(C2))


@pytest.fixture(scope="module")
def golden():
    return read_safetensors(C2 / "golden.safetensors"), json.load(open(C2 / "inputs.json"))


def test_pipeline_class(pipe):
    assert isinstance(pipe, chronolens.Chronos2Pipeline)
    assert pipe.model.config.family == "chronos2"
    assert len(pipe.quantiles) == 21 and pipe.max_output_patches == 4


def test_predict_tasks(pipe, golden):
    g, inp = golden
    ctx = g["context"]
    tasks = [ctx[rows] for rows in inp["batch"]["tasks_rows"]]  # (n_variates, L) each
    h = inp["long"]["prediction_length"]
    out = pipe.predict(tasks, prediction_length=h)
    assert [o.shape for o in out] == [(1, 21, h), (1, 21, h), (2, 21, h)]
    assert np.abs(np.concatenate(out) - g["predict_long"]).max() <= TOL
    q, mean = pipe.predict_quantiles(tasks, prediction_length=h, quantile_levels=inp["long"]["quantile_levels"])
    assert np.abs(np.concatenate(q) - g["quantiles_long"]).max() <= TOL
    assert np.abs(np.concatenate(mean) - g["mean_long"]).max() <= TOL
    with pytest.raises(ValueError):
        pipe.predict(tasks, prediction_length=h, limit_prediction_length=True)


def test_predict_covariate_dicts(pipe, golden):
    g, inp = golden
    cov = inp["covariates"]

    def arr(v):
        return np.array([np.nan if x is None else x for x in v], dtype=np.float64)

    tasks = [{"target": arr(t["target"][0]),
              "past_covariates": {k: arr(v) for k, v in t["past_covariates"].items()},
              "future_covariates": {k: arr(v) for k, v in t["future_covariates"].items()}} for t in cov["raw_tasks"]]
    out = pipe.predict(tasks, prediction_length=cov["prediction_length"])
    want = g["cov.predict_long"][[r[0] for r in cov["target_rows"]]]
    assert np.abs(np.concatenate(out) - want).max() <= TOL
    with pytest.raises(chronolens.Error, match="unrolled quantile 0.33"):
        pipe.predict(tasks, prediction_length=100, unrolled_quantiles=[0.33])


def test_predict_df(pipe, golden, tmp_path):
    pd = pytest.importorskip("pandas")
    g, inp = golden
    df = pd.read_csv(C2 / "df.csv")
    fut = pd.read_csv(C2 / "future_df.csv")
    levels = [0.1, 0.5, 0.9]
    out = pipe.predict_df(df, future_df=fut, prediction_length=100, quantile_levels=levels)
    assert list(out.columns) == ["item_id", "timestamp", "target_name", "predictions", "0.1", "0.5", "0.9"]
    assert len(out) == 200 and set(out["item_id"]) == {"A", "B"}
    assert str(out["timestamp"].iloc[0])[:10] == "2025-12-01"  # the first future day of item A
    # the command's numbers for the same files
    f = tmp_path / "f.csv"
    cli("forecast", "--model", str(C2), "--df", str(C2 / "df.csv"), "--future-df", str(C2 / "future_df.csv"),
        "--horizon", "100", "--quantiles", "0.1,0.5,0.9", "--out", str(f))
    c = pd.read_csv(f)
    assert np.abs(out["predictions"].to_numpy() - c["mean"].to_numpy()).max() <= 1e-5
    assert np.abs(out["0.9"].to_numpy() - c["q0.9"].to_numpy()).max() <= 1e-5
    q = g["cov.predict_long"][[0, 3]][:, 18].reshape(-1)  # level 0.9 of the target rows
    assert np.abs(out["0.9"].to_numpy() - q).max() <= TOL


def test_predict_df_categorical(pipe, tmp_path):
    """Categorical covariates (text, bool, unseen future labels: tests/fixtures/chronos2-cat)
    through predict_df: the command's numbers for the same files."""
    pd = pytest.importorskip("pandas")
    cat = FIXTURES / "chronos2-cat"
    df, fut = pd.read_csv(cat / "df.csv"), pd.read_csv(cat / "future_df.csv")
    out = pipe.predict_df(df, future_df=fut, prediction_length=6, quantile_levels=[0.1, 0.9])
    assert len(out) == 4 * 6
    f = tmp_path / "f.csv"
    cli("forecast", "--model", str(C2), "--df", str(cat / "df.csv"), "--future-df", str(cat / "future_df.csv"),
        "--horizon", "6", "--quantiles", "0.1,0.9", "--out", str(f))
    c = pd.read_csv(f)
    assert np.abs(out["predictions"].to_numpy() - c["mean"].to_numpy()).max() <= 1e-5
    assert np.abs(out["0.9"].to_numpy() - c["q0.9"].to_numpy()).max() <= 1e-5


def test_embed_series_groups(pipe):
    """embed_series's group_ids / cross_learning (chronolens embed --group-ids / --cross-learning)
    against the oracle's encode under groups 0,1,2,2 and under one group (embed.safetensors)."""
    import csv
    g = read_safetensors(C2 / "embed.safetensors")
    rows = list(csv.reader(open(C2 / "context.csv")))[1:]
    x = np.array([[float(v) if v else np.nan for v in r] for r in rows], dtype=np.float32).T.copy()
    emb, scale = chronolens.studies.embed_series(pipe.model, x, group_ids=[0, 1, 2, 2])
    assert np.abs(emb - g["encoder_hidden_groups"]).max() <= TOL
    emb, _ = chronolens.studies.embed_series(pipe.model, x, cross_learning=True)
    assert np.abs(emb - g["encoder_hidden_cross"]).max() <= TOL
    emb, _ = chronolens.studies.embed_series(pipe.model, x)
    assert np.abs(emb - g["encoder_hidden"]).max() <= TOL
    with pytest.raises(ValueError):
        chronolens.studies.embed_series(pipe.model, x, group_ids=[0, 1])
