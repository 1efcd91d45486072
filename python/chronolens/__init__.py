"""chronolens — look inside Chronos time-series models from Python.

A thin ctypes layer over libchronolens.so (the engine) and libchronolens_study.so (the
studies): numpy arrays in and out, the library's speed and exactness, no compiled extension.

    import chronolens as cl
    m = cl.load()                                   # the bundled model (or a folder)
    ids, mask, dec = cl.rrt_batch(m, batch=100)     # repeated random tokens
    r = m.forward(token_ids=ids, decoder_ids=dec, capture={"cross": {"rows": [1]}})
    a = r.attn["cross"]                             # (layers, B, heads, 1, T), no copy
    res = cl.induction(m)                           # the whole study, as `chronolens induction`
    print(res.top_heads(5))

Functions: load, tokenize, detokenize, forward, embed, forecast, parrot, rrt_band, rrt_batch,
induction, sweep, multisine, multisine_sweep, claims, set_threads, get_threads,
default_model_path; pipeline (chronos-forecasting's ChronosPipeline / ChronosBoltPipeline /
Chronos2Pipeline: predict, predict_quantiles, embed; predict_df), resolve_model, hf_hub_cache. Model methods: tokenize, detokenize, forward, embed, ablate (a context
manager). Every failure raises chronolens.Error with the library's one-line message.
Long calls stop within a progress step on Ctrl-C (KeyboardInterrupt), when a progress
callback returns chronolens.CANCEL (chronolens.Error, code 5) or when it raises (its exception).
Libraries: $CHRONOLENS_LIB, else the checkout's build/, else an installed copy.
"""
from ._lib import CANCEL, Error, library_paths
from .model import (STACKS, ForwardResult, Model, ModelConfig, default_model_path, detokenize, embed, forward,
                    get_threads, load, set_threads, tokenize)
from .studies import (CRITERIA, Claim, Count, ForecastResult, InductionResult, MultisineResult,
                      MultisineSweepResult, Stat, SweepResult, claims, forecast, induction, multisine,
                      multisine_sweep, parrot, rrt_band, rrt_batch, sweep)
from .pipeline import Chronos2Pipeline, ChronosBoltPipeline, ChronosPipeline, hf_hub_cache, pipeline, resolve_model

__version__ = "0.1.0"

__all__ = ["Error", "CANCEL", "Model", "ModelConfig", "ForwardResult", "InductionResult", "SweepResult", "MultisineResult",
           "MultisineSweepResult", "ForecastResult", "Claim", "Stat", "Count", "STACKS", "CRITERIA", "load",
           "tokenize", "detokenize", "forward", "embed", "forecast", "parrot", "rrt_band", "rrt_batch", "induction",
           "sweep", "multisine", "multisine_sweep", "claims", "set_threads", "get_threads", "default_model_path",
           "library_paths", "pipeline", "ChronosPipeline", "ChronosBoltPipeline", "Chronos2Pipeline", "resolve_model",
           "hf_hub_cache"]


def _methods():
    # the studies as Model methods too: model.induction(...) == induction(model, ...)
    import functools
    for f in (forecast, induction, sweep, multisine, multisine_sweep, rrt_batch, rrt_band):
        def method(self, *a, _f=f, **k):
            return _f(self, *a, **k)
        functools.update_wrapper(method, f)
        setattr(Model, f.__name__, method)


_methods()
