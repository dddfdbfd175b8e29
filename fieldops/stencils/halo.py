"""Lazy halo exchange for Dask arrays (private).

:class:`HaloLayer` is a high-level graph layer that cuts, for every block, the
rows its stencils read from the neighbouring blocks along one axis (from as
many blocks as it takes, wrapped around periodic axes) into one task per block
holding the ``(left, right)`` slabs. Like :class:`dask.layers.ArrayOverlapLayer`
its tasks are made only when the graph is materialised, so building a graph
over hundreds of thousands of chunks costs next to nothing; unlike dask's
overlap it needs no concatenated copy of the block and no periodic padding
layers.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import product

import numpy as np
from dask.highlevelgraph import HighLevelGraph, Layer

from fieldops.stencils.weights import AxisStencil


class BlockLayer(Layer):
    """A lazy layer with one task per block of ``src``: its task dict is built only
    when the graph is materialised (as :class:`dask.layers.ArrayOverlapLayer`).

    Subclasses say what the task of block ``idx`` is (:meth:`task`).
    """

    def __init__(self, name: str, src: str, numblocks: tuple, axis: int) -> None:
        super().__init__()
        self.name, self.src, self.numblocks, self.axis = name, src, tuple(numblocks), axis

    def __repr__(self) -> str:
        return f"{type(self).__name__}<name={self.name!r}, axis={self.axis}>"

    def task(self, idx: tuple[int, ...]) -> tuple:
        """The task of block ``idx``."""
        raise NotImplementedError

    def source_keys(self, idx: tuple[int, ...], parts: list) -> list[tuple]:
        """The keys of the blocks of ``src`` that ``parts`` ``(block, start, stop)`` cut
        along ``axis``, at ``idx`` along the other axes."""
        ax = self.axis
        return [(self.src, *idx[:ax], k, *idx[ax + 1 :]) for k, _, _ in parts]

    @property
    def _dict(self) -> dict:
        if not hasattr(self, "_cached_dict"):
            blocks = product(*(range(n) for n in self.numblocks))
            self._cached_dict = {(self.name, *idx): self.task(idx) for idx in blocks}
        return self._cached_dict

    def __getitem__(self, key):
        return self._dict[key]

    def __iter__(self):
        return iter(self._dict)

    def __len__(self) -> int:
        return int(np.prod(self.numblocks, dtype=np.int64))

    def is_materialized(self) -> bool:
        return hasattr(self, "_cached_dict")

    def get_output_keys(self) -> set:
        return {(self.name, *idx) for idx in product(*(range(n) for n in self.numblocks))}


class HaloLayer(BlockLayer):
    """Lazy layer of halo slabs along one axis: key ``(name, *block)`` -> ``(left, right)``.

    ``halos[j]`` holds, for blocks ``j`` along ``axis``, the pieces ``(block,
    start, stop)`` of their left and right slabs.
    """

    def __init__(self, name: str, src: str, numblocks: tuple, axis: int, halos: list) -> None:
        super().__init__(name, src, numblocks, axis)
        self.halos = halos

    def task(self, idx: tuple[int, ...]) -> tuple:
        args = [_take_pair, self.axis]
        for parts in self.halos[idx[self.axis]]:
            args += [
                self.source_keys(idx, parts),
                [a for _, a, _ in parts],
                [b for _, _, b in parts],
            ]
        return tuple(args)


def rows_needed(stencil: AxisStencil, s: int, e: int) -> tuple[int, int]:
    """Input rows ``[lo, hi)`` that output rows ``[s, e)`` read (unwrapped if periodic).

    Exact per block: an interior block needs the interior stencil's half-width
    (half the window for savgol), a block holding edge rows their one-sided reach.

    Examples
    --------
    >>> from fieldops.stencils.dispatch import stencil_for
    >>> st = stencil_for(np.arange(10.0), 1, 2, "one_sided")
    >>> rows_needed(st, 0, 3), rows_needed(st, 4, 6)
    ((0, 4), (3, 7))
    """
    lo, hi = s, e
    r0, r1 = max(s, stencil.lo), min(e, stencil.n - stencil.hi)
    if r1 > r0 and stencil.offsets.size:
        lo = min(lo, r0 + int(stencil.offsets.min()))
        hi = max(hi, r1 + int(stencil.offsets.max()))
    for k in np.flatnonzero((stencil.edge_rows >= s) & (stencil.edge_rows < e)):
        nt = int(stencil.edge_nterms[k])
        if nt:
            row = int(stencil.edge_rows[k])
            offs = stencil.edge_offsets[k, :nt]
            lo = min(lo, row + int(offs.min()))
            hi = max(hi, row + int(offs.max()) + 1)
    return lo, hi


def _take_rows(axis: int, blocks: list, starts: list[int], stops: list[int]) -> np.ndarray:
    """Rows ``[a, b)`` along ``axis`` of each block, joined: one halo slab."""
    parts = []
    for blk, a, b in zip(blocks, starts, stops):
        index = (slice(None),) * axis + (slice(a, b),)
        parts.append(np.asarray(blk)[index])
    return parts[0].copy() if len(parts) == 1 else np.concatenate(parts, axis=axis)


def _take_pair(axis: int, lb: list, la: list, lz: list, rb: list, ra: list, rz: list) -> tuple:
    """The (left, right) halo slabs of one block (None for an empty side)."""
    left = _take_rows(axis, lb, la, lz) if lb else None
    right = _take_rows(axis, rb, ra, rz) if rb else None
    return left, right


def halo(x, axis: int, stencils: list[AxisStencil]):
    """A pseudo-array of ``(left, right)`` slabs per block of ``x`` along ``axis``.

    The slabs hold the rows every stencil of ``stencils`` reads beyond the block
    (wrapped for periodic stencils). None when ``axis`` is one chunk.
    """
    from dask.tokenize import tokenize

    chunks = x.chunks[axis]
    if len(chunks) == 1:
        return None
    starts = np.concatenate([[0], np.cumsum(chunks)]).tolist()
    rows = []
    for j in range(len(chunks)):
        needed = [rows_needed(st, starts[j], starts[j + 1]) for st in stencils]
        rows.append((min(a for a, _ in needed), max(b for _, b in needed)))
    return slabs(x, axis, rows, stencils[0].n, "fieldops-halo-" + tokenize(x, axis, stencils))


def slabs(x, axis: int, rows: list[tuple[int, int]], n: int, name: str):
    """The pseudo-array of ``(left, right)`` slabs when block ``j`` reads rows ``rows[j]``.

    ``rows[j] = (lo, hi)`` in global row numbers, beyond ``[0, n)`` on a periodic
    axis (wrapped).
    """
    from dask.array import Array

    starts = np.concatenate([[0], np.cumsum(x.chunks[axis])]).tolist()

    def pieces(g0: int, g1: int) -> list[tuple[int, int, int]]:
        """(block, local start, local stop) covering global rows [g0, g1) (wrapped)."""
        out, g = [], g0
        while g < g1:
            r = g % n
            j = bisect_right(starts, r) - 1
            stop = min(starts[j + 1], r + (g1 - g))
            out.append((j, r - starts[j], stop - starts[j]))
            g += stop - r
        return out

    halos = [(pieces(lo, starts[j]), pieces(starts[j + 1], hi)) for j, (lo, hi) in enumerate(rows)]
    layer = HaloLayer(name, x.name, x.numblocks, axis, halos)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=[x])
    return Array(graph, name, x.chunks, meta=np.empty((0,) * x.ndim, x.dtype))
