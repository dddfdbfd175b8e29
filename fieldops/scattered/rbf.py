"""Derivatives of scattered samples: a polyharmonic RBF fit differentiated analytically.

The fit is the radial-basis-function interpolant (or smoother) of
``scipy.interpolate.RBFInterpolator`` with a polyharmonic kernel plus a
polynomial of ``degree`` (2 by default): the same function scipy builds, but with
closed-form gradients, Jacobians, Hessians and Laplacians. Derivatives are those of
one multivariate function, so mixed partials are real (``x*y`` has a Hessian with
off-diagonal 1), unlike fits of separate 1-D curves.

With a degree-2 polynomial part, every quadratic is reproduced exactly, with or
without smoothing; ``smoothing="gcv"`` picks the smoothing by generalised
cross-validation for noisy samples.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations_with_replacement

import numpy as np
import scipy.linalg
from scipy.spatial.distance import cdist

KERNELS: dict[str, tuple[int, float, int]] = {
    # name: (power p of r**p, sign, minimum polynomial degree)
    "cubic": (3, 1.0, 1),
    "quintic": (5, -1.0, 2),
}

# Query points per evaluation block: keeps each (block, n) temporary near 32 MB.
_BLOCK_ELEMENTS = 1 << 22

# The fit holds a few dense (n, n) float64 matrices at once (distances, the
# kernel, the bordered system and its factor; "gcv" adds an orthogonal basis and
# eigenvectors): about 1 GB at 5000 points with "gcv", growing as n**2.
MAX_POINTS = 5000


def _exponents(ndim: int, degree: int) -> np.ndarray:
    """Exponents ``(q, ndim)`` of all monomials of total degree <= ``degree``."""
    rows = [np.zeros(ndim, dtype=np.int64)]
    for deg in range(1, degree + 1):
        for combo in combinations_with_replacement(range(ndim), deg):
            e = np.zeros(ndim, dtype=np.int64)
            for k in combo:
                e[k] += 1
            rows.append(e)
    return np.array(rows)


def _monomials(z: np.ndarray, exps: np.ndarray, wrt: tuple[int, ...] = ()) -> np.ndarray:
    """Monomials ``z**exps`` (``(k, q)``), differentiated once along each axis in ``wrt``."""
    coef = np.ones(len(exps))
    e = exps.copy()
    for axis in wrt:
        coef = coef * e[:, axis]
        e[:, axis] = np.maximum(e[:, axis] - 1, 0)
    return coef * np.prod(z[:, None, :] ** e[None, :, :], axis=-1)


def as_points(points: object, ndim: int | None = None, what: str = "points") -> np.ndarray:
    """Validate a ``(n, d)`` array of coordinates (a 1-D array is one coordinate per point).

    Examples
    --------
    >>> as_points([0.0, 1.0, 2.0], ndim=1).shape
    (3, 1)
    """
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim == 1 and ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{what} must be an (n, d) array, got shape {arr.shape}")
    if ndim is not None and arr.shape[1] != ndim:
        raise ValueError(f"{what} have {arr.shape[1]} coordinates each, the fit has {ndim} dims")
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{what} contain a non-finite coordinate (row {bad})")
    return arr


class ScatteredDerivatives:
    """Fit scattered samples in ``d`` dims and evaluate derivatives anywhere.

    Parameters
    ----------
    smoothing : float or "gcv", default 0.0
        0 interpolates the samples; larger values smooth (the same parameter as
        ``scipy.interpolate.RBFInterpolator``'s). ``"gcv"`` chooses it by
        generalised cross-validation.
    kernel : {"cubic", "quintic"}, default "cubic"
        Polyharmonic kernel ``r**3`` or ``-r**5``; both have continuous Hessians.
    degree : int, default 2
        Degree of the polynomial part (>= 1 for cubic, >= 2 for quintic).
    max_points : int, default 5000
        Refuse to fit more samples than this (memory grows as ``n**2``: about
        1 GB at 5000). Raise it if the memory is there, or subsample, or bin the
        samples onto a grid and use :func:`fieldops.diff`.

    Attributes
    ----------
    smoothing_ : float
        The smoothing used (chosen by GCV when asked).

    Notes
    -----
    The fit is global and dense: ``O(n**2)`` memory and ``O(n**3)`` time (one
    linear solve; ``"gcv"`` adds an eigendecomposition, several times dearer), so
    it suits up to a few thousand samples (``max_points``); grid or subsample
    larger sets first.

    Each coordinate is centred and divided by its own spread before the fit
    (``z = (x - mean) / (std * sqrt(d))``), and derivatives are converted back to
    the units of the coordinates. So dims may have any units and spans (metres
    and days, 1e7 and 1e-3): the fit is that of ``scipy.interpolate.RBFInterpolator``
    on the standardised coordinates, and rescaling one dim rescales its
    derivatives only. When all dims have the same spread this is scipy's fit of
    the raw coordinates. A number ``smoothing`` is in the units of scipy's for
    coordinates whose RMS distance from their centre is that of the samples.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> pts = rng.normal(size=(200, 2))
    >>> sd = ScatteredDerivatives().fit(pts, pts[:, 0] * pts[:, 1])
    >>> np.round(sd.hessian()(np.array([[0.2, 0.1]])), 8) + 0.0
    array([[[0., 1.],
            [1., 0.]]])
    """

    def __init__(
        self,
        smoothing: float | str = 0.0,
        *,
        kernel: str = "cubic",
        degree: int = 2,
        max_points: int = MAX_POINTS,
    ):
        if kernel not in KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}; use one of {list(KERNELS)}")
        power, _, min_degree = KERNELS[kernel]
        if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)):
            raise ValueError(f"degree must be an integer, got {degree!r}")
        if degree < min_degree:
            raise ValueError(f"kernel {kernel!r} needs degree >= {min_degree}, got {degree}")
        if isinstance(smoothing, str):
            if smoothing != "gcv":
                raise ValueError(f"smoothing must be a number >= 0 or 'gcv', got {smoothing!r}")
        elif not (np.isfinite(smoothing) and smoothing >= 0):
            raise ValueError(f"smoothing must be a number >= 0 or 'gcv', got {smoothing!r}")
        if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)):
            raise ValueError(f"max_points must be an integer, got {max_points!r}")
        self.smoothing = smoothing
        self.max_points = int(max_points)
        self.kernel = kernel
        self.degree = int(degree)
        self._fitted = False

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, points: object, values: object) -> ScatteredDerivatives:
        """Fit the samples ``values`` at ``points``.

        Parameters
        ----------
        points : array_like
            ``(n, d)`` sample coordinates.
        values : array_like
            ``(n,)`` scalar or ``(n, m)`` vector samples.

        Returns
        -------
        ScatteredDerivatives
            ``self``, fitted.

        Raises
        ------
        ValueError
            Shape mismatch, non-finite input, too few points for the polynomial
            part (or, with ``"gcv"``, no more points than it has terms), more than
            ``max_points`` points, or repeated points without smoothing.

        Examples
        --------
        >>> pts = np.random.default_rng(1).uniform(size=(30, 2))
        >>> sd = ScatteredDerivatives().fit(pts, 1 + pts[:, 0])
        >>> np.round(sd(np.array([[0.5, 0.5]])), 10)
        array([1.5])
        """
        pts = as_points(points)
        if np.iscomplexobj(values):
            raise TypeError("values are complex; fit their .real and .imag separately")
        vals = np.asarray(values, dtype=np.float64)
        n, d = pts.shape
        if n == 0:
            raise ValueError("no points to fit: pass at least one sample")
        if vals.ndim not in (1, 2) or vals.shape[0] != n:
            raise ValueError(
                f"values must have shape ({n},) or ({n}, m) to match points {pts.shape}, "
                f"got {vals.shape}"
            )
        if not np.isfinite(vals).all():
            raise ValueError("values contain NaN or inf; drop those samples first")
        self._scalar = vals.ndim == 1
        y = vals.reshape(n, -1)
        exps = _exponents(d, self.degree)
        q = len(exps)
        if n < q:
            raise ValueError(
                f"{n} points are too few for a degree-{self.degree} polynomial part in {d} "
                f"dims (needs at least {q}); pass degree=1 or more points"
            )
        if self.smoothing == "gcv" and n <= q:
            raise ValueError(
                f"smoothing='gcv' needs more points than the {q} terms of the "
                f"degree-{self.degree} polynomial part, got {n}; pass more points, "
                "degree=1 or a number for smoothing"
            )
        if n > self.max_points:
            raise ValueError(
                f"{n} points exceed max_points={self.max_points}: the dense fit needs "
                f"about {_fit_bytes(n) / 2**30:.1f} GiB (memory grows as n**2). Subsample "
                "the points, bin them onto a grid and use fieldops.diff, or pass a larger "
                "max_points if the memory is there"
            )
        # Per-dim centring and scaling: dims of very different spans (metres and
        # days) would otherwise make the kernel see a line and the polynomial
        # block ill-conditioned. Scaled so that the RMS radius is 1, as before.
        self._shift = pts.mean(axis=0)
        spread = pts.std(axis=0)
        spread[spread == 0] = 1.0  # a constant coordinate: caught by the rank test
        self._scale = spread * np.sqrt(d)
        # Converts a number `smoothing` to and from the scaled fit.
        self._radius = float(np.sqrt(np.sum(spread**2))) or 1.0
        z = (pts - self._shift) / self._scale
        poly = _monomials(z, exps)
        if np.linalg.matrix_rank(poly) < q:
            raise ValueError(
                f"the points lie on a curve or surface that a degree-{self.degree} polynomial "
                "cannot be fitted on (e.g. all on a line); use a lower degree or more spread points"
            )
        power, _, _ = KERNELS[self.kernel]
        kmat = self._phi(cdist(z, z))
        if self.smoothing == "gcv":
            s_int = _gcv(kmat, poly, y)
        else:
            s_int = float(self.smoothing) / self._radius**power
        if s_int == 0.0 and len(np.unique(pts, axis=0)) < n:
            raise ValueError(
                "points contain repeated coordinates; pass smoothing > 0 or merge them"
            )
        lhs = np.block([[kmat + s_int * np.eye(n), poly], [poly.T, np.zeros((q, q))]])
        rhs = np.vstack([y, np.zeros((q, y.shape[1]))])
        try:
            sol = np.linalg.solve(lhs, rhs)
        except np.linalg.LinAlgError as err:
            raise ValueError(f"the RBF system is singular ({err}); pass smoothing > 0") from None
        self._z, self._exps = z, exps
        self._lam, self._coef = sol[:n], sol[n:]
        self.smoothing_ = s_int * self._radius**power
        self.n_dims_, self.n_values_ = d, y.shape[1]
        self._fitted = True
        return self

    def _phi(self, r: np.ndarray) -> np.ndarray:
        power, sign, _ = KERNELS[self.kernel]
        return sign * r**power

    # -- evaluation ------------------------------------------------------------------------

    def _query(self, query: object) -> np.ndarray:
        if not self._fitted:
            raise ValueError("call .fit(points, values) before evaluating")
        return (as_points(query, self.n_dims_, "query points") - self._shift) / self._scale

    def _eval(self, query: object, kind: str) -> np.ndarray:
        z = self._query(query)
        block = max(1, _BLOCK_ELEMENTS // len(self._z))
        parts = [self._eval_block(z[i : i + block], kind) for i in range(0, len(z), block)]
        return np.concatenate(parts, axis=0) if parts else self._eval_block(z, kind)

    def _eval_block(self, z: np.ndarray, kind: str) -> np.ndarray:
        power, sign, _ = KERNELS[self.kernel]
        d = z.shape[1]
        m = self._lam.shape[1]
        # Differences per coordinate, (k, n) each: plain array products and GEMMs,
        # no (k, n, d, d) temporaries; symmetric by construction.
        delta = [z[:, a : a + 1] - self._z[None, :, a] for a in range(d)]
        r = np.sqrt(sum(dl * dl for dl in delta))
        lam, coef, exps = self._lam, self._coef, self._exps
        if kind == "value":
            return self._phi(r) @ lam + _monomials(z, exps) @ coef  # (k, m)
        rp2 = sign * power * r ** (power - 2)
        # Derivatives in z are divided by the dims' scales to be in x's units.
        scale = self._scale
        if kind == "gradient":
            out = np.empty((len(z), m, d))
            for a in range(d):
                term = (rp2 * delta[a]) @ lam + _monomials(z, exps, (a,)) @ coef
                out[:, :, a] = term / scale[a]
            return out  # (k, m, d)
        with np.errstate(divide="ignore", invalid="ignore"):
            rp4 = np.where(r > 0, sign * power * (power - 2) * r ** (power - 4.0), 0.0)
        diag = rp2 @ lam
        if kind == "laplacian":
            out = np.zeros((len(z), m))
            for a in range(d):
                term = (rp4 * delta[a] * delta[a]) @ lam + diag
                out += (term + _monomials(z, exps, (a, a)) @ coef) / scale[a] ** 2
            return out  # (k, m)
        out = np.empty((len(z), m, d, d))
        for a in range(d):
            weighted = rp4 * delta[a]
            for b in range(a, d):
                term = (weighted * delta[b]) @ lam + _monomials(z, exps, (a, b)) @ coef
                if a == b:
                    term += diag
                term /= scale[a] * scale[b]
                out[:, :, a, b] = term
                out[:, :, b, a] = term
        return out  # (k, m, d, d)

    def __call__(self, query: object) -> np.ndarray:
        """The fitted function at ``(k, d)`` query points: ``(k,)`` or ``(k, m)``.

        Examples
        --------
        >>> pts = np.random.default_rng(2).normal(size=(40, 2))
        >>> sd = ScatteredDerivatives().fit(pts, pts[:, 0] ** 2)
        >>> np.round(sd(np.array([[3.0, 0.0]])), 8)
        array([9.])
        """
        out = self._eval(query, "value")
        return out[:, 0] if self._scalar else out

    def gradient(self) -> Callable[[np.ndarray], np.ndarray]:
        """A callable giving the gradient ``(k, d)`` of scalar samples at ``(k, d)`` points.

        Examples
        --------
        >>> pts = np.random.default_rng(3).normal(size=(40, 2))
        >>> grad = ScatteredDerivatives().fit(pts, pts[:, 0] ** 2 + pts[:, 1]).gradient()
        >>> np.round(grad(np.array([[1.0, 0.0]])), 8)
        array([[2., 1.]])
        """
        self._require(scalar=True, what="gradient", alternative="jacobian")

        def gradient(query: np.ndarray) -> np.ndarray:
            return self._eval(query, "gradient")[:, 0, :]

        return gradient

    def jacobian(self) -> Callable[[np.ndarray], np.ndarray]:
        """A callable giving the Jacobian ``(k, m, d)`` (``m = 1`` for scalar samples).

        Examples
        --------
        >>> pts = np.random.default_rng(4).normal(size=(40, 2))
        >>> vals = np.stack([pts[:, 0] + pts[:, 1], pts[:, 0] * pts[:, 1]], axis=1)
        >>> jac = ScatteredDerivatives().fit(pts, vals).jacobian()
        >>> np.round(jac(np.array([[1.0, 2.0]])), 8)
        array([[[1., 1.],
                [2., 1.]]])
        """
        self._require(scalar=None, what="jacobian")

        def jacobian(query: np.ndarray) -> np.ndarray:
            return self._eval(query, "gradient")

        return jacobian

    def hessian(self) -> Callable[[np.ndarray], np.ndarray]:
        """A callable giving the Hessian ``(k, d, d)`` (``(k, m, d, d)`` for vector samples).

        Full and symmetric: mixed partials are those of the fitted function.

        Examples
        --------
        >>> pts = np.random.default_rng(5).normal(size=(40, 2))
        >>> hess = ScatteredDerivatives().fit(pts, pts[:, 0] ** 2 + 2 * pts[:, 1] ** 2).hessian()
        >>> np.round(hess(np.zeros((1, 2))), 8) + 0.0
        array([[[2., 0.],
                [0., 4.]]])
        """
        self._require(scalar=None, what="hessian")

        def hessian(query: np.ndarray) -> np.ndarray:
            out = self._eval(query, "hessian")
            return out[:, 0] if self._scalar else out

        return hessian

    def laplacian(self) -> Callable[[np.ndarray], np.ndarray]:
        """A callable giving the Laplacian ``(k,)`` (``(k, m)`` for vector samples).

        Examples
        --------
        >>> pts = np.random.default_rng(6).normal(size=(40, 3))
        >>> lap = ScatteredDerivatives().fit(pts, (pts**2).sum(axis=1)).laplacian()
        >>> np.round(lap(np.zeros((2, 3))), 8)
        array([6., 6.])
        """
        self._require(scalar=None, what="laplacian")

        def laplacian(query: np.ndarray) -> np.ndarray:
            out = self._eval(query, "laplacian")
            return out[:, 0] if self._scalar else out

        return laplacian

    def _require(self, *, scalar: bool | None, what: str, alternative: str = "") -> None:
        if not self._fitted:
            raise ValueError(f"call .fit(points, values) before .{what}()")
        if scalar and not self._scalar:
            raise ValueError(
                f".{what}() needs scalar values (n,), these are (n, {self.n_values_}); "
                f"use .{alternative}()"
            )


def _fit_bytes(n: int) -> int:
    """Peak bytes of a dense fit of ``n`` points: about five ``(n, n)`` float64 matrices."""
    return 5 * 8 * n * n


def _gcv(kmat: np.ndarray, poly: np.ndarray, y: np.ndarray) -> float:
    """Smoothing (internal units) minimising generalised cross-validation.

    On the complement of the polynomial space the fit is a ridge regression in the
    eigenbasis of the projected kernel: residual ``s (D + s)^-1 b`` and
    ``trace(I - H) = sum s / (d_i + s)``.
    """
    n, q = poly.shape
    qmat, _ = np.linalg.qr(poly, mode="complete")
    q2 = qmat[:, q:]
    eig, vec = scipy.linalg.eigh(q2.T @ kmat @ q2, driver="evr")
    eig = np.clip(eig, 0.0, None)
    b = vec.T @ (q2.T @ y)  # (n - q, m)
    top = max(float(eig.max()), 1e-300)
    grid = top * np.logspace(-12, 2, 281)
    ratio = grid[:, None] / (eig[None, :] + grid[:, None])  # (G, n - q)
    resid = np.einsum("gi,im->g", ratio**2, b**2)
    score = n * resid / np.sum(ratio, axis=1) ** 2
    return float(grid[int(np.argmin(score))])
