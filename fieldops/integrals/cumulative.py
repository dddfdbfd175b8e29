"""Cumulative integrals of any accuracy along one dim, lazy on Dask.

Two passes: the integral over each interval (a stencil, through the same
numpy/Dask dispatch as the derivatives: halos, any chunking), then a running
sum. On Dask the running sum is a scan over chunk totals: a chain of small
*carry* tasks (the total up to each chunk) and one task per chunk that adds
its carry and sums on, in parallel. The sums are taken in the same order as
numpy's ``cumsum`` over the whole dim, so the result is the same, bit for bit,
for every chunking; nothing is rechunked.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from itertools import product

import numpy as np
import xarray as xr

from fieldops import _attrs
from fieldops._validate import check_dim, check_numeric
from fieldops.grids.coords import coordinate_values
from fieldops.grids.results import like
from fieldops.integrals.scan import cumsum_inplace
from fieldops.integrals.weights import check_points, increment_stencil
from fieldops.options import How, nan_as_zero, resolve_how
from fieldops.stencils.cache import shared
from fieldops.stencils.dispatch import apply_along, is_dask
from fieldops.units import product as units_product
from fieldops.units import quantified


def increments_for(values: np.ndarray, accuracy: int):
    """The cached increment stencil of one coordinate (see ``increment_stencil``)."""
    data = np.ascontiguousarray(values, dtype=np.float64).tobytes()

    def build():
        return increment_stencil(np.frombuffer(data, dtype=np.float64), accuracy)

    return shared(("integral-increments", data, accuracy), build)


@quantified
def cumulative_integrate(
    obj: xr.DataArray | xr.Dataset,
    dim: Hashable,
    *,
    accuracy: int = 2,
    initial: float = 0.0,
    datetime_unit: str | None = None,
    nan_policy: str = "propagate",
) -> xr.DataArray | xr.Dataset:
    """Cumulative integral along ``dim``, from its first point, of any accuracy.

    The integral over each interval is the exact integral of the polynomial
    through the ``accuracy + 2`` nearest points (Fornberg weights, on any
    spacing; see :mod:`fieldops.integrals.weights`): exact for polynomials of
    degree ``accuracy + 1``, global error ``O(h**(accuracy + 2))``.

    Parameters
    ----------
    obj : DataArray or Dataset
        The field. For a Dataset every numeric variable with ``dim`` is
        integrated; the others are kept.
    dim : hashable
        Dim to integrate along: uniform or not, ascending or descending (the
        integral runs from the first point), datetime (per second by default);
        without a coordinate the spacing is 1.
    accuracy : int, default 2
        Even order, 2 to 20: ``accuracy + 2`` points per interval (2: the
        four-point cubic rule, Simpson's order of error; the dim needs at least
        ``accuracy + 2`` points).
    initial : float, default 0
        Value of the integral at the first point (the result keeps the dim's
        length, as ``xarray``'s ``cumulative_integrate``).
    datetime_unit : str, optional
        Unit of a time coordinate: ``"s"`` (default), ``"h"``, ``"D"``, ...
    nan_policy : {"propagate", "omit"}, default "propagate"
        ``"propagate"``: a NaN spoils the intervals whose points it is among and
        so everything after them. ``"omit"``: NaN values count as zero (the
        integral over the valid points).

    Returns
    -------
    DataArray or Dataset
        Same name, dims, coords and chunks as ``obj`` (float32 stays float32);
        ``units`` the product of the field's and the coordinate's.

    Raises
    ------
    ValueError
        Unknown dim, fewer than ``accuracy + 2`` points, a bad accuracy or NaN
        policy, a coordinate not strictly monotonic.
    TypeError
        Non-numeric data or coordinate.

    Examples
    --------
    >>> x = np.linspace(0.0, 2.0, 9)
    >>> da = xr.DataArray(x**3, dims="x", coords={"x": x}, attrs={"units": "K"})
    >>> res = cumulative_integrate(da, "x")
    >>> bool(np.allclose(res, x**4 / 4)), res.attrs["units"]
    (True, 'K')
    """
    how = How(accuracy=accuracy, datetime_unit=datetime_unit, nan_policy=nan_policy)
    opts = resolve_how(obj, [dim], how)
    initial = _check_initial(initial)
    if isinstance(obj, xr.DataArray):
        return _cumulative_dataarray(obj, dim, opts.accuracy, initial, opts)
    from fieldops.calculus.differentiate import map_dataset

    return map_dataset(
        obj, [dim], lambda da: _cumulative_dataarray(da, dim, opts.accuracy, initial, opts)
    )


def _check_initial(initial: object) -> float:
    try:
        return float(initial)
    except (TypeError, ValueError):
        raise TypeError(f"initial must be a number, got {initial!r}") from None


def _cumulative_dataarray(
    da: xr.DataArray, dim: Hashable, accuracy: int, initial: float, opts
) -> xr.DataArray:
    check_dim(da, dim)
    check_numeric(da)
    values, coord_units = coordinate_values(da, dim, datetime_unit=opts.datetime_unit)
    check_points(values.size, accuracy, dim)
    stencil = increments_for(values, accuracy)
    data = nan_as_zero(da, opts.omit).data
    axis = da.get_axis_num(dim)
    data = cumulate(data, axis, stencil, initial)
    attrs = {"long_name": f"cumulative integral of {_describe(da)} along {dim}"}
    # Unit spacing (no coordinate): the integral has the field's units.
    derived = (
        units_product(da.attrs.get("units"), coord_units) if coord_units else da.attrs.get("units")
    )
    if derived is not None:
        attrs["units"] = derived
    return _like(da, data, attrs)


def _like(da: xr.DataArray, data: object, attrs: dict) -> xr.DataArray:
    # the one attrs policy (fieldops._attrs) on a result sharing da's coords
    return _attrs.apply(like(da, data, da.name, attrs), [da.attrs])


def _describe(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "the data")


def cumulate(data: object, axis: int, stencil, initial: float = 0.0) -> object:
    """Cumulative integral of numpy or Dask ``data`` along ``axis`` (array layer).

    Examples
    --------
    >>> st = increment_stencil(np.arange(5.0), 2)
    >>> cumulate(np.ones(5), 0, st).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0]
    """
    g = apply_along(data, axis, stencil)
    out = scan(g, axis)
    if initial != 0.0:
        out = out + out.dtype.type(initial)
    return out


def scan(g: object, axis: int) -> object:
    """``cumsum`` along ``axis``: in place on numpy, a scan over chunk totals on Dask."""
    if not is_dask(g):
        return cumsum_inplace(g, axis)
    if len(g.chunks[axis]) == 1:
        return g.map_blocks(_block_cumsum, axis=axis, dtype=g.dtype)
    return _dask_scan(g, axis)


def _dask_scan(g, axis: int):
    """The scan over chunk totals: a carry chain, then one task per chunk."""
    from dask.array import Array, blockwise
    from dask.highlevelgraph import HighLevelGraph
    from dask.tokenize import tokenize

    token = tokenize(g, axis, "fieldops-scan")
    carry_name = "fieldops-carry-" + token
    nb = g.numblocks
    dsk = {}
    for idx in product(*(range(n) for n in nb)):
        key = (carry_name, *idx)
        k = idx[axis]
        if k == 0:
            shape = tuple(1 if a == axis else g.chunks[a][i] for a, i in enumerate(idx))
            dsk[key] = (np.zeros, shape, g.dtype)
        else:
            prev = (*idx[:axis], k - 1, *idx[axis + 1 :])
            dsk[key] = (_next_carry, (carry_name, *prev), (g.name, *prev), axis)
    graph = HighLevelGraph.from_collections(carry_name, dsk, dependencies=[g])
    chunks = tuple((1,) * nb[a] if a == axis else c for a, c in enumerate(g.chunks))
    carry = Array(graph, carry_name, chunks, dtype=g.dtype)
    ind = tuple(range(g.ndim))
    return blockwise(
        partial(_carried_cumsum, axis=axis),
        ind,
        g,
        ind,
        carry,
        ind,
        dtype=g.dtype,
        name="fieldops-scan-" + token,
        align_arrays=False,
        concatenate=True,
    )


def _block_cumsum(block: np.ndarray, *, axis: int) -> np.ndarray:
    """The running sum of one block that holds the whole dim (one thread: a Dask task)."""
    return cumsum_inplace(np.array(block, copy=True), axis, threads=1)


def _carried_cumsum(block: np.ndarray, carry: np.ndarray, *, axis: int) -> np.ndarray:
    """``cumsum`` of ``block`` started from ``carry``, summed in numpy's order."""
    out = np.array(block, copy=True)
    first = tuple(slice(0, 1) if a == axis else slice(None) for a in range(out.ndim))
    out[first] = carry + out[first]  # (carry + g0) + g1 + ...: as numpy over the whole dim
    return cumsum_inplace(out, axis, threads=1)  # a Dask task: Dask runs them in parallel


def _next_carry(carry: np.ndarray, block: np.ndarray, axis: int) -> np.ndarray:
    """The carry after ``block``: the last row of its carried ``cumsum``."""
    last = block.shape[axis] - 1
    return np.take(_carried_cumsum(block, carry, axis=axis), [last], axis=axis)
