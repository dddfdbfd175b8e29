"""Quadrature weights: exactness on polynomials, convergence order, product integration."""

from __future__ import annotations

import numpy as np
import pytest

from fieldops.integrals.weights import (
    check_points,
    definite_weights,
    increment_stencil,
    interval_weights,
)


def _grids(n: int = 23):
    rng = np.random.default_rng(7)
    uniform = np.linspace(-1.0, 2.0, n)
    random = np.sort(rng.uniform(-1.0, 2.0, n))
    random[0], random[-1] = -1.0, 2.0
    return {"uniform": uniform, "random": random}


@pytest.mark.parametrize("accuracy", [2, 4, 6, 8])
@pytest.mark.parametrize("grid", ["uniform", "random"])
def test_exact_for_polynomials_up_to_degree_accuracy_plus_one(accuracy, grid):
    x = _grids()[grid]
    w = definite_weights(x, accuracy)
    for degree in range(accuracy + 2):
        exact = (x[-1] ** (degree + 1) - x[0] ** (degree + 1)) / (degree + 1)
        assert w @ x**degree == pytest.approx(exact, rel=1e-12, abs=1e-12), degree
    # and not beyond: the next degree is not exact (the rule is what it says)
    degree = accuracy + 2
    exact = (x[-1] ** (degree + 1) - x[0] ** (degree + 1)) / (degree + 1)
    assert abs(w @ x**degree - exact) > 1e-10


@pytest.mark.parametrize("accuracy", [2, 4, 6])
@pytest.mark.parametrize("grid", ["uniform", "random"])
def test_increments_are_exact_per_interval(accuracy, grid):
    x = _grids()[grid]
    st = increment_stencil(x, accuracy)
    f = x ** (accuracy + 1)
    g = st.as_dense() @ f
    exact = np.diff(x ** (accuracy + 2)) / (accuracy + 2)
    assert g[0] == 0.0
    np.testing.assert_allclose(g[1:], exact, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("accuracy", [2, 4])
def test_convergence_order_is_accuracy_plus_two(accuracy):
    errors, steps = [], []
    rng = np.random.default_rng(3)
    for n in (40, 80, 160):
        # a smoothly stretched non-uniform grid, refined
        s = np.linspace(0.0, 1.0, n)
        x = s + 0.15 * np.sin(np.pi * s) ** 2 + 1e-3 * rng.uniform(-1, 1, n) / n
        w = definite_weights(x, accuracy)
        exact = (np.cos(3 * x[0]) - np.cos(3 * x[-1])) / 3
        errors.append(abs(w @ np.sin(3 * x) - exact))
        steps.append((x[-1] - x[0]) / (n - 1))
    order = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert order > accuracy + 2 - 0.3, order


def test_uniform_interval_rule_is_the_cubic_four_point_rule():
    _, w = interval_weights(np.arange(8.0), 2)
    np.testing.assert_allclose(w[3] * 24, [-1, 13, 13, -1], atol=1e-12)


def test_bounds_between_points_and_descending():
    x = _grids()["random"]
    w = definite_weights(x, 4, lower=0.13, upper=1.71)
    assert w @ x**5 == pytest.approx((1.71**6 - 0.13**6) / 6, rel=1e-12)
    # reversed bounds negate; a descending coordinate integrates from its first value
    assert definite_weights(x, 4, lower=1.71, upper=0.13) @ x**5 == pytest.approx(-(w @ x**5))
    xd = x[::-1]
    assert definite_weights(xd, 4) @ xd**2 == pytest.approx(-(8.0 + 1.0) / 3, rel=1e-12)


@pytest.mark.parametrize("accuracy", [2, 6])
def test_product_integration_against_cos_sums_to_sin_difference(accuracy):
    phi = np.deg2rad(np.arange(-88.5, 90.0, 3.0))
    w = definite_weights(phi, accuracy, lower=-np.pi / 2, upper=np.pi / 2, weight=np.cos)
    assert w.sum() == pytest.approx(2.0, rel=1e-14)
    # and f = sin(phi)**2: int sin^2 cos = 2/3, to the scheme's accuracy
    assert w @ np.sin(phi) ** 2 == pytest.approx(2 / 3, rel=1e-5)


def test_too_few_points_names_the_fix():
    with pytest.raises(ValueError, match="at least 6 points.*lower accuracy"):
        check_points(5, 4, "x")
