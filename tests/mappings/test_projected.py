"""Projected grids: map factors (pyproj, WRF, 2-D lat/lon) and physical operators."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import xarray as xr

import fieldops
from fieldops.grids.frame import frame_for
from fieldops.options import How, Where
from tests.mappings.grids import LCC, PS, R, U, projected_winds

MAPS = {"lambert_conformal_conic": LCC, "polar_stereographic": PS}


def _field(like: xr.DataArray, values: np.ndarray, units: str = "1") -> xr.DataArray:
    return like.copy(data=values).assign_attrs(units=units)


@pytest.mark.parametrize("name", sorted(MAPS))
def test_map_factors_are_pyprojs_and_the_curvilinear_routes(name):
    u, _, lat, lon, _ = projected_winds(MAPS[name], 41)
    frame = frame_for(u, None, Where(), How())
    assert type(frame).__name__ == "Projected"
    crs = pyproj.CRS.from_cf(MAPS[name])
    expected = pyproj.Proj(crs).get_factors(lon, lat).parallel_scale
    np.testing.assert_allclose(frame.map_factor, expected, rtol=1e-12)
    assert float(np.ptp(expected)) > 0.05  # a grid where the map factor matters
    # the curvilinear route: the same grid given by its 2-D latitude/longitude only
    curvi = xr.DataArray(
        np.zeros(u.shape), dims=u.dims,
        coords={"lat": (u.dims, lat), "lon": (u.dims, lon), "x": u.x, "y": u.y},
    )  # fmt: skip
    widths = frame_for(curvi, None, Where(radius=R), How(accuracy=6)).cell_widths()
    dx = float(u.x[1] - u.x[0])
    # away from the edges, and from the pole, where longitude (the curvilinear route) is singular
    inner = np.zeros(lat.shape, bool)
    inner[3:-3, 3:-3] = True
    inner &= lat < 80.0
    for dim in ("x", "y"):
        np.testing.assert_allclose(widths[dim].values[inner], (dx / expected)[inner], rtol=1e-5)


@pytest.mark.parametrize("name", sorted(MAPS))
def test_solid_body_rotation_vorticity_converges_to_2u_sin_lat_over_r(name):
    errors = []
    for n in (21, 41):
        u, v, lat, _, _ = projected_winds(MAPS[name], n)
        zeta = fieldops.vorticity(u, v)
        exact = 2 * U / R * np.sin(np.deg2rad(lat))
        errors.append(float(np.abs(zeta.values / exact - 1).max()))
        scale = float(np.abs(exact).max())
        assert float(np.abs(fieldops.divergence(u, v)).max()) < 10 * errors[-1] * scale
        total = fieldops.total_deformation(u, v)  # rigid rotation does not deform
        assert float(total.max()) < 10 * errors[-1] * scale
    assert errors[1] < 1e-3
    assert errors[0] / errors[1] > 3.0  # second order


def test_gradient_and_laplacian_per_metre_on_the_earth():
    u, _, lat, _, _ = projected_winds(LCC, 41)
    phi = np.deg2rad(lat)
    g = fieldops.grad(_field(u, phi, "radian").rename("phi"))
    size = np.hypot(g.sel(component="y"), g.sel(component="x"))
    np.testing.assert_allclose(size.values[1:-1, 1:-1], 1 / R, rtol=1e-3)
    assert g.attrs["component_directions"] == "y: grid_northward x: grid_eastward"
    assert "grid-relative" in g.attrs["component_frame"]
    lap = fieldops.laplacian(_field(u, np.sin(phi)))  # Y_1^0: lap = -2 f / R**2
    np.testing.assert_allclose(lap.values[2:-2, 2:-2], (-2 * np.sin(phi) / R**2)[2:-2, 2:-2],
                               rtol=2e-3)  # fmt: skip
    hess = fieldops.hessian(_field(u, np.sin(phi)))
    trace = hess.sel(component="x", wrt="x") + hess.sel(component="y", wrt="y")
    np.testing.assert_allclose(trace.values[3:-3, 3:-3], lap.values[3:-3, 3:-3], rtol=1e-2)


def test_km_coordinates_give_the_same_derivatives():
    u, v, *_ = projected_winds(PS, 21)
    km = u.assign_coords(x=u.x.copy(data=u.x.values / 1e3).assign_attrs(units="km"),
                         y=u.y.copy(data=u.y.values / 1e3).assign_attrs(units="km"))  # fmt: skip
    kv = v.assign_coords(x=km.x, y=km.y)
    np.testing.assert_allclose(fieldops.vorticity(km, kv).values, fieldops.vorticity(u, v).values)


def test_wrf_mapfac_is_used_and_checked_against_the_mapping():
    u, v, lat, lon, _ = projected_winds(LCC, 21)
    frame = frame_for(u, None, Where(), How())
    wrf = u.assign_coords(MAPFAC_M=(("y", "x"), frame.map_factor.copy()))
    np.testing.assert_allclose(
        fieldops.vorticity(wrf, v.assign_coords(MAPFAC_M=wrf.MAPFAC_M)).values,
        fieldops.vorticity(u, v).values,
        rtol=1e-12,
    )
    off = u.assign_coords(MAPFAC_M=(("y", "x"), 1.1 * frame.map_factor))
    with pytest.warns(UserWarning, match=r"MAPFAC_M and the map factor .* disagree by up to 0.1"):
        f = frame_for(off, None, Where(), How())
    np.testing.assert_allclose(f.map_factor, 1.1 * frame.map_factor)
    # WRF without a CF mapping: x/y in metres, MAPFAC_M and XLAT for Coriolis
    bare = u.drop_vars("crs").assign_attrs(grid_mapping=None)
    del bare.attrs["grid_mapping"]
    bare = bare.assign_coords(MAPFAC_M=(("y", "x"), frame.map_factor),
                              XLAT=(("y", "x"), lat), XLONG=(("y", "x"), lon))  # fmt: skip
    eta = fieldops.absolute_vorticity(0 * bare, 0 * bare)
    np.testing.assert_allclose(eta.values, 2 * 7.292115e-5 * np.sin(np.deg2rad(lat)), rtol=1e-12)


def test_2d_latitude_longitude_are_checked_against_the_mapping():
    u, v, lat, lon, _ = projected_winds(LCC, 11)
    good = u.assign_coords(lat=(("y", "x"), lat), lon=(("y", "x"), lon))
    assert fieldops.detect_geometry(good).kind == "projected"
    fieldops.vorticity(good, v)  # agrees: no warning (warnings are errors here)
    bad = u.assign_coords(lat=(("y", "x"), lat + 0.2), lon=(("y", "x"), lon))
    with pytest.warns(UserWarning, match=r"disagree .* by up to 0.2 degrees"):
        fieldops.vorticity(bad, v)


def test_a_map_that_is_not_conformal_takes_the_chain_rule():
    laea = {
        "grid_mapping_name": "lambert_azimuthal_equal_area",
        "longitude_of_projection_origin": 10.0,
        "latitude_of_projection_origin": 52.0,
        "earth_radius": R,
    }
    _, _, lat, lon, m = projected_winds(laea, 41)
    u, *_ = projected_winds(laea, 41)
    assert fieldops.detect_geometry(u).kind == "projected_curvilinear"
    ue = _field(u, U * np.cos(np.deg2rad(lat)), "m s-1")  # true east/north components
    zeta = fieldops.vorticity(ue, 0 * ue)
    exact = 2 * U / R * np.sin(np.deg2rad(lat))
    np.testing.assert_allclose(zeta.values, exact, rtol=2e-3)


def test_dask_is_lazy_and_equal():
    u, v, *_ = projected_winds(PS, 21)
    lazy = fieldops.vorticity(u.chunk({"y": 8}), v.chunk({"y": 8}))
    assert lazy.chunks == u.chunk({"y": 8}).chunks
    np.testing.assert_allclose(lazy.values, fieldops.vorticity(u, v).values, rtol=1e-12)
    g = fieldops.grad(u.chunk({"x": 7}))
    np.testing.assert_allclose(g.values, fieldops.grad(u).values, rtol=1e-12)


def test_cell_areas_are_on_the_earth():
    u, *_ = projected_winds(PS, 21)
    frame = frame_for(u, None, Where(), How())
    dx = float(u.x[1] - u.x[0])
    area = frame.cell_areas().values
    np.testing.assert_allclose(area[1:-1, 1:-1], (dx / frame.map_factor[1:-1, 1:-1]) ** 2)


def test_the_vector_operators_take_the_projected_frame():
    u, v, lat, _, _ = projected_winds(LCC, 31)
    vec = xr.concat([v, u], dim="component").assign_coords(component=["y", "x"])
    np.testing.assert_allclose(fieldops.curl(vec).values, fieldops.vorticity(u, v).values)
    np.testing.assert_allclose(fieldops.div(vec).values, fieldops.divergence(u, v).values)
    jac = fieldops.jacobian(vec)
    assert jac.sizes["component"] == 2 and "projected grid" in jac.attrs["long_name"]


def test_gaps_are_omitted_on_the_projected_grid():
    u, _, lat, _, _ = projected_winds(LCC, 31)
    f = _field(u, np.sin(np.deg2rad(lat)))
    holed = f.where((np.abs(f.x) > 2e5) | (np.abs(f.y - 6e5) > 2e5))
    full = fieldops.grad(f)
    got = fieldops.grad(holed, nan_policy="omit")
    far = (np.abs(f.x) > 6e5) & (np.abs(f.y - 6e5) > 6e5)
    np.testing.assert_allclose(got.where(far).values, full.where(far).values, equal_nan=True)
    assert int(got.isnull().sum()) == 2 * int(holed.isnull().sum())


def test_geometry_curvilinear_takes_the_2d_latitude_longitude_route():
    u, v, lat, lon, _ = projected_winds(LCC, 31)
    both = u.assign_coords(lat=(("y", "x"), lat), lon=(("y", "x"), lon))
    ue, ve = fieldops.to_earth_relative(both, v.assign_coords(lat=both.lat, lon=both.lon))
    curvi = fieldops.vorticity(ue, ve, geometry="curvilinear")  # true east/north components
    proj = fieldops.vorticity(both, v.assign_coords(lat=both.lat, lon=both.lon))
    np.testing.assert_allclose(curvi.values[2:-2, 2:-2], proj.values[2:-2, 2:-2], rtol=2e-3)
    g = fieldops.grad(both, ["y", "x"], geometry="curvilinear")
    assert "curvilinear" in g.attrs["long_name"]


def test_a_projected_grid_without_x_y_values_takes_the_fused_gradient():
    # The fused gradient put the grid's coordinates on its input as the other
    # operators do (it used to raise KeyError for x/y dims without values).
    u, _, _, _, _ = projected_winds(LCC, 21)
    bare = u.drop_vars([c for c in u.coords if c in u.dims]).rename("u")
    fused = fieldops.grad(bare)
    plain = fieldops.grad(bare, nan_policy="omit")  # (no NaN: the unfused route)
    np.testing.assert_allclose(fused.values, plain.values, rtol=1e-12, atol=0)
