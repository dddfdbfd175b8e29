"""Timing: medians of round-robin repeats, and the copy baselines of the same run.

All contenders of one case are timed in turns (a, b, c, a, b, c, ...) after one
warm-up call each, so that a noisy neighbour slows them all alike; the median of
each is reported. A result is dropped only after the clock stops, so freeing it
is not timed, but allocating it is (as a user pays for it).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def _call(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def median_time(func: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``func()`` over ``repeat`` runs after one warm-up (one contender)."""
    func()
    return statistics.median(_call(func) for _ in range(repeat))


def measure(
    contenders: dict[str, Callable[[], object]], repeat: int, *, budget_s: float = 2.0
) -> dict[str, float]:
    """Median seconds per call of each contender, timed in turns after a warm-up.

    A contender whose warm-up call took long gets fewer repeats (at least 3) so
    that it spends about ``budget_s`` seconds; the others get ``repeat``.
    """
    rounds: dict[str, int] = {}
    times: dict[str, list[float]] = {}
    for name, func in contenders.items():
        warm = _call(func)
        rounds[name] = max(3, min(repeat, int(budget_s / max(warm, 1e-9))))
        times[name] = []
    for r in range(max(rounds.values(), default=0)):
        for name, func in contenders.items():
            if r < rounds[name]:
                times[name].append(_call(func))
    return {name: statistics.median(ts) for name, ts in times.items()}


def _copy_rows(src: np.ndarray, dst: np.ndarray, r0: int, r1: int) -> None:  # pragma: no cover
    for i in range(r0, r1):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


_copy_kernel = None
_pool: ThreadPoolExecutor | None = None


def threaded_copy(a: np.ndarray, threads: int) -> Callable[[], np.ndarray]:
    """A copy of ``a`` into a fresh ``np.empty`` output, split over ``threads`` threads.

    The same traffic as one derivative (one read, one write, a new output) on
    as many cores as fieldops uses: the machine's copy bandwidth.
    """
    global _copy_kernel, _pool
    if _copy_kernel is None:
        from numba import njit

        _copy_kernel = njit(nogil=True)(_copy_rows)
    if _pool is None or _pool._max_workers != threads:
        _pool = ThreadPoolExecutor(threads)
    flat = a.reshape(-1, a.shape[-1])
    edges = np.linspace(0, flat.shape[0], threads + 1).round().astype(int)
    parts = [(int(lo), int(hi)) for lo, hi in zip(edges[:-1], edges[1:]) if hi > lo]
    _copy_kernel(flat[:1], np.empty_like(flat[:1]), 0, 1)

    def run() -> np.ndarray:
        out = np.empty_like(a)
        o2 = out.reshape(flat.shape)
        list(_pool.map(lambda p: _copy_kernel(flat, o2, p[0], p[1]), parts))
        return out

    return run
