"""The discrete operators a solver inverts, read off fieldops' own operators.

A solver must invert *the same* discrete Laplacian that :func:`fieldops.laplacian`
applies on the grid (so that ``laplacian(solve_poisson(r)) == r`` to roundoff),
whatever the frame, accuracy, edge rule or mask. Rather than re-deriving each
frame's stencils (and drifting from them), the matrix is *probed*: the operator
is applied to a few "coloured comb" fields (ones on every ``p``-th point of each
dim, ``p = 2 reach + 1``) in one batched call, and each entry is read back from
the comb whose only point inside the row's reach is that column. This is exact
for any linear operator whose rows reach at most ``reach`` points along each dim
(``2 * accuracy`` covers a divergence of a gradient with one-sided edges), and
:func:`probe_matrix` checks the assembled matrix against one more call on a
random field, so a wider operator is an error, never a wrong answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

Apply = Callable[[np.ndarray], np.ndarray]

# Concurrent LAPACK/SuperLU solves from several Dask threads on shared factors gave
# wrong answers (a threaded BLAS underneath is not re-entrant): the triangular
# solves are serialised. They are a few milliseconds; the FFTs, the right-hand
# sides and everything else still run in parallel.
SOLVE_LOCK = threading.Lock()

# Probe fields per operator call: batches of at most this many values, so that
# probing a 400x400 grid at accuracy 4 (289 combs) stays near 100 MB.
_BATCH_VALUES = 12_000_000


def colours(n: int, p: int, periodic: bool) -> np.ndarray:
    """Colour of each of ``n`` indices: same colour only ``>= p`` apart (wrapping if periodic).

    Examples
    --------
    >>> colours(7, 3, False).tolist()
    [0, 1, 2, 0, 1, 2, 0]
    >>> colours(7, 3, True).tolist()  # 6 and 0 are neighbours across the seam
    [0, 1, 2, 0, 1, 2, 3]
    """
    if n <= p:
        return np.arange(n)
    idx = np.arange(n)
    if not periodic:
        return idx % p
    full = (n // p) * p
    return np.where(idx < full, idx % p, p + (idx - full))


def probe_matrix(
    apply: Apply,
    shape: tuple[int, int],
    reach: int,
    periodic: tuple[bool, bool],
    *,
    check: bool = True,
) -> sp.csr_matrix:
    """The sparse matrix of the linear map ``apply`` on fields of ``shape``.

    ``apply`` takes a ``(k, ny, nx)`` float64 batch and returns the operator of each
    field (same shape). Rows whose result is not finite (outside a mask, or a
    point no stencil reaches) are left empty. With ``check``, the matrix times a
    random field must equal ``apply`` of it, or a ValueError says so.

    Examples
    --------
    >>> def second_difference(f):  # d2/dx2 with periodic wrap, on (k, 1, n)
    ...     return np.roll(f, 1, -1) - 2 * f + np.roll(f, -1, -1)
    >>> probe_matrix(second_difference, (1, 5), 1, (False, True)).toarray()[0]
    array([-2.,  1.,  0.,  0.,  1.])
    """
    ny, nx = shape
    p = 2 * reach + 1
    cy, cx = colours(ny, p, periodic[0]), colours(nx, p, periodic[1])
    ncy, ncx = int(cy.max()) + 1, int(cx.max()) + 1
    pairs = [(a, b) for a in range(ncy) for b in range(ncx)]
    offsets = np.arange(-reach, reach + 1)
    # For each offset along a dim: the neighbour index (or -1 off the grid) and its colour.
    ny_idx = _neighbours(ny, offsets, periodic[0])
    nx_idx = _neighbours(nx, offsets, periodic[1])
    rows_all, cols_all, vals_all = [], [], []
    per_batch = max(1, _BATCH_VALUES // max(ny * nx, 1))
    for start in range(0, len(pairs), per_batch):
        batch = pairs[start : start + per_batch]
        probes = np.zeros((len(batch), ny, nx))
        lookup = np.full((ncy, ncx), -1)
        for k, (a, b) in enumerate(batch):
            probes[k] = (cy == a)[:, None] & (cx == b)[None, :]
            lookup[a, b] = k
        out = np.asarray(apply(probes), dtype=np.float64)
        for jy in ny_idx:
            for jx in nx_idx:
                ok = (jy[:, None] >= 0) & (jx[None, :] >= 0)
                k = np.where(ok, lookup[cy[jy][:, None], cx[jx][None, :]], -1)
                take = k >= 0
                if not take.any():
                    continue
                ii, jj = np.nonzero(take)
                vals = out[k[ii, jj], ii, jj]
                keep = np.isfinite(vals) & (vals != 0)
                ii, jj, vals = ii[keep], jj[keep], vals[keep]
                rows_all.append(ii * nx + jj)
                cols_all.append(jy[ii] * nx + jx[jj])
                vals_all.append(vals)
    n = ny * nx
    rows = np.concatenate(rows_all) if rows_all else np.zeros(0, int)
    cols = np.concatenate(cols_all) if cols_all else np.zeros(0, int)
    vals = np.concatenate(vals_all) if vals_all else np.zeros(0)
    mat = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    if check:
        verify(mat, apply, shape)
    return mat


def _neighbours(n: int, offsets: np.ndarray, periodic: bool) -> np.ndarray:
    """``(len(offsets), n)`` neighbour indices (``-1`` off the grid)."""
    idx = np.arange(n)[None, :] + offsets[:, None]
    if periodic:
        # A reach wider than the grid wraps onto the same column twice: keep it once.
        _, first = np.unique(offsets % n, return_index=True)
        out = np.full_like(idx, -1)
        out[first] = idx[first] % n
        return out
    return np.where((idx >= 0) & (idx < n), idx, -1)


def verify(mat: sp.spmatrix, apply: Apply, shape: tuple[int, int], seed: int = 0) -> None:
    """Raise unless ``mat @ f == apply(f)`` (to roundoff) on a random field."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(shape)
    want = np.asarray(apply(f[None]), dtype=np.float64)[0].ravel()
    got = mat @ f.ravel()
    ok = np.isfinite(want)
    scale = np.abs(want[ok]).max(initial=0.0) + np.abs(got[ok]).max(initial=0.0)
    err = np.abs(got[ok] - want[ok]).max(initial=0.0)
    if err > 1e-9 * max(scale, np.finfo(float).tiny):
        raise ValueError(
            "the discrete operator reaches further than the solver probed it "
            f"(mismatch {err:.3g} of {scale:.3g}); this grid/option combination is not "
            "supported by solve_poisson: please report it"
        )


def probe_rows_1d(apply: Apply, n: int, reach: int) -> np.ndarray:
    """Dense ``(n, n)`` matrix of a linear map on 1-D fields, ``apply((k, n)) -> (k, n)``.

    Examples
    --------
    >>> def d2(f):
    ...     out = np.zeros_like(f)
    ...     out[:, 1:-1] = f[:, :-2] - 2 * f[:, 1:-1] + f[:, 2:]
    ...     return out
    >>> probe_rows_1d(d2, 4, 1)[1].tolist()
    [1.0, -2.0, 1.0, 0.0]
    """
    p = min(2 * reach + 1, n)
    c = colours(n, p, False)
    probes = (c[None, :] == np.arange(p)[:, None]).astype(np.float64)
    out = np.asarray(apply(probes), dtype=np.float64)
    mat = np.zeros((n, n))
    for i in range(n):
        lo, hi = max(0, i - reach), min(n, i + reach + 1)
        for j in range(lo, hi):
            mat[i, j] = out[c[j], i]
    return mat
