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

from fieldops.stencils.apply import _get_pool, _split


@numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)
def _vorticity(u, dxu, mu, ry, v, dyv, mv, rx, cols, area, has_mask, no_slip, zero, j0, j1, out):
    """out[p, j, i] = (fv[i+1] - fv[i] - (fu[j+1] - fu[j])) / area, with the coast rule."""
    npre, _, nx = out.shape
    d, lo, hi = cols
    for p in range(npre):
        pu = p if u.shape[0] > 1 else 0
        pv = p if v.shape[0] > 1 else 0
        pmu = p if mu.shape[0] > 1 else 0
        pmv = p if mv.shape[0] > 1 else 0
        for j in range(j0, j1):
            a0, a1 = ry[j], ry[j + 1]
            for i in range(nx):
                if lo <= i < hi:  # no edge, no wrap: plain neighbours (vectorisable)
                    b0 = i + d
                    b1 = b0 + 1
                else:
                    b0, b1 = rx[i], rx[i + 1]
                wet = 0
                fv0 = zero
                if b0 >= 0 and (not has_mask or mv[pmv, j, b0]):
                    fv0 = v[pv, j, b0] * dyv[0, j, b0]
                    wet += 1
                fv1 = zero
                if b1 >= 0 and (not has_mask or mv[pmv, j, b1]):
                    fv1 = v[pv, j, b1] * dyv[0, j, b1]
                    wet += 1
                fu0 = zero
                if a0 >= 0 and (not has_mask or mu[pmu, a0, i]):
                    fu0 = u[pu, a0, i] * dxu[0, a0, i]
                    wet += 1
                fu1 = zero
                if a1 >= 0 and (not has_mask or mu[pmu, a1, i]):
                    fu1 = u[pu, a1, i] * dxu[0, a1, i]
                    wet += 1
                val = (fv1 - fv0) - (fu1 - fu0)
                val = val / area[0, j, i]
                if has_mask and wet != 4:
                    if wet == 0:
                        val = np.nan
                    elif no_slip:
                        val = 2.0 * val
                    else:
                        val = 0.0
                out[p, j, i] = val


@numba.njit(nogil=True, cache=True, error_model="numpy", boundscheck=False)
def _divergence(
    u, dyu, mu, rx, cols, v, dxv, mv, ry, area, mt, has_mask, has_tmask, zero, j0, j1, out
):
    """out[p, j, i] = (fu[i] - fu[i-1] + fv[j] - fv[j-1]) / area, NaN on land."""
    npre, _, nx = out.shape
    d, lo, hi = cols
    for p in range(npre):
        pu = p if u.shape[0] > 1 else 0
        pv = p if v.shape[0] > 1 else 0
        pmu = p if mu.shape[0] > 1 else 0
        pmv = p if mv.shape[0] > 1 else 0
        pmt = p if mt.shape[0] > 1 else 0
        for j in range(j0, j1):
            a0, a1 = ry[j], ry[j + 1]
            for i in range(nx):
                if lo <= i < hi:
                    b0 = i + d
                    b1 = b0 + 1
                else:
                    b0, b1 = rx[i], rx[i + 1]
                fu0 = zero
                if b0 >= 0 and (not has_mask or mu[pmu, j, b0]):
                    fu0 = u[pu, j, b0] * dyu[0, j, b0]
                fu1 = zero
                if b1 >= 0 and (not has_mask or mu[pmu, j, b1]):
                    fu1 = u[pu, j, b1] * dyu[0, j, b1]
                fv0 = zero
                if a0 >= 0 and (not has_mask or mv[pmv, a0, i]):
                    fv0 = v[pv, a0, i] * dxv[0, a0, i]
                fv1 = zero
                if a1 >= 0 and (not has_mask or mv[pmv, a1, i]):
                    fv1 = v[pv, a1, i] * dxv[0, a1, i]
                val = fu1 - fu0
                val = val + (fv1 - fv0)
                val = val / area[0, j, i]
                if has_tmask and not mt[pmt, j, i]:
                    val = np.nan
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
    futures = [_get_pool().submit(kernel, *args, a, b, out) for a, b in _split(0, ny, threads)]
    for f in futures:
        f.result()
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
