"""Import-graph depth and module counts of the package (issue 14).

python benchmarks/layout_metrics.py [ROOT]
"""

import ast
import sys
from functools import lru_cache
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
mods = {}
for p in (root / "fieldops").rglob("*.py"):
    rel = p.relative_to(root).with_suffix("")
    name = ".".join(rel.parts)
    if name.endswith(".__init__"):
        name = name[: -len(".__init__")]
    mods[name] = p


def deps(name):
    tree = ast.parse(mods[name].read_text())
    out = set()
    for node in tree.body:  # module level only
        if isinstance(node, ast.If):  # TYPE_CHECKING blocks do not run
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fieldops"):
            base = node.module
            for a in node.names:
                cand = f"{base}.{a.name}"
                out.add(cand if cand in mods else base)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("fieldops"):
                    out.add(a.name)
    return {d for d in out if d in mods and d != name}


graph = {m: deps(m) for m in mods}
sys.setrecursionlimit(10000)


@lru_cache(None)
def depth(m, stack=()):
    if m in stack:
        return 0
    return 1 + max((depth(d, stack + (m,)) for d in graph[m]), default=0)


best = max(mods, key=lambda m: depth(m))
top = [m for m in mods if m.count(".") == 1 and not (root / "fieldops" / m.split(".")[1]).is_dir()]
print(
    f"modules {len(mods)}, top-level {len(top) + 1} (with __init__), depth {depth(best)} ({best})"
)
