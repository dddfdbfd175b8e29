"""Quadrature weights of any accuracy on uniform and non-uniform 1-D coordinates.

Pure numpy (no xarray, no Dask), built once per coordinate and cached by the
callers. The rule is the one of the finite differences turned around: the
integral over each interval ``[x[i], x[i+1]]`` is the exact integral of the
polynomial through the ``accuracy + 2`` nodes nearest the interval (centred on
it in the interior, shifted inward at the edges, as the one-sided stencils of
:mod:`fieldops.stencils.weights`). The interpolation weights are Fornberg's
(order 0, :func:`~fieldops.stencils.weights.fornberg_rows`), integrated by
Gauss-Legendre sampling with enough points to be exact. So, with ``a`` the
accuracy:

- every interval is exact for polynomials of degree ``a + 1`` (so a fortiori
  for the degree ``a`` the accuracy promises), on any node spacing;
- the global error of the integral is ``O(h**(a + 2))``: ``accuracy=2`` is the
  four-point cubic rule (``(-1, 13, 13, -1) / 24`` per interval on a uniform
  grid, Simpson's order), ``accuracy=4`` the six-point quintic one;
- with a weight function ``w(x)`` (``cos(latitude)`` on the sphere) the
  polynomial is integrated against ``w`` exactly up to rounding ("product
  integration"), so the integral of 1 is ``∫ w`` itself to rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fieldops.stencils.weights import AxisStencil, fornberg_rows

Weight = Callable[[np.ndarray], np.ndarray]

# Gauss-Legendre points per interval with a smooth weight function: 12 points
# integrate polynomial * cos over an interval of up to ~45 degrees to rounding.
_WEIGHTED_POINTS = 12


def nodes_per_interval(accuracy: int) -> int:
    """Nodes of each interval's interpolant: ``accuracy + 2`` (an even count, centred)."""
    return accuracy + 2


def check_points(n: int, accuracy: int, dim: object) -> None:
    """Raise a ValueError naming the fix when ``n`` points cannot carry ``accuracy``."""
    need = nodes_per_interval(accuracy)  # the fewest points the rule needs
    if n < need:
        raise ValueError(
            f"integrating along {dim!r} at accuracy={accuracy} needs at least {need} points, "
            f"got {n}; pass a lower accuracy (accuracy=2 needs 4)"
        )


def window_starts(n: int, intervals: np.ndarray, accuracy: int) -> np.ndarray:
    """First node of the window of each interval ``[x[i], x[i+1]]`` (``i`` in ``intervals``)."""
    k = nodes_per_interval(accuracy)
    return np.clip(np.asarray(intervals) - (k // 2 - 1), 0, n - k)


def segment_weights(
    x: np.ndarray,
    intervals: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    accuracy: int,
    *,
    weight: Weight | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weights of ``∫_lower^upper f(t) w(t) dt`` from the window of each interval.

    Parameters
    ----------
    x : numpy.ndarray
        Strictly monotonic coordinate (float64), ``n >= accuracy + 2`` points.
    intervals : numpy.ndarray
        ``(m,)`` interval numbers ``i`` (``[x[i], x[i+1]]``) whose window to use;
        ``lower``/``upper`` may lie anywhere (a part of the interval, or beyond
        the ends of ``x`` to extrapolate, as up to a pole).
    lower, upper : numpy.ndarray
        ``(m,)`` limits of each segment.
    accuracy : int
        Even accuracy order (the window has ``accuracy + 2`` nodes).
    weight : callable, optional
        A smooth weight function ``w(t)``, vectorised.

    Returns
    -------
    starts : numpy.ndarray
        ``(m,)`` first node of each window.
    weights : numpy.ndarray
        ``(m, accuracy + 2)`` weights of the window's nodes.

    Examples
    --------
    >>> x = np.array([0.0, 0.4, 1.0, 1.3, 2.0])
    >>> s, w = segment_weights(x, np.array([1]), np.array([0.4]), np.array([1.0]), 2)
    >>> bool(np.isclose(w[0] @ x[s[0]:s[0] + 4] ** 3, (1.0 - 0.4**4) / 4))
    True
    """
    x = np.asarray(x, dtype=np.float64)
    k = nodes_per_interval(accuracy)
    intervals = np.asarray(intervals, dtype=np.int64)
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
    starts = window_starts(x.size, intervals, accuracy)
    m = intervals.size
    if m == 0:
        return starts, np.zeros((0, k))
    npts = _WEIGHTED_POINTS if weight is not None else k // 2 + 1
    t, gw = np.polynomial.legendre.leggauss(npts)
    half = (upper - lower) / 2
    mid = (upper + lower) / 2
    points = mid[:, None] + half[:, None] * t[None, :]  # (m, Q)
    nodes = x[starts[:, None] + np.arange(k)[None, :]]  # (m, K)
    # Lagrange (order-0 Fornberg) weights of every sample point from its window.
    lag = fornberg_rows(points.ravel(), np.repeat(nodes, npts, axis=0), 0).reshape(m, npts, k)
    factor = gw[None, :] * half[:, None]
    if weight is not None:
        factor = factor * weight(points)
    return starts, np.einsum("mq,mqk->mk", factor, lag)


def interval_weights(
    x: np.ndarray, accuracy: int, *, weight: Weight | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`segment_weights` of every whole interval ``[x[i], x[i+1]]``.

    Examples
    --------
    >>> s, w = interval_weights(np.arange(6.0), 2)
    >>> (w[2] * 24).round(12).tolist()
    [-1.0, 13.0, 13.0, -1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    i = np.arange(x.size - 1)
    return segment_weights(x, i, x[i], x[i + 1], accuracy, weight=weight)


def scatter(n: int, starts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum the windows' weights onto the ``n`` nodes: the weights of the whole integral."""
    out = np.zeros(n)
    k = weights.shape[1]
    np.add.at(out, (starts[:, None] + np.arange(k)[None, :]).ravel(), weights.ravel())
    return out


def definite_weights(
    x: np.ndarray,
    accuracy: int,
    *,
    lower: float | None = None,
    upper: float | None = None,
    weight: Weight | None = None,
) -> np.ndarray:
    """Weights ``w`` with ``sum(w * f) = ∫_lower^upper f(t) w(t) dt`` (``n`` values).

    ``lower``/``upper`` default to the ends of ``x`` and may lie between nodes
    (the interval holding a bound is integrated in part, from its own window)
    or beyond an end (extrapolated with the edge window: for a cap up to a
    pole). ``lower > upper`` gives the negated integral.

    Examples
    --------
    >>> x = np.sort(np.random.default_rng(0).uniform(0, 1, 12))
    >>> w = definite_weights(x, 2, lower=0.25, upper=0.75)
    >>> bool(np.isclose(w @ x**3, (0.75**4 - 0.25**4) / 4))
    True
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    sign = 1.0 if x[-1] > x[0] else -1.0
    # Work ascending; the weights of a descending coordinate are the same nodes'.
    xs = x * sign
    a = xs[0] if lower is None else float(lower) * sign
    b = xs[-1] if upper is None else float(upper) * sign
    flip = 1.0
    if a > b:
        a, b, flip = b, a, -1.0
    # Intervals that meet [a, b]: ends clipped to the bounds; beyond the nodes the
    # first/last interval's window extrapolates.
    edges = xs.copy()
    edges[0], edges[-1] = min(edges[0], a), max(edges[-1], b)
    i = np.arange(n - 1)
    lo = np.maximum(edges[i], a)
    hi = np.minimum(edges[i + 1], b)
    keep = hi > lo
    ws = None if weight is None else (lambda t: weight(t * sign))
    starts, w = segment_weights(xs, i[keep], lo[keep], hi[keep], accuracy, weight=ws)
    # d(sign * t) = sign dt: a descending coordinate integrates from its first value.
    return scatter(n, starts, w) * flip * sign


def increment_stencil(x: np.ndarray, accuracy: int) -> AxisStencil:
    """The stencil of ``g[i] = ∫_{x[i-1]}^{x[i]} f`` (``g[0] = 0``): same length as ``f``.

    Its cumulative sum is the cumulative integral; as an
    :class:`~fieldops.stencils.weights.AxisStencil` it runs through the same
    numpy/Dask dispatch (halos, any chunking) as the derivatives.

    Examples
    --------
    >>> st = increment_stencil(np.arange(6.0), 2)
    >>> (st.as_dense() @ np.arange(6.0) ** 2).round(12).tolist()
    [0.0, 0.333333333333, 2.333333333333, 6.333333333333, 12.333333333333, 20.333333333333]
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    k = nodes_per_interval(accuracy)
    starts, w = interval_weights(x, accuracy)
    # Row r (r >= 1) integrates interval r - 1; its window starts at starts[r - 1].
    lo = 1 + (k // 2 - 1)  # rows whose centred window would start before node 0
    hi = k // 2 - 1  # ... or end past node n - 1
    rows = np.arange(n)
    interior = rows[lo : n - hi]
    offsets = np.arange(k) - (k // 2)  # centred window of interval r - 1, relative to r
    weights = w[interior - 1].T if interior.size else np.zeros((k, 0))
    uniform = _constant_columns(weights)
    edge_rows = np.concatenate([rows[:lo], rows[n - hi :]]).astype(np.int64)
    e_off = np.zeros((edge_rows.size, k), dtype=np.int64)
    e_w = np.zeros((edge_rows.size, k))
    e_nt = np.full(edge_rows.size, k, dtype=np.int64)
    for e, r in enumerate(edge_rows):
        if r == 0:
            e_nt[e] = 1  # one term of weight 0: g[0] = 0 (NaN where f[0] is)
            continue
        e_off[e] = starts[r - 1] + np.arange(k) - r
        e_w[e] = w[r - 1]
    return AxisStencil(
        n=n,
        lo=lo,
        hi=hi,
        offsets=offsets.astype(np.int64),
        weights=np.ascontiguousarray(weights[:, :1] if uniform else weights),
        edge_rows=edge_rows,
        edge_offsets=e_off,
        edge_weights=e_w,
        edge_nterms=e_nt,
        periodic=False,
        reach=int(max(np.abs(offsets).max(), np.abs(e_off).max(initial=0))),
    )


def _constant_columns(weights: np.ndarray) -> bool:
    """True when every interior row has the same weights (a uniform coordinate)."""
    if weights.shape[1] < 2:
        return weights.shape[1] == 1
    scale = np.abs(weights).max() or 1.0
    return bool(np.abs(weights - weights[:, :1]).max() <= 1e-13 * scale)
