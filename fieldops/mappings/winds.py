"""Winds between grid and true north: :func:`to_earth_relative`, :func:`to_grid_relative`.

Model winds on rotated-pole and projected grids are grid-relative: ``u`` along
the grid's +x (rotated east), ``v`` along +y. With ``alpha`` the angle from true
east to the grid's +x axis, counterclockwise (WRF's ``COSALPHA``/``SINALPHA``,
ROMS' ``angle``, NEMO's ``gcost``/``gsint`` all use it)::

    u_e = u cos(alpha) - v sin(alpha)       u = u_e cos(alpha) + v_e sin(alpha)
    v_e = u sin(alpha) + v cos(alpha)       v = v_e cos(alpha) - u_e sin(alpha)

``alpha`` is found, in this order, from ``angle=``; from angle coordinates of
``u`` (``COSALPHA``/``SINALPHA``, ``gcost``/``gsint``, ROMS ``angle`` in radians);
from the CF grid mapping (the direction of +x at each point, through pyproj);
from 2-D latitude/longitude (their derivatives along the x dim). The angle is
built once per grid (numpy, grid-sized); the winds stay lazy on Dask.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops._validate import check_same_grid
from fieldops.grids.detect import detect_geometry
from fieldops.grids.partials import finish
from fieldops.mappings.rotated import mapping_latlon
from fieldops.stencils.cache import shared

__all__ = ["grid_angle", "to_earth_relative", "to_grid_relative"]

AngleArg = xr.DataArray | tuple[xr.DataArray, xr.DataArray] | None
_PAIRS = (("COSALPHA", "SINALPHA"), ("gcost", "gsint"))
_EARTH_STD = {
    "x_wind": "eastward_wind",
    "y_wind": "northward_wind",
    "grid_eastward_wind": "eastward_wind",
    "grid_northward_wind": "northward_wind",
}
_GRID_STD = {"eastward_wind": "x_wind", "northward_wind": "y_wind"}


def _bare(da: xr.DataArray) -> xr.DataArray:
    return xr.DataArray(da.data, dims=da.dims)


def _radians(angle: xr.DataArray) -> xr.DataArray:
    from fieldops import units as _units

    factor = _units.factor(angle.attrs.get("units"), "radian")
    return _bare(angle) * (1.0 if factor is None else factor)


def _from_mapping(ref, geo) -> tuple[np.ndarray, np.ndarray]:
    """cos, sin of the angle of +x from true east, on a rotated or projected grid."""
    mapping = geo.mapping
    from fieldops.mappings.projected import grid_metres

    if geo.kind == "rotated":
        y = np.asarray(ref[geo.y_dim].values, dtype=np.float64)
        x = np.asarray(ref[geo.x_dim].values, dtype=np.float64)
        step = 1e-5  # degrees: the central difference is exact to ~1e-10 rad
    else:
        y, x = grid_metres(ref, geo)
        step = 1.0  # metre
    key = ("mapping-angle", mapping.key, y.tobytes(), x.tobytes())

    def build():
        xx, yy = np.meshgrid(x, y)
        lon1, lat1 = mapping.to_lonlat(xx + step, yy)
        lon0, lat0 = mapping.to_lonlat(xx - step, yy)
        lat, _ = mapping_latlon(geo, y, x)
        dlon = (lon1 - lon0 + 180.0) % 360.0 - 180.0
        alpha = np.arctan2(lat1 - lat0, dlon * np.cos(np.deg2rad(lat)))
        return np.cos(alpha), np.sin(alpha)

    return shared(key, build)


def _from_latlon(ref, geo) -> tuple[xr.DataArray, xr.DataArray]:
    """cos, sin of the angle of +x from east, from 2-D latitude/longitude."""
    lat = ref.coords[geo.lat].astype(np.float64)
    lon = ref.coords[geo.lon].astype(np.float64)
    axis = lat.get_axis_num(geo.x_dim)
    la, lo = np.asarray(lat.values), np.unwrap(np.asarray(lon.values), period=360.0, axis=axis)
    dlat = np.gradient(la, axis=axis)
    dlon = np.gradient(lo, axis=axis) * np.cos(np.deg2rad(la))
    alpha = np.arctan2(dlat, dlon)
    return xr.DataArray(np.cos(alpha), dims=lat.dims), xr.DataArray(np.sin(alpha), dims=lat.dims)


def grid_angle(
    u: xr.DataArray,
    *,
    angle: AngleArg = None,
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
) -> tuple[xr.DataArray, xr.DataArray, str]:
    """``cos(alpha)``, ``sin(alpha)`` (bare, on the grid's dims) and where they came from.

    ``alpha``: the angle from true east to the grid's +x axis, counterclockwise.

    Raises
    ------
    ValueError
        When nothing tells the grid's orientation (winds whose frame cannot be known).

    Examples
    --------
    >>> a = xr.DataArray(np.full((2, 3), np.pi / 6), dims=("y", "x"))
    >>> c, s, how = grid_angle(a, angle=a)
    >>> round(float(c[0, 0]), 6), round(float(s[0, 0]), 6), how
    (0.866025, 0.5, 'angle=')
    """
    if angle is not None:
        if isinstance(angle, tuple):
            if len(angle) != 2 or not all(isinstance(a, xr.DataArray) for a in angle):
                raise TypeError("angle= takes a DataArray (radians) or a (cos, sin) pair")
            return _bare(angle[0]), _bare(angle[1]), "angle="
        if not isinstance(angle, xr.DataArray):
            raise TypeError(f"angle= takes a DataArray or a (cos, sin) pair, got {type(angle)}")
        rad = _radians(angle)
        return np.cos(rad), np.sin(rad), "angle="
    for cos_name, sin_name in _PAIRS:
        if cos_name in u.coords and sin_name in u.coords:
            return _bare(u.coords[cos_name]), _bare(u.coords[sin_name]), f"{cos_name}/{sin_name}"
    if "angle" in u.coords and u.coords["angle"].ndim == 2:
        rad = _radians(u.coords["angle"])
        return np.cos(rad), np.sin(rad), "angle (ROMS, radians)"
    geo = detect_geometry(u, y_dim=y_dim, x_dim=x_dim)
    if geo.mapping is not None and geo.kind in ("rotated", "projected", "projected_curvilinear"):
        cos, sin = _from_mapping(u, geo)
        dims = (geo.y_dim, geo.x_dim)
        return xr.DataArray(cos, dims=dims), xr.DataArray(sin, dims=dims), "grid mapping"
    if geo.kind == "curvilinear" or (geo.kind == "projected" and geo.lat is not None):
        cos, sin = _from_latlon(u, geo)
        return cos, sin, "2-D latitude/longitude"
    raise ValueError(
        f"cannot tell which way the grid of {u.name!r} points (geometry {geo.kind!r}: no grid "
        "mapping, 2-D latitude/longitude or angle fields), so its winds cannot be turned "
        "between grid and true north. Give angle= (radians from true east to +x, or a "
        "(cos, sin) pair such as WRF's (COSALPHA, SINALPHA)), or keep the grid mapping "
        "variable (fieldops.open_dataset)"
    )


def _rotate(u, v, angle, x_dim, y_dim, sign: float, std: dict, words: str):
    if not isinstance(u, xr.DataArray) or not isinstance(v, xr.DataArray):
        raise TypeError("u and v must be DataArrays")
    cos, sin, source = grid_angle(u, angle=angle, x_dim=x_dim, y_dim=y_dim)
    check_same_grid(u, v, [d for d in cos.dims if d in u.dims])
    dt = np.result_type(u.dtype, v.dtype, np.float32)
    cos, sin = cos.astype(dt), sin.astype(dt) * dt.type(sign)
    bu, bv = _bare(u).astype(dt, copy=False), _bare(v).astype(dt, copy=False)
    out = []
    for res, like in ((bu * cos - bv * sin, u), (bu * sin + bv * cos, v)):
        res = finish(res, like, like.name, like.attrs.get("long_name"), []).transpose(*like.dims)
        res.attrs = dict(like.attrs)
        if res.attrs.get("standard_name") in std:
            res.attrs["standard_name"] = std[res.attrs["standard_name"]]
        res.attrs["component_frame"] = f"{words} (turned from the {source})"
        out.append(res.rename(like.name))
    return out[0], out[1]


def to_earth_relative(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    angle: AngleArg = None,
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
) -> tuple[xr.DataArray, xr.DataArray]:
    """Grid-relative wind components turned to true east and north.

    Parameters
    ----------
    u, v : DataArray
        Components along the grid's +x and +y (rotated east/north on a
        rotated-pole grid), on the same grid.
    angle : DataArray or (DataArray, DataArray), optional
        The angle from true east to +x, counterclockwise (radians unless its
        ``units`` say degrees), or its ``(cos, sin)``; by default found from
        ``u``'s angle coordinates, the grid mapping or 2-D latitude/longitude
        (see :mod:`fieldops.mappings.winds`).
    x_dim, y_dim : hashable, optional
        The grid's x/y dims, when they cannot be found from attributes or names.

    Returns
    -------
    (DataArray, DataArray)
        Eastward and northward components, with ``u``'s and ``v``'s coords and attrs
        (``x_wind``/``y_wind`` standard names become ``eastward_wind``/``northward_wind``);
        ``component_frame`` says what they are. Lazy on Dask input.

    Raises
    ------
    ValueError
        Nothing tells which way the grid points.

    Examples
    --------
    >>> c = xr.DataArray(np.full((2, 2), 0.0), dims=("y", "x"))
    >>> u = xr.DataArray(np.ones((2, 2)), dims=("y", "x"),
    ...                  coords={"COSALPHA": c, "SINALPHA": c + 1})
    >>> ue, ve = to_earth_relative(u, 0 * u)  # +x points north
    >>> float(ue[0, 0]), float(ve[0, 0])
    (0.0, 1.0)
    """
    return _rotate(u, v, angle, x_dim, y_dim, 1.0, _EARTH_STD, "earth-relative: true east/north")


def to_grid_relative(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    angle: AngleArg = None,
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
) -> tuple[xr.DataArray, xr.DataArray]:
    """True eastward/northward wind components turned to the grid's +x and +y.

    The inverse of :func:`to_earth_relative` (same parameters, with ``u``, ``v``
    the eastward and northward components).

    Returns
    -------
    (DataArray, DataArray)
        Components along +x and +y (rotated east/north on a rotated-pole grid).

    Examples
    --------
    >>> c = xr.DataArray(np.full((2, 2), 0.0), dims=("y", "x"))
    >>> u = xr.DataArray(np.ones((2, 2)), dims=("y", "x"), coords={"gcost": c, "gsint": c + 1})
    >>> ug, vg = to_grid_relative(u, 0 * u)  # east is -y when +x points north
    >>> float(ug[0, 0]), float(vg[0, 0])
    (0.0, -1.0)
    """
    return _rotate(u, v, angle, x_dim, y_dim, -1.0, _GRID_STD, "grid-relative: along +x/+y")
