"""Scattered points: ScatteredDerivatives, from_points and at (issue 8)."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from scipy.interpolate import RBFInterpolator

import fieldops
from fieldops import ScatteredDerivatives

# The fits the acceptance runs on: the default (quadratics exact), and settings
# where the quadratic is *not* in the polynomial part, so the RBF does the work.
FITS = [
    dict(),
    dict(kernel="quintic"),
    dict(degree=1),
    dict(degree=1, smoothing=1e-3),
]


def _normal_points(generator):
    if generator == "legacy":
        # "numpy seed 42" read literally: the legacy global generator.
        return np.random.RandomState(42).randn(500, 2)
    return np.random.default_rng(42).standard_normal((500, 2))


@pytest.fixture(params=["legacy", "default_rng"])
def pts(request):
    return _normal_points(request.param)


def _close(got, want, rel=0.05):
    got, want = np.asarray(got), np.asarray(want)
    assert np.linalg.norm(got - want) <= rel * np.linalg.norm(want), (got, want)


# --- acceptance ---------------------------------------------------------------------------


@pytest.mark.parametrize("kw", FITS, ids=str)
def test_gradient_of_paraboloid(pts, kw):
    x, y = pts.T
    grad = ScatteredDerivatives(**kw).fit(pts, x**2 + y**2).gradient()
    query = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    got = grad(query)
    assert got.shape == (3, 2)
    for g, q in zip(got, query):
        _close(g, 2 * q)


@pytest.mark.parametrize("kw", FITS, ids=str)
def test_jacobian_of_vector_values(pts, kw):
    x, y = pts.T
    jac = ScatteredDerivatives(**kw).fit(pts, np.stack([x + y, x * y], axis=1)).jacobian()
    got = jac(np.array([[1.0, 2.0]]))
    assert got.shape == (1, 2, 2)
    _close(got[0], [[1.0, 1.0], [2.0, 1.0]])


@pytest.mark.parametrize("kw", FITS, ids=str)
def test_hessian_and_laplacian(pts, kw):
    x, y = pts.T
    fit = ScatteredDerivatives(**kw).fit(pts, x**2 + 2 * y**2)
    hess = fit.hessian()(np.zeros((1, 2)))
    assert hess.shape == (1, 2, 2)
    assert abs(hess[0, 0, 0] - 2) <= 0.05 * 2
    assert abs(hess[0, 1, 1] - 4) <= 0.05 * 4
    assert abs(hess[0, 0, 1]) <= 0.1 and abs(hess[0, 1, 0]) <= 0.1
    lap = fit.laplacian()(np.zeros((1, 2)))
    assert lap.shape == (1,)
    assert abs(lap[0] - 6) <= 0.05 * 6


@pytest.mark.parametrize("kw", FITS, ids=str)
def test_mixed_partial_of_xy_is_one(pts, kw):
    x, y = pts.T
    hess = ScatteredDerivatives(**kw).fit(pts, x * y).hessian()
    got = hess(np.array([[0.0, 0.0], [0.5, -0.3]]))
    assert np.all(np.abs(got[:, 0, 1] - 1) <= 0.05)
    np.testing.assert_array_equal(got[:, 0, 1], got[:, 1, 0])


# --- beyond polynomials: a real approximation --------------------------------------------


def _sincos(p):
    x, y = p.T
    value = np.sin(x) * np.cos(y)
    grad = np.stack([np.cos(x) * np.cos(y), -np.sin(x) * np.sin(y)], axis=1)
    hxx = -value
    hxy = -np.cos(x) * np.sin(y)
    hess = np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hxx], -1)], axis=1)
    return value, grad, hess


def test_smooth_function_derivatives_in_the_bulk(pts):
    value, _, _ = _sincos(pts)
    fit = ScatteredDerivatives().fit(pts, value)
    q = np.random.default_rng(1).uniform(-1, 1, size=(100, 2))
    _, grad, hess = _sincos(q)
    assert np.abs(fit.gradient()(q) - grad).max() < 0.01
    assert np.abs(fit.hessian()(q) - hess).max() < 0.1
    np.testing.assert_allclose(
        fit.laplacian()(q), np.trace(fit.hessian()(q), axis1=1, axis2=2), atol=1e-10
    )


def test_gcv_smoothing_on_noisy_samples(pts):
    value, _, _ = _sincos(pts)
    noisy = value + np.random.default_rng(2).normal(0, 0.05, value.shape)
    q = np.random.default_rng(3).uniform(-1, 1, size=(200, 2))
    _, grad, _ = _sincos(q)
    raw = ScatteredDerivatives().fit(pts, noisy)
    gcv = ScatteredDerivatives(smoothing="gcv").fit(pts, noisy)
    err_raw = np.sqrt(np.mean((raw.gradient()(q) - grad) ** 2))
    err_gcv = np.sqrt(np.mean((gcv.gradient()(q) - grad) ** 2))
    assert gcv.smoothing_ > 0
    assert err_gcv < err_raw / 5
    assert err_gcv < 0.1


@pytest.mark.parametrize("kernel", ["cubic", "quintic"])
@pytest.mark.parametrize("smoothing", [0.0, 0.5])
def test_fit_equals_scipy_rbfinterpolator(pts, kernel, smoothing):
    # The fit is scipy's on coordinates standardised per dim (issue 13 item 17).
    value, _, _ = _sincos(pts)
    ours = ScatteredDerivatives(smoothing, kernel=kernel).fit(pts, value)
    mean, std = pts.mean(axis=0), pts.std(axis=0)
    radius = np.sqrt(np.sum(std**2))
    power = 3 if kernel == "cubic" else 5

    def z(p):
        return (p - mean) / (std * np.sqrt(2))

    ref = RBFInterpolator(
        z(pts), value, kernel=kernel, degree=2, smoothing=smoothing / radius**power
    )
    q = np.random.default_rng(4).normal(size=(50, 2))
    np.testing.assert_allclose(ours(q), ref(z(q)), atol=1e-9)


@pytest.mark.parametrize("smoothing", [0.0, 0.5])
def test_fit_equals_scipy_on_raw_coordinates_of_equal_spread(smoothing):
    # Equal spreads per dim: the same function as scipy's fit of the raw points.
    g = np.random.default_rng(9).normal(size=(200, 2))
    g = (g - g.mean(axis=0)) / g.std(axis=0)
    pts = 3.0 * g + [10.0, -4.0]
    value = np.sin(pts[:, 0] / 3) * np.cos(pts[:, 1] / 3)
    ours = ScatteredDerivatives(smoothing).fit(pts, value)
    ref = RBFInterpolator(pts, value, kernel="cubic", degree=2, smoothing=smoothing)
    q = 3.0 * np.random.default_rng(10).normal(size=(50, 2)) + [10.0, -4.0]
    np.testing.assert_allclose(ours(q), ref(q), atol=1e-9)


@pytest.mark.parametrize("span", [1e-3, 1e3, 1e7])
def test_derivatives_do_not_depend_on_the_units_of_a_dim(span):
    # Issue 13 item 17: dims of very different spans gave gradients 12-450x off,
    # and a span of 1e7 was refused as "points lie on a curve".
    rng = np.random.default_rng(0)
    p = rng.uniform(-1, 1, size=(300, 2))
    q = rng.uniform(-0.7, 0.7, size=(50, 2))
    x, y = q.T
    value = np.sin(2 * p[:, 0]) * np.cos(3 * p[:, 1])
    grad = np.stack([2 * np.cos(2 * x) * np.cos(3 * y), -3 * np.sin(2 * x) * np.sin(3 * y)], 1)
    hxy = -6 * np.cos(2 * x) * np.sin(3 * y)
    unit = [1.0, span]
    fit = ScatteredDerivatives().fit(p * unit, value)
    got = fit.gradient()(q * unit) * unit  # back to d/d(y / span)
    assert np.abs(got - grad).max() < 0.01
    hess = fit.hessian()(q * unit) * np.outer(unit, unit)
    assert np.abs(hess[:, 0, 1] - hxy).max() < 0.1
    lap = fit.laplacian()(q * unit)
    want = -(4 + 9 / span**2) * np.sin(2 * x) * np.cos(3 * y)
    np.testing.assert_allclose(lap, hess[:, 0, 0] + hess[:, 1, 1] / span**2, rtol=1e-9)
    assert np.abs(lap - want).max() < 0.2 * max(1, 9 / span**2)


def test_large_offsets_are_centred():
    p = np.random.default_rng(1).uniform(-1, 1, size=(100, 2))
    fit = ScatteredDerivatives().fit(p + [5e6, -3e7], p[:, 0] ** 2 + p[:, 0] * p[:, 1])
    q = np.array([[0.3, -0.2]])
    np.testing.assert_allclose(fit.gradient()(q + [5e6, -3e7]), [[0.4, 0.3]], atol=1e-6)


def test_too_many_points_are_refused_before_allocating():
    pts = np.random.default_rng(2).normal(size=(5001, 2))
    with pytest.raises(ValueError, match=r"max_points=5000.*Subsample"):
        ScatteredDerivatives().fit(pts, pts[:, 0])
    small = ScatteredDerivatives(max_points=20)
    with pytest.raises(ValueError, match=r"30 points exceed max_points=20"):
        small.fit(pts[:30], pts[:30, 0])
    fit = ScatteredDerivatives(max_points=30).fit(pts[:30], pts[:30, 0] * 2)
    np.testing.assert_allclose(fit.gradient()(pts[:2]), [[2.0, 0.0]] * 2, atol=1e-9)


@pytest.mark.parametrize("kernel", ["cubic", "quintic"])
def test_analytic_derivatives_match_differences_of_the_fit(kernel):
    rng = np.random.default_rng(5)
    p = rng.normal(size=(80, 3))
    vals = np.stack([np.sin(p[:, 0]) * p[:, 1], np.exp(-(p[:, 2] ** 2))], axis=1)
    fit = ScatteredDerivatives(0.1, kernel=kernel).fit(p, vals)
    q = rng.normal(size=(7, 3))
    h = 1e-5
    eye = np.eye(3)
    jac = fit.jacobian()(q)
    assert jac.shape == (7, 2, 3)
    num = np.stack([(fit(q + h * e) - fit(q - h * e)) / (2 * h) for e in eye], axis=-1)
    np.testing.assert_allclose(jac, num, atol=1e-6)
    hess = fit.hessian()(q)
    assert hess.shape == (7, 2, 3, 3)
    jac_fn = fit.jacobian()
    num2 = np.stack([(jac_fn(q + h * e) - jac_fn(q - h * e)) / (2 * h) for e in eye], axis=-1)
    np.testing.assert_allclose(hess, num2, atol=1e-5)
    np.testing.assert_allclose(hess, np.swapaxes(hess, -1, -2), atol=1e-12)
    assert fit.laplacian()(q).shape == (7, 2)


def test_hessian_at_a_sample_point_is_finite():
    p = np.random.default_rng(6).normal(size=(50, 2))
    fit = ScatteredDerivatives(0.01).fit(p, np.sin(p[:, 0]))
    assert np.isfinite(fit.hessian()(p[:5])).all()


def test_single_dim_and_many_queries():
    x = np.sort(np.random.default_rng(7).uniform(0, 3, 40))[:, None]
    fit = ScatteredDerivatives().fit(x, np.sin(x[:, 0]))
    q = np.linspace(0.5, 2.5, 5000)[:, None]
    np.testing.assert_allclose(fit.gradient()(q)[:, 0], np.cos(q[:, 0]), atol=2e-3)


# --- bad input --------------------------------------------------------------------------

_P = np.random.default_rng(8).normal(size=(20, 2))

BAD = [
    ("values length", lambda: ScatteredDerivatives().fit(_P, np.ones(19)), "shape (20,)"),
    ("values 3-D", lambda: ScatteredDerivatives().fit(_P, np.ones((20, 2, 2))), "(20, m)"),
    ("points 1-D", lambda: ScatteredDerivatives().fit(np.ones(20), np.ones(20)), "(n, d)"),
    ("NaN values", lambda: ScatteredDerivatives().fit(_P, np.full(20, np.nan)), "NaN"),
    ("NaN points", lambda: ScatteredDerivatives().fit(_P * np.nan, np.ones(20)), "non-finite"),
    ("too few", lambda: ScatteredDerivatives().fit(_P[:4], np.ones(4)), "at least 6"),
    (
        "collinear",
        lambda: ScatteredDerivatives().fit(np.c_[_P[:, 0], _P[:, 0]], np.ones(20)),
        "on a line",
    ),
    (
        "duplicates",
        lambda: ScatteredDerivatives().fit(np.r_[_P, _P[:1]], np.ones(21)),
        "repeated",
    ),
    (
        "gcv with as many points as polynomial terms",
        lambda: ScatteredDerivatives("gcv").fit(_P[:6], _P[:6, 0]),
        "more points than the 6 terms",
    ),
    ("bad max_points", lambda: ScatteredDerivatives(max_points=2.5), "max_points"),
    ("bad smoothing", lambda: ScatteredDerivatives(-1.0), "smoothing"),
    ("bad smoothing str", lambda: ScatteredDerivatives("auto"), "'gcv'"),
    ("bad kernel", lambda: ScatteredDerivatives(kernel="tps"), "unknown kernel"),
    ("quintic degree 1", lambda: ScatteredDerivatives(kernel="quintic", degree=1), "degree >= 2"),
    ("unfitted", lambda: ScatteredDerivatives().gradient(), ".fit("),
    (
        "query dims",
        lambda: ScatteredDerivatives().fit(_P, _P[:, 0]).gradient()(np.ones((3, 3))),
        "3 coordinates",
    ),
    (
        "gradient of vector",
        lambda: ScatteredDerivatives().fit(_P, _P).gradient(),
        ".jacobian()",
    ),
]


@pytest.mark.parametrize(("call", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


# --- from_points --------------------------------------------------------------------------


def test_from_points_grid_mask_and_values(pts):
    x, y = pts.T
    grid = fieldops.from_points(pts, np.sin(x) * np.cos(y), dims=("x", "y"), shape=(60, 50))
    assert grid.dims == ("x", "y") and grid.shape == (60, 50)
    assert grid.x.values[0] == x.min() and grid.y.values[-1] == y.max()
    # Corners of a normal cloud's bounding box are far from every sample.
    assert np.isnan(grid.values[0, 0]) and np.isnan(grid.values[-1, -1])
    near = grid.sel(x=slice(-1, 1), y=slice(-1, 1))
    assert not np.isnan(near.values).any()
    exact = np.sin(near.x) * np.cos(near.y)
    assert float(abs(near - exact).max()) < 5e-3
    # Derivatives of the gridded field work like on any field.
    dfx = fieldops.diff(grid, "x").sel(x=slice(-1, 1), y=slice(-1, 1))
    assert float(abs(dfx - np.cos(near.x) * np.cos(near.y)).max()) < 0.02


def test_from_points_mapping_smoothing_and_no_mask(pts):
    lon, lat = pts.T
    grid = fieldops.from_points(
        {"lon": lon, "lat": lat},
        lon * lat,
        shape=20,
        max_distance=np.inf,
        name="t",
        smoothing="gcv",
    )
    assert grid.dims == ("lon", "lat") and grid.name == "t"
    assert not np.isnan(grid.values).any()
    assert grid.attrs["smoothing"] >= 0


FROM_BAD = [
    ("values mismatch", dict(values=np.ones(499)), "shape (500,)"),
    ("dims mismatch", dict(dims=("x", "y", "z")), "dims=('x', 'y', 'z')"),
    ("shape too small", dict(shape=1), "shape must be"),
    ("shape wrong length", dict(shape=(3, 4, 5)), "shape must be"),
    ("bad distance", dict(max_distance=-1.0), "max_distance"),
]


@pytest.mark.parametrize(("kw", "message"), [b[1:] for b in FROM_BAD], ids=[b[0] for b in FROM_BAD])
def test_from_points_bad_input(pts, kw, message):
    args = dict(values=pts[:, 0], dims=("x", "y"))
    args.update(kw)
    with pytest.raises(ValueError) as info:
        fieldops.from_points(pts, args.pop("values"), **args)
    assert message in str(info.value)


# --- at ---------------------------------------------------------------------------------


def _grid():
    x = np.linspace(0.0, 2.0, 21)
    y = np.linspace(-1.0, 1.0, 11)
    t = np.array([0.0, 1.0])
    data = t[:, None, None] + 3 * x[None, None, :] - 2 * y[None, :, None]
    return xr.DataArray(data, dims=("t", "y", "x"), coords={"t": t, "y": y, "x": x}, name="f")


def test_at_array_and_labelled_points():
    f = _grid()
    q = np.array([[0.33, 1.25], [-0.5, 0.05]])  # columns (y, x)
    got = fieldops.at(f, q, dims=("y", "x"))
    assert got.dims == ("t", "points")
    np.testing.assert_allclose(got.values[0], 3 * q[:, 1] - 2 * q[:, 0])
    np.testing.assert_allclose(got.values[1], 1 + 3 * q[:, 1] - 2 * q[:, 0])
    labelled = fieldops.at(f, {"x": q[:, 1], "y": q[:, 0]})
    np.testing.assert_allclose(labelled.values, got.values)
    np.testing.assert_allclose(labelled["x"].values, q[:, 1])
    as_ds = fieldops.at(f, xr.Dataset({"y": ("n", q[:, 0]), "x": ("n", q[:, 1])}))
    np.testing.assert_allclose(as_ds.values, got.values)


def test_at_all_dims_outside_and_accessor():
    f = _grid()
    got = f.fieldops.at(np.array([[1.0, 0.1, 0.5], [0.0, 0.0, 5.0]]))
    assert got.dims == ("points",)
    assert got.values[0] == pytest.approx(1 - 0.2 + 1.5)
    assert np.isnan(got.values[1])  # outside the grid


def test_at_derivative_field_and_dask_lazy(no_compute):
    f = _grid().chunk({"t": 1, "x": 7})
    d = fieldops.diff(f, "x").fieldops.at({"x": [0.3, 1.7], "y": [0.0, 0.5]})
    assert isinstance(d.data, dsa.Array)


def test_at_derivative_values():
    f = _grid()
    d = fieldops.at(
        fieldops.diff(f, "y", method="savgol", window="5 points"), {"x": [0.3], "y": [0.2]}
    )
    np.testing.assert_allclose(d.values, [[-2.0], [-2.0]])
    ds = f.to_dataset()
    assert fieldops.at(ds, {"x": [0.3], "y": [0.2]})["f"].shape == (2, 1)


AT_BAD = [
    ("unknown dim", dict(points={"z": [0.0]}), "not found"),
    ("column count", dict(points=np.ones((2, 2))), "pass dims="),
    ("bad method", dict(points={"x": [0.0]}, method="spline"), "unknown method"),
    ("ragged mapping", dict(points={"x": [0.0], "y": [0.0, 1.0]}), "one length"),
]


@pytest.mark.parametrize(("kw", "message"), [b[1:] for b in AT_BAD], ids=[b[0] for b in AT_BAD])
def test_at_bad_input(kw, message):
    with pytest.raises(ValueError) as info:
        fieldops.at(_grid(), **kw)
    assert message in str(info.value)


def test_from_points_max_points():
    pts = np.random.default_rng(3).normal(size=(40, 2))
    with pytest.raises(ValueError, match="max_points=30"):
        fieldops.from_points(pts, pts[:, 0], max_points=30)
