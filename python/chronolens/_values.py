"""Context values as the library reads them. A context CSV's cells go through the library's
cell reader (cl_parse_cell); an array's values through numpy, except text (str, bytes, or
objects that are not numbers), which goes through the same cl_parse_cell, so a cell the
command refuses ("x", "inf") is refused here with the same words, and one it reads (" 1.5",
"", "nan", "NA": missing) is read alike. Anything else that is not a real number (complex,
dates) is refused naming its dtype, instead of numpy's raw error or a silent cast."""
import ctypes
import numbers

import numpy as np

from ._lib import CL_EINVAL, Error, lib


def _torch_tensor(x):
    t = type(x)
    return t.__module__.split(".")[0] == "torch" and t.__name__ in ("Tensor", "Parameter")


def _label(index, shape, series):
    """'series B, value T' of a flat index into a (L,) or (B, L) array (series: the row of a
    1-D series in its batch)."""
    if len(shape) == 2:
        b, t = divmod(index, shape[1])
        return "series %d, value %d" % (b, t)
    return "series %d, value %d" % (series or 0, index)


def _cell(v, index, shape, series):
    """One text or object value -> float, by the CSV reader's rule."""
    if isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    text = v if isinstance(v, str) else None
    out = ctypes.c_float()
    bad = 1 if text is None else lib.cl_parse_cell(text.encode("utf-8", "replace"), ctypes.byref(out))
    if bad == 1:
        raise Error("context: %s: non-numeric cell '%.40s'" % (_label(index, shape, series), str(v)), CL_EINVAL)
    if bad == 2:
        raise Error("context: %s: value '%.40s' is not finite in float32 (use NaN or an empty cell for a missing "
                    "value)" % (_label(index, shape, series), text), CL_EINVAL)
    return float(out.value)


def values(x, series=None):
    """x (a sequence, numpy array or torch tensor) as a numeric numpy array (its own dtype when
    numeric, float64 when read from text); series: the row this 1-D series will be in a batch
    (for the messages)."""
    if _torch_tensor(x):
        x = x.detach().to("cpu").float().numpy()
    try:
        a = np.asarray(x)
    except ValueError:  # a ragged nested sequence numpy cannot hold
        raise Error("context: series of unequal lengths in a nested sequence: give a list of 1-D series (left-padded "
                    "with NaN) or a 2-D array", CL_EINVAL) from None
    k = a.dtype.kind
    if k in "fiub":
        return a
    if k in "USO":
        flat = [_cell(v, i, a.shape, series) for i, v in enumerate(a.flat)]
        return np.array(flat, dtype=np.float64).reshape(a.shape)
    raise Error("context: values of dtype %s are not real numbers" % a.dtype, CL_EINVAL)
