"""The direct global solver: FFT along longitude, one banded system along latitude per wavenumber.

On a complete latitude/longitude grid with periodic, uniform longitude the
discrete Laplacian of :func:`fieldops.laplacian` is

    L f = A f + diag(B) D_lon f

with ``A`` acting along latitude only (``f_phiphi - tan(phi) f_phi``, one-sided
edges where there is no pole) and ``D_lon`` the periodic second-difference
stencil in longitude, a circulant matrix that the discrete Fourier transform
diagonalises: ``D_lon e^{i m lam} = s_m e^{i m lam}`` with ``s_m`` real (a
symmetric stencil). So each zonal wavenumber ``m`` is one banded real system
``(A + diag(B) s_m) f_m = r_m`` of the latitude count, factored once
(LAPACK ``gbtrf``) and reused for every field and call. ``A``, ``B s_m`` are
read off fieldops' own Laplacian by probing (see :mod:`fieldops.solvers.operator`),
so the solution satisfies ``laplacian(f) == r`` to roundoff.

Pole rows (points exactly on a pole) are set by fieldops to a limit of the zonal
means of the nearest rows, so their equations repeat the others and say nothing
about ``f`` there. The solver asks instead that ``f`` itself obeys that limit:
one value per pole (``f_m = 0`` at the pole for ``m > 0``), equal to the same
weighted zonal means of ``f``. The ``m = 0`` system has the constants as its null
space and one compatibility condition (the discrete integral of ``r``); it is
solved bordered: the area-weighted mean of ``f`` is zero, and a constant ``c`` is
removed from ``r`` (zero, to roundoff, when ``r`` is a discrete Laplacian).
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np
import scipy.linalg as sla
from scipy.linalg import lapack

from fieldops.solvers.operator import SOLVE_LOCK, probe_rows_1d
from fieldops.stencils.apply import get_num_threads, pool_map, split_range


class SphereSolver:
    """Factored per-wavenumber systems of one global grid's Laplacian.

    Parameters
    ----------
    apply : callable
        ``fieldops.laplacian`` on a ``(k, nlat, nlon)`` float64 batch of fields
        (unique longitudes only).
    shape : (nlat, nlon)
    reach : int
        How many rows along latitude one row of the operator reaches.
    areas : ndarray
        Area weight of each latitude row (the zero-mean condition).
    poles : dict
        ``{pole row: (rows, weights)}``: the pole's value is ``sum(w * zonal_mean(f[rows]))``.
    narrow, narrow_lon : callable, int, optional
        The same Laplacian on ``narrow_lon`` evenly spaced longitudes: the latitude
        operator (which acts on fields constant in longitude) is probed on it, at a
        fraction of the cost of the full grid.

    Examples
    --------
    >>> import numpy as np
    >>> n, m = 6, 8
    >>> def lap(f):  # a toy cylinder: second differences, closed ends
    ...     out = np.roll(f, 1, -1) - 2 * f + np.roll(f, -1, -1)
    ...     out[:, 1:-1] += f[:, :-2] - 2 * f[:, 1:-1] + f[:, 2:]
    ...     out[:, 0] += f[:, 1] - f[:, 0]
    ...     out[:, -1] += f[:, -2] - f[:, -1]
    ...     return out
    >>> s = SphereSolver(lap, (n, m), 1, np.ones(n), {})
    >>> f = np.random.default_rng(1).standard_normal((1, n, m))
    >>> g, c = s.solve(lap(f))
    >>> bool(np.allclose(lap(g), lap(f))), bool(abs(c).max() < 1e-12)
    (True, True)
    """

    def __init__(
        self,
        apply: Callable[[np.ndarray], np.ndarray],
        shape: tuple[int, int],
        reach: int,
        areas: np.ndarray,
        poles: dict[int, tuple[np.ndarray, np.ndarray]],
        narrow: Callable[[np.ndarray], np.ndarray] | None = None,
        narrow_lon: int = 0,
    ):
        nlat, nlon = shape
        self.shape = shape
        ones = np.ones(nlon if narrow is None else narrow_lon)
        narrow = apply if narrow is None else narrow
        lat_op = probe_rows_1d(lambda p: narrow(p[:, :, None] * ones)[:, :, 0], nlat, reach)
        delta = np.zeros((1, nlat, nlon))
        delta[0, :, 0] = 1.0
        # Column 0 of each row's circulant: B(phi) times the longitude stencil.
        column = apply(delta)[0]
        symbol = np.fft.rfft(column, axis=1).real  # (nlat, nm): B(phi_i) s_m
        pole_rows = sorted(poles)
        self.pole_rows = pole_rows
        self.nm = symbol.shape[1]
        live = np.ones(nlat, bool)
        live[pole_rows] = False
        self.live = live
        base = lat_op.copy()
        base[~live] = 0.0
        # The band of every system: the operator's rows, and the pole rows below.
        pattern = base != 0
        np.fill_diagonal(pattern, True)
        for p, (rows, _) in poles.items():
            pattern[p, rows] = True
        ii, jj = np.nonzero(pattern)
        self.kl = int(max(0, (ii - jj).max()))
        self.ku = int(max(0, (jj - ii).max()))
        # m = 0: bordered dense system [[A0, c], [a^T, 0]], factored once.
        a0 = base.copy()
        for p, (rows, weights) in poles.items():
            a0[p, p] = 1.0
            a0[p, rows] -= weights
        bordered = np.zeros((nlat + 1, nlat + 1))
        bordered[:nlat, :nlat] = a0 + np.diag(np.where(live, symbol[:, 0], 0.0))
        bordered[:nlat, nlat] = live.astype(float)
        bordered[nlat, :nlat] = areas / areas.sum()
        self._lu0 = sla.lu_factor(bordered)
        kl, ku = self.kl, self.ku
        # LAPACK band storage of the latitude operator (rows kl.. of gbtrf's layout);
        # each wavenumber only adds B(phi) s_m to the diagonal.
        band = np.zeros((2 * kl + ku + 1, nlat))
        for k in range(-kl, ku + 1):  # diagonal k (column - row)
            d = np.diagonal(base, k)
            if k >= 0:
                band[kl + ku - k, k:] = d
            else:
                band[kl + ku - k, : nlat + k] = d
        band[kl + ku, ~live] = 1.0  # f_m = 0 on the pole rows
        lus, pivs = [], []
        for m in range(1, self.nm):
            ab = band.copy()
            ab[kl + ku] += np.where(live, symbol[:, m], 0.0)
            lu, piv, info = lapack.dgbtrf(ab, kl, ku)
            if info != 0:
                raise ValueError(
                    f"the Laplacian is singular at zonal wavenumber {m} on this grid "
                    "(a latitude count too small for the accuracy?)"
                )
            lus.append(lu)
            pivs.append(piv)
        self._lus = np.array(lus).reshape(len(lus), 2 * kl + ku + 1, nlat)
        self._pivs = np.array(pivs, dtype=np.int64).reshape(len(lus), nlat)

    def solve(self, rhs: np.ndarray, g: None = None) -> tuple[np.ndarray, np.ndarray]:
        """Solve for a ``(k, nlat, nlon)`` batch; also the constant removed from each ``rhs``.

        (``g``: no boundary on a full sphere.)
        """
        if not np.isfinite(rhs).all():
            raise ValueError(
                "rhs is not finite; pass mask= (True where valid) or nan_policy='omit'"
            )
        k, nlat, nlon = rhs.shape
        spec = np.fft.rfft(rhs, axis=-1)
        spec[:, ~self.live, :] = 0.0
        out = np.empty_like(spec)
        b0 = np.zeros((nlat + 1, k))
        b0[:nlat] = spec[:, :, 0].real.T
        # Real and imaginary parts of every field as the columns of one real system.
        b = np.concatenate([spec.real, spec.imag], axis=0).transpose(2, 1, 0).copy()
        with SOLVE_LOCK:
            x0 = sla.lu_solve(self._lu0, b0)
        # Every wavenumber's factored band at once (LAPACK's gbtrs, in one Numba loop:
        # 720 LAPACK calls from Python cost more than the arithmetic).
        # (the wavenumbers are independent: split over the thread pool, nogil)
        bands = b[1:]
        parts = split_range(0, bands.shape[0], get_num_threads())
        pool_map(
            lambda p: gbtrs_all(
                self._lus[p[0] : p[1]],
                self._pivs[p[0] : p[1]],
                self.kl,
                self.ku,
                bands[p[0] : p[1]],
            ),
            parts,
        )
        out[:, :, 0] = x0[:nlat].T
        removed = x0[nlat][None, :] / nlon  # (1 piece, k)
        x = b[1:].transpose(2, 1, 0)  # (2k, nlat, nm - 1)
        out[:, :, 1:] = x[:k] + 1j * x[k:]
        return np.fft.irfft(out, n=nlon, axis=-1), removed


@numba.njit(cache=True, nogil=True)
def gbtrs_all(lus, pivs, kl, ku, b):  # pragma: no cover  (compiled; tested against LAPACK)
    """``b[m] = A_m^-1 b[m]`` for each band LU of LAPACK ``gbtrf`` (``lus[m]``, ``pivs[m]``).

    LAPACK's ``gbtrs`` (no transpose), in place: ``b`` is ``(nm, n, ncol)``; pivots
    0-based as SciPy returns them.
    """
    nm, _, n = lus.shape
    ncol = b.shape[2]
    k = kl + ku
    for m in range(nm):
        ab = lus[m]
        x = b[m]
        if kl > 0:
            for j in range(n - 1):
                lm = min(kl, n - 1 - j)
                p = pivs[m, j]
                if p != j:
                    for c in range(ncol):
                        x[p, c], x[j, c] = x[j, c], x[p, c]
                for t in range(lm):
                    f = ab[k + 1 + t, j]
                    for c in range(ncol):
                        x[j + 1 + t, c] -= f * x[j, c]
        for j in range(n - 1, -1, -1):
            d = ab[k, j]
            for c in range(ncol):
                x[j, c] /= d
            for i in range(max(0, j - k), j):
                f = ab[k + i - j, j]
                for c in range(ncol):
                    x[i, c] -= f * x[j, c]
