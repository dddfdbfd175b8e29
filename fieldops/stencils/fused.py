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

from fieldops.stencils import apply as _apply
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.dispatch import check_length, is_dask
from fieldops.stencils.fused_kernel import fused_rows
from fieldops.stencils.weights import AxisStencil


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


def apply_fused(
    data: object,
    plan: Plan,
    *,
    fill_value: float = np.nan,
    stacked: bool = True,
    slot_shape: tuple[int, ...] | None = None,
) -> object:
    """Run a fused multi-axis :class:`~fieldops.stencils.fused.Plan` on numpy or Dask data.

    Parameters
    ----------
    data : numpy.ndarray or dask.array.Array
        The input fields stacked along a leading (source) axis: ``(nsource, *shape)``.
    plan : Plan
        The output slots; term axes count from the first axis after the source axis.
    fill_value : float
        Value of points a ``fill`` boundary leaves undefined.
    stacked : bool, default True
        False when ``data`` is one field without the source axis (no extra Dask
        layer to add it).
    slot_shape : tuple of int, optional
        Shape of the slot axes of the result (``()`` for one slot, ``(n, n)`` for a
        tensor); ``(nslot,)`` by default. Done in the block function: no extra Dask
        layer.

    Returns
    -------
    numpy.ndarray or dask.array.Array
        ``(*slot_shape, *shape)``. For Dask: one halo exchange (only along the
        differentiated axes that are split into several chunks) and one
        ``map_blocks`` layer, the input's chunks along ``shape``, one chunk along
        the slot axis, and the same numbers as numpy for every chunking.

    Examples
    --------
    >>> from fieldops.stencils.dispatch import stencil_for
    >>> x = np.arange(5.0)
    >>> d2 = stencil_for(x, 2, 2, "one_sided")
    >>> lap = Plan(((Term(0, 1.0, ((0, d2),)), Term(0, 1.0, ((1, d2),))),))
    >>> f = x[:, None] ** 2 + 2 * x[None, :] ** 2
    >>> float(apply_fused(f[None], lap)[0, 2, 3])
    6.0
    """
    slot_shape = (len(plan.slots),) if slot_shape is None else tuple(slot_shape)
    if int(np.prod(slot_shape, dtype=np.int64)) != len(plan.slots):
        raise ValueError(f"slot_shape {slot_shape} does not hold {len(plan.slots)} slots")
    for axis, st in plan.stencils():
        check_length(data, axis + int(stacked), st.n)
    if not is_dask(data):
        data = np.asarray(data)
        out = apply_plan(data if stacked else data[None], plan, fill_value=fill_value)
        return out.reshape(slot_shape + out.shape[1:])
    return _apply_fused_dask(data, plan, fill_value, int(stacked), slot_shape)


def _apply_fused_dask(x, plan: Plan, fill_value: float, lead: int, slot_shape: tuple[int, ...]):
    import dask.array as da
    from dask.array.overlap import ensure_minimum_chunksize

    dtype = float_dtype(x.dtype)
    ndim = x.ndim - lead
    nlead = len(slot_shape)
    depth = plan.depth(ndim)
    periodic = plan.periodic(ndim)
    if lead and len(x.chunks[0]) > 1:
        x = x.rechunk({0: -1})
    chunks_in = x.chunks[lead:]
    halo = {}
    for axis in range(ndim):
        axis_chunks = x.chunks[axis + lead]
        if depth[axis] == 0 or len(axis_chunks) == 1:
            continue
        if min(axis_chunks) < depth[axis]:
            # The smallest rechunk that gives every block a full halo; undone at the end.
            x = x.rechunk({axis + lead: ensure_minimum_chunksize(depth[axis], axis_chunks)})
        halo[axis] = depth[axis]
    starts = [np.concatenate([[0], np.cumsum(c)]).tolist() for c in x.chunks[lead:]]
    if halo:
        ghosted = da.overlap.overlap(
            x,
            depth={a + lead: d for a, d in halo.items()},
            boundary={a + lead: ("periodic" if periodic[a] else "none") for a in halo},
        )
    else:
        ghosted = x

    def block_fn(block, block_id=None):
        in_start, out_rows = [], []
        for axis in range(ndim):
            j = block_id[axis + nlead]  # output block ids
            g0, g1 = starts[axis][j], starts[axis][j + 1]
            left = halo.get(axis, 0) if (periodic[axis] or j > 0) else 0
            in_start.append(g0 - left)
            out_rows.append((g0, g1))
        res = apply_plan(
            block if lead else block[None],
            plan,
            fill_value=fill_value,
            in_start=tuple(in_start),
            out_rows=tuple(out_rows),
            threads=1,
        )
        return res.reshape(slot_shape + res.shape[1:])

    lead_chunks = tuple((k,) for k in slot_shape)
    axes = {}
    if nlead > lead:
        axes = {"new_axis": list(range(nlead - lead))}
    elif nlead < lead:
        axes = {"drop_axis": 0}
    out = ghosted.map_blocks(
        block_fn,
        dtype=dtype,
        chunks=lead_chunks + x.chunks[lead:],
        meta=np.empty((0,) * (ndim + nlead), dtype),
        **axes,
    )
    if out.chunks[len(lead_chunks) :] != chunks_in:
        out = out.rechunk(lead_chunks + chunks_in)
    return out
