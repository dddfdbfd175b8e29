"""One-pass Numba kernels of the C-grid vorticity and divergence (private).

The numpy kernels of :mod:`fieldops.staggered.operators` make a temporary per
term; these read u, v and the metrics once and write the result once, reading
the rows beyond a block or an edge through a row map (``-1``: beyond a closed
edge: no flux, no water) instead of an extended copy. They compute the same
expression in the same order as the numpy kernels (no fast-math), so results
agree to the bit. Used for accuracy 2 when x and y are the last two dims.
"""

from __future__ import annotations

import numba
import numpy as np

from fieldops.stencils.apply import pool_map, split_range


@numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)
def _vorticity(u, dxu, mu, ry, v, dyv, mv, rx, cols, area, has_mask, no_slip, zero, j0, j1, out):
    """out[p, j, i] = (fv[i+1] - fv[i] - (fu[j+1] - fu[j])) / area, with the coast rule.

    Row by row: the fluxes of the row's faces go to small buffers first (contiguous
    loops the compiler vectorises), then one loop combines them.
    """
    npre, _, nx = out.shape
    d, lo, hi = cols
    fv = np.empty(nx + 1, out.dtype)
    fu0 = np.empty(nx, out.dtype)
    fu1 = np.empty(nx, out.dtype)
    wv = np.zeros(nx + 1, np.int8)
    wu0 = np.zeros(nx, np.int8)
    wu1 = np.zeros(nx, np.int8)
    two = out.dtype.type(2)  # 2 u / dy at a no-slip coast: exact in any precision
    nan = out.dtype.type(np.nan)
    for p in range(npre):
        pu = p if u.shape[0] > 1 else 0
        pv = p if v.shape[0] > 1 else 0
        pmu = p if mu.shape[0] > 1 else 0
        pmv = p if mv.shape[0] > 1 else 0
        for j in range(j0, j1):
            for i in range(nx + 1):  # V faces along the row
                b = i + d if lo <= i <= hi else rx[i]
                if b >= 0 and (not has_mask or mv[pmv, j, b]):
                    fv[i] = v[pv, j, b] * dyv[0, j, b]
                    wv[i] = 1
                else:
                    fv[i] = zero
                    wv[i] = 0
            a0, a1 = ry[j], ry[j + 1]
            for a, fu, wu in ((a0, fu0, wu0), (a1, fu1, wu1)):  # U faces below, above
                if a < 0:
                    fu[:] = zero
                    wu[:] = 0
                elif has_mask:
                    for i in range(nx):
                        wet = mu[pmu, a, i]
                        fu[i] = u[pu, a, i] * dxu[0, a, i] if wet else zero
                        wu[i] = wet
                else:
                    for i in range(nx):
                        fu[i] = u[pu, a, i] * dxu[0, a, i]
                        wu[i] = 1
            if not has_mask:
                for i in range(nx):
                    val = (fv[i + 1] - fv[i]) - (fu1[i] - fu0[i])
                    out[p, j, i] = val / area[0, j, i]
                continue
            for i in range(nx):
                val = (fv[i + 1] - fv[i]) - (fu1[i] - fu0[i])
                val = val / area[0, j, i]
                wet = wv[i] + wv[i + 1] + wu0[i] + wu1[i]
                coast = val * two if no_slip else zero
                out[p, j, i] = val if wet == 4 else (coast if wet > 0 else nan)


@numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)
def _divergence(
    u, dyu, mu, rx, cols, v, dxv, mv, ry, area, mt, has_mask, has_tmask, zero, j0, j1, out
):
    """out[p, j, i] = (fu[i] - fu[i-1] + fv[j] - fv[j-1]) / area, NaN on land.

    Row by row through small flux buffers, as :func:`_vorticity`.
    """
    npre, _, nx = out.shape
    d, lo, hi = cols
    fu = np.empty(nx + 1, out.dtype)
    fv0 = np.empty(nx, out.dtype)
    fv1 = np.empty(nx, out.dtype)
    nan = out.dtype.type(np.nan)
    for p in range(npre):
        pu = p if u.shape[0] > 1 else 0
        pv = p if v.shape[0] > 1 else 0
        pmu = p if mu.shape[0] > 1 else 0
        pmv = p if mv.shape[0] > 1 else 0
        pmt = p if mt.shape[0] > 1 else 0
        for j in range(j0, j1):
            for i in range(nx + 1):  # U faces along the row
                b = i + d if lo <= i <= hi else rx[i]
                if b >= 0 and (not has_mask or mu[pmu, j, b]):
                    fu[i] = u[pu, j, b] * dyu[0, j, b]
                else:
                    fu[i] = zero
            for a, fv in ((ry[j], fv0), (ry[j + 1], fv1)):  # V faces below, above
                if a < 0:
                    fv[:] = zero
                elif has_mask:
                    for i in range(nx):
                        fv[i] = v[pv, a, i] * dxv[0, a, i] if mv[pmv, a, i] else zero
                else:
                    for i in range(nx):
                        fv[i] = v[pv, a, i] * dxv[0, a, i]
            for i in range(nx):
                val = fu[i + 1] - fu[i]
                val = val + (fv1[i] - fv0[i])
                val = val / area[0, j, i]
                if has_tmask:
                    val = val if mt[pmt, j, i] else nan
                out[p, j, i] = val


def _columns(rx: np.ndarray) -> tuple[int, int, int]:
    """``(d, lo, hi)``: outputs ``lo <= i < hi`` read x rows ``i + d`` and ``i + 1 + d``."""
    n = rx.size - 1
    d = int(rx[1]) - 1 if n >= 1 else 0
    ok = (rx == np.arange(rx.size) + d) & (rx >= 0)
    pair = ok[:-1] & ok[1:]
    if not pair.any():
        return 0, 0, 0
    lo = int(np.argmax(pair))
    hi = n - int(np.argmax(pair[::-1]))
    if not pair[lo:hi].all():
        return 0, 0, 0
    return d, lo, hi


def _three(a: np.ndarray) -> np.ndarray:
    """``a`` as ``(pre, y, x)`` (a view when the pre dims are contiguous)."""
    return a.reshape((-1, *a.shape[-2:]))


def _dummy_mask() -> np.ndarray:
    return np.ones((1, 1, 1), bool)


def _metric(a: np.ndarray) -> np.ndarray | None:
    """A metric varying only in y and x as ``(1, y, x)``; None when it varies in more."""
    if a.ndim > 2 and any(s != 1 for s in a.shape[:-2]):
        return None
    return a.reshape((1, *a.shape[-2:]))


def _run(kernel, out: np.ndarray, args: tuple, threads: int) -> np.ndarray:
    ny = out.shape[1]
    if threads <= 1 or ny < 2 * threads or out.size < 200_000:
        kernel(*args, 0, ny, out)
        return out
    pool_map(lambda part: kernel(*args, *part, out), split_range(0, ny, threads))
    return out


def vorticity(u, ry, dxu, v, rx, dyv, area, mu, mv, *, slip: str, dtype, threads: int):
    """The C-grid vorticity in one pass, or None when the shapes do not suit the kernel."""
    metrics = [_metric(m) for m in (dxu, dyv, area)]
    if any(m is None for m in metrics):
        return None
    has_mask = mu is not None and mv is not None
    mu3 = _three(mu) if has_mask else _dummy_mask()
    mv3 = _three(mv) if has_mask else _dummy_mask()
    u3, v3 = _three(u), _three(v)
    npre = max(u3.shape[0], v3.shape[0], mu3.shape[0], mv3.shape[0])
    out = np.empty((npre, area.shape[-2], area.shape[-1]), dtype)
    args = (u3, metrics[0], mu3, ry, v3, metrics[1], mv3, rx, _columns(rx), metrics[2], has_mask)
    _run(_vorticity, out, (*args, slip == "no-slip", out.dtype.type(0)), threads)
    return out


def divergence(u, rx, dyu, v, ry, dxv, area, mu, mv, mt, *, dtype, threads: int):
    """The C-grid divergence in one pass, or None when the shapes do not suit the kernel."""
    metrics = [_metric(m) for m in (dyu, dxv, area)]
    if any(m is None for m in metrics):
        return None
    has_mask = mu is not None and mv is not None
    mu3 = _three(mu) if has_mask else _dummy_mask()
    mv3 = _three(mv) if has_mask else _dummy_mask()
    mt3 = _three(mt) if mt is not None else _dummy_mask()
    u3, v3 = _three(u), _three(v)
    npre = max(u3.shape[0], v3.shape[0], mu3.shape[0], mv3.shape[0], mt3.shape[0])
    out = np.empty((npre, area.shape[-2], area.shape[-1]), dtype)
    args = (u3, metrics[0], mu3, rx, _columns(rx), v3, metrics[1], mv3, ry, metrics[2], mt3)
    args = (*args, has_mask)
    _run(_divergence, out, (*args, mt is not None, out.dtype.type(0)), threads)
    return out
