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


def test_noisy_derivatives_example_numbers():
    namespace = runpy.run_path(str(EXAMPLES / "noisy_derivatives.py"))
    summary = namespace["main"]()
    grid = summary["grid"]
    base = grid["finite_difference, accuracy 2"]["all"]
    assert grid["savgol, window 21, polyorder 2"]["all"] <= base / 10
    assert grid["gaussian, sigma 0.2"]["all"] <= base / 10
    assert summary["spectral"]["spectral d/dx max error"] < 1e-10
    assert all(v == 0.0 for v in summary["dask"].values())
    gcv = summary["scattered"]["sin x cos y, noise 0.05, smoothing gcv"]
    raw = summary["scattered"]["sin x cos y, noise 0.05, smoothing 0"]
    assert gcv["RMS gradient error in [-1,1]^2"] < raw["RMS gradient error in [-1,1]^2"] / 5
