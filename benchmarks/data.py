"""The data the cases run on, built once per run and shared by all contenders.

Each factory takes the run's ``scale`` (1.0 for the published sizes; smaller for
a smoke run) and returns a dict: ``da`` (a DataArray), ``np`` (its numpy data),
``dx`` (spacing per dim) and whatever else a peer needs.
"""

from __future__ import annotations

import numpy as np
import xarray as xr


def _size(n: int, scale: float, least: int = 16) -> int:
    return max(least, int(round(n * scale)))


def _grid(shape: tuple[int, ...], dims: tuple[str, ...], dtype, spacing: dict[str, float]):
    rng = np.random.default_rng(0)
    values = rng.standard_normal(shape, dtype=np.float64).astype(dtype)
    coords = {
        d: xr.DataArray(np.arange(n) * spacing[d], dims=d, attrs={"units": "m"})
        for d, n in zip(dims, shape)
    }
    da = xr.DataArray(values, dims=dims, coords=coords, name="t", attrs={"units": "K"})
    return {"da": da, "np": values, "dx": dict(spacing), "dims": dims}


def plane(scale: float, dtype) -> dict:
    """A 4000x4000 field on dims (y, x), spacings 0.5 and 0.25 m."""
    n = _size(4000, scale)
    return _grid((n, n), ("y", "x"), dtype, {"y": 0.5, "x": 0.25})


def volume(scale: float, dtype) -> dict:
    """A 64x1024x1024 field on dims (z, y, x)."""
    shape = (_size(64, scale, 8), _size(1024, scale), _size(1024, scale))
    return _grid(shape, ("z", "y", "x"), dtype, {"z": 10.0, "y": 0.5, "x": 0.25})


def plane_nonuniform(scale: float, dtype) -> dict:
    """The plane with a smoothly stretched x coordinate (spacing 0.2 to 0.3 m)."""
    base = plane(scale, dtype)
    n = base["np"].shape[1]
    x = np.concatenate([[0.0], np.cumsum(0.25 + 0.05 * np.sin(np.linspace(0, 3 * np.pi, n - 1)))])
    da = base["da"].assign_coords(x=xr.DataArray(x, dims="x", attrs={"units": "m"}))
    return {**base, "da": da, "x": x, "uniform_da": base["da"]}


def volume_dask(scale: float, dtype) -> dict:
    """The volume as Dask: chunks of 16 x half of y x all of x (tens of MB each)."""
    base = volume(scale, dtype)
    nz, ny, nx = base["np"].shape
    chunks = {"z": max(1, nz // 4), "y": max(1, ny // 2), "x": nx}
    return {**base, "da": base["da"].chunk(chunks), "chunks": chunks}


def small(scale: float, dtype) -> dict:
    """A 100x100 field (the size does not scale): the overhead of the wrapping."""
    return _grid((100, 100), ("y", "x"), dtype, {"y": 0.5, "x": 0.25})


def sphere(scale: float, dtype) -> dict:
    """Winds u, v on a 721x1440 (0.25 degree) global grid, latitude descending."""
    nlat = _size(721, scale, 19) | 1
    lat = np.linspace(90.0, -90.0, nlat)
    lon = np.linspace(0.0, 360.0, 2 * (nlat - 1), endpoint=False)
    rng = np.random.default_rng(1)
    shape = (lat.size, lon.size)
    coslat = np.cos(np.deg2rad(lat))[:, None]
    u = (20.0 * coslat + rng.standard_normal(shape)).astype(dtype)
    v = rng.standard_normal(shape).astype(dtype)
    coords = {
        "latitude": ("latitude", lat, {"units": "degrees_north", "standard_name": "latitude"}),
        "longitude": ("longitude", lon, {"units": "degrees_east", "standard_name": "longitude"}),
    }
    ds = xr.Dataset(
        {
            "u": (("latitude", "longitude"), u, {"units": "m s-1"}),
            "v": (("latitude", "longitude"), v, {"units": "m s-1"}),
        },
        coords=coords,
    )
    return {"ds": ds, "np": u, "da": ds.u}


FACTORIES = {
    "2d-f64": lambda s: plane(s, np.float64),
    "2d-f32": lambda s: plane(s, np.float32),
    "2d-f64-nonuniform": lambda s: plane_nonuniform(s, np.float64),
    "3d-f64": lambda s: volume(s, np.float64),
    "3d-f32": lambda s: volume(s, np.float32),
    "3d-f64-dask": lambda s: volume_dask(s, np.float64),
    "small-f64": lambda s: small(s, np.float64),
    "sphere-f64": lambda s: sphere(s, np.float64),
}


def describe(key: str, data: dict) -> str:
    """``4000x4000 float64`` and the like."""
    arr = data["np"]
    text = "x".join(map(str, arr.shape)) + f" {arr.dtype}"
    if "chunks" in data:
        text += " chunks " + "x".join(str(c) for c in data["chunks"].values())
    return text
