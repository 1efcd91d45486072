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

__all__ = ["pipeline", "resolve_model", "ChronosPipeline", "ChronosBoltPipeline", "hf_hub_cache"]

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


def pipeline(path_or_id=None, precision="fp32", interventions=None):
    """ChronosPipeline or ChronosBoltPipeline (by the checkpoint's family) for a checkpoint
    folder, a Hugging Face id in the local cache (resolve_model), a loaded Model, or None (the
    bundled model). `.model` is the chronolens Model (forward, attention, studies).
    interventions (chronolens.zero_ablate(...), ...; docs/python.md "Hooks") run in every
    predict, predict_quantiles and embed, as Model.ablate's gates do."""
    m = path_or_id if isinstance(path_or_id, Model) else Model(
        None if path_or_id is None else resolve_model(path_or_id), precision)
    cls = ChronosBoltPipeline if m.config.family == "bolt" else ChronosPipeline
    return cls(m, interventions)
