"""The Helmholtz decomposition on a staggered C grid: psi at corners, chi at centres.

The model's own discrete operators, composed (all from
:class:`fieldops.staggered.grid.StaggeredGrid`, probed as in
:mod:`fieldops.solvers.operator`):

* ``chi`` at T points solves ``divergence(grad chi) == divergence(u, v)``, the
  flux-form Laplacian with zero flux through land faces and the domain's edges (a
  Neumann problem on each wet basin: its area-weighted mean is zero, and the part
  of the divergence that does not integrate to zero, the flow through open edges,
  goes to the harmonic remainder);
* ``psi`` at F points solves ``vorticity(-d psi/dy, d psi/dx) == vorticity(u, v)``
  on corners with four wet faces, ``psi = 0`` on every other corner (coasts and
  closed edges are streamlines).

Then ``u_rot = -d psi/dy`` at U, ``v_rot = d psi/dx`` at V, ``u_div = d chi/dx``,
``v_div = d chi/dy``: on the C grid ``divergence(u_rot, v_rot)`` and
``vorticity(u_div, v_div)`` vanish identically (the differences commute), not
only to truncation error.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import xarray as xr
from scipy.sparse.csgraph import connected_components

from fieldops.solvers.iterative import factorise
from fieldops.solvers.operator import SOLVE_LOCK, probe_matrix

if TYPE_CHECKING:
    from fieldops.staggered.grid import StaggeredGrid

# The solvers of each grid object (made once, dropped with the grid).
_SOLVERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
BOUNDARY_WORDS = (
    "C grid: streamfunction at F points, 0 on corners without four wet faces (coasts and "
    "closed edges are streamlines); velocity_potential at T points, zero flux through "
    "land faces and closed edges; u_harm, v_harm: the rest (flow through open edges, "
    "circulation around islands)"
)


class FluxSolver:
    """A flux-form operator on the cells ``valid`` (zero outside), factored once.

    Pieces of the domain whose operator annihilates constants (a closed basin of
    the Neumann problem) are fixed up to a constant: there the right-hand side's
    area-weighted mean is removed (returned as ``removed``) and the solution has
    zero area-weighted mean. The operators are flux divergences over cell areas,
    so the areas are their left null vectors (checked).

    Examples
    --------
    >>> def lap(f):  # zero-flux 1-D second difference, on (k, 1, n)
    ...     flux = np.diff(f, axis=-1)
    ...     out = np.zeros_like(f)
    ...     out[..., :-1] += flux; out[..., 1:] -= flux
    ...     return out
    >>> s = FluxSolver(lap, np.ones((1, 6), bool), np.ones((1, 6)), (False, False))
    >>> x = np.arange(6.0)[None, None] ** 2
    >>> got, removed = s.solve(lap(x))
    >>> bool(np.allclose(got, x - x.mean())), removed.shape
    (True, (1, 1))
    """

    def __init__(self, apply, valid, areas, periodic, *, solver: str = "direct", reach: int = 1):
        self.shape = valid.shape
        cells = np.flatnonzero(valid.ravel())
        full = probe_matrix(apply, self.shape, reach, periodic).tocsr()
        mat = full[cells][:, cells].tocsr()  # zero outside: dirichlet 0 there
        n = cells.size
        area = np.asarray(areas, dtype=np.float64).ravel()[cells]
        npieces, labels = connected_components(mat + mat.T, directed=False)
        rowsum = np.abs(mat @ np.ones(n))
        rowscale = np.abs(mat) @ np.ones(n)
        free = []
        for piece in range(npieces):
            inside = labels == piece
            if (rowsum[inside] <= 1e-10 * rowscale[inside]).all():
                free.append(piece)
        self.within = (labels[:, None] == np.asarray(free)[None, :]).astype(float)  # (n, p)
        weights = self.within * area[:, None]
        self.means = (weights / weights.sum(axis=0)).T  # (p, n) area-weighted means
        if free:
            left = np.abs(weights.T @ mat).max()
            if left > 1e-9 * (np.abs(mat).T @ area).max():
                # (a safety net: an operator whose edge rows are not in flux form would
                # otherwise be solved wrongly, never refused)
                raise ValueError(
                    "this grid's operator is not a flux divergence over its cell areas on a "
                    "closed basin (an edge row without zero flux?); helmholtz cannot solve it "
                    "here: please report the grid"
                )
        self.pins = np.array([int(np.flatnonzero(labels == p)[0]) for p in free], dtype=np.int64)
        if free:
            keep = np.ones(n)
            keep[self.pins] = 0.0
            pin = sp.csr_matrix((np.ones(len(free)), (self.pins, self.pins)), shape=(n, n))
            mat = sp.diags(keep) @ mat + pin
        self.matrix = mat.tocsc()
        self.cells = cells
        self.solver = solver
        self._factors = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_factors"] = None  # SuperLU does not pickle: each process factors once
        return state

    @property
    def factors(self):
        """SuperLU of the matrix, or its multigrid hierarchy: made on first use."""
        if self._factors is None:
            with SOLVE_LOCK:
                if self._factors is None:
                    self._factors = factorise(self.matrix, self.solver)
        return self._factors

    def solve(self, rhs: np.ndarray, g=None) -> tuple[np.ndarray, np.ndarray]:
        """``(k, ny, nx)`` solutions (NaN outside) and the means removed per closed piece."""
        k = rhs.shape[0]
        b = rhs.reshape(k, -1)[:, self.cells].T.astype(np.float64)
        bad = ~np.isfinite(b)
        if bad.any():
            raise ValueError(
                f"the vorticity/divergence is not finite at {int(bad.any(axis=1).sum())} wet "
                "points: u and v must be finite on every wet face (0 on land faces is fine)"
            )
        removed = self.means @ b  # (pieces, k)
        b = b - self.within @ removed
        b[self.pins] = 0.0
        factors = self.factors
        with SOLVE_LOCK:
            x = factors.solve(np.asfortranarray(b))
        x = x - self.within @ (self.means @ x)
        out = np.full((k, self.shape[0] * self.shape[1]), np.nan)
        out[:, self.cells] = x.T
        return out.reshape(k, *self.shape), removed


def _batch(template: xr.DataArray, a: np.ndarray) -> xr.DataArray:
    """``(k, ny, nx)`` values on ``template``'s points, a leading ``probe`` dim."""
    return xr.DataArray(a, dims=("probe", *template.dims), coords=template.coords)


def _values(da: xr.DataArray, dims) -> np.ndarray:
    return np.asarray(da.transpose("probe", *dims).values, dtype=np.float64)


def wet(grid: StaggeredGrid, pos: str, template: xr.DataArray) -> xr.DataArray:
    """The grid's mask at ``pos`` as floats (all wet where the file has none)."""
    mask = grid.layout.metrics.get(f"mask_{pos}")
    return xr.ones_like(template, dtype=float) if mask is None else mask.astype(float)


def rot_wind(grid: StaggeredGrid, psi: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """``(-d psi/dy at U, d psi/dx at V)``; 0 beyond the edges (psi = 0 there) and on land."""
    u = -grid.diff(psi, "Y", position="F", fill_value=0.0)
    v = grid.diff(psi, "X", position="F", fill_value=0.0)
    return u.fillna(0.0), v.fillna(0.0)


def div_wind(grid: StaggeredGrid, chi: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """``(d chi/dx at U, d chi/dy at V)``; 0 through land faces and closed edges."""
    chi = chi.fillna(0.0)
    u = grid.diff(chi, "X", position="T")
    v = grid.diff(chi, "Y", position="T")
    return u.fillna(0.0), v.fillna(0.0)


def face_means(grid: StaggeredGrid) -> tuple[xr.DataArray, xr.DataArray]:
    """At F points: the wet fraction of the two U faces and of the two V faces around."""
    wet_u = grid.interp(wet(grid, "U", grid.metric("dx_U")), "Y", position="U", fill_value=0.0)
    wet_v = grid.interp(wet(grid, "V", grid.metric("dx_V")), "X", position="V", fill_value=0.0)
    return wet_u, wet_v


def problems(grid: StaggeredGrid, solver: str) -> dict[str, FluxSolver]:
    """The two solvers of ``grid`` (``"F"`` for psi, ``"T"`` for chi), made once per grid."""
    cache = _SOLVERS.setdefault(grid, {})
    if solver in cache:
        return cache[solver]
    periodic = (grid.layout.axes["Y"].periodic, grid.layout.axes["X"].periodic)
    area_t = grid.metric("area_T").transpose(*grid.dims["T"])
    area_f = grid.metric("area_F").transpose(*grid.dims["F"])

    def lap_t(a: np.ndarray) -> np.ndarray:
        # divergence(grad chi) with the gradient 0 through land faces and every edge
        # face (what div_wind builds u_div with): grid.laplacian has no value next to
        # an edge face that the file holds but no centre lies beyond (MOM6 symmetric)
        u, v = div_wind(grid, _batch(area_t, a))
        return _values(grid.divergence(u, v), grid.dims["T"])

    def lap_f(a: np.ndarray) -> np.ndarray:
        u, v = rot_wind(grid, _batch(area_f, a))
        return _values(grid.vorticity(u, v), grid.dims["F"])

    # A corner is inside psi's domain when its four faces are wet (and exist).
    wet_u, wet_v = face_means(grid)
    inner = ((wet_u == 1) & (wet_v == 1)).transpose(*grid.dims["F"]).values
    wet_t = (wet(grid, "T", area_t) == 1).transpose(*grid.dims["T"]).values
    out = {
        "F": FluxSolver(lap_f, inner, area_f.values, periodic, solver=solver),
        "T": FluxSolver(lap_t, wet_t, area_t.values, periodic, solver=solver),
    }
    cache[solver] = out
    return out
