"""Potential vorticity on pressure levels, and the thermal wind between two levels.

``potential_vorticity_baroclinic`` follows MetPy's definition and signs:
``PV = -g (eta dtheta/dp - dv/dp dtheta/dx + du/dp dtheta/dy)`` (``eta`` the
absolute vorticity), in K m2 kg-1 s-1 (1 PVU = 1e-6 of them): horizontal
derivatives on the grid's frame (pole rows bounded), vertical ones along the
pressure levels at the same accuracy (non-uniform levels welcome).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops.calculus.derivative import diff
from fieldops.dynamics.base import G0, bare_pressure, on_grid_of, pv_fused, pv_sum, tidy_units
from fieldops.grids.coords import coordinate_values
from fieldops.grids.frame import frame_for
from fieldops.kinematics.base import _doc, _inputs, _wind, _with_units
from fieldops.kinematics.winds import _absolute_vorticity, geostrophic_wind
from fieldops.options import EARTH_RADIUS, How, MethodArg, ScaleArg, Where, option_keywords
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.boundary import BoundarySpec
from fieldops.stencils.dispatch import apply_along, stencil_for
from fieldops.stencils.weights import is_uniform, minimum_points


@_doc
def potential_vorticity_baroclinic(
    potential_temperature: xr.DataArray,
    pressure: xr.DataArray,
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
) -> xr.DataArray:
    """Baroclinic (Ertel) potential vorticity on isobaric levels, as MetPy's.

    ``PV = -g (eta dtheta/dp - dv/dp dtheta/dx + du/dp dtheta/dy)``, ``eta``
    the absolute vorticity, ``g`` 9.80665 m s-2.

    Parameters
    ----------
    potential_temperature : DataArray
        Potential temperature (K) on the winds' grid and levels, any dims order.
    pressure : DataArray
        The pressure levels: 1-D along the vertical dim, with pressure units
        (``ds.level`` in hPa). Levels in either order, uniform or not; at least
        ``accuracy + 1`` of them.
    u, v : DataArray
        Eastward and northward wind.
    coriolis : float or DataArray, optional
        Coriolis parameter in s-1; ``2 Omega sin(latitude)`` by default.
    {grid}

    Returns
    -------
    DataArray
        ``potential_vorticity`` (CF ``ertel_potential_vorticity``) in
        ``K m2 kg-1 s-1``.

    Raises
    ------
    ValueError
        Pressure that is not 1-D, has no pressure units or is not along a dim
        of the fields; fields on different grids.

    Examples
    --------
    >>> lat, lon = np.linspace(-90, 90, 37), np.arange(0, 360, 10.0)
    >>> p = xr.DataArray([850.0, 700, 500], dims="level", attrs={"units": "hPa"})
    >>> shape = (3, 37, 36)
    >>> coords = {"level": p, "lat": lat, "lon": lon}
    >>> rest = xr.DataArray(np.zeros(shape), dims=("level", "lat", "lon"), coords=coords,
    ...                     attrs={"units": "m s-1"})
    >>> theta = (300.0 - 0.05 * (p - 850)).broadcast_like(rest).assign_attrs(units="K")
    >>> pv = potential_vorticity_baroclinic(theta, p, rest, rest)
    >>> # at rest: -g f dtheta/dp, with dtheta/dp = -0.05 K hPa-1 = -5e-4 K Pa-1
    >>> f = 2 * 7.292115e-5 * np.sin(np.deg2rad(lat))
    >>> bool(np.allclose(pv.sel(level=700), 9.80665 * f[:, None] * 5e-4)), pv.attrs["units"]
    (True, 'K m2 kg-1 s-1')
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    theta = on_grid_of(u, potential_temperature, "potential_temperature", frame.dims)
    _inputs(frame, theta, u, v)
    vdim = _vertical_dim(pressure, u, frame.dims)
    p, _ = bare_pressure(pressure)
    eta = _absolute_vorticity(frame, u, v, coriolis, "auto")
    pv = _vertical_sum(frame, theta, u, v, eta, vdim, p, accuracy)
    pv = frame.fix_poles(pv, "scalar")  # a scalar: one value per pole
    units = _units.product("m s-2", "s-1", _units.combine(theta.attrs.get("units"), ["Pa"]))
    units = tidy_units(units, "K m2 kg-1 s-1")
    return _with_units(
        pv,
        u,
        "potential_vorticity",
        "baroclinic potential vorticity",
        units,
        "ertel_potential_vorticity",
    )


@_doc
def ertel_potential_vorticity(
    potential_temperature: xr.DataArray,
    height: xr.DataArray,
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    density: float | xr.DataArray,
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
) -> xr.DataArray:
    """Ertel potential vorticity on height levels (hydrostatic, no vertical wind).

    ``PV = (eta dtheta/dz - dv/dz dtheta/dx + du/dz dtheta/dy) / rho``: the same
    quantity as :func:`potential_vorticity_baroclinic` (``d/dp = -1/(rho g) d/dz``).

    Parameters
    ----------
    potential_temperature : DataArray
        Potential temperature (K) on the winds' grid and levels, any dims order.
    height : DataArray
        The height levels: 1-D along the vertical dim, with length units.
    u, v : DataArray
        Eastward and northward wind.
    density : float or DataArray
        Air density: a number in kg m-3 or a DataArray with density units.
    coriolis : float or DataArray, optional
        Coriolis parameter in s-1; ``2 Omega sin(latitude)`` by default.
    {grid}

    Returns
    -------
    DataArray
        ``potential_vorticity`` (CF ``ertel_potential_vorticity``), K m2 kg-1 s-1.

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(0, 4e5, 5), dims="x", attrs={"units": "m"})
    >>> z = xr.DataArray([1000.0, 2000, 3000], dims="z", attrs={"units": "m"})
    >>> zz, _, _ = xr.broadcast(z, x, x.rename(x="y"))
    >>> calm = (0 * zz).assign_attrs(units="m s-1").assign_coords(z=z, x=x, y=x.rename(x="y"))
    >>> theta = (290 + 0.004 * zz).assign_attrs(units="K").assign_coords(calm.coords)
    >>> pv = ertel_potential_vorticity(theta, z, calm, calm, density=1.0, coriolis=1e-4)
    >>> bool(np.allclose(pv, 1e-4 * 0.004)), pv.attrs["units"]
    (True, 'K m2 kg-1 s-1')
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    theta = on_grid_of(u, potential_temperature, "potential_temperature", frame.dims)
    _inputs(frame, theta, u, v)
    vdim = _vertical_dim(height, u, frame.dims, "height", "length units (m, km)")
    factor = _units.factor(height.attrs.get("units"), "m")
    if factor is None:
        raise ValueError(
            f"height ({height.name!r}) needs length units (m, km), got "
            f"{height.attrs.get('units')!r}; set them, e.g. z.attrs['units'] = 'm'"
        )
    z = xr.DataArray(np.asarray(height.values, dtype=np.float64) * factor, dims=height.dims)
    rho = _density(density)
    eta = _absolute_vorticity(frame, u, v, coriolis, "auto")
    pv = _vertical_sum(frame, theta, u, v, eta, vdim, z, accuracy)  # -g (...), per m
    pv = frame.fix_poles(pv * (-1.0 / G0) / rho, "scalar")
    units = _units.combine(_units.combine(theta.attrs.get("units"), ["m", "s"]), ["kg m-3"])
    return _with_units(
        pv,
        u,
        "potential_vorticity",
        "Ertel potential vorticity",
        tidy_units(units, "K m2 kg-1 s-1"),
        "ertel_potential_vorticity",
    )


@_doc
def isentropic_potential_vorticity(
    pressure: xr.DataArray,
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    vertical_dim: Hashable | None = None,
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
) -> xr.DataArray:
    """Potential vorticity on isentropic levels, ``-g (zeta_theta + f) / (dp/dtheta)``.

    MetPy's ``potential_vorticity_baroclinic`` on isentropic data (theta constant
    on each level, so its horizontal terms vanish), with ``dtheta/dp`` taken as
    ``1 / (dp/dtheta)`` along the theta levels.

    Parameters
    ----------
    pressure : DataArray
        Pressure on the isentropic levels (units Pa, hPa, ...), on the winds' grid.
    u, v : DataArray
        Eastward and northward wind on the isentropic levels.
    vertical_dim : hashable, optional
        The isentropic dim (its coordinate: potential temperature); by default the
        one dim of the winds, besides the horizontal ones, whose coordinate is in K.
    coriolis : float or DataArray, optional
        Coriolis parameter in s-1; ``2 Omega sin(latitude)`` by default.
    {grid}

    Returns
    -------
    DataArray
        ``potential_vorticity`` (CF ``ertel_potential_vorticity``), K m2 kg-1 s-1.

    Examples
    --------
    >>> th = xr.DataArray([300.0, 310, 320], dims="theta", attrs={"units": "K"})
    >>> x = xr.DataArray(np.linspace(0, 4e5, 5), dims="x", attrs={"units": "m"})
    >>> p = (900 - 10 * th.rename("p") + 0 * x + 0 * x.rename(x="y")) * 1.0
    >>> p = p.assign_coords(theta=th, x=x, y=x.rename(x="y")).assign_attrs(units="hPa")
    >>> calm = (0 * p).assign_attrs(units="m s-1")
    >>> pv = isentropic_potential_vorticity(p, calm, calm, coriolis=1e-4)
    >>> bool(np.allclose(pv, 9.80665 * 1e-4 / 1000)), pv.attrs["units"]
    (True, 'K m2 kg-1 s-1')
    """
    frame = frame_for(u, None, Where.pick(locals()), How.pick(locals()))
    pressure = on_grid_of(u, pressure, "pressure", frame.dims)
    _inputs(frame, pressure, u, v)
    vdim = _isentropic_dim(u, frame.dims, vertical_dim)
    p, _ = bare_pressure(pressure)
    p = p.assign_coords({vdim: u[vdim].values}) if vdim in u.coords else p
    eta = _absolute_vorticity(frame, u, v, coriolis, "auto")
    dp_dtheta = diff(p, vdim, accuracy=accuracy)
    den = xr.DataArray(dp_dtheta.data, dims=dp_dtheta.dims)
    zero = den == 0
    pv = -G0 * xr.DataArray(eta.data, dims=eta.dims) / xr.where(zero, np.nan, den)
    pv = frame.fix_poles(pv, "scalar")
    theta_units = u[vdim].attrs.get("units") if vdim in u.coords else None
    units = _units.combine(_units.product("m s-2", "s-1", theta_units), ["Pa"])
    return _with_units(
        pv,
        u,
        "potential_vorticity",
        "isentropic potential vorticity",
        tidy_units(units, "K m2 kg-1 s-1"),
        "ertel_potential_vorticity",
    )


def _isentropic_dim(u: xr.DataArray, horizontal, vertical_dim: Hashable | None) -> Hashable:
    if vertical_dim is not None:
        if vertical_dim not in u.dims or vertical_dim in horizontal:
            raise ValueError(f"vertical_dim {vertical_dim!r} is not a vertical dim of {u.dims}")
        return vertical_dim
    found = [
        d
        for d in u.dims
        if d not in horizontal
        and d in u.coords
        and _units.factor(u[d].attrs.get("units"), "K") == 1.0
    ]
    if len(found) != 1:
        raise ValueError(
            f"cannot tell the isentropic dim among {u.dims} (found {found} with a coordinate "
            "in K); pass vertical_dim= (its coordinate: potential temperature in K)"
        )
    return found[0]


def _density(density: float | xr.DataArray) -> float | xr.DataArray:
    if isinstance(density, xr.DataArray):
        factor = _units.factor(density.attrs.get("units"), "kg m-3")
        if factor is None:
            raise ValueError(
                f"density ({density.name!r}) needs units of kg m-3, got "
                f"{density.attrs.get('units')!r}"
            )
        return xr.DataArray(density.data * factor, dims=density.dims)
    try:
        value = float(density)
    except (TypeError, ValueError):
        raise TypeError(
            f"density must be a number (kg m-3) or a DataArray, got {density!r}"
        ) from None
    if not value > 0:
        raise ValueError(f"density must be positive (kg m-3), got {value!r}")
    return value


def _vertical_sum(frame, theta, u, v, eta, vdim, s, accuracy) -> xr.DataArray:
    """``-g (eta theta_s - v_s theta_x + u_s theta_y)``, ``s`` the vertical coordinate."""
    u, v, _ = _wind(u, v)
    dt = float_dtype(np.result_type(theta.dtype, u.dtype, v.dtype))
    bt, bu, bv = (frame.bare(f).astype(dt, copy=False) for f in (theta, u, v))
    # pole rows as they come: the caller fixes the result's once
    te, tn = frame.east_north(bt)
    bare_eta = xr.DataArray(eta.data, dims=eta.dims)
    arrays = (bare_eta, bt, te, tn, bu, bv)
    if all(isinstance(a.data, np.ndarray) for a in arrays) and len({a.dims for a in arrays}) == 1:
        # In memory: the vertical derivatives inside the final sum, one pass
        stencil = _vertical_stencil(bt, vdim, s, accuracy)
        data = pv_fused(*(a.data for a in arrays), bt.get_axis_num(vdim), stencil)
        return xr.DataArray(data, dims=bt.dims)
    dtheta, du, dv = (_d_dp(f, vdim, s, accuracy) for f in (bt, bu, bv))
    return pv_sum(bare_eta, dtheta, te, tn, du, dv)


def _vertical_dim(
    levels: xr.DataArray,
    ref: xr.DataArray,
    horizontal,
    what: str = "pressure",
    units: str = "pressure units (e.g. ds.level in hPa)",
) -> Hashable:
    if not isinstance(levels, xr.DataArray):
        raise TypeError(
            f"{what} must be a DataArray of the {what} levels with {units}, "
            f"got {type(levels).__name__}"
        )
    if levels.ndim != 1 or levels.dims[0] not in ref.dims or levels.dims[0] in horizontal:
        raise ValueError(
            f"{what} must be 1-D along the vertical dim of the fields {ref.dims}, got dims "
            f"{levels.dims}; {what} varying per column (hybrid model levels) is not "
            f"supported here yet: interpolate to {what} levels first"
        )
    return levels.dims[0]


def _vertical_stencil(field: xr.DataArray, vdim: Hashable, p: xr.DataArray, accuracy: int):
    """The cached d/ds stencil along the levels ``p`` (validated, one-sided edges)."""
    values, _ = coordinate_values(
        xr.DataArray(np.zeros(p.shape), dims=p.dims, coords={vdim: np.asarray(p.values)}), vdim
    )
    need = minimum_points(1, accuracy, "one_sided", uniform=is_uniform(values))
    if values.size < need:
        raise ValueError(
            f"the vertical dim {vdim!r} has {values.size} levels; accuracy={accuracy} needs "
            f"{need}: pass a lower accuracy"
        )
    return stencil_for(values, 1, accuracy, "one_sided")


def _d_dp(field: xr.DataArray, vdim: Hashable, p: xr.DataArray, accuracy: int) -> xr.DataArray:
    """d field / dp along ``vdim`` with ``p`` (Pa) as its coordinate, bare.

    The stencil of :func:`fieldops.diff` (validated coordinate, one-sided edges,
    the shared cache), applied straight to the bare data: no coordinates to build.
    """
    stencil = _vertical_stencil(field, vdim, p, accuracy)
    data = apply_along(field.data, field.get_axis_num(vdim), stencil)
    return xr.DataArray(data, dims=field.dims)


@_doc
def thermal_wind(
    height: xr.DataArray,
    dim: Hashable,
    *,
    top: object,
    bottom: object,
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
) -> xr.Dataset:
    """Thermal wind between two levels: the geostrophic wind of the thickness.

    ``u_T = -(g/f) d(z_top - z_bottom)/dy``, ``v_T = (g/f) d(z_top - z_bottom)/dx``:
    the geostrophic wind shear between ``bottom`` and ``top`` (equal to the
    difference of :func:`fieldops.geostrophic_wind` at the two levels).

    Parameters
    ----------
    height : DataArray
        Geopotential or geopotential height on levels (see
        :func:`fieldops.geostrophic_wind` for ``kind``).
    dim : hashable
        The vertical dim.
    top, bottom : label
        Levels of ``dim`` (selected with ``.sel``), e.g. ``top=500, bottom=850``.
    kind, min_latitude, coriolis
        As :func:`fieldops.geostrophic_wind` (NaN within ``min_latitude`` of the
        equator).
    {grid}

    Returns
    -------
    Dataset
        ``u_thermal`` and ``v_thermal`` (``m s-1``), without ``dim``.

    Examples
    --------
    >>> ds = __import__("fieldops").open_sample().isel(month=0)
    >>> tw = thermal_wind(ds.z, "level", top=200, bottom=850)
    >>> sorted(tw.data_vars), tw.u_thermal.attrs["units"]
    (['u_thermal', 'v_thermal'], 'm s-1')
    """
    if dim not in height.dims:
        raise ValueError(f"dim {dim!r} not in the height's dims {height.dims}")
    try:
        upper, lower = height.sel({dim: top}), height.sel({dim: bottom})
    except KeyError as err:
        raise ValueError(
            f"levels top={top!r} and bottom={bottom!r} must be labels of {dim!r}: "
            f"{height[dim].values.tolist() if dim in height.coords else 'no coordinate'}"
        ) from err
    if upper.ndim != height.ndim - 1:
        raise ValueError("top and bottom must each name one level (a scalar label)")
    with xr.set_options(keep_attrs=True):
        thickness = (upper - lower).drop_vars(dim, errors="ignore")
    opts = option_keywords(locals())
    wind = geostrophic_wind(
        thickness, kind=kind, min_latitude=min_latitude, coriolis=coriolis, **opts
    )
    ug, vg = wind.data_vars.values()
    return xr.Dataset(
        {
            "u_thermal": ug.rename("u_thermal").assign_attrs(
                long_name=f"eastward thermal wind between {dim} {bottom} and {top}"
            ),
            "v_thermal": vg.rename("v_thermal").assign_attrs(
                long_name=f"northward thermal wind between {dim} {bottom} and {top}"
            ),
        }
    )


__all__ = [
    "ertel_potential_vorticity",
    "isentropic_potential_vorticity",
    "potential_vorticity_baroclinic",
    "thermal_wind",
]
