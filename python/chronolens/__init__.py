"""chronolens — look inside Chronos time-series models from Python.

A thin ctypes layer over libchronolens.so (the engine) and libchronolens_study.so (the
studies): numpy arrays in and out, the library's speed and exactness, no compiled extension.

    import chronolens as cl
    m = cl.load()                                   # the bundled model (or a folder)
    ids, mask, dec = cl.rrt_batch(m, batch=100)     # repeated random tokens
    r = m.forward(token_ids=ids, decoder_ids=dec, capture={"cross": {"rows": [1]}})
    a = r.pattern("cross", 1)                       # (batch, head, query, key) of layer 1, no copy
    res = cl.induction(m)                           # the whole study, as `chronolens induction`
    print(res.top_heads(5))
    res.to_pandas()                                 # the rows and columns of induction.csv

Attention has one axis order everywhere: per layer (batch, head, query_pos, key_pos), as
TransformerLens's patterns and the command's <stack>_attn.<layer> tensors; ForwardResult.attn
stacks the captured layers first. Every result has to_pandas() (pandas imported then only),
_repr_html_ and a __repr__.

Functions: load, tokenize, detokenize, forward, embed, forecast, parrot, rrt_band, rrt_batch,
induction, sweep, multisine, multisine_sweep, claims, set_threads, get_threads,
default_model_path; pipeline (chronos-forecasting's ChronosPipeline / ChronosBoltPipeline /
Chronos2Pipeline: predict, predict_quantiles, embed; predict_df), resolve_model, hf_hub_cache;
the hook layer (hooks.py): zero_ablate, mean_ablate, resample_ablate, set_activation,
add_activation (steer), patch, scale_activation, ActivationCache, patching (in C), quantile_attribution
(Chronos-Bolt), logit_attribution.
Model methods: tokenize, detokenize, forward, embed, ablate (a context manager), hook_names,
run_with_cache, run_with_hooks. Every failure raises chronolens.Error with the library's
one-line message.
Long calls stop within a progress step on Ctrl-C (KeyboardInterrupt), when a progress
callback returns chronolens.CANCEL (chronolens.Error, code 5) or when it raises (its exception).
Libraries: $CHRONOLENS_LIB, else the checkout's build/, else an installed copy.
"""
from ._lib import CANCEL, Error, library_paths
from .model import (STACKS, ForwardResult, Model, ModelConfig, default_model_path, detokenize, embed, forward,
                    get_threads, load, set_threads, tokenize)
from .studies import (CRITERIA, Claim, Claims, Count, ForecastResult, InductionResult, MultisineResult,
                      MultisineSweepResult, Stat, SweepResult, claims, forecast, induction, multisine,
                      multisine_sweep, parrot, rrt_band, rrt_batch, sweep)
from .pipeline import Chronos2Pipeline, ChronosBoltPipeline, ChronosPipeline, hf_hub_cache, pipeline, resolve_model
from .hooks import (ActivationCache, HookPoint, Intervention, PatchingGrid, add_activation, logit_attribution,
                    mean_ablate, patch, patching, quantile_attribution, resample_ablate, scale_activation, set_activation, steer, zero_ablate)

__version__ = "0.1.0"

__all__ = ["Error", "CANCEL", "Model", "ModelConfig", "ForwardResult", "InductionResult", "SweepResult", "MultisineResult",
           "MultisineSweepResult", "ForecastResult", "Claim", "Claims", "Stat", "Count", "STACKS", "CRITERIA",
           "load", "tokenize", "detokenize", "forward", "embed", "forecast", "parrot", "rrt_band", "rrt_batch", "induction",
           "sweep", "multisine", "multisine_sweep", "claims", "set_threads", "get_threads", "default_model_path",
           "library_paths", "pipeline", "ChronosPipeline", "ChronosBoltPipeline", "Chronos2Pipeline", "resolve_model",
           "hf_hub_cache", "ActivationCache", "HookPoint", "Intervention", "zero_ablate", "mean_ablate",
           "resample_ablate", "set_activation", "add_activation", "steer", "patch", "scale_activation", "patching",
           "quantile_attribution", "PatchingGrid", "logit_attribution"]


def _methods():
    # the studies as Model methods too: model.induction(...) == induction(model, ...)
    import functools
    for f in (forecast, induction, sweep, multisine, multisine_sweep, rrt_batch, rrt_band):
        def method(self, *a, _f=f, **k):
            return _f(self, *a, **k)
        functools.update_wrapper(method, f)
        setattr(Model, f.__name__, method)


_methods()
