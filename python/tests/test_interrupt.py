"""Ctrl-C and cancelling long calls: a SIGINT during a long library call raises
KeyboardInterrupt within a second (with or without a progress callback), a progress callback
returning chronolens.CANCEL stops the run with chronolens.Error, and a callback's own
exception propagates (ctypes would print and swallow it).

Each long call below takes many seconds uninterrupted (several times the bound, more on a
loaded machine) and reports progress every few tens of milliseconds, so the bound measures
the stopping, not the work."""
import json
import os
import signal
import threading
import time

import numpy as np
import pytest

import chronolens as cl
from conftest import NANO, write_safetensors

DELAY = 0.3  # seconds before the signal: the call is well inside the library by then
BOUND = 1.0  # seconds from the signal to the exception


def _deep_model(dirpath, layers=400):
    """A T5 checkpoint of the bundled model's vocabulary and tokenizer but `layers` thin
    encoder layers (d_model 32; 2 decoder layers, whose cross-attention keys and values are
    kept per layer): a pass of many cheap layers, so that its progress points (one per
    layer) are close together while the pass is long."""
    cfg = json.loads((NANO / "config.json").read_text())
    d, H, dk, F = 32, 4, 8, 64
    cfg.update(d_model=d, num_heads=H, d_kv=dk, d_ff=F, num_layers=layers, num_decoder_layers=2)
    V, HD, nb = cfg["vocab_size"], H * dk, cfg["relative_attention_num_buckets"]
    rng = np.random.default_rng(0)

    def w(*shape):
        return (rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)

    t = {"shared.weight": w(V, d)}
    for stk, subs, n in (("encoder", 1, layers), ("decoder", 2, 2)):
        for i in range(n):
            for a in range(subs):
                an = "1.EncDecAttention" if a else "0.SelfAttention"
                for p in "qkv":
                    t["%s.block.%d.layer.%s.%s.weight" % (stk, i, an, p)] = w(HD, d)
                t["%s.block.%d.layer.%s.o.weight" % (stk, i, an)] = w(d, HD)
                t["%s.block.%d.layer.%d.layer_norm.weight" % (stk, i, a)] = np.ones(d, np.float32)
            if i == 0:
                t["%s.block.0.layer.0.SelfAttention.relative_attention_bias.weight" % stk] = w(nb, H)
            t["%s.block.%d.layer.%d.DenseReluDense.wi.weight" % (stk, i, subs)] = w(F, d)
            t["%s.block.%d.layer.%d.DenseReluDense.wo.weight" % (stk, i, subs)] = w(d, F)
            t["%s.block.%d.layer.%d.layer_norm.weight" % (stk, i, subs)] = np.ones(d, np.float32)
        t["%s.final_layer_norm.weight" % stk] = np.ones(d, np.float32)
    dirpath.mkdir(exist_ok=True)
    (dirpath / "config.json").write_text(json.dumps(cfg))
    write_safetensors(dirpath / "model.safetensors", t)
    return cl.load(dirpath)


@pytest.fixture(scope="module")
def deep(tmp_path_factory):
    return _deep_model(tmp_path_factory.mktemp("deep") / "model")


def _context(B, L=128):
    t = np.arange(L, dtype=np.float32)
    return np.stack([np.sin(t / (3 + b % 7)) + 0.01 * b for b in range(B)]).astype(np.float32)


def _interrupted(fn, started=None):
    """Runs fn with a real SIGINT sent to this process DELAY seconds in (what Ctrl-C does) --
    and, given an Event `started`, not before it is set (a progress callback's first call: on a
    loaded machine the call may not reach its first progress point within DELAY, and the
    signal must land where the callback runs); returns the seconds from the signal to the
    KeyboardInterrupt that fn must raise."""
    sent = {}

    def fire():
        if started is not None:
            started.wait(120)
        sent["t"] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(DELAY, fire)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            fn()
        return time.perf_counter() - sent["t"]
    finally:
        timer.cancel()
        timer.join()


def _recorder(calls, started):
    """A progress callback that records each call and sets `started` at the first."""
    def progress(done, total):
        calls.append(done)
        started.set()
    return progress


def test_forward_interrupted(deep):
    # one pass in the library, no Python code between its layers
    x = _context(128)
    assert _interrupted(lambda: deep.forward(x)) < BOUND
    # the state that was stopped mid-pass serves the next pass as a fresh one would
    small = _context(3)
    a = deep.forward(small).logits.copy()
    b = cl.load(deep.path).forward(small).logits
    np.testing.assert_array_equal(a, b)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_embed_interrupted(deep):
    x = _context(256)
    assert _interrupted(lambda: deep.embed(x, batch=256)) < BOUND


@pytest.mark.parametrize("with_callback", [False, True])
def test_induction_interrupted(nano, with_callback):
    calls, started = [], threading.Event()
    progress = _recorder(calls, started) if with_callback else None
    run = (lambda: cl.induction(nano, batch=64, seeds=2000, strict=False, progress=progress))
    assert _interrupted(run, started if with_callback else None) < BOUND
    assert calls or not with_callback
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("with_callback", [False, True])
def test_forecast_interrupted(nano, with_callback):
    calls, started = [], threading.Event()
    kw = {"progress": _recorder(calls, started)} if with_callback else {}
    x = _context(4000)
    run = (lambda: cl.forecast(nano, x, horizon=64, samples=20, **kw))
    assert _interrupted(run, started if with_callback else None) < BOUND
    assert calls or not with_callback


def test_sweep_interrupted_within_a_cell(nano):
    # one cell of many seeds: the cell's own passes are the progress points
    assert _interrupted(lambda: cl.sweep(nano, reps=(2,), lens=(10,), batch=64, seeds=2000)) < BOUND


def test_multisine_sweep_interrupted(nano):
    assert _interrupted(lambda: cl.multisine_sweep(nano, configs=2000, batch=4, permutations=0)) < BOUND


def test_callback_cancel_stops_with_error(nano):
    calls = []

    def progress(done, total):
        calls.append(done)
        return cl.CANCEL if len(calls) >= 3 else None

    t0 = time.perf_counter()
    with pytest.raises(cl.Error, match="cancelled") as e:
        cl.induction(nano, batch=16, seeds=2000, strict=False, progress=progress)
    assert e.value.code == 5
    assert len(calls) == 3  # no report after the cancel
    assert time.perf_counter() - t0 < 30
    with pytest.raises(cl.Error, match="forecast: cancelled"):
        cl.forecast(nano, _context(50), horizon=64, progress=lambda d, t: cl.CANCEL)
    # a callback returning anything else (tqdm's update returns True) goes on
    r = cl.forecast(nano, _context(2), horizon=4, samples=2, progress=lambda d, t: True)
    assert r.samples.shape == (2, 2, 4)


@pytest.mark.parametrize("exc", [ValueError("from the callback"), KeyboardInterrupt()])
def test_callback_exception_propagates(nano, exc):
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 2:
            raise exc

    with pytest.raises(type(exc)) as e:
        cl.induction(nano, batch=16, seeds=2000, strict=False, progress=progress)
    assert e.value is exc
    assert len(calls) == 2
    calls.clear()
    with pytest.raises(type(exc)):
        cl.multisine_sweep(nano, configs=50, batch=1, permutations=0, progress=progress)
    assert len(calls) == 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_users_sigint_handler(nano):
    # a handler of the user's own runs within the bound, during the call: when it returns the
    # call goes on to its result, what it raises stops the call and propagates
    got = []

    def handler(signum, frame):
        got.append(time.perf_counter())
        if len(got) == 2:
            raise RuntimeError("handled")

    prev = signal.signal(signal.SIGINT, handler)
    try:
        for run in range(2):
            timer = threading.Timer(DELAY, lambda: os.kill(os.getpid(), signal.SIGINT))
            t0 = time.perf_counter()
            timer.start()
            if run == 0:
                r = cl.induction(nano, batch=64, seeds=40, strict=False)
                assert r.seeds == 40
            else:
                with pytest.raises(RuntimeError, match="handled"):
                    cl.induction(nano, batch=64, seeds=2000, strict=False)
            end = time.perf_counter()
            timer.join()
            assert len(got) == run + 1 and got[run] - t0 < DELAY + BOUND and got[run] < end
        assert signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, prev)
