"""Hook points, activation caches and interventions, named as TransformerLens's
HookedEncoderDecoder names them (docs/python.md, "Hooks").

    cache = m.run_with_cache(ctx, names_filter="encoder.1.attn.hook_z")[1]
    with_z = cache["encoder.1.attn.hook_z"]                 # (batch, pos, head, d_head)
    out = m.forward(ctx, interventions=[cl.zero_ablate("decoder.0.cross_attn.hook_z", head=2)])

Interventions are declared (Intervention objects) and run in C in every pass of the model —
forward, run_with_cache, embed, every cached decoding step of forecast, the pipeline.
run_with_hooks takes Python callbacks (the slower path: each runs through ctypes on the calling
thread and sees the activation as a writable numpy view)."""
import ctypes
import math

import numpy as np

from ._lib import ERR, Error, call, check_mirrors, lib, mirror

__all__ = ["Intervention", "ActivationCache", "logit_attribution", "patching", "quantile_attribution",
           "PatchingGrid", "zero_ablate", "mean_ablate", "resample_ablate", "set_activation",
           "add_activation", "steer", "patch", "scale_activation", "HookPoint"]

P = ctypes.POINTER
c_int, c_float, c_void_p, c_char_p = ctypes.c_int, ctypes.c_float, ctypes.c_void_p, ctypes.c_char_p


@mirror("cl_hook_info")
class HookInfo(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("ndim", c_int), ("shape", c_int * 4), ("pos0", c_int), ("series0", c_int),
                ("rep", c_int)]


HOOK_FN = ctypes.CFUNCTYPE(c_int, P(c_float), P(HookInfo), c_void_p)


@mirror("cl_intervention")
class InterventionSpec(ctypes.Structure):
    _fields_ = [("kind", c_int), ("name", c_char_p), ("head", c_int), ("n_pos", c_int), ("pos", P(c_int)),
                ("n_value", c_int), ("value", P(c_float)), ("src_batch", c_int), ("src_pos", c_int),
                ("src", P(c_float)), ("n_src_rows", c_int), ("src_rows", P(c_int))]


check_mirrors([HookInfo, InterventionSpec])


def _decl(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_decl("cl_hooks_new", c_int, c_void_p, P(c_void_p), ERR)
_decl("cl_hooks_free", None, c_void_p)
_decl("cl_hooks_clear", None, c_void_p)
_decl("cl_hooks_add", c_int, c_void_p, c_char_p, HOOK_FN, c_void_p, ERR)
_decl("cl_hooks_add_intervention", c_int, c_void_p, P(InterventionSpec), ERR)
_decl("cl_hooks_set_rows", None, c_void_p, c_int, c_int)
_decl("cl_hooks_cached", c_void_p, c_void_p, c_char_p, P(HookInfo))
_decl("cl_hook_name", c_int, c_void_p, c_int, c_char_p, ctypes.c_size_t)
_decl("cl_state_set_hooks", None, c_void_p, c_void_p)
_decl("cl_attn_head_results", c_int, c_void_p, c_int, c_int, P(c_float), c_int, P(c_float), ERR)
_decl("cl_logit_directions", c_int, c_void_p, P(ctypes.c_int32), c_int, P(c_float), ERR)

# cl_iv_kind
ZERO, MEAN, SET, ADD, SCALE, PATCH, RESAMPLE, CACHE = range(8)
_KIND_NAMES = ("zero", "mean", "set", "add", "scale", "patch", "resample", "cache")


def hook_names(model):
    """The model's hook point names in execution order (TransformerLens's names)."""
    n = lib.cl_hook_name(model._h.ptr, -1, None, 0)
    buf = ctypes.create_string_buffer(128)
    out = []
    for i in range(n):
        lib.cl_hook_name(model._h.ptr, i, buf, 128)
        out.append(buf.value.decode())
    return out


class Intervention:
    """One declared intervention at a hook point, run in C (see the factories: zero_ablate,
    mean_ablate, resample_ablate, set_activation, add_activation / steer, patch,
    scale_activation). head: None (all) or a head of a per-head point (q, k, v, z, scores,
    pattern; on hook_attn_out / hook_cross_attn_out: that head's z, i.e. its contribution
    through W_O). pos: None (all) or absolute positions (query positions for scores and
    pattern; cached decoding runs one position a step)."""

    def __init__(self, kind, name, head=None, pos=None, value=None, source=None, rows=None):
        if not isinstance(name, str):
            raise Error("chronolens: an intervention's hook point must be a name, not %r" % (name,))
        self.kind, self.name, self.head = kind, name, head
        self.pos = None if pos is None else np.ascontiguousarray(np.atleast_1d(pos), np.int32)
        self.value = None if value is None else np.ascontiguousarray(np.asarray(value, np.float32).reshape(-1))
        self.source = None if source is None else np.ascontiguousarray(np.asarray(source, np.float32))
        self.rows = None if rows is None else np.ascontiguousarray(np.atleast_1d(rows), np.int32)
        if self.source is not None and self.source.ndim < 3:
            raise Error("chronolens: %s: the source must be another run's activation (batch, pos, ...), got shape %s"
                        % (name, self.source.shape))

    def __repr__(self):
        extra = "" if self.head is None else ", head=%d" % self.head
        extra += "" if self.pos is None else ", pos=%s" % self.pos.tolist()
        return "%s_intervention(%r%s)" % (_KIND_NAMES[self.kind], self.name, extra)

    def _add(self, hk):
        s = InterventionSpec()
        s.kind, s.name = self.kind, self.name.encode()
        s.head = -1 if self.head is None else int(self.head)
        if self.pos is not None:
            s.n_pos, s.pos = len(self.pos), self.pos.ctypes.data_as(P(c_int))
        if self.value is not None:
            s.n_value, s.value = len(self.value), self.value.ctypes.data_as(P(c_float))
        if self.source is not None:
            s.src_batch, s.src_pos = self.source.shape[0], self.source.shape[1]
            s.src = self.source.ctypes.data_as(P(c_float))
        if self.rows is not None:
            s.n_src_rows, s.src_rows = len(self.rows), self.rows.ctypes.data_as(P(c_int))
        call(lib.cl_hooks_add_intervention, hk, ctypes.byref(s))  # copies the arrays


def zero_ablate(name, head=None, pos=None):
    """The activation at `name` (one head's, some positions') set to 0."""
    return Intervention(ZERO, name, head, pos)


def mean_ablate(name, mean, head=None, pos=None):
    """Replaced by `mean` (computed over a dataset by the caller): a vector as wide as the
    point's rows (d_model; d_head with a head; H*d_head on q/k/v/z without), or one such row
    per position (positions, width)."""
    return Intervention(MEAN, name, head, pos, value=mean)


def set_activation(name, value, head=None, pos=None):
    """Replaced by `value` (a row, or a row per position, as mean_ablate)."""
    return Intervention(SET, name, head, pos, value=value)


def add_activation(name, vector, head=None, pos=None):
    """`vector` added (a steering vector): a row, or a row per position."""
    return Intervention(ADD, name, head, pos, value=vector)


steer = add_activation


def scale_activation(name, factor, head=None, pos=None):
    """Multiplied by `factor` (a head gate on hook_z: 0 = ablated, what Model.ablate sets)."""
    return Intervention(SCALE, name, head, pos, value=[float(factor)])


def patch(name, source, head=None, pos=None):
    """Replaced by another run's activation at this point, `source` in the point's layout
    (batch, pos, ...) — e.g. a clean run's cache[name] — series b from source[b]."""
    return Intervention(PATCH, name, head, pos, source=source)


def resample_ablate(name, source, rows, head=None, pos=None):
    """Replaced by rows of another run's activation: series b takes source[rows[b]]."""
    return Intervention(RESAMPLE, name, head, pos, source=source, rows=rows)


_GATE_POINTS = {"enc": "encoder.%d.attn.hook_z", "dec": "decoder.%d.attn.hook_z", "cross": "decoder.%d.cross_attn.hook_z"}
_C2_GATE_POINTS = {"enc": "encoder.%d.time_attn.hook_z"}  # Chronos-2: its time attention


def gate_interventions(model):
    """Model.ablate's head gates as interventions (scale of the head's z: the same numbers),
    for the entry points that do not run the model's own state (forecast)."""
    pts = _C2_GATE_POINTS if model.config.family == "chronos2" else _GATE_POINTS
    return [scale_activation(pts[st] % l, g, head=h) for (st, l, h), g in sorted(model._gates.items())]


class HookPoint:
    """What a run_with_hooks callback is told: the point's name, layout (its shape), the
    absolute position of index 0 of the position axis (pos0), and the series of batch row 0
    and the rows per series (series0, rep: forecast sample paths)."""

    def __init__(self, name, shape, pos0, series0, rep):
        self.name, self.shape, self.pos0, self.series0, self.rep = name, shape, pos0, series0, rep

    def layer(self):
        """The layer of a per-layer point (TransformerLens's HookPoint.layer()), else None."""
        parts = self.name.split(".")
        return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None

    def __repr__(self):
        return "HookPoint(%r, shape=%s, pos0=%d)" % (self.name, self.shape, self.pos0)


class HookSet:
    """A cl_hooks of a model: interventions, caches and Python callbacks. Attached to a state
    for a pass (attach/detach), or given to the forecast study (ptr)."""

    def __init__(self, model, interventions=(), cache=(), callbacks=()):
        ptr = ctypes.c_void_p()
        call(lib.cl_hooks_new, model._h.ptr, ctypes.byref(ptr))
        self.ptr = ptr.value
        self._model = model._h  # the model outlives the set
        self._free = lib.cl_hooks_free
        self.fill(interventions, cache, callbacks)

    def fill(self, interventions=(), cache=(), callbacks=()):
        """Replaces what the set holds (the memory of its caches is kept for the new ones)."""
        lib.cl_hooks_clear(self.ptr)
        self._fns = []          # the C callbacks must live as long as the set
        self.error = None       # what a Python callback raised (raised again by the caller)
        for iv in interventions or ():
            if not isinstance(iv, Intervention):
                raise Error("chronolens: interventions holds %r, not a chronolens Intervention (zero_ablate(...), "
                            "patch(...), ...)" % (iv,))
            iv._add(self.ptr)
        for name in cache:
            Intervention(CACHE, name)._add(self.ptr)
        for name, fn in callbacks:
            self._add_callback(name, fn)

    def _add_callback(self, name, fn):
        def run(act, info, user):
            i = info.contents
            shape = tuple(i.shape[:i.ndim])
            try:
                a = np.ctypeslib.as_array(act, shape=shape)  # writable view of the engine's buffer
                r = fn(a, HookPoint(i.name.decode(), shape, i.pos0, i.series0, i.rep))
                if r is not None and r is not a:
                    r = np.asarray(r, np.float32)
                    if r.shape != shape:
                        raise Error("chronolens: hook %s returned shape %s, the activation is %s" % (
                            i.name.decode(), r.shape, shape))
                    np.copyto(a, r)
                return 0
            except BaseException as e:  # raised again by the caller (ctypes would print and drop it)
                if self.error is None:
                    self.error = e
                return 1
        cfn = HOOK_FN(run)
        self._fns.append(cfn)
        call(lib.cl_hooks_add, self.ptr, name.encode(), cfn, None)

    def cached(self, name):
        """(address, shape, pos0) of the copy CACHE kept at name, or None."""
        info = HookInfo()
        addr = lib.cl_hooks_cached(self.ptr, name.encode(), ctypes.byref(info))
        if not addr:
            return None
        return addr, tuple(info.shape[:info.ndim]), info.pos0

    def rows(self, series0, rep=1):
        lib.cl_hooks_set_rows(self.ptr, series0, rep)

    def raise_error(self):
        if self.error is not None:
            e, self.error = self.error, None
            raise e

    def __del__(self):
        if getattr(self, "ptr", None):
            self._free(self.ptr)
            self.ptr = None


def cache_set(model, interventions, names):
    """A HookSet caching `names`: one of the model's earlier ones that nothing refers to any
    more (no cache, no array of one), refilled, so that its buffers are reused; else a new one
    (the model keeps the last two)."""
    import sys
    pool = model.__dict__.setdefault("_hooksets", [])
    for hs in pool:
        if sys.getrefcount(hs) <= 3:  # the list, this loop's name, getrefcount's argument
            hs.fill(interventions, cache=names)
            return hs
    hs = HookSet(model, interventions, cache=names)
    if len(pool) < 2:
        pool.append(hs)
    return hs


def select_names(model, names_filter):
    """The hook names names_filter selects, as TransformerLens reads it: None (all), a name, a
    list of names, or a callable name -> bool. An unknown name is an error naming it."""
    names = hook_names(model)
    if names_filter is None:
        return names
    if callable(names_filter):
        return [n for n in names if names_filter(n)]
    want = [names_filter] if isinstance(names_filter, str) else list(names_filter)
    known = set(names)
    for n in want:
        if n not in known:
            raise Error("chronolens: %s: no such hook point in this model (Model.hook_names() lists them)" % (n,))
    return [n for n in names if n in set(want)]


class ActivationCache:
    """The activations run_with_cache kept: {name: numpy array} in TransformerLens's layouts
    (residual (batch, pos, d_model); q/k/v/z (batch, pos, head, d_head); scores and pattern
    (batch, head, query_pos, key_pos)). Arrays are read-only views of the library's copies (no
    further copy), alive while the cache is."""

    def __init__(self, model, arrays, hooks):
        self.model = model
        self._arrays = arrays
        self._hooks = hooks  # owns the memory the arrays view

    def __getitem__(self, name):
        try:
            return self._arrays[name]
        except KeyError:
            raise KeyError("%s was not cached (names_filter) or is no hook point of this model" % (name,)) from None

    def __contains__(self, name):
        return name in self._arrays

    def __iter__(self):
        return iter(self._arrays)

    def __len__(self):
        return len(self._arrays)

    def keys(self):
        """The cached hook names, in execution order."""
        return self._arrays.keys()

    def items(self):
        """(name, array) pairs, in execution order."""
        return self._arrays.items()

    def values(self):
        """The cached arrays, in execution order."""
        return self._arrays.values()

    def __repr__(self):
        return "ActivationCache(%d activations)" % len(self._arrays)

    def head_results(self, name):
        """Per-head outputs (batch, pos, head, d_model) of an attention sublayer, z through that
        head's W_O (TransformerLens's hook_result; their sum over heads is hook_attn_out), from
        the cached z `name` ("encoder.1.attn.hook_z", "decoder.0.cross_attn.hook_z", ...;
        Chronos-2: "encoder.1.time_attn.hook_z", "encoder.1.group_attn.hook_z")."""
        parts = name.split(".")
        if len(parts) != 4 or parts[3] != "hook_z" or parts[0] not in ("encoder", "decoder"):
            raise Error("chronolens: head results come from a cached hook_z, not %s" % (name,))
        stack = 2 if parts[2] in ("cross_attn", "group_attn") else (0 if parts[0] == "encoder" else 1)
        z = np.ascontiguousarray(self[name], np.float32)
        B, T, H, dk = z.shape
        d = self.model.config.d_model
        out = np.empty((B, T, H, d), np.float32)
        call(lib.cl_attn_head_results, self.model._h.ptr, stack, int(parts[1]), z.ctypes.data_as(P(c_float)), B * T,
             out.ctypes.data_as(P(c_float)))
        return out

    def logit_attribution(self, tokens, pos=-1):
        """Direct logit attribution (Chronos-T5): see chronolens.hooks.logit_attribution."""
        return logit_attribution(self, tokens, pos)

    def stack_head_results(self, layer=-1, *, stack="encoder", pos_slice=None, return_labels=False,
                           incl_remainder=False):
        """Every head's output of the layers below `layer` (-1 or None: all) of `stack`
        ("encoder", "decoder" self-attention, "cross" cross-attention) stacked as
        TransformerLens's ActivationCache.stack_head_results: (layers*heads, batch, pos,
        d_model), labels "L{l}H{h}"; incl_remainder adds the residual stream at that layer's
        input minus their sum (needs the cached hook_resid_pre, or the final norm's input).
        Chronos-2: stack "encoder" (or "time") its time attention, "group" its group attention
        (each head's output in (batch, pos) order; the group heads' sum is hook_group_attn_out)."""
        if self.model.config.family == "chronos2":
            st = {"encoder": ("encoder", "time_attn"), "enc": ("encoder", "time_attn"),
                  "time": ("encoder", "time_attn"), "group": ("encoder", "group_attn")}.get(stack)
            if st is None:
                raise Error("chronolens: stack %r: a Chronos-2 model has encoder (time) and group" % (stack,))
        else:
            st = {"encoder": ("encoder", "attn"), "enc": ("encoder", "attn"), "decoder": ("decoder", "attn"),
                  "dec": ("decoder", "attn"), "cross": ("decoder", "cross_attn")}.get(stack)
        if st is None:
            raise Error("chronolens: stack %r is not encoder, decoder or cross" % (stack,))
        c = self.model.config
        nl = c.num_layers if st[0] == "encoder" else c.num_decoder_layers
        top = nl if layer is None or layer < 0 else int(layer)
        comps, labels = [], []
        for l in range(top):
            r = self.head_results("%s.%d.%s.hook_z" % (st[0], l, st[1]))  # (B, T, H, d)
            for h in range(r.shape[2]):
                comps.append(r[:, :, h])
                labels.append("L%dH%d" % (l, h))
        if not comps:
            raise Error("chronolens: stack_head_results of no layer (layer %r)" % (layer,))
        out = np.stack(comps)
        if incl_remainder:
            resid = self["%s.%d.hook_resid_pre" % (st[0], top)] if top < nl else None
            if resid is None:
                raise Error("chronolens: incl_remainder needs %s.%d.hook_resid_pre cached" % (st[0], top))
            out = np.concatenate([out, (resid - out.sum(0))[None]])
            labels.append("remainder")
        if pos_slice is not None:
            out = out[:, :, pos_slice]
        return (out, labels) if return_labels else out


def _decoder_components(cache):
    """(components (n, B, Td, d), labels): the decoder's input embedding, every self- and
    cross-attention head's output and every MLP output — they sum to the final stream."""
    c = cache.model.config
    comps, labels = [cache["decoder.0.hook_resid_pre"]], ["embed"]
    for l in range(c.num_decoder_layers):
        for part, tag in (("attn", "L%dH%d"), ("cross_attn", "L%dX%d")):
            r = cache.head_results("decoder.%d.%s.hook_z" % (l, part))
            for h in range(r.shape[2]):
                comps.append(r[:, :, h])
                labels.append(tag % (l, h))
        comps.append(cache["decoder.%d.hook_mlp_out" % l])
        labels.append("L%dMLP" % l)
    return np.stack(comps), labels


def logit_attribution(cache, tokens, pos=-1):
    """Direct logit attribution of a Chronos-T5 run (TransformerLens's apply_ln_to_stack and
    logit_attrs): each decoder component's contribution to the logit of tokens[b] at decoder
    position pos, through the final norm's scale (its RMS over the cached final stream, held
    fixed) and the tied head. The cache needs the decoder's hook_resid_pre, hook_z (self and
    cross), hook_mlp_out and the last hook_resid_post (run_with_cache with names_filter None,
    or a filter keeping n.startswith("decoder.")). Returns (contributions (n, B), labels): they
    sum to the logits (to float rounding), labels "embed", "L{l}H{h}" (self), "L{l}X{h}"
    (cross), "L{l}MLP"."""
    m = cache.model
    if m.config.family != "t5":
        raise Error("chronolens: direct logit attribution is Chronos-T5's (a Bolt head is attributed by patching)")
    comps, labels = _decoder_components(cache)
    c = m.config
    final = cache["decoder.%d.hook_resid_post" % (c.num_decoder_layers - 1)][:, pos]  # (B, d)
    B = final.shape[0]
    tok = np.ascontiguousarray(np.broadcast_to(np.asarray(tokens, np.int32).reshape(-1), (B,)))
    dirs = np.empty((B, c.d_model), np.float32)
    call(lib.cl_logit_directions, m._h.ptr, tok.ctypes.data_as(P(ctypes.c_int32)), B, dirs.ctypes.data_as(P(c_float)))
    scale = 1.0 / np.sqrt((final.astype(np.float64) ** 2).mean(-1) + c.eps)  # (B,)
    contrib = np.einsum("nbd,bd->nb", comps[:, :, pos].astype(np.float64), dirs.astype(np.float64)) * scale
    return contrib, labels


def interventions_of(model, interventions, gates):
    """The interventions to run (a list, one Intervention or None), with Model.ablate's gates
    as interventions too when `gates` (the entry points whose states carry no gates)."""
    if interventions is None:
        ivs = []
    elif isinstance(interventions, Intervention):
        ivs = [interventions]
    else:
        ivs = list(interventions)
    return ivs + (gate_interventions(model) if gates else [])


def _prod(shape):
    return int(math.prod(shape))


_METRICS = {"logprob": 0, "logit_diff": 1, "quantiles": 2}  # cl_patch_metric: the metrics computed in C
_MODES = {"patch": 0, "zero": 1, "mean": 2}  # cl_patch_mode


def _ids_of(x, what, vocab):
    """token ids (B, T), or (ids, mask): the int32 ids and uint8 mask the library reads."""
    from ._args import int32_array
    ids, mask = x if isinstance(x, tuple) else (x, None)
    ids = int32_array(np.atleast_2d(np.asarray(ids)), what, 0, vocab - 1, "the vocabulary [0, %d)" % vocab)
    mask = np.ones(ids.shape, np.uint8) if mask is None else \
        int32_array(np.asarray(mask).reshape(ids.shape), what + " mask", 0, 1).astype(np.uint8)
    return ids, mask


def _decoder_ids(model, decoder_ids, B):
    c = model.config
    if decoder_ids is None:
        return np.full((B, 1), c.decoder_start_token_id, np.int32)
    from ._args import int32_array
    dec = np.asarray(decoder_ids)
    if dec.ndim == 1:
        dec = np.broadcast_to(dec, (B, dec.shape[0]))
    if dec.ndim != 2 or dec.shape[0] != B or dec.shape[1] < 1:
        raise Error("chronolens: decoder_ids of shape %s for %d series" % (dec.shape, B))
    return int32_array(dec, "decoder_ids", 0, c.vocab_size - 1, "the vocabulary [0, %d)" % c.vocab_size)


def _patching_input(model, x, decoder_ids, token_ids, keep, what):
    """A cl_patching_input of one run; keep holds the arrays it points into."""
    from . import _structs as cs
    from .model import _context, tokenize
    inp = cs.PatchingInput()
    c = model.config
    if c.family == "bolt":
        if token_ids or decoder_ids is not None:
            raise Error("chronolens: patching: a Chronos-Bolt model reads contexts of values (no token_ids or "
                        "decoder_ids)")
        ctx = _context(x, model)
        keep.append(ctx)
        inp.B, inp.L = ctx.shape
        inp.context = ctx.ctypes.data_as(P(c_float))
        return inp
    if token_ids:
        ids, mask = _ids_of(x, what, c.vocab_size)
    else:
        ids, mask, _ = tokenize(model, x)
    dec = np.ascontiguousarray(_decoder_ids(model, decoder_ids, ids.shape[0]))
    keep += [ids, mask, dec]
    inp.B, inp.T = ids.shape
    inp.ids, inp.mask = ids.ctypes.data_as(P(ctypes.c_int32)), mask.ctypes.data_as(P(ctypes.c_uint8))
    inp.dec, inp.Td = dec.ctypes.data_as(P(ctypes.c_int32)), dec.shape[1]
    return inp


def _patching_c(model, clean, corrupted, hooks, metric, decoder_ids, pos, per_position, read_pos, target, target2,
                token_ids, ablation, progress, corrupted_decoder_ids=None):
    """cl_patching_run: -> (cells (layers, heads, positions, B, width), clean (B, width),
    corrupted (B, width), targets (B) or None, (Q, horizon) or None)."""
    from . import _lib, _structs as cs
    from .studies import _no_ablation
    _no_ablation(model, "patching")
    if metric not in _METRICS:
        raise Error("chronolens: patching metric %r: not one of %s or a callable" % (metric, ", ".join(_METRICS)), 3)
    if ablation not in _MODES:
        raise Error("chronolens: patching ablation %r: not one of %s" % (ablation, ", ".join(_MODES)), 3)
    if not isinstance(hooks, str) or len(hooks.encode()) >= 96:
        raise Error("chronolens: patching hooks must be a hook name with {l} (decoder.{l}.cross_attn.hook_z)", 3)
    keep = []
    a = _patching_input(model, clean, decoder_ids, token_ids, keep, "clean")
    b = _patching_input(model, corrupted, decoder_ids if corrupted_decoder_ids is None else corrupted_decoder_ids,
                        token_ids, keep, "corrupted")
    o = cs.PatchingOpts()
    lib_s = cs.slib
    lib_s.cl_patching_default(ctypes.byref(o))
    o.hook = hooks.encode()
    o.metric, o.mode, o.per_position = _METRICS[metric], _MODES[ablation], int(bool(per_position))
    o.read_pos = int(read_pos)
    if pos is not None:
        pv = np.ascontiguousarray(np.atleast_1d(pos), np.int32)
        keep.append(pv)
        o.n_pos, o.pos = len(pv), pv.ctypes.data_as(P(c_int))
    for field, t in (("target", target), ("target2", target2)):
        if t is not None:
            tv = np.ascontiguousarray(np.broadcast_to(np.asarray(t).reshape(-1), (a.B,)), np.int32)
            keep.append(tv)
            setattr(o, field, tv.ctypes.data_as(P(ctypes.c_int32)))
    r = cs.PatchingResult()
    with _lib.interruptible(progress, "patching") as run:
        o.progress = run.progress
        call(lib_s.cl_patching_run, model._h.ptr, ctypes.byref(a), ctypes.byref(b), ctypes.byref(o), ctypes.byref(r))
    try:
        shape = (r.layers, r.heads, r.positions, r.B, r.width)
        cells = cs.array(r.cells, shape)
        cl = cs.array(r.clean, (r.B, r.width))
        co = cs.array(r.corrupted, (r.B, r.width))
        tg = cs.array(r.target, (r.B,))
        qh = (r.Q, r.horizon) if r.Q else None
    finally:
        lib_s.cl_patching_free(ctypes.byref(r))
    return cells, cl, co, tg, qh


def patching(model, clean, corrupted, hooks="decoder.{l}.cross_attn.hook_z", metric=None, *, decoder_ids=None,
             pos=None, per_position=False, read_pos=-1, target=None, target2=None, token_ids=False, ablation="patch",
             progress=None, **kw):
    """Activation patching over layer x head (x position): one clean run's cache of the
    per-layer point `hooks` (a name with {l}; per-head points: q, k, v, z, scores, pattern;
    the others have one "head", the whole point), then for every cell the corrupted run with
    that cell's activation patched from the clean run (ablation="patch"), or zeroed ("zero"),
    or set to the clean run's mean over series and positions ("mean"), at positions `pos`
    (None: all; per_position=True: a cell per position of pos, or of every position).

    clean, corrupted: contexts of values (tokenized as Chronos does), or with token_ids=True
    token ids (B, T) (or (ids, mask) pairs) such as rrt_batch's; decoder_ids (B, Td) (or (Td,))
    for both runs (None: the decoder start token). Chronos-Bolt: contexts only.

    metric, computed in C (cl_patching_run: the corrupted run's encoder output, and the decoder
    below the patched layer, computed once; docs/python.md):
      None: Chronos-T5 "logprob"; Chronos-Bolt minus the mean absolute change of the median
        from the clean run (one number per cell, as before);
      "logprob": log p(target) at decoder position read_pos (-1: the last; the decoder runs up
        to it), target (B) default the clean run's most likely token there (.target);
      "logit_diff": logit(target) - logit(target2);
      "quantiles" (Chronos-Bolt): every quantile's prediction, the grid (..., Q, horizon).
    The values are means over the series (.per_series keeps them all: (layers, heads,
    positions, B, width)); .clean and .corrupted the unpatched runs' metrics.
    A callable metric(output) -> number (output: logits (B, Td, V) or Bolt's quantiles
    (B, Q, H)) runs the slower loop: one forward pass per cell through Python (ablation
    "patch", no per_position).
    Returns a PatchingGrid (a numpy array (layers, heads) or (layers, heads, positions), with
    ... Q, horizon for "quantiles") with to_pandas(). progress: None, True (stderr) or
    f(done, total) over cells; Ctrl-C stops the grid within one cell."""
    if callable(metric) or model.config.family == "chronos2":
        if model.config.family == "chronos2" and not (metric is None or callable(metric)):
            raise Error("chronolens: patching a Chronos-2 model takes a callable metric or None (the loop)", 3)
        return _patching_loop(model, clean, corrupted, hooks, metric, decoder_ids, pos, token_ids, **kw)
    if kw:
        raise Error("chronolens: patching: %s apply to Chronos-2 models only" % ", ".join(sorted(kw)), 3)
    c = model.config
    bolt = c.family == "bolt"
    name = metric if metric is not None else ("quantiles" if bolt else "logprob")
    cells, cl, co, tg, qh = _patching_c(model, clean, corrupted, hooks, name, decoder_ids, pos, per_position,
                                        read_pos, target, target2, token_ids, ablation, progress)
    L, H, P_, B, W = cells.shape
    if bolt and metric is None:  # minus the mean |change| of the median from the clean run
        Q, Hz = qh
        qi = Q // 2
        med = cells.reshape(L, H, P_, B, Q, Hz)[..., qi, :]
        cmed = cl.reshape(B, Q, Hz)[:, qi]
        vals = -np.abs(med - cmed).mean(axis=(-2, -1))
        cval, xval = 0.0, -float(np.abs(co.reshape(B, Q, Hz)[:, qi] - cmed).mean())
        axes = ("layer", "head", "position")
    elif name == "quantiles":
        Q, Hz = qh
        vals = cells.reshape(L, H, P_, B, Q, Hz).mean(axis=3)
        cval, xval = cl.reshape(B, Q, Hz).mean(0), co.reshape(B, Q, Hz).mean(0)
        axes = ("layer", "head", "position", "quantile", "step")
    else:
        vals = cells[..., 0].astype(np.float64).mean(axis=-1)
        cval, xval = float(cl[:, 0].astype(np.float64).mean()), float(co[:, 0].astype(np.float64).mean())
        axes = ("layer", "head", "position")
    if not per_position:
        vals = vals[:, :, 0]
        axes = axes[:2] + axes[3:]
    out = PatchingGrid(vals)
    out.axes, out.clean, out.corrupted, out.per_series, out.target = axes, cval, xval, cells, tg
    out.hooks, out.metric = hooks, name if metric is not None or not bolt else "median_change"
    out.quantiles = tuple(c.quantiles) if name == "quantiles" else None
    return out


def _patching_loop(model, clean, corrupted, hooks, metric, decoder_ids, pos, token_ids, **c2kw):
    """The slower path of a Python metric (and of Chronos-2, whose grid is not in C yet): one
    forward pass per cell, each through Python. c2kw: Chronos-2's group_ids, cross_learning,
    future_covariates, given to every pass; its metric None: minus the mean absolute change of
    the median from the clean run (as Bolt's default)."""
    c = model.config
    nl = c.num_layers if hooks.startswith("encoder") else c.num_decoder_layers
    names = [hooks.format(l=l) for l in range(nl)]

    def fwd(x, ivs=None, cache=None):
        kw = dict(c2kw, interventions=ivs) if c.family == "chronos2" else {"decoder_ids": decoder_ids, "interventions": ivs}
        if token_ids:
            ids, mask = _ids_of(x, "token_ids", c.vocab_size)
            kw.update(token_ids=ids, attention_mask=mask)
        else:
            kw["context"] = x
        if cache is not None:
            return model.run_with_cache(names_filter=cache, **kw)
        r = model.forward(**kw)
        return r.logits if c.family == "t5" else r.quantiles

    clean_out, cache = fwd(clean, cache=names)
    clean_out = np.array(clean_out)
    if metric is None:
        qi = len(c.quantiles) // 2

        def metric(out):
            return -float(np.abs(out[:, qi] - clean_out[:, qi]).mean())
    grid = np.empty((nl, c.num_heads))
    for l, n in enumerate(names):
        for h in range(c.num_heads):
            grid[l, h] = metric(fwd(corrupted, [patch(n, cache[n], head=h, pos=pos)]))
    out = PatchingGrid(grid)
    out.axes, out.clean, out.corrupted, out.per_series, out.target = ("layer", "head"), metric(clean_out), \
        metric(fwd(corrupted)), None, None
    out.hooks, out.metric, out.quantiles = hooks, getattr(metric, "__name__", "callable"), None
    return out


def quantile_attribution(model, context, *, ablation="zero", source=None, hooks="decoder.{l}.cross_attn.hook_z",
                         progress=None):
    """Chronos-Bolt: each head's effect on each quantile's prediction (issue 26 item 6), by
    ablating it in a run on `context`: ablation "zero" (its z set to 0), "mean" (to its mean
    over the context's series and positions) or "patch" (from a run on `source`, a context of
    the same shape). Returns a PatchingGrid (layers, heads, Q, horizon): the change of the
    prediction (data units) averaged over the series, patched minus unpatched; .clean the
    unpatched prediction (Q, horizon) (for "patch": .clean the source run's), .per_series the
    patched predictions (layers, heads, 1, B, Q*horizon). Computed in C (cl_patching_run, metric
    quantiles): the encoder output is computed once, each cell reruns the one-query decoder."""
    if model.config.family != "bolt":
        raise Error("chronolens: quantile_attribution is Chronos-Bolt's (for Chronos-T5: logit_attribution or "
                    "patching)", 3)
    if ablation == "patch":
        if source is None:
            raise Error("chronolens: quantile_attribution: ablation \"patch\" needs a source context", 3)
        clean = source
    elif source is not None:
        raise Error("chronolens: quantile_attribution: a source is for ablation \"patch\"", 3)
    else:
        clean = context
    g = patching(model, clean, context, hooks=hooks, metric="quantiles", ablation=ablation, progress=progress)
    out = PatchingGrid(np.asarray(g) - g.corrupted)
    out.axes, out.per_series, out.target = g.axes, g.per_series, None
    out.clean, out.corrupted = (g.corrupted if ablation != "patch" else g.clean), g.corrupted
    out.hooks, out.metric, out.quantiles = hooks, "quantile_change:" + ablation, g.quantiles
    return out


class PatchingGrid(np.ndarray):
    """A patching grid: a numpy array whose axes are .axes ("layer", "head", ["position"],
    ["quantile", "step"]); .clean and .corrupted the unpatched runs' metrics, .per_series
    every series' values (layers, heads, positions, B, width) (None from a Python metric),
    .target the tokens the T5 metrics read, .hooks and .metric what was run. to_pandas():
    one row per value, a column per axis then "value"."""

    def __new__(cls, a):
        return np.asarray(a).view(cls)

    def __array_finalize__(self, obj):
        for k in ("axes", "clean", "corrupted", "per_series", "target", "hooks", "metric", "quantiles"):
            setattr(self, k, getattr(obj, k, None))

    def table_columns(self):
        """{column: 1-D array}: one per axis (a quantile axis by its levels), then "value"."""
        a = np.asarray(self)
        axes = self.axes if self.axes and len(self.axes) == a.ndim else tuple("axis%d" % i for i in range(a.ndim))
        idx = np.indices(a.shape).reshape(a.ndim, -1)
        cols = {}
        for k, name in enumerate(axes):
            if name == "quantile" and self.quantiles:
                cols[name] = np.asarray(self.quantiles)[idx[k]]
            else:
                cols[name] = idx[k]
        cols["value"] = a.reshape(-1)
        return cols

    def to_pandas(self):
        """One row per value: a column per axis (layer, head, [position], [quantile (its
        level), step]) and "value". Imports pandas (python3-pandas)."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("chronolens: to_pandas needs pandas (Debian: apt install python3-pandas)") from e
        return pd.DataFrame(self.table_columns())

    def _repr_html_(self):
        from .tables import Table
        return Table._repr_html_(self)

    def _summary(self):
        return "PatchingGrid %s of %s (%s): clean %s, corrupted %s" % (
            "x".join(str(n) for n in self.shape), self.hooks, self.metric,
            np.round(self.clean, 4) if self.clean is not None else None,
            np.round(self.corrupted, 4) if self.corrupted is not None else None)


_Grid = PatchingGrid  # the earlier name
