"""Winds between grid and true north: every source of the angle, round trips, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.mappings.winds import grid_angle
from tests.mappings.grids import LCC, PS, U, projected_winds, rotated_winds


def _close(a, b, tol=1e-7):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=tol * U, rtol=0)


@pytest.mark.parametrize("attrs", [LCC, PS], ids=["lcc", "ps"])
def test_projected_winds_turn_to_the_analytic_east_north_and_back(attrs):
    u, v, lat, lon, m = projected_winds(attrs, 21)
    ue, ve = fieldops.to_earth_relative(u, v)
    _close(ue, U * np.cos(np.deg2rad(lat)))
    _close(ve, 0.0)
    assert ue.attrs["component_frame"].startswith("earth-relative")
    ug, vg = fieldops.to_grid_relative(ue, ve)
    np.testing.assert_allclose(ug.values, u.values, atol=1e-12)
    np.testing.assert_allclose(vg.values, v.values, atol=1e-12)
    # the angle is minus pyproj's meridian convergence
    cos, sin, source = grid_angle(u)
    gamma = np.deg2rad(m.factors(lon, lat).meridian_convergence)
    gap = np.angle(np.exp(1j * (np.arctan2(sin.values, cos.values) + gamma)))
    off_pole = lat < 89.9  # north is undefined on the pole itself
    np.testing.assert_allclose(gap[off_pole], 0.0, atol=1e-7)
    assert source == "grid mapping"


def test_rotated_winds_turn_to_the_analytic_east_north():
    u, v, sin_true = rotated_winds(21)
    ue, ve = fieldops.to_earth_relative(u, v)
    _close(ue, U * np.sqrt(1 - sin_true**2))
    _close(ve, 0.0)
    back = fieldops.to_grid_relative(ue, ve)
    np.testing.assert_allclose(back[0].values, u.values, atol=1e-12)
    np.testing.assert_allclose(back[1].values, v.values, atol=1e-12)


def test_wrf_roms_and_nemo_angle_fields_and_2d_latitude_longitude():
    u, v, lat, lon, _ = projected_winds(LCC, 21)
    cos, sin, _ = grid_angle(u)
    exact = fieldops.to_earth_relative(u, v)
    plain = u.drop_vars("crs")
    del plain.attrs["grid_mapping"]
    pv = v.drop_vars("crs")
    cases = {
        "COSALPHA/SINALPHA": {"COSALPHA": cos, "SINALPHA": sin},  # WRF
        "gcost/gsint": {"gcost": cos, "gsint": sin},  # NEMO
        "angle (ROMS, radians)": {"angle": np.arctan2(sin, cos)},  # ROMS
    }
    for source, coords in cases.items():
        uu, vv = plain.assign_coords(coords), pv.assign_coords(coords)
        assert grid_angle(uu)[2] == source
        got = fieldops.to_earth_relative(uu, vv)
        np.testing.assert_allclose(got[0].values, exact[0].values, atol=1e-12)
        np.testing.assert_allclose(got[1].values, exact[1].values, atol=1e-12)
        assert source in got[0].attrs["component_frame"]
    # 2-D latitude/longitude (a curvilinear grid): the angle by finite differences
    curvi = plain.assign_coords(lat=(("y", "x"), lat), lon=(("y", "x"), lon))
    got = fieldops.to_earth_relative(curvi, pv)
    np.testing.assert_allclose(got[0].values, exact[0].values, atol=1e-3 * U)
    # angle= in degrees, and a (cos, sin) pair
    deg = xr.DataArray(np.rad2deg(np.arctan2(sin, cos)).values, dims=("y", "x"),
                       attrs={"units": "degrees"})  # fmt: skip
    np.testing.assert_allclose(
        fieldops.to_earth_relative(plain, pv, angle=deg)[1].values, exact[1].values, atol=1e-12
    )
    np.testing.assert_allclose(
        fieldops.to_grid_relative(*exact, angle=(cos, sin))[0].values, u.values, atol=1e-12
    )


def test_kinematics_on_a_curvilinear_wrf_grid_take_grid_winds():
    u, v, lat, lon, _ = projected_winds(LCC, 31)
    cos, sin, _ = grid_angle(u)
    coords = {"XLAT": (("y", "x"), lat), "XLONG": (("y", "x"), lon),
              "COSALPHA": cos, "SINALPHA": sin}  # fmt: skip
    wrf_u = u.drop_vars(["crs", "x", "y"]).assign_coords(coords)
    del wrf_u.attrs["grid_mapping"]
    wrf_v = v.drop_vars(["crs", "x", "y"]).assign_coords(coords)
    assert fieldops.detect_geometry(wrf_u).kind == "curvilinear"
    zeta = fieldops.vorticity(wrf_u, wrf_v, wind_frame="grid")
    exact = 2 * U / 6371229.0 * np.sin(np.deg2rad(lat))
    np.testing.assert_allclose(zeta.values[2:-2, 2:-2], exact[2:-2, 2:-2], rtol=5e-3)


def test_geostrophic_wind_in_either_frame():
    u, _, lat, _, _ = projected_winds(PS, 21)
    z = u.copy(data=5500.0 + 1e-4 * u.y.values[:, None] + 0 * u.values).assign_attrs(units="m")
    grid = fieldops.geostrophic_wind(z)
    earth = fieldops.geostrophic_wind(z, wind_frame="earth")
    turned = fieldops.to_earth_relative(grid.ug, grid.vg)
    np.testing.assert_allclose(earth.ug.values, turned[0].values, rtol=1e-12, equal_nan=True)
    assert earth.ug.attrs["component_frame"].startswith("earth-relative")


def test_winds_whose_frame_cannot_be_known():
    x = xr.DataArray(np.arange(4.0), dims="x", attrs={"units": "m"})
    u = xr.DataArray(np.zeros((3, 4)), dims=("y", "x"), coords={"x": x, "y": x[:3].rename(x="y")})
    with pytest.raises(ValueError, match="cannot tell which way the grid .* angle="):
        fieldops.to_earth_relative(u, u)
    with pytest.raises(ValueError, match="cannot tell"):
        fieldops.vorticity(u, u, wind_frame="grid")


def test_dask_stays_lazy_and_the_dataset_method_names_variables():
    u, v, *_ = projected_winds(LCC, 21)
    lazy = fieldops.to_earth_relative(u.chunk({"y": 5}), v.chunk({"y": 5}))
    assert lazy[0].chunks == u.chunk({"y": 5}).chunks
    eager = fieldops.to_earth_relative(u, v)
    np.testing.assert_allclose(lazy[0].values, eager[0].values)
    ds = xr.Dataset({"ua": u, "va": v})
    got = ds.fieldops.to_earth_relative(u="ua", v="va")
    assert isinstance(got, tuple) and got[1].name == "va"
    np.testing.assert_allclose(got[1].values, eager[1].values)
