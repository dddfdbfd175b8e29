"""The iterative path for grids too big to factor: algebraic multigrid (pyamg) + GMRES.

:class:`Multigrid` stands in for SuperLU's factorisation in
:class:`~fieldops.solvers.sparse.SparseSolver` (same ``solve(b, trans=)``), built
from the same matrix: one smoothed-aggregation hierarchy (pyamg) per matrix, used
as the preconditioner of GMRES. Its memory grows like the matrix (a few times its
non-zeros), where a sparse LU's fill grows faster than the grid; its time per
solve is a few tens of multigrid cycles instead of two triangular solves.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

SOLVERS = ("direct", "iterative")
RTOL = 1e-10  # relative residual every iterative solve reaches (or raises)
_MAXITER = 400


def check_solver(solver: str) -> str:
    """``solver`` if it is one of :data:`SOLVERS`; the error names the choices and pyamg."""
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}; got {solver!r}")
    if solver == "iterative":
        try:
            import pyamg  # noqa: F401
        except ImportError:  # pragma: no cover - pyamg is in the test extra
            raise ImportError(
                "solver='iterative' uses pyamg (algebraic multigrid), which is not installed: "
                "pip install 'fieldops-xr[iterative]' (or pip install pyamg)"
            ) from None
    return solver


def factorise(matrix: sp.spmatrix, solver: str):
    """What solves ``matrix`` (``.solve(b, trans=)``): SuperLU's factors or a :class:`Multigrid`."""
    return Multigrid(matrix) if solver == "iterative" else splu(sp.csc_matrix(matrix))


class Multigrid:
    """``matrix`` solved by GMRES, preconditioned by a smoothed-aggregation hierarchy.

    Rows are scaled to a unit diagonal first: the Laplacian's rows (of order
    ``1/dx**2``, 1e-10 per square metre on the Earth) and the boundary rows (of
    order 1) would otherwise look like unrelated scales to the aggregation.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> n = 50
    >>> lap1 = sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(n, n))
    >>> matrix = sp.kronsum(lap1, lap1).tocsr()
    >>> b = np.ones((n * n, 2))
    >>> x = Multigrid(matrix).solve(b)
    >>> bool(np.abs(matrix @ x - b).max() < 1e-8)
    True
    """

    def __init__(self, matrix: sp.spmatrix):
        self.matrix = sp.csr_matrix(matrix)
        self._levels: dict[str, tuple[sp.csr_matrix, np.ndarray, object]] = {}

    def _hierarchy(self, trans: str):
        if trans not in self._levels:
            import pyamg

            a = self.matrix if trans == "N" else self.matrix.T.tocsr()
            diag = a.diagonal()
            scale = 1.0 / np.where(diag != 0, diag, 1.0)
            scaled = sp.csr_matrix(sp.diags(scale) @ a)
            ml = pyamg.smoothed_aggregation_solver(scaled, symmetry="nonsymmetric", max_coarse=500)
            self._levels[trans] = (scaled, scale, ml)
        return self._levels[trans]

    def solve(self, b: np.ndarray, trans: str = "N") -> np.ndarray:
        """``x`` with ``matrix @ x == b`` (``matrix.T`` with ``trans="T"``), per column."""
        scaled, scale, ml = self._hierarchy(trans)
        b = np.asarray(b, dtype=np.float64)
        cols = b.reshape(b.shape[0], -1)
        out = np.zeros_like(cols)
        for j in range(cols.shape[1]):
            rhs = scale * cols[:, j]
            size = np.linalg.norm(rhs)
            if size == 0:
                continue
            # pyamg stops on the preconditioned residual; the true one is checked and
            # the remainder solved for (relative to itself) until that reaches RTOL too.
            x = np.zeros_like(rhs)
            left, used, reached = rhs, 0, 1.0
            while used < _MAXITER and reached > RTOL:
                residuals: list[float] = []
                x += ml.solve(
                    left,
                    tol=RTOL / 10,
                    accel="gmres",
                    maxiter=min(_MAXITER, rhs.size),
                    residuals=residuals,
                )
                used += max(len(residuals), 1)
                left = rhs - scaled @ x
                reached = np.linalg.norm(left) / size
            if not reached <= RTOL:
                raise RuntimeError(
                    f"the iterative solver reached a relative residual of {reached:.1e} "
                    f"(aim {RTOL:.0e}) in {used} iterations; use solver='direct' "
                    "if the grid fits in memory, or check the mask for cells cut off"
                )
            out[:, j] = x
        return out.reshape(b.shape)

    def nbytes(self) -> int:
        """Memory held by the hierarchies (the matrices of every level)."""
        total = 0
        for _, _, ml in self._levels.values():
            for level in ml.levels:
                for name in ("A", "P", "R"):
                    m = getattr(level, name, None)
                    if m is not None:
                        total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        return total
