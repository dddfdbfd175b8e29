"""The Numba kernel of :mod:`fieldops.stencils.fused`: one row sweep, every output.

Kept apart from the plan and driver code so that each file stays short; see
:func:`fused_rows` for the memory layout and the order of the sums.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Columns per block of the row sweep: the outputs' and inputs' blocks stay in L1.
_BLOCK = 512


@njit(cache=True, nogil=True, inline="always")
def _tap1(o, first, s0, w0):  # pragma: no cover
    if first:
        for j in range(o.shape[0]):
            o[j] = w0 * s0[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0 * s0[j]


@njit(cache=True, nogil=True, inline="always")
def _tap2(o, first, s0, w0, s1, w1):  # pragma: no cover
    if first:
        for j in range(o.shape[0]):
            o[j] = w0 * s0[j] + w1 * s1[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0 * s0[j] + w1 * s1[j]


@njit(cache=True, nogil=True, inline="always")
def _tap3(o, first, s0, w0, s1, w1, s2, w2):  # pragma: no cover
    if first:
        for j in range(o.shape[0]):
            o[j] = w0 * s0[j] + w1 * s1[j] + w2 * s2[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0 * s0[j] + w1 * s1[j] + w2 * s2[j]


@njit(cache=True, nogil=True, inline="always")
def _tap4(o, first, s0, w0, s1, w1, s2, w2, s3, w3):  # pragma: no cover
    if first:
        for j in range(o.shape[0]):
            o[j] = w0 * s0[j] + w1 * s1[j] + w2 * s2[j] + w3 * s3[j]
    else:
        for j in range(o.shape[0]):
            o[j] += w0 * s0[j] + w1 * s1[j] + w2 * s2[j] + w3 * s3[j]


@njit(cache=True, nogil=True, inline="always")
def _vtap(o, first, s0, w0, wv):  # pragma: no cover
    """One tap with a weight per column (non-uniform coordinate along C)."""
    if first:
        for j in range(o.shape[0]):
            o[j] = (w0 * wv[j]) * s0[j]
    else:
        for j in range(o.shape[0]):
            o[j] += (w0 * wv[j]) * s0[j]


@njit(cache=True, nogil=True, inline="always")
def _row_term(tab_off, tab_w, s, i, k, wrap, start):  # pragma: no cover
    """Weight and local source row of term ``k`` of global row ``i`` of stencil ``s``."""
    if s < 0:
        return 1.0, i - start
    x = i + tab_off[s, i, k]
    if wrap > 0:
        x = x % wrap
    return tab_w[s, k, i], x - start


@njit(cache=True, nogil=True)
def fused_rows(
    f,
    out,
    slot_ptr,
    copy_from,
    copy_scale,
    t_src,
    t_coef,
    t_st,
    tab_off,
    tab_w,
    tab_nt,
    st_lo,
    st_hi,
    st_n,
    st_uni,
    wrap,
    in0,
    out0,
    r0,
    r1,
    fill,
):  # pragma: no cover
    """Rows ``[r0, r1)`` (flattened over ``pre x A x B``) of a fused plan.

    ``f`` is ``(nsource, pre, NA, NB, NC)``, ``out`` is ``(nslot, pre, mA, mB, mC)``.
    Along axis ``q`` (0, 1, 2 for A, B, C) global row ``i`` is written to
    ``i - out0[q]`` and reads ``i + offset - in0[q]`` (wrapped modulo ``wrap[q]``
    first when ``wrap[q] > 0``). ``t_st[t, q]`` is the stencil of term ``t`` along
    axis ``q`` or -1; ``tab_*[s]`` hold every global row of stencil ``s``.

    For every output row and slot the terms are expanded into *taps* (a source
    row, a column offset, a weight). Columns where every term of the slot has its
    interior stencil along C are swept in blocks that stay in L1, four taps per
    pass (one store per four multiply-adds, vectorised); the few other columns
    (edges along C) are summed tap by tap. Which way a column goes depends only on
    its global position, so a Dask block gives the numbers of the whole array.
    """
    nslot = out.shape[0]
    ma = out.shape[2]
    mb = out.shape[3]
    mc = out.shape[4]
    oc = out0[2]
    width = tab_off.shape[2]
    cap = 1
    for v in range(nslot):
        n_v = 0
        for t in range(slot_ptr[v], slot_ptr[v + 1]):
            m = 1
            for q in range(3):
                if t_st[t, q] >= 0:
                    m *= width
            n_v += m
        cap = max(cap, n_v)
    tap_p = np.zeros((nslot, cap), dtype=np.int64)
    tap_a = np.zeros((nslot, cap), dtype=np.int64)
    tap_b = np.zeros((nslot, cap), dtype=np.int64)
    tap_c = np.zeros((nslot, cap), dtype=np.int64)
    tap_s = np.zeros((nslot, cap), dtype=np.int64)
    tap_k = np.zeros((nslot, cap), dtype=np.int64)
    tap_w = np.zeros((nslot, cap), dtype=out.dtype)
    ntap = np.zeros(nslot, dtype=np.int64)
    lo_v = np.zeros(nslot, dtype=np.int64)
    hi_v = np.zeros(nslot, dtype=np.int64)
    skip = np.zeros(nslot, dtype=np.bool_)
    for r in range(r0, r1):
        a = r // (ma * mb)
        rem = r - a * (ma * mb)
        la = rem // mb
        lb = rem - la * mb
        ia = la + out0[0]
        ib = lb + out0[1]
        for v in range(nslot):
            skip[v] = copy_from[v] >= 0
            if skip[v]:
                continue
            for t in range(slot_ptr[v], slot_ptr[v + 1]):
                sa = t_st[t, 0]
                sb = t_st[t, 1]
                if (sa >= 0 and tab_nt[sa, ia] == 0) or (sb >= 0 and tab_nt[sb, ib] == 0):
                    skip[v] = True
            o = out[v, a, la, lb]
            if skip[v]:
                for j in range(mc):
                    o[j] = fill
                continue
            # The taps of this row, and the columns where all of them apply.
            lo = oc
            hi = oc + mc
            k = 0
            for t in range(slot_ptr[v], slot_ptr[v + 1]):
                sa = t_st[t, 0]
                sb = t_st[t, 1]
                sc = t_st[t, 2]
                if sc >= 0:
                    lo = max(lo, st_lo[sc])
                    hi = min(hi, st_n[sc] - st_hi[sc])
                nta = tab_nt[sa, ia] if sa >= 0 else 1
                ntb = tab_nt[sb, ib] if sb >= 0 else 1
                ntc = tab_nt[sc, st_lo[sc]] if sc >= 0 else 1
                for ka in range(nta):
                    wa, xa = _row_term(tab_off, tab_w, sa, ia, ka, wrap[0], in0[0])
                    for kb in range(ntb):
                        wb, xb = _row_term(tab_off, tab_w, sb, ib, kb, wrap[1], in0[1])
                        w = t_coef[t] * wa * wb
                        for kc in range(ntc):
                            tap_p[v, k] = t_src[t]
                            tap_a[v, k] = xa
                            tap_b[v, k] = xb
                            tap_s[v, k] = -1
                            tap_w[v, k] = w
                            tap_c[v, k] = -in0[2]
                            if sc >= 0:
                                tap_c[v, k] += tab_off[sc, st_lo[sc], kc]
                                if st_uni[sc]:
                                    tap_w[v, k] = w * tab_w[sc, kc, st_lo[sc]]
                                else:
                                    tap_s[v, k] = sc
                                    tap_k[v, k] = kc
                            k += 1
            ntap[v] = k
            lo_v[v] = lo
            hi_v[v] = max(hi, lo)
        # Columns every term reaches with its interior stencil: blocks, taps by four.
        for b0 in range(oc, oc + mc, _BLOCK):
            b1 = min(b0 + _BLOCK, oc + mc)
            for v in range(nslot):
                if skip[v]:
                    continue
                c0 = max(b0, lo_v[v])
                c1 = min(b1, hi_v[v])
                if c1 <= c0:
                    continue
                ob = out[v, a, la, lb, c0 - oc : c1 - oc]
                if ntap[v] == 0:
                    for j in range(ob.shape[0]):
                        ob[j] = 0.0
                k = 0
                while k < ntap[v]:
                    first = k == 0
                    g = 0
                    while g < 4 and k + g < ntap[v] and tap_s[v, k + g] < 0:
                        g += 1
                    if g == 0:
                        sl = f[tap_p[v, k], a, tap_a[v, k], tap_b[v, k]]
                        e = tap_c[v, k]
                        wv = tab_w[tap_s[v, k], tap_k[v, k], c0:c1]
                        _vtap(ob, first, sl[c0 + e : c1 + e], tap_w[v, k], wv)
                        k += 1
                        continue
                    s0 = f[tap_p[v, k], a, tap_a[v, k], tap_b[v, k]]
                    e0 = tap_c[v, k]
                    if g == 1:
                        _tap1(ob, first, s0[c0 + e0 : c1 + e0], tap_w[v, k])
                    else:
                        s1 = f[tap_p[v, k + 1], a, tap_a[v, k + 1], tap_b[v, k + 1]]
                        e1 = tap_c[v, k + 1]
                        if g == 2:
                            _tap2(
                                ob,
                                first,
                                s0[c0 + e0 : c1 + e0],
                                tap_w[v, k],
                                s1[c0 + e1 : c1 + e1],
                                tap_w[v, k + 1],
                            )
                        else:
                            s2 = f[tap_p[v, k + 2], a, tap_a[v, k + 2], tap_b[v, k + 2]]
                            e2 = tap_c[v, k + 2]
                            if g == 3:
                                _tap3(
                                    ob,
                                    first,
                                    s0[c0 + e0 : c1 + e0],
                                    tap_w[v, k],
                                    s1[c0 + e1 : c1 + e1],
                                    tap_w[v, k + 1],
                                    s2[c0 + e2 : c1 + e2],
                                    tap_w[v, k + 2],
                                )
                            else:
                                s3 = f[tap_p[v, k + 3], a, tap_a[v, k + 3], tap_b[v, k + 3]]
                                e3 = tap_c[v, k + 3]
                                _tap4(
                                    ob,
                                    first,
                                    s0[c0 + e0 : c1 + e0],
                                    tap_w[v, k],
                                    s1[c0 + e1 : c1 + e1],
                                    tap_w[v, k + 1],
                                    s2[c0 + e2 : c1 + e2],
                                    tap_w[v, k + 2],
                                    s3[c0 + e3 : c1 + e3],
                                    tap_w[v, k + 3],
                                )
                    k += g
        # The other columns (edges along C): each term with its own row of the
        # stencil there; fill where a fill boundary leaves a term undefined.
        for v in range(nslot):
            if skip[v]:
                continue
            o = out[v, a, la, lb]
            n_left = min(lo_v[v], oc + mc) - oc
            right = max(hi_v[v], oc)
            for jj in range(n_left + oc + mc - right):
                j = oc + jj if jj < n_left else right + jj - n_left
                acc = 0.0
                undefined = False
                for t in range(slot_ptr[v], slot_ptr[v + 1]):
                    sa = t_st[t, 0]
                    sb = t_st[t, 1]
                    sc = t_st[t, 2]
                    nta = tab_nt[sa, ia] if sa >= 0 else 1
                    ntb = tab_nt[sb, ib] if sb >= 0 else 1
                    ntc = tab_nt[sc, j] if sc >= 0 else 1
                    if ntc == 0:
                        undefined = True
                    for ka in range(nta):
                        wa, xa = _row_term(tab_off, tab_w, sa, ia, ka, wrap[0], in0[0])
                        for kb in range(ntb):
                            wb, xb = _row_term(tab_off, tab_w, sb, ib, kb, wrap[1], in0[1])
                            w = t_coef[t] * wa * wb
                            row = f[t_src[t], a, xa, xb]
                            for kc in range(ntc):
                                wc, xc = _row_term(tab_off, tab_w, sc, j, kc, wrap[2], in0[2])
                                acc += (w * wc) * row[xc]
                o[j - oc] = fill if undefined else acc
        for v in range(nslot):
            cf = copy_from[v]
            if cf >= 0:
                o = out[v, a, la, lb]
                src_row = out[cf, a, la, lb]
                scale = copy_scale[v]
                for j in range(mc):
                    o[j] = scale * src_row[j]
