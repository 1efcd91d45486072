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
