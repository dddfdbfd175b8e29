"""The Dask layer that extends each block of a staggered operator's input (private).

Kept apart from :mod:`fieldops.staggered.blocks` so that importing fieldops does
not import Dask: :func:`edge_array` is reached only for Dask input.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

import numpy as np
from dask.highlevelgraph import HighLevelGraph

from fieldops.staggered.blocks import Ext
from fieldops.stencils.halo import BlockLayer, _take_rows


class EdgeLayer(BlockLayer):
    """One task per block: ``(left, right, keep)`` rows that extend it along ``axis``.

    ``plans[j]`` holds, for blocks ``j`` along ``axis``: the pieces ``(block, start,
    stop)`` of the left and right rows taken from neighbours, the fill rows to add
    before and after them, and how many rows of the block itself to keep.
    """

    def __init__(self, name, src, numblocks, axis, plans, fill, dtype):
        super().__init__(name, src, numblocks, axis)
        self.plans, self.fill, self.dtype = plans, fill, dtype

    def task(self, idx: tuple[int, ...]) -> tuple:
        (lparts, lpad), (rparts, rpad), keep = self.plans[idx[self.axis]]
        return (
            _edge_rows,
            self.axis,
            (self.src, *idx),
            self.source_keys(idx, lparts),
            [a for _, a, _ in lparts],
            [b for _, _, b in lparts],
            lpad,
            self.source_keys(idx, rparts),
            [a for _, a, _ in rparts],
            [b for _, _, b in rparts],
            rpad,
            keep,
            self.fill,
        )


def _fill_rows(block: np.ndarray, axis: int, count: int, fill: float) -> np.ndarray:
    shape = list(block.shape)
    shape[axis] = count
    return np.full(shape, fill, dtype=block.dtype)


def _edge_rows(axis, own, lb, la, lz, lpad, rb, ra, rz, rpad, keep, fill):
    """The rows left and right of one block (fill rows at closed edges), and its kept length."""
    left = [_fill_rows(own, axis, lpad, fill)] if lpad else []
    if lb:
        left.append(_take_rows(axis, lb, la, lz))
    right = [_take_rows(axis, rb, ra, rz)] if rb else []
    if rpad:
        right.append(_fill_rows(own, axis, rpad, fill))
    join = lambda parts: np.concatenate(parts, axis=axis) if parts else None  # noqa: E731
    return join(left), join(right), keep


def edge_array(x, ext: Ext, out_chunks: Sequence[int], name: str):
    """The pseudo-array of per-block ``(left, right, keep)`` extending ``x`` as ``ext`` says."""
    from dask.array import Array

    n = x.shape[ext.axis]
    in_starts = np.concatenate([[0], np.cumsum(x.chunks[ext.axis])]).tolist()
    out_starts = np.concatenate([[0], np.cumsum(out_chunks)]).tolist()

    def pieces(g0: int, g1: int) -> tuple[list, int, int]:
        """(pieces, fill before, fill after) for global input rows [g0, g1)."""
        out, before, after, g = [], 0, 0, g0
        while g < g1:
            r = g % ext.period if ext.period is not None else g
            if r < 0 or r >= n:
                if out or r >= n:
                    after += 1
                else:
                    before += 1
                g += 1
                continue
            j = bisect_right(in_starts, r) - 1
            stop = min(in_starts[j + 1], r + (g1 - g))
            out.append((j, r - in_starts[j], stop - in_starts[j]))
            g += stop - r
        return out, before, after

    plans = []
    for j in range(len(out_chunks)):
        s, e = out_starts[j], out_starts[j + 1]
        block_lo, block_hi = in_starts[j], in_starts[j + 1]
        need_lo, need_hi = s + ext.lo, e + ext.hi - 1
        keep = min(block_hi, need_hi) - block_lo
        lparts, lb, la = pieces(need_lo, block_lo)
        rparts, rb, ra = pieces(block_hi, need_hi)
        # Fill rows before the left slab, after the right (closed edges only).
        plans.append(((lparts, lb + la), (rparts, rb + ra), keep))
    layer = EdgeLayer(name, x.name, x.numblocks, ext.axis, plans, ext.fill, x.dtype)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=[x])
    return Array(graph, name, x.chunks, meta=np.empty((0,) * x.ndim, x.dtype))
