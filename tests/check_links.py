#!/usr/bin/env python3
"""check_links.py ROOT — every relative link of the documentation resolves.

README.md is a front door into docs/, and a section that moves leaves links behind it, so
every Markdown file of the repository (build folders and hidden ones aside) is read: each
link and image, `[text](target)`, `![alt](target)` or `<img src="target">`, outside code,
must name a file or folder that exists, and its `#anchor`, if any, a heading of the Markdown
file it points to (GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, a
repeated heading numbered -1, -2, ...). Web addresses are not fetched. Prints one line per
broken link (FILE:LINE: target: problem) and exits 1 if there is any.
"""
import re
import sys
from pathlib import Path

LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMG = re.compile(r"<img\s[^>]*\bsrc=\"([^\"]+)\"", re.I)
ANCHOR = re.compile(r"<a\s[^>]*\b(?:id|name)=\"([^\"]+)\"", re.I)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)((?:(?!\n\n).)+?)\1", re.S)  # within a paragraph


def prose_lines(text):
    """(line number, line) of the lines outside fenced code, inline code made inert."""
    fence = None
    for n, line in enumerate(text.split("\n"), 1):
        s = line.lstrip()
        if fence is None and (s.startswith("```") or s.startswith("~~~")):
            fence = s[:3]
            continue
        if fence is not None:
            if s.startswith(fence):
                fence = None
            continue
        if line.startswith("    ") and not line.lstrip().startswith(("-", "*", "|")):
            continue  # an indented code block (as docs/numerics.md has)
        yield n, line


def slug(heading):
    """GitHub's anchor of a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, out = {}, set()
        for _, line in prose_lines(path.read_text(encoding="utf-8")):
            m = HEADING.match(line)
            if m:
                s = slug(m.group(2))
                k = seen.get(s, 0)
                seen[s] = k + 1
                out.add(s if k == 0 else f"{s}-{k}")
            out.update(ANCHOR.findall(line))
        cache[path] = out
    return cache[path]


def markdown_files(root):
    for p in sorted(root.rglob("*.md")):
        rel = p.relative_to(root).parts
        if any(part.startswith((".", "build")) for part in rel[:-1]):
            continue
        yield p


def check(root):
    problems = []
    for md in markdown_files(root):
        # the prose as one text (a link's text may run over a line break), code blanked out
        lines = md.read_text(encoding="utf-8").split("\n")
        kept = dict(prose_lines("\n".join(lines)))
        text = "\n".join(kept.get(n, "") for n in range(1, len(lines) + 1))
        text = CODE_SPAN.sub(lambda m: "code" + "\n" * m.group(0).count("\n"), text)
        found = [(m.start(), m.group(1)) for r in (LINK, IMG) for m in r.finditer(text)]
        for at, target in sorted(found):
            n = text.count("\n", 0, at) + 1
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # https:, mailto:: not fetched
            path, _, frag = target.partition("#")
            dest = (md.parent / path).resolve() if path else md
            where = f"{md.relative_to(root)}:{n}: {target}"
            if not dest.exists():
                problems.append(f"{where}: no such file")
            elif frag:
                if dest.suffix != ".md" or dest.is_dir():
                    problems.append(f"{where}: an anchor into a file that is not Markdown")
                elif frag not in anchors(dest):
                    problems.append(f"{where}: no heading with that anchor in {dest.name}")
    return problems


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems = check(root)
    for p in problems:
        print(p)
    if not any(markdown_files(root)):
        print(f"{root}: no Markdown files")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
