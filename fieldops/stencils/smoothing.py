"""Smoothing derivative stencils: Savitzky-Golay and derivative of a Gaussian.

Pure numpy, no xarray, no dask. Both are linear operators with a short support,
so they are built as :class:`~fieldops.stencils.weights.AxisStencil` tables and
applied by the same Numba kernels and Dask path as the finite differences: lazy,
chunk-invariant, float32 kept, and mixed partials by composition.

Both are *local polynomial regressions* evaluated at each output point:

* Savitzky-Golay: an unweighted least-squares polynomial of degree ``polyorder``
  over a window of ``2 * half + 1`` points (on the actual coordinate, so
  non-uniform grids work); the derivative of that polynomial at the point.
* Gaussian: a least-squares polynomial of degree ``order + 1`` weighted by
  ``exp(-t**2 / (2 sigma**2))`` times the cell width, truncated at
  ``truncate * sigma``. On a uniform grid away from the edges this is exactly the
  discrete derivative of a Gaussian, corrected so that its moments are those of the
  continuous kernel (it differentiates polynomials of degree ``order + 1`` exactly);
  near an edge the same fit on the points that exist keeps it unbiased to that
  degree, where plain truncated convolution would not be.

Edge rows follow the boundary modes: ``one_sided`` (savgol: the window is shifted
inside the axis, as ``scipy.signal.savgol_filter(mode="interp")``; gaussian: the
kernel is cut at the edge), ``periodic`` (nodes wrap with the period), ``mirror``
(even reflection) and ``fill``.
"""

from __future__ import annotations

from collections.abc import Callable
from math import factorial

import numpy as np

from fieldops.stencils.weights import AxisStencil, is_uniform

TRUNCATE = 4.0


def local_poly_weights(t: np.ndarray, w: np.ndarray, degree: int, order: int) -> np.ndarray:
    """Weights giving the ``order``-th derivative at ``t = 0`` of a weighted polynomial fit.

    Parameters
    ----------
    t : numpy.ndarray
        ``(..., K)`` node positions relative to the evaluation point.
    w : numpy.ndarray
        ``(..., K)`` non-negative fit weights (zero drops a node).
    degree : int
        Degree of the least-squares polynomial, ``>= order``.
    order : int
        Derivative order.

    Returns
    -------
    numpy.ndarray
        ``(..., K)`` weights ``c`` with ``sum(c * f) = p^(order)(0)``, ``p`` the fit.

    Examples
    --------
    >>> t = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    >>> local_poly_weights(t, np.ones(5), 2, 1) * 10
    array([-2., -1.,  0.,  1.,  2.])
    """
    t = np.asarray(t, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    scale = np.max(np.abs(t) * (w > 0), axis=-1, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    z = t / scale
    vander = z[..., None] ** np.arange(degree + 1)
    sw = np.sqrt(w)
    pinv = np.linalg.pinv(vander * sw[..., None])  # (..., degree + 1, K)
    return pinv[..., order, :] * sw * factorial(order) / scale**order


def _nodes(
    x: np.ndarray, i: int, rel: np.ndarray, boundary: str, period: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Source rows and node positions of the points ``i + rel`` under ``boundary``."""
    n = x.size
    pos = i + rel
    if boundary == "periodic":
        wraps = np.floor_divide(pos, n)
        return pos % n, x[pos % n] + wraps * period
    # mirror: even reflection about the edge point, f(x0 - d) = f(x0 + d).
    left, right = pos < 0, pos > n - 1
    src = np.where(left, -pos, np.where(right, 2 * (n - 1) - pos, pos))
    nodes = np.where(left, 2 * x[0] - x[src], np.where(right, 2 * x[-1] - x[src], x[src]))
    return src, nodes


def _merge(src: np.ndarray, w: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum the weights of terms that read the same source row."""
    uniq, inv = np.unique(src, return_inverse=True)
    merged = np.zeros(uniq.size)
    np.add.at(merged, inv, w)
    return uniq - i, merged


def _cell_widths(t: np.ndarray) -> np.ndarray:
    """Trapezoid cell widths of monotonic nodes along the last axis (quadrature weights)."""
    if t.shape[-1] < 2:
        return np.ones_like(t)
    return np.abs(np.gradient(t, axis=-1))


def _assemble(
    x: np.ndarray,
    half: int,
    interior: Callable[[np.ndarray], np.ndarray],
    edge_row: Callable[[int], tuple[np.ndarray, np.ndarray]],
    periodic: bool,
    uniform: bool,
) -> AxisStencil:
    """Build an AxisStencil from per-row weight functions.

    ``interior(t)`` maps ``(R, 2 half + 1)`` relative node positions to weights;
    ``edge_row(i)`` gives ``(offsets, weights)`` of edge row ``i``.
    """
    n = x.size
    rel = np.arange(-half, half + 1)
    rows = np.arange(half, n - half)
    if uniform:
        step = (x[-1] - x[0]) / (n - 1)
        w = interior((rel * step)[None, :])[0]
        w[np.abs(w) < 1e-13 * np.abs(w).max()] = 0.0
        keep = w != 0.0
        offsets, weights = rel[keep], w[keep][:, None]
    else:
        t = x[rows[:, None] + rel[None, :]] - x[rows][:, None]
        offsets, weights = rel, np.ascontiguousarray(interior(t).T)
    edge_rows = np.concatenate([np.arange(half), np.arange(n - half, n)]).astype(np.int64)
    terms = [edge_row(int(i)) for i in edge_rows]
    width = max([len(o) for o, _ in terms], default=1) or 1
    e_off = np.zeros((len(terms), width), dtype=np.int64)
    e_w = np.zeros((len(terms), width))
    e_nt = np.zeros(len(terms), dtype=np.int64)
    for e, (offs, wts) in enumerate(terms):
        e_nt[e] = len(offs)
        e_off[e, : len(offs)] = offs
        e_w[e, : len(offs)] = wts
    reach = int(np.abs(offsets).max(initial=0))
    if len(terms):
        reach = max(reach, int(np.abs(e_off).max()))
    return AxisStencil(
        n=n,
        lo=half,
        hi=half,
        offsets=offsets.astype(np.int64),
        weights=weights,
        edge_rows=edge_rows,
        edge_offsets=e_off,
        edge_weights=e_w,
        edge_nterms=e_nt,
        periodic=periodic,
        reach=reach,
    )


def _period(x: np.ndarray, period: float | None, uniform: bool) -> float:
    n = x.size
    span = x[-1] - x[0]
    if period is None:
        if not uniform:
            raise ValueError("a periodic non-uniform coordinate needs its period: pass period=")
        period = n * span / (n - 1)
    period = abs(float(period)) * np.sign(span)
    if abs(period) <= abs(span):
        raise ValueError(f"period {abs(period)} must exceed the coordinate span {abs(span)}")
    return period


def savgol_stencil(
    coord: np.ndarray,
    order: int,
    window: int,
    polyorder: int,
    boundary: str,
    *,
    period: float | None = None,
) -> AxisStencil:
    """Savitzky-Golay derivative stencil on a 1-D coordinate.

    Parameters
    ----------
    coord : numpy.ndarray
        Strictly monotonic coordinate (uniform or not).
    order : int
        Derivative order, ``<= polyorder``.
    window : int
        Odd number of points of the window, ``polyorder < window <= len(coord)``.
    polyorder : int
        Degree of the local least-squares polynomial.
    boundary : {"one_sided", "periodic", "fill", "mirror"}
        Edge rule.
    period : float, optional
        Period of a periodic coordinate (inferred on a uniform grid).

    Returns
    -------
    AxisStencil

    Examples
    --------
    >>> st = savgol_stencil(np.arange(9.0), 1, 5, 2, "one_sided")
    >>> st.as_dense()[4] * 10
    array([ 0.,  0., -2., -1.,  0.,  1.,  2.,  0.,  0.])
    """
    x = np.asarray(coord, dtype=np.float64)
    uniform = is_uniform(coord)
    n = x.size
    if window % 2 == 0 or window < 1:
        raise ValueError(f"window must be an odd number of points, got {window}")
    if window > n:
        raise ValueError(f"window of {window} points is longer than the axis ({n} points)")
    if not order <= polyorder < window:
        raise ValueError(
            f"savgol needs order <= polyorder < window; got order {order}, "
            f"polyorder {polyorder}, window {window}"
        )
    half = window // 2
    if boundary == "periodic":
        period = _period(x, period, uniform)

    def interior(t: np.ndarray) -> np.ndarray:
        return local_poly_weights(t, np.ones_like(t), polyorder, order)

    def edge_row(i: int) -> tuple[np.ndarray, np.ndarray]:
        if boundary == "fill":
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if boundary == "one_sided":
            start = min(max(i - half, 0), n - window)
            idx = np.arange(start, start + window)
            return idx - i, interior(x[idx] - x[i])
        src, nodes = _nodes(x, i, np.arange(-half, half + 1), boundary, period)
        return _merge(src, interior(nodes - x[i]), i)

    return _assemble(x, half, interior, edge_row, boundary == "periodic", uniform)


def gaussian_half_width(coord: np.ndarray, sigma: float, truncate: float = TRUNCATE) -> int:
    """Points on either side that a Gaussian truncated at ``truncate * sigma`` reaches.

    Examples
    --------
    >>> gaussian_half_width(np.arange(10.0) * 0.5, 0.5)
    4
    """
    x = np.asarray(coord, dtype=np.float64)
    if x[-1] < x[0]:
        x = x[::-1]
    reach = truncate * sigma * (1 + 1e-12)
    right = np.searchsorted(x, x + reach, side="right") - 1 - np.arange(x.size)
    left = np.arange(x.size) - np.searchsorted(x, x - reach, side="left")
    return int(max(right.max(initial=0), left.max(initial=0)))


def gaussian_stencil(
    coord: np.ndarray,
    order: int,
    sigma: float,
    boundary: str,
    *,
    period: float | None = None,
    truncate: float = TRUNCATE,
) -> AxisStencil:
    """Derivative-of-Gaussian stencil, ``sigma`` in coordinate units.

    Parameters
    ----------
    coord : numpy.ndarray
        Strictly monotonic coordinate (uniform or not).
    order : int
        Derivative order.
    sigma : float
        Standard deviation of the Gaussian, in the coordinate's units (> 0).
    boundary : {"one_sided", "periodic", "fill", "mirror"}
        Edge rule.
    period : float, optional
        Period of a periodic coordinate (inferred on a uniform grid).
    truncate : float, default 4.0
        The kernel is cut at ``truncate * sigma``.

    Returns
    -------
    AxisStencil

    Examples
    --------
    >>> x = np.linspace(0.0, 1.0, 21)
    >>> st = gaussian_stencil(x, 1, 0.1, "one_sided")
    >>> np.allclose(st.as_dense() @ (3 * x**2 - x), 6 * x - 1)
    True
    """
    x = np.asarray(coord, dtype=np.float64)
    uniform = is_uniform(coord)
    n = x.size
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive number, got {sigma!r}")
    degree = order + 1
    half = gaussian_half_width(x, sigma, truncate)
    if 2 * half + 1 > n:
        raise ValueError(
            f"sigma={sigma} is too wide for the axis: the kernel spans {2 * half + 1} points "
            f"(to {truncate} sigma) but the axis has {n}; use a smaller sigma"
        )
    if boundary == "periodic":
        period = _period(x, period, uniform)
    spacing = float(np.median(np.abs(np.diff(x))))
    need = degree if boundary == "one_sided" else (degree + 1) // 2

    def weights_of(t: np.ndarray) -> np.ndarray:
        t = np.atleast_2d(t)
        gauss = np.exp(-0.5 * (t / sigma) ** 2) * (np.abs(t) <= truncate * sigma * (1 + 1e-12))
        cells = _cell_widths(t)
        return local_poly_weights(t, gauss * cells, degree, order)

    if half < need:
        raise ValueError(
            f"sigma={sigma} is too small for the grid spacing ({spacing:g}): the kernel must "
            f"reach {need} points on each side; use sigma >= {need * spacing / truncate:g}"
        )

    def edge_row(i: int) -> tuple[np.ndarray, np.ndarray]:
        if boundary == "fill":
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if boundary == "one_sided":
            idx = np.arange(max(i - half, 0), min(i + half, n - 1) + 1)
            return idx - i, weights_of(x[idx] - x[i])[0]
        src, nodes = _nodes(x, i, np.arange(-half, half + 1), boundary, period)
        return _merge(src, weights_of(nodes - x[i])[0], i)

    return _assemble(x, half, weights_of, edge_row, boundary == "periodic", uniform)
