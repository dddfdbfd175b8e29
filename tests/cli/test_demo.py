"""The demo's maps show the fields, not noise, and are labelled as xarray labels them."""

from __future__ import annotations

import numpy as np
import pytest

import fieldops
from fieldops.cli import demo

HORIZONTAL = ["latitude", "longitude"]


@pytest.fixture(scope="module")
def out():
    return demo.compute(fieldops.open_sample())


def _mapped(out, name):
    level = {n: lev for n, lev, _, _ in demo.MAPS}[name]
    return out[name].sel(level=level)


def test_laplacian_rows_next_to_the_poles_are_not_saturated(out):
    # Finite differences amplify the packing noise of z by 1/cos(lat)**2 there: the rows
    # next to the poles reached 17x the largest value between 60S and 60N. (The winter
    # Antarctic plateau is a real extreme: allow a factor 2.)
    lap = _mapped(out, "laplacian_z")
    polar = abs(lap.isel(latitude=[1, 2, 3, -4, -3, -2])).max(HORIZONTAL)
    interior = abs(lap.sel(latitude=slice(60, -60))).max(HORIZONTAL)
    assert (polar <= 2 * interior).all(), (polar.values, interior.values)


def _grid_scale_fraction(da):
    """Share of the variance in the 2-grid-point wave (a 1-2-1 filter's residual)."""
    values = da.transpose(..., "latitude", "longitude").values
    smooth = values.copy()
    for axis in (-2, -1):
        smooth = (np.roll(smooth, 1, axis) + 2 * smooth + np.roll(smooth, -1, axis)) / 4
    inner = slice(2, -2)  # the roll wraps latitude; longitude is periodic
    residual = (values - smooth)[..., inner, :]
    return float(np.std(residual) / np.std(values[..., inner, :]))


@pytest.mark.parametrize("name", ["divergence", "laplacian_z"])
def test_mapped_fields_are_not_grid_scale_noise(out, name):
    # Before: finite-difference divergence at 500 hPa 0.46, Laplacian 0.89; now 0.06.
    assert _grid_scale_fraction(_mapped(out, name)) < 0.1


def test_smoothing_changes_only_the_noise(out):
    # The Gaussian divergence agrees with the finite-difference one at large scales:
    # their zonal means (where grid-scale noise averages out) match.
    ds = fieldops.open_sample().sel(level=200)
    plain = fieldops.divergence(ds.u, ds.v).sel(latitude=slice(60, -60)).mean("longitude")
    smooth = _mapped(out, "divergence").sel(latitude=slice(60, -60)).mean("longitude")
    scale = float(abs(plain).max())
    assert float(abs(smooth - plain).max()) < 0.35 * scale
    assert float(np.corrcoef(smooth.values.ravel(), plain.values.ravel())[0, 1]) > 0.9


@pytest.mark.parametrize(("name", "level", "cmap", "diverging"), demo.MAPS)
def test_maps_are_labelled_like_xarray_plot(out, name, level, cmap, diverging):
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = demo.map_figure(out, name, level, cmap, diverging)
    try:
        da = out[name]
        labels = [" ".join(ax.get_ylabel().split()) for ax in fig.axes]  # xarray wraps
        assert f"{da.attrs['long_name']} [{da.attrs['units']}]" in labels
        titles = [ax.get_title() for ax in fig.axes]
        assert "January" in titles and "July" in titles
        # A sentence, not a variable name ("grad_z, 500 hPa, January" before).
        assert fig._suptitle.get_text().startswith(f"{da.attrs['long_name']}, {level} hPa")
    finally:
        plt.close(fig)


def test_summary_is_at_the_mapped_levels(out):
    rows = demo.summary(out)
    for (name, level, units, lo, hi, _mean), (name2, level2, _, _) in zip(rows, demo.MAPS):
        da = out[name].sel(level=level2)
        assert (name, level, units) == (name2, level2, da.attrs["units"])
        assert (lo, hi) == (float(da.min()), float(da.max()))
