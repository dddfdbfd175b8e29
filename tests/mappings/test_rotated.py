"""Rotated-pole grids: the rotated sphere's derivatives, the true latitude for Coriolis."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from tests.mappings.grids import OMEGA, R, U, rotated_winds


def test_rotated_coordinates_are_not_taken_for_true_latitude():
    u, _, _ = rotated_winds(5)
    geo = fieldops.detect_geometry(u)
    # Before issue 18, axis Y + degrees made rlat a true latitude ("spherical").
    assert (geo.kind, geo.y_dim, geo.x_dim, geo.radius) == ("rotated", "rlat", "rlon", R)
    assert fieldops.grad(u).dims == ("component", "rlat", "rlon")  # the horizontal dims


def test_coriolis_is_twice_omega_sin_true_latitude():
    u, _, sin_true = rotated_winds(31)
    calm = 0 * u
    eta = fieldops.absolute_vorticity(calm, calm)
    np.testing.assert_allclose(eta.values, 2 * OMEGA * sin_true, rtol=1e-12, atol=0)
    # the old answer, 2 Omega sin(rotated latitude), is far from it
    old = 2 * OMEGA * np.sin(np.deg2rad(u.rlat.values))[:, None]
    assert np.abs(old - eta.values).min() > 1e-5


@pytest.mark.parametrize("accuracy", [2, 4])
def test_solid_body_rotation_about_the_true_pole(accuracy):
    errors = []
    for n in (31, 61):
        u, v, sin_true = rotated_winds(n)
        zeta = fieldops.vorticity(u, v, accuracy=accuracy)
        exact = 2 * U / R * sin_true  # the vertical part of the vorticity vector 2U/R
        errors.append(float(np.abs(zeta.values / exact - 1).max()))
        div = fieldops.divergence(u, v, accuracy=accuracy)
        assert float(np.abs(div).max()) < 10 * errors[-1] * float(np.abs(exact).max())
    assert errors[1] < 3e-4
    # the scheme's order: halving the step divides the error by ~2**accuracy
    assert errors[0] / errors[1] > 0.7 * 2**accuracy


def test_geostrophic_band_follows_the_true_latitude():
    u, _, sin_true = rotated_winds(41, span=40.0)
    z = (u * 0 + 5500.0 + 100 * np.sin(np.deg2rad(u.rlon))).assign_attrs(units="m")
    wind = fieldops.geostrophic_wind(z)
    band = np.abs(np.rad2deg(np.arcsin(sin_true))) < 5.0
    assert not band.any()  # a European domain: true latitudes 30-70N
    # the old code blanked |rlat| < 5 degrees; every point is defined now
    assert bool(np.isfinite(wind.ug).all()) and bool(np.isfinite(wind.vg).all())
    assert "grid-relative" in wind.ug.attrs["component_frame"]


def test_results_say_which_frame_their_components_are_in():
    u, _, _ = rotated_winds(11)
    g = fieldops.grad(u.rename("u"))
    assert "rotated-pole grid's east/north" in g.attrs["component_frame"]
    assert g.attrs["component_directions"] == "rlat: grid_northward rlon: grid_eastward"
    assert set(fieldops.to_dataset(g).data_vars) == {
        "grid_northward_grad_u",
        "grid_eastward_grad_u",
    }


def test_without_a_mapping_the_true_latitude_comes_from_2d_coordinates_or_is_asked_for():
    u, v, sin_true = rotated_winds(11, mapping=False)
    assert fieldops.vorticity(u, v).notnull().all()  # the metric needs no pole
    with pytest.raises(ValueError, match="true latitude .* unknown.*coriolis="):
        fieldops.absolute_vorticity(u, v)
    lat = xr.DataArray(np.rad2deg(np.arcsin(sin_true)), dims=("rlat", "rlon"),
                       attrs={"standard_name": "latitude", "units": "degrees_north"})  # fmt: skip
    with_lat = u.assign_coords(lat=lat, lon=lat * 0 + 10.0)
    eta = fieldops.absolute_vorticity(0 * with_lat, 0 * with_lat)
    np.testing.assert_allclose(eta.values, 2 * OMEGA * sin_true, rtol=1e-12)


def test_2d_latitude_that_disagrees_with_the_mapping_is_reported():
    u, v, sin_true = rotated_winds(11)
    lat = np.rad2deg(np.arcsin(sin_true)) + 0.5
    bad = u.assign_coords(
        lat=(("rlat", "rlon"), lat, {"standard_name": "latitude"}),
        lon=(("rlat", "rlon"), 0 * lat, {"standard_name": "longitude"}),
    )
    with pytest.warns(UserWarning, match=r"disagree with grid mapping 'rotated_pole'.*by up to"):
        fieldops.vorticity(bad, v)


def test_earth_relative_winds_are_turned_to_the_grid_first():
    u, v, _ = rotated_winds(21)
    ue, ve = fieldops.to_earth_relative(u, v)
    zeta = fieldops.vorticity(u, v)
    again = fieldops.vorticity(ue, ve, wind_frame="earth")
    np.testing.assert_allclose(again.values, zeta.values, rtol=1e-9)
    # taken as grid winds, earth-relative winds give another (wrong) vorticity
    assert float(np.abs(fieldops.vorticity(ue, ve) - zeta).max()) > 1e-7
    with pytest.raises(ValueError, match="unknown wind_frame"):
        fieldops.vorticity(u, v, wind_frame="north")


def test_dask_is_lazy_and_equal():
    u, v, _ = rotated_winds(21)
    lazy = fieldops.absolute_vorticity(u.chunk({"rlat": 7}), v.chunk({"rlat": 7}))
    assert lazy.chunks is not None
    np.testing.assert_allclose(lazy.values, fieldops.absolute_vorticity(u, v).values, rtol=1e-12)
