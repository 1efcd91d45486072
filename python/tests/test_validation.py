"""One validation path (issue 26 item 10): Python refuses what the commands refuse, with the
same words, because both call the same library checks — cl_parse_cell (a context's text cells),
cl_context_check (its values), cl_induction_study_check / cl_sweep_study_check (R x L + 1
values against the context), the multisine input check, cl_layer_check / cl_head_check
(layer and head indices). Each test runs the command and the package on the same input and
compares the message after its leading label (the command's file and line, or option; the
package's "context: series B, value T", "capture" or "gate")."""
import subprocess

import numpy as np
import pytest

import chronolens
from conftest import CLI, NANO


def cli_message(*args):
    """The command's one line on stderr, without "chronolens: ", for a refused run (exit 2)."""
    p = subprocess.run([CLI, *map(str, args), "--quiet"], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chronolens: ")
    return lines[0][len("chronolens: "):]


def py_message(run):
    with pytest.raises(chronolens.Error) as e:
        run()
    msg = str(e.value)
    assert "\n" not in msg and e.value.code == 3
    return msg


def after(msg, label):
    """The text of msg after `label`."""
    assert label in msg, (label, msg)
    return msg.split(label, 1)[1]


def _forecast_csv(tmp_path, cells):
    """A context CSV of two series, the second ending in `cells` (text as written)."""
    p = tmp_path / "ctx.csv"
    good = ["%d" % (i % 5) for i in range(12)]
    bad = good[len(cells):] + list(cells)
    p.write_text("a,b\n" + "".join("%s,%s\n" % r for r in zip(good, bad)))
    return p


@pytest.mark.parametrize("cell", ["x", "inf", "-Infinity", "1e39", "1,5"])
def test_text_cells(nano, tmp_path, cell):
    # a value given as text is read as the CSV reader reads a cell: the same refusal
    text = cell.replace(",", ";") if cell == "1,5" else cell  # a comma would split the CSV cell
    p = _forecast_csv(tmp_path, [text])
    want = after(cli_message("forecast", "--model", NANO, "--context", p, "--out", tmp_path / "o.csv"),
                 "line 13, column 2: ")
    x = np.array([["%d" % (i % 5) for i in range(12)], ["%d" % (i % 5) for i in range(11)] + [text]])
    for run in (lambda: nano.forward(x), lambda: chronolens.forecast(nano, x, horizon=2, samples=2),
                lambda: nano.embed(x), lambda: chronolens.pipeline(nano).predict(list(x))):
        assert after(py_message(run), "context: series 1, value 11: ") == want
    assert not (tmp_path / "o.csv").exists()


def test_text_cells_read_alike(nano, tmp_path):
    # what the reader takes (spaces, empty and NaN/NA for missing) is taken alike
    cells = [" 1.5", "", "nan", "NA", "2e0"]
    p = _forecast_csv(tmp_path, cells)
    import conftest
    conftest.cli("forecast", "--model", NANO, "--context", p, "--out", tmp_path / "o.csv", "--samples", 3,
                 "--horizon", 2)
    x = np.array([["%d" % (i % 5) for i in range(12)], ["%d" % (i % 5) for i in range(7)] + cells])
    r = chronolens.forecast(nano, x, horizon=2, samples=3)
    rows = conftest.read_csv(tmp_path / "o.csv")
    assert [conftest.g9(v) for v in r.mean.reshape(-1)] == [row["mean"] for row in rows]


def test_rrt_longer_than_context(nano, tmp_path):
    c = nano.config.context_length
    L = c // 2 + 1
    want = after(cli_message("induction", "--model", NANO, "--out", tmp_path / "o", "--seq-len", L, "--reps", 2),
                 "induction: ")
    m = chronolens.load(NANO)  # named by its path, as the command names it
    assert py_message(lambda: chronolens.induction(m, seq_len=L, reps=2, batch=2)) == want
    assert "exceed its context_length %d" % c in want
    want = after(cli_message("sweep", "--model", NANO, "--out", tmp_path / "o", "--reps-list", "2,20",
                             "--len-list", "10"), "sweep: ")
    assert py_message(lambda: chronolens.sweep(m, reps=[2, 20], lens=[10], batch=2)) == want
    assert not (tmp_path / "o").exists()  # refused before any output


def test_multisine_longer_than_context(nano, tmp_path):
    n = nano.config.context_length + 1
    want = after(cli_message("multisine", "--model", NANO, "--out", tmp_path / "o", "--points", n), "multisine: ")
    m = chronolens.load(NANO)
    assert py_message(lambda: chronolens.multisine(m, points=n)) == want


@pytest.mark.parametrize("stack, maps", [("cross", "cross"), ("enc", "enc")])
def test_layer_out_of_range(nano, tmp_path, stack, maps):
    p = _forecast_csv(tmp_path, [])
    nl = nano.config.num_layers if stack == "enc" else nano.config.num_decoder_layers
    want = after(cli_message("forward", "--model", NANO, "--context", p, "--out", tmp_path / "f.safetensors",
                             "--maps", maps, "--layers", nl), "option --layers: ")
    assert want == "layer %d is outside the model's %d %s layers [0, %d)" % (
        nl, nl, "encoder" if stack == "enc" else "decoder", nl)
    x = np.ones((2, 12))
    assert after(py_message(lambda: nano.forward(x, capture={stack: {"layers": [nl]}})), "capture: ") == want

    def ablate():
        with nano.ablate(stack, nl, 0):
            pass
    assert after(py_message(ablate), "gate: ") == want


def test_head_out_of_range(nano, tmp_path):
    p = _forecast_csv(tmp_path, [])
    H = nano.config.num_heads
    want = after(cli_message("forward", "--model", NANO, "--context", p, "--out", tmp_path / "f.safetensors",
                             "--heads", "0,%d" % H), "option --heads: ")
    assert want == "head %d is outside the model's %d heads [0, %d)" % (H, H, H)
    assert after(py_message(lambda: nano.forward(np.ones(12), capture={"cross": {"heads": [0, H]}})),
                 "capture: ") == want

    def ablate():
        with nano.ablate("cross", 0, [1, H]):
            pass
    assert after(py_message(ablate), "gate: ") == want


def test_unequal_lengths_left_padded(nano, tmp_path):
    # a list of unequal series is the CSV with empty cells above the shorter one
    a, b = np.sin(np.arange(30) / 3) * 3, np.arange(18, dtype=float) % 4
    p = tmp_path / "ctx.csv"
    p.write_text("a,b\n" + "".join("%r,%s\n" % (a[t], "" if t < 12 else repr(b[t - 12])) for t in range(30)))
    import conftest
    conftest.cli("forecast", "--model", NANO, "--context", p, "--out", tmp_path / "o.csv", "--samples", 3,
                 "--horizon", 2)
    rows = conftest.read_csv(tmp_path / "o.csv")
    for ctx in ([a, b], (a, list(b)), np.array([a, b], dtype=object)):
        r = chronolens.forecast(nano, ctx, horizon=2, samples=3)
        assert [conftest.g9(v) for v in r.mean.reshape(-1)] == [row["mean"] for row in rows]
    # a series that is not 1-D, or a nested sequence numpy cannot hold: the package's words
    assert "series 1 has shape (2, 2)" in py_message(lambda: nano.forward([a, np.ones((2, 2))]))


@pytest.mark.parametrize("bad, dtype", [(np.array([1 + 2j, 3]), "complex128"),
                                        (np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"),
                                         "datetime64[D]")])
def test_not_real_numbers(nano, bad, dtype):
    # numpy would cast complex to real with a warning, dates to integers: refused, naming the dtype
    assert py_message(lambda: nano.forward(bad)) == "context: values of dtype %s are not real numbers" % dtype


@pytest.mark.parametrize("opt, kw", [("--temperature", "temperature"), ("--top-p", "top_p")])
def test_sampler_rules(nano, tmp_path, opt, kw):
    # 0 passes the option's range [0, ..] and meets the sampler's rule (cl_sampling_rule): the
    # same rule text from the command and the package
    p = _forecast_csv(tmp_path, [])
    rule = after(cli_message("forecast", "--model", NANO, "--context", p, "--out", tmp_path / "o.csv", opt, "0"),
                 "%s: '0' " % opt)
    got = py_message(lambda: chronolens.forecast(nano, np.ones(12), horizon=2, samples=2, **{kw: 0.0}))
    assert got == "forecast: %s 0 %s" % (kw, rule)


@pytest.mark.parametrize("freqs", ["5,5", "5,400"])
def test_multisine_input(nano, tmp_path, freqs):
    # the input's check (cl_multisine_check), the package's copy of it gone
    want = after(cli_message("multisine", "--model", NANO, "--out", tmp_path / "o", "--freqs", freqs), "multisine: ")
    f = [float(v) for v in freqs.split(",")]
    assert py_message(lambda: chronolens.multisine(nano, freqs=f, permutations=10)) == want
