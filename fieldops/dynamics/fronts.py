"""Fronts: Petterssen frontogenesis and Q-vectors, with MetPy's definitions and signs.

Both take the covariant velocity gradient of the grid's frame (the spherical
metric terms ``-v tan(phi)/R`` in ``du/dx`` and ``+u tan(phi)/R`` in ``dv/dx``,
as MetPy's ``vector_derivative``; the chain rule on curvilinear grids) and the
gradient of the scalar, pole rows the limit along each meridian; lazy on Dask,
any dims order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops.dynamics.base import RD, bare_pressure, frontogenesis_sum, on_grid_of, tidy_units
from fieldops.grids.frame import frame_for
from fieldops.kinematics.base import _doc, _inputs, _per_length, _wind, _with_units
from fieldops.options import EARTH_RADIUS, How, MethodArg, ScaleArg, Where
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.boundary import BoundarySpec


def velocity_gradient(frame, u: xr.DataArray, v: xr.DataArray, scalar: xr.DataArray):
    """Bare ``(dudx, dudy, dvdx, dvdy)`` (covariant) and ``(dsdx, dsdy)`` on ``frame``.

    Pole rows are left as they come: the callers set the pole rows of their result
    once (one pole fix instead of six: on Dask each is a layer of its own).
    """
    dt = float_dtype(np.result_type(u.dtype, v.dtype, scalar.dtype))
    bu, bv = frame.bare(u).astype(dt, copy=False), frame.bare(v).astype(dt, copy=False)
    gradient = frame.covariant_gradient(bu, bv)  # metric terms with MetPy's signs
    se, sn = frame.east_north(frame.bare(scalar).astype(dt, copy=False))
    return gradient, (se, sn)


@_doc
def frontogenesis(
    potential_temperature: xr.DataArray,
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
) -> xr.DataArray:
    """2-D Petterssen frontogenesis, ``d|grad theta|/dt`` by the horizontal wind.

    MetPy's definition, ``F = 1/2 |grad theta| (D cos(2 beta) - delta)`` (``D``
    total deformation, ``delta`` divergence, ``beta`` the angle between the
    axis of dilatation and the isentropes), computed without angles in the equal
    form ``F = -(theta_x**2 u_x + theta_x theta_y (u_y + v_x) + theta_y**2 v_y)
    / |grad theta|``: positive where the gradient tightens (frontogenesis). Where
    ``grad theta`` vanishes ``F`` is 0, its limit (MetPy gives NaN).

    Parameters
    ----------
    potential_temperature : DataArray
        Potential temperature (or any scalar) on the winds' grid, any dims order.
    u, v : DataArray
        Eastward and northward wind.
    {grid}

    Returns
    -------
    DataArray
        ``frontogenesis``, in ``K m-1 s-1`` for K and ``m s-1`` input (the dims
        order of ``u``).

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(0, 4e5, 9), dims="x", attrs={"units": "m"})
    >>> y = xr.DataArray(np.linspace(0, 4e5, 9), dims="y", attrs={"units": "m"})
    >>> X, Y = np.meshgrid(x, y)
    >>> wind = dict(dims=("y", "x"), coords={"x": x, "y": y}, attrs={"units": "m s-1"})
    >>> u, v = xr.DataArray(1e-5 * X, **wind), xr.DataArray(-1e-5 * Y, **wind)
    >>> theta = xr.DataArray(300 + 1e-5 * Y, **{**wind, "attrs": {"units": "K"}})
    >>> fg = frontogenesis(theta, u, v)  # pure deformation squeezing the isentropes
    >>> round(float(fg[4, 4]) / 1e-10, 12), fg.attrs["units"]
    (1.0, 'K m-1 s-1')
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    theta = on_grid_of(u, potential_temperature, "potential_temperature", frame.dims)
    _inputs(frame, theta, u, v)
    u, v, wunits = _wind(u, v)
    (ux, uy, vx, vy), (tx, ty) = velocity_gradient(frame, u, v, theta)
    # a scalar: one value per pole, from the zonal means of the rows next to it
    res = frame.fix_poles(frontogenesis_sum(ux, uy, vx, vy, tx, ty), "scalar")
    tgrad = _per_length(theta.attrs.get("units"), frame)
    units = _units.product(tgrad, _per_length(wunits, frame))
    return _with_units(res, u, "frontogenesis", "Petterssen frontogenesis", units)


@_doc
def q_vector(
    u: xr.DataArray,
    v: xr.DataArray,
    temperature: xr.DataArray,
    pressure: float | xr.DataArray,
    *,
    static_stability: float | xr.DataArray = 1.0,
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
) -> xr.Dataset:
    """Q-vector on an isobaric surface, as MetPy's ``q_vector``.

    ``q1 = -Rd / (p sigma) (du/dx dT/dx + dv/dx dT/dy)``,
    ``q2 = -Rd / (p sigma) (du/dy dT/dx + dv/dy dT/dy)``, with ``Rd`` MetPy's
    287.047 J kg-1 K-1 and the covariant velocity gradient.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward (geostrophic, usually) wind.
    temperature : DataArray
        Temperature on the winds' grid, any dims order.
    pressure : float or DataArray
        Pressure: a number in Pa, or a DataArray with pressure units (e.g. the
        ``level`` coordinate in hPa), broadcast by dim name.
    static_stability : float or DataArray, default 1
        ``sigma`` (MetPy's default 1 leaves it out; give ``J kg-1 Pa-2``).
    {grid}

    Returns
    -------
    Dataset
        ``q1`` (eastward) and ``q2`` (northward).

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(0, 4e5, 9), dims="x", attrs={"units": "m"})
    >>> y = xr.DataArray(np.linspace(0, 4e5, 9), dims="y", attrs={"units": "m"})
    >>> X, Y = np.meshgrid(x, y)
    >>> wind = dict(dims=("y", "x"), coords={"x": x, "y": y}, attrs={"units": "m s-1"})
    >>> u, v = xr.DataArray(1e-5 * X, **wind), xr.DataArray(-1e-5 * Y, **wind)
    >>> t = xr.DataArray(280 + 1e-5 * X, **{**wind, "attrs": {"units": "K"}})
    >>> q = q_vector(u, v, t, 50000.0)
    >>> bool(np.isclose(q.q1[4, 4], -RD / 5e4 * 1e-10)), q.q1.attrs["units"]
    (True, 'm2 kg-1 s-1')
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    temperature = on_grid_of(u, temperature, "temperature", frame.dims)
    _inputs(frame, temperature, u, v)
    u, v, wunits = _wind(u, v)
    p, punits = bare_pressure(pressure)
    sigma, sunits = _stability(static_stability)
    (ux, uy, vx, vy), (tx, ty) = velocity_gradient(frame, u, v, temperature)
    factor = -RD / (p * sigma)
    q1 = frame.fix_poles(factor * (ux * tx + vx * ty), "meridian")
    q2 = frame.fix_poles(factor * (uy * tx + vy * ty), "meridian")
    gradients = _units.product(
        _per_length(wunits, frame), _per_length(temperature.attrs.get("units"), frame)
    )
    units = _units.combine(_units.product("J kg-1 K-1", gradients), [punits, sunits])
    units = tidy_units(units, "m2 kg-1 s-1")
    return xr.Dataset(
        {
            "q1": _with_units(q1, u, "q1", "eastward component of the Q-vector", units),
            "q2": _with_units(q2, u, "q2", "northward component of the Q-vector", units),
        }
    )


def _stability(static_stability: float | xr.DataArray) -> tuple[object, str | None]:
    if isinstance(static_stability, xr.DataArray):
        data = xr.DataArray(static_stability.data, dims=static_stability.dims)
        return data, static_stability.attrs.get("units")
    try:
        return float(static_stability), "1"
    except (TypeError, ValueError):
        raise TypeError(
            f"static_stability must be a number or a DataArray, got {static_stability!r}"
        ) from None
