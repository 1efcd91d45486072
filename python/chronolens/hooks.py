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

__all__ = ["Intervention", "ActivationCache", "logit_attribution", "patching", "zero_ablate", "mean_ablate", "resample_ablate", "set_activation",
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


def patching(model, clean, corrupted, hooks="decoder.{l}.cross_attn.hook_z", metric=None, *, decoder_ids=None,
             pos=None, **kw):
    """Activation patching over layer x head: one clean run's cache, then for every layer l and
    head h the corrupted run with that head's activation at `hooks` (a name with {l}: a per-head
    point, hook_z by default: the head's contribution) patched from the clean run, at positions
    `pos` (None: all). metric(output) -> a number per call (output: logits (B, Td, V) or Bolt's
    quantiles (B, Q, H)); default: the mean over series of the clean run's top token's
    log-probability at the last decoder position (T5) or minus the mean absolute change of
    the median from the clean run (Bolt). Returns (layers, heads) metric values; the clean and
    corrupted runs' metrics are the array's attributes .clean and .corrupted. Each cell is one
    forward pass in C (the interventions run in the engine). Chronos-2: hooks such as
    "encoder.{l}.group_attn.hook_z", output its quantile_preds, the default metric Bolt's;
    kw (group_ids, cross_learning, future_covariates) go to every pass."""
    c = model.config
    nl = c.num_layers if hooks.startswith("encoder") else c.num_decoder_layers
    names = [hooks.format(l=l) for l in range(nl)]
    clean_out, cache = model.run_with_cache(clean, decoder_ids=decoder_ids, names_filter=names, **kw)
    clean_out = np.array(clean_out)
    if metric is None:
        if c.family == "t5":
            top = clean_out[:, -1].argmax(-1)

            def metric(out):
                lp = out[:, -1] - np.logaddexp.reduce(out[:, -1].astype(np.float64), axis=-1)[:, None]
                return float(lp[np.arange(len(top)), top].mean())
        else:
            qi = len(c.quantiles) // 2

            def metric(out):
                return -float(np.abs(out[:, qi] - clean_out[:, qi]).mean())
    fwd = (lambda x, ivs: model.forward(x, decoder_ids, interventions=ivs, **kw))
    pick = (lambda r: r.logits if c.family == "t5" else r.quantiles)
    grid = np.empty((nl, c.num_heads))
    for l, n in enumerate(names):
        for h in range(c.num_heads):
            grid[l, h] = metric(pick(fwd(corrupted, [patch(n, cache[n], head=h, pos=pos)])))
    out = _Grid(grid)
    out.clean = metric(clean_out)
    out.corrupted = metric(pick(fwd(corrupted, None)))
    return out


class _Grid(np.ndarray):
    """(layers, heads) patching metrics with .clean and .corrupted."""

    def __new__(cls, a):
        return np.asarray(a).view(cls)
