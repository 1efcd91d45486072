"""docs/python.md is a notebook: its ```python blocks run here, in order, as one session on
the bundled model, so the page says what the package does (issue 26: "the test suite runs its
code blocks"). A block that fails names its first line."""
import re

from conftest import REPO

DOC = REPO / "docs" / "python.md"


def blocks(text):
    """The ```python blocks of a markdown text, in order: [(line number, code)]."""
    out = []
    for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        out.append((text.count("\n", 0, m.start()) + 2, m.group(1)))
    return out


def test_python_md_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # from any folder, as a notebook would
    (tmp_path / "tests").symlink_to(REPO / "tests")  # but the checkout's fixtures where it names them
    found = blocks(DOC.read_text())
    assert len(found) >= 4, "docs/python.md lost its notebook"
    ns = {"__name__": "__docs__"}
    for line, code in found:
        try:
            exec(compile(code, "%s:%d" % (DOC, line), "exec"), ns)
        except Exception as e:
            raise AssertionError("docs/python.md block at line %d: %s: %s" % (line, type(e).__name__, e)) from e
    assert "pattern" in ns["r"].__class__.__dict__  # the session's forward result
