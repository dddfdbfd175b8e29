"""Kinematics of horizontal wind fields, on spherical, cartesian and curvilinear grids.

``u`` and ``v`` are the eastward and northward components (along x and y on a
cartesian grid; along the grid's axes on rotated-pole and projected grids, see
``wind_frame``). The Coriolis parameter comes from the true latitude on every grid
(the grid mapping's on a rotated-pole or projected grid). The grid is found by
:func:`fieldops.grids.detect_geometry` (``geometry="auto"``): 1-D
latitude/longitude give the spherical forms with analytic metric terms (flux form
for vorticity and divergence) and the pole policy of
:mod:`fieldops.grids.spherical`; 2-D latitude/longitude give the chain rule of
:mod:`fieldops.grids.curvilinear`; rotated-pole and projected grids the frames of
:mod:`fieldops.mappings`; anything else is a plane, with derivatives per metre
when the coordinates carry length units. Results are lazy on Dask input, keep the
input's dims, coords and dtype, and carry ``units``, ``long_name`` and (where CF
has one) ``standard_name``.

Sign conventions follow MetPy: ``advection`` is ``-(u df/dx + v df/dy)`` (the
tendency of ``f`` due to advection); stretching deformation is
``du/dx - dv/dy``, shearing deformation ``dv/dx + du/dy``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops.grids.frame import Frame, frame_for
from fieldops.grids.orientation import EARTH_WORDS, GRID_WORDS, grid_angle
from fieldops.kinematics.base import (
    G0,
    OMEGA,
    _coriolis,
    _doc,
    _in_frame,
    _inputs,
    _own_frame,
    _per_length,
    _wind,
    _with_units,
    variable,
)
from fieldops.kinematics.deformation import (
    deformation,
    shearing_deformation,
    stretching_deformation,
    total_deformation,
)
from fieldops.options import EARTH_RADIUS, How, MethodArg, ScaleArg, Where
from fieldops.stencils.boundary import BoundarySpec

__all__ = [
    "G0",
    "OMEGA",
    "absolute_vorticity",
    "advection",
    "deformation",
    "divergence",
    "geostrophic_wind",
    "shearing_deformation",
    "stretching_deformation",
    "total_deformation",
    "variable",
    "vorticity",
]


@_doc
def vorticity(
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
    """Vertical component of the relative vorticity, ``dv/dx - du/dy``.

    On a latitude/longitude grid the flux form
    ``(v_lam - (u cos phi)_phi) / (R cos phi)``, pole rows included.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind on the same grid.
    {grid}

    Returns
    -------
    DataArray
        ``vorticity``, in wind units per metre (``s-1`` for ``m s-1`` winds).

    Examples
    --------
    >>> import fieldops
    >>> ds = fieldops.open_sample()
    >>> zeta = vorticity(ds.u, ds.v)
    >>> zeta.attrs["units"], bool(np.isfinite(zeta).all())
    ('s-1', True)
    >>> smooth = vorticity(ds.u, ds.v, method="gaussian", sigma=3.0)  # sigma in degrees
    >>> bool(float(abs(smooth).mean()) < float(abs(zeta).mean()))  # noise smoothed away
    True
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    return _vorticity(frame, u, v, wind_frame)


def _vorticity(frame: Frame, u: xr.DataArray, v: xr.DataArray, wind_frame: str) -> xr.DataArray:
    """:func:`vorticity` on a frame already built."""
    _inputs(frame, u, v)
    u, v, wunits = _wind(u, v)
    u, v = _in_frame(frame, u, v, wind_frame)
    res = frame.curl(u, v)
    return _with_units(
        res,
        u,
        "vorticity",
        "relative vorticity",
        _per_length(wunits, frame),
        "atmosphere_relative_vorticity",
    )


@_doc
def absolute_vorticity(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    coriolis: float | xr.DataArray | None = None,
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
    """Absolute vorticity: relative vorticity plus the Coriolis parameter.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind on the same grid.
    coriolis : float or DataArray, optional
        Coriolis parameter in s-1; by default ``2 * OMEGA * sin(latitude)`` from
        the latitude coordinate (required on a cartesian grid without one).
    {grid}

    Returns
    -------
    DataArray
        ``absolute_vorticity`` in s-1.

    Examples
    --------
    >>> lat = np.linspace(-90, 90, 73); lon = np.arange(0, 360, 5.0)
    >>> calm = xr.DataArray(np.zeros((73, 72)), dims=("lat", "lon"),
    ...                     coords={"lat": lat, "lon": lon}, attrs={"units": "m s-1"})
    >>> eta = absolute_vorticity(calm, calm)
    >>> bool(np.isclose(eta.sel(lat=90, lon=0), 2 * OMEGA))
    True
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    return _absolute_vorticity(frame, u, v, coriolis, wind_frame)


def _absolute_vorticity(
    frame: Frame, u: xr.DataArray, v: xr.DataArray, coriolis, wind_frame: str
) -> xr.DataArray:
    """:func:`absolute_vorticity` on a frame already built (one frame for both terms)."""
    zeta = _vorticity(frame, u, v, wind_frame)
    f = _coriolis(frame, coriolis, "absolute_vorticity")
    bare = xr.DataArray(zeta.data, dims=zeta.dims)
    if isinstance(f, xr.DataArray):
        f = f.astype(zeta.dtype)
    else:
        f = zeta.dtype.type(f)
    res = bare + f
    units = zeta.attrs.get("units")
    return _with_units(
        res,
        zeta,
        "absolute_vorticity",
        "absolute vorticity",
        units,
        "atmosphere_absolute_vorticity",
    )


@_doc
def divergence(
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
    """Horizontal divergence, ``du/dx + dv/dy``.

    On a latitude/longitude grid the flux form
    ``(u_lam + (v cos phi)_phi) / (R cos phi)``, pole rows included.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind on the same grid.
    {grid}

    Returns
    -------
    DataArray
        ``divergence``, in wind units per metre.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(4.0), dims="x", attrs={"units": "km"})
    >>> y = xr.DataArray(np.arange(3.0), dims="y", attrs={"units": "km"})
    >>> u = xr.DataArray(np.tile(np.arange(4.0), (3, 1)), dims=("y", "x"),
    ...                  coords={"x": x, "y": y}, attrs={"units": "m s-1"})
    >>> d = divergence(u, 0 * u)
    >>> float(d[1, 1]), d.attrs["units"]
    (0.001, 's-1')
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    return _divergence(frame, u, v, wind_frame)


def _divergence(frame: Frame, u: xr.DataArray, v: xr.DataArray, wind_frame: str) -> xr.DataArray:
    """:func:`divergence` on a frame already built."""
    _inputs(frame, u, v)
    u, v, wunits = _wind(u, v)
    u, v = _in_frame(frame, u, v, wind_frame)
    res = frame.div(u, v)
    return _with_units(
        res,
        u,
        "divergence",
        "horizontal divergence",
        _per_length(wunits, frame),
        "divergence_of_wind",
    )


@_doc
def advection(
    scalar: xr.DataArray,
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
    """Horizontal advection of a scalar, ``-(u df/dx + v df/dy)`` (MetPy's sign).

    Parameters
    ----------
    scalar : DataArray
        The advected field.
    u, v : DataArray
        Eastward and northward wind on the same grid.
    {grid}

    Returns
    -------
    DataArray
        ``advection_of_<name>``, in scalar units per second for ``m s-1`` winds.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x", attrs={"units": "m"})
    >>> y = xr.DataArray(np.arange(4.0), dims="y", attrs={"units": "m"})
    >>> t = xr.DataArray(np.tile(2.0 * np.arange(5.0), (4, 1)), dims=("y", "x"),
    ...                  coords={"x": x, "y": y}, name="t", attrs={"units": "K"})
    >>> wind = xr.full_like(t, 3.0).assign_attrs(units="m s-1")
    >>> adv = advection(t, wind, 0 * wind)
    >>> float(adv[2, 2]), adv.attrs["units"]
    (-6.0, 'K s-1')
    """
    frame = frame_for(scalar, None, Where.pick(locals()), How.pick(locals()))
    _inputs(frame, scalar, u, v)
    u, v, wunits = _wind(u, v)
    u, v = _in_frame(frame, u, v, wind_frame)
    fe, fn = frame.east_north(frame.bare(scalar))
    dt = fe.dtype
    res = -(frame.bare(u).astype(dt, copy=False) * fe + frame.bare(v).astype(dt, copy=False) * fn)
    res = frame.fix_poles(res, "meridian")
    units = _per_length(_units.product(scalar.attrs.get("units"), wunits), frame)
    name = f"advection_of_{scalar.name}" if scalar.name is not None else "advection"
    long_name = f"advection of {scalar.attrs.get('long_name') or scalar.name or 'the scalar'}"
    return _with_units(res, scalar, name, long_name, units)


def _geopotential_factor(field: xr.DataArray, kind: str) -> tuple[float, str]:
    """The factor to m2 s-2 and the resolved kind."""
    units = field.attrs.get("units")
    if kind not in ("auto", "geopotential", "height"):
        raise ValueError(f"unknown kind {kind!r}; use 'auto', 'geopotential' or 'height'")
    to_phi = _units.factor(units, "m2 s-2")
    to_m = _units.factor(units, "m")
    if kind == "auto":
        if to_phi is not None:
            return to_phi, "geopotential"
        if to_m is not None:
            return to_m * G0, "height"
        raise ValueError(
            f"cannot tell whether {field.name!r} (units {units!r}) is a geopotential or a "
            "height; pass kind='geopotential' (m2 s-2) or kind='height' (m)"
        )
    if kind == "geopotential":
        return (to_phi if to_phi is not None else 1.0), kind
    return (to_m if to_m is not None else 1.0) * G0, kind


@_doc
def geostrophic_wind(
    field: xr.DataArray,
    *,
    kind: str = "auto",
    min_latitude: float = 5.0,
    coriolis: float | xr.DataArray | None = None,
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
    """Geostrophic wind from geopotential or geopotential height.

    ``ug = -(1/f) dPhi/dy``, ``vg = (1/f) dPhi/dx`` with ``Phi`` the
    geopotential (``g0 * Z`` for a height) and ``f = 2 * OMEGA * sin(lat)``.
    The geostrophic balance fails near the equator, where ``f`` vanishes: points
    with ``|lat| < min_latitude`` are NaN, and so is any point where ``f == 0``
    (never a division by zero).

    Parameters
    ----------
    field : DataArray
        Geopotential (``m2 s-2``) or geopotential height (``m``, ``gpm``, ``dam``...).
    kind : {"auto", "geopotential", "height"}, default "auto"
        What ``field`` is; ``"auto"`` reads its units.
    min_latitude : float, default 5.0
        Half-width in degrees of the equatorial band left NaN (0: only ``f == 0``).
    coriolis : float or DataArray, optional
        Coriolis parameter in s-1 (default from latitude; required on a
        cartesian grid without a latitude coordinate).
    {grid}

    Returns
    -------
    Dataset
        ``ug`` and ``vg`` in ``m s-1`` (for coordinates in metres or degrees).

    Examples
    --------
    >>> import fieldops
    >>> wind = geostrophic_wind(fieldops.open_sample().z)
    >>> wind.ug.attrs["units"], bool(wind.ug.sel(latitude=0).isnull().all())
    ('m s-1', True)
    """
    frame = frame_for(field, None, Where.pick(locals()), How.pick(locals()))
    _inputs(frame, field)
    scale, kind = _geopotential_factor(field, kind)
    if not (np.isfinite(min_latitude) and min_latitude >= 0):
        raise ValueError(f"min_latitude must be >= 0 degrees, got {min_latitude!r}")
    f = _coriolis(frame, coriolis, "geostrophic_wind")
    lat = frame.latitude() if coriolis is None else None
    f_da = f if isinstance(f, xr.DataArray) else xr.DataArray(f)
    if isinstance(f, xr.DataArray) or f != 0.0:
        f_min = 2 * OMEGA * np.sin(np.deg2rad(min_latitude))
        ok = np.abs(f_da) > 0
        ok = ok & ((np.abs(lat) >= min_latitude) if lat is not None else (np.abs(f_da) >= f_min))
        inv_f = xr.where(ok, 1.0 / xr.where(ok, f_da, 1.0), np.nan)
    else:
        raise ValueError("coriolis is 0: the geostrophic wind is undefined; give f in s-1")
    phi = frame.bare(field)
    pe, pn = frame.east_north(phi)
    dt = pe.dtype
    inv_f = (inv_f * scale).astype(dt)
    ug = -pn * inv_f
    vg = frame.fix_poles(pe * inv_f, "meridian")
    units = _units.combine(_units.product("m2 s-2", "s"), [frame.length_unit])
    what = f"from {kind} {field.attrs.get('long_name') or field.name or ''}".rstrip()
    own_frame, other = _own_frame(frame, wind_frame)
    own = frame.frame_attrs()
    if other:  # asked for the other frame than the grid's own: turn the result
        grid = own_frame == "grid"
        cos, sin, _ = grid_angle(field, x_dim=frame.x_dim, y_dim=frame.y_dim)
        cos, sin = cos.astype(dt), sin.astype(dt) * dt.type(1 if grid else -1)
        ug, vg = ug * cos - vg * sin, ug * sin + vg * cos
        own = {"component_frame": EARTH_WORDS if grid else GRID_WORDS}
    out = {
        "ug": _with_units(
            ug, field, "ug", f"eastward geostrophic wind {what}", units, "geostrophic_eastward_wind"
        ),
        "vg": _with_units(
            vg,
            field,
            "vg",
            f"northward geostrophic wind {what}",
            units,
            "geostrophic_northward_wind",
        ),
    }
    for var in out.values():
        var.attrs.update(own)
    return xr.Dataset(out)
