"""Fused multi-axis stencil operators: the input read once, every output in one pass.

A :class:`Plan` is a list of output *slots*; each slot is a sum of :class:`Term`
objects, ``coef * D_a D_b D_c f[source]``, where ``D_a`` is a 1-D
:class:`~fieldops.stencils.weights.AxisStencil` along axis ``a`` (a first or second
derivative, or absent). That covers the gradient (one first derivative per slot), the
Laplacian (a sum of second derivatives), the Hessian (second derivatives on the
diagonal, tensor products of first derivatives off it), the divergence and curl (sums
over components) and explicit diffusion (``u + alpha * lap u``).

:func:`apply_plan` runs a plan on a numpy array ``(nsource, *shape)`` and returns
``(nslot, *shape)``. The Numba kernel sweeps the output row by row along the last
axis; the few input rows a row needs stay in cache, so the input is read from memory
once whatever the number of outputs. Every axis differentiated must be one of the
last three (other layouts are transposed first, one copy).

Each output point is a sum over its terms in a fixed order, and every stencil row
(interior or edge) is looked up by its *global* row number, so a Dask block with
halos gives bit-for-bit the numbers of the whole array. Where a term's stencil row is
undefined (``fill`` boundary), the output point is ``fill_value``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from fieldops.stencils import apply as _apply
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.weights import AxisStencil

# Columns per block of the row sweep: the outputs' and inputs' blocks stay in L1.
_BLOCK = 512


@dataclass(frozen=True, eq=False)
class Term:
    """``coef * (product of 1-D stencils) f[source]``.

    Attributes
    ----------
    source : int
        Index of the input field along the leading (source) axis.
    coef : float
        Constant factor.
    factors : tuple of (int, AxisStencil)
        ``(axis, stencil)`` pairs on distinct spatial axes (axis 0 is the first axis
        after the source axis); empty for the identity.
    """

    source: int
    coef: float
    factors: tuple[tuple[int, AxisStencil], ...]


@dataclass(frozen=True)
class Copy:
    """An output slot that is ``scale`` times an earlier slot (symmetric tensors)."""

    slot: int
    scale: float = 1.0


@dataclass(frozen=True, eq=False)
class Plan:
    """Output slots: each a tuple of terms, or a :class:`Copy` (an int ``k`` is ``Copy(k)``)."""

    slots: tuple[tuple[Term, ...] | Copy | int, ...]

    def stencils(self) -> list[tuple[int, AxisStencil]]:
        """Every distinct ``(axis, stencil)`` pair used, in first-use order."""
        seen: dict[tuple[int, int], tuple[int, AxisStencil]] = {}
        for slot in self.slots:
            if isinstance(slot, (int, Copy)):
                continue
            for term in slot:
                for axis, st in term.factors:
                    seen.setdefault((axis, id(st)), (axis, st))
        return list(seen.values())

    def depth(self, ndim: int) -> list[int]:
        """Halo each spatial axis needs (0 where it is not differentiated)."""
        out = [0] * ndim
        for axis, st in self.stencils():
            out[axis] = max(out[axis], st.reach)
        return out

    def periodic(self, ndim: int) -> list[bool]:
        """Whether each spatial axis is differentiated with a periodic stencil."""
        out = [False] * ndim
        for axis, st in self.stencils():
            out[axis] = out[axis] or st.periodic
        return out


# --------------------------------------------------------------------------- kernel


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


# --------------------------------------------------------------------------- tables


_TABLES: dict[tuple[int, str], tuple[AxisStencil, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def stencil_table(st: AxisStencil, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row of ``st`` as ``(offsets (n, W), weights (W, n), nterms (n,))``.

    Examples
    --------
    >>> from fieldops.stencils.weights import build_stencil
    >>> off, w, nt = stencil_table(build_stencil(np.arange(4.0), 1, 2, "fill"), np.float64)
    >>> nt.tolist(), off[1].tolist(), w[:, 1].tolist()
    ([0, 2, 2, 0], [-1, 1], [-0.5, 0.5])
    """
    key = (id(st), np.dtype(dtype).str)
    hit = _TABLES.get(key)
    if hit is not None and hit[0] is st:
        return hit[1]
    n, lo, hi = st.n, st.lo, st.hi
    k = st.offsets.size
    width = max(k, st.edge_offsets.shape[1], 1)
    off = np.zeros((n, width), dtype=np.int64)
    w = np.zeros((width, n), dtype=dtype)
    nt = np.zeros(n, dtype=np.int64)
    if n - hi > lo:
        off[lo : n - hi, :k] = st.offsets
        w[:k, lo : n - hi] = st.weights if not st.uniform else st.weights[:, :1]
        nt[lo : n - hi] = k
    for e, i in enumerate(st.edge_rows):
        m = st.edge_nterms[e]
        nt[i] = m
        off[i, :m] = st.edge_offsets[e, :m]
        w[:m, i] = st.edge_weights[e, :m]
    if len(_TABLES) > 256:
        _TABLES.clear()
    _TABLES[key] = (st, (off, w, nt))
    return off, w, nt


def _plan_arrays(plan: Plan, axis_to_q: dict[int, int], dtype: np.dtype):
    """Flatten a plan into the kernel's arrays (axes renumbered to A, B, C = 0, 1, 2)."""
    pairs = plan.stencils()
    index = {(axis, id(st)): s for s, (axis, st) in enumerate(pairs)}
    nmax = max([st.n for _, st in pairs], default=1)
    wmax = max([stencil_table(st, dtype)[0].shape[1] for _, st in pairs], default=1)
    ns = max(len(pairs), 1)
    tab_off = np.zeros((ns, nmax, wmax), dtype=np.int64)
    tab_w = np.zeros((ns, wmax, nmax), dtype=dtype)
    tab_nt = np.zeros((ns, nmax), dtype=np.int64)
    st_lo = np.zeros(ns, dtype=np.int64)
    st_hi = np.zeros(ns, dtype=np.int64)
    st_n = np.zeros(ns, dtype=np.int64)
    st_uni = np.zeros(ns, dtype=np.bool_)
    for s, (_, st) in enumerate(pairs):
        off, w, nt = stencil_table(st, dtype)
        tab_off[s, : st.n, : off.shape[1]] = off
        tab_w[s, : w.shape[0], : st.n] = w
        tab_nt[s, : st.n] = nt
        st_lo[s], st_hi[s], st_n[s], st_uni[s] = st.lo, st.hi, st.n, st.uniform
    slot_ptr = [0]
    copy_from, copy_scale = [], []
    t_src, t_coef, t_st = [], [], []
    for v, slot in enumerate(plan.slots):
        if isinstance(slot, (int, Copy)):
            copy = slot if isinstance(slot, Copy) else Copy(slot)
            if not 0 <= copy.slot < v or not isinstance(plan.slots[copy.slot], tuple):
                raise ValueError(f"slot {v} copies slot {copy.slot}, not an earlier computed slot")
            copy_from.append(copy.slot)
            copy_scale.append(copy.scale)
        else:
            copy_from.append(-1)
            copy_scale.append(0.0)
            for term in slot:
                row = [-1, -1, -1]
                for axis, st in term.factors:
                    row[axis_to_q[axis]] = index[(axis, id(st))]
                t_src.append(term.source)
                t_coef.append(term.coef)
                t_st.append(row)
        slot_ptr.append(len(t_src))
    return (
        np.array(slot_ptr, dtype=np.int64),
        np.array(copy_from, dtype=np.int64),
        np.array(copy_scale, dtype=dtype),
        np.array(t_src, dtype=np.int64).reshape(-1),
        np.array(t_coef, dtype=dtype).reshape(-1),
        np.array(t_st, dtype=np.int64).reshape(-1, 3),
        tab_off,
        tab_w,
        tab_nt,
        st_lo,
        st_hi,
        st_n,
        st_uni,
    )


# --------------------------------------------------------------------------- driver


def apply_plan(
    data: np.ndarray,
    plan: Plan,
    *,
    fill_value: float = np.nan,
    in_start: tuple[int, ...] | None = None,
    out_rows: tuple[tuple[int, int], ...] | None = None,
    threads: int | None = None,
) -> np.ndarray:
    """Run ``plan`` on ``data`` (``(nsource, *shape)``) in one pass.

    Parameters
    ----------
    data : numpy.ndarray
        The input fields stacked along a leading axis.
    plan : Plan
        The outputs; term axes count from the first axis after the source axis.
    fill_value : float
        Value of points a ``fill`` boundary leaves undefined.
    in_start : tuple of int, optional
        Global row of ``data``'s first row along each spatial axis (Dask blocks with
        halos); zeros by default.
    out_rows : tuple of (int, int), optional
        Global rows ``[g0, g1)`` to produce along each spatial axis; all by default.
        Ignored along axes no term differentiates (the whole block is produced).
    threads : int, optional
        Threads to use; :func:`~fieldops.get_num_threads` for large arrays by default.

    Returns
    -------
    numpy.ndarray
        ``(nslot, *out_shape)``, float32 for float32 input, float64 otherwise.

    Examples
    --------
    >>> from fieldops.stencils.weights import build_stencil
    >>> x = np.arange(5.0)
    >>> d1 = build_stencil(x, 1, 2, "one_sided")
    >>> f = (x[:, None] ** 2 + 3 * x[None, :])[None]
    >>> grad = Plan(((Term(0, 1.0, ((0, d1),)),), (Term(0, 1.0, ((1, d1),)),)))
    >>> g = apply_plan(f, grad)
    >>> g.shape, g[0, :, 0].tolist(), float(g[1, 2, 2])
    ((2, 5, 5), [0.0, 2.0, 4.0, 6.0, 8.0], 3.0)
    """
    dtype = float_dtype(data.dtype)
    data = np.asarray(data)
    ndim = data.ndim - 1
    in_start = tuple(in_start) if in_start is not None else (0,) * ndim
    diff_axes = sorted({axis for axis, _ in plan.stencils()})
    if any(a < 0 or a >= ndim for a in diff_axes):
        raise ValueError(f"plan differentiates axes {diff_axes} of a {ndim}-D field")
    out_rows = (
        tuple(out_rows)
        if out_rows is not None
        else tuple((s, s + n) for s, n in zip(in_start, data.shape[1:]))
    )
    if len(diff_axes) > 3:
        return _apply_termwise(data, plan, fill_value, in_start, out_rows, threads)
    # Layout: every differentiated axis among the last three, C-contiguous.
    if diff_axes and diff_axes[0] < ndim - 3:
        rest = [a for a in range(ndim) if a not in diff_axes]
        perm = rest + diff_axes
        inv = np.argsort(perm).tolist()
        moved = Plan(
            tuple(
                s
                if isinstance(s, (int, Copy))
                else tuple(
                    Term(t.source, t.coef, tuple((inv[a], st) for a, st in t.factors)) for t in s
                )
                for s in plan.slots
            )
        )
        res = apply_plan(
            np.ascontiguousarray(data.transpose(0, *(p + 1 for p in perm))),
            moved,
            fill_value=fill_value,
            in_start=tuple(in_start[p] for p in perm),
            out_rows=tuple(out_rows[p] for p in perm),
            threads=threads,
        )
        return res.transpose(0, *(i + 1 for i in inv))
    if data.dtype != dtype or not data.flags.c_contiguous:
        data = np.ascontiguousarray(data, dtype=dtype)

    # View as (nsource, pre, A, B, C): pad with size-1 axes in front when ndim < 3.
    pad = max(3 - ndim, 0)
    shape = (1,) * pad + data.shape[1:]
    starts = (0,) * pad + in_start
    rows = ((0, 1),) * pad + out_rows
    npre = len(shape) - 3
    axis_to_q = {a: a + pad - npre for a in diff_axes}
    diff_q = set(axis_to_q.values())
    in0 = np.zeros(3, dtype=np.int64)
    out0 = np.zeros(3, dtype=np.int64)
    wrap = np.zeros(3, dtype=np.int64)
    out_len = []
    for q in range(3):
        ax = npre + q
        if q in diff_q:
            g0, g1 = rows[ax]
            in0[q], out0[q] = starts[ax], g0
            out_len.append(g1 - g0)
        else:
            out_len.append(shape[ax])
    for axis, st in plan.stencils():
        q = axis_to_q[axis]
        if st.periodic and in0[q] == 0 and shape[npre + q] == st.n:
            wrap[q] = st.n
    pre = int(np.prod(shape[:npre], dtype=np.int64))
    f5 = data.reshape((data.shape[0], pre) + shape[npre:])
    nslot = len(plan.slots)
    out_shape = (nslot,) + shape[:npre] + tuple(out_len)
    out = np.empty(out_shape, dtype=dtype)
    o5 = out.reshape((nslot, pre) + tuple(out_len))
    arrays = _plan_arrays(plan, axis_to_q, dtype)
    fill = dtype.type(fill_value)
    nrows = pre * out_len[0] * out_len[1]
    if out.size:
        nthreads = threads if threads is not None else _apply.get_num_threads()
        if nthreads <= 1 or out.size < _apply._MIN_PARALLEL_SIZE or nrows < 2:
            fused_rows(f5, o5, *arrays, wrap, in0, out0, 0, nrows, fill)
        else:
            jobs = _apply._split(0, nrows, nthreads)
            run = lambda job: fused_rows(f5, o5, *arrays, wrap, in0, out0, *job, fill)  # noqa: E731
            list(_apply._get_pool().map(run, jobs))
    return out[(slice(None),) + (0,) * pad]


def _apply_termwise(data, plan, fill_value, in_start, out_rows, threads):
    """A plan over more than three axes: each term (at most three) fused on its own.

    The terms of a slot are summed in order; a point any term cannot reach (``fill``
    boundary) is ``fill_value``, as in the fused kernel.
    """
    ndim = data.ndim - 1
    diff_axes = sorted({axis for axis, _ in plan.stencils()})
    shape = tuple(
        (out_rows[a][1] - out_rows[a][0]) if a in diff_axes else data.shape[1 + a]
        for a in range(ndim)
    )
    out = np.empty((len(plan.slots),) + shape, dtype=float_dtype(data.dtype))
    for v, slot in enumerate(plan.slots):
        if isinstance(slot, (int, Copy)):
            copy = slot if isinstance(slot, Copy) else Copy(slot)
            out[v] = copy.scale * out[copy.slot]
            continue
        if len(slot) == 0:
            out[v] = 0.0
        undefined = np.zeros(shape, dtype=bool)
        for k, term in enumerate(slot):
            if len({a for a, _ in term.factors}) > 3:
                raise ValueError("a term may differentiate along at most three axes")
            res = apply_plan(
                data,
                Plan(((term,),)),
                fill_value=0.0,
                in_start=in_start,
                out_rows=out_rows,
                threads=threads,
            )[0]
            own = {a for a, _ in term.factors}
            index = tuple(
                slice(out_rows[a][0] - in_start[a], out_rows[a][1] - in_start[a])
                if a in diff_axes and a not in own
                else slice(None)
                for a in range(ndim)
            )
            res = res[index]
            if k == 0:
                out[v] = res
            else:
                out[v] += res
            for axis, st in term.factors:
                rows = np.arange(out_rows[axis][0], out_rows[axis][1])
                bad = stencil_table(st, out.dtype)[2][rows] == 0
                undefined |= bad.reshape((-1,) + (1,) * (ndim - 1 - axis))
        out[v][undefined] = fill_value
    return out
