#!/usr/bin/env python3
"""check_layers.py SOURCE_DIR BUILD_DIR — the house's structure, proved on every test run.

Layers are folders of src/ (docs/design.md "Layers"); data flows down only:

    core < io < model < data < train < study < claims < report  (< tools, the CLI)

It fails, naming each offending line or symbol, on
  1. an include (src/, tools/, bench/) of a src/ file in a higher layer;
  2. a call: an object file of layer L using a symbol defined in a higher layer (read with nm
     from the build's object files — a call through a public header counts too);
  3. between studies: src/study/<module>/ uses only itself and src/study/common/;
     between model families: src/model/<family>/ uses only itself and generic src/model/,
     and generic src/model/ reaches a family only through src/model/families.c (its table);
  4. a circle: object files that use each other, directly or round a loop (file level);
  5. tools/ including anything but include/ and tools/ headers.
"""
import os, re, subprocess, sys

ORDER = ["core", "io", "model", "data", "train", "study", "claims", "report", "tools"]
RANK = {n: i for i, n in enumerate(ORDER)}
FAMILY_TABLE = "src/model/families.c"


def layer_of(rel):
    """('model', 't5') for src/model/t5/x.c; ('tools', None) for tools/x.c"""
    parts = rel.split("/")
    if parts[0] == "tools": return "tools", None
    if parts[0] != "src" or len(parts) < 3: return None, None
    sub = parts[2] if len(parts) > 3 else None
    return parts[1], sub


def allowed(src, dst):
    """may file src use file dst? (both repository-relative). Returns a reason when not."""
    ls, ss = layer_of(src)
    ld, sd = layer_of(dst)
    if ls is None or ld is None or ls not in RANK or ld not in RANK: return None
    if RANK[ld] > RANK[ls]: return "runs up the layers (%s above %s)" % (ld, ls)
    if ls == ld == "study":
        if sd not in (ss, "common") and ss != sd:
            return "between studies (study/%s uses study/%s)" % (ss, sd)
    if ls == ld == "model" and ss != sd:
        if ss is not None and sd is not None: return "between model families (%s uses %s)" % (ss, sd)
        if ss is None and sd is not None and src not in (FAMILY_TABLE,) and not src.endswith(".h"):
            return "generic model code calls family %s by name (only %s holds the families)" % (sd, FAMILY_TABLE)
    return None


INC = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def check_includes(root, bad):
    files = {}
    for top in ("src", "tools", "bench", "include"):
        for d, _, fs in os.walk(os.path.join(root, top)):
            for f in fs:
                if f.endswith((".c", ".h")):
                    p = os.path.join(d, f)
                    files[os.path.relpath(p, root)] = p
    n = 0
    for rel, p in sorted(files.items()):
        txt = open(p, encoding="utf-8").read()
        for lineno, line in enumerate(txt.splitlines(), 1):
            m = INC.match(line)
            if not m: continue
            t = m.group(1)
            cands = [os.path.normpath(os.path.join(os.path.dirname(rel), t)), os.path.normpath(os.path.join("src", t)),
                     os.path.normpath(os.path.join("include", t))]
            target = next((c for c in cands if c in files), None)
            if target is None: continue  # a system or generated header
            n += 1
            if rel.startswith("tools/") and not (target.startswith("include/") or target.startswith("tools/")):
                bad.append("%s:%d: tools/ includes %s (tools use include/ only)" % (rel, lineno, target))
                continue
            if not rel.startswith("src/") and not target.startswith("src/"): continue
            if rel.startswith(("src/", "tools/")) and target.startswith("src/"):
                why = allowed(rel, target)
                if why: bad.append("%s:%d: includes %s: %s" % (rel, lineno, target, why))
            elif rel.startswith("include/") and target.startswith("src/"):
                bad.append("%s:%d: a public header includes %s" % (rel, lineno, target))
    return n


def nm_symbols(obj):
    out = subprocess.run(["nm", "-P", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) < 2: continue
        name, kind = f[0], f[1]
        if kind == "U": used.add(name)
        elif kind in "TDBRVWC" or kind in "tdbr" and False: defined.add(name)
    return defined, used


def check_calls(root, build, bad):
    objs = {}
    for d, _, fs in os.walk(build):
        for f in fs:
            if not f.endswith(".c.o"): continue
            p = os.path.join(d, f)
            i = p.find("/CMakeFiles/")
            tgt = p[i + len("/CMakeFiles/"):].split("/", 1)
            if len(tgt) < 2 or tgt[0] not in ("cl_engine_obj.dir", "cl_study_obj.dir", "chronolens_cli.dir"): continue
            rel = tgt[1][:-2]  # src/core/x.c
            if os.path.exists(os.path.join(root, rel)): objs[rel] = p
    if len(objs) < 20: raise SystemExit("check_layers: no object files under %s (build first)" % build)
    where, uses = {}, {}
    for rel, p in objs.items():
        d, u = nm_symbols(p)
        uses[rel] = u
        for s in d: where.setdefault(s, rel)
    edges = {}
    for rel in sorted(objs):
        for s in sorted(uses[rel]):
            t = where.get(s)
            if not t or t == rel: continue
            edges.setdefault(rel, set()).add(t)
            why = allowed(rel, t)
            if why: bad.append("%s uses %s of %s: %s" % (rel, s, t, why))
    # circles: strongly connected components of more than one file (Tarjan)
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop(); on.discard(w); c.append(w)
                if w == v: break
            if len(c) > 1: comps.append(sorted(c))

    for v in sorted(objs):
        if v not in index: strong(v)
    for c in comps:
        ties = ["%s -> %s: %s" % (a, b, ", ".join(sorted(s for s in uses[a] if where.get(s) == b)[:4]))
                for a in c for b in c if b in edges.get(a, ())]
        bad.append("circle of %d files: %s" % (len(c), "; ".join(ties)))
    return len(objs)


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    build = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "build"))
    bad = []
    ni = check_includes(root, bad)
    no = check_calls(root, build, bad)
    if bad:
        print("check_layers: %d problem(s) in the structure:" % len(bad))
        for b in bad: print("  " + b)
        return 1
    print("check_layers: %d includes and %d object files: data flows down, no circle, tools on include/ only" % (ni, no))
    return 0


if __name__ == "__main__":
    sys.exit(main())
