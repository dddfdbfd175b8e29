"""Dask: lazy, same chunks, and the same numbers as numpy for every chunking."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import fieldops
from fieldops.stencils.weights import BOUNDARY_MODES


def _chunking(draw, n):
    """Random chunk sizes summing to n, size-1 chunks likely."""
    sizes = []
    left = n
    while left:
        s = draw(st.integers(1, min(left, max(1, n // 2))))
        sizes.append(s)
        left -= s
    return tuple(sizes)


@st.composite
def chunked_case(draw):
    ny = draw(st.integers(9, 20))
    nx = draw(st.integers(9, 20))
    return ny, nx, _chunking(draw, ny), _chunking(draw, nx)


@settings(max_examples=40, deadline=None)
@given(
    case=chunked_case(),
    dim=st.sampled_from(["y", "x"]),
    order=st.integers(1, 3),
    accuracy=st.sampled_from([2, 4]),
    boundary=st.sampled_from(BOUNDARY_MODES),
    nonuniform=st.booleans(),
)
def test_dask_equals_numpy_for_random_chunkings(case, dim, order, accuracy, boundary, nonuniform):
    ny, nx, cy, cx = case
    rng = np.random.default_rng(ny * 100 + nx)
    y = np.cumsum(rng.uniform(0.5, 1.5, ny)) if nonuniform else np.arange(ny) * 0.3
    data = rng.normal(size=(ny, nx))
    coords = {"y": y, "x": np.arange(nx) * 2.0}
    eager = xr.DataArray(data, dims=("y", "x"), coords=coords)
    lazy = xr.DataArray(dsa.from_array(data, chunks=(cy, cx)), dims=("y", "x"), coords=coords)
    period = float(y[-1] - y[0]) * 1.2 if (nonuniform and dim == "y") else None
    kw = dict(accuracy=accuracy, boundary=boundary, period=period)
    ref = fieldops.diff(eager, dim, order, **kw)
    got = fieldops.diff(lazy, dim, order, **kw)
    assert got.chunks == lazy.chunks
    np.testing.assert_array_equal(got.values, ref.values)


def test_call_computes_nothing(no_compute):
    data = dsa.random.random((40, 30), chunks=(7, 30))
    lazy = xr.DataArray(data, dims=("y", "x"), name="t")
    for dim in ("y", "x"):
        for boundary in BOUNDARY_MODES:
            out = fieldops.diff(lazy, dim, 2, accuracy=4, boundary=boundary)
            assert isinstance(out.data, dsa.Array)
            assert out.chunks == lazy.chunks
    ds = lazy.to_dataset()
    assert isinstance(fieldops.diff(ds, "y")["dt_dy"].data, dsa.Array)


def test_one_chunk_axis_needs_no_halo_layer():
    data = dsa.ones((50, 40), chunks=(10, 40))
    out = fieldops.diff(xr.DataArray(data, dims=("y", "x")), "x")
    # The input layer plus one map_blocks layer, nothing else.
    assert len(out.data.dask.layers) == 2


def test_narrow_chunks_are_fixed_and_restored():
    data = np.random.default_rng(0).normal(size=(30, 5))
    lazy = xr.DataArray(dsa.from_array(data, chunks=(1, 5)), dims=("y", "x"))
    got = fieldops.diff(lazy, "y", accuracy=8)
    assert got.chunks == lazy.chunks
    np.testing.assert_array_equal(got.values, fieldops.diff(lazy.compute(), "y", accuracy=8).values)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_dask_dtype(dtype):
    lazy = xr.DataArray(dsa.ones((20, 20), chunks=5, dtype=dtype), dims=("y", "x"))
    out = fieldops.diff(lazy, "x")
    expected = np.float32 if dtype == np.float32 else np.float64
    assert out.dtype == expected
    assert out.compute().dtype == expected
