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
from fieldops.dynamics.base import bare_pressure, on_grid_of, pv_sum, tidy_units
from fieldops.grids.frame import frame_for
from fieldops.kinematics.base import _doc, _inputs, _wind, _with_units
from fieldops.kinematics.winds import absolute_vorticity, geostrophic_wind
from fieldops.options import EARTH_RADIUS, How, MethodArg, ScaleArg, Where, option_keywords
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.boundary import BoundarySpec


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
    eta = absolute_vorticity(u, v, coriolis=coriolis, **option_keywords(locals()))
    u, v, wunits = _wind(u, v)
    dt = float_dtype(np.result_type(theta.dtype, u.dtype, v.dtype))
    dtheta_dp, du_dp, dv_dp = (
        _d_dp(frame.bare(f).astype(dt, copy=False), vdim, p, accuracy) for f in (theta, u, v)
    )
    tn, te = frame.grad(frame.bare(theta).astype(dt, copy=False))
    bare_eta = xr.DataArray(eta.data, dims=eta.dims)
    pv = pv_sum(bare_eta, dtheta_dp, te, tn, du_dp, dv_dp)
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


def _vertical_dim(pressure: xr.DataArray, ref: xr.DataArray, horizontal) -> Hashable:
    if not isinstance(pressure, xr.DataArray):
        raise TypeError(
            "pressure must be a DataArray of the pressure levels with units (e.g. ds.level in "
            f"hPa), got {type(pressure).__name__}"
        )
    if pressure.ndim != 1 or pressure.dims[0] not in ref.dims or pressure.dims[0] in horizontal:
        raise ValueError(
            f"pressure must be 1-D along the vertical dim of the fields {ref.dims}, got dims "
            f"{pressure.dims}; pressure varying per column (hybrid model levels) is not "
            "supported here yet: interpolate to pressure levels first"
        )
    return pressure.dims[0]


def _d_dp(field: xr.DataArray, vdim: Hashable, p: xr.DataArray, accuracy: int) -> xr.DataArray:
    """d field / dp along ``vdim`` with ``p`` (Pa) as its coordinate, bare."""
    on_p = field.assign_coords({vdim: p.values})
    res = diff(on_p, vdim, accuracy=accuracy)
    return xr.DataArray(res.data, dims=res.dims)


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


__all__ = ["potential_vorticity_baroclinic", "thermal_wind"]
