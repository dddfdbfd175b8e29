"""Latitude/longitude values that cannot be right are refused (issue 13, item 8)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops

LAT = np.linspace(-80.0, 80.0, 9)


def _on(lat, lon, attrs=None):
    attrs = attrs or {}
    return xr.DataArray(
        np.cos(np.deg2rad(np.asarray(lat)))[:, None] + 0 * np.asarray(lon),
        dims=("lat", "lon"),
        coords={
            "lat": ("lat", lat, attrs.get("lat", {})),
            "lon": ("lon", lon, attrs.get("lon", {})),
        },
        name="f",
    )


def test_scrambled_longitude_is_refused_on_the_sphere_as_diff_refuses_it():
    # 0..340 then 144, 164: "unwrapped" it would span 524 degrees with a 164-degree gap
    lon = np.r_[np.arange(0.0, 360.0, 20.0), 144.0, 164.0]
    f = _on(LAT, lon)
    with pytest.raises(ValueError, match="not strictly monotonic"):
        fieldops.diff(f, "lon")
    for op in (fieldops.grad, fieldops.laplacian):
        with pytest.raises(ValueError, match=r"'lon' is not ordered.*span 524 degrees.*164"):
            op(f)


@pytest.mark.parametrize(
    "lon",
    [np.arange(0.0, 360.0, 20.0), np.arange(-180.0, 180.0, 20.0), np.arange(170.0, 250.0, 10.0)],
)
def test_ordered_longitudes_still_work(lon):
    lon = (lon + 180.0) % 360.0 - 180.0  # wraps once at the dateline
    f = _on(LAT, lon)
    g = fieldops.grad(f)
    np.testing.assert_allclose(g.sel(component="lon").values, 0.0, atol=1e-20)


def test_radians_without_units_are_refused_and_units_say_degrees():
    lat, lon = np.deg2rad(LAT), np.deg2rad(np.arange(0.0, 360.0, 30.0))
    with pytest.raises(ValueError, match=r"no units .* fit in radians.*units='degrees_north'"):
        fieldops.grad(_on(lat, lon))
    # the same values with units in degrees: a tiny equatorial grid, read as degrees
    units = {"lat": {"units": "degrees_north"}, "lon": {"units": "degrees_east"}}
    small = _on(lat, lon, units)
    g = fieldops.grad(small)
    np.testing.assert_array_equal(
        g.values, fieldops.grad(small, ["lat", "lon"], geometry="spherical").values
    )
    # degrees that do not fit in radians need no units
    fieldops.grad(_on(LAT, np.arange(0.0, 360.0, 30.0)))
