"""The xarray layer: derivatives along named dims, with names, attrs and units.

Coordinates, names, attributes and units go in; the same come out, with the
derived ``units`` and a ``long_name`` that says what was done. The input is never
mutated and Dask input stays lazy with its chunks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_accuracy, check_numeric, check_order, check_xarray
from fieldops.boundary import BoundarySpec, resolve_boundary
from fieldops.core import apply_sequence, stencil_for
from fieldops.geometry import check_dim, coordinate_values
from fieldops.stencils.weights import AxisStencil, is_uniform, minimum_points

# Attributes that describe the input quantity itself and would be false of its
# derivative (CF: a standard_name names one physical quantity).
_DROPPED_ATTRS = ("units", "long_name", "standard_name", "valid_min", "valid_max", "valid_range")

PeriodSpec = float | Mapping[Hashable, float] | None


@dataclass(frozen=True)
class Options:
    """The stencil options of one call, resolved per dim."""

    accuracy: int
    boundary: dict[Hashable, str]
    fill_value: float
    period: dict[Hashable, float | None]
    datetime_unit: str | None


def resolve_options(
    obj: xr.DataArray | xr.Dataset,
    dims: list[Hashable],
    *,
    accuracy: int,
    boundary: BoundarySpec | None,
    fill_value: float,
    period: PeriodSpec,
    datetime_unit: str | None,
) -> Options:
    """Validate the options shared by every operator and resolve them per dim."""
    check_xarray(obj)
    for dim in dims:
        check_dim(obj, dim)
    accuracy = check_accuracy(accuracy)
    modes = resolve_boundary(boundary, dims)
    if isinstance(period, Mapping):
        extra = [d for d in period if d not in dims]
        if extra:
            raise ValueError(f"period names dim(s) {extra} that are not differentiated ({dims})")
        periods = {d: period.get(d) for d in dims}
    else:
        periods = {d: period for d in dims}
    for d, p in periods.items():
        if p is not None and not (np.isfinite(p) and p > 0):
            raise ValueError(f"period of dim {d!r} must be a positive number, got {p!r}")
    return Options(accuracy, modes, float(fill_value), periods, datetime_unit)


def axis_stencil(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, order: int, opts: Options
) -> tuple[AxisStencil, str | None]:
    """The stencil of d^order/d dim^order for ``obj``'s coordinate, and its units."""
    values, coord_units = coordinate_values(obj, dim, datetime_unit=opts.datetime_unit)
    mode = opts.boundary[dim]
    n = values.size
    # A uniform grid may need one point less; only look when it matters.
    need = minimum_points(order, opts.accuracy, mode, uniform=False)
    if n < need:
        need = minimum_points(order, opts.accuracy, mode, uniform=is_uniform(values))
    if n < need:
        raise ValueError(
            f"dim {dim!r} has {n} points, but order {order} at accuracy {opts.accuracy} "
            f"with boundary {mode!r} needs at least {need}; use a lower accuracy or "
            "another boundary mode"
        )
    try:
        stencil = stencil_for(values, order, opts.accuracy, mode, period=opts.period[dim])
    except ValueError as err:
        raise ValueError(f"dim {dim!r}: {err}") from None
    return stencil, coord_units


def derivative_name(name: Hashable | None, orders: Mapping[Hashable, int]) -> str:
    """``dt_dx``, ``d2t_dx2``, ``d2t_dxdy`` for the partial ``orders`` of ``name``."""
    total = sum(orders.values())
    head = f"d{total if total > 1 else ''}{name if name is not None else ''}"
    tail = "".join(f"d{d}{o if o > 1 else ''}" for d, o in orders.items())
    return f"{head}_{tail}"


def _describe(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "the data")


def derivative_attrs(
    da: xr.DataArray, long_name: str, coord_units: list[str | None]
) -> dict[Hashable, object]:
    """Attributes of a derived field: the input's, less those false of it, plus units."""
    attrs = {k: v for k, v in da.attrs.items() if k not in _DROPPED_ATTRS}
    attrs["long_name"] = long_name
    derived = _units.combine(da.attrs.get("units"), coord_units)
    if derived is not None:
        attrs["units"] = derived
    return attrs


def partial_data(da: xr.DataArray, orders: Mapping[Hashable, int], opts: Options):
    """The data of the mixed partial ``orders`` of ``da``, and the units to divide by.

    A mixed partial is the product of 1-D stencils, applied one dim after the
    other: exactly the tensor product, edges and corners included.
    """
    check_numeric(da)
    steps = []
    denominators: list[str | None] = []
    for dim, order in orders.items():
        stencil, coord_units = axis_stencil(da, dim, order, opts)
        steps.append((da.get_axis_num(dim), stencil))
        denominators += [coord_units] * order
    data = apply_sequence(da.data, steps, fill_value=opts.fill_value)
    return data, denominators


def _ordinal(order: int) -> str:
    return {1: "", 2: "second ", 3: "third ", 4: "fourth "}.get(order, f"order-{order} ")


def _diff_dataarray(da: xr.DataArray, dim: Hashable, order: int, opts: Options) -> xr.DataArray:
    data, denominators = partial_data(da, {dim: order}, opts)
    long_name = f"{_ordinal(order)}derivative of {_describe(da)} with respect to {dim}"
    return like(
        da,
        data,
        derivative_name(da.name, {dim: order}),
        derivative_attrs(da, long_name, denominators),
    )


def like(
    da: xr.DataArray, data: object, name: Hashable, attrs: dict[Hashable, object]
) -> xr.DataArray:
    """A new DataArray with ``da``'s dims and coords, and ``data``, ``name``, ``attrs``.

    The coordinates and indexes are shared as they are, the way xarray's own
    arithmetic shares them (the DataArray constructor would re-validate and copy
    them: ~150 us, more than the whole derivative of a 100x100 field). The
    encoding is not carried over: the input's on-disk packing (``scale_factor``,
    an integer dtype) would be wrong for its derivative.
    """
    variable = xr.Variable(da.dims, data, attrs)
    try:
        return da._replace(variable, name=name)
    except (AttributeError, TypeError):  # pragma: no cover  (an xarray without _replace)
        out = da.copy(deep=False, data=data)
        out.name, out.attrs, out.encoding = name, attrs, {}
        return out


def diff(
    obj: xr.DataArray | xr.Dataset,
    dim: Hashable,
    order: int = 1,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
) -> xr.DataArray | xr.Dataset:
    """Derivative of order ``order`` along ``dim``, in the units of ``dim``'s coordinate.

    Parameters
    ----------
    obj : DataArray or Dataset
        The field. For a Dataset, every data variable that has ``dim`` is
        differentiated (and renamed, e.g. ``dt_dx``); the others (and
        non-numeric variables) are kept unchanged.
    dim : hashable
        Dim to differentiate along. Its coordinate may be uniform or not,
        ascending or descending, or datetime (per second by default); without a
        coordinate the spacing is 1.
    order : int, default 1
        Derivative order (1, 2, 3, ...).
    accuracy : int, default 2
        Even order of accuracy of the finite-difference scheme, at the edges too.
    boundary : {"one_sided", "periodic", "fill", "mirror"} or dict, optional
        Edge rule (see :mod:`fieldops.boundary`); ``"one_sided"`` by default.
    fill_value : float, default NaN
        Value of the edge points under ``boundary="fill"``.
    period : float or dict, optional
        Period of a periodic dim; inferred from uniform spacing when omitted.
    datetime_unit : str, optional
        Time unit of datetime coordinates: ``"s"`` (default), ``"h"``, ``"D"``, ...

    Returns
    -------
    DataArray or Dataset
        Same dims, coords, dtype (float32 stays float32; other data becomes
        float64) and chunks as ``obj``; ``units`` derived when known.

    Raises
    ------
    ValueError
        Unknown dim, too few points, a coordinate not strictly monotonic, bad
        order/accuracy/boundary.
    TypeError
        Non-numeric data or coordinate.

    Examples
    --------
    >>> x = np.linspace(0.0, 1.0, 11)
    >>> xc = xr.DataArray(x, dims="x", attrs={"units": "m"})
    >>> t = xr.DataArray(x**2, dims="x", coords={"x": xc}, name="t", attrs={"units": "K"})
    >>> dt = diff(t, "x")
    >>> dt.name, dt.attrs["units"], round(float(dt.sel(x=0.5)), 12)
    ('dt_dx', 'K m-1', 1.0)
    """
    order = check_order(order)
    opts = resolve_options(
        obj,
        [dim],
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        period=period,
        datetime_unit=datetime_unit,
    )
    if isinstance(obj, xr.DataArray):
        return _diff_dataarray(obj, dim, order, opts)
    return map_dataset(obj, [dim], lambda da: _diff_dataarray(da, dim, order, opts))


def map_dataset(ds: xr.Dataset, dims: list[Hashable], func) -> xr.Dataset:
    """Apply ``func`` to every data variable that has all ``dims``; keep the others."""
    targets = [
        k
        for k, v in ds.data_vars.items()
        if all(d in v.dims for d in dims) and v.dtype.kind in "fiub"
    ]
    if not targets:
        raise ValueError(
            f"no numeric data variable of the Dataset has dim(s) {dims}; variables and their dims: "
            + ", ".join(f"{k}{tuple(v.dims)}" for k, v in ds.data_vars.items())
        )
    out = {}
    for name, var in ds.data_vars.items():
        if name in targets:
            res = func(var)
            out[res.name] = res
        else:
            out[name] = var
    return xr.Dataset(out, coords=ds.coords, attrs=dict(ds.attrs))
