"""Winds between grid and true north: :func:`to_earth_relative`, :func:`to_grid_relative`.

Model winds on rotated-pole and projected grids are grid-relative: ``u`` along
the grid's +x (rotated east), ``v`` along +y. The angle of the grid and the
turning itself are :mod:`fieldops.grids.orientation`'s (which the kinematics use
too); see there for the formulas and where the angle comes from.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np  # noqa: F401  (the examples use it)
import xarray as xr

from fieldops.grids.orientation import (
    EARTH_STD,
    EARTH_WORDS,
    GRID_STD,
    GRID_WORDS,
    AngleArg,
    grid_angle,
    turn,
)

__all__ = ["grid_angle", "to_earth_relative", "to_grid_relative"]


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
    return turn(u, v, angle, x_dim, y_dim, 1.0, EARTH_STD, EARTH_WORDS)


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
    return turn(u, v, angle, x_dim, y_dim, -1.0, GRID_STD, GRID_WORDS)
