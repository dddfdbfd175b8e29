"""Analytic fields on rotated-pole and projected grids, built with pyproj (shared by the tests)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from fieldops.mappings.crs import read_mapping

R = 6371229.0  # the file's Earth (a sphere), not fieldops' default
U = 20.0  # m s-1 at the true equator: solid-body rotation at U/R rad s-1
OMEGA = 7.292115e-5

ROTATED = {
    "grid_mapping_name": "rotated_latitude_longitude",
    "grid_north_pole_latitude": 39.25,
    "grid_north_pole_longitude": -162.0,
    "earth_radius": R,
}  # EURO-CORDEX's pole
LCC = {
    "grid_mapping_name": "lambert_conformal_conic",
    "standard_parallel": [30.0, 60.0],
    "longitude_of_central_meridian": 10.0,
    "latitude_of_projection_origin": 50.0,
    "earth_radius": R,
}
PS = {
    "grid_mapping_name": "polar_stereographic",
    "straight_vertical_longitude_from_pole": -45.0,
    "latitude_of_projection_origin": 90.0,
    "standard_parallel": 70.0,
    "earth_radius": R,
}


def rotated_winds(n: int = 61, span: float = 30.0, *, mapping: bool = True):
    """Solid-body rotation about the TRUE pole, as rotated-grid (grid-relative) winds.

    The velocity is ``(U/R) p x r`` with ``p`` the true pole in the rotated frame
    (from pyproj), projected on the rotated east/north unit vectors: nothing of
    fieldops' wind rotation is used. Returns u, v and sin(true latitude).
    """
    crs = xr.DataArray(0, attrs=ROTATED)
    m = read_mapping(crs, "rotated_pole")
    px, py = m.from_lonlat(0.0, 90.0)
    lp, pp = np.deg2rad(px), np.deg2rad(py)
    axis = np.array([np.cos(pp) * np.cos(lp), np.cos(pp) * np.sin(lp), np.sin(pp)])
    rlat = np.linspace(-span / 2, span / 2, n)
    rlon = np.linspace(-span / 2, span / 2, n) + 3.0
    lon, lat = np.meshgrid(np.deg2rad(rlon), np.deg2rad(rlat))
    r = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    vel = U * np.cross(axis, r, axis=0)
    east = np.stack([-np.sin(lon), np.cos(lon), 0 * lon])
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
    coords = {
        "rlat": ("rlat", rlat, {"standard_name": "grid_latitude", "units": "degrees", "axis": "Y"}),
        "rlon": (
            "rlon",
            rlon,
            {"standard_name": "grid_longitude", "units": "degrees", "axis": "X"},
        ),
    }
    if mapping:
        coords["rotated_pole"] = crs
    attrs = {"units": "m s-1", "grid_mapping": "rotated_pole"} if mapping else {"units": "m s-1"}

    def make(a):
        return xr.DataArray(a, dims=("rlat", "rlon"), coords=coords, attrs=attrs)

    return make((vel * east).sum(0)), make((vel * north).sum(0)), (axis[:, None, None] * r).sum(0)


def projected_winds(attrs: dict, n: int = 41, half: float = 2.0e6):
    """Solid-body rotation about the true pole as grid-relative winds on a projected grid.

    Each point's velocity is the motion of its image under pyproj's forward
    projection (central difference in time) divided by pyproj's map factor.
    Returns u, v, the true latitude and longitude, and the mapping.
    """
    crs = xr.DataArray(0, attrs=attrs)
    m = read_mapping(crs, "crs")
    x = np.linspace(-half, half, n)
    y = np.linspace(-half, half, n) + 0.3 * half
    xx, yy = np.meshgrid(x, y)
    lon, lat = m.to_lonlat(xx, yy)
    step = np.rad2deg(U / R)  # degrees of longitude in one second
    x1, y1 = m.from_lonlat(lon + step, lat)
    x0, y0 = m.from_lonlat(lon - step, lat)
    k = m.factors(lon, lat).parallel_scale
    coords = {
        "x": ("x", x, {"units": "m", "standard_name": "projection_x_coordinate"}),
        "y": ("y", y, {"units": "m", "standard_name": "projection_y_coordinate"}),
        "crs": crs,
    }
    wattrs = {"units": "m s-1", "grid_mapping": "crs"}

    def make(a):
        return xr.DataArray(a, dims=("y", "x"), coords=coords, attrs=wattrs)

    return make((x1 - x0) / 2 / k), make((y1 - y0) / 2 / k), lat, lon, m
