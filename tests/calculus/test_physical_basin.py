"""A basin with an irregular coastline and islands: gap-aware gradients everywhere.

The sea is NaN-free, the land NaN. With ``nan_policy="omit"`` every sea point gets
a finite gradient; away from the coast the error converges at the scheme's order,
next to it it stays bounded (one-sided, lower-order stencils on short runs).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import ndimage

import fieldops


def basin(n: int):
    """(field with NaN over land, sea mask, exact d/dx, exact d/dy, cells to land)."""
    x = np.linspace(0, 1, n)
    y = np.linspace(0, 1, n)
    X, Y = np.meshgrid(x, y)
    theta = np.arctan2(Y - 0.5, X - 0.5)
    sea = np.hypot(X - 0.5, Y - 0.5) < 0.4 + 0.05 * np.sin(5 * theta) + 0.03 * np.cos(3 * theta)
    sea &= np.hypot(X - 0.35, Y - 0.55) > 0.06  # an island
    sea &= np.hypot(X - 0.65, Y - 0.40) > 0.04  # an islet
    f = np.sin(3 * X) * np.cos(2 * Y) + X * Y
    fx = 3 * np.cos(3 * X) * np.cos(2 * Y) + Y
    fy = -2 * np.sin(3 * X) * np.sin(2 * Y) + X
    da = xr.DataArray(np.where(sea, f, np.nan), dims=("y", "x"), coords={"y": y, "x": x})
    return da, sea, fx, fy, ndimage.distance_transform_edt(sea)


def _errors(n, accuracy, **kw):
    da, sea, fx, fy, dist = basin(n)
    g = fieldops.grad(da, accuracy=accuracy, **kw)
    err = np.hypot(g.sel(component="x").values - fx, g.sel(component="y").values - fy)
    return sea, err, dist


@pytest.mark.parametrize("accuracy", [2, 4])
def test_every_sea_point_finite_and_converging(accuracy):
    far_errors, hs = [], []
    for n in (101, 201):
        sea, err, dist = _errors(n, accuracy, nan_policy="omit")
        assert np.isfinite(err[sea]).all()
        assert np.isnan(err[~sea]).all()
        far_errors.append(err[sea & (dist > 6)].max())
        near = err[sea & (dist <= 3)].max()
        h = 1.0 / (n - 1)
        hs.append(h)
        assert near < 20 * h  # bounded next to the coast
    rate = np.log(far_errors[0] / far_errors[1]) / np.log(hs[0] / hs[1])
    assert rate > accuracy - 0.3, (far_errors, rate)


def test_propagate_loses_the_coast():
    sea, err, _ = _errors(101, 2)
    lost = sea & np.isnan(err)
    assert lost.sum() > 0.05 * sea.sum()  # what omit fixes: gradients vanish along coasts


def test_mask_equals_nan_land():
    da, sea, *_ = basin(61)
    filled = da.fillna(0.0)
    mask = xr.DataArray(sea, dims=da.dims)
    with_mask = fieldops.grad(filled, mask=mask)
    with_nan = fieldops.grad(da, nan_policy="omit")
    np.testing.assert_array_equal(with_mask.values, with_nan.values)


@pytest.mark.parametrize("chunks", [{"y": 17, "x": 23}, {"y": 1, "x": 61}, {"y": 5, "x": 2}])
def test_dask_identical(chunks):
    da, *_ = basin(61)
    eager = fieldops.grad(da, nan_policy="omit", accuracy=4)
    lazy = fieldops.grad(da.chunk(chunks), nan_policy="omit", accuracy=4)
    assert lazy.chunks[1:] == da.chunk(chunks).chunks
    np.testing.assert_array_equal(lazy.values, eager.values)
