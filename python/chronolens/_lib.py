"""Loading the shared libraries and declaring their C functions (ctypes).

Where the libraries come from, in order:
  1. $CHRONOLENS_LIB: a folder holding libchronolens.so and libchronolens_study.so, or the
     path of libchronolens.so (the study library is looked for beside it);
  2. beside this file: the copies `pip install ./python` puts into the installed package
     (libchronolens.so.0, libchronolens_study.so.0; python/build_backend);
  3. the build tree of this checkout (<repo>/build/, as `make build` leaves it), when this
     package is imported from <repo>/python;
  4. an installed copy, found by the dynamic linker (ld.so.conf, $LD_LIBRARY_PATH).
"""
import ctypes
import os
import pathlib
import signal
import sys
import threading

import numpy as np

__all__ = ["Error", "CANCEL", "lib", "slib", "call", "interruptible", "library_paths", "mirror", "check_mirrors"]

CL_EINVAL = 3     # the library's status of an invalid argument
CL_ECANCELED = 5  # the library's status of a run its progress callback stopped


class Error(Exception):
    """A chronolens failure: the library's one-line message (naming the file, if any, and the
    problem). `code` is the library's status (1 I/O, 2 format, 3 invalid argument,
    4 out of memory, 5 cancelled by a progress callback that returned CANCEL; 0 for errors
    found by the Python layer itself)."""

    def __init__(self, message, code=0):
        super().__init__(message)
        self.message = message
        self.code = code


# The package fills and reads the library's structs itself, through ctypes mirrors of those of
# include/chronolens.h and include/chronolens_study.h. Each is registered with the C name it
# mirrors and checked against the library's size of it (cl_abi_sizeof) when the libraries
# load: a package and a library of different versions fail at import, not in a study.
MIRRORS = []


def mirror(c_name):
    """Class decorator: cls mirrors the C struct c_name (checked by check_mirrors)."""
    def register(cls):
        cls._c_name_ = c_name
        MIRRORS.append(cls)
        return cls
    return register


@mirror("cl_error")
class ClError(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("msg", ctypes.c_char * 768)]


@mirror("cl_config")
class Config(ctypes.Structure):
    _fields_ = [(n, ctypes.c_int) for n in
                ("vocab_size", "d_model", "d_kv", "num_heads", "d_ff", "num_layers", "num_decoder_layers",
                 "num_buckets", "max_distance")] + \
               [("eps", ctypes.c_float)] + \
               [(n, ctypes.c_int) for n in
                ("gated", "act_gelu", "tied", "decoder_start_token_id", "pad_token_id", "eos_token_id")] + \
               [("low_limit", ctypes.c_float), ("high_limit", ctypes.c_float)] + \
               [(n, ctypes.c_int) for n in
                ("n_tokens", "n_special_tokens", "tok_pad_id", "tok_eos_id", "use_eos_token", "context_length",
                 "prediction_length", "num_samples")] + \
               [("temperature", ctypes.c_float), ("top_p", ctypes.c_float), ("top_k", ctypes.c_int)] + \
               [(n, ctypes.c_int) for n in
                ("family", "patch_size", "patch_stride", "use_reg_token", "n_quantiles")] + \
               [("quantiles", ctypes.c_double * 32)] + \
               [("max_output_patches", ctypes.c_int), ("use_arcsinh", ctypes.c_int),
                ("rope_theta", ctypes.c_float), ("time_encoding_scale", ctypes.c_float)]


@mirror("cl_capture_spec")
class CaptureSpec(ctypes.Structure):
    _fields_ = [("enabled", ctypes.c_int),
                ("n_layers", ctypes.c_int), ("layers", ctypes.POINTER(ctypes.c_int)),
                ("n_heads", ctypes.c_int), ("heads", ctypes.POINTER(ctypes.c_int)),
                ("n_rows", ctypes.c_int), ("rows", ctypes.POINTER(ctypes.c_int))]


# cl_progress_fn (include/chronolens.h): fn(ctx, stage, done, total), non-zero return = cancel
PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_double, ctypes.c_double)


@mirror("cl_progress")
class Progress(ctypes.Structure):
    _fields_ = [("fn", PROGRESS_FN), ("ctx", ctypes.c_void_p)]


_NAMES = ("libchronolens.so", "libchronolens_study.so")


def _candidates():
    env = os.environ.get("CHRONOLENS_LIB")
    if env:
        p = pathlib.Path(env)
        if p.is_dir():
            return [(str(p / _NAMES[0]), str(p / _NAMES[1]))], "$CHRONOLENS_LIB=" + env
        # the study library of the same suffix beside it (libchronolens.so.0 -> libchronolens_study.so.0)
        study = p.name.replace("libchronolens", "libchronolens_study", 1) if p.name.startswith("libchronolens.") \
            else _NAMES[1]
        return [(str(p), str(p.with_name(study)))], "$CHRONOLENS_LIB=" + env
    out = []
    here = pathlib.Path(__file__).resolve().parent
    if (here / "libchronolens.so.0").exists():  # a pip-installed package
        out.append((str(here / "libchronolens.so.0"), str(here / "libchronolens_study.so.0")))
    repo = here.parents[1]
    build = repo / "build"
    if (build / _NAMES[0]).exists():
        out.append((str(build / _NAMES[0]), str(build / _NAMES[1])))
    out.append(("libchronolens.so.0", "libchronolens_study.so.0"))  # installed: the dynamic linker's search
    return out, "the package (%s), the build tree (%s) or an installed copy" % (here, build)


def _load():
    cands, where = _candidates()
    errors = []
    for engine, study in cands:
        try:
            e = ctypes.CDLL(engine)
            s = ctypes.CDLL(study)
            return e, s, (engine, study)
        except OSError as x:
            errors.append(str(x))
    raise ImportError("chronolens: cannot load libchronolens.so / libchronolens_study.so from %s (%s); "
                      "run `make build` or set CHRONOLENS_LIB to their folder" % (where, "; ".join(errors)))


lib, slib, library_paths = _load()

c_int, c_float, c_double, c_size_t = ctypes.c_int, ctypes.c_float, ctypes.c_double, ctypes.c_size_t
c_u64, c_void_p, c_char_p = ctypes.c_uint64, ctypes.c_void_p, ctypes.c_char_p
P = ctypes.POINTER
ERR = P(ClError)
F32 = np.ctypeslib.ndpointer(np.float32, flags="C_CONTIGUOUS")
F64 = np.ctypeslib.ndpointer(np.float64, flags="C_CONTIGUOUS")
I32 = np.ctypeslib.ndpointer(np.int32, flags="C_CONTIGUOUS")
U8 = np.ctypeslib.ndpointer(np.uint8, flags="C_CONTIGUOUS")


def _decl(L, name, restype, *argtypes):
    f = getattr(L, name)
    f.restype = restype
    f.argtypes = list(argtypes)


# engine (chronolens.h)
_decl(lib, "cl_set_threads", None, c_int)
_decl(lib, "cl_get_threads", c_int)


@mirror("cl_load_opts")
class LoadOpts(ctypes.Structure):
    _fields_ = [("precision", c_int)]  # cl_load_opts: cl_precision (CL_FP32 0, CL_BF16 1)


_decl(lib, "cl_model_load", c_int, c_char_p, P(LoadOpts), P(c_void_p), ERR)  # opts NULL: the defaults
_decl(lib, "cl_model_precision", c_int, c_void_p)
_decl(lib, "cl_bf16_supported", c_int)
_decl(lib, "cl_precision_name", c_char_p, c_int)
_decl(lib, "cl_precision_parse", c_int, c_char_p, P(c_int))
_decl(lib, "cl_sampling_rule", c_char_p, c_int, ctypes.c_double)  # the sampler's rules, as --temperature etc.
_decl(lib, "cl_model_free", None, c_void_p)
_decl(lib, "cl_model_config", P(Config), c_void_p)
_decl(lib, "cl_model_param_count", c_size_t, c_void_p)
_decl(lib, "cl_model_dtype", c_char_p, c_void_p)
_decl(lib, "cl_model_owned_bytes", c_size_t, c_void_p)
_decl(lib, "cl_model_require_t5", c_int, c_void_p, c_char_p, c_char_p, ERR)
_decl(lib, "cl_tokenizer_encode", c_int, P(Config), F32, c_int, c_int, I32, U8, F32, ERR)
_decl(lib, "cl_tokenizer_length", c_int, P(Config), c_int)
_decl(lib, "cl_tokenizer_decode", None, P(Config), I32, c_int, c_float, F32)
_decl(lib, "cl_context_check", c_int, P(Config), F32, c_int, c_int, c_char_p, P(c_char_p), ERR)
_decl(lib, "cl_parse_cell", c_int, c_char_p, P(c_float))  # a text value, as the context CSV reader reads it
_decl(lib, "cl_state_new", c_int, c_void_p, P(c_void_p), ERR)
_decl(lib, "cl_state_free", None, c_void_p)
_decl(lib, "cl_state_set_capture", c_int, c_void_p, c_int, P(CaptureSpec), ERR)
_decl(lib, "cl_state_attn", c_void_p, c_void_p, c_int, P(c_int))
_decl(lib, "cl_state_set_head_gate", c_int, c_void_p, c_int, c_int, c_int, c_float, ERR)
_decl(lib, "cl_state_reset_gates", None, c_void_p)
_decl(lib, "cl_encode", c_int, c_void_p, I32, U8, c_int, c_int, ERR)
_decl(lib, "cl_state_encoder_hidden", c_void_p, c_void_p, P(c_int), P(c_int))
_decl(lib, "cl_decode", c_int, c_void_p, I32, c_int, c_int, ERR)
_decl(lib, "cl_state_set_progress", None, c_void_p, P(Progress))
_decl(lib, "cl_state_logits", c_void_p, c_void_p, P(c_int), P(c_int), P(c_int))

# Chronos-Bolt (chronolens.h): patches instead of tokens, quantiles instead of logits
_decl(lib, "cl_bolt_num_tokens", c_int, P(Config), c_int)
_decl(lib, "cl_bolt_encode", c_int, c_void_p, F32, c_int, c_int, ERR)
_decl(lib, "cl_bolt_forward", c_int, c_void_p, F32, c_int, c_int, ERR)
for _n in ("cl_bolt_loc", "cl_bolt_scale", "cl_bolt_mask", "cl_bolt_input_embeds", "cl_bolt_decoder_hidden",
           "cl_bolt_quantiles"):
    _decl(lib, _n, c_void_p, c_void_p)

_decl(slib, "cl_abi_sizeof", c_size_t, c_char_p)


def check_mirrors(mirrors=None):
    """Every mirror (default: all registered) against the library's size of its C struct;
    ImportError naming each that differs."""
    bad = []
    for cls in MIRRORS if mirrors is None else mirrors:
        n = slib.cl_abi_sizeof(cls._c_name_.encode())
        if n != ctypes.sizeof(cls):
            bad.append("%s is %s, this package's mirror %d bytes" % (
                cls._c_name_, "%d bytes" % n if n else "unknown to the library", ctypes.sizeof(cls)))
    if bad:
        raise ImportError("chronolens: the package and %s are from different versions: %s" % (
            library_paths[1], "; ".join(bad)))


check_mirrors()

# every core, as the commands start (chronolens.set_threads changes it)
lib.cl_set_threads(int(os.environ.get("CHRONOLENS_THREADS", "0") or 0))


def call(fn, *args):
    """Calls a library function whose last argument is a cl_error*; raises Error on failure.
    Long calls run inside `with interruptible(...)`, which turns a cancelled run back into
    the KeyboardInterrupt or the callback's exception that stopped it."""
    err = ClError()
    rc = fn(*args, ctypes.byref(err))
    if rc:
        raise Error(err.msg.decode("utf-8", "replace") or "chronolens: error %d" % rc, err.code or rc)
    return rc


class _Cancel:
    def __repr__(self):
        return "chronolens.CANCEL"


CANCEL = _Cancel()
CANCEL.__doc__ = """Returned by a progress callback: stops the run at its next progress point, which
then raises chronolens.Error (code 5, "...: cancelled")."""


def _user_callback(progress, label):
    """None, or f(done, total) from a Python progress argument: None/False (none), True (a
    line on stderr) or a callable."""
    if progress is None or progress is False:
        return None
    if progress is True:
        def progress(done, total):
            sys.stderr.write("\r%s: %d/%d" % (label, done, total) + ("\n" if done >= total else ""))
            sys.stderr.flush()
    if not callable(progress):
        raise Error("chronolens: progress must be None, True or a callable f(done, total), not %r" % (progress,))
    return progress


class interruptible:
    """Runs the library calls of its block so that they stop within one progress step: on
    Ctrl-C, when the user's progress callback returns CANCEL, or when it raises.

    Why: during a ctypes call Python's SIGINT handler only runs when Python code runs, and an
    exception raised inside a ctypes callback is printed and swallowed by ctypes (the C side
    sees 0, "go on"). So the library always gets a progress callback (`progress`, the
    cl_progress of a study's options, or state=ptr for a cl_state's passes) that calls the
    user's (if any) inside a try and answers "cancel" once that raised. SIGINT's handler is
    wrapped for the block: Python runs it at the callback's entry, outside any try of the
    callback, so the wrapper calls the previous handler inside its own try; what that raises
    (KeyboardInterrupt by default) cancels the run, a handler that returns lets it go on.
    On exit the recorded exception is raised again; a run stopped by CANCEL raises the
    library's Error. Off the main thread (where Python delivers no signals) only the callback
    part applies."""

    def __init__(self, progress=None, label="", state=None):
        self._user = _user_callback(progress, label)
        self._state = state
        self._exc = None       # what the user's callback or SIGINT handler raised (the first)
        self._stop = False     # answered "cancel" (kept: the library asks again at relays)
        self._prev = None
        self._fn = None  # the C callback (it must live as long as the block)

    @property
    def progress(self):
        """A cl_progress (Progress) calling back into this block, for a study's options."""
        if self._fn is None:
            self._fn = PROGRESS_FN(lambda ctx, stage, done, total: self._step(done, total))
        return Progress(self._fn, None)

    def _step(self, done, total):
        if not self._stop and self._user is not None:
            try:
                if self._user(done, total) is CANCEL:
                    self._stop = True
            except BaseException as e:  # KeyboardInterrupt and SystemExit too: raised again on exit
                self._fail(e)
        return int(self._stop)

    def _fail(self, e):
        if self._exc is None:
            self._exc = e
        self._stop = True

    def _on_sigint(self, signum, frame):
        try:
            self._prev(signum, frame)
        except BaseException as e:
            self._fail(e)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            prev = signal.getsignal(signal.SIGINT)
            if callable(prev):  # a Python-level handler (SIG_IGN/SIG_DFL/None: left as they are)
                self._prev = prev
                signal.signal(signal.SIGINT, self._on_sigint)
        if self._state is not None:
            lib.cl_state_set_progress(self._state, ctypes.byref(self.progress))
        return self

    def __exit__(self, typ, value, tb):
        if self._state is not None:
            lib.cl_state_set_progress(self._state, None)  # the callback dies with this object
        if self._prev is not None:
            signal.signal(signal.SIGINT, self._prev)
        if self._exc is not None:
            raise self._exc from None
        return False

