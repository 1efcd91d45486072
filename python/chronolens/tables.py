"""Results as tables: `to_pandas()`, `_repr_html_` and `__repr__` for every result class.

Each result's table has the columns of the CSV file the command writes for the same study
(induction.csv, sweep.csv, multisine.csv, multisine-sweep's sweep.csv, forecast's CSV,
claims.csv), with the same names and in the same order, so a researcher can set a notebook's
table beside the command's file; docs/python.md (Results as tables) lists them. Differences
from the files are only in how a value is held: numbers as numbers (the files print %.9g),
NaN where a file leaves a cell empty, flags as bool (the files print 0/1), and lists (a
multisine config's frequencies, induction's per-occurrence means) as tuples (the files join
them with ';').

pandas is imported only inside to_pandas (Debian's python3-pandas): the rest of the package,
_repr_html_ included, needs numpy only. The tables are built here from the result's own
arrays, so studies.py keeps one job (running the study) and this file another (showing it)."""
import html

import numpy as np

from ._lib import slib

__all__ = ["Table", "model_name"]

CRITERIA = ("current", "right", "any")
_HTML_ROWS = 10  # rows a notebook shows before "... N more"


def model_name(model):
    """The name the commands give a model in their files (cl_study_model_name: the folder's
    last component, NAME for a Hugging Face snapshot .../models--ORG--NAME/snapshots/HASH)."""
    import ctypes
    buf = ctypes.create_string_buffer(256)
    slib.cl_study_model_name(model.path.encode(), buf, len(buf))
    return buf.value.decode("utf-8", "replace")


class Table:
    """Mixin of the result classes: subclasses name their columns in _COLUMNS below (by class
    name) and a one-line summary in _summary()."""

    def table_columns(self):
        """{column: 1-D sequence} in the CSV's order, every column as long as the table."""
        return _COLUMNS[type(self).__name__](self)

    def to_pandas(self):
        """The result as a pandas DataFrame with the columns of the command's CSV for the
        same study (docs/python.md, Results as tables). Imports pandas (python3-pandas)."""
        try:
            import pandas as pd
        except ImportError as e:  # the only use of pandas in the package
            raise ImportError("chronolens: to_pandas needs pandas (Debian: apt install python3-pandas)") from e
        cols = self.table_columns()
        return pd.DataFrame({k: (list(v) if _is_tuples(v) else np.asarray(v)) for k, v in cols.items()},
                            columns=list(cols))

    def _summary(self):
        return type(self).__name__

    def _table_shape(self):
        """(rows, column names) of the table; ForwardResult counts without building it."""
        cols = self.table_columns()
        return (len(next(iter(cols.values()))) if cols else 0), list(cols)

    def __repr__(self):
        n, names = self._table_shape()
        return "<%s; to_pandas(): %d rows x %d columns (%s)>" % (
            self._summary(), n, len(names), ", ".join(names[:6]) + (", ..." if len(names) > 6 else ""))

    def _repr_html_(self):
        """A notebook's view: the summary and the table's first rows (no pandas needed)."""
        cols = self.table_columns()
        names = list(cols)
        n = len(cols[names[0]]) if names else 0
        out = ["<div><p><b>%s</b></p>" % html.escape(self._summary()), "<table><thead><tr>"]
        out += ["<th>%s</th>" % html.escape(c) for c in names]
        out.append("</tr></thead><tbody>")
        for i in range(min(n, _HTML_ROWS)):
            out.append("<tr>" + "".join("<td>%s</td>" % html.escape(_cell(cols[c][i])) for c in names) + "</tr>")
        out.append("</tbody></table>")
        if n > _HTML_ROWS:
            out.append("<p>... %d more rows (to_pandas() for all %d)</p>" % (n - _HTML_ROWS, n))
        out.append("</div>")
        return "".join(out)


def _is_tuples(v):
    return isinstance(v, list) and v and isinstance(v[0], tuple)


def _cell(v):
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)):
        return "%.4g" % v if np.isfinite(v) else ("" if np.isnan(v) else str(float(v)))
    if isinstance(v, tuple):
        return ";".join(_cell(x) for x in v)
    return str(v)


def _lh(layers, heads):
    """(layer, head) columns of a (layers, heads) grid, row-major as the files list them."""
    return np.repeat(np.arange(layers), heads), np.tile(np.arange(heads), layers)


# ---- induction.csv: one row per cross-attention head, then one per encoder head

def _induction(r):
    nc, ne = r.layers * r.heads, r.enc_layers * r.heads
    n = nc + ne
    lc, hc = _lh(r.layers, r.heads)
    le, he = _lh(r.enc_layers, r.heads)
    out = {"model": [r.model] * n, "stack": ["cross"] * nc + ["encoder"] * ne,
           "layer": np.concatenate([lc, le]), "head": np.concatenate([hc, he])}
    nan = np.full(ne, np.nan)

    def both(prefix, cross, enc):
        for k in ("mean", "std", "seed_std"):
            c = np.full(nc, np.nan) if cross is None else getattr(cross, k).reshape(-1)
            e = nan if enc is None else getattr(enc, k).reshape(-1)
            out["%s_%s" % (prefix, k)] = np.concatenate([c, e])

    def flags(name, cross, enc):
        out[name] = np.concatenate([cross.reshape(-1), np.zeros(ne, bool) if enc is None else enc.reshape(-1)])

    both("current", r.current, r.enc_current)
    both("right", r.right, r.enc_right)
    flags("above_current", r.above_current, r.enc_above_current)
    flags("above_right", r.above_right, r.enc_above_right)
    both("ablation_dlogp", r.ablation, None)
    both("copying", r.copying, None)
    # the strict flags exist for cross heads under strict only (the file leaves them empty)
    for name, a in (("strict_current", r.strict_current), ("strict_right", r.strict_right)):
        out[name] = [bool(v) if r.strict else None for v in a.reshape(-1)] + [None] * ne
    both("current_all", r.current_all, None)
    both("right_all", r.right_all, None)
    for name, a in (("current_occurrences", r.current_occurrences), ("right_occurrences", r.right_occurrences)):
        rows = [()] * nc if a is None else [tuple(float(x) for x in a.reshape(nc, -1)[i]) for i in range(nc)]
        out[name] = rows + [()] * ne
    return out


def _induction_summary(r):
    top = ", ".join("L%dH%d %.3f" % t for t in r.top_heads(3))
    return "InductionResult %s: %d cross layers x %d heads, %d encoder layers; %d seed(s); top heads %s" % (
        r.model, r.layers, r.heads, r.enc_layers, r.seeds, top)


# ---- sweep.csv: one row per (R, L) cell

def _sweep(r):
    nr, nl = len(r.reps), len(r.lens)
    R, L = np.repeat(r.reps, nl), np.tile(r.lens, nr)
    out = {"model": [r.model] * (nr * nl), "reps": R.astype(int), "seq_len": L.astype(int)}
    for stack, a in (("cross", r.cross), ("encoder", r.encoder)):
        for k, c in enumerate(CRITERIA):
            for w, what in enumerate(("n", "mean", "std")):
                v = a[:, :, k, w].reshape(-1)
                out["%s_%s_%s" % (stack, c, what)] = v.astype(int) if what == "n" else v
    if r.extra is not None:
        for k in ("uniform_level", "cross_baseline_any_n", "cross_total_n", "cross_all_any_n", "cross_all_right_n"):
            out[k] = r.extra[k].reshape(-1)
    return out


def _sweep_summary(r):
    return "SweepResult %s: R in %s x L in %s; cross heads (any criterion) %s" % (
        r.model, list(map(int, r.reps)), list(map(int, r.lens)),
        r.cross[:, :, 2, 0].astype(int).tolist())


# ---- multisine.csv: one row per decoder head

def _multisine(r):
    L, H = r.heads["amplitude"].shape
    n = L * H
    l, h = _lh(L, H)
    f = lambda k: r.heads[k].reshape(-1)
    out = {"model": [r.model] * n, "layer": l, "head": h}
    for k in ("amplitude", "peak", "periodic", "strength", "spacing_hz", "quefrency_s"):
        out[k] = f(k)
    out["smallest_gap_hz"] = np.full(n, r.smallest_gap_hz)
    for k in ("error_hz", "induction_score", "induction_current", "induction_right", "context_mass", "max_share"):
        out[k] = f(k)
    return out


def _multisine_summary(r):
    return ("MultisineResult %s: %s Hz, %d points over %g s; %d periodic heads, %d at the smallest gap %g Hz; "
            "Spearman(amplitude, induction) rho %.3f p %.3g" % (
                r.model, ";".join("%g" % x for x in r.freqs), r.points, r.duration, r.periodic_heads,
                r.heads_at_smallest_gap, r.smallest_gap_hz, r.rho, r.p))


# ---- multisine-sweep's sweep.csv: one row per (config, layer, head)

def _mssweep(r):
    C, L, H = r.heads["amplitude"].shape
    G = L * H
    cfg = lambda k: np.repeat([c[k] for c in r.configs], G)
    l, h = _lh(L, H)
    out = {"config": np.repeat(np.arange(C), G),
           "freqs_hz": [tuple(float(x) for x in c["freqs_hz"]) for c in r.configs for _ in range(G)],
           "smallest_gap_hz": cfg("smallest_gap_hz"), "gap_gcd_hz": cfg("gap_gcd_hz"),
           "freq_gcd_hz": cfg("freq_gcd_hz"), "non_divisor": cfg("non_divisor").astype(bool),
           "layer": np.tile(l, C), "head": np.tile(h, C)}
    for k in ("amplitude", "peak", "periodic", "strength", "spacing_hz", "error_hz", "match"):
        out[k] = r.heads[k].reshape(-1)
    out["induction_score"] = np.tile(r.induction_score.reshape(-1), C)
    for k in ("context_mass", "max_share"):
        out[k] = r.heads[k].reshape(-1)
    return out


def _mssweep_summary(r):
    s = r.summary[0]
    return ("MultisineSweepResult: %d configs; all pairs: %d of %d periodic pairs at the smallest gap "
            "(tolerance %g Hz)" % (len(r.configs), s["match"], s["periodic"], r.match_tolerance_hz))


def mssweep_summary_columns(r):
    """The rows of sweep-summary.md as columns (MultisineSweepResult.summary_pandas)."""
    keys = list(r.summary[0])
    return {k: [d[k] for d in r.summary] for k in keys}


# ---- forecast's CSV: one row per (series, step)

def _forecast(r):
    B, H = r.mean.shape
    out = {"series": np.repeat(np.arange(B), H), "step": np.tile(np.arange(1, H + 1), B), "mean": r.mean.reshape(-1)}
    for i, lv in enumerate(r.levels):
        out["q%g" % lv] = r.quantiles[:, :, i].reshape(-1)
    return out


def _forecast_summary(r):
    B, S, H = r.samples.shape
    return "ForecastResult: %d series x %d steps, %d %s; quantile levels %s" % (
        B, H, S, "paths", ", ".join("%g" % v for v in r.levels))


# ---- claims.csv: one row per (claim, number)

def _claims(cs):
    out = {k: [] for k in ("id", "model", "family", "verdict", "extension", "reason", "number", "value")}
    words = {True: "supported", False: "not supported", None: "undecided"}
    for c in cs:
        nums = list(c.numbers.items()) or [(None, None)]
        for name, v in nums:
            out["id"].append(c.id)
            out["model"].append(";".join(c.model) if isinstance(c.model, (list, tuple)) else c.model)
            out["family"].append(c.family)
            out["verdict"].append(words[c.verdict])
            out["extension"].append(bool(c.extension))
            out["reason"].append(c.reason)
            out["number"].append(name)
            out["value"].append(float("nan") if v is None else float(v))
    return out


def _claims_summary(cs):
    n = {w: sum(1 for c in cs if c.verdict is v) for w, v in (("supported", True), ("not supported", False),
                                                               ("undecided", None))}
    return "Claims: %d verdicts (%d supported, %d not supported, %d undecided)" % (
        len(cs), n["supported"], n["not supported"], n["undecided"])


# ---- forward: one row per captured attention weight (no file of the command: its tensors)

def _forward(r):
    out = {k: [] for k in ("stack", "layer", "head", "series", "query", "key", "weight")}
    for st, a in r.attn.items():
        layers, heads, rows = r.selection[st]
        nL, B, nH, nQ, nK = a.shape
        ln = np.asarray(layers if layers is not None else range(nL))
        hn = np.asarray(heads if heads is not None else range(nH))
        qn = np.asarray(rows if rows is not None else range(nQ))
        idx = np.indices(a.shape).reshape(5, -1)
        out["stack"].append(np.full(idx.shape[1], st, dtype=object))
        out["layer"].append(ln[idx[0]])
        out["series"].append(idx[1])
        out["head"].append(hn[idx[2]])
        out["query"].append(qn[idx[3]])
        out["key"].append(idx[4])
        out["weight"].append(np.asarray(a).reshape(-1))
    return {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in out.items()}


def _forward_summary(r):
    shapes = ", ".join("%s %s" % (k, v.shape) for k, v in r.attn.items())
    out = ("quantiles %s" % (r.quantiles.shape,)) if r.logits is None else "logits %s" % (r.logits.shape,)
    return "ForwardResult: encoder_hidden %s, %s; attention (layers, batch, head, query, key): %s" % (
        r.encoder_hidden.shape, out, shapes or "none captured")


_COLUMNS = {"InductionResult": _induction, "SweepResult": _sweep, "MultisineResult": _multisine,
            "MultisineSweepResult": _mssweep, "ForecastResult": _forecast, "Claims": _claims,
            "ForwardResult": _forward}
SUMMARIES = {"InductionResult": _induction_summary, "SweepResult": _sweep_summary,
             "MultisineResult": _multisine_summary, "MultisineSweepResult": _mssweep_summary,
             "ForecastResult": _forecast_summary, "Claims": _claims_summary, "ForwardResult": _forward_summary}
Table._summary = lambda self: SUMMARIES[type(self).__name__](self)
