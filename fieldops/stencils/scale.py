"""Multiply stacked fields in place by a 2-D factor over their last two axes (map factors).

One pass over the data (the factor row stays in cache for every field and
leading index), split over the thread pool like the stencil kernels. numpy and
numba only.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from fieldops.stencils import apply as _apply


@njit(cache=True, nogil=True)
def _scale_rows(data, factor, r0, r1):  # pragma: no cover  (compiled)
    """``data[k, p, i, :] *= factor[i, :]`` for flattened rows ``(p, i)`` in ``[r0, r1)``."""
    ny = factor.shape[0]
    for r in range(r0, r1):
        p = r // ny
        i = r - p * ny
        row = factor[i]
        for k in range(data.shape[0]):
            out = data[k, p, i]
            for j in range(out.shape[0]):
                out[j] *= row[j]


def scale_inplace(data: np.ndarray, factor: np.ndarray) -> None:
    """``data[k, ..., i, j] *= factor[i, j]`` in place; ``data`` is ``(k, ..., ny, nx)``.

    Examples
    --------
    >>> d = np.ones((2, 3, 2, 2))
    >>> scale_inplace(d, np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> d[1, 2].tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    ny, nx = factor.shape
    view = data.reshape(data.shape[0], -1, ny, nx)  # a view: data is C-contiguous
    rows = view.shape[1] * ny
    factor = _apply._ro(np.ascontiguousarray(factor, dtype=data.dtype))
    threads = _apply.get_num_threads()
    if threads <= 1 or data.size < _apply._MIN_PARALLEL_SIZE or rows < 2:
        _scale_rows(view, factor, 0, rows)
        return
    jobs = _apply._split(0, rows, threads)
    list(_apply._get_pool().map(lambda job: _scale_rows(view, factor, *job), jobs))
