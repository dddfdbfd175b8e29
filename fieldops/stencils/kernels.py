"""Numba kernels that apply an :class:`~fieldops.stencils.weights.AxisStencil`.

Every kernel sees the array as ``(pre, n, post)`` (C-contiguous), writes into an
``out`` the caller allocated, and works on a sub-range ``[a0, a1) x rows x [c0, c1)``
so that :mod:`fieldops.stencils.apply` can split one call over threads without
making non-contiguous views (which would cost Numba its vectorisation).

Rows use two numberings so that a Dask block can be processed with the global
stencil: row ``i`` (global) is written to ``out[.., i - oshift, ..]`` and reads
``f[.., i + offset - ishift, ..]``.

Loops are plain and blocked: the innermost loop always runs over contiguous
memory with one constant weight, which LLVM vectorises; the block keeps the
partial sums in L1 so the input is read from memory once.
"""

from __future__ import annotations

from numba import njit

# Elements per block of the accumulation loops: the partial sums stay in L1/L2
# while the input rows stream through once.
_BLOCK = 4096


@njit(cache=True, nogil=True, inline="always")
def _axpy2(o, first, s0, w0, s1, w1):  # pragma: no cover
    """o (=|+=) w0*s0 + w1*s1 over contiguous slices: two terms per pass over o."""
    if first:
        for j in range(o.shape[0]):
            o[j] = w0 * s0[j] + w1 * s1[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0 * s0[j] + w1 * s1[j]


@njit(cache=True, nogil=True, inline="always")
def _axpy1(o, first, s0, w0):  # pragma: no cover
    if first:
        for j in range(o.shape[0]):
            o[j] = w0 * s0[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0 * s0[j]


@njit(cache=True, nogil=True, inline="always")
def _vaxpy2(o, first, s0, w0, s1, w1):  # pragma: no cover
    """As _axpy2 with one weight per element (non-uniform rows)."""
    if first:
        for j in range(o.shape[0]):
            o[j] = w0[j] * s0[j] + w1[j] * s1[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0[j] * s0[j] + w1[j] * s1[j]


@njit(cache=True, nogil=True, inline="always")
def _vaxpy1(o, first, s0, w0):  # pragma: no cover
    if first:
        for j in range(o.shape[0]):
            o[j] = w0[j] * s0[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0[j] * s0[j]


@njit(cache=True, nogil=True, inline="always")
def _edge_point(
    row, orow, e, i, oshift, ishift, offsets, weights, nterms, fill_value, wrap
):  # pragma: no cover
    """Edge row ``i`` (global) of one 1-D ``row``, written to ``orow``."""
    o = i - oshift
    nt = nterms[e]
    if nt == 0:
        orow[o] = fill_value
        return
    for t in range(nt):
        src = i + offsets[e, t]
        if wrap > 0:
            src = src % wrap
        src -= ishift
        if t == 0:
            orow[o] = weights[e, t] * row[src]
        else:
            orow[o] += weights[e, t] * row[src]


@njit(cache=True, nogil=True)
def interior_last_axis(
    f,
    out,
    offsets,
    weights,
    a0,
    a1,
    r0,
    r1,
    oshift,
    ishift,
    e_rows,
    e_offsets,
    e_weights,
    e_nterms,
    fill_value,
    wrap,
):  # pragma: no cover
    """Rows ``[r0, r1)`` and the edge rows ``e_rows`` of a ``(pre, n)`` array, along its last axis.

    Slices, not index arithmetic, in the inner loops: with a loop index known to
    be non-negative Numba drops its negative-index checks and LLVM vectorises.
    The edge points of each line are done right after its interior, while the
    line is still in cache (after the whole interior they would each be a cache
    miss: ~1 ms on a 4000x4000 array).
    """
    nk = offsets.shape[0]
    per_row = weights.shape[1] > 1
    for a in range(a0, a1):
        for b0 in range(r0, r1, _BLOCK):
            b1 = min(b0 + _BLOCK, r1)
            o = out[a, b0 - oshift : b1 - oshift]
            for k in range(0, nk, 2):
                s0 = f[a, b0 + offsets[k] - ishift : b1 + offsets[k] - ishift]
                two = k + 1 < nk
                if two:
                    s1 = f[a, b0 + offsets[k + 1] - ishift : b1 + offsets[k + 1] - ishift]
                if per_row:
                    w0 = weights[k, b0 - r0 : b1 - r0]
                    if two:
                        _vaxpy2(o, k == 0, s0, w0, s1, weights[k + 1, b0 - r0 : b1 - r0])
                    else:
                        _vaxpy1(o, k == 0, s0, w0)
                elif two:
                    _axpy2(o, k == 0, s0, weights[k, 0], s1, weights[k + 1, 0])
                else:
                    _axpy1(o, k == 0, s0, weights[k, 0])
        row = f[a]
        orow = out[a]
        for e in range(e_rows.shape[0]):
            _edge_point(
                row,
                orow,
                e,
                e_rows[e],
                oshift,
                ishift,
                e_offsets,
                e_weights,
                e_nterms,
                fill_value,
                wrap,
            )


@njit(cache=True, nogil=True)
def interior_inner_axis(
    f, out, offsets, weights, a0, a1, r0, r1, c0, c1, oshift, ishift
):  # pragma: no cover
    """Interior rows ``[r0, r1)`` of a ``(pre, n, post)`` array along its middle axis."""
    nk = offsets.shape[0]
    per_row = weights.shape[1] > 1
    for a in range(a0, a1):
        for b0 in range(c0, c1, _BLOCK):
            b1 = min(b0 + _BLOCK, c1)
            for i in range(r0, r1):
                col = i - r0 if per_row else 0
                o = out[a, i - oshift, b0:b1]
                for k in range(0, nk, 2):
                    s0 = f[a, i + offsets[k] - ishift, b0:b1]
                    if k + 1 < nk:
                        s1 = f[a, i + offsets[k + 1] - ishift, b0:b1]
                        _axpy2(o, k == 0, s0, weights[k, col], s1, weights[k + 1, col])
                    else:
                        _axpy1(o, k == 0, s0, weights[k, col])


@njit(cache=True, nogil=True)
def edge_rows(
    f, out, rows, offsets, weights, nterms, fill_value, wrap, a0, a1, c0, c1, oshift, ishift
):  # pragma: no cover
    """Edge rows, each with its own terms, of a ``(pre, n, post)`` array.

    ``wrap > 0`` wraps source rows modulo ``wrap`` (periodic axis held whole);
    a row with no terms gets ``fill_value``. Blocked like the interior: each
    block of an edge row is summed in L1 and written once, and the source rows
    the edge rows share stay in cache between them (unblocked, a 7-term edge row
    of a 64x1024x1024 array along axis 0 re-read its 8 MB output row 7 times).
    """
    for a in range(a0, a1):
        for b0 in range(c0, c1, _BLOCK):
            b1 = min(b0 + _BLOCK, c1)
            for e in range(rows.shape[0]):
                i = rows[e]
                o = out[a, i - oshift, b0:b1]
                nt = nterms[e]
                if nt == 0:
                    for c in range(o.shape[0]):
                        o[c] = fill_value
                    continue
                for t in range(nt):
                    src = i + offsets[e, t]
                    if wrap > 0:
                        src = src % wrap
                    src -= ishift
                    _axpy1(o, t == 0, f[a, src, b0:b1], weights[e, t])
