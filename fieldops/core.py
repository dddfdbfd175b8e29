"""Apply stencils to numpy or Dask arrays by axis number.

No xarray here. For Dask, one ``map_blocks`` layer per stencil (after at most
one halo-exchange layer along the differentiated axis); edge rules are taken
from the global stencil, so the result is the same for every chunking. Nothing
is computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from fieldops.stencils.apply import apply_stencil, float_dtype
from fieldops.stencils.fused import Plan, apply_plan
from fieldops.stencils.weights import AxisStencil, build_stencil


def is_dask(data: object) -> bool:
    """True for a Dask array (without importing Dask when it is not in use)."""
    return type(data).__module__.startswith("dask.")


@lru_cache(maxsize=256)
def _cached_stencil(
    coord_bytes: bytes, dtype: str, order: int, accuracy: int, boundary: str, period: float | None
) -> AxisStencil:
    coord = np.frombuffer(coord_bytes, dtype=dtype)
    return build_stencil(coord, order, accuracy, boundary, period=period)


def stencil_for(
    coord: np.ndarray, order: int, accuracy: int, boundary: str, *, period: float | None = None
) -> AxisStencil:
    """Cached :func:`~fieldops.stencils.weights.build_stencil` for one coordinate."""
    coord = np.ascontiguousarray(coord)
    return _cached_stencil(coord.tobytes(), coord.dtype.str, order, accuracy, boundary, period)


def apply_along(
    data: object, axis: int, stencil: AxisStencil, *, fill_value: float = np.nan
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
    if not is_dask(data):
        return apply_stencil(np.asarray(data), axis, stencil, fill_value=fill_value)
    return _apply_dask(data, axis, stencil, fill_value)


def _apply_dask(x, axis: int, stencil: AxisStencil, fill_value: float):
    import dask.array as da
    from dask.array.overlap import ensure_minimum_chunksize

    dtype = float_dtype(x.dtype)
    chunks_in = x.chunks
    depth = stencil.reach
    axis_chunks = x.chunks[axis]
    single = len(axis_chunks) == 1
    if not single and min(axis_chunks) < depth:
        # The smallest rechunk that gives every block a full halo; the result is
        # put back on the caller's chunks at the end.
        new = ensure_minimum_chunksize(depth, axis_chunks)
        x = x.rechunk({axis: new})
        axis_chunks = x.chunks[axis]
    starts = np.concatenate([[0], np.cumsum(axis_chunks)]).tolist()
    nblocks = len(axis_chunks)

    if single or depth == 0:

        def block_fn(block, block_id=None):
            j = block_id[axis]
            return apply_stencil(
                block,
                axis,
                stencil,
                fill_value=fill_value,
                out_rows=(starts[j], starts[j + 1]),
                in_start=starts[j],
                threads=1,
            )

        out = x.map_blocks(block_fn, dtype=dtype, meta=np.empty((0,) * x.ndim, dtype))
    else:
        periodic = stencil.periodic
        boundary = "periodic" if periodic else "none"
        ghosted = da.overlap.overlap(x, depth={axis: depth}, boundary={axis: boundary})

        def block_fn(block, block_id=None):
            j = block_id[axis]
            left = depth if (periodic or j > 0) else 0
            return apply_stencil(
                block,
                axis,
                stencil,
                fill_value=fill_value,
                out_rows=(starts[j], starts[j + 1]),
                in_start=starts[j] - left,
                threads=1,
            )

        out = ghosted.map_blocks(
            block_fn, dtype=dtype, chunks=x.chunks, meta=np.empty((0,) * x.ndim, dtype)
        )
        assert nblocks == out.numblocks[axis]
    if out.chunks != chunks_in:
        out = out.rechunk(chunks_in)
    return out


def apply_sequence(
    data: object, steps: Sequence[tuple[int, AxisStencil]], *, fill_value: float = np.nan
) -> object:
    """Apply several stencils in turn (a mixed partial is the product of 1-D ones).

    Examples
    --------
    >>> x = np.arange(6.0)
    >>> st = stencil_for(x, 1, 2, "one_sided")
    >>> f = x[:, None] * x[None, :]
    >>> float(apply_sequence(f, [(0, st), (1, st)])[2, 3])
    1.0
    """
    for axis, stencil in steps:
        data = apply_along(data, axis, stencil, fill_value=fill_value)
    return data


def apply_fused(
    data: object,
    plan: Plan,
    *,
    fill_value: float = np.nan,
    stacked: bool = True,
    slot_shape: tuple[int, ...] | None = None,
) -> object:
    """Run a fused multi-axis :class:`~fieldops.stencils.fused.Plan` on numpy or Dask data.

    Parameters
    ----------
    data : numpy.ndarray or dask.array.Array
        The input fields stacked along a leading (source) axis: ``(nsource, *shape)``.
    plan : Plan
        The output slots; term axes count from the first axis after the source axis.
    fill_value : float
        Value of points a ``fill`` boundary leaves undefined.
    stacked : bool, default True
        False when ``data`` is one field without the source axis (no extra Dask
        layer to add it).
    slot_shape : tuple of int, optional
        Shape of the slot axes of the result (``()`` for one slot, ``(n, n)`` for a
        tensor); ``(nslot,)`` by default. Done in the block function: no extra Dask
        layer.

    Returns
    -------
    numpy.ndarray or dask.array.Array
        ``(*slot_shape, *shape)``. For Dask: one halo exchange (only along the
        differentiated axes that are split into several chunks) and one
        ``map_blocks`` layer, the input's chunks along ``shape``, one chunk along
        the slot axis, and the same numbers as numpy for every chunking.

    Examples
    --------
    >>> from fieldops.stencils.fused import Plan, Term
    >>> x = np.arange(5.0)
    >>> d2 = stencil_for(x, 2, 2, "one_sided")
    >>> lap = Plan(((Term(0, 1.0, ((0, d2),)), Term(0, 1.0, ((1, d2),))),))
    >>> f = x[:, None] ** 2 + 2 * x[None, :] ** 2
    >>> float(apply_fused(f[None], lap)[0, 2, 3])
    6.0
    """
    slot_shape = (len(plan.slots),) if slot_shape is None else tuple(slot_shape)
    if int(np.prod(slot_shape, dtype=np.int64)) != len(plan.slots):
        raise ValueError(f"slot_shape {slot_shape} does not hold {len(plan.slots)} slots")
    if not is_dask(data):
        data = np.asarray(data)
        out = apply_plan(data if stacked else data[None], plan, fill_value=fill_value)
        return out.reshape(slot_shape + out.shape[1:])
    return _apply_fused_dask(data, plan, fill_value, int(stacked), slot_shape)


def _apply_fused_dask(x, plan: Plan, fill_value: float, lead: int, slot_shape: tuple[int, ...]):
    import dask.array as da
    from dask.array.overlap import ensure_minimum_chunksize

    dtype = float_dtype(x.dtype)
    ndim = x.ndim - lead
    nlead = len(slot_shape)
    depth = plan.depth(ndim)
    periodic = plan.periodic(ndim)
    if lead and len(x.chunks[0]) > 1:
        x = x.rechunk({0: -1})
    chunks_in = x.chunks[lead:]
    halo = {}
    for axis in range(ndim):
        axis_chunks = x.chunks[axis + lead]
        if depth[axis] == 0 or len(axis_chunks) == 1:
            continue
        if min(axis_chunks) < depth[axis]:
            # The smallest rechunk that gives every block a full halo; undone at the end.
            x = x.rechunk({axis + lead: ensure_minimum_chunksize(depth[axis], axis_chunks)})
        halo[axis] = depth[axis]
    starts = [np.concatenate([[0], np.cumsum(c)]).tolist() for c in x.chunks[lead:]]
    if halo:
        ghosted = da.overlap.overlap(
            x,
            depth={a + lead: d for a, d in halo.items()},
            boundary={a + lead: ("periodic" if periodic[a] else "none") for a in halo},
        )
    else:
        ghosted = x

    def block_fn(block, block_id=None):
        in_start, out_rows = [], []
        for axis in range(ndim):
            j = block_id[axis + nlead]  # output block ids
            g0, g1 = starts[axis][j], starts[axis][j + 1]
            left = halo.get(axis, 0) if (periodic[axis] or j > 0) else 0
            in_start.append(g0 - left)
            out_rows.append((g0, g1))
        res = apply_plan(
            block if lead else block[None],
            plan,
            fill_value=fill_value,
            in_start=tuple(in_start),
            out_rows=tuple(out_rows),
            threads=1,
        )
        return res.reshape(slot_shape + res.shape[1:])

    lead_chunks = tuple((k,) for k in slot_shape)
    axes = {}
    if nlead > lead:
        axes = {"new_axis": list(range(nlead - lead))}
    elif nlead < lead:
        axes = {"drop_axis": 0}
    out = ghosted.map_blocks(
        block_fn,
        dtype=dtype,
        chunks=lead_chunks + x.chunks[lead:],
        meta=np.empty((0,) * (ndim + nlead), dtype),
        **axes,
    )
    if out.chunks[len(lead_chunks) :] != chunks_in:
        out = out.rechunk(lead_chunks + chunks_in)
    return out
