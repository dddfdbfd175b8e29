"""Every example script runs and gives sensible numbers, so the examples never rot."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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


def test_textbook_exercises(tmp_path):
    namespace = runpy.run_path(str(EXAMPLES / "textbook.py"))
    summary = namespace["main"](tmp_path)
    gradient = summary["gradient"]
    # Gradient perpendicular to matplotlib's contour lines: a random direction gives
    # a mean |cos| of 2/pi; the contours' own linear interpolation limits it to ~1e-3.
    assert gradient["mean |cos|"] < 0.01
    assert gradient["segments"] > 500
    assert gradient["max gradient error"] < 1e-4
    critical = summary["critical"]
    assert critical["saddle class"] == "saddle"
    assert critical["saddle count"] == 1
    assert critical["sin cos counts"] == {"minimum": 2, "maximum": 2, "saddle": 4, "degenerate": 0}
    rotation = summary["rotation"]
    assert rotation["max |det - 1|"] < 1e-10
    assert rotation["max |J - R|"] < 1e-10
    smoothing = summary["smoothing"]
    assert smoothing["noise variance after"] < smoothing["noise variance before"] / 10
    assert smoothing["mean squared error after"] < smoothing["mean squared error before"] / 2
    # Mirror edges: zero flux, so the trapezoidal mean is kept to roundoff.
    assert abs(smoothing["trapezoidal mean after"] - smoothing["trapezoidal mean before"]) < 1e-12
    assert abs(smoothing["mean after"] - smoothing["mean before"]) < 1e-3
    assert len(summary["figures"]) == 4
    for path in summary["figures"]:
        assert path.parent == tmp_path and path.stat().st_size > 10_000


def test_era_kinematics_geostrophic_balance(tmp_path):
    namespace = runpy.run_path(str(EXAMPLES / "era_kinematics.py"))
    summary = namespace["main"](tmp_path)
    # Monthly means at 500 hPa are close to geostrophic balance in mid-latitudes.
    assert summary["corr(ug, u) mid-latitudes"] > 0.95
    assert summary["corr(vg, v) mid-latitudes"] > 0.9
    assert summary["vector corr mid-latitudes"] > 0.95
    assert summary["ageostrophic / total RMS mid-latitudes"] < 0.2
    # A wind on a closed sphere has zero global-mean divergence and vorticity.
    for name in ("divergence", "vorticity"):
        rms = summary[f"global RMS {name} (s-1)"]
        assert 1e-7 < rms < 1e-4
        assert abs(summary[f"global mean {name} (s-1)"]) < 1e-3 * rms
    # The covariant tensors on the sphere keep their identities on real data.
    assert summary["max |trace(H) - lap| / max |lap| (off the poles)"] < 1e-12
    assert summary["max |strain stretching - deformation| / max"] < 1e-12
    assert summary["finite vorticity over the ocean, omit"] == 1.0
    assert summary["finite vorticity over the ocean, propagate"] < 1.0  # the coast is NaN
    assert [p.name for p in summary["figures"]] == [
        "era_vorticity.png",
        "era_divergence.png",
        "era_geostrophic_wind.png",
    ]
    assert all(p.parent == tmp_path and p.stat().st_size > 10_000 for p in summary["figures"])


def test_out_of_core_matches_in_memory(tmp_path, capsys):
    namespace = runpy.run_path(str(EXAMPLES / "out_of_core.py"))
    summary = namespace["main"](tmp_path, n_time=12, chunk_mb=2.0)
    assert summary["lazy"]
    assert summary["input MB"] > 10
    assert summary["input chunks"][0] > 1
    assert summary["output shape"] == (12, 3, 121, 240)
    assert summary["output dtype"] == "float32"
    assert summary["max relative |lazy - in-memory|"] < 1e-6
    assert summary["output"].parent == tmp_path
    assert "100% Completed" in capsys.readouterr().out


def test_textbook_smoothing_without_scikit_image(monkeypatch):
    monkeypatch.setitem(sys.modules, "skimage", None)
    namespace = runpy.run_path(str(EXAMPLES / "textbook.py"))
    result = namespace["smooth_image"]()
    assert result["source"].startswith("synthetic")
    assert result["noise variance after"] < result["noise variance before"] / 10
    assert abs(result["trapezoidal mean after"] - result["trapezoidal mean before"]) < 1e-12
