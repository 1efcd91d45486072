"""Chronos-2's forward pass in Python (cl_chronos2_forward): the golden's tensors as a
ForwardResult, the workbench's hooks (run_with_cache, run_with_hooks, interventions) through
the same hook sets as Chronos-T5 and Bolt. Keyword names as Chronos2Pipeline's: group_ids,
cross_learning, future_covariates (docs/python.md, "Chronos-2")."""
import ctypes

import numpy as np

from . import _lib
from ._args import c_int, int32_array
from ._lib import Error, call, check_mirrors, lib, mirror

P = ctypes.POINTER
c_float, c_void_p = ctypes.c_float, ctypes.c_void_p


@mirror("cl_chronos2_input")
class C2Input(ctypes.Structure):
    _fields_ = [("context", P(c_float)), ("B", ctypes.c_int), ("L", ctypes.c_int), ("group_ids", P(ctypes.c_int)),
                ("future_covariates", P(c_float)), ("F", ctypes.c_int), ("num_output_patches", ctypes.c_int),
                ("capture_group", ctypes.c_int), ("capture_hidden", ctypes.c_int), ("n_group_tokens", ctypes.c_int),
                ("group_tokens", P(ctypes.c_int)), ("head_only", ctypes.c_int)]


@mirror("cl_chronos2_result")
class C2Result(ctypes.Structure):
    _fields_ = [("B", ctypes.c_int), ("P", ctypes.c_int), ("S", ctypes.c_int), ("N", ctypes.c_int),
                ("Q", ctypes.c_int), ("ps", ctypes.c_int), ("loc", c_void_p), ("scale", c_void_p),
                ("attention_mask", c_void_p), ("patches", c_void_p), ("future_patches", c_void_p),
                ("input_embeds", c_void_p), ("encoder_hidden", c_void_p), ("quantile_preds_normalized", c_void_p),
                ("quantile_preds", c_void_p), ("group_attn", c_void_p), ("n_group_tokens", ctypes.c_int),
                ("hidden_time", c_void_p), ("hidden_group", c_void_p), ("hidden", c_void_p)]


check_mirrors([C2Input, C2Result])

_lib._decl(lib, "cl_chronos2_forward", ctypes.c_int, c_void_p, P(C2Input), P(C2Result), _lib.ERR)
_lib._decl(lib, "cl_chronos2_num_tokens", ctypes.c_int, c_void_p, ctypes.c_int, ctypes.c_int)


def group_ids_of(B, group_ids, cross_learning):
    """(B,) int32 group ids: cross_learning puts every series in one group; None: each its own."""
    if cross_learning:
        return np.zeros(B, np.int32)
    if group_ids is None:
        return np.arange(B, dtype=np.int32)
    g = int32_array(np.asarray(group_ids).reshape(-1), "group_ids", 0)
    if len(g) != B:
        raise Error("chronolens: %d group ids for %d series (one per context row)" % (len(g), B))
    return np.ascontiguousarray(g)


def forward(model, context, capture=None, *, group_ids=None, cross_learning=False, future_covariates=None,
            num_output_patches=None, interventions=None, hooks=None, _rows=0):
    """One Chronos-2 pass (Chronos2Model.forward): context (L,) or (B, L) (NaN = missing; a
    list of unequal series is left-padded), group_ids (B,) (rows sharing an id attend to each
    other in the group attention; None: each its own; cross_learning=True: all in one),
    future_covariates (B, F) known future values in data units (NaN = unknown; F <=
    num_output_patches x patch), num_output_patches (None: max_output_patches). capture: None,
    or "enc" / "time" / "all" (the time attention's maps, attn["enc"] (layers, B, H, S, S)) and
    "group" / "all" (group_attn (layers, S, H, B, B)); with "all" also hidden_time,
    hidden_group, hidden (layers, B, S, d_model). Returns a ForwardResult: loc, scale (B,),
    attention_mask (B, S), patches (B, P, 3 ps), future_patches (B, N, 3 ps), input_embeds
    and encoder_hidden (B, S, d_model), quantile_preds and quantiles (B, Q, N ps) in data
    units, quantile_preds_normalized; arrays view the state's memory."""
    from .model import ForwardResult, _attached, _context, _get_captures, _hook_set, _set_captures, _wrap
    cfg = model.config
    x = _context(context, model)
    B, L = x.shape
    g = group_ids_of(B, group_ids, cross_learning)
    caps = set()
    if capture in (True, "all"):
        caps = {"time", "group", "hidden"}
    elif capture:
        caps = {"time" if c in ("enc", "time", "time_attn") else c for c in ([capture] if isinstance(capture, str)
                                                                           else capture)}
        bad = caps - {"time", "group", "hidden"}
        if bad:
            raise Error("chronolens: capture %s: a Chronos-2 pass keeps time (enc), group and hidden" % sorted(bad))
    maxp = model._cfg.contents.max_output_patches
    N = maxp if num_output_patches is None else c_int(num_output_patches, "num_output_patches", 1, maxp)
    inp = C2Input(context=x.ctypes.data_as(P(c_float)), B=B, L=L, group_ids=g.ctypes.data_as(P(ctypes.c_int)),
                  num_output_patches=N, capture_group=int("group" in caps), capture_hidden=int("hidden" in caps))
    fc = None
    if future_covariates is not None:
        fc = np.ascontiguousarray(np.asarray(future_covariates, np.float32))
        if fc.ndim == 1:
            fc = fc[None, :]
        if fc.ndim != 2 or fc.shape[0] != B:
            raise Error("chronolens: future_covariates has shape %s, not (%d, F)" % (fc.shape, B))
        inp.future_covariates, inp.F = fc.ctypes.data_as(P(c_float)), fc.shape[1]
    specs = {"enc": (None, None, None)} if "time" in caps else {}
    hs = hooks if hooks is not None else _hook_set(model, interventions)
    st = model._take_state()
    _set_captures(st, specs)
    res = C2Result()
    with _attached(st, hs), _lib.interruptible(state=st.ptr):
        if hs is not None:
            hs.rows(_rows, 1)  # after _attached's (0, 1): the series of row 0 (embed's batches)
        call(lib.cl_chronos2_forward, st.ptr, ctypes.byref(inp), ctypes.byref(res))
    S, d, Q, ps, nl, H = res.S, cfg.d_model, res.Q, res.ps, cfg.num_layers, cfg.num_heads
    f32 = lambda addr, shape: _wrap(addr, shape, ctypes.c_float, np.float32, st)
    r = ForwardResult()
    r.token_ids = r.decoder_ids = r.logits = r.decoder_hidden = None
    r.group_ids = g
    r.loc, r.scale = f32(res.loc, (B,)), f32(res.scale, (B,))
    r.attention_mask = _wrap(res.attention_mask, (B, S), ctypes.c_uint8, np.uint8, st)
    r.patches = f32(res.patches, (B, res.P, 3 * ps))
    r.future_patches = f32(res.future_patches, (B, res.N, 3 * ps))
    r.input_embeds = f32(res.input_embeds, (B, S, d))
    r.encoder_hidden = f32(res.encoder_hidden, (B, S, d))
    r.quantile_preds_normalized = f32(res.quantile_preds_normalized, (B, Q, res.N * ps))
    r.quantile_preds = r.quantiles = f32(res.quantile_preds, (B, Q, res.N * ps))
    r.group_attn = f32(res.group_attn, (nl, res.n_group_tokens, H, B, B)) if res.group_attn else None
    for k in ("hidden_time", "hidden_group", "hidden"):
        a = getattr(res, k)
        setattr(r, k, f32(a, (nl, B, S, d)) if a else None)
    _get_captures(r, st, specs)
    return r


def embed(model, context, batch=16, interventions=None):
    """Chronos2Pipeline.embed (`chronolens embed` on a Chronos-2 model): each series its own
    task, the encode with one output patch -> (embeddings (B, P + 2, d_model): the context
    patches, [REG] and the masked output token; (B, 2): loc and scale of the instance norm),
    `batch` series a pass (a token padded in every series of a pass averages the pass's values
    there, as upstream). interventions and model.ablate's gates apply."""
    from .model import _context, _hook_set
    x = _context(context, model)
    B = x.shape[0]
    hs = _hook_set(model, interventions)
    outs, scales = [], []
    for b0 in range(0, B, batch):
        r = forward(model, x[b0:b0 + batch], num_output_patches=1, hooks=hs, _rows=b0)
        outs.append(np.array(r.encoder_hidden))
        scales.append(np.stack([r.loc, r.scale], 1))
    return np.concatenate(outs), np.concatenate(scales)
