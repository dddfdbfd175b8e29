"""Bounded, masked, curvilinear and cartesian domains: one sparse factorisation, reused.

The domain is the valid cells (``mask`` True, or finite under ``nan_policy="omit"``).
Each cell gets one equation:

* an *interior* cell: the row of fieldops' own discrete Laplacian (probed, see
  :mod:`fieldops.solvers.operator`; gap-aware stencils next to a mask, exactly as
  ``fieldops.laplacian(f, mask=mask)`` computes them), equal to ``rhs``;
* a *boundary* cell (the outer ring along a dirichlet/neumann dim, a valid cell
  next to a masked one (a coast), or a cell where the Laplacian is undefined):
  ``dirichlet``: ``f = g``; ``neumann``: the outward derivative
  ``+-fieldops.diff(f, dim) = g`` along the first dim (y, then x) on which the
  cell has exactly one missing neighbour (``g = boundary_values``, 0 by default).
  A cell pinched between missing neighbours on both sides of every dim takes the
  mean of its valid neighbours;
* a cell exactly on a pole (on a masked global grid): one value per pole, the
  weighted zonal means of the nearest rows (fieldops' own pole limit).

Pieces of the domain that carry no dirichlet cell (neumann or periodic
everywhere) determine ``f`` only up to a constant and have one compatibility
condition each (``y^T rhs = 0``, ``y`` the piece's left null vector). In each
such piece one interior equation is replaced by ``f = 0`` (a pin, which keeps the
matrix sparse: a bordered matrix's dense row and column filled the factors tenfold),
the constant that makes ``rhs`` compatible is removed from it (zero, to roundoff,
when ``rhs`` is a discrete Laplacian with that boundary flux), and the piece's
area-weighted mean is removed from ``f``; the constants are returned so that the
caller can warn. A domain split by a mask is therefore solved piece by piece,
never refused.

The matrix is factored once by SuperLU (:func:`scipy.sparse.linalg.splu`)
and the factorisation is reused for every time/level slice; pickling drops it
(workers factor once each, on first use).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from fieldops.solvers.iterative import factorise
from fieldops.solvers.operator import SOLVE_LOCK, probe_matrix

Apply = Callable[[np.ndarray], np.ndarray]
# Factorisations made in this process, by problem key (see SparseSolver.lu).
_FACTORS: dict[str, object] = {}
INTERIOR, DIRICHLET, NEUMANN, POLE, PINCHED = range(5)


def _shift(valid: np.ndarray, axis: int, step: int, periodic: bool) -> np.ndarray:
    """Whether the neighbour ``step`` along ``axis`` of each cell is valid (False off the grid)."""
    out = np.roll(valid, -step, axis=axis)
    if not periodic:
        edge = [slice(None)] * 2
        edge[axis] = slice(-1, None) if step > 0 else slice(0, 1)
        out[tuple(edge)] = False
    return out


class SparseSolver:
    """One domain's equations, factored once; :meth:`solve` for batches of fields.

    Parameters
    ----------
    lap : callable
        ``fieldops.laplacian`` (with the mask) on ``(k, ny, nx)`` float64 batches.
    diffs : (callable, callable)
        ``fieldops.diff`` along y and along x (with the mask), same convention.
    shape : (ny, nx)
    periodic : (bool, bool)
    bc : (str, str)
        Per dim: ``"periodic"``, ``"dirichlet"``, ``"neumann"`` or ``"none"``
        (a dim that closes on itself without being periodic: latitude of a sphere).
    coast : {"dirichlet", "neumann"}
        The condition on cells next to masked ones.
    valid : ndarray of bool
        The domain.
    areas : ndarray
        Cell areas (the zero-mean condition of pieces without dirichlet cells).
    poles : dict
        ``{row: (rows, weights)}`` of the pole limit (global grids with pole rows).
    reach, diff_reach : int
        Reach of the probed Laplacian and first derivatives (checked: a wider operator
        is an error, never a wrong matrix).
    key : str
        The problem's name in this process (its factors are made once per process).
    solver : {"direct", "iterative"}
        SuperLU, or GMRES preconditioned by algebraic multigrid
        (:class:`~fieldops.solvers.iterative.Multigrid`) for grids too big to factor.

    Examples
    --------
    >>> def lap(f):  # 5-point Laplacian, zero outside (only the interior rows are used)
    ...     out = -4 * f
    ...     out[:, 1:] += f[:, :-1]; out[:, :-1] += f[:, 1:]
    ...     out[:, :, 1:] += f[:, :, :-1]; out[:, :, :-1] += f[:, :, 1:]
    ...     return out
    >>> def d(axis):
    ...     return lambda f: np.gradient(f, axis=axis + 1)
    >>> valid = np.ones((5, 6), bool)
    >>> s = SparseSolver(lap, (d(0), d(1)), (5, 6), (False, False), ("dirichlet",) * 2,
    ...                  "dirichlet", valid, np.ones((5, 6)), {}, 1)
    >>> f = np.zeros((1, 5, 6)); f[0, 1:-1, 1:-1] = np.arange(12.0).reshape(3, 4)
    >>> g, removed = s.solve(lap(f), None)
    >>> bool(np.allclose(g, f)), removed.shape
    (True, (0, 1))
    """

    def __init__(
        self,
        lap: Apply,
        diffs: tuple[Apply, Apply],
        shape: tuple[int, int],
        periodic: tuple[bool, bool],
        bc: tuple[str, str],
        coast: str,
        valid: np.ndarray,
        areas: np.ndarray,
        poles: dict[int, tuple[np.ndarray, np.ndarray]],
        reach: int,
        diff_reach: int | None = None,
        *,
        key: str = "",
        solver: str = "direct",
    ):
        ny, nx = shape
        self.shape = shape
        valid = np.asarray(valid, bool)
        pole_rows = [p for p, (rows, _) in poles.items() if valid[p].all() and valid[rows].all()]

        def lap_no_poles(a: np.ndarray) -> np.ndarray:
            out = np.array(lap(a), dtype=np.float64)
            if poles:
                out[:, list(poles), :] = np.nan  # set by the pole equations instead
            return out

        lmat = probe_matrix(lap_no_poles, shape, reach, periodic)
        kind = np.full(shape, INTERIOR)
        for axis in (0, 1):
            if bc[axis] in ("dirichlet", "neumann"):
                edge = [slice(None)] * 2
                for index in (0, -1):
                    edge[axis] = index
                    sub = kind[tuple(edge)]
                    cond = DIRICHLET if bc[axis] == "dirichlet" else NEUMANN
                    kind[tuple(edge)] = np.where(sub == DIRICHLET, DIRICHLET, cond)
        near_mask = np.zeros(shape, bool)
        missing = {}
        for axis in (0, 1):
            per = periodic[axis]
            lo = ~_shift(valid, axis, -1, per)
            hi = ~_shift(valid, axis, 1, per)
            # A neighbour missing off a closed or periodic grid edge is no boundary.
            if bc[axis] == "none":
                edge = [slice(None)] * 2
                edge[axis] = 0
                lo[tuple(edge)] = False
                edge[axis] = -1
                hi[tuple(edge)] = False
            missing[axis] = (lo, hi)
            near_mask |= (lo | hi) & valid
        # Cells next to the mask (coasts), plus the outer ring where it is a boundary.
        outer = kind != INTERIOR
        undefined = valid & (np.diff(lmat.indptr).reshape(shape) == 0)
        coast_cells = valid & ~outer & (near_mask | undefined)
        kind[coast_cells] = DIRICHLET if coast == "dirichlet" else NEUMANN
        for p in pole_rows:
            kind[p] = POLE
        kind[~valid] = -1
        # Neumann rows: the outward derivative along the first dim with one side missing.
        dmats = {}
        rows_neu = np.full(shape, -1)
        signs = np.zeros(shape)
        for axis in (1, 0):  # y wins: assigned last
            lo, hi = missing[axis]
            if bc[axis] == "periodic" or not (kind == NEUMANN).any():
                continue
            one = (lo ^ hi) & (kind == NEUMANN)
            if one.any():
                dmats[axis] = probe_matrix(
                    diffs[axis], shape, reach if diff_reach is None else diff_reach, periodic
                )
                rows_neu[one] = axis
                signs[one] = np.where(hi[one], 1.0, -1.0)
        kind[(kind == NEUMANN) & (rows_neu < 0)] = PINCHED
        # A cell with no valid neighbour at all: its value is given (dirichlet).
        alone = valid.copy()
        for axis in (0, 1):
            alone &= missing[axis][0] & missing[axis][1]
        kind[alone & (kind != POLE)] = DIRICHLET
        self.kind = kind
        cells = np.flatnonzero(valid.ravel())
        n = cells.size
        index = np.full(ny * nx, -1)
        index[cells] = np.arange(n)
        flat_kind = kind.ravel()[cells]
        blocks = [sp.diags((flat_kind == INTERIOR).astype(float)) @ lmat[cells]]
        blocks.append(sp.diags((flat_kind == DIRICHLET).astype(float)) @ _embed(cells, ny * nx))
        for axis, dmat in dmats.items():
            use = (flat_kind == NEUMANN) & (rows_neu.ravel()[cells] == axis)
            weights = np.where(use, signs.ravel()[cells], 0.0)
            blocks.append(sp.diags(weights) @ dmat[cells])
        blocks.append(_pinched_rows(kind, valid, periodic, index, cells.size))
        blocks.append(_pole_rows(pole_rows, poles, index, cells.size, shape))
        full = sum(blocks[1:], blocks[0]).tocsc()
        # Only valid cells may be referenced (masked stencils never reach out).
        outside = np.ones(ny * nx, bool)
        outside[cells] = False
        leak = abs(full[:, outside]).sum() if outside.any() else 0.0
        if leak > 0:
            raise ValueError(
                "the operator reaches cells outside the mask; this mask/option combination "
                "is not supported by solve_poisson"
            )
        mat = full[:, cells].tocsr()
        # Pieces without dirichlet cells: f is fixed up to a constant there, and rhs must
        # satisfy one condition (y^T rhs = 0, y the left null vector of the piece). A
        # bordered matrix (dense row and column) fills SuperLU's factors ten times over;
        # instead one interior equation per piece is replaced by f = 0 (a "pin"), y is
        # found with one transposed solve, and each solve removes the constant that
        # makes rhs compatible, then the piece's area-weighted mean from f.
        npieces, labels = connected_components(mat + mat.T, directed=False)
        fixed = np.zeros(npieces, bool)
        fixed[np.unique(labels[flat_kind == DIRICHLET])] = True
        free = np.flatnonzero(~fixed)
        area = np.asarray(areas, dtype=np.float64).ravel()[cells]
        interior = flat_kind == INTERIOR
        pins, members, shifts = [], [], []
        for piece in free:
            inside = labels == piece
            candidates = np.flatnonzero(inside & interior)
            pins.append(int(candidates[0]) if candidates.size else int(np.flatnonzero(inside)[0]))
            w = np.where(inside, area, 0.0)
            members.append(w / w.sum())
            shifts.append(inside & interior)
        self.nfree = len(free)
        self.pins = np.asarray(pins, dtype=np.int64)
        self.means = np.array(members).reshape(self.nfree, n)  # area weights per piece
        self.shifts = np.array(shifts, dtype=float).reshape(self.nfree, n).T  # (n, pieces)
        self.within = (labels[:, None] == free[None, :]).astype(float)  # (n, pieces)
        original_rows = mat[self.pins].toarray() if self.nfree else np.zeros((0, n))
        if self.nfree:
            keep = np.ones(n)
            keep[self.pins] = 0.0
            one = sp.csr_matrix((np.ones(self.nfree), (self.pins, self.pins)), shape=(n, n))
            mat = sp.diags(keep) @ mat + one
        self.matrix = mat.tocsc()
        self.solver = solver
        self.refine = bool(pole_rows) and solver == "direct"
        self.cells = cells
        self.flat_kind = flat_kind
        self._lu = None
        self.key = key  # the factors' name in this process (the problem cache's key)
        self.left = np.zeros((n, 0))
        if self.nfree:
            # y_k: M^T y_k = 0 with y_k = 1 on the pin (pinned^T y = -(original pin row)).
            lu = self.lu  # (takes the lock itself: not inside it)
            with SOLVE_LOCK:
                left = lu.solve(np.asfortranarray(-original_rows.T), trans="T")
            left[self.pins, np.arange(self.nfree)] = 1.0
            self.left = left
            self.denominator = (left * self.shifts).sum(axis=0)

    def equations(self, f: np.ndarray) -> np.ndarray:
        """Each domain cell's equation applied to ``f`` (``(ny, nx)``; NaN outside).

        On boundary cells this is what ``boundary_values`` must be for ``f`` to
        solve the problem (its dirichlet value, its outward derivative): the
        round-trip tests use it.
        """
        ny, nx = self.shape
        rows = self.matrix @ np.asarray(f, dtype=np.float64).ravel()[self.cells]
        out = np.full(ny * nx, np.nan)
        out[self.cells] = rows
        return out.reshape(ny, nx)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_lu"] = None  # SuperLU objects do not pickle: each worker factors once
        return state

    @property
    def lu(self):
        """The SuperLU factorisation (or the multigrid hierarchy): made once per process.

        An unpickled copy (a Dask task on a worker) finds the factors its process
        already made for the same problem (``key``), so a worker factors once, not
        once per chunk.
        """
        if self._lu is None:
            with SOLVE_LOCK:
                found = _FACTORS.get(self.key) if self.key else None
                if found is None:
                    found = factorise(self.matrix, self.solver)
                    if self.key:
                        _FACTORS[self.key] = found
                        while len(_FACTORS) > 8:
                            _FACTORS.pop(next(iter(_FACTORS)))
                self._lu = found
        elif self.key and self.key not in _FACTORS:
            _FACTORS[self.key] = self._lu  # (evicted meanwhile: this process has it)
        return self._lu

    def solve(self, rhs: np.ndarray, g: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """``(k, ny, nx)`` fields (NaN outside), and the constants removed per free piece."""
        k = rhs.shape[0]
        ny, nx = self.shape
        n = self.cells.size
        b = np.zeros((n, k))
        r = rhs.reshape(k, ny * nx)[:, self.cells].T
        interior = self.flat_kind == INTERIOR
        bad = ~np.isfinite(r[interior])
        if bad.any():
            raise ValueError(
                f"rhs is not finite at {int(bad.any(axis=1).sum())} points inside the domain; "
                "pass mask= (True where valid) or nan_policy='omit'"
            )
        b[interior] = r[interior]
        if g is not None:
            gv = np.broadcast_to(g, rhs.shape).reshape(k, ny * nx)[:, self.cells].T
            edge = (self.flat_kind == DIRICHLET) | (self.flat_kind == NEUMANN)
            if not np.isfinite(gv[edge]).all():
                raise ValueError("boundary_values is not finite on the domain's boundary cells")
            b[edge] = gv[edge]
        removed = np.zeros((self.nfree, k))
        if self.nfree:
            # the constant per piece that makes rhs compatible, removed; then the pins
            removed = (self.left.T @ b) / self.denominator[:, None]
            b -= self.shifts @ removed
            b[self.pins] = 0.0
        lu = self.lu
        b = np.asfortranarray(b)  # SuperLU's own layout: no copy per column
        with SOLVE_LOCK:
            x = lu.solve(b)
        if self.refine:
            # One step of iterative refinement: the rows next to a pole carry 1/cos^2
            # terms that cost SuperLU a few digits; one residual solve gives them back.
            refine = np.asfortranarray(b - self.matrix @ x)
            with SOLVE_LOCK:
                x += lu.solve(refine)
        if self.nfree:
            x -= self.within @ (self.means @ x)  # zero area-weighted mean per piece
        out = np.full((k, ny * nx), np.nan)
        out[:, self.cells] = x.T
        return out.reshape(k, ny, nx), removed


def _embed(cells: np.ndarray, total: int) -> sp.csr_matrix:
    """Rows of the identity on the valid cells, columns over the whole grid."""
    n = cells.size
    return sp.csr_matrix((np.ones(n), (np.arange(n), cells)), shape=(n, total))


def _pinched_rows(kind, valid, periodic, position, ncells) -> sp.csr_matrix:
    """``f - mean(valid neighbours) = 0`` on pinched cells (``f = g`` when isolated).

    ``position``: each grid cell's equation number (-1 outside the domain).
    """
    ny, nx = kind.shape
    rows, cols, vals = [], [], []
    for i, j in zip(*np.nonzero(kind == PINCHED)):
        nbrs = []
        for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            a, b = i + di, j + dj
            if periodic[0]:
                a %= ny
            if periodic[1]:
                b %= nx
            if 0 <= a < ny and 0 <= b < nx and valid[a, b]:
                nbrs.append(a * nx + b)
        row = position[i * nx + j]
        rows.append(row)
        cols.append(i * nx + j)
        vals.append(1.0)
        for c in nbrs:
            rows.append(row)
            cols.append(c)
            vals.append(-1.0 / len(nbrs))
    return sp.csr_matrix((vals, (rows, cols)), shape=(ncells, ny * nx))


def _pole_rows(pole_rows, poles, position, ncells, shape) -> sp.csr_matrix:
    """One value per pole: the first column is the pole limit, the others equal it."""
    ny, nx = shape
    rows, cols, vals = [], [], []
    for p in pole_rows:
        first = p * nx
        rows.append(position[first])
        cols.append(first)
        vals.append(1.0)
        src, weights = poles[p]
        for r, w in zip(src, weights):
            for j in range(nx):
                rows.append(position[first])
                cols.append(int(r) * nx + j)
                vals.append(-w / nx)
        for j in range(1, nx):
            rows += [position[first + j]] * 2
            cols += [first + j, first]
            vals += [1.0, -1.0]
    return sp.csr_matrix((vals, (rows, cols)), shape=(ncells, ny * nx))
