"""The column kernel of :func:`fieldops.interp_vertical`: numpy and Numba, no xarray.

Arrays are seen as ``(pre, nz, post)``: a column is ``[p, :, q]``, the level
axis in the middle wherever it is in the field (no transpose, no copy). Columns
are visited with ``q`` innermost, so that neighbouring columns share cache lines.
The kernel is plain loops (numbagg style), ``nogil``, split over threads by rows
of ``pre`` (or of ``post``) through the pool of :mod:`fieldops.stencils.apply`.

Per column and target value ``v`` (``x`` the vertical coordinate, ``f`` the field):

* levels where ``x`` or ``f`` is NaN are skipped;
* a column whose ``x`` is strictly monotonic (either way) is searched by
  bisection; in any other column (potential temperature with a
  superadiabatic layer, say) the *first* interval from level 0 whose ends
  bracket ``v`` is used: the answer is the one a walk along the level dim from
  its first level meets first;
* ``v`` outside the column's range: NaN, the value at the nearer end
  (``nearest``, the end of the column whose ``x`` is nearer ``v``), or the
  straight line through the two levels at that end (``linear``);
* ``linear``: linear in ``x``; ``log``: linear in ``ln x`` (``x <= 0`` is
  invalid); ``cubic``: the cubic Hermite polynomial through the interval's ends
  with slopes from three-point differences (exact for quadratics in ``x``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fieldops.stencils.apply import float_dtype, get_num_threads, pool_map, split_range

METHODS = ("linear", "log", "cubic")
EXTRAPOLATE = ("nan", "nearest", "linear")


@njit(cache=True, nogil=True)
def _slope(xs, fs, i, nv):  # pragma: no cover  (compiled)
    """df/dx at valid level ``i`` from three points (one-sided at the ends)."""
    if nv < 3:
        return (fs[1] - fs[0]) / (xs[1] - xs[0])
    if i == 0:
        x0, x1, x2, f0, f1, f2 = xs[0], xs[1], xs[2], fs[0], fs[1], fs[2]
        h0, h1 = x1 - x0, x2 - x1
        return (
            -(2 * h0 + h1) / (h0 * (h0 + h1)) * f0
            + (h0 + h1) / (h0 * h1) * f1
            - h0 / (h1 * (h0 + h1)) * f2
        )
    if i == nv - 1:
        x0, x1, x2 = xs[nv - 3], xs[nv - 2], xs[nv - 1]
        f0, f1, f2 = fs[nv - 3], fs[nv - 2], fs[nv - 1]
        h0, h1 = x1 - x0, x2 - x1
        return (
            h1 / (h0 * (h0 + h1)) * f0
            - (h0 + h1) / (h0 * h1) * f1
            + (2 * h1 + h0) / (h1 * (h0 + h1)) * f2
        )
    x0, x1, x2, f0, f1, f2 = xs[i - 1], xs[i], xs[i + 1], fs[i - 1], fs[i], fs[i + 1]
    h0, h1 = x1 - x0, x2 - x1
    return -h1 / (h0 * (h0 + h1)) * f0 + (h1 - h0) / (h0 * h1) * f1 + h0 / (h1 * (h0 + h1)) * f2


@njit(cache=True, nogil=True)
def _column(xs, fs, nv, direction, v, method, extrapolate):  # pragma: no cover
    """The value at ``v`` of one column's ``nv`` valid levels ``xs``/``fs``."""
    if nv == 0 or v != v:
        return np.nan
    if nv == 1:
        if v == xs[0] or extrapolate == 1:
            return fs[0]
        return np.nan
    i = -1
    if direction != 0:
        lo, hi = 0, nv - 1  # bisection: xs[lo] and xs[hi] bracket v
        if (v - xs[lo]) * direction >= 0 and (xs[hi] - v) * direction >= 0:
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if (v - xs[mid]) * direction >= 0:
                    lo = mid
                else:
                    hi = mid
            i = lo
    else:
        for k in range(nv - 1):  # the first crossing from level 0
            if (xs[k] <= v <= xs[k + 1]) or (xs[k + 1] <= v <= xs[k]):
                i = k
                break
    if i < 0:  # outside the column: the nearer end
        e, n = (0, 1) if abs(v - xs[0]) <= abs(v - xs[nv - 1]) else (nv - 1, nv - 2)
        if extrapolate == 0:
            return np.nan
        if extrapolate == 1:
            return fs[e]
        return fs[e] + (v - xs[e]) * (fs[n] - fs[e]) / (xs[n] - xs[e])
    h = xs[i + 1] - xs[i]
    if h == 0.0:
        return fs[i]
    t = (v - xs[i]) / h
    if method != 2 or nv < 3:
        return fs[i] + t * (fs[i + 1] - fs[i])
    d0 = _slope(xs, fs, i, nv) * h
    d1 = _slope(xs, fs, i + 1, nv) * h
    t2, t3 = t * t, t * t * t
    return (
        (2 * t3 - 3 * t2 + 1) * fs[i]
        + (t3 - 2 * t2 + t) * d0
        + (-2 * t3 + 3 * t2) * fs[i + 1]
        + (t3 - t2) * d1
    )


@njit(cache=True, nogil=True)
def _interp_block(f, x, t, out, method, extrapolate, p0, p1, q0, q1):  # pragma: no cover
    """Columns ``[p0, p1) x [q0, q1)`` of ``f``/``x`` ``(pre, nz, post)`` at targets ``t``.

    ``x`` and ``t`` may have 1 in place of ``pre`` or ``post`` (the same for
    every column); ``t`` is ``(pre|1, nt, post|1)``; ``out`` ``(pre, nt, post)``.
    """
    nz = f.shape[1]
    nt = t.shape[1]
    xs = np.empty(nz)
    fs = np.empty(nz)
    for p in range(p0, p1):
        px = p if x.shape[0] > 1 else 0
        pt = p if t.shape[0] > 1 else 0
        for q in range(q0, q1):
            qx = q if x.shape[2] > 1 else 0
            qt = q if t.shape[2] > 1 else 0
            nv = 0
            for k in range(nz):
                xv = np.float64(x[px, k, qx])
                fv = np.float64(f[p, k, q])
                if method == 1:
                    xv = math.log(xv) if xv > 0 else np.nan
                if xv == xv and fv == fv:
                    xs[nv] = xv
                    fs[nv] = fv
                    nv += 1
            up, down = True, True
            for k in range(nv - 1):
                if xs[k + 1] <= xs[k]:
                    up = False
                if xs[k + 1] >= xs[k]:
                    down = False
            direction = 1 if up else (-1 if down else 0)
            for j in range(nt):
                v = np.float64(t[pt, j, qt])
                if method == 1:
                    v = math.log(v) if v > 0 else np.nan
                out[p, j, q] = _column(xs, fs, nv, direction, v, method, extrapolate)


def interp_columns(
    f: np.ndarray, x: np.ndarray, t: np.ndarray, axis: int, method: str, extrapolate: str
) -> np.ndarray:
    """Interpolate ``f`` along ``axis`` from coordinate ``x`` to targets ``t`` (numpy).

    ``x`` has ``f``'s shape (or 1 on the axes before/after ``axis`` as a whole);
    ``t`` is 1-D (the same targets everywhere) or ``f``'s shape with ``nt`` along
    ``axis``. Returns ``f``'s shape with ``nt`` along ``axis``, float32 for
    float32 ``f``, float64 otherwise.

    Examples
    --------
    >>> f = np.array([[1.0, 2.0, 4.0]])
    >>> interp_columns(f, np.array([[0.0, 1.0, 2.0]]), np.array([0.5, 1.5]), 1,
    ...                "linear", "nan").tolist()
    [[1.5, 3.0]]
    """
    f = np.asarray(f)
    axis = axis % f.ndim
    pre = int(np.prod(f.shape[:axis], dtype=np.int64))
    post = int(np.prod(f.shape[axis + 1 :], dtype=np.int64))
    nz = f.shape[axis]
    f3 = np.ascontiguousarray(f).reshape(pre, nz, post)
    x3 = _as3(np.asarray(x), f.shape, axis, nz)
    t = np.asarray(t)
    if t.ndim == 1:
        nt = t.size
        t3 = np.ascontiguousarray(t, dtype=np.float64).reshape(1, nt, 1)
    else:
        nt = t.shape[axis]
        t3 = _as3(t, f.shape[:axis] + (nt,) + f.shape[axis + 1 :], axis, nt)
    out = np.empty((pre, nt, post), float_dtype(f.dtype))
    m, e = METHODS.index(method), EXTRAPOLATE.index(extrapolate)
    threads = max(1, min(get_num_threads(), pre * post // 4096))
    if threads == 1:
        _interp_block(f3, x3, t3, out, m, e, 0, pre, 0, post)
    else:
        if pre >= threads:
            jobs = [(a, b, 0, post) for a, b in split_range(0, pre, threads)]
        else:
            jobs = [(0, pre, a, b) for a, b in split_range(0, post, threads)]
        run = _interp_block
        pool_map(lambda j: run(f3, x3, t3, out, m, e, *j), jobs)
    return out.reshape(f.shape[:axis] + (nt,) + f.shape[axis + 1 :])


def _as3(a: np.ndarray, shape: tuple[int, ...], axis: int, n: int) -> np.ndarray:
    """``a`` as ``(pre|1, n, post|1)``, broadcast to ``shape`` where it must be."""
    pre = int(np.prod(shape[:axis], dtype=np.int64))
    post = int(np.prod(shape[axis + 1 :], dtype=np.int64))
    if a.shape == shape:
        return np.ascontiguousarray(a).reshape(pre, n, post)
    if a.ndim == len(shape):
        head, tail = a.shape[:axis], a.shape[axis + 1 :]
        if all(s == 1 for s in head) and tail == shape[axis + 1 :]:
            return np.ascontiguousarray(a).reshape(1, n, post)
        if head == shape[:axis] and all(s == 1 for s in tail):
            return np.ascontiguousarray(a).reshape(pre, n, 1)
        if all(s == 1 for s in head + tail):
            return np.ascontiguousarray(a).reshape(1, n, 1)
    return np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(pre, n, post)


# --------------------------------------------------------------------------- the correction


@njit(cache=True, nogil=True)
def _correct_rows(e, n, ds, se, sn, oe, on, r0, r1):  # pragma: no cover  (compiled)
    """oe = e - ds * se and on = n - ds * sn over rows ``[r0, r1)``, in one pass."""
    for r in range(r0, r1):
        for c in range(e.shape[1]):
            d = ds[r, c]
            oe[r, c] = e[r, c] - d * se[r, c]
            on[r, c] = n[r, c] - d * sn[r, c]


@njit(cache=True, nogil=True)
def _slope_rows(ez, nz, dz, oe, on, r0, r1):  # pragma: no cover  (compiled)
    """oe = ez / dz and on = nz / dz over rows ``[r0, r1)``, in one pass."""
    for r in range(r0, r1):
        for c in range(ez.shape[1]):
            inv = 1.0 / dz[r, c]
            oe[r, c] = ez[r, c] * inv
            on[r, c] = nz[r, c] * inv


def _rows(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(1, -1)


def _fresh(a: np.ndarray) -> bool:
    """True for an array this call made and may overwrite (a result of the kernels)."""
    return a.flags.writeable and a.flags.c_contiguous and a.flags.owndata


def fused_pair(kernel, a, b, c, d=None, e=None) -> tuple[np.ndarray, np.ndarray]:
    """Run a two-output row kernel over same-shape C-contiguous arrays, threaded.

    Writes into ``a`` and ``b`` when they are fresh (owned, writeable), else into
    new arrays. ``(a, b, c)`` for the slopes, ``(a, b, c, d, e)`` for the correction.
    """
    oa = a if _fresh(a) else np.empty_like(a)
    ob = b if _fresh(b) else np.empty_like(b)
    args = [_rows(x) for x in (a, b, c) + (() if d is None else (d, e))]
    outs = (_rows(oa), _rows(ob))
    rows = args[0].shape[0]
    threads = max(1, min(get_num_threads(), a.size // 65536))
    if threads == 1:
        kernel(*args, *outs, 0, rows)
    else:
        jobs = split_range(0, rows, threads)
        pool_map(lambda j: kernel(*args, *outs, *j), jobs)
    return oa, ob
