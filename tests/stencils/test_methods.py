"""method= on diff: savgol, gaussian and spectral derivatives (issue 8)."""

from __future__ import annotations

import dask
import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import gaussian_filter1d
from scipy.signal import savgol_filter

import fieldops
from fieldops.grids.partials import partial_data
from fieldops.options import How, resolve_how
from fieldops.stencils.weights import BOUNDARY_MODES

SCIPY_MODE = {"one_sided": "interp", "mirror": "mirror", "periodic": "wrap"}


def resolve_options(obj, dims, **kw):
    """The resolved per-dim options of ``kw`` (the keywords of fieldops.diff)."""
    return resolve_how(obj, dims, How(**kw))


def _line(x, data, name="f"):
    return xr.DataArray(np.asarray(data), dims="x", coords={"x": np.asarray(x)}, name=name)


def _noisy_field(n=200, noise=0.01, seed=0):
    x = np.linspace(0.0, 2 * np.pi, n)
    y = np.linspace(0.0, 2 * np.pi, n)
    clean = np.cos(y)[:, None] * np.sin(x)[None, :]
    data = clean + np.random.default_rng(seed).normal(0.0, noise, clean.shape)
    da = xr.DataArray(data, dims=("y", "x"), coords={"y": y, "x": x}, name="f")
    fx = np.cos(y)[:, None] * np.cos(x)[None, :]
    fy = -np.sin(y)[:, None] * np.sin(x)[None, :]
    return da, fx, fy


def _rms_gradient_error(da, fx, fy, **kw):
    gx = fieldops.diff(da, "x", **kw).values
    gy = fieldops.diff(da, "y", **kw).values
    return float(np.sqrt(np.mean((gx - fx) ** 2 + (gy - fy) ** 2)))


# --- savgol ---------------------------------------------------------------------------


@pytest.mark.parametrize("boundary", ["one_sided", "mirror", "periodic"])
@pytest.mark.parametrize(("window", "polyorder", "order"), [(7, 2, 1), (9, 3, 1), (11, 4, 2)])
def test_savgol_equals_scipy_savgol_filter(boundary, window, polyorder, order):
    dx = 0.25
    x = np.arange(40) * dx
    f = np.random.default_rng(1).normal(size=40)
    got = fieldops.diff(
        _line(x, f),
        "x",
        order,
        method="savgol",
        window=f"{window} points",
        polyorder=polyorder,
        boundary=boundary,
    ).values
    ref = savgol_filter(f, window, polyorder, deriv=order, delta=dx, mode=SCIPY_MODE[boundary])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10 * np.abs(ref).max())


@pytest.mark.parametrize("polyorder", [2, 3, 4])
@pytest.mark.parametrize("order", [1, 2])
def test_savgol_exact_on_polynomials_nonuniform(polyorder, order):
    x = np.cumsum(np.random.default_rng(2).uniform(0.5, 1.5, 30))
    coeffs = np.random.default_rng(3).normal(size=polyorder + 1)
    poly = np.polynomial.Polynomial(coeffs, domain=[x[0], x[-1]], window=[-1, 1])
    got = fieldops.diff(
        _line(x, poly(x)), "x", order, method="savgol", window="9 points", polyorder=polyorder
    )
    np.testing.assert_allclose(got.values, poly.deriv(order)(x), atol=1e-9)


def test_savgol_window_in_coordinate_units():
    x = np.arange(50) * 0.1
    f = np.sin(x) + np.random.default_rng(4).normal(0, 0.01, 50)
    in_units = fieldops.diff(_line(x, f), "x", method="savgol", window="0.8 wide", polyorder=2)
    in_points = fieldops.diff(_line(x, f), "x", method="savgol", window="9 points", polyorder=2)
    np.testing.assert_array_equal(in_units.values, in_points.values)


def test_savgol_fill_boundary():
    x = np.arange(20.0)
    got = fieldops.diff(
        _line(x, x**2), "x", method="savgol", window="7 points", boundary="fill", fill_value=-1.0
    )
    assert (got.values[:3] == -1).all() and (got.values[-3:] == -1).all()
    np.testing.assert_allclose(got.values[3:-3], 2 * x[3:-3])


# --- gaussian -------------------------------------------------------------------------


@pytest.mark.parametrize("boundary", ["one_sided", "mirror", "periodic", "fill"])
def test_gaussian_interior_is_derivative_of_gaussian(boundary):
    dx = 0.1
    x = np.arange(120) * dx
    f = np.random.default_rng(5).normal(size=120)
    got = fieldops.diff(_line(x, f), "x", method="gaussian", sigma=0.3, boundary=boundary)
    ref = gaussian_filter1d(f, 3.0, order=1, truncate=4.0) / dx
    # Away from the edges: the same kernel up to its moment normalisation (truncation).
    inner = slice(13, -13)
    np.testing.assert_allclose(got.values[inner], ref[inner], atol=2e-3 * np.abs(ref).max())


def test_gaussian_response_to_a_sine():
    n = 128
    x = np.arange(n) * 2 * np.pi / n
    for sigma in (0.1, 0.2):
        got = fieldops.diff(
            _line(x, np.sin(3 * x)), "x", method="gaussian", sigma=sigma, boundary="periodic"
        ).values
        ref = 3 * np.cos(3 * x) * np.exp(-9 * sigma**2 / 2)
        assert np.abs(got - ref).max() < 1e-2 * 3


@pytest.mark.parametrize("order", [1, 2, 3])
def test_gaussian_exact_on_polynomials_nonuniform_edges_included(order):
    x = np.cumsum(np.random.default_rng(6).uniform(0.05, 0.15, 60))
    poly = np.polynomial.Polynomial(np.random.default_rng(order).normal(size=order + 2))
    got = fieldops.diff(_line(x, poly(x)), "x", order, method="gaussian", sigma=0.25)
    np.testing.assert_allclose(got.values, poly.deriv(order)(x), atol=1e-8)


def test_gaussian_sigma_as_timedelta():
    t = np.datetime64("2020-01-01") + np.arange(48) * np.timedelta64(1, "h")
    hours = np.arange(48.0)
    da = xr.DataArray(3.0 * hours, dims="t", coords={"t": t})
    got = fieldops.diff(da, "t", method="gaussian", sigma=np.timedelta64(3, "h"), datetime_unit="h")
    np.testing.assert_allclose(got.values, 3.0)
    per_s = fieldops.diff(da, "t", method="gaussian", sigma=3 * 3600.0)
    np.testing.assert_allclose(per_s.values, 3.0 / 3600)


# --- noisy data: the acceptance ----------------------------------------------------------


def test_noisy_gradient_savgol_and_gaussian_beat_fd_tenfold():
    da, fx, fy = _noisy_field()
    fd = _rms_gradient_error(da, fx, fy)
    sg = _rms_gradient_error(da, fx, fy, method="savgol", window="21 points", polyorder=2)
    ga = _rms_gradient_error(da, fx, fy, method="gaussian", sigma=0.2)
    assert fd > 0.2  # the noise dominates plain finite differences
    assert sg <= fd / 10
    assert ga <= fd / 10


# --- spectral -------------------------------------------------------------------------


def test_spectral_sin3x_64_points():
    n = 64
    x = np.arange(n) * 2 * np.pi / n
    got = fieldops.diff(_line(x, np.sin(3 * x)), "x", method="spectral", boundary="periodic")
    assert np.abs(got.values - 3 * np.cos(3 * x)).max() < 1e-10
    second = fieldops.diff(_line(x, np.sin(3 * x)), "x", 2, method="spectral", boundary="periodic")
    assert np.abs(second.values + 9 * np.sin(3 * x)).max() < 1e-10


@pytest.mark.parametrize("n", [63, 64])
def test_spectral_descending_and_odd_length(n):
    x = (np.arange(n) * 2 * np.pi / n)[::-1]
    got = fieldops.diff(_line(x, np.cos(5 * x)), "x", 3, method="spectral", boundary="periodic")
    np.testing.assert_allclose(got.values, 125 * np.sin(5 * x), atol=1e-9)


def test_spectral_period_given_must_match():
    x = np.arange(32) * 0.5
    ok = fieldops.diff(
        _line(x, np.sin(x * np.pi / 8)), "x", method="spectral", boundary="periodic", period=16.0
    )
    np.testing.assert_allclose(ok.values, np.pi / 8 * np.cos(x * np.pi / 8), atol=1e-12)


# --- composition, dtype, Dataset, accessor ------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        dict(method="savgol", window="7 points"),
        dict(method="gaussian", sigma=0.6),
        dict(method="spectral", boundary="periodic"),
    ],
)
def test_mixed_partial_by_composition(kw):
    n = 32
    x = np.arange(n) * 2 * np.pi / n
    if kw["method"] == "spectral":
        f = np.sin(x)[:, None] * np.sin(2 * x)[None, :]
        exact = 2 * np.cos(x)[:, None] * np.cos(2 * x)[None, :]
    else:
        f = (x[:, None] - 1.0) * (x[None, :] + 2.0)
        exact = np.ones_like(f)
    da = xr.DataArray(f, dims=("y", "x"), coords={"y": x, "x": x})
    opts = resolve_options(
        da,
        ["y", "x"],
        accuracy=2,
        boundary=kw.get("boundary"),
        fill_value=np.nan,
        period=None,
        datetime_unit=None,
        method=kw["method"],
        window=kw.get("window"),
        sigma=kw.get("sigma"),
    )
    data, units = partial_data(da, {"y": 1, "x": 1}, opts)
    np.testing.assert_allclose(data, exact, atol=1e-9)


METHOD_KW = [
    dict(method="savgol", window="7 points", polyorder=3),
    dict(method="gaussian", sigma=0.5),
    dict(method="spectral", boundary="periodic"),
]


@pytest.mark.parametrize("kw", METHOD_KW, ids=lambda k: k["method"])
def test_float32_kept(kw):
    x = np.arange(40) * 0.25
    da = _line(x, np.sin(x).astype(np.float32))
    out = fieldops.diff(da, "x", **kw)
    assert out.dtype == np.float32
    lazy = fieldops.diff(da.chunk({"x": -1}), "x", **kw)
    assert lazy.dtype == np.float32 and lazy.compute().dtype == np.float32


def test_dataset_accessor_and_long_name():
    x = np.arange(20.0)
    ds = xr.Dataset({"t": ("x", x**2), "label": ("y", ["a", "b"])}, coords={"x": x})
    out = ds.fieldops.diff("x", method="savgol", window="5 points")
    np.testing.assert_allclose(out["dt_dx"].values, 2 * x, atol=1e-10)
    assert "Savitzky-Golay" in out["dt_dx"].attrs["long_name"]
    assert list(out["label"].values) == ["a", "b"]


def test_per_dim_methods_dict():
    da, fx, fy = _noisy_field(n=60, noise=0.0)
    opts = resolve_options(
        da,
        ["y", "x"],
        accuracy=2,
        boundary=None,
        fill_value=np.nan,
        period=None,
        datetime_unit=None,
        method={"x": "savgol", "y": "gaussian"},
        window={"x": "9 points"},
        sigma={"y": 0.3},
    )
    assert opts.method_of("x").window == 9 and opts.method_of("y").sigma == 0.3


# --- Dask -----------------------------------------------------------------------------


def _chunks(draw, n):
    sizes, left = [], n
    while left:
        s = draw(st.integers(1, max(1, min(left, n // 2))))
        sizes.append(s)
        left -= s
    return tuple(sizes)


@st.composite
def _case(draw):
    ny, nx = draw(st.integers(12, 24)), draw(st.integers(12, 24))
    return ny, nx, _chunks(draw, ny), _chunks(draw, nx)


@settings(max_examples=30, deadline=None)
@given(
    case=_case(),
    dim=st.sampled_from(["y", "x"]),
    method=st.sampled_from(["savgol", "gaussian"]),
    boundary=st.sampled_from(BOUNDARY_MODES),
    nonuniform=st.booleans(),
)
def test_dask_equals_numpy_local_methods(case, dim, method, boundary, nonuniform):
    ny, nx, cy, cx = case
    rng = np.random.default_rng(ny * 31 + nx)
    y = np.cumsum(rng.uniform(0.5, 1.5, ny)) if nonuniform else np.arange(ny) * 1.0
    coords = {"y": y, "x": np.arange(nx) * 1.0}
    data = rng.normal(size=(ny, nx))
    eager = xr.DataArray(data, dims=("y", "x"), coords=coords)
    lazy = xr.DataArray(dsa.from_array(data, chunks=(cy, cx)), dims=("y", "x"), coords=coords)
    kw = dict(method=method, boundary=boundary)
    kw.update(dict(window="5 points", polyorder=3) if method == "savgol" else dict(sigma=1.0))
    if boundary == "periodic" and nonuniform and dim == "y":
        kw["period"] = float(y[-1] - y[0]) * 1.2
    ref = fieldops.diff(eager, dim, **kw)
    got = fieldops.diff(lazy, dim, **kw)
    assert got.chunks == lazy.chunks
    np.testing.assert_array_equal(got.values, ref.values)


def test_dask_equals_numpy_spectral_and_lazy(no_compute):
    n = 48
    x = np.arange(n) * 2 * np.pi / n
    data = np.random.default_rng(7).normal(size=(10, n))
    lazy = xr.DataArray(dsa.from_array(data, chunks=(3, n)), dims=("y", "x"), coords={"x": x})
    got = fieldops.diff(lazy, "x", method="spectral", boundary="periodic")
    assert isinstance(got.data, dsa.Array) and got.chunks == lazy.chunks
    with pytest.raises(Exception, match="computed"):
        got.values  # noqa: B018  (the fixture forbids computing)


def test_dask_spectral_values():
    n = 48
    x = np.arange(n) * 2 * np.pi / n
    data = np.random.default_rng(7).normal(size=(10, n))
    eager = xr.DataArray(data, dims=("y", "x"), coords={"x": x})
    lazy = eager.chunk({"y": 3, "x": -1})
    kw = dict(method="spectral", boundary="periodic")
    np.testing.assert_array_equal(
        fieldops.diff(lazy, "x", **kw).values, fieldops.diff(eager, "x", **kw).values
    )


@pytest.mark.parametrize("kw", METHOD_KW[:2], ids=lambda k: k["method"])
def test_local_methods_are_lazy(no_compute, kw):
    data = dsa.random.random((40, 30), chunks=(7, 11))
    lazy = xr.DataArray(data, dims=("y", "x"), name="t")
    for dim in ("y", "x"):
        for boundary in BOUNDARY_MODES:
            out = fieldops.diff(lazy, dim, boundary=boundary, **kw)
            assert isinstance(out.data, dsa.Array)
            assert out.chunks == lazy.chunks


def test_spectral_on_chunked_axis_says_so():
    lazy = xr.DataArray(dsa.ones((8, 32), chunks=(8, 16)), dims=("y", "x"))
    with pytest.raises(ValueError, match=r"one Dask chunk.*\.chunk\(\{'x': -1\}\)"):
        fieldops.diff(lazy, "x", method="spectral", boundary="periodic")


# --- bad input ------------------------------------------------------------------------

_X = np.arange(20.0)
_F = _line(_X, _X**2)
_NONUNIFORM = _line(np.cumsum(np.arange(1.0, 21.0)), _X)

BAD = [
    ("unknown method", dict(method="spline"), ValueError, "unknown method 'spline'"),
    ("savgol without window", dict(method="savgol"), ValueError, "needs window="),
    ("even window", dict(method="savgol", window="6 points"), ValueError, "odd number of points"),
    (
        "window too large",
        dict(method="savgol", window="21 points"),
        ValueError,
        "longer than the axis",
    ),
    ("window zero", dict(method="savgol", window="0 points"), ValueError, "positive"),
    (
        "polyorder >= window",
        dict(method="savgol", window="5 points", polyorder=5),
        ValueError,
        "polyorder < window",
    ),
    (
        "polyorder < order",
        dict(method="savgol", window="5 points", polyorder=0),
        ValueError,
        "order <=",
    ),
    (
        "negative polyorder",
        dict(method="savgol", window="5 points", polyorder=-1),
        ValueError,
        ">= 0",
    ),
    ("gaussian without sigma", dict(method="gaussian"), ValueError, "needs sigma="),
    ("sigma zero", dict(method="gaussian", sigma=0.0), ValueError, "positive"),
    ("sigma negative", dict(method="gaussian", sigma=-1.0), ValueError, "positive"),
    ("sigma nan", dict(method="gaussian", sigma=np.nan), ValueError, "positive"),
    ("sigma string", dict(method="gaussian", sigma="2"), TypeError, "must be a number"),
    ("sigma too wide", dict(method="gaussian", sigma=5.0), ValueError, "too wide"),
    ("sigma too small", dict(method="gaussian", sigma=0.1), ValueError, "too small"),
    ("window without savgol", dict(window="5 points"), ValueError, "used only by method='savgol'"),
    (
        "sigma with savgol",
        dict(method="savgol", window="5 points", sigma=1.0),
        ValueError,
        "used only by method='gaussian'",
    ),
    ("spectral not periodic", dict(method="spectral"), ValueError, "boundary='periodic'"),
    (
        "spectral wrong period",
        dict(method="spectral", boundary="periodic", period=30.0),
        ValueError,
        "exactly one period",
    ),
    (
        "accuracy with savgol",
        dict(method="savgol", window="5 points", accuracy=4),
        ValueError,
        "applies to method='finite_difference' only",
    ),
    ("method dict other dim", dict(method={"y": "savgol"}), ValueError, "not differentiated"),
]


@pytest.mark.parametrize(("kw", "exc", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_method_input(kw, exc, message):
    with pytest.raises(exc) as info:
        fieldops.diff(_F, "x", **kw)
    assert message in str(info.value)
    assert "'x'" in str(info.value) or "method" in str(info.value)


def test_spectral_on_nonuniform_dim():
    with pytest.raises(ValueError, match="uniformly spaced") as info:
        fieldops.diff(_NONUNIFORM, "x", method="spectral", boundary="periodic", period=500.0)
    assert "dim 'x'" in str(info.value)


def test_float32_uniform_coordinate_uses_the_constant_stencil():
    from fieldops.stencils.smoothing import gaussian_stencil, savgol_stencil

    x = np.linspace(0.0, 7.0, 300).astype(np.float32)
    assert savgol_stencil(x, 1, 7, 2, "periodic").uniform
    assert gaussian_stencil(x, 1, 0.1, "one_sided").uniform
    assert not savgol_stencil(x**2, 1, 7, 2, "one_sided").uniform


def test_mixed_partial_on_dask_is_lazy_and_equal(no_compute):
    n = 30
    x = np.arange(n) * 0.2
    f = np.random.default_rng(9).normal(size=(n, n))
    eager = xr.DataArray(f, dims=("y", "x"), coords={"y": x, "x": x})
    lazy = eager.chunk({"y": 4, "x": 9})
    kw = dict(accuracy=2, boundary="mirror", fill_value=np.nan, period=None, datetime_unit=None)
    kw.update(method={"y": "savgol", "x": "gaussian"}, window="5 points", sigma=0.4)
    data, _ = partial_data(lazy, {"y": 1, "x": 1}, resolve_options(lazy, ["y", "x"], **kw))
    assert isinstance(data, dsa.Array)
    ref, _ = partial_data(eager, {"y": 1, "x": 1}, resolve_options(eager, ["y", "x"], **kw))
    with dask.config.set(scheduler="sync"):  # lifts no_compute for the check itself
        np.testing.assert_array_equal(data.compute(), ref)


@pytest.mark.parametrize("boundary", ["one_sided", "mirror", "fill"])
def test_dask_halo_is_half_the_window(boundary):
    # savgol window 15: halo 7. Middle chunks of 10 need no rechunk; the shifted
    # edge windows (14 rows) fit in the first and last chunks of 20.
    data = np.random.default_rng(10).normal(size=(70, 4))
    eager = xr.DataArray(data, dims=("y", "x"))
    lazy = eager.chunk({"y": (20, 10, 10, 10, 20)})
    kw = dict(method="savgol", window="15 points", polyorder=3, boundary=boundary)
    got = fieldops.diff(lazy, "y", **kw)
    assert not any("rechunk" in name for name in got.data.dask.layers)
    np.testing.assert_array_equal(got.values, fieldops.diff(eager, "y", **kw).values)


def test_window_unit_is_explicit_and_bare_numbers_warn():
    # Issue 13 item 23: window=5 (points) and window=5.0 (coordinate units) looked
    # alike and differed by 27% with nothing to warn.
    x = np.arange(60) * 0.5
    f = _line(x, np.sin(x) + np.random.default_rng(5).normal(0, 0.05, 60))
    points = fieldops.diff(f, "x", method="savgol", window="5 points")
    wide = fieldops.diff(f, "x", method="savgol", window="5.0 wide")
    with pytest.warns(FutureWarning, match="window='5 points'"):
        old_points = fieldops.diff(f, "x", method="savgol", window=5)
    with pytest.warns(FutureWarning, match="window='5.0 wide'"):
        old_wide = fieldops.diff(f, "x", method="savgol", window=5.0)
    xr.testing.assert_identical(points, old_points)
    xr.testing.assert_identical(wide, old_wide)
    # 5.0 wide on a 0.5 spacing is 11 points, not 5.
    eleven = fieldops.diff(f, "x", method="savgol", window="11 points")
    np.testing.assert_array_equal(wide.values, eleven.values)
    assert not np.allclose(points.values, wide.values)
    # Per-dim and on the kinematics too.
    with pytest.warns(FutureWarning, match="bare number"):
        fieldops.diff(f, "x", method="savgol", window={"x": 7})


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("5", "like '7 points'"),
        ("5 pts", "like '7 points'"),
        ("5.5 points", "whole number"),
        ("6 points", "odd number of points"),
        ("-2.0 wide", "positive"),
        ("wide", "like '7 points'"),
    ],
)
def test_window_bad_spelling(window, message):
    with pytest.raises(ValueError, match=message):
        fieldops.diff(_line(np.arange(20.0), np.arange(20.0)), "x", method="savgol", window=window)
