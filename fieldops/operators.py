"""The xarray layer: derivatives along named dims, with names, attrs and units.

Coordinates, names, attributes and units go in; the same come out, with the
derived ``units`` and a ``long_name`` that says what was done. The input is never
mutated and Dask input stays lazy with its chunks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from fieldops import _attrs
from fieldops import units as _units
from fieldops._validate import (
    align_mask,
    check_accuracy,
    check_numeric,
    check_order,
    check_xarray,
)
from fieldops.boundary import BoundarySpec, resolve_boundary
from fieldops.geometry import check_dim, coordinate_values
from fieldops.methods import (
    FINITE_DIFFERENCE,
    MethodSpec,
    Operator,
    Scalar,
    apply_operators,
    resolve_methods,
)
from fieldops.methods import axis_operator as _axis_operator
from fieldops.stencils.masked import GapRule
from fieldops.stencils.weights import AxisStencil, is_uniform, minimum_points
from fieldops.units import quantified

_DROPPED_ATTRS = _attrs.DROPPED

PeriodSpec = float | Mapping[Hashable, float] | None
MethodArg = str | Mapping[Hashable, str]
ScaleArg = Scalar | Mapping[Hashable, Scalar] | None


@dataclass(frozen=True)
class Options:
    """The stencil options of one call, resolved per dim."""

    accuracy: int
    boundary: dict[Hashable, str]
    fill_value: float
    period: dict[Hashable, float | None]
    datetime_unit: str | None
    methods: Mapping[Hashable, MethodSpec] = field(default_factory=dict)
    nan_policy: str = "propagate"
    mask: xr.DataArray | None = None

    @property
    def omit(self) -> bool:
        """True when NaN (or masked) cells are domain boundaries."""
        return self.nan_policy == "omit" or self.mask is not None

    def method_of(self, dim: Hashable) -> MethodSpec:
        """The method of ``dim`` (finite differences unless chosen otherwise).

        Examples
        --------
        >>> Options(2, {"x": "one_sided"}, np.nan, {"x": None}, None).method_of("x").method
        'finite_difference'
        """
        return self.methods.get(dim, FINITE_DIFFERENCE)


def resolve_options(
    obj: xr.DataArray | xr.Dataset,
    dims: list[Hashable],
    *,
    accuracy: int,
    boundary: BoundarySpec | None,
    fill_value: float,
    period: PeriodSpec,
    datetime_unit: str | None,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
) -> Options:
    """Validate the options shared by every operator and resolve them per dim.

    ``method``, ``window``, ``polyorder`` and ``sigma`` are described in
    :mod:`fieldops.methods`; each is one value or a dict per dim. ``nan_policy``
    and ``mask`` are described in :func:`check_nan_policy`.
    """
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
    methods = resolve_methods(dims, method, window=window, polyorder=polyorder, sigma=sigma)
    if accuracy != 2 and all(m.method != "finite_difference" for m in methods.values()):
        raise ValueError(
            f"accuracy={accuracy} applies to method='finite_difference' only; the method "
            f"here is {sorted({m.method for m in methods.values()})}: drop accuracy= "
            "(savgol: window/polyorder, gaussian: sigma set the accuracy)"
        )
    mask = check_nan_policy(obj, nan_policy, mask, methods)
    try:
        fill = float(fill_value)
    except (TypeError, ValueError):
        raise TypeError(f"fill_value must be a number, got {fill_value!r}") from None
    return Options(accuracy, modes, fill, periods, datetime_unit, methods, nan_policy, mask)


NAN_POLICIES = ("propagate", "omit")


def check_nan_policy(
    obj: xr.DataArray | xr.Dataset,
    nan_policy: str,
    mask: xr.DataArray | None,
    methods: Mapping[Hashable, MethodSpec],
) -> xr.DataArray | None:
    """Validate ``nan_policy`` and ``mask``; return the mask aligned to ``obj``.

    ``nan_policy="propagate"`` (default): a NaN spoils the outputs whose stencil
    touches it. ``"omit"`` (scipy's word): NaN cells are domain boundaries; a
    valid point next to one gets a one-sided stencil from the valid side (of
    lower accuracy where the valid run is short), a point with no valid stencil
    (a run shorter than ``order + 1`` points) is NaN, and NaN cells stay NaN.
    ``mask``: a boolean DataArray, True where valid, on some or all of the
    field's dims; masked cells are treated as NaN under ``"omit"`` (given a
    mask, ``"omit"`` is implied). The mask is aligned by label, never by position
    (:func:`~fieldops._validate.align_mask`).
    """
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"unknown nan_policy {nan_policy!r}; use 'propagate' or 'omit'")
    if mask is not None:
        if not isinstance(mask, xr.DataArray) or mask.dtype != bool:
            raise TypeError(
                "mask must be a boolean xarray.DataArray, True where the data are valid; "
                f"got {type(mask).__name__}"
                + (f" of dtype {mask.dtype}" if hasattr(mask, "dtype") else "")
            )
        mask = align_mask(obj, mask)
    if nan_policy == "omit" or mask is not None:
        other = sorted({m.method for m in methods.values()} - {"finite_difference"})
        if other:
            raise ValueError(
                f"nan_policy='omit' and mask= work with method='finite_difference' only, "
                f"not {other}"
            )
    return mask


def axis_operator(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, order: int, opts: Options
) -> tuple[Operator, str | None]:
    """The operator of d^order/d dim^order under the dim's method, and the coordinate's units.

    Every operator goes through here, so every method works everywhere. The result
    is an :class:`AxisStencil` (finite differences, savgol, gaussian) or a
    :class:`~fieldops.spectral.SpectralOperator`; :func:`partial_data` applies either.

    Examples
    --------
    >>> da = xr.DataArray(np.zeros(16), dims="x")
    >>> opts = resolve_options(da, ["x"], accuracy=2, boundary="periodic", fill_value=np.nan,
    ...                        period=None, datetime_unit=None, method="spectral")
    >>> type(axis_operator(da, "x", 1, opts)[0]).__name__
    'SpectralOperator'
    """
    values, coord_units = coordinate_values(obj, dim, datetime_unit=opts.datetime_unit)
    mode = opts.boundary[dim]
    spec = opts.method_of(dim)
    if spec.method == "finite_difference":
        n = values.size
        # A uniform grid may need one point less; only look when it matters.
        need = minimum_points(order, opts.accuracy, mode, uniform=False)
        if n < need:
            need = minimum_points(order, opts.accuracy, mode, uniform=is_uniform(values))
        if n < need:
            raise ValueError(_too_few_points(dim, n, need, order, opts.accuracy, mode, values))
    op = _axis_operator(
        values,
        order,
        spec,
        accuracy=opts.accuracy,
        boundary=mode,
        period=opts.period[dim],
        dim=dim,
        datetime_unit=opts.datetime_unit,
    )
    return op, coord_units


def _too_few_points(
    dim: Hashable, n: int, need: int, order: int, accuracy: int, mode: str, values: np.ndarray
) -> str:
    """Why ``dim`` is too short, and the fix that exists (a lower accuracy, or none)."""
    head = f"dim {dim!r} has {n} points, but order {order} "
    uniform = is_uniform(values)
    fits = [
        a
        for a in range(accuracy - 2, 1, -2)
        if n >= minimum_points(order, a, mode, uniform=uniform)
    ]
    if fits:
        return (
            f"{head}at accuracy {accuracy} with boundary {mode!r} needs at least {need}; "
            f"use accuracy={fits[0]} (the most {n} points allow)"
        )
    lowest = minimum_points(order, 2, mode, uniform=uniform)
    return (
        f"{head}with boundary {mode!r} needs at least {lowest} points even at the lowest "
        f"accuracy (2); differentiate along a dim with at least {lowest} points"
    )


def axis_stencil(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, order: int, opts: Options
) -> tuple[AxisStencil, str | None]:
    """The stencil of d^order/d dim^order for ``obj``'s coordinate, and its units.

    For callers that need a stencil table (fused kernels). Raises for
    ``method="spectral"``, which is not a stencil: use :func:`partial_data` or
    :func:`axis_operator` there.
    """
    op, coord_units = axis_operator(obj, dim, order, opts)
    if not isinstance(op, AxisStencil):
        raise ValueError(
            f"dim {dim!r}: method={opts.method_of(dim).method!r} is not a stencil; "
            "compute it with fieldops.operators.partial_data"
        )
    return op, coord_units


def fusable(opts: Options, dims: list[Hashable]) -> bool:
    """True when every dim's method is a stencil (fused stencil kernels apply).

    Examples
    --------
    >>> da = xr.DataArray(np.zeros((8, 8)), dims=("y", "x"))
    >>> opts = resolve_options(da, ["y", "x"], accuracy=2, boundary="periodic",
    ...                        fill_value=np.nan, period=None, datetime_unit=None,
    ...                        method={"x": "spectral", "y": "savgol"}, window="5 points")
    >>> fusable(opts, ["y"]), fusable(opts, ["y", "x"])
    (True, False)
    """
    return all(opts.method_of(d).method != "spectral" for d in dims)


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


def partial_data(
    da: xr.DataArray,
    orders: Mapping[Hashable, int],
    opts: Options,
    *,
    out: np.ndarray | None = None,
):
    """The data of the mixed partial ``orders`` of ``da``, and the units to divide by.

    A mixed partial is the product of 1-D stencils, applied one dim after the
    other: exactly the tensor product, edges and corners included. The data are
    written into ``out`` when it fits (see :func:`fieldops.core.apply_along`).
    """
    check_numeric(da)
    steps = []
    gaps: list[GapRule | None] = []
    denominators: list[str | None] = []
    for dim, order in orders.items():
        op, coord_units = axis_operator(da, dim, order, opts)
        steps.append((da.get_axis_num(dim), op))
        denominators += [coord_units] * order
        gaps.append(gap_rule(da, dim, order, opts) if opts.omit else None)
    data = da.data
    if opts.mask is not None:
        # Masked cells become gaps (and ints floats); aligned again to ``da`` itself,
        # so that the kernels never see a field that the mask shrank or padded.
        data = da.where(align_mask(da, opts.mask)).data
    data = apply_operators(
        data, steps, fill_value=opts.fill_value, names=list(orders), gaps=gaps, out=out
    )
    return data, denominators


def gap_rule(da: xr.DataArray, dim: Hashable, order: int, opts: Options) -> GapRule:
    """How d^order/d dim^order treats NaN cells under ``nan_policy="omit"``."""
    values, _ = coordinate_values(da, dim, datetime_unit=opts.datetime_unit)
    return GapRule(values, order, opts.accuracy, opts.boundary[dim], opts.period[dim])


def _ordinal(order: int) -> str:
    return {1: "", 2: "second ", 3: "third ", 4: "fourth "}.get(order, f"order-{order} ")


def _diff_dataarray(da: xr.DataArray, dim: Hashable, order: int, opts: Options) -> xr.DataArray:
    data, denominators = partial_data(da, {dim: order}, opts)
    long_name = f"{_ordinal(order)}derivative of {_describe(da)} with respect to {dim}"
    spec = opts.method_of(dim)
    if spec.method != "finite_difference":
        long_name += f" ({spec.describe()})"
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


@quantified
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
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
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
        Even order of accuracy of the finite-difference scheme, at the edges too:
        2 to 20 (higher orders lose more to float64 rounding than they gain).
    boundary : {"one_sided", "periodic", "fill", "mirror"} or dict, optional
        Edge rule (see :mod:`fieldops.boundary`); ``"one_sided"`` by default.
    fill_value : float, default NaN
        Value of the edge points under ``boundary="fill"``.
    period : float or dict, optional
        Period of a periodic dim; inferred from uniform spacing when omitted.
    datetime_unit : str, optional
        Time unit of datetime coordinates: ``"s"`` (default), ``"h"``, ``"D"``, ...
    method : {"finite_difference", "savgol", "gaussian", "spectral"}
        ``"finite_difference"`` (default) uses ``accuracy``. ``"savgol"``: the
        derivative of a local least-squares polynomial of degree ``polyorder``
        over ``window``. ``"gaussian"``: derivative of a Gaussian of standard
        deviation ``sigma``. ``"spectral"``: FFT derivative of a periodic
        (``boundary="periodic"``), uniformly sampled dim; on Dask the dim must be
        one chunk. Edges follow ``boundary``. See :mod:`fieldops.methods`.
    window : str, optional
        savgol window: ``"7 points"`` (an odd count) or ``"0.6 wide"`` (a width
        in the coordinate's units; a timedelta for time coordinates). A bare int
        (points) or float (width) is deprecated (``FutureWarning``).
    polyorder : int, optional
        savgol polynomial degree, ``order <= polyorder < window``; by default the
        smallest even degree >= ``order``.
    sigma : float, optional
        gaussian standard deviation in the coordinate's units (> 0).
    nan_policy : {"propagate", "omit"}, default "propagate"
        ``"propagate"``: a NaN spoils the outputs whose stencil touches it.
        ``"omit"``: NaN cells are boundaries of the domain (coastlines, gaps); a
        valid point next to one gets a one-sided stencil from the valid side
        (lower accuracy where the valid run is short; NaN where the run has
        fewer than ``order + 1`` points). See :func:`check_nan_policy`.
    mask : DataArray of bool, optional
        True where the data are valid; masked cells are treated as gaps
        (implies ``nan_policy="omit"``).

    Returns
    -------
    DataArray or Dataset
        Same dims, coords, dtype (float32 stays float32; other data becomes
        float64) and chunks as ``obj``; ``units`` derived when known.

    Raises
    ------
    ValueError
        Unknown dim, too few points, a coordinate not strictly monotonic, bad
        order/accuracy/boundary; an unknown method, a missing, even or too long
        ``window``, ``polyorder >= window``, ``sigma <= 0``, ``spectral`` on a
        non-periodic or non-uniform dim or (Dask) on a dim split into chunks.
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
    >>> smooth = diff(t, "x", method="savgol", window="5 points", polyorder=2)
    >>> round(float(smooth.sel(x=0.5)), 12)
    1.0
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
        method=method,
        window=window,
        polyorder=polyorder,
        sigma=sigma,
        nan_policy=nan_policy,
        mask=mask,
    )
    if isinstance(obj, xr.DataArray):
        return _diff_dataarray(obj, dim, order, opts)
    return map_dataset(obj, [dim], lambda da: _diff_dataarray(da, dim, order, opts))


def map_dataset(
    ds: xr.Dataset, dims: list[Hashable], func, *, drop: tuple[str, ...] = _attrs.DROPPED
) -> xr.Dataset:
    """Apply ``func`` to every data variable that has all ``dims``; keep the others.

    Raises ValueError when a result's name (``dt_dx``, ``grad_t``, ``del2_t``) is
    already a variable of ``ds``, or another result's: nothing is overwritten.
    Each result's attrs follow :mod:`fieldops._attrs` from its own variable's
    (``drop``: the input attrs false of the result).
    """
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
    out: dict[Hashable, xr.DataArray] = {}
    for name, var in ds.data_vars.items():
        if name not in targets:
            out[name] = var
            continue
        res = _attrs.apply(func(var), [var.attrs], drop=drop)
        # A result never silently replaces another variable (its own input it may:
        # diffuse keeps the name), nor another result: refuse, naming the clash (a
        # quietly renamed output would break scripts that look it up by name).
        if (res.name in ds.data_vars and res.name != name) or res.name in out:
            raise ValueError(
                f"the result for variable {name!r} is named {res.name!r}, which the "
                f"Dataset already has; rename that variable first, e.g. "
                f"ds.rename({{{res.name!r}: '{res.name}_in'}}), or pass ds[{name!r}] alone"
            )
        out[res.name] = res
    return xr.Dataset(out, coords=ds.coords, attrs=dict(ds.attrs))
