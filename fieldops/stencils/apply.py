"""The one place that handles axes, dtypes, memory layout and threads.

:func:`apply_stencil` takes a numpy array, an axis and an
:class:`~fieldops.stencils.weights.AxisStencil` and returns the derivative, calling
the Numba kernels on a ``(pre, n, post)`` view. It also serves Dask blocks: the
caller says which global rows the block must produce (``out_rows``) and which
global row its first input row is (``in_start``).
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

if TYPE_CHECKING:  # annotations only: keeps the import graph shallow
    from fieldops.stencils.weights import AxisStencil

# The Numba kernels (and Numba itself, ~0.25 s) are imported on the first call,
# not with fieldops: `import fieldops` and the command line's --help stay quick.
kernels = None


def _load_kernels():
    global kernels
    if kernels is None:
        from fieldops.stencils import kernels as module

        kernels = module
    return kernels


# Below this many elements threads cost more than they save.
_MIN_PARALLEL_SIZE = 1 << 18

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _threads_from_env(value: str | None) -> int:
    """Threads named by ``FIELDOPS_NUM_THREADS``; all cores when unset or empty.

    A bad value must not make ``import fieldops`` fail (the variable is often set
    for a whole cluster), so it warns, names the allowed values and falls back.
    """
    default = os.cpu_count() or 1
    if value is None or not value.strip():
        return default
    try:
        n = int(value.strip())
    except ValueError:
        n = 0
    if n < 1:
        warnings.warn(
            f"FIELDOPS_NUM_THREADS={value!r} is not a positive integer; using "
            f"{default} threads (all cores). Set it to a whole number >= 1, or leave "
            "it unset or empty for all cores.",
            RuntimeWarning,
            stacklevel=2,
        )
        return default
    return n


_num_threads = _threads_from_env(os.environ.get("FIELDOPS_NUM_THREADS"))


def set_num_threads(n: int) -> None:
    """Set how many threads in-memory (numpy) calls may use.

    Calls inside Dask tasks always run on one thread: Dask supplies the
    parallelism there, and nesting both would oversubscribe the cores.

    Parameters
    ----------
    n : int
        Number of threads, at least 1.

    Examples
    --------
    >>> import fieldops
    >>> fieldops.set_num_threads(1)
    >>> fieldops.get_num_threads()
    1
    >>> fieldops.set_num_threads(os.cpu_count())
    """
    global _num_threads, _pool
    if int(n) < 1:
        raise ValueError(f"number of threads must be at least 1, got {n}")
    with _pool_lock:
        _num_threads = int(n)
        # The old pool is dropped, not shut down: a call in another thread may
        # still be submitting to it. Its workers exit once its last user lets go
        # of it (ThreadPoolExecutor wakes them when it is garbage collected).
        _pool = None


def get_num_threads() -> int:
    """Number of threads in-memory calls may use (see :func:`set_num_threads`).

    Examples
    --------
    >>> import fieldops
    >>> fieldops.get_num_threads() >= 1
    True
    """
    return _num_threads


def _get_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_num_threads, thread_name_prefix="fieldops")
        return _pool


def float_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a derivative of ``dtype`` data has: float32 stays, all else float64."""
    dtype = np.dtype(dtype).newbyteorder("=")  # big-endian float32 (netCDF3) stays float32
    return dtype if dtype == np.float32 else np.dtype(np.float64)


def _ro(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a``.

    Numba compiles one specialisation per read-only flag, and Dask hands tasks
    read-only arrays (blocks received from another worker, zero-copy
    deserialised stencils) as well as writable ones. Passing every kernel input
    read-only keeps that to one compilation (and one cache entry) per dtype.
    """
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


def _split(start: int, stop: int, parts: int) -> list[tuple[int, int]]:
    edges = np.linspace(start, stop, parts + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def split_range(start: int, stop: int, parts: int) -> list[tuple[int, int]]:
    """``[start, stop)`` cut into at most ``parts`` non-empty ``(a, b)`` pieces.

    Examples
    --------
    >>> split_range(0, 10, 3)
    [(0, 3), (3, 7), (7, 10)]
    """
    return _split(start, stop, parts)


def pool_map(func: Callable, jobs: list) -> list:
    """``[func(job) for job in jobs]`` on the thread pool (in this thread for one job).

    The kernels run ``nogil``, so the jobs run at once; calls inside Dask tasks pass
    one job (Dask runs the tasks in parallel).
    """
    if len(jobs) == 1:
        return [func(jobs[0])]
    return list(_get_pool().map(func, jobs))


_PREPARED: dict[tuple[int, str, int, int], tuple[AxisStencil, tuple]] = {}


def _prepared(stencil: AxisStencil, dtype: np.dtype, g0: int, g1: int) -> tuple:
    """Interior rows, weights in ``dtype`` and the edge rows of output rows ``[g0, g1)``.

    Cached per stencil object (held, so its id stays unique), dtype and row
    range: a small call then costs the kernel and little else.
    """
    key = (id(stencil), dtype.str, g0, g1)
    hit = _PREPARED.get(key)
    if hit is not None and hit[0] is stencil:
        return hit[1]
    r0 = max(stencil.lo, g0)
    r1 = min(stencil.n - stencil.hi, g1)
    weights = stencil.weights.astype(dtype, copy=False)
    if not stencil.uniform and r1 > r0:
        weights = np.ascontiguousarray(weights[:, r0 - stencil.lo : r1 - stencil.lo])
    weights = _ro(weights)
    # Edge rows in two groups, the start's and the end's, so that two threads
    # can take one each.
    edges = []
    for side in (stencil.edge_rows < stencil.n // 2, stencil.edge_rows >= stencil.n // 2):
        sel = side & (stencil.edge_rows >= g0) & (stencil.edge_rows < g1)
        if sel.any():
            edges.append(
                (
                    _ro(stencil.edge_rows[sel]),
                    _ro(stencil.edge_offsets[sel]),
                    _ro(stencil.edge_weights[sel].astype(dtype)),
                    _ro(stencil.edge_nterms[sel]),
                )
            )
    edges = tuple(edges)
    # Read-only like every kernel input (one Numba specialisation), and the edge
    # rows of both ends as one set for the last-axis kernel: built once, not per call.
    prepared = (r0, r1, weights, edges, _ro(stencil.offsets), _merged(edges, dtype))
    if len(_PREPARED) >= 512:
        _PREPARED.clear()
    _PREPARED[key] = (stencil, prepared)
    return prepared


def _merged(sides: tuple, dtype: np.dtype) -> tuple:
    """The edge rows of ``sides`` as one set of arrays (empty ones when none)."""
    if len(sides) == 1:
        return sides[0]
    if not sides:
        return (
            _ro(np.zeros(0, np.int64)),
            _ro(np.zeros((0, 1), np.int64)),
            _ro(np.zeros((0, 1), dtype)),
            _ro(np.zeros(0, np.int64)),
        )
    return tuple(_ro(np.concatenate(parts)) for parts in zip(*sides))


class SecondPass(NamedTuple):
    """A pass over the output fused with the plain kernel's: ``then=`` of :func:`apply_stencil`.

    Each kernel takes the arguments of the plain kernel it stands for, then
    ``*args``: ``lines`` those of ``interior_last_axis``; ``rows`` those of
    ``interior_inner_axis`` less ``c0, c1`` (whole rows); ``edges`` only
    ``(f, out, a0, a1, i0, i1, ishift)``, the second pass over rows ``[i0, i1)``
    once the edge kernel has made them. ``fallback(out)`` is the second pass over
    all of ``out`` after the plain one, for jobs that split lines.
    """

    lines: Callable
    rows: Callable
    edges: Callable
    args: tuple
    fallback: Callable[[np.ndarray], np.ndarray]


class GapAware(Protocol):
    """What the dispatch needs of a rule that makes a derivative gap-aware.

    :class:`fieldops.stencils.masked.GapRule` is the one implementation; the
    dispatch names only this shape, so it does not import the gap kernels.
    """

    @property
    def reach(self) -> int: ...

    def then(self, data: np.ndarray, axis: int, stencil: AxisStencil) -> SecondPass | None: ...

    def fix(self, data: np.ndarray, result: np.ndarray, axis: int, stencil: AxisStencil,
            **where: object) -> np.ndarray: ...  # fmt: skip


def apply_stencil(
    data: np.ndarray,
    axis: int,
    stencil: AxisStencil,
    *,
    fill_value: float = np.nan,
    out_rows: tuple[int, int] | None = None,
    in_start: int = 0,
    threads: int | None = None,
    out: np.ndarray | None = None,
    out_start: int | None = None,
    then: SecondPass | None = None,
) -> np.ndarray:
    """Apply ``stencil`` along ``axis`` of ``data``.

    Parameters
    ----------
    data : numpy.ndarray
        Input; converted to float64 unless float32 or float64.
    axis : int
        Axis to differentiate along.
    stencil : AxisStencil
        The operator, built for the axis's full (global) length.
    fill_value : float
        Value of rows that the ``fill`` boundary leaves undefined.
    out_rows : tuple of int, optional
        Global rows ``[g0, g1)`` to produce; all rows by default.
    in_start : int
        Global row of ``data``'s first row along ``axis`` (Dask blocks with halos).
        When it is not 0 or the block is not the whole axis, periodic edge rows
        read their halo instead of wrapping.
    threads : int, optional
        Threads to use; :func:`get_num_threads` by default for large arrays.
    out : numpy.ndarray, optional
        C-contiguous array of the output dtype to write rows ``[g0, g1)`` into
        (the other rows are left alone); allocated when omitted.
    out_start : int, optional
        Global row of ``out``'s first row along ``axis`` (default ``g0``).
    then : SecondPass, optional
        A second pass over the output (the gap fix-up of ``nan_policy="omit"``),
        run by the same jobs right after the plain kernel, block by block while
        the block is in cache; after the plain pass when the jobs split lines.

    Returns
    -------
    numpy.ndarray
        ``data``'s shape, but ``g1 - g0`` long along ``axis``; or ``out``.

    Examples
    --------
    >>> from fieldops.stencils.weights import build_stencil
    >>> st = build_stencil(np.arange(4.0), 1, 2, "one_sided")
    >>> apply_stencil(np.arange(4.0) ** 2, 0, st)
    array([0., 2., 4., 6.])
    """
    dtype = float_dtype(data.dtype)
    data = np.asarray(data)
    axis = axis % data.ndim
    if data.dtype != dtype:
        data = data.astype(dtype)
    # An F-ordered array is a C-ordered one read backwards: work on its transpose
    # rather than copy it, and hand back the same layout.
    if (
        out is None
        and then is None
        and not data.flags.c_contiguous
        and data.flags.f_contiguous
        and data.ndim > 1
    ):
        res = apply_stencil(
            data.T,
            data.ndim - 1 - axis,
            stencil,
            fill_value=fill_value,
            out_rows=out_rows,
            in_start=in_start,
            threads=threads,
        )
        return res.T
    data = np.ascontiguousarray(data)
    g0, g1 = out_rows if out_rows is not None else (0, stencil.n)
    shape = data.shape
    pre = math.prod(shape[:axis])
    post = math.prod(shape[axis + 1 :])
    if out is None:
        out = np.empty(shape[:axis] + (g1 - g0,) + shape[axis + 1 :], dtype=dtype)
        oshift = g0
    else:
        oshift = g0 if out_start is None else out_start
        if (
            out.dtype != dtype
            or not out.flags.c_contiguous
            or out.shape[:axis] + out.shape[axis + 1 :] != shape[:axis] + shape[axis + 1 :]
            or g0 < oshift
            or g1 > oshift + out.shape[axis]
        ):
            raise ValueError("out must be C-contiguous, of the output dtype, and hold rows g0:g1")
    if out.size == 0 or g1 <= g0:
        return out
    f3 = _ro(data.reshape(pre, shape[axis], post))
    o3 = out.reshape(pre, out.shape[axis], post)
    whole = in_start == 0 and shape[axis] == stencil.n
    wrap = stencil.n if (stencil.periodic and whole) else 0
    r0, r1, weights, edges, offsets, all_edges = _prepared(stencil, dtype, g0, g1)
    fill = dtype.type(fill_value)
    kernels = _load_kernels()

    def run(a0: int, a1: int, c0: int, c1: int, i0: int, i1: int, sides: tuple) -> None:
        w = weights
        if i1 > i0 and not stencil.uniform and (i0, i1) != (r0, r1):
            w = _ro(np.ascontiguousarray(weights[:, i0 - r0 : i1 - r0]))
        if post == 1:
            # Interior and edge points line by line, while each line is in cache.
            e = all_edges if sides is edges else _merged(sides, dtype)
            kernel = kernels.interior_last_axis if then is None else then.lines
            kernel(
                f3[:, :, 0],
                o3[:, :, 0],
                offsets,
                w,
                a0,
                a1,
                i0,
                max(i1, i0),
                oshift,
                in_start,
                *e,
                fill,
                wrap,
                *(() if then is None else then.args),
            )
            return
        if i1 > i0 and then is not None:
            then.rows(f3, o3, offsets, w, a0, a1, i0, i1, oshift, in_start, *then.args)
        elif i1 > i0:
            kernels.interior_inner_axis(
                f3, o3, offsets, w, a0, a1, i0, i1, c0, c1, oshift, in_start
            )
        for edge in sides:
            kernels.edge_rows(f3, o3, *edge, fill, wrap, a0, a1, c0, c1, oshift, in_start)
            if then is not None:
                e0, e1 = int(edge[0].min()), int(edge[0].max()) + 1
                then.edges(f3, o3, a0, a1, e0, e1, in_start, *then.args)

    nthreads = threads if threads is not None else _num_threads
    if nthreads <= 1 or data.size < _MIN_PARALLEL_SIZE:
        run(0, pre, 0, post, r0, r1, edges)
        return out
    if then is not None and pre < nthreads and (post == 1 or r1 - r0 < 8 * nthreads):
        # The jobs would split lines: the second pass runs after the plain one.
        apply_stencil(
            data, axis, stencil, fill_value=fill_value, out_rows=out_rows, in_start=in_start,
            threads=threads, out=out, out_start=oshift,
        )  # fmt: skip
        return then.fallback(out)
    if pre >= nthreads:
        jobs = [(a0, a1, 0, post, r0, r1, edges) for a0, a1 in _split(0, pre, nthreads)]
    elif r1 - r0 >= 8 * nthreads:
        # Whole rows per thread: each streams one contiguous stretch of memory,
        # which the prefetchers follow better than half-rows (~30% faster than a
        # split of the columns along axis 0 of a 4000x4000 array). The first and
        # the last thread take the edge rows of their end.
        parts = _split(r0, r1, nthreads)
        jobs = [(0, pre, 0, post, i0, i1, ()) for i0, i1 in parts]
        jobs[0] = jobs[0][:-1] + (edges[:1],)
        jobs[-1] = jobs[-1][:-1] + (jobs[-1][-1] + edges[1:],)
    elif post >= 64 * nthreads:
        jobs = [(0, pre, c0, c1, r0, r1, edges) for c0, c1 in _split(0, post, nthreads)]
    else:
        run(0, pre, 0, post, r0, r1, edges)
        return out
    list(_get_pool().map(lambda job: run(*job), jobs))
    return out
