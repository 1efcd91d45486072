"""ctypes mirrors of the study structs of include/chronolens_study.h and the study functions
that take them. The package fills the options structs itself (each study's cl_*_default,
then its fields) and reads the typed results; every mirror is checked against the library's
size of its struct (cl_abi_sizeof) when this module loads. Field order and types follow the
header one for one: change both together."""
import ctypes
import functools
import math

import numpy as np

from ._lib import ERR, P, Config, Progress, check_mirrors, mirror, slib

c_int, c_long, c_double, c_u64 = ctypes.c_int, ctypes.c_long, ctypes.c_double, ctypes.c_uint64
c_char, c_char_p, c_void_p, c_float, c_u8 = ctypes.c_char, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_float, ctypes.c_uint8

MS_MAX_FREQS = 64          # CL_MS_MAX_FREQS
MSS_NROWS = 4              # CL_MSS_NROWS
FORECAST_MAX_LEVELS = 99   # CL_FORECAST_MAX_LEVELS
CUR, RIGHT, ANY = 0, 1, 2  # CL_CUR, CL_RIGHT, CL_ANY
FORECAST_MODEL, FORECAST_PARROT = 0, 1


@mirror("cl_shard")
class Shard(ctypes.Structure):
    _fields_ = [("k", c_int), ("n", c_int)]


@mirror("cl_study_model")
class StudyModel(ctypes.Structure):
    _fields_ = [("name", c_char * 256), ("path", c_char * 4096), ("seconds", c_double), ("parameters", c_double),
                ("sampling", c_int)]


# ---- induction, sweep

@mirror("cl_rrt_opts")
class RrtOpts(ctypes.Structure):
    _fields_ = [("seq_len", c_int), ("reps", c_int), ("batch", c_int), ("tok_lo", c_int), ("tok_hi", c_int),
                ("seed", c_u64), ("offset", c_int)]


@mirror("cl_induction_opts")
class InductionOpts(ctypes.Structure):
    _fields_ = [("rrt", RrtOpts), ("threshold", c_double), ("seeds", c_int), ("strict", c_int),
                ("progress", Progress), ("precision", c_int)]


@mirror("cl_stat")
class Stat(ctypes.Structure):
    _fields_ = [("mean", c_double), ("std", c_double), ("seed_std", c_double)]


@mirror("cl_count")
class Count(ctypes.Structure):
    _fields_ = [("n", c_int), ("mean", c_double), ("std", c_double)]


@mirror("cl_induction_result")
class InductionResult(ctypes.Structure):
    _fields_ = [("layers", c_int), ("heads", c_int), ("enc_layers", c_int), ("seeds", c_int), ("strict", c_int),
                ("tok_lo", c_int), ("tok_hi", c_int), ("bolt", c_int), ("patch_size", c_int), ("offset", c_int),
                ("threshold", c_double), ("cur", P(Stat)), ("right", P(Stat)), ("reps", c_int),
                ("cur_all", P(Stat)), ("right_all", P(Stat)), ("occ_cur", P(c_double)), ("occ_right", P(c_double)),
                ("ablate", P(Stat)), ("copy", P(Stat)), ("enc_cur", P(Stat)), ("enc_right", P(Stat)),
                ("cross", Count * 3), ("enc", Count * 3), ("strict_count", Count * 3),
                ("chronos2", c_int)]


@mirror("cl_induction_study_opts")
class InductionStudyOpts(ctypes.Structure):
    _fields_ = [("base", InductionOpts), ("tok_lo", c_int), ("tok_hi", c_int), ("sampling_all", c_int),
                ("shard", Shard)]


SWEEP_MAX_GRID = 64  # CL_SWEEP_MAX_GRID


@mirror("cl_sweep_study_opts")
class SweepStudyOpts(ctypes.Structure):
    _fields_ = [("base", InductionStudyOpts), ("n_reps", c_int), ("n_lens", c_int), ("reps", c_int * SWEEP_MAX_GRID),
                ("lens", c_int * SWEEP_MAX_GRID), ("skip_unfit", c_int)]


@mirror("cl_sweep_opts")
class SweepOpts(ctypes.Structure):
    _fields_ = [("base", InductionOpts), ("n_reps", c_int), ("n_lens", c_int), ("reps", P(c_int)), ("lens", P(c_int)),
                ("only", P(c_u8)), ("skip_unfit", c_int)]


@mirror("cl_sweep_cell")
class SweepCell(ctypes.Structure):
    _fields_ = [("reps", c_int), ("seq_len", c_int), ("cross", Count * 3), ("enc", Count * 3), ("layers", c_int),
                ("heads", c_int), ("cur", P(Stat)), ("right", P(Stat)), ("cur_all", P(Stat)), ("right_all", P(Stat))]


@mirror("cl_sweep_extra")
class SweepExtra(ctypes.Structure):
    _fields_ = [("inv_t", c_double), ("baseline_any", c_int), ("total", c_int), ("all_any", c_int),
                ("all_right", c_int)]


@mirror("cl_sweep_result")
class SweepResult(ctypes.Structure):
    _fields_ = [("n_reps", c_int), ("n_lens", c_int), ("cells", P(SweepCell)), ("done", P(c_u8)), ("chronos2", c_int)]


# ---- multisine, multisine sweep

@mirror("cl_multisine")
class Multisine(ctypes.Structure):
    _fields_ = [("n", c_int), ("freqs", c_double * MS_MAX_FREQS), ("amps", c_double * MS_MAX_FREQS),
                ("phases", c_double * MS_MAX_FREQS), ("points", c_int), ("duration", c_double), ("noise", c_double)]


@mirror("cl_spacing_opts")
class SpacingOpts(ctypes.Structure):
    _fields_ = [("min_strength", c_double), ("harmonic_ratio", c_double)]


@mirror("cl_spacing")
class Spacing(ctypes.Structure):
    _fields_ = [("periodic", c_int), ("q", c_double), ("quefrency_s", c_double), ("spacing_hz", c_double),
                ("strength", c_double)]


@mirror("cl_ms_head")
class MsHead(ctypes.Structure):
    _fields_ = [("amplitude", c_double), ("peak", c_double), ("sp", Spacing), ("mass", c_double),
                ("max_share", c_double)]


@mirror("cl_ms_arrays")
class MsArrays(ctypes.Structure):
    _fields_ = [("attn", P(c_double)), ("mag", P(c_double)), ("dfft", P(c_double)), ("dnodc", P(c_double))]


@mirror("cl_multisine_opts")
class MultisineOpts(ctypes.Structure):
    _fields_ = [("input", Multisine), ("seed", c_u64), ("permutations", c_int), ("spacing", SpacingOpts),
                ("progress", Progress), ("shard", Shard), ("precision", c_int), ("fit_context", c_int),
                ("names", P(c_char_p))]


@mirror("cl_multisine_model")
class MultisineModel(ctypes.Structure):
    _fields_ = [("layers", c_int), ("heads", c_int), ("h", P(MsHead)), ("ind", P(c_double)), ("cur", P(c_double)),
                ("right", P(c_double)), ("rho", c_double), ("p", c_double), ("periodic", c_int), ("matching", c_int),
                ("arr", MsArrays)]


@mirror("cl_multisine_result")
class MultisineResult(ctypes.Structure):
    _fields_ = [("opts", MultisineOpts), ("series", P(c_double)), ("series_mag", P(c_double)), ("bolt", c_int),
                ("stride", c_int), ("sig_points", c_int), ("n", c_int), ("models", P(StudyModel)),
                ("res", P(MultisineModel))]


@mirror("cl_mssweep_stats")
class MssweepStats(ctypes.Structure):
    _fields_ = [("configs", c_int), ("pairs", c_int), ("periodic", c_int), ("match", c_int), ("match_gcd", c_int),
                ("match_fund", c_int), ("concentrated", c_int), ("err_q", c_double * 5), ("mean_abs_err", c_double),
                ("rho", c_double), ("p", c_double)]


@mirror("cl_mssweep_opts")
class MssweepOpts(ctypes.Structure):
    _fields_ = [("configs", c_int), ("seed", c_u64), ("base", Multisine), ("fmin", c_int), ("fmax", c_int),
                ("kmin", c_int), ("kmax", c_int), ("top_k", c_int), ("batch", c_int), ("permutations", c_int),
                ("spacing", SpacingOpts), ("progress", Progress), ("shard", Shard), ("precision", c_int),
                ("fit_context", c_int), ("name", c_char_p)]


@mirror("cl_mssweep_result")
class MssweepResult(ctypes.Structure):
    _fields_ = [("opts", MssweepOpts), ("model", c_char * 4096), ("name", c_char * 256), ("C", c_int), ("G", c_int),
                ("heads", c_int), ("cfg", P(Multisine)), ("gap", P(c_double)), ("gcd", P(c_double)),
                ("fund", P(c_double)), ("nd", P(c_u8)), ("h", P(MsHead)), ("ind", P(c_double)), ("bolt", c_int),
                ("sig_points", c_int), ("rows", MssweepStats * MSS_NROWS), ("row_name", (c_char * 64) * MSS_NROWS),
                ("done", P(c_u8))]


# ---- context, forecast

@mirror("cl_context")
class Context(ctypes.Structure):
    _fields_ = [("values", P(c_float)), ("B", c_int), ("L", c_int), ("names", P(c_char_p)), ("path", c_char_p)]


@mirror("cl_forecast_study_opts")
class ForecastStudyOpts(ctypes.Structure):
    _fields_ = [("method", c_int), ("compare", c_int), ("horizon", c_int), ("nlev", c_int),
                ("levels", c_double * FORECAST_MAX_LEVELS), ("samples", c_int), ("temperature", c_double),
                ("top_k", c_long), ("top_p", c_double), ("have_seed", c_int), ("seed", c_u64), ("batch", c_int),
                ("no_cache", c_int), ("window", c_int), ("progress", Progress), ("hooks", c_void_p),
                ("group_ids", P(c_int)), ("n_group_ids", c_int), ("cross_learning", c_int),
                ("future_covariates", P(c_float)), ("F", c_int), ("n_unrolled", c_int),
                ("unrolled", c_double * FORECAST_MAX_LEVELS), ("targets", P(c_u8))]


@mirror("cl_forecast_df_opts")
class ForecastDfOpts(ctypes.Structure):
    _fields_ = [("df", c_char_p), ("future_df", c_char_p), ("id_column", c_char_p), ("timestamp_column", c_char_p),
                ("target", c_char_p)]


@mirror("cl_forecast_df")
class ForecastDf(ctypes.Structure):
    _fields_ = [("ctx", Context), ("group_ids", P(c_int)), ("future_covariates", P(c_float)), ("F", c_int),
                ("targets", P(c_u8)), ("items", c_int)]


@mirror("cl_parrot_info")
class ParrotInfo(ctypes.Structure):
    _fields_ = [("period", c_int), ("distance", c_double), ("scale", c_double), ("fallback", c_int)]


@mirror("cl_forecast_result")
class ForecastResult(ctypes.Structure):
    _fields_ = [("B", c_int), ("H", c_int), ("L", c_int), ("S", c_int), ("method", c_int), ("bolt", c_int),
                ("nlev", c_int), ("levels", c_double * FORECAST_MAX_LEVELS), ("names", P(c_char_p)),
                ("context", P(c_float)), ("paths", P(c_float)), ("mean", P(c_float)), ("quant", P(c_float)),
                ("band", P(c_float)), ("parrot", P(c_float)), ("pinfo", P(ParrotInfo))]


@mirror("cl_embed_opts")
class EmbedOpts(ctypes.Structure):
    _fields_ = [("batch", c_int), ("progress", Progress), ("group_ids", P(c_int)), ("cross_learning", c_int)]


@mirror("cl_embed_result")
class EmbedResult(ctypes.Structure):
    _fields_ = [("B", c_int), ("T", c_int), ("d", c_int), ("bolt", c_int), ("emb", P(c_float)), ("scale", P(c_float))]


# ---- activation patching

@mirror("cl_patching_input")
class PatchingInput(ctypes.Structure):
    _fields_ = [("B", c_int), ("ids", P(ctypes.c_int32)), ("mask", P(c_u8)), ("T", c_int),
                ("dec", P(ctypes.c_int32)), ("Td", c_int), ("context", P(c_float)), ("L", c_int)]


@mirror("cl_patching_opts")
class PatchingOpts(ctypes.Structure):
    _fields_ = [("hook", c_char * 96), ("metric", c_int), ("mode", c_int), ("per_position", c_int),
                ("n_pos", c_int), ("pos", P(c_int)), ("read_pos", c_int), ("target", P(ctypes.c_int32)),
                ("target2", P(ctypes.c_int32)), ("progress", Progress)]


@mirror("cl_patching_result")
class PatchingResult(ctypes.Structure):
    _fields_ = [("layers", c_int), ("heads", c_int), ("positions", c_int), ("B", c_int), ("width", c_int),
                ("Q", c_int), ("horizon", c_int), ("cells", P(c_float)), ("clean", P(c_float)),
                ("corrupted", P(c_float)), ("target", P(ctypes.c_int32))]


# ---- claims

@mirror("cl_claims_opts")
class ClaimsOpts(ctypes.Structure):
    _fields_ = [("threshold", c_double), ("z", c_double), ("alpha", c_double), ("tie_heads", c_double),
                ("tie_score", c_double), ("concentrated_mass", c_double), ("concentrated_share", c_double)]


check_mirrors()


def _decl(name, restype, *argtypes):
    f = getattr(slib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_decl("cl_rrt_make", c_int, P(Config), P(RrtOpts), c_void_p, c_void_p, c_void_p, ERR)
_decl("cl_induction_default", c_int, P(Config), P(InductionOpts), ERR)
_decl("cl_induction_run", c_int, c_void_p, P(InductionOpts), P(InductionResult), ERR)
_decl("cl_induction_free", None, P(InductionResult))
for _f in ("cl_induction_above", "cl_induction_strict", "cl_induction_enc_above"):
    _decl(_f, c_int, P(InductionResult), c_int, c_int)
_decl("cl_sweep_run", c_int, c_void_p, P(SweepOpts), P(SweepResult), ERR)
# the commands' check that R x L + 1 values fit the model's context (before any work)
_decl("cl_induction_study_default", None, P(InductionStudyOpts))
_decl("cl_induction_study_check", c_int, P(c_void_p), P(StudyModel), c_int, P(InductionStudyOpts), ERR)
_decl("cl_sweep_study_default", None, P(SweepStudyOpts))
_decl("cl_sweep_study_check", c_int, P(c_void_p), P(StudyModel), c_int, P(SweepStudyOpts), ERR)
_decl("cl_sweep_free", None, P(SweepResult))
_decl("cl_sweep_cell_extra", SweepExtra, P(SweepCell), c_double)  # sweep.csv's last columns
_decl("cl_study_model_name", None, c_char_p, c_char_p, ctypes.c_size_t)  # a model's name in the files
_decl("cl_multisine_default", None, P(MultisineOpts))
_decl("cl_multisine_run_models", c_int, P(c_void_p), P(c_char_p), c_int, P(MultisineOpts), P(MultisineResult), ERR)
_decl("cl_multisine_free", None, P(MultisineResult))
_decl("cl_mssweep_default", None, P(MssweepOpts))
_decl("cl_mssweep_run_model", c_int, c_void_p, c_char_p, P(MssweepOpts), P(MssweepResult), ERR)
_decl("cl_mssweep_free", None, P(MssweepResult))
_decl("cl_forecast_study_default", None, P(ForecastStudyOpts))
_decl("cl_forecast_study_run", c_int, c_void_p, P(Context), P(ForecastStudyOpts), P(ForecastResult), ERR)
_decl("cl_forecast_free", None, P(ForecastResult))
_decl("cl_forecast_df_read", c_int, P(ForecastDfOpts), c_int, P(ForecastDf), ERR)
_decl("cl_forecast_df_free", None, P(ForecastDf))
_decl("cl_patching_default", None, P(PatchingOpts))
_decl("cl_patching_run", c_int, c_void_p, P(PatchingInput), P(PatchingInput), P(PatchingOpts), P(PatchingResult), ERR)
_decl("cl_patching_free", None, P(PatchingResult))
_decl("cl_embed_default", None, P(EmbedOpts))
_decl("cl_embed_run", c_int, c_void_p, P(Context), P(EmbedOpts), P(EmbedResult), ERR)
_decl("cl_embed_free", None, P(EmbedResult))
_decl("cl_claims_default", None, P(ClaimsOpts))
_decl("cl_claims_write_files", c_int, P(c_char_p), c_int, c_char_p, P(ClaimsOpts), c_char_p, c_char_p, ERR)


@functools.lru_cache(maxsize=None)
def _np_dtype(t):
    """The numpy dtype of a ctypes type, a Structure mirror's fields at their C offsets."""
    if isinstance(t, type) and issubclass(t, ctypes.Structure):
        names = [n for n, _ in t._fields_]
        return np.dtype({"names": names, "formats": [_np_dtype(ft) for _, ft in t._fields_],
                         "offsets": [getattr(t, n).offset for n in names], "itemsize": ctypes.sizeof(t)})
    if issubclass(t, ctypes.Array):
        return np.dtype((_np_dtype(t._type_), (t._length_,)))
    if issubclass(t, (ctypes._Pointer, ctypes.c_void_p, ctypes.c_char_p)):
        return np.dtype(np.uintp)
    return np.dtype(t)


def array(ptr, shape, what=None):
    """A copy of the n = prod(shape) values at ptr (a ctypes pointer to a number type, or to
    the mirror `what`: a numpy structured array of its fields); None for a NULL pointer."""
    if not ptr:
        return None
    n = math.prod(shape)
    t = what if what is not None else ptr._type_
    raw = ctypes.string_at(ctypes.cast(ptr, c_void_p), n * ctypes.sizeof(t))
    return np.frombuffer(raw, dtype=_np_dtype(t)).reshape(shape).copy()
