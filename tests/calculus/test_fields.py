"""Default dims and the units of the terms an operator adds (issue 13, items 3 and 9).

The vector operators default to the two horizontal dims when a latitude/longitude
grid is found, otherwise to every dim when their coordinates share units; an
operator that adds terms (Laplacian, div, curl, ...) refuses dims of different units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import fieldops


@pytest.fixture(scope="module")
def sst():
    """(time, lat, lon) on a sphere, varying in time (so time terms would show)."""
    lat = np.linspace(-80.0, 80.0, 17)
    lon = np.arange(0.0, 360.0, 10.0)
    time = pd.date_range("2000-01-01", periods=4, freq="D")
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    days = np.arange(4.0)[:, None, None]
    data = 290 + 10 * np.cos(phi) ** 2 * np.cos(2 * lam) + days**2  # d2/dt2 != 0
    return xr.DataArray(
        data,
        dims=("time", "lat", "lon"),
        coords={"time": time, "lat": lat, "lon": lon},
        name="sst",
        attrs={"units": "K"},
    )


def test_laplacian_on_a_sphere_with_time_is_horizontal_by_default(sst):
    lap = fieldops.laplacian(sst)
    ref = fieldops.laplacian(sst, ["lat", "lon"], geometry="spherical")
    np.testing.assert_allclose(lap.values, ref.values, rtol=1e-12, atol=0)
    assert lap.attrs["units"] == "K m-2"


def test_every_operator_defaults_to_the_horizontal_dims(sst):
    flat = ["lat", "lon"]
    g = fieldops.grad(sst)
    assert g.component.values.tolist() == flat
    np.testing.assert_array_equal(g.values, fieldops.grad(sst, flat).values)
    h = fieldops.hessian(sst)
    assert h.component.values.tolist() == flat and h.wrt.values.tolist() == flat
    np.testing.assert_array_equal(h.values, fieldops.hessian(sst, flat).values)
    np.testing.assert_array_equal(
        fieldops.critical_points(sst).values, fieldops.critical_points(sst, flat).values
    )
    small = 1e9  # m2, stable on this grid
    np.testing.assert_array_equal(
        fieldops.diffuse(sst, small).values, fieldops.diffuse(sst, small, dims=flat).values
    )
    j = fieldops.jacobian(g)
    assert j.wrt.values.tolist() == flat


def test_sample_grad_works_on_its_2_point_month_dim():
    ds = fieldops.open_sample()
    g = fieldops.grad(ds.z)  # was: 'month' has 2 points, needs at least 3
    assert g.component.values.tolist() == ["latitude", "longitude"]
    np.testing.assert_array_equal(g.values, fieldops.grad(ds.z, ["latitude", "longitude"]).values)
    assert g.attrs["units"] == "m s-2"


def test_curvilinear_default_is_its_logical_dims():
    j, i = np.meshgrid(np.arange(8.0), np.arange(9.0), indexing="ij")
    lat, lon = 10 + 0.5 * j + 0.1 * i, 0.4 * i - 0.1 * j
    time = pd.date_range("2000-01-01", periods=3)
    f = xr.DataArray(
        np.random.default_rng(0).random((3, 8, 9)),
        dims=("time", "j", "i"),
        coords={"time": time, "lat": (("j", "i"), lat), "lon": (("j", "i"), lon)},
    )
    lap = fieldops.laplacian(f)
    np.testing.assert_array_equal(lap.values, fieldops.laplacian(f, ["j", "i"]).values)
    assert fieldops.grad(f).component.values.tolist() == ["j", "i"]


def test_explicit_dims_of_different_units_are_refused_where_terms_are_added(sst):
    mixed = ["time", "lat", "lon"]
    with pytest.raises(ValueError, match=r"laplacian .*time: s, lat: m, lon: m"):
        fieldops.laplacian(sst, mixed)
    with pytest.raises(ValueError, match=r"critical_points .*time: s"):
        fieldops.critical_points(sst, mixed)
    with pytest.raises(ValueError, match=r"diffuse .*time: s"):
        fieldops.diffuse(sst, 1.0, dims=mixed)
    with pytest.raises(ValueError, match=r"directional .*time: s"):
        fieldops.directional(sst, {"time": 1.0, "lat": 1.0, "lon": 0.0})
    g = fieldops.grad(sst, mixed)  # components keep their own units: allowed
    assert "units" not in g.attrs
    np.testing.assert_array_equal(g.sel(component="time").values, fieldops.diff(sst, "time").values)
    with pytest.raises(ValueError, match=r"div .*time: s"):
        fieldops.div(g)
    with pytest.raises(ValueError, match=r"strain rate .*time: s"):
        fieldops.strain_rate(g)


def _cartesian(x_units, y_units):
    x = xr.DataArray(np.arange(6.0), dims="x", attrs={"units": x_units})
    y = xr.DataArray(np.arange(5.0), dims="y", attrs={"units": y_units})
    return (x**2 + 3 * y**2).assign_coords(x=x, y=y).rename("f")


def test_cartesian_default_is_every_dim_only_when_units_agree():
    same = _cartesian("m", "metre")
    lap = fieldops.laplacian(same)
    np.testing.assert_allclose(lap.values[1:-1, 1:-1], 8.0)
    mixed = _cartesian("m", "s")
    with pytest.raises(ValueError, match=r"different units \(x: m, y: s\).*pass dims="):
        fieldops.grad(mixed)
    with pytest.raises(ValueError, match=r"laplacian .*y: s, x: m"):
        fieldops.laplacian(mixed, ["y", "x"])
    km = _cartesian("m", "km")  # per km2 plus per m2 is wrong by 1e6
    with pytest.raises(ValueError, match=r"laplacian .*y: km, x: m"):
        fieldops.laplacian(km, ["y", "x"])
    with pytest.raises(ValueError, match=r"curl .*x: m, y: km"):
        fieldops.curl(fieldops.grad(km, ["x", "y"]))
    # One dim, or dims of one unit, are fine
    np.testing.assert_allclose(fieldops.laplacian(mixed, "x").values[1:-1], 2.0)
