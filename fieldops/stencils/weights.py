"""Finite-difference weights on uniform and non-uniform 1-D coordinates.

Pure numpy: no xarray, no dask. Everything here runs once per (coordinate, order,
accuracy, boundary) and is cached by the caller, so clarity wins over speed.

The product is an :class:`AxisStencil`: for every output row ``i`` of an axis of
length ``n``, a short list of ``(offset, weight)`` terms with
``out[i] = sum(weight * f[i + offset])``, weights already divided by the spacing.
Rows in ``[lo, n - hi)`` (the interior) share one contiguous offset pattern; the
``lo`` first and ``hi`` last rows (the edges) each carry their own terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

BoundaryMode = Literal["one_sided", "periodic", "fill", "mirror"]
BOUNDARY_MODES: tuple[str, ...] = ("one_sided", "periodic", "fill", "mirror")

# Coordinates whose spacings agree to this tolerance relative to the spacing use
# one constant stencil (the fast path) ...
_UNIFORM_RTOL = {np.dtype("float32"): 2e-6, np.dtype("float64"): 1e-10}
# ... give or take the rounding of the values themselves: a few units in the last
# place of the largest |value| (epoch seconds, projected metres in float32). Never
# a tolerance relative to the magnitude alone: 1e-10 of 1.7e9 s is 0.17 s, more
# than the whole spacing of a 100 Hz record.
_UNIFORM_ULPS = 8


def fornberg(x0: float, nodes: np.ndarray, order: int) -> np.ndarray:
    """Weights of the ``order``-th derivative at ``x0`` from values at ``nodes``.

    Fornberg's recursion (Math. Comp. 51, 1988), exact for polynomials of degree
    ``len(nodes) - 1``.

    Parameters
    ----------
    x0 : float
        Where the derivative is wanted.
    nodes : numpy.ndarray
        Distinct 1-D node positions, in any order.
    order : int
        Derivative order, ``0 <= order < len(nodes)``.

    Returns
    -------
    numpy.ndarray
        ``len(nodes)`` weights.

    Examples
    --------
    >>> fornberg(0.0, np.array([-1.0, 0.0, 1.0]), 1)
    array([-0.5,  0. ,  0.5])
    """
    nodes = np.asarray(nodes, dtype=np.float64)
    npts = nodes.size
    if order >= npts:
        raise ValueError(f"order {order} needs more than {npts} nodes")
    # Work relative to x0 and in units of the mean spacing: keeps the recursion
    # well conditioned whatever the coordinate's magnitude.
    scale = (nodes.max() - nodes.min()) / max(npts - 1, 1) or 1.0
    z = (nodes - x0) / scale
    c = np.zeros((npts, order + 1))
    c1, c4 = 1.0, z[0]
    c[0, 0] = 1.0
    for i in range(1, npts):
        mn = min(i, order)
        c2, c5, c4 = 1.0, c4, z[i]
        for j in range(i):
            c3 = z[i] - z[j]
            c2 *= c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[i, k] = c1 * (k * c[i - 1, k - 1] - c5 * c[i - 1, k]) / c2
                c[i, 0] = -c1 * c5 * c[i - 1, 0] / c2
            for k in range(mn, 0, -1):
                c[j, k] = (c4 * c[j, k] - k * c[j, k - 1]) / c3
            c[j, 0] = c4 * c[j, 0] / c3
        c1 = c2
    return c[:, order] / scale**order


def fornberg_rows(x0: np.ndarray, nodes: np.ndarray, order: int) -> np.ndarray:
    """:func:`fornberg` for many rows at once: ``nodes`` is ``(R, W)``, ``x0`` ``(R,)``.

    The same recursion, vectorised over the rows: the interior of a non-uniform
    axis of 10^5 points takes milliseconds, not a Python loop per point.

    Examples
    --------
    >>> nodes = np.array([[-1.0, 0.0, 1.0], [0.0, 1.0, 3.0]])
    >>> w = fornberg_rows(np.array([0.0, 1.0]), nodes, 1)
    >>> np.allclose(w[1], fornberg(1.0, nodes[1], 1))
    True
    """
    nodes = np.asarray(nodes, dtype=np.float64)
    rows, npts = nodes.shape
    if order >= npts:
        raise ValueError(f"order {order} needs more than {npts} nodes")
    scale = (nodes.max(axis=1) - nodes.min(axis=1)) / max(npts - 1, 1)
    scale = np.where(scale == 0, 1.0, scale)
    z = (nodes - np.asarray(x0, dtype=np.float64)[:, None]) / scale[:, None]
    c = np.zeros((npts, order + 1, rows))
    c1, c4 = np.ones(rows), z[:, 0]
    c[0, 0] = 1.0
    for i in range(1, npts):
        mn = min(i, order)
        c2, c5, c4 = np.ones(rows), c4, z[:, i]
        for j in range(i):
            c3 = z[:, i] - z[:, j]
            c2 = c2 * c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[i, k] = c1 * (k * c[i - 1, k - 1] - c5 * c[i - 1, k]) / c2
                c[i, 0] = -c1 * c5 * c[i - 1, 0] / c2
            for k in range(mn, 0, -1):
                c[j, k] = (c4 * c[j, k] - k * c[j, k - 1]) / c3
            c[j, 0] = c4 * c[j, 0] / c3
        c1 = c2
    return (c[:, order] / scale**order).T


def centered_width(order: int, accuracy: int, *, uniform: bool) -> int:
    """Number of points of the centered interior stencil (always odd).

    On a uniform grid symmetry gains one order for even derivatives, so
    ``order + accuracy - 1`` points suffice; on a non-uniform grid they would lose
    that order, so one more point is taken (the bug findiff has open).
    """
    width = order + accuracy
    if order % 2 == 0 and uniform:
        width -= 1
    if width % 2 == 0:
        width += 1
    return width


def edge_width(order: int, accuracy: int) -> int:
    """Number of points of a one-sided edge stencil of the same accuracy."""
    return order + accuracy


def is_uniform(coord: np.ndarray, dtype: np.dtype | None = None) -> bool:
    """True when the spacings of ``coord`` agree, relative to the spacing.

    The tolerance is ``rtol * spacing`` (``rtol`` 1e-10 for float64, 2e-6 for
    float32) plus the rounding of the values themselves (8 units in the last
    place of the largest ``|value|`` in ``dtype``): a 30% jitter of a 0.01 s
    step is non-uniform even at epoch seconds, ``1.7e9 + 0.01 * arange(n)`` is
    uniform.

    Examples
    --------
    >>> t = 1.7e9 + 0.01 * np.arange(200)
    >>> is_uniform(t), is_uniform(t + 0.003 * np.sin(np.arange(200)))
    (True, False)
    """
    coord = np.asarray(coord)
    if coord.size < 3:
        return True
    coord_dtype = np.dtype(dtype or coord.dtype)
    rtol = _UNIFORM_RTOL.get(coord_dtype, 1e-10)
    floating = np.issubdtype(coord_dtype, np.floating)
    eps = np.finfo(coord_dtype if floating else np.float64).eps
    x = coord.astype(np.float64)
    dx = np.diff(x)
    mean = (x[-1] - x[0]) / (x.size - 1)
    noise = _UNIFORM_ULPS * eps * float(np.max(np.abs(x)))
    return bool(np.max(np.abs(dx - mean)) <= rtol * abs(mean) + noise)


@dataclass(frozen=True)
class AxisStencil:
    """How to differentiate along one axis of length ``n``.

    Attributes
    ----------
    n : int
        Length of the axis.
    lo, hi : int
        Number of edge rows at the start and at the end.
    offsets : numpy.ndarray
        ``(K,)`` int64 offsets of the interior stencil (zero weights dropped when
        the stencil is constant).
    weights : numpy.ndarray
        ``(K, 1)`` for a constant interior stencil, ``(K, n - lo - hi)`` with one
        column per interior row otherwise.
    edge_rows : numpy.ndarray
        ``(E,)`` row numbers of the edge rows, ``E = lo + hi``.
    edge_offsets, edge_weights : numpy.ndarray
        ``(E, W)`` terms of each edge row, the first ``edge_nterms[e]`` valid.
    edge_nterms : numpy.ndarray
        ``(E,)`` number of terms; 0 means the row gets the fill value.
    periodic : bool
        Offsets of edge rows wrap around modulo ``n``.
    """

    n: int
    lo: int
    hi: int
    offsets: np.ndarray
    weights: np.ndarray
    edge_rows: np.ndarray
    edge_offsets: np.ndarray
    edge_weights: np.ndarray
    edge_nterms: np.ndarray
    periodic: bool = False
    reach: int = field(default=0)

    @property
    def uniform(self) -> bool:
        """True when one constant stencil serves the whole interior."""
        return self.weights.shape[1] == 1

    def as_dense(self) -> np.ndarray:
        """The ``(n, n)`` matrix of the operator; for tests and small axes only."""
        mat = np.zeros((self.n, self.n))
        for i in range(self.lo, self.n - self.hi):
            col = 0 if self.uniform else i - self.lo
            for k, off in enumerate(self.offsets):
                mat[i, i + off] += self.weights[k, col]
        for e, i in enumerate(self.edge_rows):
            if self.edge_nterms[e] == 0:
                mat[i, :] = np.nan
            for t in range(self.edge_nterms[e]):
                mat[i, (i + self.edge_offsets[e, t]) % self.n] += self.edge_weights[e, t]
        return mat


def scaled(st: AxisStencil, inner: np.ndarray, outer: np.ndarray) -> AxisStencil:
    """The stencil of ``outer[i] * sum_k w_k(i) * inner[i + k] * f[i + k]``.

    Folds fixed factors along the axis into the weights, so that, e.g., the
    spherical ``(v cos(phi))_phi / (R cos(phi))`` is one pass over ``v``.

    Examples
    --------
    >>> st = build_stencil(np.arange(5.0), 1, 2, "one_sided")
    >>> f, inner, outer = np.arange(5.0) ** 2, np.linspace(1, 2, 5), np.full(5, 3.0)
    >>> np.allclose(scaled(st, inner, outer).as_dense() @ f, outer * (st.as_dense() @ (inner * f)))
    True
    """
    inner, outer = np.asarray(inner, np.float64), np.asarray(outer, np.float64)
    rows = np.arange(st.lo, st.n - st.hi)
    columns = rows[None, :] + st.offsets[:, None]
    weights = np.broadcast_to(st.weights, columns.shape) * inner[columns] * outer[rows][None, :]
    edge_weights = st.edge_weights.copy()
    for e, row in enumerate(st.edge_rows):
        terms = slice(0, int(st.edge_nterms[e]))
        at = row + st.edge_offsets[e, terms]
        at = at % st.n if st.periodic else at
        edge_weights[e, terms] *= inner[at] * outer[row]
    return replace(st, weights=np.ascontiguousarray(weights), edge_weights=edge_weights)


def minimum_points(order: int, accuracy: int, boundary: str, *, uniform: bool = False) -> int:
    """Fewest points along an axis for which the stencil is defined."""
    width = centered_width(order, accuracy, uniform=uniform)
    if boundary == "one_sided":
        return max(width, edge_width(order, accuracy))
    return width


def build_stencil(
    coord: np.ndarray,
    order: int,
    accuracy: int,
    boundary: str,
    *,
    period: float | None = None,
) -> AxisStencil:
    """Build the stencil of the ``order``-th derivative along a 1-D coordinate.

    Parameters
    ----------
    coord : numpy.ndarray
        Strictly monotonic coordinate values (ascending or descending), validated
        by the caller.
    order : int
        Derivative order (>= 1).
    accuracy : int
        Even accuracy order (>= 2), kept at the edges by ``one_sided``.
    boundary : {"one_sided", "periodic", "fill", "mirror"}
        Edge rule.
    period : float, optional
        Period of a periodic coordinate; inferred as ``n * spacing`` when the
        coordinate is uniform.

    Returns
    -------
    AxisStencil

    Examples
    --------
    >>> st = build_stencil(np.arange(5.0), 1, 2, "one_sided")
    >>> st.as_dense()[0], st.as_dense()[2]
    (array([-1.5,  2. , -0.5,  0. ,  0. ]), array([ 0. , -0.5,  0. ,  0.5,  0. ]))
    """
    x = np.asarray(coord, dtype=np.float64)
    n = x.size
    uniform = is_uniform(coord)
    if n:
        # Offsets from the first value: periodic images (x + period) of epoch-sized
        # coordinates keep the precision of the spacing.
        x = x - x[0]
    width = centered_width(order, accuracy, uniform=uniform)
    half = width // 2
    need = minimum_points(order, accuracy, boundary, uniform=uniform)
    if n < need:
        raise ValueError(f"needs at least {need} points, got {n}")
    span = x[-1] - x[0]
    if boundary == "periodic":
        step = span / (n - 1)
        if period is None:
            if not uniform:
                raise ValueError("a periodic non-uniform coordinate needs its period: pass period=")
            period = n * step
        period = abs(float(period)) * np.sign(span)
        if abs(period) <= abs(span):
            raise ValueError(f"period {abs(period)} must exceed the coordinate span {abs(span)}")

    offsets = np.arange(-half, half + 1)
    lo = hi = 0 if n == 0 else half
    n_int = n - lo - hi
    if uniform:
        step = span / (n - 1)
        w = fornberg(0.0, offsets * step, order)
        w[np.abs(w) < 1e-12 * np.abs(w).max()] = 0.0
        keep = w != 0.0
        int_offsets = offsets[keep]
        int_weights = w[keep][:, None]
    else:
        int_offsets = offsets
        int_weights = np.empty((width, max(n_int, 0)))
        if n_int > 0:
            rows = np.arange(lo, n - hi)
            int_weights[:] = fornberg_rows(x[rows], x[rows[:, None] + offsets], order).T

    edge_rows = np.concatenate([np.arange(lo), np.arange(n - hi, n)]).astype(np.int64)
    rows = [_edge_row(x, i, order, accuracy, boundary, period, half) for i in edge_rows]
    ew = max([len(r[0]) for r in rows], default=1) or 1
    e_off = np.zeros((len(rows), ew), dtype=np.int64)
    e_w = np.zeros((len(rows), ew))
    e_nt = np.zeros(len(rows), dtype=np.int64)
    for e, (offs, wts) in enumerate(rows):
        e_nt[e] = len(offs)
        e_off[e, : len(offs)] = offs
        e_w[e, : len(offs)] = wts
    reach = int(np.abs(int_offsets).max(initial=0))
    if len(rows):
        reach = max(reach, int(np.abs(e_off).max()))
    return AxisStencil(
        n=n,
        lo=lo,
        hi=hi,
        offsets=int_offsets.astype(np.int64),
        weights=np.ascontiguousarray(int_weights),
        edge_rows=edge_rows,
        edge_offsets=e_off,
        edge_weights=e_w,
        edge_nterms=e_nt,
        periodic=boundary == "periodic",
        reach=reach,
    )


def _edge_row(
    x: np.ndarray,
    i: int,
    order: int,
    accuracy: int,
    boundary: str,
    period: float | None,
    half: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and weights of edge row ``i`` under ``boundary``."""
    n = x.size
    if boundary == "fill":
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if boundary == "one_sided":
        width = edge_width(order, accuracy)
        start = min(max(i - width // 2, 0), n - width)
        idx = np.arange(start, start + width)
        return idx - i, fornberg(x[i], x[idx], order)
    rel = np.arange(-half, half + 1)
    pos = i + rel
    if boundary == "periodic":
        wraps = np.floor_divide(pos, n)
        nodes = x[pos % n] + wraps * period
        return rel, fornberg(x[i], nodes, order)
    # mirror: even reflection about the edge point, f(x0 - d) = f(x0 + d).
    left = pos < 0
    right = pos > n - 1
    src = np.where(left, -pos, np.where(right, 2 * (n - 1) - pos, pos))
    nodes = np.where(left, 2 * x[0] - x[src], np.where(right, 2 * x[-1] - x[src], x[src]))
    w = fornberg(x[i], nodes, order)
    # Terms that reflect onto the same point are summed, so NaN locality and the
    # kernel's gather see each source point once.
    uniq, inv = np.unique(src, return_inverse=True)
    merged = np.zeros(uniq.size)
    np.add.at(merged, inv, w)
    return uniq - i, merged
