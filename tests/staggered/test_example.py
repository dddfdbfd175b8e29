"""examples/staggered_gyre.py runs and shows what the staggered operators promise."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "staggered_gyre.py"


def test_staggered_gyre_example():
    summary = runpy.run_path(str(EXAMPLE))["main"]()
    assert summary["max |divergence| / max |vorticity|"] < 1e-12
    coarse = summary["vorticity vs Laplacian of psi, rel. error (60 cells)"]
    fine = summary["vorticity vs Laplacian of psi, rel. error (120 cells)"]
    assert fine < 0.01 and 3.0 < coarse / fine < 5.0  # second order on stretched cells
    assert summary["area integral of vorticity - boundary circulation, rel."] < 1e-12
    assert summary["max |dask - numpy|"] == 0.0
    assert summary["max |helmholtz psi - psi| / max |psi|"] < 1e-10
    assert summary["max |u_div| / max |u|"] < 1e-10
    if "max |fieldops - xgcm recipe| / max |vorticity|" in summary:
        assert summary["max |fieldops - xgcm recipe| / max |vorticity|"] < 1e-13
