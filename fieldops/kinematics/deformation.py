"""Deformation of a horizontal wind: stretching, shearing and total.

``stretching = du/dx - dv/dy``, ``shearing = dv/dx + du/dy`` (MetPy's signs), with
the spherical metric terms ``-v tan(phi)/R`` and ``+u tan(phi)/R`` on
latitude/longitude grids and the chain rule on curvilinear ones; pole rows are
the limit along each meridian (see :mod:`fieldops.grids.spherical`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from fieldops.grids.frame import frame_for
from fieldops.kinematics.base import _doc, _in_frame, _inputs, _per_length, _wind, _with_units
from fieldops.options import EARTH_RADIUS, How, MethodArg, ScaleArg, Where, option_keywords
from fieldops.stencils.boundary import BoundarySpec

if TYPE_CHECKING:  # the frames stand below; only their type is named here
    from fieldops.grids.frame import Frame


def _deform(frame: Frame, u: xr.DataArray, v: xr.DataArray):
    return frame.deform(frame.bare(u), frame.bare(v))


@_doc
def deformation(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    geometry: str = "auto",
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    wind_frame: str = "auto",
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.Dataset:
    """Stretching, shearing and total deformation of a horizontal wind.

    ``stretching = du/dx - dv/dy``, ``shearing = dv/dx + du/dy``,
    ``total = sqrt(stretching**2 + shearing**2)``, with the spherical metric
    terms (``-v tan(phi)/R`` and ``+u tan(phi)/R``) on latitude/longitude grids.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind on the same grid.
    {grid}

    Returns
    -------
    Dataset
        ``stretching_deformation``, ``shearing_deformation``,
        ``total_deformation``, in wind units per metre.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(4.0), dims="x", attrs={"units": "m"})
    >>> y = xr.DataArray(np.arange(3.0), dims="y", attrs={"units": "m"})
    >>> X, Y = np.meshgrid(x, y)
    >>> u = xr.DataArray(X, dims=("y", "x"), coords={"x": x, "y": y}, attrs={"units": "m s-1"})
    >>> v = u.copy(data=-Y)
    >>> d = deformation(u, v)
    >>> float(d.stretching_deformation[1, 1]), float(d.total_deformation[1, 1])
    (2.0, 2.0)
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    _inputs(frame, u, v)
    u, v, wunits = _wind(u, v)
    u, v = _in_frame(frame, u, v, wind_frame)
    stretch, shear = _deform(frame, u, v)
    total = np.sqrt(stretch**2 + shear**2)
    units = _per_length(wunits, frame)
    return xr.Dataset(
        {
            "stretching_deformation": _with_units(
                stretch, u, "stretching_deformation", "stretching deformation", units
            ),
            "shearing_deformation": _with_units(
                shear, u, "shearing_deformation", "shearing deformation", units
            ),
            "total_deformation": _with_units(
                total, u, "total_deformation", "total deformation", units
            ),
        }
    )


@_doc
def stretching_deformation(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    geometry: str = "auto",
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    wind_frame: str = "auto",
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray:
    """Stretching deformation ``du/dx - dv/dy``.

    The ``stretching_deformation`` variable of :func:`deformation`.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind on the same grid.
    {grid}

    Returns
    -------
    DataArray
        In wind units per metre.

    Examples
    --------
    >>> u = xr.DataArray(np.tile(np.arange(4.0), (3, 1)), dims=("y", "x"))
    >>> float(stretching_deformation(u, 0 * u)[1, 1])
    1.0
    """
    return deformation(u, v, wind_frame=wind_frame, **option_keywords(locals()))[
        "stretching_deformation"
    ]


@_doc
def shearing_deformation(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    geometry: str = "auto",
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    wind_frame: str = "auto",
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray:
    """Shearing deformation ``dv/dx + du/dy``.

    The ``shearing_deformation`` variable of :func:`deformation`.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind on the same grid.
    {grid}

    Returns
    -------
    DataArray
        In wind units per metre.

    Examples
    --------
    >>> u = xr.DataArray(np.tile(np.arange(3.0)[:, None], (1, 4)), dims=("y", "x"))
    >>> float(shearing_deformation(u, 0 * u)[1, 1])
    1.0
    """
    return deformation(u, v, wind_frame=wind_frame, **option_keywords(locals()))[
        "shearing_deformation"
    ]


@_doc
def total_deformation(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    geometry: str = "auto",
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    wind_frame: str = "auto",
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray:
    """Total deformation ``sqrt(stretching**2 + shearing**2)``.

    The ``total_deformation`` variable of :func:`deformation`.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind on the same grid.
    {grid}

    Returns
    -------
    DataArray
        In wind units per metre.

    Examples
    --------
    >>> u = xr.DataArray(np.tile(np.arange(4.0), (3, 1)), dims=("y", "x"))
    >>> float(total_deformation(u, 0 * u)[1, 1])
    1.0
    """
    return deformation(u, v, wind_frame=wind_frame, **option_keywords(locals()))[
        "total_deformation"
    ]
