"""The direct global solver against analytic answers: spherical harmonics, Rossby-Haurwitz."""

from __future__ import annotations

import numpy as np
import pytest

import fieldops
from fieldops.solvers.sphere import SphereSolver
from tests.solvers._grids import R, harmonic, on_sphere, sphere


def _orders(errors: list[float]) -> np.ndarray:
    e = np.asarray(errors)
    return np.log2(e[:-1] / e[1:])


@pytest.mark.parametrize("accuracy", [2, 4])
def test_spherical_harmonic_is_an_eigenfunction_and_converges_at_the_order(accuracy):
    # laplacian Y_l^m = -l(l+1)/R^2 Y_l^m, so psi = -R^2 zeta / (l(l+1)); l = 3.
    errors = []
    for n in (19, 37, 73):
        lat, lon = sphere(n, 2 * (n - 1))
        zeta = on_sphere(harmonic(lat, lon), lat, lon)
        psi = fieldops.solve_poisson(zeta, accuracy=accuracy)
        exact = -(R**2) * zeta / 12
        errors.append(float(abs(psi - exact).max() / abs(exact).max()))
    orders = _orders(errors)
    assert np.all(np.abs(orders - accuracy) < 0.3), orders


def _rossby_haurwitz(n: int):
    """Williamson et al. (1992) case 6: winds and streamfunction (R = 4)."""
    lat, lon = sphere(n, 2 * (n - 1))
    w = k = 7.848e-6
    m = 4
    phi, lam = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    cos, sin = np.cos(phi), np.sin(phi)
    u = R * w * cos + R * k * cos ** (m - 1) * (m * sin**2 - cos**2) * np.cos(m * lam)
    v = -R * k * m * cos ** (m - 1) * sin * np.sin(m * lam)
    psi = -(R**2) * w * sin + R**2 * k * cos**m * sin * np.cos(m * lam)
    full = np.ones((lat.size, lon.size))
    return (
        on_sphere(u * full, lat, lon, "u", "m s-1"),
        on_sphere(v * full, lat, lon, "v", "m s-1"),
        psi * full,
    )


@pytest.mark.parametrize("accuracy", [2, 4])
def test_rossby_haurwitz_wave_converges_at_the_order(accuracy):
    psi_err, chi_err, harm_err = [], [], []
    for n in (19, 37, 73):
        u, v, psi = _rossby_haurwitz(n)
        h = fieldops.helmholtz(u, v, accuracy=accuracy)
        scale = np.abs(psi).max()
        psi_err.append(float(abs(h.streamfunction - psi).max() / scale))
        chi_err.append(float(abs(h.velocity_potential).max() / scale))  # non-divergent
        harm_err.append(float(abs(h.u_harm).max() / abs(u).max()))
    for errors in (psi_err, chi_err):
        orders = _orders(errors)
        assert np.all(orders > accuracy - 0.3), orders
    # the remainder (no harmonic field on a sphere) vanishes at least as fast
    assert np.all(_orders(harm_err) > accuracy - 0.3)


def test_solver_object_is_reused_and_pickles():
    import pickle

    lat, lon = sphere()
    zeta = on_sphere(harmonic(lat, lon), lat, lon)
    a = fieldops.solve_poisson(zeta)
    b = fieldops.solve_poisson(zeta * 2)
    np.testing.assert_allclose(b, 2 * a, rtol=1e-12)
    from fieldops.solvers.problem import _CACHE

    solver = next(
        p.solver
        for p in _CACHE.values()
        if isinstance(p.solver, SphereSolver) and p.solver.shape == zeta.shape
    )
    again = pickle.loads(pickle.dumps(solver))
    data = zeta.values[None]
    np.testing.assert_array_equal(again.solve(data)[0], solver.solve(data)[0])


@pytest.mark.parametrize(("kl", "ku"), [(2, 2), (4, 4), (1, 3)])
def test_batched_band_solve_matches_a_dense_solve(kl, ku):
    from scipy.linalg import lapack

    from fieldops.solvers.sphere import gbtrs_all

    rng = np.random.default_rng(0)
    n = 11
    lus, pivs, rhs, want = [], [], [], []
    for _ in range(3):
        a = sum(np.diag(rng.standard_normal(n - abs(k)), k) for k in range(-kl, ku + 1))
        ab = np.zeros((2 * kl + ku + 1, n))
        for k in range(-kl, ku + 1):
            d = np.diagonal(a, k)
            if k >= 0:
                ab[kl + ku - k, k:] = d
            else:
                ab[kl + ku - k, : n + k] = d
        lu, piv, _ = lapack.dgbtrf(ab, kl, ku)
        b = rng.standard_normal((n, 4))
        lus.append(lu)
        pivs.append(piv)
        rhs.append(b)
        want.append(np.linalg.solve(a, b))
    got = np.array(rhs)
    gbtrs_all(np.array(lus), np.array(pivs, dtype=np.int64), kl, ku, got)
    np.testing.assert_allclose(got, np.array(want), rtol=1e-10, atol=1e-10)
