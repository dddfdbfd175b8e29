"""fieldops.diff on DataArrays and Datasets: references, metadata, dtypes, NaN."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import fieldops


def _field(shape=(30, 40), seed=0, nonuniform=True):
    rng = np.random.default_rng(seed)
    y = np.cumsum(rng.uniform(0.5, 1.5, shape[0])) if nonuniform else np.arange(shape[0]) * 0.5
    x = np.linspace(-3.0, 5.0, shape[1])
    data = rng.normal(size=shape)
    return xr.DataArray(
        data,
        dims=("y", "x"),
        coords={"y": ("y", y, {"units": "km"}), "x": ("x", x, {"units": "m"})},
        name="t",
        attrs={
            "units": "K",
            "long_name": "temperature",
            "standard_name": "air_temperature",
            "source": "test",
        },
    )


@pytest.mark.parametrize("dim", ["y", "x"])
def test_equals_numpy_gradient_and_xarray_differentiate(dim):
    da = _field()
    axis = da.get_axis_num(dim)
    got = fieldops.diff(da, dim)
    ref = np.gradient(da.values, da[dim].values, axis=axis, edge_order=2)
    np.testing.assert_allclose(got.values, ref, rtol=1e-11, atol=1e-11)
    ref_xr = da.differentiate(dim, edge_order=2)
    np.testing.assert_allclose(got.values, ref_xr.values, rtol=1e-11, atol=1e-11)


def test_descending_coordinate_matches_numpy():
    da = _field().isel(y=slice(None, None, -1))
    got = fieldops.diff(da, "y")
    ref = np.gradient(da.values, da.y.values, axis=0, edge_order=2)
    np.testing.assert_allclose(got.values, ref, rtol=1e-11, atol=1e-11)


def test_names_attrs_units_and_coords():
    da = _field()
    before = copy.deepcopy(da)
    d1 = fieldops.diff(da, "x")
    d2 = fieldops.diff(da, "y", 2, accuracy=4)
    assert d1.name == "dt_dx" and d2.name == "d2t_dy2"
    assert d1.attrs["units"] == "K m-1"
    assert d2.attrs["units"] == "K km-2"
    assert "temperature" in d1.attrs["long_name"] and "x" in d1.attrs["long_name"]
    assert "standard_name" not in d1.attrs  # no longer air temperature
    assert d1.attrs["source"] == "test"
    xr.testing.assert_identical(d1.coords.to_dataset(), da.coords.to_dataset())
    xr.testing.assert_identical(da, before)  # input untouched, attrs included


def test_units_styles_and_unknown_units():
    da = _field().assign_attrs(units="m s**-1")
    assert fieldops.diff(da, "x").attrs["units"] == "s-1"
    da = _field().assign_attrs(units="m2 s-2")
    assert fieldops.diff(da, "x").attrs["units"] == "m s-2"
    da = _field().assign_attrs(units="not a unit at all")
    assert "units" not in fieldops.diff(da, "x").attrs
    # Without a coordinate the spacing has no units, so neither has the result.
    assert "units" not in fieldops.diff(_field().drop_vars("x"), "x").attrs


def test_dim_without_coordinate_uses_unit_spacing():
    data = np.arange(10.0) ** 2
    got = fieldops.diff(xr.DataArray(data, dims="i"), "i")
    np.testing.assert_allclose(got.values, np.gradient(data, edge_order=2))


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int16, np.float64),
        (np.int64, np.float64),
        (bool, np.float64),
    ],
)
def test_dtype_kept_or_promoted(dtype, expected):
    raw = (np.arange(20) % 3).astype(dtype)
    got = fieldops.diff(xr.DataArray(raw, dims="x"), "x")
    assert got.dtype == expected
    np.testing.assert_allclose(got.values, np.gradient(raw.astype(np.float64), edge_order=2))


def test_float32_close_to_float64():
    da = _field()
    got32 = fieldops.diff(da.astype(np.float32), "x", accuracy=4)
    got64 = fieldops.diff(da, "x", accuracy=4)
    np.testing.assert_allclose(got32.values, got64.values, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("boundary", ["one_sided", "periodic", "mirror", "fill"])
@pytest.mark.parametrize("accuracy", [2, 6])
def test_nan_spoils_only_stencil_neighbours(boundary, accuracy):
    x = np.arange(40.0)
    clean = xr.DataArray(np.sin(x / 5), dims="x", coords={"x": x})
    dirty = clean.copy()
    dirty[20] = np.nan
    ref = fieldops.diff(clean, "x", accuracy=accuracy, boundary=boundary)
    got = fieldops.diff(dirty, "x", accuracy=accuracy, boundary=boundary)
    half = accuracy // 2
    bad = np.isnan(got.values) & ~np.isnan(ref.values)
    assert set(np.flatnonzero(bad)) <= set(range(20 - half, 21 + half))
    assert bad.sum() == 2 * half  # the centre's own weight is zero for d/dx
    ok = ~np.isnan(got.values)
    np.testing.assert_array_equal(got.values[ok], ref.values[ok])


def test_boundary_dict_and_fill_value():
    da = _field(nonuniform=False)
    got = fieldops.diff(da, "x", boundary={"x": "fill"}, fill_value=-999.0)
    assert (got.isel(x=0) == -999.0).all() and (got.isel(x=-1) == -999.0).all()


def test_periodic_uniform_period_inferred():
    n = 36
    lon = np.arange(n) * 10.0
    da = xr.DataArray(np.sin(np.deg2rad(lon)), dims="lon", coords={"lon": lon})
    got = fieldops.diff(da, "lon", boundary="periodic", accuracy=6)
    np.testing.assert_allclose(got.values, np.deg2rad(1) * np.cos(np.deg2rad(lon)), atol=1e-7)


def test_datetime_coordinate_per_second_and_per_day():
    t = pd.date_range("2000-01-01", periods=10, freq="6h")
    da = xr.DataArray(np.arange(10.0) * 3.0, dims="time", coords={"time": t})
    per_s = fieldops.diff(da, "time")
    np.testing.assert_allclose(per_s.values, 3.0 / (6 * 3600))
    per_d = fieldops.diff(da, "time", datetime_unit="D")
    np.testing.assert_allclose(per_d.values, 3.0 * 4)
    ref = da.differentiate("time", datetime_unit="s")
    np.testing.assert_allclose(per_s.values, ref.values)


def test_cftime_coordinate():
    cftime = pytest.importorskip("cftime")
    times = [cftime.DatetimeNoLeap(2000, 1, d) for d in range(1, 11)]
    da = xr.DataArray(np.arange(10.0), dims="time", coords={"time": times})
    np.testing.assert_allclose(fieldops.diff(da, "time", datetime_unit="D").values, 1.0)


def test_dataset_differentiates_matching_variables_only():
    da = _field()
    ds = xr.Dataset(
        {"t": da, "z": da.isel(x=0, drop=True) * 2, "label": ("x", ["a"] * 40)},
        attrs={"title": "demo"},
    )
    out = fieldops.diff(ds, "x")
    assert set(out.data_vars) == {"dt_dx", "z", "label"}
    xr.testing.assert_identical(out["z"], ds["z"])
    xr.testing.assert_identical(out["dt_dx"], fieldops.diff(da, "x"))
    assert out.attrs == {"title": "demo"}


def test_accessor_equals_function():
    da = _field()
    xr.testing.assert_identical(
        da.fieldops.diff("y", 2, accuracy=4), fieldops.diff(da, "y", 2, accuracy=4)
    )
    ds = da.to_dataset()
    xr.testing.assert_identical(ds.fieldops.diff("x"), fieldops.diff(ds, "x"))


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("accuracy", [2, 4, 6, 8])
def test_orders_and_accuracies_on_polynomial(order, accuracy):
    x = np.sort(np.random.default_rng(order + accuracy).uniform(0, 2, 40))
    coefs = np.random.default_rng(3).normal(size=order + accuracy)
    p = np.polynomial.Polynomial(coefs)
    da = xr.DataArray(p(x), dims="x", coords={"x": x})
    got = fieldops.diff(da, "x", order, accuracy=accuracy)
    np.testing.assert_allclose(got.values, p.deriv(order)(x), atol=1e-5 * 10**order, rtol=1e-6)


def test_large_array_threads_match_single_thread():
    rng = np.random.default_rng(5)
    data = rng.normal(size=(6, 300, 400))
    da = xr.DataArray(data, dims=("a", "b", "c"))
    fieldops.set_num_threads(1)
    try:
        serial = [fieldops.diff(da, d, accuracy=4).values for d in da.dims]
    finally:
        fieldops.set_num_threads(2)
    threaded = [fieldops.diff(da, d, accuracy=4).values for d in da.dims]
    for s, t in zip(serial, threaded):
        np.testing.assert_array_equal(s, t)
    fortran = xr.DataArray(np.asfortranarray(data), dims=("a", "b", "c"))
    for d, s in zip(da.dims, serial):
        np.testing.assert_array_equal(fieldops.diff(fortran, d, accuracy=4).values, s)


def test_set_num_threads_while_another_thread_computes():
    # Issue 13 item 16: swapping the pool shut it down under a running call
    # ("cannot schedule new futures after shutdown").
    import threading

    from fieldops.stencils import apply as apply_mod

    n = apply_mod._MIN_PARALLEL_SIZE
    da = xr.DataArray(np.random.default_rng(0).normal(size=(8, n // 8)), dims=("y", "x"))
    expected = np.gradient(da.values, axis=1)
    saved = fieldops.get_num_threads()
    errors, stop = [], threading.Event()

    def compute():
        try:
            while not stop.is_set():
                got = fieldops.diff(da, "x", accuracy=2).values
                np.testing.assert_allclose(got[:, 1:-1], expected[:, 1:-1], rtol=1e-12)
        except Exception as err:  # reported in the main thread
            errors.append(err)

    worker = threading.Thread(target=compute)
    worker.start()
    try:
        for i in range(2000):
            fieldops.set_num_threads(2 + i % 2)
            if errors:
                break
    finally:
        stop.set()
        worker.join()
        fieldops.set_num_threads(saved)
    assert not errors, errors[0]


def test_pool_swapped_between_fetch_and_submit(monkeypatch):
    # Deterministic form of the race above: another thread calls set_num_threads
    # after this call has fetched the pool and before it submits its jobs.
    from fieldops.stencils import apply as apply_mod

    real = apply_mod._get_pool
    saved = fieldops.get_num_threads()

    def racing():
        pool = real()
        fieldops.set_num_threads(3)
        return pool

    n = apply_mod._MIN_PARALLEL_SIZE
    da = xr.DataArray(np.random.default_rng(1).normal(size=(8, n // 8)), dims=("y", "x"))
    fieldops.set_num_threads(2)
    monkeypatch.setattr(apply_mod, "_get_pool", racing)
    try:
        got = fieldops.diff(da, "y", accuracy=2).values
    finally:
        fieldops.set_num_threads(saved)
    np.testing.assert_allclose(got, np.gradient(da.values, axis=0, edge_order=2), rtol=1e-12)


@pytest.mark.parametrize("value", ["", "  ", "abc", "-3", "0", "2.5"])
def test_bad_num_threads_env_warns_and_falls_back(value):
    import os
    import subprocess
    import sys

    code = (
        "import warnings, os\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    import fieldops\n"
        "print(fieldops.get_num_threads() == (os.cpu_count() or 1))\n"
        "print('|'.join(str(x.message) for x in w if 'FIELDOPS_NUM_THREADS' in str(x.message)))\n"
    )
    env = dict(os.environ, FIELDOPS_NUM_THREADS=value)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "True"
    if value.strip():
        assert "FIELDOPS_NUM_THREADS" in out[1] and "positive integer" in out[1]
    else:
        assert out[1] == ""


def test_num_threads_env_is_read():
    import os
    import subprocess
    import sys

    env = dict(os.environ, FIELDOPS_NUM_THREADS=" 3 ")
    code = "import fieldops; print(fieldops.get_num_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "3", out.stderr


@pytest.mark.parametrize(
    ("existing", "op"),
    [
        ("dt_dx", lambda ds: fieldops.diff(ds, "x")),
        ("grad_t", lambda ds: fieldops.grad(ds, ["x"])),
        ("del2_t", lambda ds: fieldops.laplacian(ds, ["x"])),
        ("hess_t", lambda ds: fieldops.hessian(ds, ["x"])),
    ],
)
@pytest.mark.parametrize("first", [True, False])
def test_dataset_output_name_collision_is_refused(existing, op, first):
    # A variable already named like a result was overwritten (it came first) or
    # dropped the new result (it came after): now a clear error names the clash.
    x = np.linspace(0.0, 1.0, 6)
    t = xr.DataArray(x**2, dims="x", coords={"x": x})
    other = xr.DataArray(np.full(3, 7.0), dims="y")  # not differentiated: kept as it is
    variables = {existing: other, "t": t} if first else {"t": t, existing: other}
    ds = xr.Dataset(variables)
    with pytest.raises(ValueError, match=rf"named '{existing}', which the Dataset already has"):
        op(ds)
    # Renamed as the message says, both survive: the input and the new result.
    out = op(ds.rename({existing: f"{existing}_in"}))
    np.testing.assert_array_equal(out[f"{existing}_in"].values, other.values)
    np.testing.assert_allclose(
        out[existing].squeeze().values, op(t.to_dataset(name="t"))[existing].squeeze().values
    )
