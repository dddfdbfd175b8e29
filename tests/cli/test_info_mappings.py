"""``fieldops info`` on rotated-pole and projected files prints the grid mapping."""

from __future__ import annotations

import xarray as xr

from fieldops.cli.info import describe
from tests.mappings.grids import LCC, projected_winds, rotated_winds


def test_info_prints_the_mapping_its_earth_and_the_components_frame():
    u, v, *_ = projected_winds(LCC, 5)
    text = describe(xr.Dataset({"u": u, "v": v}))
    assert "geometry: projected" in text
    assert "grid mapping: lambert_conformal_conic (variable 'crs')" in text
    assert "standard_parallel=[30.0, 60.0]" in text and "sphere of radius 6371229.0 m" in text
    assert "map factors: pyproj" in text and "grid-relative" in text
    u, v, _ = rotated_winds(5)
    text = describe(xr.Dataset({"u": u, "v": v}))
    assert "geometry: rotated" in text and "rotated latitude: rlat" in text
    assert "grid_north_pole_latitude=39.25" in text
