"""The house's numbers (issue 14): import chain, top-level modules, grid-kind switches.

    python benchmarks/layout_metrics.py [ROOT]

Every import statement counts, wherever it stands (inside a function or under
``TYPE_CHECKING`` too: a lazy import is still a dependency), and ``from pkg
import mod`` depends on the package as well as the module (the package's
``__init__`` runs first). The chain is the longest one from ``fieldops`` that
visits no module twice. A grid-kind switch is a comparison of a grid kind
(``"spherical"``, ``"curvilinear"``, ...) outside ``fieldops/grids/``: what
differs between grids belongs to their frames.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

GRID_KINDS = (
    "cartesian",
    "spherical",
    "curvilinear",
    "rotated",
    "projected",
    "projected_curvilinear",
    "terrain",
)
_KIND = "|".join(GRID_KINDS)
_SWITCH = re.compile(
    rf"\bkind\s*(==|!=)\s*[\"']({_KIND})[\"']"
    rf"|\bkind\s+(not\s+)?in\s*[(\[{{][^)\]}}]*[\"']({_KIND})[\"']"
)


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in (root / "fieldops").rglob("*.py"):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """The modules each module imports (any import statement, anywhere in it)."""
    graph = {}
    for name, path in mods.items():
        out = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                out.add(node.module)
                out.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
        graph[name] = {d for d in out if d in mods and d != name}
    return graph


def longest_chain(graph: dict[str, set[str]], start: str = "fieldops") -> list[str]:
    """The longest import chain from ``start`` that visits no module twice."""
    memo: dict[str, list[str]] = {}

    def walk(module: str, seen: frozenset) -> list[str]:
        if module in memo:
            return memo[module]
        tails = [walk(d, seen | {module}) for d in graph[module] if d not in seen]
        memo[module] = [module, *max(tails, key=len, default=[])]
        return memo[module]

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    return walk(start, frozenset())


def grid_switches(mods: dict[str, Path]) -> list[str]:
    """``module:line`` of each grid-kind comparison outside ``fieldops.grids``."""
    hits = []
    for name, path in mods.items():
        if name.startswith("fieldops.grids"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if _SWITCH.search(line.split("#")[0]):
                hits.append(f"{name}:{number}")
    return hits


def top_level(mods: dict[str, Path]) -> list[str]:
    """The modules directly in ``fieldops/`` (``__init__`` included)."""
    return [n for n, p in mods.items() if p.parent.name == "fieldops"]


def main(root: Path) -> None:
    mods = modules(root)
    chain = longest_chain(import_graph(mods))
    switches = grid_switches(mods)
    print(f"modules {len(mods)}, top-level {len(top_level(mods))} (with __init__)")
    print(f"longest import chain: {len(chain)} ({' -> '.join(chain)})")
    print(f"grid-kind switches outside grids/: {len(switches)} {switches}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
