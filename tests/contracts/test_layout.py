"""The house's promises (issue 14, docs/architecture.md): a shallow import graph,
few top-level modules, and what differs between grids kept in their frames."""

from __future__ import annotations

from pathlib import Path

from benchmarks.layout_metrics import (
    grid_switches,
    import_graph,
    longest_chain,
    modules,
    top_level,
)

ROOT = Path(__file__).resolve().parents[2]


def test_import_chain_from_fieldops_is_at_most_12_modules():
    chain = longest_chain(import_graph(modules(ROOT)))
    assert len(chain) <= 12, " -> ".join(chain)


def test_at_most_12_top_level_modules():
    top = top_level(modules(ROOT))
    assert len(top) <= 12, sorted(top)


def test_no_grid_kind_switch_outside_the_grids_package():
    # Ask the frame (an attribute or a method of grids.frame.Frame) instead.
    assert grid_switches(modules(ROOT)) == []


def test_the_measure_sees_a_switch_and_a_lazy_import(tmp_path):
    # The checks above could pass by measuring nothing: give them a tiny package.
    pkg = tmp_path / "fieldops"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from fieldops import a\n")
    (pkg / "a.py").write_text(
        "def f(g):\n    from fieldops.sub import b\n    return g.kind == 'spherical'\n"
    )
    (pkg / "sub" / "__init__.py").write_text("from fieldops.sub.b import x\n")
    (pkg / "sub" / "b.py").write_text("x = 1\n")
    mods = modules(tmp_path)
    # fieldops -> a -> sub (a lazy import, through the package) -> sub.b
    assert len(longest_chain(import_graph(mods))) == 4
    assert grid_switches(mods) == ["fieldops.a:3"]
