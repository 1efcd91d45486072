"""The README's Python example runs and prints what its comments say."""
import contextlib
import io
import os
import re

from conftest import REPO


def test_readme_example():
    text = (REPO / "README.md").read_text()
    start = text.index("```python", text.index("\n## Python\n")) + len("```python")
    code = text[start:text.index("```", start)]
    os.environ.setdefault("MPLBACKEND", "Agg")  # where matplotlib is installed: no window
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    printed = out.getvalue()
    # every "# layer L head H: S" comment line is printed as such
    claimed = re.findall(r"^# (layer \d+ head \d+: [\d.]+)$", code, re.M)
    assert len(claimed) == 3
    for line in claimed:
        assert line in printed.splitlines(), line
    assert "-1.162" in printed


def test_every_public_function_is_documented():
    import inspect

    import chronolens
    missing = []
    for name in chronolens.__all__:
        obj = getattr(chronolens, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for m, f in vars(obj).items():
                if not m.startswith("_") and (inspect.isfunction(f) or isinstance(f, property)):
                    if not (f.__doc__ or "").strip():
                        missing.append(name + "." + m)
    assert not missing, missing
    # the studies as Model methods carry the functions' documentation
    assert chronolens.Model.induction.__doc__ == chronolens.induction.__doc__
