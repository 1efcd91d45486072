#!/bin/sh
# python_venv.sh PYTHON BUILD_DIR CLI — the Python package as a user installs it: a fresh
# virtual environment (Debian's numpy and pytest through --system-site-packages), then
# `pip install --no-index ./python` (no package index: the in-tree backend
# python/build_backend, standard library only, packs BUILD_DIR's libraries and the bundled
# model), then the Python tests from another folder with neither PYTHONPATH nor
# CHRONOLENS_LIB: they import the installed package; then `pip install -e`. Exit 77 (skipped)
# without python3-venv.
set -e
PY=$1 B=$(cd "$2" && pwd) CLI=$3
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/clvenv.XXXXXX")
trap 'rm -rf "$T"' EXIT
if ! "$PY" -m venv --system-site-packages "$T/v" > "$T/venv.log" 2>&1; then
    cat "$T/venv.log"; echo "python_venv: $PY -m venv failed (Debian: apt-get install python3-venv)"; exit 77
fi
unset PYTHONPATH CHRONOLENS_LIB CHRONOLENS_MODEL
CHRONOLENS_BUILD_DIR=$B "$T/v/bin/python" -m pip install -q --no-index --no-cache-dir "$SRC/python"
cd "$T"
"$T/v/bin/python" - "$T/v" <<'PY'
import pathlib, sys
import chronolens
venv = pathlib.Path(sys.argv[1]).resolve()
for p in (chronolens.__file__, *chronolens.library_paths):
    assert venv in pathlib.Path(p).resolve().parents, "not from the venv: %s" % p
m = chronolens.load()
assert venv in pathlib.Path(m.path).resolve().parents, "bundled model not from the venv: %s" % m.path
print("installed:", chronolens.__file__, m)
PY
CHRONOLENS_CLI=$CLI PYTHONDONTWRITEBYTECODE=1 "$T/v/bin/python" -m pytest -q -rs -p no:cacheprovider "$SRC/python/tests"
# pip install -e (PEP 660): a .pth naming python/; the checkout's build/ holds the libraries
# (checked when BUILD_DIR is that build/, else the backend would build one)
if [ "$B" = "$SRC/build" ]; then
    "$T/v/bin/python" -m pip install -q --no-index --no-cache-dir -e "$SRC/python"
    "$T/v/bin/python" -c "
import chronolens, sys
assert chronolens.__file__.startswith(sys.argv[1] + '/python/'), chronolens.__file__
assert chronolens.library_paths[0].startswith(sys.argv[1] + '/build/'), chronolens.library_paths
chronolens.load()
print('editable:', chronolens.__file__)" "$SRC"
fi
