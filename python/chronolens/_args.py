"""Integer arguments checked before they reach C. numpy's astype(int32) and ctypes' c_int and
c_uint64 wrap a value outside the C type silently (2**32 + 5 becomes 5, a valid token id or
layer), so every integer the package hands to the library is checked here first, and a bad
one raises chronolens.Error naming the argument."""
import numbers

import numpy as np

from ._lib import Error

INT32 = (-2 ** 31, 2 ** 31 - 1)
UINT64 = (0, 2 ** 64 - 1)


def _integral(v):
    """v as a Python int when it is an integer (bool, Python and numpy ints, integral floats)."""
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real) and np.isfinite(v) and float(v).is_integer():
        return int(v)
    return None


def c_int(v, name, lo=INT32[0], hi=INT32[1]):
    """v as a Python int for a C int (or, with lo/hi, another C integer type) argument:
    an integer in [lo, hi], else chronolens.Error naming `name`."""
    i = _integral(v)
    if i is None:
        raise Error("chronolens: %s %r is not an integer" % (name, v))
    if not lo <= i <= hi:
        raise Error("chronolens: %s %d is outside [%d, %d]" % (name, i, lo, hi))
    return i


def c_seed(v, name="seed"):
    """A seed for a uint64_t argument."""
    return c_int(v, name, *UINT64)


def int32_array(x, name, lo=INT32[0], hi=INT32[1], span=None):
    """x as a C-contiguous int32 array, every value checked to be an integer in [lo, hi]
    before the conversion (span: how the range reads in the message, default "[lo, hi]")."""
    a = np.asarray(x)
    span = span or "[%d, %d]" % (lo, hi)
    if a.size == 0:
        return np.ascontiguousarray(a, dtype=np.int32)
    if a.dtype.kind in "biu":
        mn, mx = int(a.min()), int(a.max())
    elif a.dtype.kind == "f":
        if not (np.all(np.isfinite(a)) and np.all(a == np.trunc(a))):
            raise Error("chronolens: %s: not all integers" % name)
        mn, mx = int(a.min()), int(a.max())
    elif a.dtype.kind == "O":  # Python ints, some beyond int64
        vals = [_integral(v) for v in a.flat]
        if any(v is None for v in vals):
            raise Error("chronolens: %s: not all integers" % name)
        mn, mx = min(vals), max(vals)
    else:
        raise Error("chronolens: %s: not integers (dtype %s)" % (name, a.dtype))
    if mn < lo or mx > hi:
        raise Error("chronolens: %s: %d is outside %s" % (name, mn if mn < lo else mx, span))
    if a.dtype.kind == "O":
        a = np.array(vals, dtype=np.int64).reshape(a.shape)
    return np.ascontiguousarray(a, dtype=np.int32)
