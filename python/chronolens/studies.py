"""The studies (method.md §1-3, §5) through the public study functions of
libchronolens_study.so (cl_induction_run, cl_sweep_run, cl_multisine_run_models, ...): the
package fills their options structs (_structs.py, after the study's cl_*_default) and reads
their typed results; the same library code as the commands, so the numbers equal the
commands' files for the same inputs and seed. Every result's arrays are numpy arrays owned by
Python."""
import ctypes
import dataclasses
import math
import os
import time

import numpy as np

from . import _lib, _structs as cs
from ._args import c_int, c_seed, int32_array
from ._lib import CL_EINVAL, Error, call, slib
from .tables import Table, model_name

__all__ = ["Stat", "Count", "InductionResult", "SweepResult", "MultisineResult", "MultisineSweepResult",
           "ForecastResult", "Claim", "rrt_band", "rrt_batch", "induction", "sweep", "multisine",
           "multisine_sweep", "forecast", "chronos2_forecast", "read_long_csv", "parrot", "claims", "CRITERIA"]

CRITERIA = ("current", "right", "any")


@dataclasses.dataclass
class Stat:
    """A score per head: mean over all seeds x batch values, sample std over them, and the
    sample std of the per-seed means (0 for one seed). Arrays (layer, head)."""
    mean: np.ndarray
    std: np.ndarray
    seed_std: np.ndarray


@dataclasses.dataclass
class Count:
    """A count of heads: n heads whose mean score reaches the threshold; mean and std over the
    seeds of the per-seed counts."""
    n: int
    mean: float
    std: float


def _stat(a, L, H):  # (L*H, 3) -> Stat of (L, H)
    a = a.reshape(L, H, 3)
    return Stat(a[..., 0].copy(), a[..., 1].copy(), a[..., 2].copy())


def _counts(a):  # (3, 3) -> {criterion: Count}
    return {c: Count(int(a[k, 0]) if not math.isnan(a[k, 0]) else None, float(a[k, 1]), float(a[k, 2]))
            for k, c in enumerate(CRITERIA)}


def _invalid(message):
    """An invalid argument found before the library runs (the check the study leaves to its
    callers, as the commands' option parsers make it): the library's status CL_EINVAL."""
    raise Error(message, CL_EINVAL)


def _no_ablation(model, what):
    """The studies and embed_series run on states of their own, which do not carry the head
    gates of `model.ablate`: an ablation they dropped would read as a false null ("ablating
    the head changes nothing"), so it is refused until they apply it (forecast does: its
    hook set carries the gates, hooks.py)."""
    if model._gates:
        gated = ", ".join("%s layer %d head %d" % k for k in sorted(model._gates))
        _invalid("chronolens: %s does not apply head ablations (in force: %s); run it outside "
                 "`with model.ablate(...)`, or use Model.forward / Model.embed / forecast, which do" % (what, gated))


def _stats(ptr, n):  # cl_stat (n) -> (n, 3): mean, std, seed_std; NaN where the library has none
    if not ptr:
        return np.full((n, 3), np.nan)
    return cs.array(ctypes.cast(ptr, cs.P(cs.c_double)), (n, 3))  # three doubles, no padding


def _count_rows(counts):  # cl_count[3] -> (3, 3): n, mean, std per criterion
    return np.array([[c.n, c.mean, c.std] for c in counts], dtype=np.float64)


@dataclasses.dataclass(repr=False)
class InductionResult(Table):
    """The induction study (docs/induction.md). Every score array is (layer, head): the
    decoder's cross-attention heads (layers, heads), the encoder's (enc_layers, heads).
    current, right: Stat of the attention at the current token m / the token to its right;
    ablation: Stat of Δ log p(s_2) with the head gated to 0 (None unless strict);
    copying: Stat of the copying score (None unless strict);
    enc_current, enc_right: the encoder self-attention scores;
    above_current, above_right, strict_current, strict_right (bool, cross);
    enc_above_current, enc_above_right (bool, encoder);
    counts: {"cross"|"encoder"|"strict": {"current"|"right"|"any": Count}};
    token_range, threshold, seeds, strict, seconds (wall time of the run);
    model: the model's name in the command's files; current_all, right_all: Stat over every
    occurrence of the repeat (cross); current_occurrences, right_occurrences (layers, heads,
    reps): the mean per occurrence k = 0..reps-1.
    to_pandas(): the rows and columns of induction.csv (cross heads, then encoder heads)."""
    layers: int
    heads: int
    enc_layers: int
    current: Stat
    right: Stat
    ablation: Stat
    copying: Stat
    enc_current: Stat
    enc_right: Stat
    above_current: np.ndarray
    above_right: np.ndarray
    strict_current: np.ndarray
    strict_right: np.ndarray
    enc_above_current: np.ndarray
    enc_above_right: np.ndarray
    counts: dict
    token_range: tuple
    threshold: float
    seeds: int
    strict: bool
    seconds: float
    model: str = None
    current_all: Stat = None
    right_all: Stat = None
    current_occurrences: np.ndarray = None
    right_occurrences: np.ndarray = None

    @property
    def score(self):
        """max(current.mean, right.mean) per cross head (layers, heads): the ranking score."""
        return np.maximum(self.current.mean, self.right.mean)

    def top_heads(self, k=5):
        """The k cross-attention heads of highest score: [(layer, head, score), ...]."""
        s = self.score
        order = np.argsort(-s, axis=None, kind="stable")[:k]
        return [(int(i // self.heads), int(i % self.heads), float(s.flat[i])) for i in order]


def _model_ptr(model, what):
    """The model's handle for a study of Chronos-T5 models only: a Chronos-Bolt model is the
    error the commands give (cl_model_require_t5)."""
    call(_lib.lib.cl_model_require_t5, model._h.ptr, model.path.encode(), what.encode())
    return model._h.ptr


def _tok(model, token_range):
    if token_range is None:
        return None
    lo, hi = token_range
    return c_int(lo, "token_range"), c_int(hi, "token_range")


def _induction_opts(model, seq_len, reps, batch, seed, token_range, seeds=1, threshold=0.3, strict=False):
    """cl_induction_opts: the study's defaults for the model (cl_induction_default: its token
    band), then the arguments; token_range (lo, hi) replaces the band."""
    o = cs.InductionOpts()
    err = _lib.ClError()
    bolt = model.config.family == "bolt"
    if bolt and token_range is not None:
        _invalid("rrt: token_range: a Chronos-Bolt model reads repeated random patches, not tokens")
    # a Bolt config has no token band (the defaults before it are set): the patches need none
    if slib.cl_induction_default(model._cfg, ctypes.byref(o), ctypes.byref(err)) and token_range is None and not bolt:
        raise Error(err.msg.decode("utf-8", "replace"), err.code)  # no band: a range must be given
    if batch < 1:
        _invalid("rrt: batch %d: must be >= 1" % batch)
    o.rrt.seq_len, o.rrt.reps, o.rrt.batch, o.rrt.seed = seq_len, reps, batch, seed
    if token_range is not None:
        lo, hi = token_range
        if hi <= lo:
            _invalid("rrt: token range %d:%d is not LO:HI with LO < HI" % (lo, hi))
        o.rrt.tok_lo, o.rrt.tok_hi = lo, hi
    o.seeds, o.threshold, o.strict = seeds, threshold, int(bool(strict))
    return o


def _rrt_fits(model, o, reps=None, lens=None):
    """The commands' check that the longest RRT input (R x L + 1 values) fits the model's
    context_length, which the tokenizer would otherwise silently cut: cl_induction_study_check
    (o: cl_induction_opts), or cl_sweep_study_check over the grid reps x lens. The model is
    named by its path, as the commands name it."""
    info = cs.StudyModel()
    info.name, info.path = model_name(model).encode()[:255], os.fsencode(model.path)[:4095]
    ms = (cs.c_void_p * 1)(model._h.ptr)
    if reps is None:
        so = cs.InductionStudyOpts()
        slib.cl_induction_study_default(ctypes.byref(so))
        so.base = o
        call(slib.cl_induction_study_check, ms, ctypes.byref(info), 1, ctypes.byref(so))
        return
    so = cs.SweepStudyOpts()
    slib.cl_sweep_study_default(ctypes.byref(so))
    so.base.base = o
    n_r, n_l = min(len(reps), cs.SWEEP_MAX_GRID), min(len(lens), cs.SWEEP_MAX_GRID)
    so.n_reps, so.n_lens, so.skip_unfit = n_r, n_l, 0
    so.reps[:n_r], so.lens[:n_l] = [int(v) for v in reps[:n_r]], [int(v) for v in lens[:n_l]]
    call(slib.cl_sweep_study_check, ms, ctypes.byref(info), 1, ctypes.byref(so))


def rrt_band(model):
    """The token ids (lo, hi) of the RRT study's value band for the model's vocabulary."""
    _model_ptr(model, "the RRT test")
    o = cs.InductionOpts()
    call(slib.cl_induction_default, model._cfg, ctypes.byref(o))
    return o.rrt.tok_lo, o.rrt.tok_hi


def rrt_batch(model, seq_len=10, reps=2, batch=100, seed=0, token_range=None):
    """One batch of repeated random tokens (method.md §2), as the induction study draws it:
    (token_ids (batch, reps*seq_len + 2) `S .. S s_0 EOS`, attention_mask (all 1),
    decoder_ids (batch, 2) = [decoder start, s_1]). token_range (lo, hi): default the band."""
    # sizes clamped at 0 so that the library, not numpy, reports bad values
    seq_len, reps, batch, seed = c_int(seq_len, "seq_len"), c_int(reps, "reps"), c_int(batch, "batch"), c_seed(seed)
    T, B = max(0, reps * seq_len + 2), max(0, batch)
    enc = np.empty((B, T), np.int32)
    mask = np.empty((B, T), np.uint8)
    dec = np.empty((B, 2), np.int32)
    tr = _tok(model, token_range)
    _model_ptr(model, "the RRT test")
    o = _induction_opts(model, seq_len, reps, batch, seed, tr)
    call(slib.cl_rrt_make, model._cfg, ctypes.byref(o.rrt), enc.ctypes.data, mask.ctypes.data, dec.ctypes.data)
    return enc, mask, dec


def induction(model, seq_len=10, reps=2, batch=100, seed=0, seeds=1, threshold=0.3, strict=True,
              token_range=None, progress=None):
    """The induction-head study with repeated random tokens (chronolens induction, one model):
    per-head cross-attention and encoder scores, counts, and with strict the ablation and
    copying scores. A Chronos-Bolt model runs repeated random patches (positions are patch
    indices; ablation = change of the first-step median's error; no copying score, token_range
    None; docs/induction.md). progress: None, True (stderr) or f(done, total) over forward passes.
    Returns an InductionResult; equals induction.csv/json of the command for the same options."""
    c = model.config
    L, H, Le = c.num_decoder_layers, c.num_heads, c.num_layers
    n, ne = L * H, Le * H
    tr = _tok(model, token_range)
    t0 = time.perf_counter()
    _no_ablation(model, "induction")
    mp = model._h.ptr  # either family: Chronos-Bolt runs repeated random patches (docs/induction.md)
    o = _induction_opts(model, c_int(seq_len, "seq_len"), c_int(reps, "reps"), c_int(batch, "batch"), c_seed(seed), tr,
                        c_int(seeds, "seeds"), float(threshold), strict)
    _rrt_fits(model, o)
    r = cs.InductionResult()
    with _lib.interruptible(progress, "induction") as run:
        o.progress = run.progress
        call(slib.cl_induction_run, mp, ctypes.byref(o), ctypes.byref(r))
    try:
        cross = [_stats(p, n) for p in (r.cur, r.right, r.ablate, r.copy)]
        enc = [_stats(p, ne) for p in (r.enc_cur, r.enc_right)]
        counts = [_count_rows(r.cross), _count_rows(r.enc),
                  _count_rows(r.strict_count) if r.strict else np.full((3, 3), np.nan)]
        rp = ctypes.byref(r)
        cf = np.array([[f(rp, i, k) for f, k in ((slib.cl_induction_above, cs.CUR), (slib.cl_induction_above, cs.RIGHT),
                                                  (slib.cl_induction_strict, cs.CUR), (slib.cl_induction_strict, cs.RIGHT))]
                       for i in range(n)], np.uint8).reshape(n, 4)
        ef = np.array([[slib.cl_induction_enc_above(rp, i, k) for k in (cs.CUR, cs.RIGHT)] for i in range(ne)],
                      np.uint8).reshape(ne, 2)
        tok_range = None if r.bolt else (r.tok_lo, r.tok_hi)
        every = [_stats(p, n) for p in (r.cur_all, r.right_all)]
        R = int(r.reps)
        occ = [cs.array(p, (n, R)).reshape(L, H, R).copy() if p and R > 0 else None for p in (r.occ_cur, r.occ_right)]
        bolt = bool(r.bolt)
    finally:
        slib.cl_induction_free(ctypes.byref(r))
    secs = time.perf_counter() - t0
    cnt = {"cross": _counts(counts[0]), "encoder": _counts(counts[1])}
    if strict:
        cnt["strict"] = _counts(counts[2])
    return InductionResult(
        layers=L, heads=H, enc_layers=Le,
        current=_stat(cross[0], L, H), right=_stat(cross[1], L, H),
        ablation=_stat(cross[2], L, H) if strict else None,
        copying=_stat(cross[3], L, H) if strict and not bolt else None,
        enc_current=_stat(enc[0], Le, H), enc_right=_stat(enc[1], Le, H),
        above_current=cf[:, 0].reshape(L, H).astype(bool), above_right=cf[:, 1].reshape(L, H).astype(bool),
        strict_current=cf[:, 2].reshape(L, H).astype(bool), strict_right=cf[:, 3].reshape(L, H).astype(bool),
        enc_above_current=ef[:, 0].reshape(Le, H).astype(bool), enc_above_right=ef[:, 1].reshape(Le, H).astype(bool),
        counts=cnt, token_range=tok_range, threshold=float(threshold), seeds=int(seeds), strict=bool(strict),
        seconds=secs, model=model_name(model), current_all=_stat(every[0], L, H), right_all=_stat(every[1], L, H),
        current_occurrences=occ[0], right_occurrences=occ[1])


@dataclasses.dataclass(repr=False)
class SweepResult(Table):
    """The R x L sweep: reps (nr,), lens (nl,); cross and encoder: head counts (nr, nl, 3, 3)
    with axes (repetitions R, sequence length L, criterion (current, right, any), statistic
    (n, mean over seeds, std over seeds)); e.g. cross[i, j, 2, 0] = n cross heads at R =
    reps[i], L = lens[j] by either criterion. extra: {uniform_level, cross_baseline_any_n,
    cross_total_n, cross_all_any_n, cross_all_right_n}, each (nr, nl) (cl_sweep_cell_extra).
    to_pandas(): the rows and columns of sweep.csv (one row per cell, R-major)."""
    reps: np.ndarray
    lens: np.ndarray
    cross: np.ndarray
    encoder: np.ndarray
    model: str = None
    extra: dict = None

    def count(self, stack="cross", criterion="any", what="n"):
        """(nr, nl) array of one count: stack "cross"/"encoder", criterion, what n/mean/std."""
        a = self.cross if stack == "cross" else self.encoder
        return a[:, :, CRITERIA.index(criterion), ("n", "mean", "std").index(what)]


def sweep(model, reps=(2, 4, 6, 8, 10), lens=(2, 4, 6, 8, 10), batch=100, seed=0, seeds=1, threshold=0.3,
          token_range=None, progress=None):
    """The repetitions x sequence-length sweep of the induction test (chronolens sweep, one
    model): head counts per (R, L) cell. progress over cells. Returns a SweepResult."""
    r = int32_array(reps, "reps").reshape(-1)
    l = int32_array(lens, "lens").reshape(-1)
    tr = _tok(model, token_range)
    _no_ablation(model, "sweep")
    mp = model._h.ptr  # either family (Chronos-Bolt: repeated random patches)
    o = cs.SweepOpts()
    # L and R are set per cell; 10 and 2 only pass the option check
    o.base = _induction_opts(model, 10, 2, c_int(batch, "batch"), c_seed(seed), tr, c_int(seeds, "seeds"),
                             float(threshold))
    o.n_reps, o.n_lens = len(r), len(l)
    o.reps, o.lens = r.ctypes.data_as(cs.P(cs.c_int)), l.ctypes.data_as(cs.P(cs.c_int))
    _rrt_fits(model, o.base, r, l)
    res = cs.SweepResult()
    with _lib.interruptible(progress, "sweep") as run:
        o.base.progress = run.progress
        call(slib.cl_sweep_run, mp, ctypes.byref(o), ctypes.byref(res))
    try:
        cells = [res.cells[i] for i in range(len(r) * len(l))]
        counts = np.array([[_count_rows(x.cross), _count_rows(x.enc)] for x in cells]).reshape(len(r), len(l), 2, 3, 3)
        ex = [slib.cl_sweep_cell_extra(ctypes.byref(x), float(threshold)) for x in cells]
        extra = {k: np.array([getattr(e, f) for e in ex]).reshape(len(r), len(l))
                 for k, f in (("uniform_level", "inv_t"), ("cross_baseline_any_n", "baseline_any"),
                              ("cross_total_n", "total"), ("cross_all_any_n", "all_any"),
                              ("cross_all_right_n", "all_right"))}
    finally:
        slib.cl_sweep_free(ctypes.byref(res))
    return SweepResult(reps=r, lens=l, cross=counts[:, :, 0].copy(), encoder=counts[:, :, 1].copy(),
                       model=model_name(model), extra=extra)


_HEAD_FIELDS = ("amplitude", "peak", "periodic", "strength", "spacing_hz", "quefrency_s", "context_mass", "max_share")


@dataclasses.dataclass(repr=False)
class MultisineResult(Table):
    """The multisine study of one model (docs/multisine.md). The arrays of the command's
    <model>-spectra.safetensors: series, series_spectrum, frequency_hz, quefrency_s (points,);
    attention, spectrum, double_fft, double_fft_nodc (layer, head, point): the decoder-start
    query's cross-attention over the context points of each decoder head, and its spectra over
    the frequency_hz / quefrency_s axis. heads: the columns of multisine.csv per head, (layer,
    head) arrays: amplitude, peak, periodic (bool), strength, spacing_hz, quefrency_s, error_hz,
    induction_score, induction_current, induction_right, context_mass, max_share. rho, p: Spearman(amplitude, induction score) and its permutation p-value;
    smallest_gap_hz; periodic_heads, heads_at_smallest_gap (within 1/duration). Chronos-Bolt:
    points and duration as run (context_length values at the asked rate, method.md §4.2), one
    attention sample per patch (attention .. double_fft_nodc, frequency_hz, quefrency_s: the
    patches), as the command's files. model: its name in the files. to_pandas(): the rows and
    columns of multisine.csv."""
    freqs: np.ndarray
    amps: np.ndarray
    phases: np.ndarray
    points: int
    duration: float
    series: np.ndarray
    series_spectrum: np.ndarray
    frequency_hz: np.ndarray
    quefrency_s: np.ndarray
    attention: np.ndarray
    spectrum: np.ndarray
    double_fft: np.ndarray
    double_fft_nodc: np.ndarray
    heads: dict
    rho: float
    p: float
    smallest_gap_hz: float
    periodic_heads: int
    heads_at_smallest_gap: int
    model: str = None


def _spacing(min_strength, harmonic_ratio, permutations, study):
    """cl_spacing_opts of the arguments, checked as the commands check their options."""
    if not 0 <= min_strength <= 1:
        _invalid("%s: min_strength %g is not in [0, 1]" % (study, min_strength))
    if not 0 <= harmonic_ratio <= 1:
        _invalid("%s: harmonic_ratio %g is not in [0, 1]" % (study, harmonic_ratio))
    if permutations < 0:
        _invalid("%s: permutations %d: must be >= 0" % (study, permutations))
    return cs.SpacingOpts(min_strength, harmonic_ratio)


def _head_table(h):  # cl_ms_head (N) -> (N, 8) of _HEAD_FIELDS
    return np.stack([h["amplitude"], h["peak"], h["sp"]["periodic"].astype(np.float64), h["sp"]["strength"],
                     h["sp"]["spacing_hz"], h["sp"]["quefrency_s"], h["mass"], h["max_share"]], axis=1)


def _fftfreq(n, d):
    """numpy.fft.fftfreq(n, d) as the library computes it (cl_fftfreq): k / (n d)."""
    k = np.arange(n, dtype=np.float64)
    k[(n + 1) // 2:] -= n
    return k / (n * d)


def _smallest_gap(freqs):
    f = np.sort(np.asarray(freqs, float))
    return float(np.min(np.diff(f))) if len(f) > 1 else float("nan")


def _fit_input(c, points, duration):
    """The input's points and duration as the commands choose them (method.md §3): the
    reference's 301 points over 3 s, cut at the same rate to a shorter context_length when
    neither is given; given values are used as they are (a too long input is refused)."""
    if points is None and duration is None:
        n = min(301, int(c.context_length))
        return n, 3.0 * n / 301
    return (301 if points is None else c_int(points, "points")), (3.0 if duration is None else float(duration))


def multisine(model, freqs=(5, 10, 20, 40), amps=None, phases=None, points=None, duration=None, noise=0.0, seed=0,
              permutations=10000, min_strength=0.3, harmonic_ratio=0.5):
    """The attention spectra of a multisine input (chronolens multisine, one model): per
    decoder head, the decoder-start cross-attention over the context, its spectrum, double
    FFT, detected spacing and spectral amplitude, and Spearman(amplitude, induction score).
    amps default: the reference amplitudes (1, .5, .25, .25) for the reference frequencies,
    else 1; phases default 0. Returns a MultisineResult."""
    f = np.ascontiguousarray(freqs, dtype=np.float64).reshape(-1)
    ref = (5, 10, 20, 40)
    if amps is None:
        amps = (1, 0.5, 0.25, 0.25) if f.tolist() == list(ref) else np.ones(len(f))
    a = np.ascontiguousarray(amps, dtype=np.float64).reshape(-1)
    ph = np.ascontiguousarray(np.zeros(len(f)) if phases is None else phases, dtype=np.float64).reshape(-1)
    if len(a) != len(f) or len(ph) != len(f):
        raise Error("chronolens: multisine: %d frequencies, %d amplitudes, %d phases" % (len(f), len(a), len(ph)))
    c = model.config
    points, duration = _fit_input(c, points, duration)
    L, H, n = c.num_decoder_layers, c.num_heads, int(points)
    LH = L * H
    # the input is checked by the study as the command's is (the context, then
    # cl_multisine_check: points, duration, noise, the number of frequencies, Nyquist,
    # repeats); the arrays hold at most MS_MAX_FREQS, and the check refuses more unread
    k = min(len(f), cs.MS_MAX_FREQS)
    ms_input = cs.Multisine(len(f), (cs.c_double * cs.MS_MAX_FREQS)(*f[:k]), (cs.c_double * cs.MS_MAX_FREQS)(*a[:k]),
                            (cs.c_double * cs.MS_MAX_FREQS)(*ph[:k]), n, float(duration), float(noise))
    _no_ablation(model, "multisine")
    mp = model._h.ptr  # either family: Chronos-Bolt reads the input at its patch rate (method.md §4.2)
    o = cs.MultisineOpts()
    slib.cl_multisine_default(ctypes.byref(o))
    o.fit_context = 0  # the input as given (_fit_input fitted the defaults to the model)
    seed, permutations = c_seed(seed), c_int(permutations, "permutations")
    o.spacing = _spacing(float(min_strength), float(harmonic_ratio), permutations, "multisine")
    o.input = ms_input
    o.seed, o.permutations = seed, permutations
    res = cs.MultisineResult()
    call(slib.cl_multisine_run_models, (cs.c_void_p * 1)(mp), (cs.c_char_p * 1)(model.path.encode()), 1,
         ctypes.byref(o), ctypes.byref(res))
    try:
        # as run: a Chronos-Bolt model reads its own input (cl_bolt_ms_input: context_length
        # values at the same rate) and gives one attention sample per patch (sig_points)
        n, duration, ns = res.opts.input.points, res.opts.input.duration, res.sig_points
        x = res.res[0]
        series, smag = cs.array(res.series, (n,)), cs.array(res.series_mag, (n,))
        arrays = np.stack([cs.array(p, (LH, ns)) for p in (x.arr.attn, x.arr.mag, x.arr.dfft, x.arr.dnodc)])
        heads = _head_table(cs.array(x.h, (LH,)))
        ind = np.stack([cs.array(p, (LH,)) for p in (x.ind, x.cur, x.right)], axis=1)
        corr = (x.rho, x.p)
    finally:
        slib.cl_multisine_free(ctypes.byref(res))
    axes = np.stack([_fftfreq(ns, float(duration) / ns), _fftfreq(ns, 1.0 / float(duration))])
    gap = _smallest_gap(f)
    hd = {k: heads[:, i].reshape(L, H).copy() for i, k in enumerate(_HEAD_FIELDS)}
    hd["periodic"] = hd["periodic"].astype(bool)
    hd["error_hz"] = hd["spacing_hz"] - gap
    for i, k in enumerate(("induction_score", "induction_current", "induction_right")):
        hd[k] = ind[:, i].reshape(L, H).copy()
    tol = 1.0 / float(duration)
    match = hd["periodic"] & (np.abs(hd["spacing_hz"] - gap) <= tol)
    return MultisineResult(
        freqs=f, amps=a, phases=ph, points=n, duration=float(duration), series=series, series_spectrum=smag,
        frequency_hz=axes[0].copy(), quefrency_s=axes[1].copy(),
        attention=arrays[0].reshape(L, H, ns).copy(), spectrum=arrays[1].reshape(L, H, ns).copy(),
        double_fft=arrays[2].reshape(L, H, ns).copy(), double_fft_nodc=arrays[3].reshape(L, H, ns).copy(),
        heads=hd, rho=float(corr[0]), p=float(corr[1]), smallest_gap_hz=gap,
        periodic_heads=int(hd["periodic"].sum()), heads_at_smallest_gap=int(match.sum()), model=model_name(model))


_ROW_FIELDS = ("configs", "pairs", "periodic", "match", "match_gcd", "match_freq_gcd", "q05", "q25", "q50", "q75",
               "q95", "mean_abs_error_hz", "spearman_rho", "spearman_p")


@dataclasses.dataclass(repr=False)
class MultisineSweepResult(Table):
    """The multisine sweep (docs/multisine.md (the sweep)). configs: list of {freqs_hz, amps,
    phases_rad, smallest_gap_hz, gap_gcd_hz, freq_gcd_hz, non_divisor}; heads: the per-pair
    columns of sweep.csv as (config, layer, head) arrays (amplitude, peak, periodic,
    strength, spacing_hz, quefrency_s, error_hz, match, context_mass, max_share); induction_score (layers, heads);
    summary: the four rows of sweep-summary.md as dicts (subset, configs, pairs, periodic,
    match, match_gcd, match_freq_gcd, q05..q95 of the error, mean_abs_error_hz, spearman_rho,
    spearman_p, fraction_match, ...); top_k; match_tolerance_hz. to_pandas(): the rows and
    columns of the command's sweep.csv; summary_pandas(): the summary rows."""
    configs: list
    heads: dict
    induction_score: np.ndarray
    summary: list
    top_k: int
    match_tolerance_hz: float

    def summary_pandas(self):
        """The rows of sweep-summary.md as a pandas DataFrame (one row per subset)."""
        import pandas as pd
        from .tables import mssweep_summary_columns
        return pd.DataFrame(mssweep_summary_columns(self))


def multisine_sweep(model, configs=100, seed=0, top_k=None, points=None, duration=None, noise=0.0, fmin=1, fmax=45,
                    min_freqs=2, max_freqs=6, batch=16, permutations=10000, min_strength=0.3, harmonic_ratio=0.5,
                    progress=None):
    """The "period = smallest frequency gap" claim over random frequency sets (chronolens
    multisine-sweep): how often each head's spacing equals the smallest gap, the error
    distribution, the amplitude-induction correlation, and the same for non-divisor sets.
    top_k default: 3 (or the model's heads when fewer). progress over series.
    points/duration default: 301 over 3 s, cut to a shorter context_length at the same rate.
    Returns a MultisineSweepResult."""
    c = model.config
    points, duration = _fit_input(c, points, duration)
    L, H = c.num_decoder_layers, c.num_heads
    configs = c_int(configs, "configs")
    G = L * H
    top_k = min(3, G) if top_k is None else c_int(top_k, "top_k")
    _no_ablation(model, "multisine_sweep")
    mp = model._h.ptr  # either family: Chronos-Bolt reads each series at its patch rate (method.md §4.2)
    o = cs.MssweepOpts()
    slib.cl_mssweep_default(ctypes.byref(o))
    o.fit_context = 0  # the input as given (_fit_input fitted the defaults to the model)
    seed, fmin, fmax = c_seed(seed), c_int(fmin, "fmin"), c_int(fmax, "fmax")
    min_freqs, max_freqs = c_int(min_freqs, "min_freqs"), c_int(max_freqs, "max_freqs")
    batch, permutations = c_int(batch, "batch"), c_int(permutations, "permutations")
    duration, noise = float(duration), float(noise)
    o.spacing = _spacing(float(min_strength), float(harmonic_ratio), permutations, "multisine")
    # every bound is checked by the study itself (cl_mssweep_run_model), as for the command
    o.configs, o.seed = configs, seed
    o.base.points, o.base.duration, o.base.noise = points, duration, noise
    o.fmin, o.fmax, o.kmin, o.kmax = fmin, fmax, min_freqs, max_freqs
    o.top_k, o.batch, o.permutations = top_k, batch, permutations
    res = cs.MssweepResult()
    with _lib.interruptible(progress, "multisine-sweep") as run:
        o.progress = run.progress
        call(slib.cl_mssweep_run_model, mp, model.path.encode(), ctypes.byref(o), ctypes.byref(res))
    try:
        C, G = res.C, res.G
        cfg = cs.array(res.cfg, (C,))
        cst = np.stack([cs.array(p, (C,)).astype(np.float64) for p in (res.gap, res.gcd, res.fund, res.nd)], axis=1)
        heads = _head_table(cs.array(res.h, (C * G,))).reshape(C, G, len(_HEAD_FIELDS))
        ind = cs.array(res.ind, (G,))
        rows = np.array([[st.configs, st.pairs, st.periodic, st.match, st.match_gcd, st.match_fund, *st.err_q,
                          st.mean_abs_err, st.rho, st.p] for st in res.rows], dtype=np.float64)
    finally:
        slib.cl_mssweep_free(ctypes.byref(res))
    cl = [dict(freqs_hz=cfg["freqs"][k, :cfg["n"][k]].copy(), amps=cfg["amps"][k, :cfg["n"][k]].copy(),
               phases_rad=cfg["phases"][k, :cfg["n"][k]].copy(), smallest_gap_hz=float(cst[k, 0]),
               gap_gcd_hz=float(cst[k, 1]), freq_gcd_hz=float(cst[k, 2]), non_divisor=bool(cst[k, 3]))
          for k in range(C)]
    hd = {k: heads[:, :, i].reshape(C, L, H).copy() for i, k in enumerate(_HEAD_FIELDS)}
    hd["periodic"] = hd["periodic"].astype(bool)
    hd["error_hz"] = hd["spacing_hz"] - cst[:, 0][:, None, None]
    if c.family == "bolt":  # the duration as run: cl_bolt_ms_input's context_length values at the same rate
        n_bolt = min(c.context_length, 2048)
        duration = n_bolt / (points / duration * c.patch_stride)
    tol = 1.0 / float(duration)
    hd["match"] = hd["periodic"] & (np.abs(hd["error_hz"]) <= tol)
    names = ("all pairs", "top-%d heads by amplitude" % top_k, "non-divisor configs: all pairs",
             "non-divisor configs: top-%d" % top_k)
    summary = []
    for r in range(4):
        d = {"subset": names[r]}
        for i, k in enumerate(_ROW_FIELDS):
            v = float(rows[r, i])
            d[k] = int(v) if i < 6 else v
        for k, n in (("fraction_match", "match"), ("fraction_match_gcd", "match_gcd"),
                     ("fraction_match_freq_gcd", "match_freq_gcd")):
            d[k] = d[n] / d["pairs"] if d["pairs"] > 0 else float("nan")
        summary.append(d)
    return MultisineSweepResult(configs=cl, heads=hd, induction_score=ind.reshape(L, H), summary=summary,
                                top_k=int(top_k), match_tolerance_hz=tol)


@dataclasses.dataclass(repr=False)
class ForecastResult(Table):
    """ChronosPipeline.predict: samples (series B, sample S, step H); mean (series, step);
    quantiles (series, step, level) at levels. Chronos-Bolt (ChronosBoltPipeline.predict):
    samples are its quantile paths (series, quantile Q, step) at the model's levels
    (config.quantiles), mean its median. to_pandas(): the rows and columns of the command's
    CSV (series, step (from 1), mean, q<level>...)."""
    samples: np.ndarray
    mean: np.ndarray
    quantiles: np.ndarray
    levels: tuple


def forecast(model, context, horizon=None, samples=None, temperature=None, top_k=None, top_p=None, seed=None,
             batch=0, cache=True, quantiles=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9), progress=None,
             interventions=None):
    """Sample paths of the model for context (L,) or (B, L) (NaN = missing), as
    ChronosPipeline.predict (chronolens forecast): horizon (default prediction_length),
    samples / temperature / top_k / top_p (default the model's chronos_config), seed (series b
    draws from its own stream; None = 0), batch (series per model batch, 0 = auto), cache
    (key/value cached decoder). A Chronos-Bolt model predicts its quantiles (ChronosBoltPipeline.
    predict): samples, temperature, top_k, top_p, seed and cache=False are refused for it, as
    the command refuses them. quantiles: the levels of `quantiles` (linear interpolation over
    the samples; Bolt: the pipeline's rule over its levels). progress: None, True (stderr) or
    f(done, total) over decoder steps x series (Bolt: model rows). Returns a ForecastResult
    whose mean and quantiles equal the command's CSV. interventions (zero_ablate(...), ...)
    and the head ablations of model.ablate run in every pass and every cached decoding step
    (docs/python.md, "Hooks")."""
    from .model import _context
    from . import hooks as _hooks
    c = model.config
    bolt = c.family == "bolt"
    ivs = _hooks.interventions_of(model, interventions, gates=True)
    hs = _hooks.HookSet(model, ivs) if ivs else None
    mp = model._h.ptr if bolt else _model_ptr(model, "forecast (T5 sampling)")
    x = _context(context, model)
    B, L = x.shape
    H = c_int(horizon, "horizon") if horizon is not None else (c.prediction_length if c.prediction_length > 0 else 64)
    batch = c_int(batch, "batch")  # >= 0: cl_forecast_study_check, as for --batch
    if bolt:
        # the study names any sampling setting given (0 / -1: none given)
        S = len(c.quantiles)
        t = float(temperature) if temperature is not None else 0.0
        k = c_int(top_k, "top_k") if top_k is not None else -1
        p = float(top_p) if top_p is not None else 0.0
        ns = c_int(samples, "samples") if samples is not None else 0
        if H < 1:
            raise Error("chronolens: forecast: horizon %d: must be >= 1" % H)
        have_seed, seed = int(seed is not None), c_seed(seed or 0)
    else:
        S = ns = c_int(samples, "samples") if samples is not None else (c.num_samples if c.num_samples > 0 else 20)
        t = float(temperature) if temperature is not None else c.temperature  # as loaded: config.c checked them
        k = c_int(top_k, "top_k") if top_k is not None else c.top_k
        p = float(top_p) if top_p is not None else c.top_p
        if H < 1 or S < 1:
            raise Error("chronolens: forecast: horizon %d, samples %d: must be >= 1" % (H, S))
        have_seed, seed = 1, c_seed(0 if seed is None else seed)
        # the checks of the command's options that the study leaves to its callers (it reads 0 as
        # "the model's value"): the sampler's own rules (cl_sampling_rule), as --temperature,
        # --top-k and --top-p apply them
        for key, name, v in ((0, "temperature", t), (1, "top_k", k), (2, "top_p", p)):
            bad = _lib.lib.cl_sampling_rule(key, float(v))
            if bad:
                _invalid("forecast: %s %g %s" % (name, v, bad.decode()))
    # the levels: the study's own check (cl_forecast_study_check, as --quantiles meets it)
    lv = np.ascontiguousarray(quantiles, dtype=np.float64).reshape(-1)
    o = cs.ForecastStudyOpts()
    slib.cl_forecast_study_default(ctypes.byref(o))
    o.method, o.horizon, o.samples, o.temperature, o.top_k, o.top_p = cs.FORECAST_MODEL, H, ns, t, k, p
    o.have_seed, o.seed, o.batch, o.no_cache = have_seed, seed, batch, int(not cache)
    o.hooks = hs.ptr if hs is not None else None
    levels = lv if len(lv) else np.array([0.5])  # the study wants a level; none asked: none returned
    o.nlev = c_int(len(levels), "quantiles", 1, cs.FORECAST_MAX_LEVELS)
    o.levels[:len(levels)] = levels.tolist()
    ctx = _context_struct(x)
    res = cs.ForecastResult()
    with _lib.interruptible(progress, "forecast") as run:
        o.progress = run.progress
        try:
            call(slib.cl_forecast_study_run, mp, ctypes.byref(ctx), ctypes.byref(o), ctypes.byref(res))
        except Error:
            if hs is not None:
                hs.raise_error()
            raise
    return _forecast_result(res, B, H, levels, lv)


def _forecast_result(res, rows, H, levels, lv):
    """The library's cl_forecast_result (rows series, horizon H, the padded levels) as a
    ForecastResult with the asked levels lv; frees res."""
    try:
        vals = cs.array(res.paths, (rows, res.S, H))
        mean = cs.array(res.mean, (rows, H))
        q = cs.array(res.quant, (rows, H, len(levels)))[:, :, :len(lv)].copy()
    finally:
        slib.cl_forecast_free(ctypes.byref(res))
    return ForecastResult(samples=vals, mean=mean, quantiles=q, levels=tuple(lv.tolist()))


def chronos2_forecast(model, context, horizon=None, group_ids=None, cross_learning=False, future_covariates=None,
                      unrolled_quantiles=None, batch_size=256, quantiles=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
                      targets=None, names=None, progress=None, interventions=None):
    """Chronos2Pipeline.predict on the rows of context (B, L) (NaN = missing), through the
    forecast study (chronolens forecast on a Chronos-2 model): rows sharing a group id form one
    task (None: each row its own), tasks join a batch while it has fewer than batch_size rows,
    cross_learning puts a batch in one group; future_covariates (B, F <= horizon) known values
    (NaN = unknown); unrolled_quantiles (None: 0.1 .. 0.9) the paths of a long horizon; targets
    (B,) bool: the rows returned (None: all). Returns a ForecastResult: samples = the quantile
    paths (rows, Q, H) at the model's levels, mean the median, quantiles (rows, H, nq).
    interventions (zero_ablate(...), ...; no patch or resample: the passes regroup the series)
    and model.ablate's head gates run in every pass."""
    from .model import _context
    from . import hooks as _hooks
    c = model.config
    if c.family != "chronos2":
        _invalid("chronos2_forecast: %s is not a Chronos-2 model" % model.path)
    ivs = _hooks.interventions_of(model, interventions, gates=True)
    hs = _hooks.HookSet(model, ivs) if ivs else None
    x = _context(context, model)
    B, L = x.shape
    H = c_int(horizon, "horizon") if horizon is not None else c.prediction_length
    if H < 1:
        raise Error("chronolens: forecast: horizon %d: must be >= 1" % H)
    lv = np.ascontiguousarray(quantiles, dtype=np.float64).reshape(-1)
    for v in lv:
        if not 0 < v < 1:
            _invalid("forecast: quantile level %g is not in (0, 1)" % v)
    o = cs.ForecastStudyOpts()
    slib.cl_forecast_study_default(ctypes.byref(o))
    o.method, o.horizon, o.batch = cs.FORECAST_MODEL, H, c_int(batch_size, "batch_size", 1)
    levels = lv if len(lv) else np.array([0.5])
    o.nlev = c_int(len(levels), "quantiles", 1, cs.FORECAST_MAX_LEVELS)
    o.levels[:len(levels)] = levels.tolist()
    keep = []  # arrays the struct points into
    if group_ids is not None:
        g = int32_array(group_ids, "group_ids", 0).reshape(-1)
        if len(g) != B:
            _invalid("forecast: %d group ids for %d series" % (len(g), B))
        keep.append(g)
        o.group_ids, o.n_group_ids = g.ctypes.data_as(cs.P(cs.c_int)), B
    o.cross_learning = int(bool(cross_learning))
    o.hooks = hs.ptr if hs is not None else None
    if future_covariates is not None:
        f = np.ascontiguousarray(future_covariates, dtype=np.float32)
        if f.ndim != 2 or f.shape[0] != B:
            _invalid("forecast: future_covariates has shape %s, not (%d, F)" % (f.shape, B))
        keep.append(f)
        o.future_covariates, o.F = f.ctypes.data_as(cs.P(cs.c_float)), f.shape[1]
    if unrolled_quantiles is not None:
        u = [float(v) for v in unrolled_quantiles]
        o.n_unrolled = c_int(len(u), "unrolled_quantiles", 1, cs.FORECAST_MAX_LEVELS)
        o.unrolled[:len(u)] = u
    nrows = B
    if targets is not None:
        t = np.ascontiguousarray(np.asarray(targets, dtype=bool).reshape(-1), dtype=np.uint8)
        if len(t) != B or not t.any():
            _invalid("forecast: targets: one flag per series, at least one set")
        keep.append(t)
        o.targets = t.ctypes.data_as(cs.P(cs.c_u8))
        nrows = int(t.sum())
    ctx = _context_struct(x)
    res = cs.ForecastResult()
    with _lib.interruptible(progress, "forecast") as run:
        o.progress = run.progress
        call(slib.cl_forecast_study_run, model._h.ptr, ctypes.byref(ctx), ctypes.byref(o), ctypes.byref(res))
    return _forecast_result(res, nrows, H, levels, lv)


def read_long_csv(df, future_df=None, id_column="item_id", timestamp_column="timestamp", target="target",
                  horizon=None):
    """predict_df's long format read by the library (cl_forecast_df_read, the command's --df):
    df / future_df CSV paths -> dict(context (rows, L) float32, group_ids (rows,), future_covariates
    (rows, horizon) or None, targets (rows,) bool, names [rows])."""
    o = cs.ForecastDfOpts(os.fsencode(df), None if future_df is None else os.fsencode(future_df),
                          id_column.encode(), timestamp_column.encode(),
                          (target if isinstance(target, str) else ",".join(target)).encode())
    d = cs.ForecastDf()
    call(slib.cl_forecast_df_read, ctypes.byref(o), c_int(horizon or 0, "horizon"), ctypes.byref(d))
    try:
        R, L = d.ctx.B, d.ctx.L
        out = {"context": cs.array(d.ctx.values, (R, L)),
               "group_ids": cs.array(d.group_ids, (R,)),
               "future_covariates": cs.array(d.future_covariates, (R, d.F)) if d.future_covariates else None,
               "targets": cs.array(d.targets, (R,)).astype(bool),
               "names": [d.ctx.names[i].decode() for i in range(R)]}
    finally:
        slib.cl_forecast_df_free(ctypes.byref(d))
    return out


def embed_series(model, context, batch=16, progress=None, group_ids=None, cross_learning=False):
    """ChronosPipeline.embed / ChronosBoltPipeline.embed / Chronos2Pipeline.embed through the
    library's embed study (chronolens embed): context (L,) or (B, L) (NaN = missing) ->
    (embeddings (B, T, d_model) float32, scale): Chronos-T5 T = tokens incl. EOS and scale (B,)
    the tokenizer's; Chronos-Bolt T = patches [+ REG] and scale (B, 2) = (loc, scale);
    Chronos-2 T = patches, [REG] and one output token, scale (B, 2). Chronos-2 only:
    group_ids (B ints: rows sharing an id are one multivariate task) and cross_learning (every
    row of a pass in one group), as `chronolens embed --group-ids / --cross-learning`."""
    from .model import _context
    _no_ablation(model, "embed_series (and pipeline.embed)")
    x = _context(context, model)
    B = x.shape[0]
    o = cs.EmbedOpts()
    slib.cl_embed_default(ctypes.byref(o))
    o.batch = c_int(batch, "batch")
    o.cross_learning = 1 if cross_learning else 0
    gid = None
    if group_ids is not None:
        gid = np.ascontiguousarray(group_ids, dtype=np.int32)
        if gid.shape != (B,):
            raise ValueError("group_ids: %d ids for %d series" % (gid.size, B))
        o.group_ids = gid.ctypes.data_as(cs.P(ctypes.c_int))
    ctx = _context_struct(x)
    res = cs.EmbedResult()
    with _lib.interruptible(progress, "embed") as run:
        o.progress = run.progress
        call(slib.cl_embed_run, model._h.ptr, ctypes.byref(ctx), ctypes.byref(o), ctypes.byref(res))
    try:
        emb = cs.array(res.emb, (B, res.T, res.d))
        scale = cs.array(res.scale, (B, 2) if res.bolt else (B,))
    finally:
        slib.cl_embed_free(ctypes.byref(res))
    return emb, scale


def _context_struct(x):
    """cl_context of x (B, L) float32, C-contiguous (x must outlive its use)."""
    return cs.Context(x.ctypes.data_as(cs.P(cs.c_float)), x.shape[0], x.shape[1], None, None)


def parrot(context, horizon, window=8):
    """Context parroting (Zhang & Gilpin): copy what followed the earlier stretch most similar
    to the last `window` values. context (L,) or (B, L) -> (values (B, horizon), info) with info
    a dict of (B,) arrays: period, distance, scale, fallback."""
    from .model import _context
    x = _context(context)
    B, L = x.shape
    horizon, window = c_int(horizon, "horizon"), c_int(window, "window")
    if horizon < 1:  # 0 would be the study's "default horizon": Python has no such value
        _invalid("parrot: horizon %d: must be >= 1" % horizon)
    o = cs.ForecastStudyOpts()
    slib.cl_forecast_study_default(ctypes.byref(o))
    o.method, o.horizon, o.window = cs.FORECAST_PARROT, horizon, window
    ctx = _context_struct(x)
    res = cs.ForecastResult()
    call(slib.cl_forecast_study_run, None, ctypes.byref(ctx), ctypes.byref(o), ctypes.byref(res))
    try:
        out = cs.array(res.paths, (B, horizon))
        info = cs.array(res.pinfo, (B,))
    finally:
        slib.cl_forecast_free(ctypes.byref(res))
    return out, {"period": info["period"].astype(int), "distance": info["distance"].copy(),
                 "scale": info["scale"].copy(), "fallback": info["fallback"].astype(bool)}


class Claims(Table, list):
    """A list of Claim (chronolens.claims) with to_pandas(): the rows and columns of
    claims.csv (one row per (claim, number); family always present)."""


@dataclasses.dataclass
class Claim:
    """One verdict of `chronolens claims`: id (exist, size, band, longer_more, more_reps_fewer,
    most_at_r2_l10, spread, period_is_gap, amplitude_is_induction; strict is an extension),
    model (a name, or the list of a model set's names), verdict (True supported, False not
    supported, None undecided), the claim, the test applied, the reason, extension (True: not a
    claim of the study), the numbers it rests on {name: value, None when not available} and
    family ("t5" or "bolt": the model's, or the set's — cross-model claims are decided per
    family)."""
    id: str
    model: object
    verdict: object
    claim: str
    test: str
    reason: str
    extension: bool
    numbers: dict
    family: str = "t5"


def claims(scores, multisine=None, threshold=0.3, alpha=0.05):
    """The study's claims (method.md §5, docs/claims.md) from a scores table, exactly as
    `chronolens claims --scores SCORES [--multisine DIR]`: scores is a CSV in the format of
    method.md §5 (a report writes its own as data/scores.csv; any tool can export one);
    multisine the folder of the multisine results (a report's data/ folder), None = without the
    multisine claims (they are then undecided). Returns a list of Claim, one per (model or model
    set, claim). Bad input raises chronolens.Error naming the file, line and problem."""
    import json
    import tempfile
    words = {"supported": True, "not supported": False, "undecided": None}
    with tempfile.TemporaryDirectory(prefix="chronolens-claims-") as tmp:
        path = os.path.join(tmp, "claims.json")
        o = cs.ClaimsOpts()
        slib.cl_claims_default(ctypes.byref(o))
        o.threshold, o.alpha = float(threshold), float(alpha)
        call(slib.cl_claims_write_files, (cs.c_char_p * 1)(os.fsencode(os.fspath(scores))), 1,
             None if multisine is None else os.fsencode(os.fspath(multisine)), ctypes.byref(o), os.fsencode(path), None)
        with open(path) as f:
            rows = json.load(f)
    return Claims(Claim(id=r["id"], model=r["model"], verdict=words[r["verdict"]], claim=r["claim"], test=r["test"],
                  reason=r.get("reason", ""), extension=bool(r.get("extension", False)), numbers=dict(r["numbers"]),
                  family=r.get("family", "t5"))
                  for r in rows)
