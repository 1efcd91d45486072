"""Failures raise chronolens.Error carrying the library's one-line message: the same line the
command prints (after its "chronolens: " prefix), naming the file and the problem."""
import shutil
import subprocess

import numpy as np
import pytest

import chronolens
from conftest import CLI, FIXTURES, NANO


def _cli_message(*args):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chronolens: ")
    return lines[0][len("chronolens: "):]


def _load_error(path):
    with pytest.raises(chronolens.Error) as e:
        chronolens.load(path)
    msg = str(e.value)
    assert msg and "\n" not in msg and e.value.message == msg
    assert msg == _cli_message("info", "--model", path)
    return e.value


def test_missing_folder(tmp_path):
    e = _load_error(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere" / "config.json") in str(e) and e.code == 1


@pytest.fixture
def copy(tmp_path):
    d = tmp_path / "m"
    shutil.copytree(FIXTURES / "rand-small", d)
    return d


def test_truncated_weights(copy):
    p = copy / "model.safetensors"
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    e = _load_error(copy)
    assert str(p) in str(e)


def test_corrupt_header(copy):
    p = copy / "model.safetensors"
    data = bytearray(p.read_bytes())
    data[8:20] = b"{not json!!!"
    p.write_bytes(bytes(data))
    e = _load_error(copy)
    assert str(p) in str(e) and e.code == 2


def test_corrupt_config(copy):
    (copy / "config.json").write_text('{"d_model": 64,')
    e = _load_error(copy)
    assert str(copy / "config.json") in str(e)


def test_bad_arguments():
    m = chronolens.load(NANO)
    with pytest.raises(chronolens.Error, match="must be >= 2") as e:
        chronolens.induction(m, seq_len=1, batch=4)
    assert e.value.code == 3
    with pytest.raises(chronolens.Error, match="Nyquist"):
        chronolens.multisine(m, freqs=[5, 200])
    with pytest.raises(chronolens.Error, match="top_p"):
        chronolens.forecast(m, np.ones(20), top_p=0)
    with pytest.raises(chronolens.Error, match="decoder_ids"):
        m.forward(np.ones((2, 20)), decoder_ids=np.zeros((3, 1)))
    with pytest.raises(chronolens.Error, match="vocabulary"):
        m.forward(token_ids=np.full((1, 5), 10 ** 6))
    with pytest.raises(chronolens.Error, match="batch 0"):
        chronolens.rrt_batch(m, batch=0)
    with pytest.raises(chronolens.Error, match="configs 0"):
        chronolens.multisine_sweep(m, configs=0)
    with pytest.raises(chronolens.Error, match="horizon -1"):
        chronolens.parrot(np.ones(30), -1)
    with pytest.raises(chronolens.Error, match="/nonexistent/scores.csv"):
        chronolens.claims("/nonexistent/scores.csv")


def test_bolt_refused_by_t5_studies(tmp_path):
    # a Chronos-Bolt checkpoint loads, but the package's study wrappers are Chronos-T5 only (the
    # Bolt studies run from the commands, and `chronolens report` shows them)
    bolt = FIXTURES / "bolt-rand"
    m = chronolens.load(bolt)
    for run in (lambda: chronolens.induction(m, batch=2), lambda: chronolens.rrt_batch(m, batch=2),
                lambda: chronolens.multisine(m), lambda: chronolens.multisine_sweep(m, configs=1)):
        with pytest.raises(chronolens.Error, match="Chronos-Bolt") as e:
            run()
        assert str(bolt) in str(e.value) and e.value.code == 3


def _import(env_lib):
    import os
    import sys
    env = {k: v for k, v in os.environ.items() if k != "CHRONOLENS_LIB"}
    if env_lib is not None:
        env["CHRONOLENS_LIB"] = env_lib
    code = "import chronolens; print(chronolens.library_paths[0])"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


def test_library_lookup(tmp_path):
    from conftest import REPO
    import chronolens._lib as L
    # $CHRONOLENS_LIB: a folder without the libraries is an ImportError saying where it looked
    p = _import(str(tmp_path))
    assert p.returncode != 0 and "CHRONOLENS_LIB=" + str(tmp_path) in p.stderr and "ImportError" in p.stderr
    # ... or the path of libchronolens.so, the study library beside it
    p = _import(L.library_paths[0])
    assert p.returncode == 0 and p.stdout.strip() == L.library_paths[0]
    # without it: the checkout's build tree
    if not (REPO / "build" / "libchronolens.so").exists():
        pytest.skip("no build/ in this checkout")
    p = _import(None)
    assert p.returncode == 0 and p.stdout.strip() == str(REPO / "build" / "libchronolens.so")


def _in_subprocess(code, timeout=60):
    """Runs code in a fresh Python (the package as this one imports it): a hang fails the test
    at timeout instead of blocking the suite, and a crash is an exit status, not ours."""
    import os
    import sys
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(chronolens.__file__)), env.get("PYTHONPATH", "")])
    try:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("hung (killed after %ds): %s" % (timeout, code))


@pytest.mark.parametrize("name", ["model.safetensors", "config.json"])
def test_fifo_refused(copy, name):
    # a FIFO where a model file is expected: opening it would wait for a writer forever
    import os
    (copy / name).unlink()
    os.mkfifo(copy / name)
    p = _in_subprocess("import chronolens\ntry:\n    chronolens.load(%r)\nexcept chronolens.Error as e:\n"
                       "    print(e)\n" % str(copy))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "%s: not a regular file (a FIFO)" % (copy / name)
    assert p.stdout.strip() == _cli_message("info", "--model", copy)


def test_truncated_while_loaded(copy):
    # the mmapped checkpoint truncated under a loaded model: the next forward raises naming the
    # file (no Bus error)
    p = _in_subprocess("import numpy as np, os, chronolens\nm = chronolens.load(%r)\nm.forward(np.ones((1, 20)))\n"
                       "os.truncate(%r, 0)\ntry:\n    m.forward(np.ones((1, 20)))\nexcept chronolens.Error as e:\n"
                       "    print(e)\n" % (str(copy), str(copy / "model.safetensors")))
    assert p.returncode == 0, p.stderr
    assert str(copy / "model.safetensors") in p.stdout and "truncated" in p.stdout
