"""cumulative_integrate: exactness, round trip with diff, datetime, NaN, Dask scans."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.integrals import cumulative_integrate


def _field(x, f, **attrs):
    coords = {"x": ("x", x, {"units": "m"})}
    return xr.DataArray(f, dims="x", coords=coords, name="q", attrs={"units": "K", **attrs})


@pytest.mark.parametrize("accuracy", [2, 4, 6])
@pytest.mark.parametrize("uniform", [True, False])
def test_exact_on_polynomials(accuracy, uniform):
    rng = np.random.default_rng(accuracy)
    x = np.linspace(0, 2, 30) if uniform else np.sort(rng.uniform(0, 2, 30))
    deg = accuracy + 1
    res = cumulative_integrate(_field(x, x**deg), "x", accuracy=accuracy)
    np.testing.assert_allclose(res, (x ** (deg + 1) - x[0] ** (deg + 1)) / (deg + 1), atol=1e-11)
    assert res.attrs["units"] == "K m"
    assert res.name == "q" and res.dims == ("x",)


def test_matches_xarray_trapezoid_order_and_beats_it():
    x = np.linspace(0, 3, 41)
    da = _field(x, np.sin(x))
    exact = 1 - np.cos(x)
    ours = cumulative_integrate(da, "x")
    theirs = da.cumulative_integrate("x")
    assert np.abs(ours - exact).max() < np.abs(theirs - exact).max() / 100


@pytest.mark.parametrize("accuracy", [2, 4])
def test_diff_of_cumulative_integral_is_the_field(accuracy):
    x = np.sort(np.random.default_rng(1).uniform(0, 2 * np.pi, 400))
    f = _field(x, np.cos(2 * x))
    back = fieldops.diff(cumulative_integrate(f, "x", accuracy=accuracy), "x", accuracy=accuracy)
    np.testing.assert_allclose(back, f, atol=5e-3 if accuracy == 2 else 5e-5)


def test_initial_and_units_without_coordinate():
    da = xr.DataArray(np.ones(6), dims="t", attrs={"units": "kg"})
    res = cumulative_integrate(da, "t", initial=10.0)
    np.testing.assert_allclose(res, 10 + np.arange(6.0))
    assert res.attrs["units"] == "kg"  # unit spacing: the field's units


def test_datetime_coordinate_per_second_and_hour():
    t = np.datetime64("2020-01-01") + np.arange(8) * np.timedelta64(1, "h")
    da = xr.DataArray(np.full(8, 2.0), dims="time", coords={"time": t}, attrs={"units": "W"})
    res = cumulative_integrate(da, "time")
    np.testing.assert_allclose(res, 2.0 * 3600 * np.arange(8))
    assert res.attrs["units"] == "W s"
    hours = cumulative_integrate(da, "time", datetime_unit="h")
    np.testing.assert_allclose(hours, 2.0 * np.arange(8))


def test_nan_policy():
    x = np.linspace(0, 1, 12)
    f = np.ones(12)
    f[6] = np.nan
    res = cumulative_integrate(_field(x, f), "x")
    assert np.isfinite(res[:3]).all() and np.isnan(res[-1])
    omitted = cumulative_integrate(_field(x, f), "x", nan_policy="omit")
    assert np.isfinite(omitted).all()
    np.testing.assert_allclose(omitted[:5], x[:5])


def test_float32_stays_and_input_not_mutated():
    x = np.linspace(0, 1, 10)
    da = _field(x, np.ones(10, np.float32))
    before = da.copy(deep=True)
    res = cumulative_integrate(da, "x")
    assert res.dtype == np.float32
    xr.testing.assert_identical(da, before)


def _random_chunks(n: int, rng) -> tuple[int, ...]:
    out = []
    while n:
        c = int(min(n, rng.integers(1, 9)))
        out.append(c)
        n -= c
    return tuple(out)


@pytest.mark.parametrize("seed", range(6))
def test_dask_scan_identical_for_every_chunking(seed, no_compute):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 5, 37))
    data = rng.normal(size=(5, 37, 3))
    da = xr.DataArray(data, dims=("a", "x", "b"), coords={"x": x})
    expected = cumulative_integrate(da, "x", accuracy=4).values
    chunks = {"a": _random_chunks(5, rng), "x": _random_chunks(37, rng), "b": 2}
    lazy = cumulative_integrate(da.chunk(chunks), "x", accuracy=4)  # builds, never computes
    assert lazy.chunks == da.chunk(chunks).chunks  # no rechunk
    import dask

    with dask.config.set(scheduler="synchronous"):
        got = lazy.values
    np.testing.assert_array_equal(got, expected)  # bit for bit


def test_dask_graph_is_small():
    da = xr.DataArray(dsa.ones((4, 400), chunks=(2, 50)), dims=("a", "x"))
    res = cumulative_integrate(da, "x")
    blocks = 2 * 8
    assert len(res.data.__dask_graph__()) < 8 * blocks


def test_dataset_integrates_variables_with_the_dim():
    x = np.linspace(0, 1, 8)
    ds = xr.Dataset({"a": ("x", x), "b": ("y", [1.0, 2.0])}, coords={"x": x})
    res = cumulative_integrate(ds, "x")
    np.testing.assert_allclose(res.a, x**2 / 2, atol=1e-14)
    assert res.b.identical(ds.b)


def test_bad_input():
    da = _field(np.linspace(0, 1, 5), np.ones(5))
    with pytest.raises(ValueError, match="at least 6 points"):
        cumulative_integrate(da, "x", accuracy=4)
    with pytest.raises(ValueError, match="accuracy must be an even integer"):
        cumulative_integrate(da, "x", accuracy=3)
    with pytest.raises(ValueError, match="nan_policy"):
        cumulative_integrate(da, "x", nan_policy="drop")
    with pytest.raises(TypeError, match="initial must be a number"):
        cumulative_integrate(da, "x", initial="zero")
