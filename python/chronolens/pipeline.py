"""The chronos-forecasting API: chronolens.pipeline(path_or_id) -> ChronosPipeline /
ChronosBoltPipeline lookalikes (predict, predict_quantiles, embed) with the upstream argument
names, shapes and rules, computed by the library's forecast and embed studies (the numbers of
`chronolens forecast` / `chronolens embed` for the same options and seed).

Contexts, as the pipelines take them: a 1-D series (L,), a 2-D batch (B, L) left-padded with
NaN, or a list of 1-D series of unequal lengths (left-padded with NaN here, as upstream's
left_pad_and_stack_1D does); numpy arrays, sequences or torch tensors. Torch in -> torch out
(float32 on the CPU); otherwise numpy.
"""
import os
import pathlib
import warnings

import numpy as np

from ._lib import Error
from ._values import values
from .model import Model, _series_list, left_pad

__all__ = ["pipeline", "resolve_model", "ChronosPipeline", "ChronosBoltPipeline", "Chronos2Pipeline", "hf_hub_cache"]

QUANTILE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


# ---- where a checkpoint is

def hf_hub_cache():
    """The Hugging Face hub cache as huggingface_hub finds it: $HF_HUB_CACHE (or its old name
    $HUGGINGFACE_HUB_CACHE), else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
    ~/.cache/huggingface/hub."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            return pathlib.Path(os.environ[var]).expanduser()
    if os.environ.get("HF_HOME"):
        return pathlib.Path(os.environ["HF_HOME"]).expanduser() / "hub"
    cache = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return pathlib.Path(cache).expanduser() / "huggingface" / "hub"


def _is_hub_id(s):
    parts = s.split("/")
    return len(parts) == 2 and all(parts) and not s.startswith((".", "~")) and "\\" not in s


def resolve_model(path_or_id):
    """A checkpoint folder for path_or_id: an existing folder as it is; a Hugging Face id
    ("amazon/chronos-t5-small") as its snapshot in the local hub cache (hf_hub_cache():
    models--ORG--NAME/snapshots/<the commit refs/main names, else the newest>). Nothing is
    downloaded: an id not in the cache is a chronolens.Error naming where it looked."""
    s = os.fspath(path_or_id)
    if os.path.isdir(s) or not _is_hub_id(s):
        return s  # a folder (a missing one: load's error names it)
    repo = hf_hub_cache() / ("models--" + s.replace("/", "--"))
    snaps = repo / "snapshots"
    ref = repo / "refs" / "main"
    if ref.is_file():
        d = snaps / ref.read_text().strip()
        if (d / "config.json").exists():
            return str(d)
    found = [d for d in snaps.iterdir() if (d / "config.json").exists()] if snaps.is_dir() else []
    if not found:
        raise Error("chronolens: %s: not a folder, and not in the Hugging Face cache (looked in %s; "
                    "set HF_HUB_CACHE or HF_HOME, or download it with huggingface-cli; chronolens downloads "
                    "nothing)" % (s, snaps), 1)
    return str(max(found, key=lambda d: d.stat().st_mtime))


# ---- contexts

def _torch_tensor(x):
    t = type(x)
    return t.__module__.split(".")[0] == "torch" and t.__name__ in ("Tensor", "Parameter")


def _series(x, what):
    return np.asarray(values(x), dtype=np.float64)  # the package's one reading of values


def _prepare(context):
    """context -> ((B, L) float64 with NaN for missing / left padding, torch given)."""
    torch_in = _torch_tensor(context) or (isinstance(context, (list, tuple)) and len(context) > 0
                                          and all(_torch_tensor(c) for c in context))
    if _series_list(context):
        x = left_pad(context)
    else:
        x = _series(context, "context")
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2:
            raise Error("chronolens: context has shape %s: a 1-D series, a 2-D batch (B, L) or a list of 1-D "
                        "series" % (x.shape,), 3)
    return x, torch_in


def _inputs(inputs, context):
    """The context of a call: upstream names it `context` (chronos-forecasting 1.x, its README:
    predict(context=...)) and `inputs` (later releases); either, positional or by name."""
    if inputs is None and context is None:
        raise TypeError("missing the context: predict(context) or predict(inputs=...)")
    if inputs is not None and context is not None:
        raise TypeError("give the context once: as inputs or as context, not both")
    return context if inputs is None else inputs


def _out(a, torch_in):
    if torch_in:
        import torch
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    return a


# ---- the pipelines

class _Pipeline:
    def __init__(self, model, interventions=None):
        self.model = model
        self.interventions = interventions  # run in every forecast and embedding (hooks.py)

    @property
    def model_context_length(self):
        """The context the model reads (longer contexts: the last values)."""
        return self.model.config.context_length

    @property
    def model_prediction_length(self):
        """The model's prediction_length (longer horizons run in rounds)."""
        return self.model.config.prediction_length

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.model)

    def _horizon(self, prediction_length, limit_prediction_length):
        H = self.model_prediction_length if prediction_length is None else prediction_length
        if H > self.model_prediction_length:
            msg = ("We recommend keeping prediction length <= %d. The quality of longer predictions may degrade "
                   "since the model is not optimized for it. " % self.model_prediction_length)
            if limit_prediction_length:
                raise ValueError(msg + "You can turn off this check by setting `limit_prediction_length=False`.")
            warnings.warn(msg, stacklevel=3)
        return H

    def embed(self, context=None, *, inputs=None):
        """Encoder embeddings, as the pipeline's embed: (embeddings (B, T, d_model), state).
        Chronos-T5: T = the tokens of the last context_length values + EOS, state = scale (B,);
        Chronos-Bolt: T = patches (+ [REG]), state = (loc (B,), scale (B,))."""
        from .studies import embed_series
        x, torch_in = _prepare(_inputs(inputs, context))
        if self.interventions or self.model._gates:  # the model's own state runs them (the same encoder)
            emb, scale = self.model.embed(x, interventions=self.interventions)
        else:
            emb, scale = embed_series(self.model, x)
        if scale.ndim == 2:
            return _out(emb, torch_in), (_out(scale[:, 0].copy(), torch_in), _out(scale[:, 1].copy(), torch_in))
        return _out(emb, torch_in), _out(scale, torch_in)


class ChronosPipeline(_Pipeline):
    """ChronosPipeline (Chronos-T5) of chronos-forecasting over a chronolens Model. Sampling is
    seeded (seed=, default 0: series b draws from stream (seed, b), as `chronolens forecast
    --seed`), so a call is reproducible; upstream draws from torch's global generator."""
    forecast_type = "samples"

    def predict(self, inputs=None, prediction_length=None, num_samples=None, temperature=None, top_k=None, top_p=None,
                limit_prediction_length=False, *, context=None, seed=0, batch=0, progress=None):
        """Sample forecasts (B, num_samples, prediction_length). Defaults: the model's
        chronos_config. A prediction_length above the model's warns (or, with
        limit_prediction_length, raises ValueError) and runs in rounds, each fed the previous
        round's median."""
        return self._forecast(_inputs(inputs, context), prediction_length, limit_prediction_length,
                              num_samples=num_samples,
                              temperature=temperature, top_k=top_k, top_p=top_p, seed=seed, batch=batch,
                              progress=progress)[0]

    def predict_quantiles(self, inputs=None, prediction_length=None, quantile_levels=list(QUANTILE_LEVELS),
                          *, context=None, **predict_kwargs):
        """(quantiles (B, prediction_length, len(quantile_levels)), mean (B, prediction_length))
        over the sample paths (linear interpolation, as torch.quantile)."""
        _, q, mean = self._forecast(_inputs(inputs, context), prediction_length,
                                    predict_kwargs.pop("limit_prediction_length", False),
                                    levels=quantile_levels, **predict_kwargs)
        return q, mean

    def _forecast(self, inputs, prediction_length, limit, levels=QUANTILE_LEVELS, num_samples=None,
                  temperature=None, top_k=None, top_p=None, seed=0, batch=0, progress=None):
        from .studies import forecast
        x, torch_in = _prepare(inputs)
        H = self._horizon(prediction_length, limit)
        f = forecast(self.model, x, horizon=H, samples=num_samples, temperature=temperature, top_k=top_k,
                     top_p=top_p, seed=seed, batch=batch, quantiles=levels, progress=progress,
                     interventions=self.interventions)
        return _out(f.samples, torch_in), _out(f.quantiles, torch_in), _out(f.mean, torch_in)


class ChronosBoltPipeline(_Pipeline):
    """ChronosBoltPipeline (Chronos-Bolt) of chronos-forecasting over a chronolens Model:
    quantile forecasts, nothing sampled."""
    forecast_type = "quantiles"

    @property
    def quantiles(self):
        """The model's quantile levels (chronos_config.quantiles), the rows of predict."""
        c = self.model.config
        return list(c.quantiles)

    def predict(self, inputs=None, prediction_length=None, limit_prediction_length=False, *, context=None, batch=0,
                progress=None):
        """Quantile forecasts (B, len(self.quantiles), prediction_length) at the model's levels;
        beyond the model's prediction_length in rounds, as upstream."""
        return self._forecast(_inputs(inputs, context), prediction_length, limit_prediction_length, batch=batch,
                              progress=progress)[0]

    def predict_quantiles(self, inputs=None, prediction_length=None, quantile_levels=list(QUANTILE_LEVELS),
                          *, context=None, **predict_kwargs):
        """(quantiles (B, prediction_length, len(quantile_levels)), mean (B, prediction_length)):
        the model's own levels where asked, others interpolated over them (upstream's rule,
        clamped at the outermost levels); mean = the median."""
        lv = [float(v) for v in quantile_levels]
        if min(lv) < min(self.quantiles) or max(lv) > max(self.quantiles):
            warnings.warn("Quantiles to be predicted (%s) are not within the range of quantiles that Chronos-Bolt "
                          "was trained on (%s)." % (lv, self.quantiles), stacklevel=2)
        _, q, mean = self._forecast(_inputs(inputs, context), prediction_length,
                                    predict_kwargs.pop("limit_prediction_length", False),
                                    levels=lv, **predict_kwargs)
        return q, mean

    def _forecast(self, inputs, prediction_length, limit, levels=QUANTILE_LEVELS, batch=0, progress=None):
        from .studies import forecast
        x, torch_in = _prepare(inputs)
        H = self._horizon(prediction_length, limit)
        f = forecast(self.model, x, horizon=H, batch=batch, quantiles=levels, progress=progress,
                     interventions=self.interventions)
        return _out(f.samples, torch_in), _out(f.quantiles, torch_in), _out(f.mean, torch_in)


class Chronos2Pipeline(_Pipeline):
    """Chronos2Pipeline of chronos-forecasting over a chronolens Model: tasks (a series, a
    multivariate target, or a dict with past and known future covariates), cross-learning,
    long horizons unrolled over quantile paths, the long format of predict_df; computed by the
    library's forecast study (`chronolens forecast` on a Chronos-2 model, the same numbers)."""
    forecast_type = "quantiles"

    @property
    def quantiles(self):
        """The model's quantile levels (chronos_config.quantiles)."""
        return list(self.model.config.quantiles)

    @property
    def max_output_patches(self):
        """Future tokens of one model pass (chronos_config.max_output_patches)."""
        return self.model._cfg.contents.max_output_patches

    @property
    def model_output_patch_size(self):
        """Steps per future token (chronos_config.output_patch_size)."""
        return self.model.config.patch_size

    def _tasks(self, inputs, H):
        """inputs -> (rows (R, L) float64 left-padded with NaN, group ids (R,), future (R, H) or
        None, targets (R,) bool, targets per task): Chronos2Dataset's row layout."""
        if _torch_tensor(inputs) or isinstance(inputs, np.ndarray):
            a = _series(inputs, "inputs")
            if a.ndim != 3:
                raise ValueError("inputs as an array must be 3-D (n_series, n_variates, history_length), got %s"
                                 % (a.shape,))
            inputs = list(a)
        rows, gids, fut, tg, per = [], [], [], [], []
        any_future = False
        for i, task in enumerate(inputs):
            if isinstance(task, dict):
                tgt = _series(task["target"], "target")
                tgt = tgt.reshape(-1, tgt.shape[-1])
                L = tgt.shape[-1]
                past = dict(task.get("past_covariates") or {})
                futd = dict(task.get("future_covariates") or {})
                if not set(futd) <= set(past):
                    raise ValueError("future_covariates keys must be a subset of past_covariates keys")
                order = [k for k in sorted(past) if k not in futd] + [k for k in sorted(past) if k in futd]
                r = [tgt] + [_series(past[k], k).reshape(1, L) for k in order]
                f = np.full((len(tgt) + len(order), H), np.nan)
                for j, k in enumerate(order):
                    v = futd.get(k)
                    if v is not None:
                        v = _series(v, k).reshape(-1)
                        if len(v) != H:
                            raise ValueError("future covariate %r has %d values; prediction_length is %d" % (k, len(v), H))
                        f[len(tgt) + j] = v
                        any_future = True
                r = np.concatenate(r, 0)
                nt = len(tgt)
            else:
                r = _series(task, "task")
                r = r.reshape(-1, r.shape[-1])
                f = np.full((len(r), H), np.nan)
                nt = len(r)
            rows.append(r)
            fut.append(f)
            gids += [i] * len(r)
            tg += [True] * nt + [False] * (len(r) - nt)
            per.append(nt)
        L = max(r.shape[1] for r in rows)
        x = np.concatenate([np.concatenate((np.full((len(r), L - r.shape[1]), np.nan), r), 1) for r in rows], 0)
        return x, np.array(gids), (np.concatenate(fut, 0) if any_future else None), np.array(tg), per

    def predict(self, inputs, prediction_length=None, batch_size=256, context_length=None, cross_learning=False,
                limit_prediction_length=False, unrolled_quantiles=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9), *,
                progress=None):
        """Quantile forecasts: a list with one (n_targets, len(self.quantiles), prediction_length)
        per task. inputs: a 3-D array (n_series, n_variates, L), or a list of tasks — 1-D or 2-D
        series, or dicts {target, past_covariates: {name: (L,)}, future_covariates: {name: (H,)
        or None}}. Tasks join a batch while it has fewer than batch_size rows; cross_learning puts
        a batch in one group; a horizon beyond max_output_patches x patch unrolls over
        unrolled_quantiles."""
        return self._run(inputs, prediction_length, batch_size, context_length, cross_learning, limit_prediction_length,
                         unrolled_quantiles, list(QUANTILE_LEVELS), progress)[0]

    def predict_quantiles(self, inputs, prediction_length=None, quantile_levels=list(QUANTILE_LEVELS), **predict_kwargs):
        """(a list of quantiles (n_targets, prediction_length, len(quantile_levels)), a list of
        means (n_targets, prediction_length)) per task: the model's levels where asked, others
        interpolated over them (and clamped); mean = the median."""
        kw = dict(batch_size=256, context_length=None, cross_learning=False, limit_prediction_length=False,
                  unrolled_quantiles=list(QUANTILE_LEVELS), progress=None)
        kw.update(predict_kwargs)
        _, q, mean = self._run(inputs, prediction_length, kw["batch_size"], kw["context_length"], kw["cross_learning"],
                               kw["limit_prediction_length"], kw["unrolled_quantiles"], quantile_levels, kw["progress"])
        return q, mean

    def _horizon2(self, prediction_length, limit):
        c = self.model.config
        H = c.prediction_length if prediction_length is None else int(prediction_length)
        if H > c.prediction_length and limit:
            raise ValueError("prediction_length %d is beyond the model's %d (max_output_patches x patch); "
                             "set limit_prediction_length=False to unroll" % (H, c.prediction_length))
        return H

    def _run(self, inputs, prediction_length, batch_size, context_length, cross_learning, limit, unrolled, levels,
             progress):
        from .studies import chronos2_forecast
        H = self._horizon2(prediction_length, limit)
        x, gids, fut, tg, per = self._tasks(inputs, H)
        if context_length is not None:
            x = x[:, -min(int(context_length), self.model_context_length):]
        torch_in = _torch_tensor(inputs) or any(_torch_tensor(t) for t in (inputs if isinstance(inputs, list) else []))
        f = chronos2_forecast(self.model, x, H, gids, cross_learning, fut, unrolled, batch_size, levels, tg,
                              progress=progress, interventions=self.interventions)
        out_p, out_q, out_m, i = [], [], [], 0
        for n in per:
            out_p.append(_out(f.samples[i:i + n], torch_in))
            out_q.append(_out(f.quantiles[i:i + n], torch_in))
            out_m.append(_out(f.mean[i:i + n], torch_in))
            i += n
        return out_p, out_q, out_m

    def predict_df(self, df, future_df=None, id_column="item_id", timestamp_column="timestamp", target="target",
                   prediction_length=None, quantile_levels=list(QUANTILE_LEVELS), batch_size=256, cross_learning=False,
                   unrolled_quantiles=list(QUANTILE_LEVELS), progress=None):
        """predict_df: a long DataFrame (a row per item and time step: id, timestamp, target(s),
        covariates — known in the future when future_df has them; non-numeric ones categorical,
        encoded as upstream's from_data_frame, docs/chronos2.md) -> a DataFrame with a
        row per item, target and future step: id_column, timestamp_column, target_name,
        predictions (the median) and one column per quantile level (its str). Read by the
        library (`chronolens forecast --df`): the same checks and numbers. pandas is imported
        here only."""
        import os
        import tempfile

        import pandas as pd
        from .studies import chronos2_forecast, read_long_csv
        H = self._horizon2(prediction_length, False) if future_df is None or prediction_length is not None \
            else int(future_df.groupby(id_column, sort=False).size().iloc[0])
        targets = [target] if isinstance(target, str) else list(target)
        with tempfile.TemporaryDirectory() as tmp:
            p, fp = os.path.join(tmp, "df.csv"), os.path.join(tmp, "future_df.csv")
            df.to_csv(p, index=False)
            if future_df is not None:
                future_df.to_csv(fp, index=False)
            d = read_long_csv(p, fp if future_df is not None else None, id_column, timestamp_column, targets, H)
        f = chronos2_forecast(self.model, d["context"], H, d["group_ids"], cross_learning, d["future_covariates"],
                              unrolled_quantiles, batch_size, quantile_levels, d["targets"], progress=progress,
                              interventions=self.interventions)
        names = [n for n, t in zip(d["names"], d["targets"]) if t]
        frames = []
        for r, name in enumerate(names):
            item = name if len(targets) == 1 else name.rsplit("/", 1)[0]
            tname = targets[0] if len(targets) == 1 else name.rsplit("/", 1)[1]
            hist = df[df[id_column].astype(str) == item][timestamp_column]
            frames.append(pd.DataFrame({id_column: item, timestamp_column: _future_stamps(hist, H),
                                        "target_name": tname, "predictions": f.mean[r],
                                        **{str(lv): f.quantiles[r, :, k] for k, lv in enumerate(quantile_levels)}}))
        return pd.concat(frames, ignore_index=True)


def _future_stamps(hist, H):
    """The H timestamps after an item's (regular) history: integers by their step, dates by
    pandas' inferred frequency (the last step where none is inferred)."""
    import pandas as pd
    v = hist.to_numpy()
    if np.issubdtype(v.dtype, np.integer):
        step = v[-1] - v[-2] if len(v) > 1 else 1
        return v[-1] + step * np.arange(1, H + 1)
    t = pd.to_datetime(hist)
    freq = pd.infer_freq(t) if len(t) > 2 else None
    if freq is None:
        step = t.iloc[-1] - t.iloc[-2] if len(t) > 1 else pd.Timedelta(days=1)
        return t.iloc[-1] + step * np.arange(1, H + 1)
    return pd.date_range(t.iloc[-1], periods=H + 1, freq=freq)[1:]


def pipeline(path_or_id=None, precision="fp32", interventions=None):
    """ChronosPipeline, ChronosBoltPipeline or Chronos2Pipeline (by the checkpoint's family) for a checkpoint
    folder, a Hugging Face id in the local cache (resolve_model), a loaded Model, or None (the
    bundled model). `.model` is the chronolens Model (forward, attention, studies).
    interventions (chronolens.zero_ablate(...), ...; docs/python.md "Hooks") run in every
    predict, predict_quantiles and embed, as Model.ablate's gates do."""
    m = path_or_id if isinstance(path_or_id, Model) else Model(
        None if path_or_id is None else resolve_model(path_or_id), precision)
    if m.config.family == "chronos2":
        return Chronos2Pipeline(m, interventions)
    cls = ChronosBoltPipeline if m.config.family == "bolt" else ChronosPipeline
    return cls(m, interventions)
