"""Mask-aware derivatives: NaN cells act as domain boundaries (``nan_policy="omit"``).

The plain kernels run first (one fast pass). A valid point comes out NaN only when
its stencil touched a NaN; for those points alone a second kernel looks for the run
of valid points around it (within the stencil's reach), and differentiates with a
stencil inside that run: one-sided next to the gap, of the requested accuracy when
the run is long enough, of lower accuracy (down to ``order + 1`` points) when it is
short, and NaN when the run has fewer than ``order + 1`` points. Weights come from
Fornberg's recursion on the actual coordinates, so non-uniform grids work too.

Finding those points is most of the second pass's cost: a vectorised scan compares
the NaN of input and output chunk by chunk, and on in-memory arrays it runs inside
the plain kernel's jobs, a block of lines or rows right after the block is computed,
while it is in cache (:func:`lines_then_gaps`, :func:`rows_then_gaps`).

Everything depends only on points within the stencil's reach, so Dask blocks with
the usual halo give the same numbers as the whole array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from fieldops.stencils.apply import SecondPass, _get_pool, _split, get_num_threads
from fieldops.stencils.kernels import interior_inner_axis, interior_last_axis
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


# Points per chunk of the candidate scan: long enough for the vector loop to pay,
# short enough that the scalar visit of a chunk with a gap stays cheap.
_CHUNK = 64


@njit(cache=True, nogil=True, inline="always")
def _mismatch(fs, os):  # pragma: no cover
    """True when some point is NaN in exactly one of ``fs`` and ``os``.

    Branch-free, so LLVM vectorises it: the scan that finds the few points to fix
    costs a fraction of a scalar visit of every point.
    """
    m = 0
    for k in range(fs.shape[0]):
        m |= (fs[k] != fs[k]) ^ (os[k] != os[k])
    return m != 0


@njit(cache=True, nogil=True, inline="always")
def _fix_point(
    ff, of, fb, ob, step, i, x, periodic, period, n, order, width, reach, g0, ishift, wrap,
    nodes, w, scratch,
):  # fmt: skip  # pragma: no cover
    """Point ``i`` (global) of one line along the axis.

    The line's local row ``r`` is ``ff[fb + r * step]`` (``of[ob + r * step]`` for
    the output): flat indices rather than a strided view per point, whose setup
    cost more than the point's work.
    """
    o = ob + (i - g0) * step
    v = ff[fb + (i - ishift) * step]
    if v != v:
        # A gap is outside the domain: no derivative there, even when a centered
        # stencil with a zero middle weight would give one.
        if of[o] == of[o]:
            of[o] = np.nan
        return
    if of[o] == of[o]:
        return
    lo = i
    while lo - 1 >= i - reach and (periodic or lo - 1 >= 0):
        j = lo - 1
        v = ff[fb + ((j % wrap if wrap > 0 else j) - ishift) * step]
        if v != v:
            break
        lo = j
    hi = i
    while hi + 1 <= i + reach and (periodic or hi + 1 < n):
        j = hi + 1
        v = ff[fb + ((j % wrap if wrap > 0 else j) - ishift) * step]
        if v != v:
            break
        hi = j
    npts = min(width, hi - lo + 1)
    if npts < order + 1:
        return
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
        acc += w[t] * ff[fb + ((j % wrap if wrap > 0 else j) - ishift) * step]
    of[o] = acc


@njit(cache=True, nogil=True)
def fix_gaps(
    ff, of, rows, orows, post, x, periodic, period, n, order, width, reach, g0, ishift, wrap,
    a0, a1, i0, i1,
):  # fmt: skip  # pragma: no cover
    """Recompute the valid points of rows ``[i0, i1)`` that came out NaN.

    ``ff``/``of`` are the flat input and output, ``(pre, rows, post)`` and
    ``(pre, orows, post)``; the output starts at global row ``g0``; global row
    ``j`` of the input is local row ``(j mod wrap if wrap else j) - ishift``;
    ``x`` holds the global coordinate, unwrapped by ``period`` across the seam of
    a ``periodic`` axis. Only chunks where the NaN of input and output disagree
    are visited point by point.
    """
    nodes = np.empty(width)
    w = np.empty(width)
    scratch = np.empty((width, order + 1))
    for a in range(a0, a1):
        if post == 1:
            fb = a * rows
            ob = a * orows
            for b0 in range(i0, i1, _CHUNK):
                b1 = min(b0 + _CHUNK, i1)
                fs = ff[fb + b0 - ishift : fb + b1 - ishift]
                if not _mismatch(fs, of[ob + b0 - g0 : ob + b1 - g0]):
                    continue
                for i in range(b0, b1):
                    fv = fs[i - b0]
                    ov = of[ob + i - g0]
                    if (fv != fv) == (ov != ov):
                        continue
                    _fix_point(
                        ff, of, fb, ob, 1, i, x, periodic, period, n, order, width, reach,
                        g0, ishift, wrap, nodes, w, scratch,
                    )  # fmt: skip
            continue
        for i in range(i0, i1):
            fr = (a * rows + i - ishift) * post
            orow = (a * orows + i - g0) * post
            for b0 in range(0, post, _CHUNK):
                b1 = min(b0 + _CHUNK, post)
                if not _mismatch(ff[fr + b0 : fr + b1], of[orow + b0 : orow + b1]):
                    continue
                for c in range(b0, b1):
                    fv = ff[fr + c]
                    ov = of[orow + c]
                    if (fv != fv) == (ov != ov):
                        continue  # cheaper here than a call that returns at once
                    _fix_point(
                        ff, of, a * rows * post + c, a * orows * post + c, post, i, x,
                        periodic, period, n, order, width, reach, g0, ishift, wrap, nodes,
                        w, scratch,
                    )  # fmt: skip


# Lines (rows) per block of the fused passes: a block's input and output (16
# lines of 4000 float64: 1 MB) are still in L2 when the fix-up scans them, about
# five times faster than reading them back from memory.
_LINES = 16


@njit(cache=True, nogil=True)
def lines_then_gaps(
    f2, o2, offsets, weights, a0, a1, r0, r1, oshift, ishift, e_rows, e_offsets, e_weights,
    e_nterms, fill_value, wrap, x, periodic, period, n, order, width, reach, g0, _wrap, i0, i1,
):  # fmt: skip  # pragma: no cover
    """``interior_last_axis`` then :func:`fix_gaps` of rows ``[i0, i1)``, block of
    lines by block of lines (``(pre, n)`` arrays)."""
    ff = f2.reshape(f2.size)
    of = o2.reshape(o2.size)
    for b0 in range(a0, a1, _LINES):
        b1 = min(b0 + _LINES, a1)
        interior_last_axis(
            f2, o2, offsets, weights, b0, b1, r0, r1, oshift, ishift, e_rows, e_offsets,
            e_weights, e_nterms, fill_value, wrap,
        )  # fmt: skip
        fix_gaps(
            ff, of, f2.shape[1], o2.shape[1], 1, x, periodic, period, n, order, width, reach,
            g0, ishift, wrap, b0, b1, i0, i1,
        )  # fmt: skip


@njit(cache=True, nogil=True)
def rows_then_gaps(
    f3, o3, offsets, weights, a0, a1, r0, r1, oshift, ishift, x, periodic, period, n, order,
    width, reach, g0, wrap, i0, i1,
):  # fmt: skip  # pragma: no cover
    """``interior_inner_axis`` of whole rows ``[r0, r1)`` then :func:`fix_gaps` of
    those in ``[i0, i1)``, block of rows by block of rows."""
    ff = f3.reshape(f3.size)
    of = o3.reshape(o3.size)
    post = f3.shape[2]
    per_row = weights.shape[1] > 1
    for a in range(a0, a1):
        for b0 in range(r0, r1, _LINES):
            b1 = min(b0 + _LINES, r1)
            # the block's own columns of per-row weights (one slice type either way)
            w0, w1 = (b0 - r0, b1 - r0) if per_row else (0, 1)
            interior_inner_axis(
                f3, o3, offsets, weights[:, w0:w1], a, a + 1, b0, b1, 0, post, oshift, ishift
            )
            fix_gaps(
                ff, of, f3.shape[1], o3.shape[1], post, x, periodic, period, n, order, width,
                reach, g0, ishift, wrap, a, a + 1, max(b0, i0), min(b1, i1),
            )  # fmt: skip


@njit(cache=True, nogil=True)
def gaps_of_rows(
    f3, o3, a0, a1, r0, r1, ishift, x, periodic, period, n, order, width, reach, g0, wrap, i0,
    i1,
):  # fmt: skip  # pragma: no cover
    """:func:`fix_gaps` of rows ``[r0, r1)`` within ``[i0, i1)`` of ``(pre, n, post)`` arrays."""
    fix_gaps(
        f3.reshape(f3.size), o3.reshape(o3.size), f3.shape[1], o3.shape[1], f3.shape[2], x,
        periodic, period, n, order, width, reach, g0, ishift, wrap, a0, a1, max(r0, i0),
        min(r1, i1),
    )  # fmt: skip


def omit_reach(order: int, accuracy: int) -> int:
    """How far (in rows) a gap-aware stencil may look: its width less one."""
    return edge_width(order, accuracy) - 1


def _params(stencil, coord, order, accuracy, boundary, period, rows, in_start, length):
    """The scalar arguments of :func:`fix_gaps` from ``x`` to ``wrap``, and its rows.

    ``rows`` are the output's global rows, ``length`` the input's along the axis.
    """
    n = stencil.n
    g0, g1 = rows
    whole = in_start == 0 and length == n
    periodic = boundary == "periodic"
    wrap = n if (periodic and whole) else 0
    span = float(coord[-1]) - float(coord[0])
    per = 0.0
    if periodic:
        per = abs(float(period)) * np.sign(span) if period else span / (n - 1) * n
    skip_lo, skip_hi = (stencil.lo, n - stencil.hi) if boundary == "fill" else (0, n)
    width = edge_width(order, accuracy)
    x = np.asarray(coord, dtype=np.float64)
    params = (x, periodic, per, n, order, width, omit_reach(order, accuracy), g0, in_start, wrap)
    return params, (max(g0, skip_lo), min(g1, skip_hi))


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
    params, (i0, i1) = _params(stencil, coord, order, accuracy, boundary, period, (g0, g1),
                               in_start, shape[axis])  # fmt: skip
    args = (f3.reshape(-1), o3.reshape(-1), shape[axis], g1 - g0, post, *params)
    nthreads = threads if threads is not None else get_num_threads()
    if nthreads <= 1 or f3.size < (1 << 18) or i1 <= i0:
        fix_gaps(*args, 0, pre, i0, i1)
        return result
    # Threads split the lines, or the rows when there are too few lines (axis 0).
    if pre >= nthreads:
        jobs = [(a0, a1, i0, i1) for a0, a1 in _split(0, pre, nthreads)]
    else:
        jobs = [(0, pre, r0, r1) for r0, r1 in _split(i0, i1, nthreads)]
    list(_get_pool().map(lambda job: fix_gaps(*args, *job), jobs))
    return result


@dataclass(frozen=True, eq=False)
class GapRule:
    """What :func:`fix_nan_gaps` needs besides the data: the axis's scheme.

    Handed to :func:`fieldops.stencils.dispatch.apply_along` to make a derivative gap-aware
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

    def then(self, data: np.ndarray, axis: int, stencil: AxisStencil) -> SecondPass | None:
        """The ``then=`` of :func:`~fieldops.stencils.apply.apply_stencil` that makes
        its whole-array result gap-aware; None for integer data."""
        if data.dtype.kind != "f":
            return None
        axis = axis % data.ndim
        params, rows = _params(
            stencil, self.coord, self.order, self.accuracy, self.boundary, self.period,
            (0, stencil.n), 0, data.shape[axis],
        )  # fmt: skip
        args = params[:-2] + params[-1:] + rows  # in_start: the plain kernel's own
        return SecondPass(
            lines_then_gaps,
            rows_then_gaps,
            gaps_of_rows,
            args,
            lambda out: self.fix(data, out, axis, stencil),
        )

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
