"""Which way a grid's axes point, and winds turned between them and true north.

Model winds on rotated-pole and projected grids are grid-relative: ``u`` along
the grid's +x (rotated east), ``v`` along +y. With ``alpha`` the angle from true
east to the grid's +x axis, counterclockwise (WRF's ``COSALPHA``/``SINALPHA``,
ROMS' ``angle``, NEMO's ``gcost``/``gsint`` all use it)::

    u_e = u cos(alpha) - v sin(alpha)       u = u_e cos(alpha) + v_e sin(alpha)
    v_e = u sin(alpha) + v cos(alpha)       v = v_e cos(alpha) - u_e sin(alpha)

``alpha`` is found, in this order, from ``angle=``; from angle coordinates of
``u`` (``COSALPHA``/``SINALPHA``, ``gcost``/``gsint``, ROMS ``angle`` in radians);
then from the grid's frame (:meth:`fieldops.grids.frame.Frame.grid_angle`: the CF
grid mapping on rotated-pole and projected grids, 2-D latitude/longitude on
curvilinear ones). The angle is built once per grid (numpy, grid-sized); the
winds stay lazy on Dask. The public functions are
:func:`fieldops.to_earth_relative` and :func:`fieldops.to_grid_relative`; the
kinematics turn their winds here too.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_same_grid
from fieldops.grids.detect import detect_geometry
from fieldops.grids.frame import frame_class
from fieldops.grids.results import like, placed

__all__ = ["EARTH_STD", "EARTH_WORDS", "GRID_STD", "GRID_WORDS", "grid_angle", "turn"]

AngleArg = xr.DataArray | tuple[xr.DataArray, xr.DataArray] | None
_PAIRS = (("COSALPHA", "SINALPHA"), ("gcost", "gsint"))
EARTH_STD = {
    "x_wind": "eastward_wind",
    "y_wind": "northward_wind",
    "grid_eastward_wind": "eastward_wind",
    "grid_northward_wind": "northward_wind",
}
GRID_STD = {"eastward_wind": "x_wind", "northward_wind": "y_wind"}
# What the turned components are (their ``component_frame`` attribute).
EARTH_WORDS = "earth-relative: true east/north"
GRID_WORDS = "grid-relative: along +x/+y"


def _bare(da: xr.DataArray) -> xr.DataArray:
    return xr.DataArray(da.data, dims=da.dims)


def _radians(angle: xr.DataArray) -> xr.DataArray:
    factor = _units.factor(angle.attrs.get("units"), "radian")
    return _bare(angle) * (1.0 if factor is None else factor)


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
    found = frame_class(geo.kind).grid_angle(u, geo)  # the grid's frame knows its axes
    if found is not None:
        return found
    raise ValueError(
        f"cannot tell which way the grid of {u.name!r} points (geometry {geo.kind!r}: no grid "
        "mapping, 2-D latitude/longitude or angle fields), so its winds cannot be turned "
        "between grid and true north. Give angle= (radians from true east to +x, or a "
        "(cos, sin) pair such as WRF's (COSALPHA, SINALPHA)), or keep the grid mapping "
        "variable (fieldops.open_dataset)"
    )


def turn(u, v, angle, x_dim, y_dim, sign: float, std: dict, words: str):
    """``u``, ``v`` turned by ``sign`` times the grid's angle (+1: grid to earth)."""
    if not isinstance(u, xr.DataArray) or not isinstance(v, xr.DataArray):
        raise TypeError("u and v must be DataArrays")
    cos, sin, source = grid_angle(u, angle=angle, x_dim=x_dim, y_dim=y_dim)
    check_same_grid(u, v, [d for d in cos.dims if d in u.dims])
    dt = np.result_type(u.dtype, v.dtype, np.float32)
    cos, sin = cos.astype(dt, copy=False), sin.astype(dt, copy=False) * dt.type(sign)
    bu, bv = _bare(u).astype(dt, copy=False), _bare(v).astype(dt, copy=False)
    out = []
    for res, ref in ((bu * cos - bv * sin, u), (bu * sin + bv * cos, v)):
        attrs = dict(ref.attrs)  # the same quantity, in another frame
        if attrs.get("standard_name") in std:
            attrs["standard_name"] = std[attrs["standard_name"]]
        attrs["component_frame"] = f"{words} (turned from the {source})"
        out.append(like(ref, placed(res, ref), ref.name, attrs))
    return out[0], out[1]
