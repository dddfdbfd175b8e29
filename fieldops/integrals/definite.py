"""Definite integrals: along coordinates, over the sphere's area, and mass-weighted in pressure.

Every integral is a weighted sum over the dims integrated along, with weights
built once per coordinate (:mod:`fieldops.integrals.weights`,
:mod:`fieldops.integrals.area`): one lazy reduction on Dask, whatever the
chunking.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops import _attrs
from fieldops import units as _units
from fieldops._validate import check_dim, check_numeric, check_xarray
from fieldops.grids.coords import coordinate_values
from fieldops.integrals.area import area_weights
from fieldops.integrals.weights import check_points, definite_weights
from fieldops.options import EARTH_RADIUS, How, Where, nan_as_zero, resolve_how
from fieldops.stencils.apply import float_dtype
from fieldops.units import quantified

G0 = 9.80665
"""Standard gravity in m s-2 (the ``dp / g`` of a mass-weighted integral)."""

Bounds = Mapping[Hashable, tuple[object, object]] | None


@quantified
def integrate(
    obj: xr.DataArray | xr.Dataset,
    dims: Hashable | Sequence[Hashable],
    *,
    accuracy: int = 2,
    bounds: Bounds = None,
    datetime_unit: str | None = None,
    nan_policy: str = "propagate",
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
) -> xr.DataArray | xr.Dataset:
    """Definite integral over ``dims``: along coordinates, or over an area in m2.

    Along a plain dim: the integral from the first to the last point (or
    between ``bounds``) with the rule of :func:`cumulative_integrate`: exact for
    polynomials of degree ``accuracy + 1`` on any spacing, error
    ``O(h**(accuracy + 2))``. When ``dims`` hold both horizontal dims of a
    latitude/longitude or curvilinear grid, those two are an *area* integral in
    m2 (see :mod:`fieldops.integrals.area`): over the whole sphere for a global
    grid, poles included (``integrate(1, ["latitude", "longitude"])`` is
    ``4 pi R**2`` to rounding, with or without pole rows).

    Parameters
    ----------
    obj : DataArray or Dataset
        The field (for a Dataset: every numeric variable with all ``dims``).
    dims : hashable or sequence of hashable
        Dims to integrate over.
    accuracy : int, default 2
        Even order, 2 to 20 (``accuracy + 2`` points per interval).
    bounds : dict, optional
        ``{dim: (lower, upper)}`` in the coordinate's values (datetime64 for a
        time dim); a bound may lie between points. Plain dims only.
    datetime_unit : str, optional
        Unit of a time coordinate: ``"s"`` (default), ``"h"``, ...
    nan_policy : {"propagate", "omit"}, default "propagate"
        ``"omit"``: NaN values count as zero.
    geometry : {"auto", "cartesian", "spherical", "curvilinear"}, default "auto"
        ``"cartesian"``: integrate latitude/longitude as plain coordinates.
    radius : float, default 6 371 008.8
        Sphere radius in metres.

    Returns
    -------
    DataArray or Dataset
        ``obj`` without ``dims``; ``units`` the field's times the coordinates'
        (times ``m2`` for an area).

    Examples
    --------
    >>> x = np.linspace(0.0, 1.0, 5)
    >>> da = xr.DataArray(x**3, dims="x", coords={"x": x})
    >>> float(integrate(da, "x"))
    0.25
    >>> lat, lon = np.linspace(-90, 90, 7), np.arange(0.0, 360.0, 30.0)
    >>> one = xr.DataArray(np.ones((7, 12)), dims=("lat", "lon"),
    ...                    coords={"lat": lat, "lon": lon}, attrs={"units": "1"})
    >>> area = integrate(one, ["lat", "lon"], radius=1.0)
    >>> round(float(area) / np.pi, 12), area.attrs["units"]
    (4.0, 'm2')
    """
    check_xarray(obj)
    dims = [dims] if isinstance(dims, str) or not isinstance(dims, Sequence) else list(dims)
    if not dims:
        raise ValueError("dims is empty; name the dim(s) to integrate over")
    if len(set(dims)) != len(dims):
        raise ValueError(f"dims {dims} name a dim twice")
    how = How(accuracy=accuracy, datetime_unit=datetime_unit, nan_policy=nan_policy)
    opts = resolve_how(obj, dims, how)
    where = Where(geometry=geometry, radius=radius)
    bounds = dict(bounds or {})
    extra = [d for d in bounds if d not in dims]
    if extra:
        raise ValueError(f"bounds name dim(s) {extra} not among dims {dims}")
    if isinstance(obj, xr.Dataset):
        from fieldops.calculus.differentiate import map_dataset

        return map_dataset(obj, dims, lambda da: _integrate(da, dims, opts, where, bounds))
    return _integrate(obj, dims, opts, where, bounds)


def _integrate(
    da: xr.DataArray, dims: list[Hashable], opts, where: Where, bounds: dict
) -> xr.DataArray:
    for dim in dims:
        check_dim(da, dim)
    check_numeric(da)
    dtype = float_dtype(da.dtype)
    field = nan_as_zero(da, opts.omit)
    factors: list[xr.DataArray] = []
    unit_parts: list[object] = [da.attrs.get("units")]
    rest = list(dims)
    frame = _horizontal_frame(da, dims, where, opts.accuracy)
    if frame is not None:
        clash = [d for d in frame.dims if d in bounds]
        if clash:
            raise ValueError(
                f"bounds on the horizontal dims {clash} of an area integral are not "
                "supported; select the region first (da.sel(...)) and integrate it"
            )
        factors.extend(area_weights(frame, opts.accuracy))
        unit_parts.append("m2")
        rest = [d for d in dims if d not in frame.dims]
    for dim in rest:
        values, coord_units = coordinate_values(da, dim, datetime_unit=opts.datetime_unit)
        check_points(values.size, opts.accuracy, dim)
        pair = bounds.get(dim, (None, None))
        if isinstance(pair, (str, bytes)) or len(pair) != 2:
            raise ValueError(f"bounds of {dim!r} must be a pair (lower, upper), got {pair!r}")
        lower, upper = (_bound(da, dim, b, opts.datetime_unit) for b in pair)
        _check_inside(values, (lower, upper), dim, pair)
        w = definite_weights(values, opts.accuracy, lower=lower, upper=upper)
        factors.append(xr.DataArray(w, dims=(dim,)))
        if coord_units is not None:
            unit_parts.append(coord_units)
    res = _weighted_sum(field, factors, dims, dtype)
    what = "area integral" if frame is not None else "integral"
    return _finish(
        da, res, f"{what} of {_describe(da)} over {', '.join(map(str, dims))}", unit_parts
    )


def _horizontal_frame(da: xr.DataArray, dims: list[Hashable], where: Where, accuracy: int):
    """The sphere or curvilinear frame when ``dims`` hold its two horizontal dims."""
    if len(dims) < 2 or where.geometry == "cartesian":
        return None
    from fieldops.grids.frame import frame_for

    return frame_for(da, dims, where, How(accuracy=accuracy))  # None: plain coordinates


def _bound(da: xr.DataArray, dim: Hashable, value: object, datetime_unit: str | None):
    """A bound in the float units of :func:`coordinate_values` (time: offsets from the first)."""
    if value is None:
        return None
    coord = da.coords[dim] if dim in da.coords else None
    if coord is not None and coord.dtype.kind in "mM":
        unit = np.timedelta64(1, datetime_unit or "s")
        first = np.asarray(coord.values)[0]
        return float((np.asarray(value, dtype=coord.dtype) - first) / unit)
    if coord is not None and coord.dtype.kind in "iu":
        return float(value) - float(np.asarray(coord.values)[0])
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"bound {value!r} of dim {dim!r} is not a number") from None


def _check_inside(values: np.ndarray, bounds: tuple, dim: Hashable, shown: object) -> None:
    """Bounds beyond the coordinate would extrapolate: refuse, naming the range."""
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo
    for b in bounds:
        if b is not None and not (lo - 1e-12 * span <= b <= hi + 1e-12 * span):
            raise ValueError(
                f"bounds {shown!r} of {dim!r} reach beyond its coordinate "
                f"(from its first to its last value); select the data that cover them, "
                "or pass bounds within the coordinate"
            )


def _weighted_sum(
    field: xr.DataArray, factors: list[xr.DataArray], dims: list[Hashable], dtype: np.dtype
) -> xr.DataArray:
    bare = xr.DataArray(field.data, dims=field.dims)
    if bare.dtype != dtype:
        bare = bare.astype(dtype)
    # One contraction per factor (einsum, lazy on Dask): the first over the whole
    # field, the others over what is left of it. Factor by factor, each sum has the
    # few terms of its own dims, which keeps the rounding of the area of the sphere
    # at a few units in the last place (one einsum of three operands: ~1e-13).
    res = bare
    for f in factors:
        over = [d for d in f.dims if d in dims and d in res.dims]
        res = xr.dot(res, f.astype(dtype), dim=over)
    keep = {k: v for k, v in field.coords.items() if not set(v.dims) & set(dims)}
    return res.assign_coords(keep)


def _finish(da: xr.DataArray, res: xr.DataArray, long_name: str, unit_parts: list) -> xr.DataArray:
    attrs = {"long_name": long_name}
    derived = _units.product(*unit_parts) if len(unit_parts) > 1 else unit_parts[0]
    if derived is not None:
        attrs["units"] = derived
    res.attrs = attrs
    res.name = da.name
    return _attrs.apply(res, [da.attrs])  # the one attrs policy (fieldops._attrs)


def _describe(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "the data")


@quantified
def mass_integrate(
    obj: xr.DataArray | xr.Dataset,
    dim: Hashable,
    *,
    accuracy: int = 2,
    bounds: tuple[float, float] | None = None,
    nan_policy: str = "propagate",
) -> xr.DataArray | xr.Dataset:
    """Mass-weighted vertical integral ``∫ f dp / g`` over pressure levels, per m2.

    The column integral from the top level to the bottom one (levels in either
    order), with the rule of :func:`integrate` in pressure: ``f`` in kg kg-1
    gives kg m-2 (precipitable water from specific humidity), ``f = 1`` the
    column's mass.

    Parameters
    ----------
    obj : DataArray or Dataset
        The field on pressure levels.
    dim : hashable
        The vertical dim; its coordinate is pressure with ``units`` (Pa, hPa,
        mbar, ...).
    accuracy : int, default 2
        Even order (``accuracy + 2`` levels per layer).
    bounds : (float, float), optional
        Pressures (in the coordinate's units) to integrate between, e.g.
        ``(300, 850)`` hPa; by default the whole column of levels.
    nan_policy : {"propagate", "omit"}, default "propagate"
        ``"omit"``: NaN values (levels below ground) count as zero.

    Returns
    -------
    DataArray or Dataset
        ``obj`` without ``dim``, units the field's times ``kg m-2``.

    Notes
    -----
    Hybrid (model) levels, where pressure varies per column, plug in at
    :func:`pressure_levels`, which turns the vertical coordinate into pressure
    in Pa; the model-levels issue adds that case (per-column weights).

    Examples
    --------
    >>> p = xr.DataArray([1000.0, 850, 700, 500, 300, 100], dims="level",
    ...                  attrs={"units": "hPa"})
    >>> one = xr.DataArray(np.ones(6), dims="level", coords={"level": p}, attrs={"units": "1"})
    >>> mass = mass_integrate(one, "level")
    >>> round(float(mass) * G0, 6), mass.attrs["units"]
    (90000.0, 'kg m-2')
    """
    check_xarray(obj)
    resolve_how(obj, [dim], How(accuracy=accuracy, nan_policy=nan_policy))
    pressure, factor = pressure_levels(obj, dim)
    lower = upper = None
    if bounds is not None:
        lower, upper = sorted(float(b) * factor for b in bounds)
        _check_inside(pressure, (lower, upper), dim, bounds)
    if lower is None:
        lower, upper = float(pressure.min()), float(pressure.max())
    check_points(pressure.size, accuracy, dim)  # before weights too few levels cannot carry
    # From the lower pressure to the higher (top to bottom) whatever the levels' order.
    w = definite_weights(pressure, accuracy, lower=lower, upper=upper) / G0

    def one(da: xr.DataArray) -> xr.DataArray:
        check_numeric(da)
        field = nan_as_zero(da, nan_policy == "omit")
        res = _weighted_sum(field, [xr.DataArray(w, dims=(dim,))], [dim], float_dtype(da.dtype))
        return _finish(
            da,
            res,
            f"mass-weighted vertical integral of {_describe(da)}",
            [da.attrs.get("units"), "kg m-2"],
        )

    if isinstance(obj, xr.Dataset):
        from fieldops.calculus.differentiate import map_dataset

        return map_dataset(obj, [dim], one)
    return one(obj)


def pressure_levels(obj: xr.DataArray | xr.Dataset, dim: Hashable) -> tuple[np.ndarray, float]:
    """The pressure of ``dim``'s levels in Pa, and the factor from the coordinate's units.

    The hook of other vertical coordinates: hybrid sigma-pressure levels
    (CF ``formula_terms``) give per-column pressures here.

    Examples
    --------
    >>> da = xr.DataArray(np.zeros(2), dims="p",
    ...                   coords={"p": ("p", [850.0, 500.0], {"units": "hPa"})})
    >>> pressure_levels(da, "p")
    (array([85000., 50000.]), 100.0)
    """
    check_dim(obj, dim)
    if dim not in obj.coords:
        raise ValueError(
            f"dim {dim!r} has no coordinate; mass_integrate needs pressure levels with "
            "units (e.g. coords={'level': ('level', [1000, 850, ...], {'units': 'hPa'})})"
        )
    coord = obj.coords[dim]
    units = coord.attrs.get("units")
    factor = _units.factor(units, "Pa") if units is not None else None
    if factor is None:
        raise ValueError(
            f"coordinate {dim!r} must be pressure with units (Pa, hPa, mbar, ...), got "
            f"units {units!r}; set them (da[{dim!r}].attrs['units'] = 'hPa'); hybrid model "
            "levels need their pressure computed first"
        )
    coordinate_values(obj, dim)  # validates: numeric, strictly monotonic
    values = np.asarray(coord.values, dtype=np.float64) * factor
    if np.any(values <= 0):
        raise ValueError(f"coordinate {dim!r} has pressures <= 0; pressure levels must be positive")
    return values, factor
