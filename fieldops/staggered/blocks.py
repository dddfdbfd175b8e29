"""The array layer of staggered operators: extended blocks, numpy and Dask alike (private).

A staggered operator writes output row ``k`` (along one axis) from input rows
``k + lo .. k + hi`` of its inputs; input and output lengths may differ by one
(``n`` centres, ``n + 1`` or ``n - 1`` faces). Every input is handed to the
operator's kernel *extended*: the rows of the output block plus the rows its
stencil reads beyond them, wrapped on a periodic axis and filled with a constant
beyond a closed edge. The kernel is the same numpy function on the whole array
and on every Dask block, so numbers agree to the bit for any chunking.

On Dask each extended input is one :class:`~fieldops.staggered.layers.EdgeLayer`
task per block (the ``(left, right)`` rows from its neighbours, as
:mod:`fieldops.stencils.halo`, plus the fill rows at closed edges), and the
kernel is one blockwise layer: no rechunk, no concatenated copies of whole blocks
held between tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np

from fieldops.stencils.dispatch import is_dask


@dataclass(frozen=True)
class Ext:
    """How one input of a kernel is extended along one of its axes.

    Output row ``k`` reads input rows ``k + lo`` to ``k + hi - 1`` (``hi`` is one past),
    numbering input rows from the same origin as output rows.
    ``period``: rows wrap modulo this (a periodic axis) or None (closed: rows beyond
    the input are ``fill``).
    """

    axis: int
    lo: int
    hi: int
    period: int | None
    fill: float


def row_map(n: int, ext: Ext, n_out: int) -> np.ndarray:
    """Source row of each row ``[lo, n_out + hi - 1)`` along ``ext.axis``; -1 beyond an edge."""
    rows = np.arange(ext.lo, n_out + ext.hi - 1)
    if ext.period is not None:
        rows = rows % ext.period
    return np.where((rows >= 0) & (rows < n), rows, -1)


class Rows:
    """An input extended along ``axis`` without a copy: ``array`` and its row map.

    ``materialize()`` is the extended array (what numpy kernels take); one-pass
    kernels read ``array`` through ``rows`` (-1: the ``fill`` value).
    """

    __slots__ = ("array", "axis", "rows", "fill")

    def __init__(self, array: np.ndarray, axis: int, rows: np.ndarray, fill: float) -> None:
        self.array, self.axis, self.rows, self.fill = array, axis, rows, fill

    def materialize(self) -> np.ndarray:
        x, rows = self.array, self.rows
        if rows.size == x.shape[self.axis] and (rows == np.arange(rows.size)).all():
            return x
        taken = np.take(x, np.maximum(rows, 0), axis=self.axis)
        if (rows < 0).any():
            shape = [1] * x.ndim
            shape[self.axis] = rows.size
            fill = np.asarray(self.fill, taken.dtype)
            taken = np.where((rows >= 0).reshape(shape), taken, fill)
        return taken


def materialize(x):
    """An extended input as an array (identity for arrays and None)."""
    return x.materialize() if isinstance(x, Rows) else x


def _extend_numpy(x: np.ndarray, ext: Ext, n_out: int) -> np.ndarray:
    """Rows ``[lo, n_out + hi - 1)`` of ``x`` along ``ext.axis``, wrapped or filled."""
    return Rows(x, ext.axis, row_map(x.shape[ext.axis], ext, n_out), ext.fill).materialize()


def _assemble(block: np.ndarray, edges, axis: int) -> np.ndarray:
    left, right, keep = edges
    if keep < block.shape[axis]:
        block = block[(slice(None),) * axis + (slice(0, keep),)]
    parts = [p for p in (left, block, right) if p is not None]
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=axis)


class Pieces:
    """The per-block pieces of the in-memory inputs (metrics, masks), opaque to Dask."""

    __slots__ = ("arrays",)

    def __init__(self, arrays: tuple) -> None:
        self.arrays = arrays


def _run_blocks(*args, kernel, exts, ndim, expand, lazy):
    inputs = []  # (array, or a Joined block; output axis of its extension or None)
    it = iter(args)
    constants = iter(args[-1].arrays) if not all(lazy) else None
    for ext, where, is_lazy in zip(exts, expand, lazy):
        if not is_lazy:
            # Contiguous: a strided view makes the one-pass kernels' loops 2-3x slower
            # (Numba's any-layout code does not vectorise); the pieces are small, and
            # copied here, in the tasks, not while the graph is built.
            piece = _expand(np.ascontiguousarray(next(constants)), where, ndim)
            inputs.append((piece, None if ext is None else where[ext.axis], ext))
            continue
        block = next(it)
        if ext is None:
            inputs.append((_expand(block, where, ndim), None, None))
            continue
        left, right, keep = next(it)
        axis = where[ext.axis]
        # (a strided block, a view of a bigger array, is copied once: strided loops
        # do not vectorise; blocks read from files are contiguous already)
        joined = Joined(
            _expand(np.ascontiguousarray(_keep(block, ext.axis, keep)), where, ndim),
            None if left is None else _expand(left, where, ndim),
            None if right is None else _expand(right, where, ndim),
            axis,
        )
        inputs.append((joined, axis, ext))
    joined = [a for a, _, _ in inputs if isinstance(a, Joined)]
    # (a block of no rows of its own, the extra face of a last chunk, is all halo)
    if getattr(kernel, "takes_rows", False) and joined and all(a.block.size for a in joined):
        return _interior_and_strips(kernel, inputs, ndim)
    return kernel(*[_whole(a) for a, _, _ in inputs], threads=1)  # Dask runs tasks in parallel


def _keep(block: np.ndarray, axis: int, keep: int) -> np.ndarray:
    if keep < block.shape[axis]:
        return block[(slice(None),) * axis + (slice(0, keep),)]
    return block


class Joined:
    """A Dask block and the rows its stencil reads beyond it, not yet joined (a copy)."""

    __slots__ = ("block", "left", "right", "axis")

    def __init__(self, block, left, right, axis: int) -> None:
        self.block, self.left, self.right, self.axis = block, left, right, axis

    def sizes(self) -> tuple[int, int, int]:
        """Rows along the axis: (left halo, the block's own, right halo)."""
        n = lambda a: 0 if a is None else a.shape[self.axis]  # noqa: E731
        return n(self.left), self.block.shape[self.axis], n(self.right)

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Extended rows ``[start, stop)`` (numbered from the first left row), joined."""
        parts, offset = [], 0
        for piece in (self.left, self.block, self.right):
            if piece is None:
                continue
            n = piece.shape[self.axis]
            a, b = max(start - offset, 0), min(stop - offset, n)
            if a < b:
                parts.append(piece[(slice(None),) * self.axis + (slice(a, b),)])
            offset += n
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=self.axis)

    def cut(self, axis: int, start: int, stop: int) -> Joined:
        """The same rows of a slab ``[start, stop)`` along another (output) axis."""

        def slab(a):
            if a is None or a.shape[axis] == 1:
                return a  # absent, or broadcast along that axis
            return a[(slice(None),) * axis + (slice(start, stop),)]

        return Joined(slab(self.block), slab(self.left), slab(self.right), self.axis)


def _whole(x):
    if isinstance(x, Joined):
        return x.rows(0, sum(x.sizes()))
    return x


def _interior_and_strips(kernel, inputs, ndim):
    """The kernel on the blocks as they are, then thin edge strips from small joins.

    Joining a block to its halo rows copies it (a third of a one-pass kernel's time);
    instead the kernel reads each block in place through a row map whose halo rows
    are "beyond the edge", which is right everywhere but within reach of the halo,
    and those output rows (a few per extended axis) are computed again from small
    joined pieces. Every output point is the same expression of the same inputs in
    both, so the result is the same to the bit.
    """
    # Output rows along each extended axis whose stencil stays inside every block.
    spans: dict[int, list[int]] = {}
    n_out: dict[int, int] = {}
    for x, axis, ext in inputs:
        if not isinstance(x, Joined):
            continue
        left, keep, right = x.sizes()
        width = ext.hi - ext.lo
        n_out[axis] = left + keep + right - width + 1
        lo, hi = spans.get(axis, (0, n_out[axis]))
        spans[axis] = [max(lo, left), min(hi, left + keep - width + 1)]
    interior = []
    for x, axis, ext in inputs:
        if isinstance(x, Joined):
            interior.append(Rows(x.block, axis, _map(*x.sizes()), ext.fill))
        elif axis is not None and axis in spans:
            # a metric extended like the field: the same rows, the same map
            field = next(f for f, a, _ in inputs if isinstance(f, Joined) and a == axis)
            left, keep, right = field.sizes()
            mid = np.ascontiguousarray(x[(slice(None),) * axis + (slice(left, left + keep),)])
            interior.append(Rows(mid, axis, _map(left, keep, right), ext.fill))
        else:
            interior.append(x)
    out = kernel(*interior, threads=1)
    for axis, (lo, hi) in spans.items():
        for start, stop in ((0, lo), (max(hi, lo), n_out[axis])):
            if start >= stop:
                continue
            strip = [_strip(x, a, ext, axis, start, stop) for x, a, ext in inputs]
            part = kernel(*strip, threads=1)
            out[(slice(None),) * axis + (slice(start, stop),)] = part
    return out


def _map(left: int, keep: int, right: int) -> np.ndarray:
    """Extended row -> block row, -1 for the halo rows (read "beyond the edge")."""
    rows = np.full(left + keep + right, -1, dtype=np.int64)
    rows[left : left + keep] = np.arange(keep)
    return rows


def _strip(x, axis_x, ext, axis: int, start: int, stop: int):
    """Input ``x`` for output rows ``[start, stop)`` along ``axis``, joined (small)."""
    if axis_x == axis:  # extended along the strip's axis: its extended rows
        stop_ext = stop + ext.hi - ext.lo - 1
        if isinstance(x, Joined):
            return x.rows(start, stop_ext)
        return x[(slice(None),) * axis + (slice(start, stop_ext),)]
    if isinstance(x, Joined):  # extended along another axis: this slab, then joined
        return _whole(x.cut(axis, start, stop))
    if x.shape[axis] == 1:
        return x  # broadcast along the strip's axis
    return x[(slice(None),) * axis + (slice(start, stop),)]


def _constants(inputs, out_shape, out_chunks, name: str, tokens):
    """One layer holding, per output block, the extended pieces of the in-memory inputs.

    Metrics and masks are small (2-D) and in memory: they are extended once here,
    cut per block and stored in the graph, instead of one Dask layer each.
    """
    from dask.array import Array
    from dask.highlevelgraph import HighLevelGraph
    from dask.tokenize import tokenize

    axes = sorted({w for _, where, _ in inputs for w in where})
    starts = {w: np.concatenate([[0], np.cumsum(out_chunks[w])]).tolist() for w in axes}
    full = []
    for array, where, ext in inputs:
        a = np.asarray(array)
        if ext is not None:
            a = _extend_numpy(a, ext, out_shape[where[ext.axis]])
        full.append((a, where, ext))
    # Hashing the metrics' bytes costs ~10 ms per 1440x1080 metric: a grid hashes
    # them once and passes its token (see StaggeredGrid._token).
    parts = [a if t is None else t for (a, _, _), t in zip(full, tokens)]
    exts = [(where, ext) for _, where, ext in inputs]
    name = f"{name}-metrics-{tokenize(*parts, exts, out_shape, out_chunks)}"
    dsk = {}
    for idx in product(*(range(len(out_chunks[w])) for w in axes)):
        pieces = []
        for a, where, ext in full:
            cut = []
            for k, w in enumerate(where):
                j = idx[axes.index(w)]
                s, e = starts[w][j], starts[w][j + 1]
                if a.shape[k] == 1 and out_shape[w] != 1:
                    cut.append(slice(None))  # broadcast along w
                elif ext is not None and k == ext.axis:
                    cut.append(slice(s, e + ext.hi - 1 - ext.lo))
                else:
                    last = j == len(out_chunks[w]) - 1
                    cut.append(slice(s, a.shape[k] if last else e))
            pieces.append(a[tuple(cut)])
        dsk[(name, *idx)] = Pieces(tuple(pieces))
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=[])
    chunks = tuple(out_chunks[w] for w in axes)
    return Array(graph, name, chunks, meta=np.empty((0,) * len(axes))), axes


def _expand(block: np.ndarray, where: tuple[int, ...], ndim: int) -> np.ndarray:
    """View of ``block`` with size-1 axes inserted so it broadcasts to ``ndim`` dims."""
    if block.ndim == ndim:
        return block
    shape = [1] * ndim
    for k, axis in enumerate(where):
        shape[axis] = block.shape[k]
    return block.reshape(shape)


def run(
    kernel: Callable,
    inputs: Sequence[tuple[object, tuple[int, ...], Ext | None]],
    out_shape: tuple[int, ...],
    out_chunks: tuple[tuple[int, ...], ...] | None,
    dtype,
    name: str,
    tokens: Sequence[object] | None = None,
):
    """``kernel(*extended inputs)`` on numpy arrays, or one blockwise layer on Dask.

    Parameters
    ----------
    kernel : callable
        Function of the extended inputs (each broadcastable to the output block
        after its extension; in memory a :class:`Rows` for an extended input) and a
        keyword ``threads``, returning the output block.
    inputs : list of (array, where, ext)
        ``where[k]`` is the output axis of the array's axis ``k``; ``ext`` extends it
        (its ``axis`` counted in the array's own axes) or is None. On Dask, arrays
        must be chunked like the output along every axis they share with it (the
        last chunk may differ by the length difference).
    out_shape, out_chunks : the output's shape and, on Dask, its chunks.
    tokens : optional
        Per input, a token standing for its (in-memory) data, or None to hash it.

    Examples
    --------
    >>> x = np.arange(5.0)
    >>> ext = Ext(axis=0, lo=-1, hi=1, period=None, fill=np.nan)
    >>> def kernel(e, threads):
    ...     e = materialize(e)
    ...     return e[1:] - e[:-1]
    >>> run(kernel, [(x, (0,), ext)], (5,), None, float, "d")
    array([nan,  1.,  1.,  1.,  1.])
    """
    ndim = len(out_shape)
    if out_chunks is None or not any(is_dask(a) for a, _, _ in inputs):
        from fieldops.stencils.apply import get_num_threads

        extended = []
        for array, where, ext in inputs:
            a = _expand(np.asarray(array), where, ndim)
            if ext is not None:
                rows = row_map(array.shape[ext.axis], ext, out_shape[where[ext.axis]])
                a = Rows(a, where[ext.axis], rows, ext.fill)
            extended.append(a)
        return kernel(*extended, threads=get_num_threads())
    import dask.array as dsa
    from dask.tokenize import tokenize

    from fieldops.staggered.layers import edge_array

    letters = "abcdefghijklmnopqrstuvwxyz"
    args = []
    lazy = [is_dask(a) for a, _, _ in inputs]
    for (array, where, ext), is_lazy in zip(inputs, lazy):
        if not is_lazy:
            continue
        want = tuple(_chunks_like(out_chunks[w], array.shape[k]) for k, w in enumerate(where))
        a = array if array.chunks == want else array.rechunk(want)  # u and v chunked apart
        index = "".join(letters[w] for w in where)
        args += [a, index]
        if ext is not None:
            token = tokenize(a, ext, out_chunks[where[ext.axis]])
            edges = edge_array(a, ext, out_chunks[where[ext.axis]], f"{name}-edges-{token}")
            args += [edges, index]
    if not all(lazy):
        constants = [i for i, is_lazy in zip(inputs, lazy) if not is_lazy]
        const_tokens = [
            t for t, is_lazy in zip(tokens or [None] * len(inputs), lazy) if not is_lazy
        ]
        array, axes = _constants(constants, out_shape, out_chunks, name, const_tokens)
        args += [array, "".join(letters[w] for w in axes)]
    adjust = {letters[k]: c for k, c in enumerate(out_chunks)}
    return dsa.blockwise(
        _run_blocks,
        letters[:ndim],
        *args,
        kernel=kernel,
        exts=[ext for _, _, ext in inputs],
        ndim=ndim,
        expand=[where for _, where, _ in inputs],
        lazy=lazy,
        adjust_chunks=adjust,
        align_arrays=False,  # lengths n and n + 1 share an index: chunks matched above
        dtype=dtype,
        concatenate=True,
        name=f"{name}-{tokenize(kernel, *args[::2])}",
        meta=np.empty((0,) * ndim, dtype),
    )


def _chunks_like(out: tuple[int, ...], n: int) -> tuple[int, ...]:
    """Chunks of an axis of length ``n`` matching output chunks ``out`` but for the last."""
    if n == 1 and sum(out) != 1:
        return (1,)  # a broadcast axis
    last = out[-1] + n - sum(out)
    return (*out[:-1], last)
