"""Shared machinery of the kinematics: the grid frame, wind units, pint, docs.

Private: the public functions are in :mod:`fieldops.kinematics` and
:mod:`fieldops.kinematics.deformation`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_same_grid, check_xarray
from fieldops.grids.orientation import EARTH_STD, EARTH_WORDS, GRID_STD, GRID_WORDS, turn
from fieldops.grids.results import finish

if TYPE_CHECKING:  # the frames stand below; only their type is named here
    from fieldops.grids.frame import Frame

OMEGA = 7.292115e-5
"""Earth's rotation rate in rad s-1 (Coriolis parameter ``2 * OMEGA * sin(lat)``)."""
G0 = 9.80665
"""Standard gravity in m s-2 (geopotential height to geopotential)."""


def _inputs(frame: Frame, *arrays: xr.DataArray) -> None:
    for a in arrays:
        if not isinstance(a, xr.DataArray):
            raise TypeError(
                f"expected DataArrays for the fields, got {type(a).__name__}; for a Dataset use "
                "ds.fieldops.<method>(u='u', v='v')"
            )
    for other in arrays[1:]:
        check_same_grid(arrays[0], other, list(frame.dims))


def _wind(u: xr.DataArray, v: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray, str | None]:
    """Both components in ``m s-1`` when their units are speeds, else in ``u``'s units."""
    uu, vu = u.attrs.get("units"), v.attrs.get("units")
    fu, fv = _units.factor(uu, "m s-1"), _units.factor(vu, "m s-1")
    if fu is not None and fv is not None:
        with xr.set_options(keep_attrs=True):
            u = u * fu if fu != 1.0 else u
            v = v * fv if fv != 1.0 else v
        return u, v, "m s-1"
    if isinstance(uu, str) and isinstance(vu, str) and uu != vu:
        f = _units.factor(vu, uu)
        if f is None:
            raise ValueError(
                f"u ({u.name!r}) is in {uu!r} but v ({v.name!r}) is in {vu!r}, which do not "
                "convert; give both components the same units"
            )
        with xr.set_options(keep_attrs=True):
            v = v * f
    return u, v, uu if isinstance(uu, str) else None


def _with_units(
    res: xr.DataArray,
    like: xr.DataArray,
    name: str,
    long_name: str,
    units: str | None,
    standard_name: str | None = None,
) -> xr.DataArray:
    out = finish(res, like, name, long_name, [])
    out.attrs.pop("units", None)
    if units is not None:
        out.attrs["units"] = units
    if standard_name is not None:
        out.attrs["standard_name"] = standard_name
    return out


def _per_length(units: str | None, frame: Frame) -> str | None:
    return _units.combine(units, [frame.length_unit])


def _coriolis(frame: Frame, coriolis: float | xr.DataArray | None, what: str):
    if coriolis is not None:
        if isinstance(coriolis, xr.DataArray):
            return xr.DataArray(coriolis.data, dims=coriolis.dims)
        return float(coriolis)
    lat = frame.latitude()
    if lat is None:
        raise ValueError(
            f"{what} needs the Coriolis parameter, but the data have no latitude coordinate; "
            "pass coriolis= (in s-1) or add a latitude coordinate (units 'degrees_north')"
        )
    return 2 * OMEGA * np.sin(np.deg2rad(lat))


WIND_FRAMES = ("auto", "grid", "earth")


def _own_frame(frame: Frame, wind_frame: str) -> tuple[str, bool]:
    """The frame's own wind frame (``"grid"`` on mapped grids, else ``"earth"``), and
    whether winds in ``wind_frame`` must be turned to it."""
    if wind_frame not in WIND_FRAMES:
        raise ValueError(f"unknown wind_frame {wind_frame!r}; use one of {WIND_FRAMES}")
    own = "grid" if frame.frame_attrs() else "earth"
    return own, wind_frame not in ("auto", own)


def _in_frame(
    frame: Frame, u: xr.DataArray, v: xr.DataArray, wind_frame: str
) -> tuple[xr.DataArray, xr.DataArray]:
    """``u``, ``v`` turned into the frame's own components (grid-relative on mapped grids)."""
    own, other = _own_frame(frame, wind_frame)
    if not other:
        return u, v
    if own == "grid":
        return turn(u, v, None, frame.x_dim, frame.y_dim, -1.0, GRID_STD, GRID_WORDS)
    return turn(u, v, None, frame.x_dim, frame.y_dim, 1.0, EARTH_STD, EARTH_WORDS)


_GRID_DOC = """geometry : {"auto", "cartesian", "spherical", "curvilinear"}, default "auto"
        Grid of the data (see :func:`fieldops.grids.detect_geometry`); "curvilinear"
        requires 2-D latitude/longitude coordinates.
    x_dim, y_dim : hashable, optional
        The x/y dims of a cartesian grid (found from attributes and names,
        else the last two dims); ignored on a latitude/longitude grid.
    accuracy : int, default 2
        Even accuracy order of the finite-difference stencils.
    boundary : str or dict, optional
        Edge rule per dim (longitude spanning 360 degrees is periodic by default).
    radius : float, default 6 371 008.8
        Sphere radius in metres; by default the file's Earth when its CF grid
        mapping gives one (``earth_radius``, ``semi_major_axis``).
    poles : {"limit", "nan"}, default "limit"
        Pole policy on a grid with pole rows (see :mod:`fieldops.grids.spherical`).
    method : str or dict, default "finite_difference"
        ``"savgol"``, ``"gaussian"`` or ``"spectral"``, as in :func:`fieldops.diff`:
        one for both horizontal dims or a dict per dim, e.g.
        ``{"longitude": "spectral", "latitude": "savgol"}`` (spectral needs a
        periodic dim: a 360-degree longitude, never latitude).
    window, sigma : str or float or dict, optional
        savgol window (``"5 points"`` or ``"3.0 wide"``) and gaussian standard
        deviation, in the units of the coordinates as they are: degrees on a
        latitude/longitude grid, index units on a curvilinear grid's logical
        dims. One value or a dict per dim.
    polyorder : int or dict, optional
        savgol polynomial degree.
    nan_policy : {"propagate", "omit"}, default "propagate"
        ``"omit"``: NaN cells (land, gaps) are domain boundaries; points next to
        them get one-sided stencils from the valid side (see :func:`fieldops.diff`).
        Finite differences only. A pole row takes its value from the rows next to
        it, so it stays NaN when they hold a NaN.
    mask : DataArray of bool, optional
        True where the fields are valid; False cells are treated as NaN
        (implies ``nan_policy="omit"``).
    wind_frame : {"auto", "grid", "earth"}, default "auto"
        Which way the wind components point (for ``geostrophic_wind``, the
        result's): ``"grid"`` along the grid's x/y (rotated east/north on a
        rotated-pole grid: CORDEX, the UM, WRF's U/V), ``"earth"`` true east/north.
        ``"auto"`` takes the frame's own: grid-relative on rotated-pole and
        projected grids, true east/north elsewhere. Others are turned by
        :func:`fieldops.to_grid_relative` / :func:`fieldops.to_earth_relative`.
    vertical : {"height", "pressure", "auto"} or DataArray, optional
        On model levels: the derivatives are taken at constant height or pressure
        (the chain rule through the levels' slopes; see :func:`fieldops.grad` and
        :mod:`fieldops.vertical.correction`). ``level_dim`` names the level dim when
        the vertical coordinate has more than one dim besides the horizontal ones."""


def _doc(func):
    """Fill the shared parameter docs, and accept pint-quantified DataArrays.

    Input whose data are pint quantities (e.g. from pint-xarray's ``quantify``)
    is read through its units, and the result comes back quantified.
    """
    func.__doc__ = func.__doc__.replace("{grid}", _GRID_DOC)
    return _units.quantified(func)


def variable(obj: object, name: Hashable, method: str) -> xr.DataArray:
    """``obj[name]`` for the Dataset accessor, with a clear error when it cannot be.

    Examples
    --------
    >>> ds = xr.Dataset({"u": ("x", [1.0])})
    >>> variable(ds, "u", "vorticity").name, variable(ds, ds.u * 2, "vorticity").values
    ('u', array([2.]))
    """
    check_xarray(obj)
    if not isinstance(obj, xr.Dataset):
        raise TypeError(
            f".fieldops.{method} is a Dataset method (it names variables); call "
            f"fieldops.{method}(...) on DataArrays instead"
        )
    if isinstance(name, xr.DataArray):
        return name  # ds.fieldops.vorticity(u=ds.u, v=ds.v): the arrays themselves
    try:
        hash(name)
    except TypeError:
        raise TypeError(
            f"{method}: pass variable names (e.g. u='u') or DataArrays, got {type(name).__name__}"
        ) from None
    if name not in obj.data_vars:
        raise ValueError(
            f"{method}: variable {name!r} not in the Dataset; its variables are "
            f"{list(obj.data_vars)}"
        )
    return obj[name]
