"""The package's ctypes mirrors of the library's structs: every one matches the library's size
of its struct (checked at import), a mirror that does not is refused with an error naming it,
and the library can size every public struct of include/ (so a new one can be mirrored)."""
import ctypes
import pathlib
import re

import pytest

import chronolens
from chronolens import _lib, _structs

INCLUDE = pathlib.Path(__file__).resolve().parents[2] / "include"


def test_every_mirror_matches():
    assert len(_lib.MIRRORS) >= 30
    for cls in _lib.MIRRORS:
        assert _lib.slib.cl_abi_sizeof(cls._c_name_.encode()) == ctypes.sizeof(cls), cls._c_name_
    _lib.check_mirrors()  # what the import ran


def test_a_wrong_mirror_is_refused():
    # a field too many (a package newer or older than its library)
    class Longer(ctypes.Structure):
        _fields_ = _structs.RrtOpts._fields_ + [("extra", ctypes.c_double)]
    Longer._c_name_ = "cl_rrt_opts"

    class Unknown(ctypes.Structure):
        _fields_ = [("x", ctypes.c_int)]
    Unknown._c_name_ = "cl_no_such_struct"

    with pytest.raises(ImportError) as e:
        _lib.check_mirrors([_structs.Stat, Longer, Unknown])
    msg = str(e.value)
    assert "different versions" in msg and "cl_stat" not in msg
    assert "cl_rrt_opts is %d bytes, this package's mirror %d bytes" % (
        ctypes.sizeof(_structs.RrtOpts), ctypes.sizeof(Longer)) in msg
    assert "cl_no_such_struct is unknown to the library" in msg


def test_library_sizes_every_public_struct():
    names = set()
    for h in INCLUDE.glob("*.h"):
        names |= set(re.findall(r"^} (cl_\w+);", h.read_text(), re.M))
    assert "cl_config" in names and "cl_claims_opts" in names
    missing = sorted(n for n in names if not _lib.slib.cl_abi_sizeof(n.encode()))
    assert not missing, "cl_abi_sizeof knows none of %s (src/study/common/abi.c)" % missing
    assert _lib.slib.cl_abi_sizeof(b"cl_model") == 0  # opaque
    assert chronolens.library_paths
