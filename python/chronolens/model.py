"""The model: loading, tokenizer, forward passes with attention capture, head ablation, embed."""
import contextlib
import ctypes
import dataclasses
import math
import os
import pathlib
import sys
import warnings

import numpy as np

from . import _lib, _values
from . import hooks as _hooks
from ._args import c_int, int32_array
from ._lib import Error, call, lib
from .tables import Table

__all__ = ["Model", "ModelConfig", "ForwardResult", "load", "tokenize", "detokenize", "forward", "embed",
           "set_threads", "get_threads", "default_model_path", "STACKS"]

# stack names -> cl_stack
STACKS = {"enc": 0, "dec": 1, "cross": 2}
_ALIASES = {"enc": "enc", "encoder": "enc", "enc_self": "enc", "dec": "dec", "decoder": "dec", "dec_self": "dec",
            "cross": "cross", 0: "enc", 1: "dec", 2: "cross"}


def _stack(name):
    try:
        return _ALIASES[name.lower() if isinstance(name, str) else name]
    except (KeyError, AttributeError):
        raise Error("chronolens: stack %r is not one of enc, dec, cross" % (name,)) from None


def set_threads(n):
    """Sets the number of threads of the matrix products and the thread pool (n <= 0: all cores)."""
    lib.cl_set_threads(c_int(n, "threads"))


def get_threads():
    """The number of threads the library uses."""
    return lib.cl_get_threads()


def default_model_path():
    """The bundled model, or $CHRONOLENS_MODEL when set: models/chronos-nano beside the package
    (a pip-installed one carries it), else that of the checkout the package is imported from.
    Independent of $CHRONOLENS_LIB (where the libraries come from)."""
    env = os.environ.get("CHRONOLENS_MODEL")
    if env:
        return env
    here = pathlib.Path(__file__).resolve().parent
    installed = here / "models" / "chronos-nano"
    if (installed / "config.json").exists():
        return str(installed)
    return str(here.parents[1] / "models" / "chronos-nano")


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """The model's config.json as the library parsed it (T5 and chronos_config fields)."""
    vocab_size: int
    d_model: int
    d_kv: int
    num_heads: int
    d_ff: int
    num_layers: int
    num_decoder_layers: int
    num_buckets: int
    max_distance: int
    eps: float
    gated: int
    act_gelu: int
    tied: int
    decoder_start_token_id: int
    pad_token_id: int
    eos_token_id: int
    low_limit: float
    high_limit: float
    n_tokens: int
    n_special_tokens: int
    tok_pad_id: int
    tok_eos_id: int
    use_eos_token: int
    context_length: int
    prediction_length: int
    num_samples: int
    temperature: float
    top_p: float
    top_k: int
    # the family: "t5" (Chronos-T5), "bolt" (Chronos-Bolt, whose fields follow; 0 / () for T5) or
    # "chronos2" (Chronos-2)
    family: str = "t5"
    patch_size: int = 0
    patch_stride: int = 0
    use_reg_token: int = 0
    quantiles: tuple = ()
    # Chronos-2's own (0 for the others): future tokens of one pass, asinh of the normalised
    # values, RoPE's theta, the time encoding's scale
    max_output_patches: int = 0
    use_arcsinh: int = 0
    rope_theta: float = 0.0
    time_encoding_scale: float = 0.0

    def as_dict(self):
        """The fields as a plain dict."""
        return dataclasses.asdict(self)


class _ModelHandle:
    """Owns a cl_model and a few idle cl_states of it; freed with the last reference."""

    def __init__(self, ptr):
        self.ptr = ptr
        self.idle = []  # states no result refers to any more, ready for the next pass
        self._free_state, self._free_model = lib.cl_state_free, lib.cl_model_free

    def __del__(self):
        for p in self.idle:
            self._free_state(p)
        self.idle = []
        if self.ptr:
            self._free_model(self.ptr)
            self.ptr = None


class _StateHandle:
    """Owns a cl_state (scratch buffers, captured maps). When the last view of its memory
    goes, it returns to its model's idle list (at most _IDLE kept), so a loop of forward
    passes reuses two states instead of allocating one per pass."""

    _IDLE = 2

    def __init__(self, model):
        ptr = ctypes.c_void_p()
        if model.idle:
            ptr.value = model.idle.pop()
        else:
            call(lib.cl_state_new, model.ptr, ctypes.byref(ptr))
        self.ptr = ptr.value
        self.model = model  # the state runs this model: it must outlive the state

    def __del__(self):
        if self.ptr:
            if len(self.model.idle) < self._IDLE:
                self.model.idle.append(self.ptr)
            else:
                self.model._free_state(self.ptr)
            self.ptr = None


class _View:
    """Library memory as numpy sees it (__array_interface__), holding what owns the memory."""
    __slots__ = ("__array_interface__", "owner")

    def __init__(self, addr, shape, typestr, owner):
        self.__array_interface__ = {"data": (addr, True), "shape": tuple(shape), "typestr": typestr, "version": 3}
        self.owner = owner


def _wrap(addr, shape, ctype, dtype, owner):
    """A read-only numpy view of library memory at addr; the view keeps owner alive (the
    array's .base is a _View holding it)."""
    if math.prod(shape) == 0 or not addr:
        return np.zeros(shape, dtype)
    return np.asarray(_View(addr, shape, np.dtype(dtype).str, owner))


class ForwardResult(Table):
    """What one forward pass produced. Every array views the memory of the library state that
    computed it (no copy): the state stays alive, and is not reused by later passes, while any
    of these arrays (or this object) is referenced. Arrays are read-only; copy() to modify.

    Axes: B batch (series), T encoder position (pos), Td decoder position, d_model, vocab.
    token_ids (batch, pos) int32, attention_mask (batch, pos) uint8, scale (batch,) float32:
    the tokenizer's output (or the ids given); decoder_ids (batch, dec_pos) int32;
    encoder_hidden (batch, pos, d_model) (TransformerLens's residual layout); logits (batch,
    dec_pos, vocab) (or (batch, 1, vocab) with last_only). Chronos-Bolt: token_ids,
    decoder_ids and logits None; attention_mask (B, T) of the patches (+ [REG]); loc, scale (B)
    the instance norm; input_embeds and encoder_hidden (B, T, d_model); decoder_hidden
    (B, 1, d_model); quantiles (B, Q, prediction_length) in data units.

    Attention, one axis order everywhere (TransformerLens's for patterns, and the order of
    the per-layer tensors `chronolens forward` writes, enc_attn.L / dec_attn.L / cross_attn.L):
    per layer (batch, head, query_pos, key_pos). attn: {stack: (layer, batch, head, query_pos,
    key_pos)} for every captured stack ("enc", "dec", "cross"), the captured layers stacked
    first (as TransformerLens's cache.stack_activation), so attn[stack][i] is one layer;
    pattern(stack, layer) gives it by model layer, attention(stack, layer, head) one head
    (batch, query_pos, key_pos). selection: {stack: (layers, heads, rows)} the captured indices
    of the layer, head and query_pos axes (rows as asked: negative rows count from the end;
    None = all). to_pandas(): one row per captured weight (stack, layer, head, series, query,
    key, weight), by model indices."""

    def __init__(self):
        self.attn = {}
        self.selection = {}

    def pattern(self, stack, layer):
        """The maps of one layer, by model layer index: (batch, head, query_pos, key_pos), the
        order of the command's <stack>_attn.<layer> tensor (heads and query rows as captured)."""
        st = _stack(stack)
        if st not in self.attn:
            raise Error("chronolens: stack %s was not captured" % st)
        layers = self.selection[st][0]
        li = layer if layers is None else _index(layers, layer, "layer", st)
        if not 0 <= li < self.attn[st].shape[0]:
            raise Error("chronolens: %s layer %d is outside the capture (layers 0..%d)" % (st, layer,
                                                                                         self.attn[st].shape[0] - 1))
        return self.attn[st][li]

    def attention(self, stack, layer, head):
        """The map of one head: (batch, query_pos, key_pos), by model layer and head index."""
        st = _stack(stack)
        if st not in self.attn:
            raise Error("chronolens: stack %s was not captured" % st)
        layers, heads, _ = self.selection[st]
        a = self.attn[st]
        li = layer if layers is None else _index(layers, layer, "layer", st)
        hi = head if heads is None else _index(heads, head, "head", st)
        if not (0 <= li < a.shape[0] and 0 <= hi < a.shape[2]):
            raise Error("chronolens: %s layer %d head %d is outside the capture" % (st, layer, head))
        return a[li, :, hi]

    def _table_shape(self):  # without building the table of every weight
        return sum(a.size for a in self.attn.values()), ["stack", "layer", "head", "series", "query", "key", "weight"]


def _index(lst, v, what, st):
    try:
        return list(lst).index(v)
    except ValueError:
        raise Error("chronolens: %s %s %d was not captured" % (st, what, v)) from None


def _ints(x):  # values checked by _capture_specs
    a = np.ascontiguousarray(np.asarray(list(x), dtype=np.int32))
    return a, a.ctypes.data_as(ctypes.POINTER(ctypes.c_int))


class Model:
    """A loaded Chronos checkpoint (see chronolens.load). Attributes: path, config
    (ModelConfig), num_params, dtype ("F32", "BF16", "F16" or "mixed"), precision ("fp32" or
    "bf16": what its matrix products run in). One Model may be used from one thread at a time
    (forward passes share its state pool); load it again per thread."""

    def __init__(self, path=None, precision="fp32"):
        path = default_model_path() if path is None else os.fspath(path)
        p = ctypes.c_int()
        if not isinstance(precision, str) or lib.cl_precision_parse(precision.encode(), ctypes.byref(p)):
            raise Error("chronolens: precision %r: not fp32 or bf16" % (precision,))
        if p.value == 1 and not lib.cl_bf16_supported():
            warnings.warn("chronolens: precision bf16: this CPU has no AVX512-BF16 or AMX; running fp32", RuntimeWarning,
                          stacklevel=3)
        ptr = ctypes.c_void_p()
        opts = _lib.LoadOpts(p.value)
        call(lib.cl_model_load, path.encode(), ctypes.byref(opts), ctypes.byref(ptr))
        self._h = _ModelHandle(ptr.value)
        self.path = path
        self._cfg = lib.cl_model_config(self._h.ptr)
        c = self._cfg.contents
        fam = {n: getattr(c, n) for n in ("patch_size", "patch_stride", "use_reg_token", "max_output_patches",
                                          "use_arcsinh", "rope_theta", "time_encoding_scale")}
        self.config = ModelConfig(**{f.name: getattr(c, f.name) for f in dataclasses.fields(ModelConfig)
                                     if f.name not in fam and f.name not in ("family", "quantiles")},
                                  **fam, family={1: "bolt", 2: "chronos2"}.get(c.family, "t5"),
                                  quantiles=tuple(c.quantiles[:c.n_quantiles]))
        self.num_params = int(lib.cl_model_param_count(self._h.ptr))
        self.dtype = lib.cl_model_dtype(self._h.ptr).decode()
        self.precision = lib.cl_precision_name(lib.cl_model_precision(self._h.ptr)).decode()
        self._state = None
        self._gates = {}

    def __repr__(self):
        c = self.config
        if c.family == "chronos2":
            return "Model(%r, Chronos-2, %s, %d params, d_model %d, %d layers, %d heads)" % (
                self.path, self.dtype, self.num_params, c.d_model, c.num_layers, c.num_heads)
        return "Model(%r, %s, %d params, d_model %d, %d+%d layers, %d heads)" % (
            self.path, self.dtype, self.num_params, c.d_model, c.num_layers, c.num_decoder_layers, c.num_heads)

    # ---- states: the current one is reused while no result refers to it, else an idle one
    # (see _StateHandle) or a new one
    def _take_state(self):
        if self._state is None or sys.getrefcount(self._state) > 2:  # held by a live result
            self._state = _StateHandle(self._h)
        st = self._state
        lib.cl_state_reset_gates(st.ptr)
        for (s, l, h), g in self._gates.items():
            call(lib.cl_state_set_head_gate, st.ptr, STACKS[s], l, h, g)
        return st

    # ---- methods delegating to the module functions (same documentation)
    def tokenize(self, context):
        return tokenize(self, context)

    def detokenize(self, ids, scale):
        return detokenize(self, ids, scale)

    def forward(self, context=None, decoder_ids=None, capture=None, **kw):
        return forward(self, context, decoder_ids, capture, **kw)

    def embed(self, context, batch=16, interventions=None):
        return embed(self, context, batch, interventions)

    # ---- hooks (docs/python.md, "Hooks"; hooks.py)
    def hook_names(self):
        """The hook points of this model, in execution order, named as TransformerLens's
        HookedEncoderDecoder names them (hook_embed, encoder.{l}.attn.hook_z, ...)."""
        return _hooks.hook_names(self)

    def run_with_cache(self, context=None, *, decoder_ids=None, names_filter=None, interventions=None, **kw):
        """One forward pass keeping the activations names_filter selects (None: every hook
        point; a name, a list of names, or a callable name -> bool) -> (output, cache): output
        the logits (B, Td, V) (Chronos-T5), the quantiles (B, Q, H) (Chronos-Bolt) or
        quantile_preds (B, Q, N*patch) in data units (Chronos-2), cache an ActivationCache
        {name: array} in TransformerLens's layouts. Only what is asked is kept.
        interventions (and Model.ablate's gates) apply; other keywords go to forward
        (token_ids, attention_mask, last_only; Chronos-2: group_ids, cross_learning,
        future_covariates, num_output_patches)."""
        names = _hooks.select_names(self, names_filter)
        ivs = _hooks.interventions_of(self, interventions, gates=False)
        hs = _hooks.cache_set(self, ivs, names)
        r = forward(self, context, decoder_ids, None, _hooks=hs, **kw)
        arrays = {}
        for n in names:
            got = hs.cached(n)
            if got is not None:
                addr, shape, _ = got
                arrays[n] = _wrap(addr, shape, ctypes.c_float, np.float32, hs)
        return _output(self, r), _hooks.ActivationCache(self, arrays, hs)

    def run_with_hooks(self, context=None, *, fwd_hooks=(), decoder_ids=None, interventions=None, **kw):
        """One forward pass with Python callbacks: fwd_hooks [(name, fn)] (name a hook point
        or a callable name -> bool selecting several), fn(activation, hook) called with a
        writable float32 view of the activation (TransformerLens's layout) and a HookPoint
        (name, shape, pos0); it may edit it in place or return a replacement of its shape.
        Returns the output (logits (B, Td, V), Bolt's quantiles (B, Q, H), Chronos-2's
        quantile_preds (B, Q, N*patch)). The slower
        path: each call crosses ctypes on the calling thread; a declared intervention
        (zero_ablate, patch, ...) runs in C. An exception in fn stops the pass and is raised."""
        cbs = []
        for name, fn in fwd_hooks:
            for n in ([name] if isinstance(name, str) else _hooks.select_names(self, name)):
                cbs.append((n, fn))
        for n, _ in cbs:
            _hooks.select_names(self, n)  # an unknown name: the error naming it
        ivs = _hooks.interventions_of(self, interventions, gates=False)
        hs = _hooks.HookSet(self, ivs, callbacks=cbs)
        r = forward(self, context, decoder_ids, None, _hooks=hs, **kw)
        return _output(self, r).copy()

    def ablate(self, stack, layer, head, gate=0.0):
        """Context manager: head(s) `head` (an int or a list) of `layer` of `stack` ("enc",
        "dec", "cross") multiplied by `gate` (0 = ablated) before the output projection, in
        every forward and embed of this model inside the block; restored on exit. Nests.
        forecast (and the pipeline) apply it too, in every cached decoding step; the studies
        refuse to run under it.

            with model.ablate("cross", 1, 3):
                r = model.forward(ctx, capture="cross")"""
        return _ablate(self, stack, layer, head, gate)


def _output(model, r):
    """What run_with_cache / run_with_hooks return: T5's logits, Bolt's and Chronos-2's quantiles."""
    return r.logits if model.config.family == "t5" else r.quantiles


@contextlib.contextmanager
def _ablate(model, stack, layer, head, gate):
    st = _stack(stack)
    heads = [head] if isinstance(head, (int, np.integer)) else list(head)
    layer, heads = c_int(layer, "layer"), [c_int(h, "head") for h in heads]  # no wrapping into range
    probe = model._take_state()
    for h in heads:  # the library checks the indices (one-line error)
        call(lib.cl_state_set_head_gate, probe.ptr, STACKS[st], layer, h, float(gate))
    del probe
    saved = {}
    for h in heads:
        key = (st, layer, h)
        saved[key] = model._gates.get(key)
        model._gates[key] = float(gate)
    try:
        yield model
    finally:
        for key, prev in saved.items():
            if prev is None:
                model._gates.pop(key, None)
            else:
                model._gates[key] = prev


def load(path=None, precision="fp32"):
    """Loads a Chronos checkpoint folder (config.json + model.safetensors, or a sharded index)
    and returns a Model; path None = the bundled model (default_model_path()). precision:
    "fp32" (the exact path, default) or "bf16" (bf16 matrix products through oneDNN, fp32
    accumulation; docs/precision.md): every forward pass and study of the model runs in it;
    on a CPU without AVX512-BF16/AMX a RuntimeWarning and fp32 (Model.precision says which).
    Raises chronolens.Error with the library's message (missing folder, corrupt file, ...)."""
    return Model(path, precision)


def _context(context, model=None):
    """context (L,) or (B, L) (or a list of 1-D series of unequal lengths: left_pad) as the
    float32 array the library reads, checked by the library's
    own check of contexts (cl_context_check, as the commands check a context CSV): every value
    finite in float32 (NaN = missing) and, for `model`, each series' scale as it computes it."""
    if _series_list(context):
        context = left_pad(context)
    context = _values.values(context)  # text by the CSV reader's rule; no raw numpy error
    with np.errstate(over="ignore"):  # 1e39 becomes inf here; the library names the series
        x = np.asarray(context, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise Error("chronolens: context must be (L,) or (B, L) values, got shape %s" % (x.shape,))
    x = np.ascontiguousarray(x)
    B, L = c_int(x.shape[0], "context series"), c_int(x.shape[1], "context length")
    call(lib.cl_context_check, None if model is None else model._cfg, x, B, L, None, None)
    return x


def _series_list(context):
    """A list (or tuple, or object array) of series rather than one series or a 2-D array."""
    if isinstance(context, np.ndarray):
        return context.dtype.kind == "O" and context.ndim == 1 and context.size > 0 and not np.isscalar(context[0]) \
            and not isinstance(context[0], (str, bytes))
    return isinstance(context, (list, tuple)) and len(context) > 0 and not np.isscalar(context[0]) and \
        not isinstance(context[0], (str, bytes))


def left_pad(series):
    """A list of 1-D series of unequal lengths -> (B, max length) float64, each series
    left-padded with NaN (missing), as chronos-forecasting's left_pad_and_stack_1D."""
    rows = [np.asarray(_values.values(c, series=i), dtype=np.float64) for i, c in enumerate(series)]
    for i, r in enumerate(rows):
        if r.ndim != 1 or r.size == 0:
            raise Error("chronolens: context: series %d has shape %s; a list holds 1-D series of at least one "
                        "value" % (i, r.shape), 3)
    L = max(r.size for r in rows)
    x = np.full((len(rows), L), np.nan)
    for i, r in enumerate(rows):
        x[i, L - r.size:] = r
    return x


def tokenize(model, context):
    """MeanScaleUniformBins: context (L,) or (B, L) values (NaN = missing) ->
    (token_ids (B, T) int32, attention_mask (B, T) uint8, scale (B,) float32), keeping the last
    context_length values; T = min(L, context_length) + use_eos_token."""
    x = _context(context, model)
    B, L = x.shape
    T = lib.cl_tokenizer_length(model._cfg, L)
    ids = np.empty((B, T), np.int32)
    mask = np.empty((B, T), np.uint8)
    scale = np.empty(B, np.float32)
    call(lib.cl_tokenizer_encode, model._cfg, x, B, L, ids, mask, scale)
    return ids, mask, scale


def detokenize(model, ids, scale):
    """Token ids (T,) or (B, T) and scale (B,) (or a number) -> values of the same shape:
    center(id) * scale, clamped as the tokenizer decodes."""
    a = np.asarray(ids)
    one = a.ndim == 1
    a = int32_array(np.atleast_2d(a), "ids")
    s = np.broadcast_to(np.asarray(scale, np.float32).reshape(-1), (a.shape[0],))
    out = np.empty(a.shape, np.float32)
    for b in range(a.shape[0]):
        row = np.empty(a.shape[1], np.float32)
        lib.cl_tokenizer_decode(model._cfg, np.ascontiguousarray(a[b]), a.shape[1], float(s[b]), row)
        out[b] = row
    return out[0] if one else out


def _capture_specs(capture):
    """capture -> {stack: (layers, heads, rows)} with None = all."""
    if capture is None or capture is False:
        return {}
    if isinstance(capture, str) and capture == "all" or capture is True:
        return {s: (None, None, None) for s in STACKS}
    if isinstance(capture, (str, int)):
        capture = [capture]
    if isinstance(capture, dict):
        out = {}
        for k, v in capture.items():
            st = _stack(k)
            if v is True or v is None:
                out[st] = (None, None, None)
            elif isinstance(v, dict):
                bad = set(v) - {"layers", "heads", "rows"}
                if bad:
                    raise Error("chronolens: capture %s: unknown keys %s (layers, heads, rows)" % (st, sorted(bad)))
                out[st] = tuple(None if v.get(n) is None else
                                [c_int(i, "capture %s %s" % (st, n)) for i in np.atleast_1d(v[n])]
                                for n in ("layers", "heads", "rows"))
            else:
                raise Error("chronolens: capture %s: want True or a dict of layers/heads/rows" % st)
        return out
    return {_stack(s): (None, None, None) for s in capture}


def forward(model, context=None, decoder_ids=None, capture=None, *, token_ids=None, attention_mask=None,
            last_only=False, interventions=None, group_ids=None, cross_learning=False, future_covariates=None,
            num_output_patches=None, _hooks=None):
    """One encoder-decoder pass.

    context: (L,) or (B, L) values (NaN = missing), tokenized as Chronos does; or instead
    token_ids (B, T) with attention_mask (B, T) (default all 1), e.g. an RRT batch.
    decoder_ids: (B, Td) (or (Td,) for every series); None = [decoder_start_token_id].
    capture: which attention probabilities to keep —
      None (nothing), "all", a stack name or a list of them ("enc", "dec", "cross"), or a dict
      {stack: True | {"layers": [...], "heads": [...], "rows": [...]}} (None = all; a negative
      row r means Tq + r, so -2 is the encoder token before EOS).
    last_only: logits of the last decoder position only.
    interventions: Intervention objects (chronolens.zero_ablate(...), patch(...), ...) run
    in C at their hook points (docs/python.md, "Hooks").
    Head ablations of model.ablate() in force apply.
    Chronos-2 (chronolens.chronos2.forward): group_ids, cross_learning, future_covariates and
    num_output_patches as Chronos2Pipeline names them; capture "enc" (time attention), "group",
    "all".
    Returns a ForwardResult (arrays view the library's memory, see its documentation)."""
    cfg = model.config
    c2 = dict(group_ids=group_ids, cross_learning=cross_learning, future_covariates=future_covariates,
              num_output_patches=num_output_patches)
    if cfg.family != "t5":  # the patch families read values only
        if token_ids is not None or decoder_ids is not None or attention_mask is not None or last_only:
            raise Error("chronolens: forward: a %s model reads a context of values (no token_ids, attention_mask, "
                        "decoder_ids or last_only)" % ("Chronos-2" if cfg.family == "chronos2" else "Chronos-Bolt"))
        if context is None:
            raise Error("chronolens: forward needs a context")
        if cfg.family == "chronos2":
            from . import chronos2
            return chronos2.forward(model, context, capture, interventions=interventions, hooks=_hooks, **c2)
    if any(v is not None and v is not False for v in c2.values()):
        raise Error("chronolens: forward: group_ids, cross_learning, future_covariates and num_output_patches are "
                    "Chronos-2's (this is a %s model)" % ("Chronos-Bolt" if cfg.family == "bolt" else "Chronos-T5"))
    if cfg.family == "bolt":
        return _bolt_forward(model, context, capture, interventions, _hooks)
    if token_ids is not None:
        if context is not None:
            raise Error("chronolens: give context or token_ids, not both")
        # checked before the int32 conversion, which would wrap 2**32 + 5 into the vocabulary
        ids = int32_array(np.atleast_2d(np.asarray(token_ids)), "token_ids", 0, cfg.vocab_size - 1,
                          "the vocabulary [0, %d)" % cfg.vocab_size)
        mask = (np.ones(ids.shape, np.uint8) if attention_mask is None else
                int32_array(np.asarray(attention_mask).reshape(ids.shape), "attention_mask", 0, 1).astype(np.uint8))
        scale = np.ones(ids.shape[0], np.float32)
    elif context is not None:
        ids, mask, scale = tokenize(model, context)
    else:
        raise Error("chronolens: forward needs context or token_ids")
    B, T = ids.shape
    if decoder_ids is None:
        dec = np.full((B, 1), cfg.decoder_start_token_id, np.int32)
    else:
        dec = np.asarray(decoder_ids)
        if dec.ndim == 1:
            dec = np.broadcast_to(dec, (B, dec.shape[0]))
        if dec.ndim != 2 or dec.shape[0] != B or dec.shape[1] < 1:
            raise Error("chronolens: decoder_ids of shape %s for %d series" % (dec.shape, B))
        dec = int32_array(dec, "decoder_ids", 0, cfg.vocab_size - 1, "the vocabulary [0, %d)" % cfg.vocab_size)
    specs = _capture_specs(capture)
    hs = _hooks if _hooks is not None else _hook_set(model, interventions)
    st = model._take_state()
    _set_captures(st, specs)
    with _attached(st, hs), _lib.interruptible(state=st.ptr):  # Ctrl-C stops the pass between layers
        call(lib.cl_encode, st.ptr, ids, mask, B, T)
        call(lib.cl_decode, st.ptr, dec, dec.shape[1], int(bool(last_only)))
    r = ForwardResult()
    r.token_ids, r.attention_mask, r.scale, r.decoder_ids = ids, mask, scale, dec
    r.encoder_hidden = _wrap(lib.cl_state_encoder_hidden(st.ptr, None, None), (B, T, cfg.d_model),
                             ctypes.c_float, np.float32, st)
    lb, lt, lv = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    addr = lib.cl_state_logits(st.ptr, ctypes.byref(lb), ctypes.byref(lt), ctypes.byref(lv))
    r.logits = _wrap(addr, (lb.value, lt.value, lv.value), ctypes.c_float, np.float32, st)
    _get_captures(r, st, specs)
    return r


def _set_captures(st, specs):
    for name, code in STACKS.items():
        spec = _lib.CaptureSpec()
        keep = []  # the index arrays live until the library copied them
        if name in specs:
            spec.enabled = 1
            for field, lst in zip(("layers", "heads", "rows"), specs[name]):
                if lst is not None:
                    arr, ptr = _ints(lst)
                    keep.append(arr)
                    setattr(spec, "n_" + field, len(lst))
                    setattr(spec, field, ptr)
        call(lib.cl_state_set_capture, st.ptr, code, ctypes.byref(spec))


def _get_captures(r, st, specs):
    for name in specs:
        shape = (ctypes.c_int * 5)()
        addr = lib.cl_state_attn(st.ptr, STACKS[name], shape)
        if addr:
            r.attn[name] = _wrap(addr, tuple(shape), ctypes.c_float, np.float32, st)
            r.selection[name] = specs[name]
    r._state = st


@contextlib.contextmanager
def _attached(st, hs):
    """The hook set hs (None: none) on state st for a pass; a Python callback's exception
    raised instead of the library's "stopped" error."""
    if hs is None:
        yield
        return
    hs.rows(0, 1)
    _hooks.lib.cl_state_set_hooks(st.ptr, hs.ptr)
    try:
        yield
    except Error:
        hs.raise_error()
        raise
    finally:
        _hooks.lib.cl_state_set_hooks(st.ptr, None)


def _hook_set(model, interventions):
    ivs = _hooks.interventions_of(model, interventions, gates=False)  # the state carries the gates
    return _hooks.HookSet(model, ivs) if ivs else None


def _bolt_forward(model, context, capture, interventions=None, hs=None):
    """Chronos-Bolt: instance norm, patches, encoder, the one-query decoder, the quantile head."""
    cfg = model.config
    x = _context(context, model)
    B, L = x.shape
    T = lib.cl_bolt_num_tokens(model._cfg, L)
    specs = _capture_specs(capture)
    hs = hs if hs is not None else _hook_set(model, interventions)
    st = model._take_state()
    _set_captures(st, specs)
    with _attached(st, hs), _lib.interruptible(state=st.ptr):
        call(lib.cl_bolt_forward, st.ptr, x, B, L)
    d, H = cfg.d_model, cfg.prediction_length
    f32 = lambda fn, shape: _wrap(fn(st.ptr), shape, ctypes.c_float, np.float32, st)
    r = ForwardResult()
    r.token_ids = r.decoder_ids = r.logits = None
    r.attention_mask = _wrap(lib.cl_bolt_mask(st.ptr), (B, T), ctypes.c_uint8, np.uint8, st)
    r.loc, r.scale = f32(lib.cl_bolt_loc, (B,)), f32(lib.cl_bolt_scale, (B,))
    r.input_embeds = f32(lib.cl_bolt_input_embeds, (B, T, d))
    r.encoder_hidden = _wrap(lib.cl_state_encoder_hidden(st.ptr, None, None), (B, T, d), ctypes.c_float,
                             np.float32, st)
    r.decoder_hidden = f32(lib.cl_bolt_decoder_hidden, (B, 1, d))
    r.quantiles = f32(lib.cl_bolt_quantiles, (B, len(cfg.quantiles), H))
    _get_captures(r, st, specs)
    return r


def embed(model, context, batch=16, interventions=None):
    """ChronosPipeline.embed: the encoder's last hidden state of every series.
    context (L,) or (B, L) -> (embeddings (B, T, d_model) float32 (EOS included), scale (B,)),
    `batch` series per encoder pass. Head ablations in force and `interventions` apply.
    Chronos-Bolt (ChronosBoltPipeline.embed, chronolens embed): T = patches (+ [REG]) and
    scale (B, 2) = (loc, scale) of the instance norm. Chronos-2 (Chronos2Pipeline.embed): each
    series its own task, T = patches + [REG] + the masked output token, scale (B, 2) as Bolt's."""
    batch = c_int(batch, "batch")
    if batch < 1:
        raise Error("chronolens: embed batch %d: must be >= 1" % batch)
    if model.config.family == "chronos2":
        from . import chronos2
        return chronos2.embed(model, context, int(batch), interventions)
    hs = _hook_set(model, interventions)
    if model.config.family == "bolt":
        return _bolt_embed(model, context, int(batch), hs)
    ids, mask, scale = tokenize(model, context)
    B, T = ids.shape
    d = model.config.d_model
    out = np.empty((B, T, d), np.float32)
    st = model._take_state()
    for spec_stack in STACKS.values():
        call(lib.cl_state_set_capture, st.ptr, spec_stack, ctypes.byref(_lib.CaptureSpec()))
    for b0 in range(0, B, int(batch)):
        nb = min(int(batch), B - b0)
        with _attached(st, hs), _lib.interruptible(state=st.ptr):  # Ctrl-C stops the pass between layers
            if hs is not None:
                hs.rows(b0, 1)  # series b0.. of the context: what a patch's source rows are
            call(lib.cl_encode, st.ptr, np.ascontiguousarray(ids[b0:b0 + nb]),
                 np.ascontiguousarray(mask[b0:b0 + nb]), nb, T)
        out[b0:b0 + nb] = _wrap(lib.cl_state_encoder_hidden(st.ptr, None, None), (nb, T, d), ctypes.c_float,
                                np.float32, st)
    return out, scale


def _bolt_embed(model, context, batch, hs=None):
    x = _context(context, model)
    B, L = x.shape
    T, d = lib.cl_bolt_num_tokens(model._cfg, L), model.config.d_model
    out = np.empty((B, T, d), np.float32)
    scale = np.empty((B, 2), np.float32)
    st = model._take_state()
    _set_captures(st, {})
    for b0 in range(0, B, batch):
        nb = min(batch, B - b0)
        with _attached(st, hs), _lib.interruptible(state=st.ptr):
            if hs is not None:
                hs.rows(b0, 1)
            call(lib.cl_bolt_encode, st.ptr, np.ascontiguousarray(x[b0:b0 + nb]), nb, L)
        out[b0:b0 + nb] = _wrap(lib.cl_state_encoder_hidden(st.ptr, None, None), (nb, T, d), ctypes.c_float,
                                np.float32, st)
        scale[b0:b0 + nb, 0] = _wrap(lib.cl_bolt_loc(st.ptr), (nb,), ctypes.c_float, np.float32, st)
        scale[b0:b0 + nb, 1] = _wrap(lib.cl_bolt_scale(st.ptr), (nb,), ctypes.c_float, np.float32, st)
    return out, scale


Model.tokenize.__doc__ = tokenize.__doc__
Model.detokenize.__doc__ = detokenize.__doc__
Model.forward.__doc__ = forward.__doc__
Model.embed.__doc__ = embed.__doc__
