"""The gap-fixing kernel: valid points next to NaN get one-sided derivatives."""

from __future__ import annotations

import numpy as np
import pytest

from fieldops.stencils.apply import apply_stencil
from fieldops.stencils.masked import fix_nan_gaps
from fieldops.stencils.weights import build_stencil, edge_width


def _omit(f, x, order, accuracy, boundary="one_sided", axis=0, period=None):
    st = build_stencil(x, order, accuracy, boundary, period=period)
    plain = apply_stencil(f, axis, st)
    return fix_nan_gaps(
        f, plain, axis, st, x, order=order, accuracy=accuracy, boundary=boundary, period=period
    )


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("accuracy", [2, 4])
@pytest.mark.parametrize("uniform", [True, False])
def test_polynomial_exact_in_every_long_run(order, accuracy, uniform):
    rng = np.random.default_rng(order + accuracy)
    n = 60
    x = np.linspace(0, 3, n) if uniform else np.sort(rng.uniform(0, 3, n))
    p = np.polynomial.Polynomial(rng.normal(size=order + accuracy))
    f = p(x)
    gaps = [10, 11, 30, 45]
    f[gaps] = np.nan
    got = _omit(f, x, order, accuracy)
    valid = ~np.isnan(f)
    assert np.isnan(got[gaps]).all()
    assert np.isfinite(got[valid]).all()  # every run here is long enough
    np.testing.assert_allclose(got[valid], p.deriv(order)(x)[valid], atol=1e-6 * 10**order)


def test_short_runs_lower_accuracy_and_isolated_points_nan():
    x = np.arange(20.0)
    f = 0.5 * x**2
    f[[3, 5, 8, 9, 12]] = np.nan  # runs: 0-2, 4 (alone), 6-7 (two points), 10-11, 13-19
    got = _omit(f, x, 1, 4)
    assert np.isnan(got[4])  # one point: no derivative possible
    # Two-point runs give the first-order difference, exact for a line's slope only.
    assert got[6] == pytest.approx(6.5) and got[7] == pytest.approx(6.5)
    # Long enough runs are exact for the quadratic.
    np.testing.assert_allclose(got[13:], x[13:], atol=1e-12)
    np.testing.assert_allclose(got[:3], x[:3], atol=1e-12)


def test_unchanged_where_no_gap_is_reached():
    x = np.linspace(0, 1, 40)
    f = np.sin(5 * x)
    f[20] = np.nan
    st = build_stencil(x, 1, 4, "one_sided")
    plain = apply_stencil(f, 0, st)
    got = _omit(f, x, 1, 4)
    far = np.abs(np.arange(40) - 20) > 2
    np.testing.assert_array_equal(got[far], plain[far])


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_any_axis_matches_1d(axis):
    rng = np.random.default_rng(axis)
    data = rng.normal(size=(7, 9, 11))
    data[rng.random(data.shape) < 0.15] = np.nan
    n = data.shape[axis]
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    got = _omit(data, x, 1, 2, axis=axis)
    moved = np.moveaxis(data, axis, -1).reshape(-1, n)
    expected = np.stack([_omit(line.copy(), x, 1, 2) for line in moved])
    np.testing.assert_array_equal(np.moveaxis(got, axis, -1).reshape(-1, n), expected)


def test_periodic_gap_across_seam():
    n = 36
    x = np.arange(n) * 10.0
    f = np.sin(np.deg2rad(x))
    f[[1, 2]] = np.nan
    got = _omit(f, x, 1, 2, boundary="periodic")
    exact = np.deg2rad(1) * np.cos(np.deg2rad(x))
    assert np.isfinite(got[0]) and np.isfinite(got[3])
    # Point 0 sits right of the gap's wrap side: its stencil uses points 34, 35, 0.
    assert got[0] == pytest.approx(exact[0], rel=0.02)


def test_width_matches_edge_stencils():
    assert edge_width(1, 2) == 3 and edge_width(2, 4) == 6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("boundary", ["one_sided", "periodic", "fill"])
@pytest.mark.parametrize("axis", [0, 1])
def test_threads_split_lines_or_rows_alike(axis, boundary, dtype):
    # Big enough for threads: split by lines along the last axis, by rows along axis 0.
    rng = np.random.default_rng(axis)
    data = rng.normal(size=(520, 530)).astype(dtype)
    data[rng.random(data.shape) < 0.05] = np.nan
    data[100:140, 60:200] = np.nan
    x = np.arange(data.shape[axis]) * 0.5
    st = build_stencil(x, 1, 4, boundary)
    plain = apply_stencil(data, axis, st)
    runs = []
    for threads in (1, 2, 3):
        runs.append(
            fix_nan_gaps(
                data,
                plain.copy(),
                axis,
                st,
                x,
                order=1,
                accuracy=4,
                boundary=boundary,
                period=None,
                threads=threads,
            )  # fmt: skip
        )
    for got in runs[1:]:
        np.testing.assert_array_equal(got, runs[0])
    lines = np.moveaxis(data, axis, -1)
    expected = np.stack([_omit(line.copy(), x, 1, 4, boundary=boundary) for line in lines[:40]])
    np.testing.assert_array_equal(np.moveaxis(runs[0], axis, -1)[:40], expected)


def test_gap_with_a_value_in_the_plain_result_becomes_nan():
    # The centered stencil's middle weight is 0: the plain kernel gives the
    # isolated gap a value, which must not stay.
    x = np.arange(200.0)
    f = x**2
    f[[63, 64, 130]] = np.nan
    st = build_stencil(x, 1, 2, "one_sided")
    plain = apply_stencil(f, 0, st)
    assert np.isfinite(plain[130])
    got = _omit(f, x, 1, 2)
    assert np.isnan(got[[63, 64, 130]]).all()
    np.testing.assert_allclose(got[~np.isnan(f)], 2 * x[~np.isnan(f)], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("boundary", ["one_sided", "periodic", "fill", "mirror"])
@pytest.mark.parametrize("shape, axis", [((520, 530), 0), ((520, 530), 1), ((6, 90, 500), 1)])
def test_fused_pass_equals_two_passes(shape, axis, boundary, dtype):
    # apply_along runs the fix-up inside the plain kernel's jobs, block by block;
    # the separate pass (Dask blocks with halos use it) must give the same bits.
    from fieldops.stencils import apply as apply_module
    from fieldops.stencils.dispatch import apply_along
    from fieldops.stencils.masked import GapRule

    rng = np.random.default_rng(len(shape) + axis)
    data = rng.normal(size=shape).astype(dtype)
    data[rng.random(shape) < 0.05] = np.nan
    n = shape[axis]
    x = np.cumsum(rng.uniform(0.5, 1.5, n)) if boundary != "periodic" else np.arange(n) * 0.5
    st = build_stencil(x, 2, 4, boundary)
    rule = GapRule(x, 2, 4, boundary)
    expected = rule.fix(data, apply_stencil(data, axis, st, threads=1), axis, st, threads=1)
    saved = apply_module.get_num_threads()
    try:
        for threads in (1, 2, 3):
            apply_module.set_num_threads(threads)
            got = apply_along(data, axis, st, gaps=rule)
            np.testing.assert_array_equal(got, expected)
    finally:
        apply_module.set_num_threads(saved)
