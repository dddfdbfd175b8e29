"""Apply stencils to numpy or Dask arrays by axis number.

No xarray here. For Dask, one ``map_blocks`` layer per stencil (after at most
one halo-exchange layer along the differentiated axis); edge rules are taken
from the global stencil, so the result is the same for every chunking. Nothing
is computed.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from fieldops.stencils.apply import GapAware, apply_stencil, float_dtype
from fieldops.stencils.cache import shared
from fieldops.stencils.weights import AxisStencil, build_stencil


def is_dask(data: object) -> bool:
    """True for a Dask array (without importing Dask when it is not in use)."""
    return type(data).__module__.startswith("dask.")


def stencil_for(
    coord: np.ndarray, order: int, accuracy: int, boundary: str, *, period: float | None = None
) -> AxisStencil:
    """Cached :func:`~fieldops.stencils.weights.build_stencil` for one coordinate."""
    data = np.ascontiguousarray(coord).tobytes()
    dtype = coord.dtype.str

    def build() -> AxisStencil:
        values = np.frombuffer(data, dtype=dtype)
        return build_stencil(values, order, accuracy, boundary, period=period)

    return shared(("fd", data, dtype, order, accuracy, boundary, period), build)


def apply_along(
    data: object,
    axis: int,
    stencil: AxisStencil,
    *,
    fill_value: float = np.nan,
    gaps: GapAware | None = None,
    out: np.ndarray | None = None,
) -> object:
    """Apply ``stencil`` along ``axis`` of a numpy or Dask array.

    Parameters
    ----------
    data : numpy.ndarray or dask.array.Array
        Input; its length along ``axis`` must be ``stencil.n``.
    axis : int
        Axis to differentiate along.
    stencil : AxisStencil
        The operator for that axis.
    fill_value : float
        Value for rows the ``fill`` boundary leaves undefined.
    gaps : GapAware (a :class:`~fieldops.stencils.masked.GapRule`), optional
        Make the derivative gap-aware (``nan_policy="omit"``): valid points next
        to NaN get stencils inside their run of valid points.
    out : numpy.ndarray, optional
        For numpy input: a C-contiguous array of the result's shape and dtype to
        write into (and return); ignored when it does not fit, so callers check
        ``result is out``.

    Returns
    -------
    numpy.ndarray or dask.array.Array
        Same shape (and for Dask the same chunks) as ``data``; float32 stays
        float32, everything else becomes float64.

    Examples
    --------
    >>> st = stencil_for(np.arange(5.0), 1, 2, "one_sided")
    >>> apply_along(np.arange(5.0) ** 2, 0, st)
    array([0., 2., 4., 6., 8.])
    """
    axis = axis % data.ndim
    check_length(data, axis, stencil.n)
    if not is_dask(data):
        data = np.asarray(data)
        if out is not None and not _fits(out, data):
            out = None
        then = None if gaps is None else gaps.then(data, axis, stencil)
        return apply_stencil(data, axis, stencil, fill_value=fill_value, out=out, then=then)
    return _apply_dask(data, axis, stencil, fill_value, gaps)


def check_length(data: object, axis: int, n: int) -> None:
    """Raise a ValueError unless ``data`` is ``n`` long along ``axis``.

    A kernel told ``n`` would read past a shorter array: never hand it one.
    """
    size = data.shape[axis]
    if size != size:
        raise ValueError(
            f"axis {axis} has unknown Dask chunk sizes (NaN); compute them first "
            "(dask.array.Array.compute_chunk_sizes())"
        )
    if size != n:
        raise ValueError(f"axis {axis} has {size} points, but the stencil was built for {n}")


def _fits(out: np.ndarray, data: np.ndarray) -> bool:
    """True when ``out`` can hold the derivative of ``data``."""
    return (
        isinstance(out, np.ndarray)
        and out.shape == data.shape
        and out.dtype == float_dtype(data.dtype)
        and out.flags.c_contiguous
        and out.flags.writeable
    )


def _apply_dask(x, axis: int, stencil: AxisStencil, fill_value: float, gaps: GapAware | None):
    """Lazy ``apply_stencil`` on a Dask array: at most two layers, never a rechunk.

    When ``axis`` is one chunk, one ``map_blocks`` layer (which Dask may fuse
    with the layers below). Otherwise a lazy *halo* layer
    (:class:`fieldops.stencils.halo.HaloLayer`) cuts, for every block, the rows its
    stencil needs from its neighbours (from as many blocks as it takes, so
    chunks narrower than the halo need no rechunk; wrapped around for periodic
    axes) into one task, and a ``blockwise`` *operator* layer computes each
    block from its own data and those two thin slabs, without copying the
    block. Neither layer is materialised when the graph is built.
    """
    from dask.tokenize import tokenize

    dtype = float_dtype(x.dtype)
    meta = np.empty((0,) * x.ndim, dtype)
    depth = stencil.reach
    axis_chunks = x.chunks[axis]
    if len(axis_chunks) == 1 or depth == 0:
        starts = (0, stencil.n)
        block_fn = partial(
            _single_block, axis=axis, stencil=stencil, fill_value=fill_value, gaps=gaps
        )
        return x.map_blocks(
            block_fn,
            dtype=dtype,
            meta=meta,
            name="fieldops-" + tokenize(x, axis, stencil, fill_value, starts, gaps),
        )

    from dask.array import blockwise
    from dask.array.core import ArrayValuesDep

    from fieldops.stencils.halo import rows_needed, slabs

    token = tokenize(x, axis, stencil, fill_value, gaps)
    n = stencil.n
    starts = np.concatenate([[0], np.cumsum(axis_chunks)]).tolist()
    rows = []
    for j in range(len(axis_chunks)):
        s, e = starts[j], starts[j + 1]
        lo, hi = rows_needed(stencil, s, e)
        if gaps is not None:
            lo, hi = min(lo, s - gaps.reach), max(hi, e + gaps.reach)
            if not stencil.periodic:
                lo, hi = max(lo, 0), min(hi, n)
        rows.append((lo, hi))
    halo = slabs(x, axis, rows, n, "fieldops-halo-" + token)
    ind = tuple(range(x.ndim))
    bounds = {(j,): (starts[j], starts[j + 1]) for j in range(len(axis_chunks))}
    return blockwise(
        partial(_halo_pair_block, axis=axis, stencil=stencil, fill_value=fill_value, gaps=gaps),
        ind,
        x,
        ind,
        halo,
        ind,
        ArrayValuesDep((axis_chunks,), bounds),
        (axis,),
        name="fieldops-" + token,
        dtype=dtype,
        meta=meta,
        concatenate=True,
        align_arrays=False,
    )


def _halo_pair_block(mid, pair, bounds, *, axis, stencil, fill_value, gaps):
    """:func:`_halo_block` of one block, its ``(left, right)`` slabs and its rows."""
    return _halo_block(mid, pair[0], pair[1], axis, bounds[0], bounds[1], stencil, fill_value, gaps)


def _single_block(
    block: np.ndarray, *, axis: int, stencil: AxisStencil, fill_value: float, gaps: GapAware | None
):
    """A block that holds the whole of ``axis``: one serial call."""
    block = np.asarray(block)
    then = None if gaps is None else gaps.then(block, axis, stencil)
    return apply_stencil(block, axis, stencil, fill_value=fill_value, threads=1, then=then)


def _halo_block(
    mid: np.ndarray,
    left: np.ndarray | None,
    right: np.ndarray | None,
    axis: int,
    s: int,
    e: int,
    stencil: AxisStencil,
    fill_value: float,
    gaps: GapAware | None = None,
) -> np.ndarray:
    """Global rows ``[s, e)`` from block ``mid`` and its halo slabs, serially.

    The rows whose stencil stays inside ``mid`` are computed from ``mid`` in
    place; only the few rows near its two ends read a small joined copy.
    """
    dtype = float_dtype(mid.dtype)
    mid = np.ascontiguousarray(mid, dtype=dtype)
    nl = 0 if left is None else left.shape[axis]
    nr = 0 if right is None else right.shape[axis]
    depth = stencil.reach
    out = np.empty(mid.shape, dtype=dtype)
    kw = dict(fill_value=fill_value, threads=1, out=out, out_start=s)

    def rows(a: int, b: int) -> np.ndarray:
        index = (slice(None),) * axis + (slice(a - s, b - s),)
        return mid[index]

    def joined(lo: int, hi: int) -> tuple[np.ndarray, int]:
        """Input rows [lo, hi) (lo may be in the left slab, hi in the right)."""
        parts = []
        if lo < s:
            parts.append(left)
        parts.append(rows(max(lo, s), min(hi, e)))
        if hi > e:
            parts.append(right)
        return np.concatenate(parts, axis=axis), lo

    b0, b1 = s + depth, e - depth
    if gaps is not None:
        data, start = joined(s - nl, e + nr)
        apply_stencil(data, axis, stencil, out_rows=(s, e), in_start=start, **kw)
        return gaps.fix(data, out, axis, stencil, out_rows=(s, e), in_start=start, threads=1)
    if b1 - b0 <= 2 * depth:
        data, start = joined(s - nl, e + nr)
        return apply_stencil(data, axis, stencil, out_rows=(s, e), in_start=start, **kw)
    apply_stencil(mid, axis, stencil, out_rows=(b0, b1), in_start=s, **kw)
    data, start = joined(s - nl, b0 + depth)
    apply_stencil(data, axis, stencil, out_rows=(s, b0), in_start=start, **kw)
    data, start = joined(b1 - depth, e + nr)
    apply_stencil(data, axis, stencil, out_rows=(b1, e), in_start=b1 - depth, **kw)
    return out


def stack_dask(parts: list[tuple[object, int | None]]):
    """Stack fields along a new leading axis in one lazy ``blockwise`` layer.

    ``parts`` holds ``(array, index)`` pairs: ``index`` picks a slice of an
    array that has a leading axis of one chunk (a vector's component), None
    takes the array as it is. The arrays share their chunks along the field's
    dims. One task per chunk, where ``da.stack`` of ``x[0]``-style slices would
    add materialised getitem and stack layers.
    """
    import dask.array as da

    first, index = parts[0]
    ndim = first.ndim - (index is not None)
    field = tuple(range(1, ndim + 1))
    args, spec, seen = [], [], {}
    for arr, index in parts:
        if arr.name not in seen:
            seen[arr.name] = len(seen)
            args += [arr, ((-1,) + field) if index is not None else field]
        spec.append((seen[arr.name], index))
    dtype = np.result_type(*[a.dtype for a, _ in parts])
    return da.blockwise(
        partial(_stack_blocks, spec=tuple(spec)),
        (0,) + field,
        *args,
        new_axes={0: len(parts)},
        dtype=dtype,
        meta=np.empty((0,) * (ndim + 1), dtype),
        concatenate=True,
        align_arrays=False,
    )


def _stack_blocks(*blocks, spec):
    return np.stack([blocks[k] if i is None else blocks[k][i] for k, i in spec])
