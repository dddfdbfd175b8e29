"""Grids for the solver tests: analytic fields on every kind of grid."""

from __future__ import annotations

import numpy as np
import xarray as xr

R = 6_371_008.8


def sphere(nlat: int = 37, nlon: int = 72, *, poles: bool = True, start: float = 0.0):
    """A global lat/lon grid: poles on it, or half a step off them."""
    if poles:
        lat = np.linspace(-90.0, 90.0, nlat)
    else:
        step = 180.0 / nlat
        lat = np.linspace(-90 + step / 2, 90 - step / 2, nlat)
    lon = start + np.arange(nlon) * 360.0 / nlon
    return lat, lon


def on_sphere(values, lat, lon, name="f", units="s-1") -> xr.DataArray:
    coords = {
        "lat": ("lat", lat, {"units": "degrees_north"}),
        "lon": ("lon", lon, {"units": "degrees_east"}),
    }
    return xr.DataArray(
        values, dims=("lat", "lon"), coords=coords, name=name, attrs={"units": units}
    )


def harmonic(lat, lon) -> np.ndarray:
    """Y_3^2 (l = 3): 15 sin(phi) cos(phi)^2 cos(2 lambda); zero at the poles."""
    phi, lam = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    return 15 * np.sin(phi) * np.cos(phi) ** 2 * np.cos(2 * lam)


def plane(ny: int = 25, nx: int = 31, *, periodic: bool = False) -> xr.DataArray:
    """A zero field on a plane with coordinates in metres."""
    y = np.linspace(0.0, 1.0, ny, endpoint=not periodic)
    x = np.linspace(0.0, 2.0, nx, endpoint=not periodic)
    coords = {"y": ("y", y, {"units": "m"}), "x": ("x", x, {"units": "m"})}
    return xr.DataArray(np.zeros((ny, nx)), dims=("y", "x"), coords=coords, attrs={"units": "K"})


def curvilinear(ny: int = 24, nx: int = 30) -> xr.DataArray:
    """A zero field on a skewed regional grid with 2-D latitude/longitude."""
    j, i = np.meshgrid(np.arange(float(ny)), np.arange(float(nx)), indexing="ij")
    lat, lon = 10 + 0.5 * j + 0.1 * i, 0.4 * i - 0.1 * j
    coords = {"lat": (("j", "i"), lat), "lon": (("j", "i"), lon)}
    return xr.DataArray(np.zeros((ny, nx)), dims=("j", "i"), coords=coords, attrs={"units": "K"})


def ocean_ring(ny: int = 30, nx: int = 72) -> tuple[xr.DataArray, xr.DataArray]:
    """Winds on a distorted curvilinear band round the globe: its i index wraps."""
    j, i = np.meshgrid(np.arange(float(ny)), np.arange(float(nx)), indexing="ij")
    lon = i * 360.0 / nx + 3.0 * np.sin(2 * np.pi * i / nx) * (j / ny)
    lat = -60 + 4.0 * j + 2.0 * np.cos(2 * np.pi * i / nx)
    coords = {"lat": (("j", "i"), lat), "lon": (("j", "i"), lon)}
    phi, lam = np.deg2rad(lat), np.deg2rad(lon)
    attrs = {"units": "m s-1"}
    u = xr.DataArray(10 * np.cos(phi) + np.sin(lam), dims=("j", "i"), coords=coords, attrs=attrs)
    v = xr.DataArray(5 * np.sin(2 * lam) * np.cos(phi), dims=("j", "i"), coords=coords, attrs=attrs)
    return u.rename("u"), v.rename("v")
