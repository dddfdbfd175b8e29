"""Stencil weights: exactness on polynomials and measured convergence order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fieldops._validate import MAX_ACCURACY, check_accuracy
from fieldops.stencils.apply import apply_stencil
from fieldops.stencils.weights import (
    build_stencil,
    centered_width,
    fornberg,
    fornberg_rows,
    is_uniform,
)


def _grids(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    uniform = np.linspace(-1.0, 2.0, n)
    jitter = np.sort(rng.uniform(-1.0, 2.0, n))
    # Random non-uniform but not degenerate: spacings between 0.5 and 1.5 of the mean.
    steps = rng.uniform(0.5, 1.5, n - 1)
    nonuniform = np.concatenate([[0.0], np.cumsum(steps)]) * 3.0 / steps.sum() - 1.0
    del jitter
    return {"uniform": uniform, "nonuniform": nonuniform, "descending": uniform[::-1].copy()}


def _poly(x, coefs, order):
    """Value of sum c_k x^k and of its order-th derivative."""
    p = np.polynomial.Polynomial(coefs)
    return p(x), p.deriv(order)(x)


def test_fornberg_known_weights():
    np.testing.assert_allclose(fornberg(0.0, np.array([-1.0, 0.0, 1.0]), 2), [1.0, -2.0, 1.0])
    np.testing.assert_allclose(
        fornberg(0.0, np.arange(-2.0, 3.0), 1), [1 / 12, -2 / 3, 0.0, 2 / 3, -1 / 12], atol=1e-15
    )


@pytest.mark.parametrize("grid", ["uniform", "nonuniform", "descending"])
@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("accuracy", [2, 4, 6, 8])
def test_polynomials_exact_one_sided(grid, order, accuracy):
    x = _grids(25)[grid]
    degree = order + accuracy - 1
    rng = np.random.default_rng(order * 10 + accuracy)
    f, exact = _poly(x, rng.normal(size=degree + 1), order)
    st = build_stencil(x, order, accuracy, "one_sided")
    got = apply_stencil(f, 0, st)
    scale = np.abs(exact).max() + 1.0
    np.testing.assert_allclose(got, exact, atol=1e-7 * scale * 10**order)


@pytest.mark.parametrize("grid", ["uniform", "nonuniform"])
@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("accuracy", [2, 4, 6])
def test_polynomials_exact_mirror_interior_and_fill(grid, order, accuracy):
    x = _grids(30)[grid]
    degree = order + accuracy - 1
    f, exact = _poly(x, np.random.default_rng(1).normal(size=degree + 1), order)
    st = build_stencil(x, order, accuracy, "fill")
    got = apply_stencil(f, 0, st)
    half = centered_width(order, accuracy, uniform=grid == "uniform") // 2
    inner = slice(half, x.size - half)
    np.testing.assert_allclose(got[inner], exact[inner], atol=1e-7 * 10**order)
    assert np.isnan(got[:half]).all() and np.isnan(got[-half:]).all()


def test_even_order_nonuniform_keeps_its_order():
    """The symmetric 3-point 2nd derivative is only 1st order on a stretched grid."""
    x = _grids(20)["nonuniform"]
    f, exact = _poly(x, [0.3, -1.0, 0.5, 2.0], 2)
    got = apply_stencil(f, 0, build_stencil(x, 2, 2, "one_sided"))
    np.testing.assert_allclose(got, exact, atol=1e-8)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("accuracy", [2, 4, 6])
@pytest.mark.parametrize("grid", ["uniform", "nonuniform"])
def test_convergence_order_interior_and_edge(order, accuracy, grid):
    """Error falls as h**accuracy, measured apart in the interior and at the edges."""
    errs_int, errs_edge, hs = [], [], []
    for n in (21, 41, 81) if accuracy >= 6 else (41, 81, 161):
        if grid == "uniform":
            x = np.linspace(0.2, 1.7, n)
        else:
            s = np.linspace(0.0, 1.0, n)
            x = 0.2 + 1.5 * (s + 0.15 * np.sin(2 * np.pi * s) / (2 * np.pi))
        # exp(x)*sin(3x): no derivative vanishes at either edge
        f = np.exp(x) * np.sin(3 * x)
        d1 = np.exp(x) * (np.sin(3 * x) + 3 * np.cos(3 * x))
        d2 = np.exp(x) * (-8 * np.sin(3 * x) + 6 * np.cos(3 * x))
        exact = d1 if order == 1 else d2
        err = np.abs(apply_stencil(f, 0, build_stencil(x, order, accuracy, "one_sided")) - exact)
        # Edge: the rows with one-sided stencils; interior: a fixed stretch of x.
        k = centered_width(order, accuracy, uniform=grid == "uniform") // 2
        errs_edge.append(max(err[:k].max(), err[-k:].max()))
        errs_int.append(err[(x > 0.6) & (x < 1.3)].max())
        hs.append(1.5 / (n - 1))
    for errs in (errs_int, errs_edge):
        rates = np.diff(np.log(errs)) / np.diff(np.log(hs))
        assert rates[-1] > accuracy - 0.5, (errs, rates)


@pytest.mark.parametrize("grid", ["uniform", "nonuniform"])
def test_periodic_spectral_like_accuracy(grid):
    n = 64
    if grid == "uniform":
        x = np.arange(n) * 2 * np.pi / n
        period = None
    else:
        s = np.arange(n) / n
        x = 2 * np.pi * (s + 0.05 * np.sin(2 * np.pi * s))
        period = 2 * np.pi
    f = np.sin(x)
    err = [
        np.abs(
            apply_stencil(f, 0, build_stencil(x, 1, a, "periodic", period=period)) - np.cos(x)
        ).max()
        for a in (2, 4, 6)
    ]
    assert err[0] > err[1] > err[2]
    assert err[2] < 1e-5


def test_mirror_zero_normal_derivative():
    x = np.linspace(0, 1, 20)
    f = np.cos(np.pi * x) + 0.1 * np.random.default_rng(2).normal(size=20)
    got = apply_stencil(f, 0, build_stencil(x, 1, 4, "mirror"))
    assert got[0] == pytest.approx(0.0, abs=1e-12)
    assert got[-1] == pytest.approx(0.0, abs=1e-12)


def test_is_uniform_tolerates_float32_rounding():
    assert is_uniform(np.linspace(0, 1, 101).astype(np.float32))
    assert not is_uniform(np.array([0.0, 1.0, 2.5, 3.0]))
    assert math.isclose(float(np.linspace(0, 1, 101)[1]), 0.01)


def test_uniformity_is_judged_against_the_spacing_not_the_magnitude():
    # Epoch seconds, 100 Hz with 30% jitter: 1e-10 of 1.7e9 s (0.17 s) once hid the
    # jitter (0.003 s); the rounding of uniform values (a few ulps) does not count.
    rng = np.random.default_rng(0)
    steps = 0.01 * (1 + 0.3 * rng.uniform(-1, 1, 199))
    t = 1.7e9 + np.concatenate([[0.0], np.cumsum(steps)])
    assert not is_uniform(t)
    assert is_uniform(1.7e9 + 0.01 * np.arange(200))
    metres = (5e6 + 10.0 * np.arange(200) * (1 + 0.3 * np.sin(np.arange(200)))).astype(np.float32)
    assert not is_uniform(metres)
    assert is_uniform((5e6 + 10.0 * np.arange(200)).astype(np.float32))
    # ... and the derivative is numpy.gradient's (second order on the same points)
    f = np.sin(3 * (t - t[0]))
    got = apply_stencil(f, 0, build_stencil(t, 1, 2, "one_sided"))
    np.testing.assert_allclose(got, np.gradient(f, t, edge_order=2), rtol=1e-6, atol=1e-6)


def test_fornberg_rows_equal_fornberg_row_by_row():
    rng = np.random.default_rng(3)
    nodes = np.sort(rng.uniform(-1, 1, (6, 9)), axis=1) * 1e3 + 1.7e9
    x0 = nodes[:, 4] + 0.1
    for order in (1, 2, 4):
        got = fornberg_rows(x0, nodes, order)
        for r in range(6):
            np.testing.assert_allclose(got[r], fornberg(x0[r], nodes[r], order), rtol=1e-12)


@pytest.mark.parametrize("grid", ["uniform", "nonuniform"])
def test_highest_allowed_accuracy_still_converges_at_the_edges(grid):
    # MAX_ACCURACY is where float64 stops paying: at 20 the edge error of d/dx is
    # still far below accuracy 2's; beyond it (refused) it grows without bound.
    x = _grids(200)[grid]
    f, exact = np.sin(2 * x), 2 * np.cos(2 * x)
    low = np.abs(apply_stencil(f, 0, build_stencil(x, 1, 2, "one_sided")) - exact).max()
    top = np.abs(apply_stencil(f, 0, build_stencil(x, 1, MAX_ACCURACY, "one_sided")) - exact)
    assert top.max() < 1e-4 * low
    with pytest.raises(ValueError, match="from 2 to 20"):
        check_accuracy(MAX_ACCURACY + 2)
