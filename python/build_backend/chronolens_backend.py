"""The PEP 517 build backend of the chronolens Python package: the standard library only.

Why our own: `pip install ./python` (or the repository root) must work on a machine with no
Python package index. pip's build isolation installs a pyproject's `requires` from the index
first, so a setuptools backend cannot be fetched there; this one requires nothing (pyproject's
`requires = []`, loaded in-tree through `backend-path`).

What the wheel holds (one platform wheel, py3-none-<platform>: the package is pure Python, the
libraries are not):
  chronolens/*.py                          the package (python/chronolens)
  chronolens/libchronolens.so.0            the engine, under its soname
  chronolens/libchronolens_study.so.0      the studies (NEEDED libchronolens.so.0: the dynamic
                                           linker matches it to the engine loaded first)
  chronolens/models/chronos-nano/          the bundled model
_lib.py looks for the libraries beside itself and model.default_model_path for the model, so an
installed package needs neither PYTHONPATH nor CHRONOLENS_LIB.

Where the libraries come from, in order:
  1. config setting `build-dir` (pip --config-settings build-dir=DIR) or $CHRONOLENS_BUILD_DIR:
     an existing build tree whose libraries are taken as they are (ctest's venv test uses the
     tree it tests); a folder without them is configured and built;
  2. otherwise <repo>/build-python, configured (Release) and built by cmake here; a second
     install rebuilds only what changed.
cmake's output goes to stderr (pip shows it with -v).

`pip install -e ./python` (PEP 660) installs a .pth file naming python/ instead: the package is
imported from the checkout and finds the libraries in <repo>/build/ (built here if missing,
as `make build` would), as an imported checkout always does.
"""
import base64
import hashlib
import os
import pathlib
import re
import subprocess
import sys
import sysconfig
import zipfile

REPO = pathlib.Path(__file__).resolve().parents[2]
PKG = REPO / "python" / "chronolens"
MODEL = REPO / "models" / "chronos-nano"
LIBS = ("libchronolens.so.0", "libchronolens_study.so.0")  # the sonames _lib.py loads
TARGETS = ("chronolens_shared", "chronolens_study_shared")
NAME = "chronolens"


def _version():
    m = re.search(r'^__version__ = "([^"]+)"', (PKG / "__init__.py").read_text(), re.M)
    if not m:
        raise RuntimeError("chronolens build: no __version__ in %s" % (PKG / "__init__.py"))
    return m.group(1)


def _tag():
    # the platform of this interpreter (linux_x86_64, ...): the libraries are built for it
    return "py3-none-" + re.sub(r"[-.]", "_", sysconfig.get_platform())


def _dist_info():
    return "%s-%s.dist-info" % (NAME, _version())


def _metadata():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
            "Summary: Look inside Amazon's Chronos time-series models (C library + Python ctypes package)\n"
            "Requires-Python: >=3.9\nRequires-Dist: numpy\nLicense: Apache-2.0\n"
            "Description-Content-Type: text/markdown\n\n%s" % (NAME, _version(), readme))


def _wheel_file():
    return "Wheel-Version: 1.0\nGenerator: chronolens_backend\nRoot-Is-Purelib: false\nTag: %s\n" % _tag()


def _run(cmd):
    sys.stderr.write("chronolens build: %s\n" % " ".join(cmd))
    sys.stderr.flush()
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def _libraries(config_settings):
    """The folder holding both shared libraries, built if needed."""
    given = (config_settings or {}).get("build-dir") or os.environ.get("CHRONOLENS_BUILD_DIR")
    build = pathlib.Path(given).resolve() if given else REPO / "build-python"
    if given and all((build / n).exists() for n in LIBS):
        return build  # an existing tree, as it is
    if not (build / "CMakeCache.txt").exists():
        _run(["cmake", "-S", str(REPO), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"])
    _run(["cmake", "--build", str(build), "-j", str(os.cpu_count() or 1), "--target", *TARGETS])
    missing = [n for n in LIBS if not (build / n).exists()]
    if missing:
        raise RuntimeError("chronolens build: %s: no %s after the build" % (build, ", ".join(missing)))
    return build


def _files(config_settings):
    """(path in the wheel, source file) of everything but the dist-info."""
    out = [("chronolens/" + p.relative_to(PKG).as_posix(), p) for p in sorted(PKG.rglob("*.py"))]
    build = _libraries(config_settings)
    out += [("chronolens/" + n, (build / n).resolve()) for n in LIBS]  # the real file, not the link
    out += [("chronolens/models/chronos-nano/" + p.relative_to(MODEL).as_posix(), p)
            for p in sorted(MODEL.rglob("*")) if p.is_file()]
    return out


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


# ---- the PEP 517 hooks

def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = pathlib.Path(metadata_directory) / _dist_info()
    d.mkdir(parents=True, exist_ok=True)
    (d / "METADATA").write_text(_metadata(), encoding="utf-8")
    (d / "WHEEL").write_text(_wheel_file(), encoding="utf-8")
    return d.name


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _libraries({"build-dir": str(REPO / "build")})  # where _lib.py looks from a checkout
    pth = (str(PKG.parent) + "\n").encode()
    return _write_wheel(wheel_directory, [("__editable__.chronolens.pth", pth)])


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(arc, src.read_bytes()) for arc, src in _files(config_settings)])


def _write_wheel(wheel_directory, files):
    name = "%s-%s-%s.whl" % (NAME, _version(), _tag())
    path = pathlib.Path(wheel_directory) / name
    di = _dist_info()
    record = []
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        def add(arc, data, mode=0o644):
            info = zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
            record.append(_record_line(arc, data))
        for arc, data in files:
            add(arc, data, 0o755 if arc.endswith(".so.0") else 0o644)
        add(di + "/METADATA", _metadata().encode())
        add(di + "/WHEEL", _wheel_file().encode())
        add(di + "/top_level.txt", b"chronolens\n")
        rec = "\n".join(record + [di + "/RECORD,,"]) + "\n"
        z.writestr(zipfile.ZipInfo(di + "/RECORD", date_time=(2020, 1, 1, 0, 0, 0)), rec)
    os.replace(tmp, path)  # no half-written wheel left behind
    return name
