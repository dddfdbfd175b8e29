"""Every example script runs and gives sensible numbers, so the examples never rot."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart_agrees_with_numpy():
    namespace = runpy.run_path(str(EXAMPLES / "quickstart.py"))
    summary = namespace["main"]()
    assert summary["max difference to numpy.gradient"] < 1e-8
    assert summary["max |dz/dlat| (m2 s-2 per degree)"] > 10.0
