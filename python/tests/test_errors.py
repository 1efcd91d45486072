"""Failures raise chronolens.Error carrying the library's one-line message: the same line the
command prints (after its "chronolens: " prefix), naming the file and the problem."""
import pathlib
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
    # the bounds the commands' option tables also hold are checked once, in the library
    for kw, msg in ((dict(fmin=0), "--fmin 0"), (dict(batch=0), "--batch 0"), (dict(points=4), "--points 4"),
                    (dict(min_freqs=1), "--min-freqs 1"), (dict(noise=-1.0), "--noise -1")):
        with pytest.raises(chronolens.Error, match=msg) as e:
            chronolens.multisine_sweep(m, configs=2, **kw)
        assert e.value.code == 3
    with pytest.raises(chronolens.Error, match="--batch -1"):
        chronolens.forecast(m, np.ones(20), batch=-1)
    with pytest.raises(chronolens.Error, match="window 0"):
        chronolens.parrot(np.ones(30), 4, window=0)
    with pytest.raises(chronolens.Error, match="/nonexistent/scores.csv"):
        chronolens.claims("/nonexistent/scores.csv")


def test_bolt_refused_by_t5_studies(tmp_path):
    # the studies run Chronos-Bolt (test_bolt.py); repeated random tokens are Chronos-T5 only
    bolt = FIXTURES / "bolt-rand"
    m = chronolens.load(bolt)
    with pytest.raises(chronolens.Error, match="Chronos-Bolt") as e:
        chronolens.rrt_batch(m, batch=2)
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
    # without it: an installed package's own copies (pip install ./python) ...
    here = pathlib.Path(chronolens.__file__).resolve().parent
    if (here / "libchronolens.so.0").exists():
        p = _import(None)
        assert p.returncode == 0 and p.stdout.strip() == str(here / "libchronolens.so.0")
        return
    # ... else the checkout's build tree
    if not (REPO / "build" / "libchronolens.so").exists():
        pytest.skip("no build/ in this checkout")
    p = _import(None)
    assert p.returncode == 0 and p.stdout.strip() == str(REPO / "build" / "libchronolens.so")


# ---- issue 24: the package checks what the commands check, and wraps no integer

def _csv_message(tmp_path, column):
    """The command's one line for a context CSV of a good series and `column` (cells as text)."""
    p = tmp_path / "ctx.csv"
    p.write_text("ok,bad\n" + "".join("%d,%s\n" % (i % 7, c) for i, c in enumerate(column)))
    return _cli_message("forecast", "--model", FIXTURES / "rand-small", "--context", p, "--out", tmp_path / "o.csv",
                        "--samples", 2, "--horizon", 2), p


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e39"])
def test_context_not_finite(tmp_path, cell):
    # the CLI's CSV reader refuses these cells; the package accepted them and forecast NaN
    m = chronolens.load(FIXTURES / "rand-small")
    assert cell in _csv_message(tmp_path, ["1"] * 9 + [cell])[0]
    x = np.ones((2, 10))
    x[1, 9] = float(cell)
    for run in (lambda: chronolens.forecast(m, x, horizon=2, samples=2), lambda: m.forward(x),
                lambda: m.tokenize(x), lambda: m.embed(x), lambda: chronolens.parrot(x, 3)):
        with pytest.raises(chronolens.Error) as e:
            run()
        assert str(e.value) == "context: series 1: value 9 is not finite in float32 (NaN marks a missing value)"
        assert e.value.code == 3


def test_context_scale_overflow(tmp_path):
    # finite values whose scale leaves float32: one check (cl_context_check) for both, the
    # series named by column in the file and by row in the array
    msg, p = _csv_message(tmp_path, ["3.4e38"] * 10)
    assert msg.startswith("%s: series 'bad' (column 2): values overflow float32 when scaled" % p)
    assert not (tmp_path / "o.csv").exists()
    x = np.ones((2, 10), np.float32)
    x[1] = 3.4e38
    m = chronolens.load(FIXTURES / "rand-small")
    for run in (lambda: chronolens.forecast(m, x, horizon=2, samples=2), lambda: m.forward(x),
                lambda: m.tokenize(x), lambda: m.embed(x)):
        with pytest.raises(chronolens.Error) as e:
            run()
        # the command's text after the series label
        assert str(e.value) == "context: series 1: " + msg.split(": ", 2)[2]


def test_integers_do_not_wrap(nano):
    # numpy's int32 cast and ctypes' c_int wrapped these into valid ids and indices
    V = nano.config.vocab_size
    wraps = 2 ** 32 + 5  # int32: 5, a token id, a layer, a head
    with pytest.raises(chronolens.Error, match="token_ids: %d is outside the vocabulary" % wraps):
        nano.forward(token_ids=np.array([[wraps, 3, 1]], np.int64))
    with pytest.raises(chronolens.Error, match="token_ids: %d is outside" % (2 ** 70)):
        nano.forward(token_ids=[[2 ** 70, 3, 1]])
    with pytest.raises(chronolens.Error, match="decoder_ids: %d is outside the vocabulary" % wraps):
        nano.forward(np.ones(20), decoder_ids=np.array([0, wraps], np.int64))
    with pytest.raises(chronolens.Error, match="decoder_ids: -1 is outside the vocabulary"):
        nano.forward(np.ones(20), decoder_ids=[0, -1])
    with pytest.raises(chronolens.Error, match="attention_mask: 257 is outside"):
        nano.forward(token_ids=[[4, 3, 1]], attention_mask=[[1, 257, 1]])
    with pytest.raises(chronolens.Error, match="ids: %d is outside" % wraps):
        nano.detokenize(np.array([wraps], np.int64), 1.0)
    for field in ("layers", "heads", "rows"):
        with pytest.raises(chronolens.Error, match="capture cross %s %d is outside" % (field, wraps)):
            nano.forward(np.ones(20), capture={"cross": {field: [0, wraps]}})
    with pytest.raises(chronolens.Error, match="layer %d is outside" % wraps):
        with nano.ablate("cross", wraps, 0):
            pass
    with pytest.raises(chronolens.Error, match="head %d is outside" % wraps):
        with nano.ablate("cross", 0, [0, wraps]):
            pass
    with pytest.raises(chronolens.Error, match="seed -1 is outside"):
        chronolens.rrt_batch(nano, batch=2, seed=-1)
    with pytest.raises(chronolens.Error, match="batch %d is outside" % wraps):
        chronolens.rrt_batch(nano, batch=wraps)
    with pytest.raises(chronolens.Error, match="token_range %d is outside" % wraps):
        chronolens.rrt_batch(nano, batch=2, token_range=(3, wraps))
    with pytest.raises(chronolens.Error, match="reps: %d is outside" % wraps):
        chronolens.sweep(nano, reps=[2, wraps], lens=[2], batch=2)
    with pytest.raises(chronolens.Error, match="top_k %d is outside" % wraps):
        chronolens.forecast(nano, np.ones(20), horizon=2, samples=2, top_k=wraps)
    with pytest.raises(chronolens.Error, match="horizon %d is outside" % wraps):
        chronolens.parrot(np.ones(30), wraps)
    with pytest.raises(chronolens.Error, match="layer 1.5 is not an integer"):
        with nano.ablate("cross", 1.5, 0):
            pass
    # in range, the same values work as before
    r = nano.forward(token_ids=np.array([[4, 3, 1]], np.int64), capture={"cross": {"layers": [np.int64(0)]}})
    assert r.token_ids.dtype == np.int32 and r.attn["cross"].shape[0] == 1
    assert V > 4


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
