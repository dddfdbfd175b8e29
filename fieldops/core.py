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
    data: object,
    axis: int,
    stencil: AxisStencil,
    *,
    fill_value: float = np.nan,
    halo: int | None = None,
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
    halo : int, optional
        Dask only: the halo between blocks; ``stencil.reach`` (every row's reach)
        by default. A smaller halo (at least the interior stencil's half-width)
        serves stencils whose wider rows are edge rows only: the first and last
        blocks are then widened to hold those (savgol and gaussian do this).

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
    return _apply_dask(data, axis, stencil, fill_value, halo)


def _widen_ends(chunks: tuple[int, ...], size: int) -> tuple[int, ...]:
    """Merge leading and trailing chunks until the first and last hold ``size`` rows.

    Examples
    --------
    >>> _widen_ends((2, 3, 4, 1, 1), 3)
    (5, 6)
    """
    out = list(chunks)
    while len(out) > 1 and out[0] < size:
        out[0:2] = [out[0] + out[1]]
    while len(out) > 1 and out[-1] < size:
        out[-2:] = [out[-2] + out[-1]]
    return tuple(out)


def _apply_dask(x, axis: int, stencil: AxisStencil, fill_value: float, halo: int | None = None):
    import dask.array as da
    from dask.array.overlap import ensure_minimum_chunksize

    dtype = float_dtype(x.dtype)
    chunks_in = x.chunks
    # A halo below the full reach (half the window for savgol and gaussian) is enough
    # when only one-sided edge rows read further: they only ever fall in the first
    # and last blocks, which are made wide enough to hold them.
    interior = int(np.abs(stencil.offsets).max(initial=0))
    depth = stencil.reach if (halo is None or stencil.periodic) else max(int(halo), interior)
    end_size = max(stencil.reach, stencil.lo, stencil.hi)
    axis_chunks = x.chunks[axis]
    if len(axis_chunks) > 1:
        # The smallest rechunk that gives every block a full halo; the result is
        # put back on the caller's chunks at the end.
        new = axis_chunks
        if min(new) < depth:
            new = ensure_minimum_chunksize(depth, new)
        new = _widen_ends(new, end_size)
        if new != axis_chunks:
            x = x.rechunk({axis: new})
            axis_chunks = x.chunks[axis]
    single = len(axis_chunks) == 1
    starts = np.concatenate([[0], np.cumsum(axis_chunks)]).tolist()
    nblocks = len(axis_chunks)

    if single or stencil.reach == 0:

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
