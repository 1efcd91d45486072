"""The two shared libraries the package loads: the engine needs OpenBLAS and cJSON only; the
studies need the engine."""
import re
import shutil
import subprocess

import pytest

import chronolens


def _needed(path):
    if not shutil.which("readelf"):
        pytest.skip("no readelf")
    out = subprocess.run(["readelf", "-d", path], check=True, capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def test_engine_links_no_study_dependency():
    engine, study = chronolens.library_paths
    need = _needed(engine)
    assert any(n.startswith("libopenblas") for n in need) and any(n.startswith("libcjson") for n in need)
    assert not [n for n in need if re.match(r"lib(cairo|fftw3|lapacke)", n)], need
    sneed = _needed(study)
    assert "libchronolens.so.0" in sneed
    assert any(n.startswith("libfftw3") for n in sneed) and any(n.startswith("libcairo") for n in sneed)
