"""nan_policy="omit" and mask=: gaps are domain boundaries, numpy and Dask alike."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import fieldops


def _holey(seed=0, shape=(30, 40), frac=0.1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 3, shape[0])
    x = np.cumsum(rng.uniform(0.5, 1.5, shape[1])) / 10
    data = np.sin(y)[:, None] * np.cos(x)[None, :]
    data[rng.random(shape) < frac] = np.nan
    return xr.DataArray(data.astype(dtype), dims=("y", "x"), coords={"y": y, "x": x})


@pytest.mark.parametrize("boundary", ["one_sided", "periodic", "mirror", "fill"])
@pytest.mark.parametrize("dim", ["y", "x"])
def test_valid_points_never_nan_because_of_a_neighbour(boundary, dim):
    f = _holey()
    period = {"x": 5.0} if (boundary == "periodic" and dim == "x") else None
    got = fieldops.diff(f, dim, nan_policy="omit", boundary=boundary, period=period)
    plain = fieldops.diff(f, dim, boundary=boundary, period=period)
    valid = f.notnull().values
    assert np.isnan(got.values[~valid]).all()
    # Where the plain result is defined, omit changes nothing ...
    ok = ~np.isnan(plain.values) & valid
    np.testing.assert_array_equal(got.values[ok], plain.values[ok])
    # ... and it recovers many of the points the plain result lost.
    recovered = np.isnan(plain.values) & ~np.isnan(got.values)
    assert recovered.sum() > 0.5 * (np.isnan(plain.values) & valid).sum()


@settings(max_examples=25, deadline=None)
@given(
    cy=st.integers(1, 12),
    cx=st.integers(1, 12),
    seed=st.integers(0, 50),
    accuracy=st.sampled_from([2, 4]),
    order=st.integers(1, 2),
    boundary=st.sampled_from(["one_sided", "periodic", "mirror", "fill"]),
)
def test_dask_equals_numpy(cy, cx, seed, accuracy, order, boundary):
    f = _holey(seed, frac=0.15)
    lazy = f.chunk({"y": cy, "x": cx})
    for dim in ("y", "x"):
        period = 5.0 if (boundary == "periodic" and dim == "x") else None
        kw = dict(accuracy=accuracy, nan_policy="omit", boundary=boundary, period=period)
        got = fieldops.diff(lazy, dim, order, **kw)
        assert got.chunks == lazy.chunks
        np.testing.assert_array_equal(got.values, fieldops.diff(f, dim, order, **kw).values)


def test_mask_equals_nan_at_masked_cells_and_is_lazy(no_compute):
    f = _holey(frac=0.0)
    mask = xr.DataArray(np.ones(f.shape, bool), dims=f.dims)
    mask[10:14, 5:20] = False
    nanned = f.where(mask)
    lazy = fieldops.diff(f.chunk({"y": 7}), "y", mask=mask)
    assert isinstance(lazy.data, dsa.Array)
    ref = fieldops.diff(nanned, "y", nan_policy="omit")
    import dask

    with dask.config.set(scheduler="sync"):
        np.testing.assert_array_equal(lazy.values, ref.values)


def test_float32_kept_and_exact_on_lines():
    x = np.arange(20.0)
    f = xr.DataArray((3 * x + 1).astype(np.float32), dims="x", coords={"x": x})
    f[[4, 9, 10]] = np.nan
    got = fieldops.diff(f, "x", nan_policy="omit", accuracy=4)
    assert got.dtype == np.float32
    valid = f.notnull().values
    np.testing.assert_allclose(got.values[valid], 3.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"nan_policy": "ignore"}, ValueError, "'propagate' or 'omit'"),
        ({"mask": np.ones((30, 40), bool)}, TypeError, "boolean xarray.DataArray"),
        ({"mask": xr.DataArray(np.ones(30), dims="y")}, TypeError, "boolean"),
        ({"mask": xr.DataArray(np.ones(5, bool), dims="z")}, ValueError, "'z'"),
        ({"mask": xr.DataArray(np.ones(5, bool), dims="y")}, ValueError, "5 points along 'y'"),
        (
            {"nan_policy": "omit", "method": "savgol", "window": "5 points"},
            ValueError,
            "finite_difference' only",
        ),
    ],
)
def test_bad_nan_options(kwargs, exc, message):
    with pytest.raises(exc, match=None) as info:
        fieldops.diff(_holey(), "y", **kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multi_output_omit_equals_its_one_dim_derivatives(dtype):
    # The slots are written in place into the stacked result: same numbers as
    # the derivatives one by one, for the gradient, the Laplacian's sum and a
    # vector field's Jacobian alike.
    f = _holey(3, dtype=dtype)
    d = {dim: fieldops.diff(f, dim, nan_policy="omit") for dim in f.dims}
    g = fieldops.grad(f, nan_policy="omit")
    assert g.dtype == dtype and g.values.flags.c_contiguous
    for k, dim in enumerate(f.dims):
        np.testing.assert_array_equal(g.values[k], d[dim].values)
    lap = fieldops.laplacian(f, nan_policy="omit")
    dd = sum(fieldops.diff(f, dim, order=2, nan_policy="omit") for dim in f.dims)
    np.testing.assert_array_equal(lap.values, dd.values)
    np.testing.assert_array_equal(g.values, fieldops.grad(f.chunk(7), nan_policy="omit").values)


def test_apply_along_writes_into_out_only_when_it_fits():
    from fieldops.stencils.dispatch import apply_along, stencil_for

    data = np.arange(12.0).reshape(3, 4) ** 2
    st = stencil_for(np.arange(4.0), 1, 2, "one_sided")
    expected = apply_along(data, 1, st)
    out = np.empty((3, 4))
    assert apply_along(data, 1, st, out=out) is out
    np.testing.assert_array_equal(out, expected)
    for bad in (np.empty((3, 4), np.float32), np.empty((4, 3)).T, np.empty((3, 5))):
        got = apply_along(data, 1, st, out=bad)
        assert got is not bad
        np.testing.assert_array_equal(got, expected)


def test_fortran_ordered_data():
    # The plain kernel hands back an F-ordered array for F-ordered input; the
    # gap fix-up used to refuse it ("result must be C-contiguous").
    f = _holey(5)
    ff = f.copy(data=np.asfortranarray(f.values))
    assert ff.values.flags.f_contiguous
    for dim in f.dims:
        np.testing.assert_array_equal(
            fieldops.diff(ff, dim, nan_policy="omit").values,
            fieldops.diff(f, dim, nan_policy="omit").values,
        )


def test_mask_with_other_labels_is_refused_not_read_out_of_bounds():
    # Same sizes, other labels: xarray's inner join would shrink the field under
    # a kernel told its old length (garbage, a segfault on large arrays).
    x = np.arange(10.0)
    da = xr.DataArray(x**2, dims="x", coords={"x": x})
    shifted = xr.DataArray(np.ones(10, bool), dims="x", coords={"x": x + 0.5})
    with pytest.raises(ValueError, match="labels along 'x'"):
        fieldops.diff(da, "x", mask=shifted)
    with pytest.raises(ValueError, match="labels along 'x'"):
        fieldops.diff(da.to_dataset(name="t"), "x", mask=shifted)


def test_mask_is_aligned_by_label_not_position():
    f = _holey(frac=0.0)
    mask = xr.DataArray(np.ones(f.shape, bool), dims=f.dims, coords=f.coords)
    mask[:12, 5:20] = False
    ref = fieldops.diff(f.where(mask), "y", nan_policy="omit")
    flipped = mask.isel(y=slice(None, None, -1), x=slice(None, None, -1))
    got = fieldops.diff(f, "y", mask=flipped)
    np.testing.assert_array_equal(got.values, ref.values)
    xr.testing.assert_identical(got.x, f.x)  # the result keeps the data's coordinates


def test_mask_chunked_otherwise_keeps_the_data_chunks():
    f = _holey(frac=0.0)
    mask = xr.DataArray(np.ones(f.shape, bool), dims=f.dims, coords=f.coords)
    mask[10:14, 5:20] = False
    lazy = f.chunk({"y": 7, "x": 9})
    for chunked in (mask.chunk({"y": 4, "x": 13}), mask.isel(y=slice(None, None, -1)).chunk(5)):
        got = fieldops.diff(lazy, "y", mask=chunked)
        assert got.chunks == lazy.chunks
        np.testing.assert_array_equal(got.values, fieldops.diff(f, "y", mask=mask).values)


def test_kernels_refuse_arrays_of_another_length():
    # The last line of defence of item 1: a kernel told n never reads a shorter array.
    from fieldops.stencils.dispatch import apply_along, stencil_for

    st = stencil_for(np.arange(10.0), 1, 2, "one_sided")
    for data in (np.zeros(7), dsa.zeros(7, chunks=3)):
        with pytest.raises(ValueError, match="7 points, but the stencil was built for 10"):
            apply_along(data, 0, st)
