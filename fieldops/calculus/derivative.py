"""The xarray layer: derivatives along named dims, with names, attrs and units.

Coordinates, names, attributes and units go in; the same come out, with the
derived ``units`` and a ``long_name`` that says what was done. The input is never
mutated and Dask input stays lazy with its chunks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops import _attrs
from fieldops._validate import check_order
from fieldops.grids.partials import derivative_attrs, like, partial_data
from fieldops.options import How, MethodArg, Options, PeriodSpec, ScaleArg, resolve_how
from fieldops.stencils.boundary import BoundarySpec
from fieldops.units import quantified


def derivative_name(name: Hashable | None, orders: Mapping[Hashable, int]) -> str:
    """``dt_dx``, ``d2t_dx2``, ``d2t_dxdy`` for the partial ``orders`` of ``name``."""
    total = sum(orders.values())
    head = f"d{total if total > 1 else ''}{name if name is not None else ''}"
    tail = "".join(f"d{d}{o if o > 1 else ''}" for d, o in orders.items())
    return f"{head}_{tail}"


def _describe(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "the data")


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
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
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
        Edge rule (see :mod:`fieldops.stencils.boundary`); ``"one_sided"`` by default.
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
        one chunk. Edges follow ``boundary``. See :mod:`fieldops.stencils.methods`.
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
        fewer than ``order + 1`` points). See :func:`fieldops.options.check_nan_policy`.
    mask : DataArray of bool, optional
        True where the data are valid; masked cells are treated as gaps
        (implies ``nan_policy="omit"``).
    vertical : {"height", "pressure", "auto"} or DataArray, optional
        On model levels: along the level dim, the derivative with respect to
        this vertical coordinate (``df/ds / dz/ds``); along another dim, the
        derivative at constant height or pressure (see
        :mod:`fieldops.vertical.correction`). First derivatives only.
    level_dim : hashable, optional
        The model level dim of ``vertical`` (found when not given).

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
    if vertical is not None:  # model levels (issue 16)
        from fieldops.options import Where
        from fieldops.vertical.correction import constant_level_diff

        how, where = How.pick(locals()), Where(vertical=vertical, level_dim=level_dim)
        if isinstance(obj, xr.DataArray):
            return constant_level_diff(obj, dim, order, how, where)
        return map_dataset(obj, [dim], lambda da: constant_level_diff(da, dim, order, how, where))
    return differentiate(obj, dim, order, How.pick(locals()))


def differentiate(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, order: int, how: How
) -> xr.DataArray | xr.Dataset:
    """:func:`diff` with its options as a :class:`~fieldops.options.How`."""
    order = check_order(order)
    opts = resolve_how(obj, [dim], how)
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
