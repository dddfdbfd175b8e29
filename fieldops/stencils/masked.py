"""Mask-aware derivatives: NaN cells act as domain boundaries (``nan_policy="omit"``).

The plain kernels run first (one fast pass). A valid point comes out NaN only when
its stencil touched a NaN; for those points alone a second kernel looks for the run
of valid points around it (within the stencil's reach), and differentiates with a
stencil inside that run: one-sided next to the gap, of the requested accuracy when
the run is long enough, of lower accuracy (down to ``order + 1`` points) when it is
short, and NaN when the run has fewer than ``order + 1`` points. Weights come from
Fornberg's recursion on the actual coordinates, so non-uniform grids work too.

Everything depends only on points within the stencil's reach, so Dask blocks with
the usual halo give the same numbers as the whole array.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from fieldops.stencils.apply import get_num_threads
from fieldops.stencils.weights import AxisStencil, edge_width


@njit(cache=True, nogil=True)
def fornberg_weights(x0, nodes, order, out, c):  # pragma: no cover
    """Fornberg's weights of the ``order``-th derivative at ``x0`` into ``out``.

    ``c`` is scratch space of at least ``(len(nodes), order + 1)``: no allocation
    per point.
    """
    npts = nodes.shape[0]
    scale = (nodes[npts - 1] - nodes[0]) / (npts - 1)
    if scale == 0.0:
        scale = 1.0
    c[:npts, : order + 1] = 0.0
    c1 = 1.0
    c4 = (nodes[0] - x0) / scale
    c[0, 0] = 1.0
    for i in range(1, npts):
        zi = (nodes[i] - x0) / scale
        mn = min(i, order)
        c2 = 1.0
        c5 = c4
        c4 = zi
        for j in range(i):
            c3 = zi - (nodes[j] - x0) / scale
            c2 *= c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[i, k] = c1 * (k * c[i - 1, k - 1] - c5 * c[i - 1, k]) / c2
                c[i, 0] = -c1 * c5 * c[i - 1, 0] / c2
            for k in range(mn, 0, -1):
                c[j, k] = (c4 * c[j, k] - k * c[j, k - 1]) / c3
            c[j, 0] = c4 * c[j, 0] / c3
        c1 = c2
    for i in range(npts):
        out[i] = c[i, order] / scale**order


@njit(cache=True, nogil=True)
def fix_gaps(
    f,
    out,
    x,
    periodic,
    period,
    n,
    order,
    width,
    reach,
    g0,
    g1,
    ishift,
    wrap,
    skip_lo,
    skip_hi,
    a0,
    a1,
):  # pragma: no cover
    """Recompute the valid points of rows ``[g0, g1)`` that came out NaN.

    ``f``/``out`` are ``(pre, rows, post)``; global row ``j`` of ``f`` is local row
    ``(j mod wrap if wrap else j) - ishift``; ``x`` holds the global coordinate,
    unwrapped by ``period`` across the seam of a ``periodic`` axis. Rows below
    ``skip_lo`` or from ``skip_hi`` on belong to a ``fill`` boundary and are left.
    """
    post = f.shape[2]
    nodes = np.empty(width)
    w = np.empty(width)
    scratch = np.empty((width, order + 1))
    # (a, i, c) order: contiguous memory in the innermost loop for every axis.
    for a in range(a0, a1):
        for i in range(max(g0, skip_lo), min(g1, skip_hi)):
            li = (i % wrap if wrap > 0 else i) - ishift
            for c in range(post):
                if f[a, li, c] != f[a, li, c]:
                    # A gap is outside the domain: no derivative there, even when
                    # a centered stencil with a zero middle weight would give one.
                    out[a, i - g0, c] = np.nan
                    continue
                if out[a, i - g0, c] == out[a, i - g0, c]:
                    continue
                lo = i
                while lo - 1 >= i - reach and (periodic or lo - 1 >= 0):
                    j = lo - 1
                    lj = (j % wrap if wrap > 0 else j) - ishift
                    if f[a, lj, c] != f[a, lj, c]:
                        break
                    lo = j
                hi = i
                while hi + 1 <= i + reach and (periodic or hi + 1 < n):
                    j = hi + 1
                    lj = (j % wrap if wrap > 0 else j) - ishift
                    if f[a, lj, c] != f[a, lj, c]:
                        break
                    hi = j
                npts = min(width, hi - lo + 1)
                if npts < order + 1:
                    continue
                start = min(max(i - npts // 2, lo), hi - npts + 1)
                for t in range(npts):
                    j = start + t
                    jj = j % n
                    nodes[t] = x[jj] + (j - jj) // n * period
                ii = i % n
                fornberg_weights(x[ii] + (i - ii) // n * period, nodes[:npts], order, w, scratch)
                acc = 0.0
                for t in range(npts):
                    j = start + t
                    lj = (j % wrap if wrap > 0 else j) - ishift
                    acc += w[t] * f[a, lj, c]
                out[a, i - g0, c] = acc


def omit_reach(order: int, accuracy: int) -> int:
    """How far (in rows) a gap-aware stencil may look: its width less one."""
    return edge_width(order, accuracy) - 1


def fix_nan_gaps(
    data: np.ndarray,
    result: np.ndarray,
    axis: int,
    stencil: AxisStencil,
    coord: np.ndarray,
    *,
    order: int,
    accuracy: int,
    boundary: str,
    period: float | None,
    out_rows: tuple[int, int] | None = None,
    in_start: int = 0,
    threads: int | None = None,
) -> np.ndarray:
    """Replace, in place, the NaN of ``result`` at valid points of ``data``.

    Points that are NaN in ``data`` are set to NaN in ``result``.

    ``result`` is the plain derivative of ``data`` (rows ``out_rows`` of the axis);
    ``data`` may be a Dask block with halos starting at global row ``in_start``.

    Examples
    --------
    >>> from fieldops.stencils.weights import build_stencil
    >>> from fieldops.stencils.apply import apply_stencil
    >>> x = np.arange(8.0)
    >>> f = np.array([0.0, 1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0])
    >>> st = build_stencil(x, 1, 2, "one_sided")
    >>> plain = apply_stencil(f, 0, st)
    >>> fix_nan_gaps(f, plain, 0, st, x, order=1, accuracy=2, boundary="one_sided",
    ...              period=None)
    array([ 1.,  1.,  1., nan,  1.,  1.,  1.,  1.])
    """
    n = stencil.n
    g0, g1 = out_rows if out_rows is not None else (0, n)
    axis = axis % data.ndim
    shape = data.shape
    pre = int(np.prod(shape[:axis], dtype=np.int64))
    post = int(np.prod(shape[axis + 1 :], dtype=np.int64))
    # the result's dtype: native byte order (netCDF3 data are big-endian), float16 widened
    f3 = np.ascontiguousarray(data, dtype=result.dtype).reshape(pre, shape[axis], post)
    if not result.flags.c_contiguous:
        raise ValueError("result must be C-contiguous")
    o3 = result.reshape(pre, g1 - g0, post)
    whole = in_start == 0 and shape[axis] == n
    periodic = boundary == "periodic"
    wrap = n if (periodic and whole) else 0
    span = float(coord[-1]) - float(coord[0])
    per = 0.0
    if periodic:
        per = abs(float(period)) * np.sign(span) if period else span / (n - 1) * n
    skip_lo, skip_hi = (stencil.lo, n - stencil.hi) if boundary == "fill" else (0, n)
    width = edge_width(order, accuracy)
    args = (
        f3,
        o3,
        np.asarray(coord, dtype=np.float64),
        periodic,
        per,
        n,
        order,
        width,
        omit_reach(order, accuracy),
        g0,
        g1,
        in_start,
        wrap,
        skip_lo,
        skip_hi,
    )
    nthreads = min(threads if threads is not None else get_num_threads(), pre)
    if nthreads <= 1 or f3.size < (1 << 18):
        fix_gaps(*args, 0, pre)
        return result
    # The kernel releases the GIL: split the outer (pre) range over threads.
    bounds = np.linspace(0, pre, nthreads + 1).round().astype(int)
    with ThreadPoolExecutor(nthreads) as pool:
        list(pool.map(lambda k: fix_gaps(*args, bounds[k], bounds[k + 1]), range(nthreads)))
    return result


@dataclass(frozen=True, eq=False)
class GapRule:
    """What :func:`fix_nan_gaps` needs besides the data: the axis's scheme.

    Handed to :func:`fieldops.core.apply_along` to make a derivative gap-aware
    (``nan_policy="omit"``); ``reach`` is how far its stencils may look.
    """

    coord: np.ndarray = field(repr=False)
    order: int
    accuracy: int
    boundary: str
    period: float | None = None

    @property
    def reach(self) -> int:
        """Rows on each side a gap-aware stencil may read."""
        return omit_reach(self.order, self.accuracy)

    def fix(
        self,
        data: np.ndarray,
        result: np.ndarray,
        axis: int,
        stencil: AxisStencil,
        *,
        out_rows: tuple[int, int] | None = None,
        in_start: int = 0,
        threads: int | None = None,
    ) -> np.ndarray:
        """:func:`fix_nan_gaps` of ``result`` (in place) under this rule."""
        if data.dtype.kind != "f":
            return result  # integers hold no NaN
        return fix_nan_gaps(
            data,
            result,
            axis,
            stencil,
            self.coord,
            order=self.order,
            accuracy=self.accuracy,
            boundary=self.boundary,
            period=self.period,
            out_rows=out_rows,
            in_start=in_start,
            threads=threads,
        )
