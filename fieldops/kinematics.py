"""Kinematics of horizontal wind fields, on spherical, cartesian and curvilinear grids.

``u`` and ``v`` are the eastward and northward components (along x and y on a
cartesian grid). The grid is found by :func:`fieldops.grids.detect_geometry`
(``geometry="auto"``): 1-D latitude/longitude give the spherical forms with
analytic metric terms (flux form for vorticity and divergence) and the pole
policy of :mod:`fieldops.spherical`; 2-D latitude/longitude give the chain rule
of :mod:`fieldops.curvilinear`; anything else is a plane, with derivatives per
metre when the coordinates carry length units. Results are lazy on Dask input,
keep the input's dims, coords and dtype, and carry ``units``, ``long_name`` and
(where CF has one) ``standard_name``.

Sign conventions follow MetPy: ``advection`` is ``-(u df/dx + v df/dy)`` (the
tendency of ``f`` due to advection); stretching deformation is
``du/dx - dv/dy``, shearing deformation ``dv/dx + du/dy``.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_xarray
from fieldops.boundary import BoundarySpec
from fieldops.curvilinear import Cartesian, Curvilinear, finish
from fieldops.grids import EARTH_RADIUS, detect_geometry
from fieldops.spherical import Sphere, check_same_grid, flux_form
from fieldops.stencils.apply import float_dtype

OMEGA = 7.292115e-5
"""Earth's rotation rate in rad s-1 (Coriolis parameter ``2 * OMEGA * sin(lat)``)."""
G0 = 9.80665
"""Standard gravity in m s-2 (geopotential height to geopotential)."""

Frame = Sphere | Curvilinear | Cartesian


def _frame(
    ref: xr.DataArray,
    *,
    geometry: str,
    x_dim: Hashable | None,
    y_dim: Hashable | None,
    accuracy: int,
    boundary: BoundarySpec | None,
    radius: float,
    poles: str,
) -> Frame:
    geo = detect_geometry(ref, geometry, y_dim=y_dim, x_dim=x_dim, radius=radius)
    if geo.kind == "spherical":
        return Sphere(
            ref,
            geo.y_dim,
            geo.x_dim,
            accuracy=accuracy,
            boundary=boundary,
            radius=radius,
            poles=poles,
        )
    if geo.kind == "curvilinear":
        return Curvilinear(ref, geo, accuracy=accuracy, boundary=boundary)
    return Cartesian(ref, geo.y_dim, geo.x_dim, accuracy=accuracy, boundary=boundary)


def _dims(frame: Frame) -> list[Hashable]:
    if isinstance(frame, Sphere):
        return [frame.lat_dim, frame.lon_dim]
    return [frame.y_dim, frame.x_dim]


def _inputs(frame: Frame, *arrays: xr.DataArray) -> None:
    for a in arrays:
        if not isinstance(a, xr.DataArray):
            raise TypeError(
                f"expected DataArrays for the fields, got {type(a).__name__}; for a Dataset use "
                "ds.fieldops.<method>(u='u', v='v')"
            )
    for other in arrays[1:]:
        check_same_grid(arrays[0], other, _dims(frame))


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


def _rot_div(frame: Frame, u: xr.DataArray, v: xr.DataArray, sign: float) -> xr.DataArray:
    """Divergence (sign +1) or vertical vorticity (sign -1), bare."""
    if isinstance(frame, Sphere):
        a, b = (u, v) if sign > 0 else (v, u)
        return flux_form(frame, a, b, sign)
    dt = float_dtype(np.result_type(u.dtype, v.dtype))
    bu, bv = frame.bare(u).astype(dt), frame.bare(v).astype(dt)
    tan = frame.tan_term(dt)
    if sign > 0:
        res = frame.east(bu) + frame.north(bv)
        return res if tan is None else res - bv * tan
    res = frame.east(bv) - frame.north(bu)
    return res if tan is None else res + bu * tan


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


_GRID_DOC = """geometry : {"auto", "cartesian", "spherical"}, default "auto"
        Grid of the data (see :func:`fieldops.grids.detect_geometry`).
    x_dim, y_dim : hashable, optional
        The x/y dims of a cartesian grid (found from attributes and names,
        else the last two dims); ignored on a latitude/longitude grid.
    accuracy : int, default 2
        Even accuracy order of the finite-difference stencils.
    boundary : str or dict, optional
        Edge rule per dim (longitude spanning 360 degrees is periodic by default).
    radius : float, default 6 371 008.8
        Sphere radius in metres.
    poles : {"limit", "nan"}, default "limit"
        Pole policy on a grid with pole rows (see :mod:`fieldops.spherical`)."""


def _is_quantity(data: object) -> bool:
    return hasattr(data, "magnitude") and hasattr(data, "units") and hasattr(data, "_REGISTRY")


def _dequantify(obj: object) -> tuple[object, object]:
    """A pint-quantified DataArray as plain data with a ``units`` attribute."""
    if isinstance(obj, xr.DataArray) and _is_quantity(obj.data):
        q = obj.data
        plain = obj.copy(data=q.magnitude)
        plain.attrs["units"] = _units.format_cf(q.units)
        return plain, q._REGISTRY
    return obj, None


def _requantify(obj: xr.DataArray | xr.Dataset, ureg) -> xr.DataArray | xr.Dataset:
    if isinstance(obj, xr.Dataset):
        return obj.map(lambda da: _requantify(da, ureg), keep_attrs=True)
    units = obj.attrs.get("units")
    if units is None:
        return obj
    attrs = {k: v for k, v in obj.attrs.items() if k != "units"}
    data = ureg.Quantity(obj.data, ureg.parse_units(_units.normalise(units)))
    return xr.DataArray(data, dims=obj.dims, coords=obj.coords, name=obj.name, attrs=attrs)


def _doc(func):
    """Fill the shared parameter docs, and accept pint-quantified DataArrays.

    Input whose data are pint quantities (e.g. from pint-xarray's ``quantify``)
    is read through its units, and the result comes back quantified.
    """
    func.__doc__ = func.__doc__.replace("{grid}", _GRID_DOC)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003 (signature is func's)
        plain = [_dequantify(a) for a in args]
        regs = [r for _, r in plain if r is not None]
        result = func(*[a for a, _ in plain], **kwargs)
        return _requantify(result, regs[0]) if regs else result

    return wrapper


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
    """
    frame = _frame(
        u,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )
    _inputs(frame, u, v)
    u, v, wunits = _wind(u, v)
    res = _rot_div(frame, u, v, -1.0)
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
    zeta = vorticity(
        u,
        v,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )
    frame = _frame(
        u,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )
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
    frame = _frame(
        u,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )
    _inputs(frame, u, v)
    u, v, wunits = _wind(u, v)
    res = _rot_div(frame, u, v, 1.0)
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
    frame = _frame(
        scalar,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )
    _inputs(frame, scalar, u, v)
    u, v, wunits = _wind(u, v)
    fe, fn = frame.east_north(frame.bare(scalar))
    dt = fe.dtype
    res = -(frame.bare(u).astype(dt) * fe + frame.bare(v).astype(dt) * fn)
    res = frame.fix_poles(res, "meridian")
    units = _per_length(_units.product(scalar.attrs.get("units"), wunits), frame)
    name = f"advection_of_{scalar.name}" if scalar.name is not None else "advection"
    long_name = f"advection of {scalar.attrs.get('long_name') or scalar.name or 'the scalar'}"
    return _with_units(res, scalar, name, long_name, units)


def _deform(frame: Frame, u: xr.DataArray, v: xr.DataArray):
    dt = float_dtype(np.result_type(u.dtype, v.dtype))
    bu, bv = frame.bare(u).astype(dt), frame.bare(v).astype(dt)
    ue, un = frame.east_north(bu)
    ve, vn = frame.east_north(bv)
    tan = frame.tan_term(dt)
    stretch = ue - vn
    shear = ve + un
    if tan is not None:
        stretch = stretch - bv * tan
        shear = shear + bu * tan
    return frame.fix_poles(stretch, "meridian"), frame.fix_poles(shear, "meridian")


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
    frame = _frame(
        u,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )
    _inputs(frame, u, v)
    u, v, wunits = _wind(u, v)
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
    return deformation(
        u,
        v,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )["stretching_deformation"]


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
    return deformation(
        u,
        v,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )["shearing_deformation"]


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
    return deformation(
        u,
        v,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )["total_deformation"]


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
    frame = _frame(
        field,
        geometry=geometry,
        x_dim=x_dim,
        y_dim=y_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
    )
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
    return xr.Dataset(out)


def variable(obj: object, name: Hashable, method: str) -> xr.DataArray:
    """``obj[name]`` for the Dataset accessor, with a clear error when it cannot be.

    Examples
    --------
    >>> variable(xr.Dataset({"u": ("x", [1.0])}), "u", "vorticity").name
    'u'
    """
    check_xarray(obj)
    if not isinstance(obj, xr.Dataset):
        raise TypeError(
            f".fieldops.{method} is a Dataset method (it names variables); call "
            f"fieldops.{method}(...) on DataArrays instead"
        )
    if name not in obj.data_vars:
        raise ValueError(
            f"{method}: variable {name!r} not in the Dataset; its variables are "
            f"{list(obj.data_vars)}"
        )
    return obj[name]
