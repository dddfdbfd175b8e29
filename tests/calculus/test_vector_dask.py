"""Vector operators on Dask: lazy, the input's chunks, one layer, numpy's numbers."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from hypothesis import assume, given, settings
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


def _vector(f, dims):
    """A smooth-ish vector field with a component along each of dims."""
    comps = [f * (i + 1) + np.cos(f) * i for i in range(len(dims))]
    return xr.concat(comps, dim="component").assign_coords(component=list(dims))


def _ops(kw, dims):
    d2 = dims[-2:]
    return {
        "grad": lambda f: fieldops.grad(f, dims, **kw),
        "laplacian": lambda f: fieldops.laplacian(f, dims, **kw),
        "hessian": lambda f: fieldops.hessian(f, dims, **kw),
        "directional": lambda f: fieldops.directional(f, dict(zip(dims, [1.0, -2.0, 0.5])), **kw),
        "critical_points": lambda f: fieldops.critical_points(f, dims, **kw),
        "diffuse": lambda f: fieldops.diffuse(f, 0.01, 2, dims, **kw),
        "div": lambda f: fieldops.div(_vector(f, dims), **kw),
        "curl": lambda f: fieldops.curl(_vector(f, dims), **kw),
        "curl2d": lambda f: fieldops.curl(_vector(f, dims), d2, **_sub(kw, d2)),
        "jacobian": lambda f: fieldops.jacobian(_vector(f, d2), dims, **kw),
        "jacobian_determinant": lambda f: fieldops.jacobian_determinant(_vector(f, dims), **kw),
        "strain_rate": lambda f: fieldops.strain_rate(_vector(f, dims), **kw),
        "rotation_rate": lambda f: fieldops.rotation_rate(_vector(f, dims), **kw),
        "norm": lambda f: fieldops.norm(_vector(f, dims)),
    }


def _sub(kw, dims):
    period = kw.get("period")
    if isinstance(period, dict):
        return {**kw, "period": {d: p for d, p in period.items() if d in dims}}
    return kw


OPS = list(_ops({}, ["z", "y", "x"]))


@st.composite
def chunked_case(draw):
    nz = draw(st.integers(5, 8))
    ny = draw(st.integers(5, 10))
    nx = draw(st.integers(5, 10))
    nt = draw(st.integers(1, 2))
    chunks = (_chunking(draw, nt), _chunking(draw, nz), _chunking(draw, ny), _chunking(draw, nx))
    return (nt, nz, ny, nx), chunks


@pytest.mark.parametrize("op", OPS)
@settings(max_examples=3, deadline=None)
@given(
    case=chunked_case(),
    accuracy=st.sampled_from([2, 4]),
    boundary=st.sampled_from(BOUNDARY_MODES),
    nonuniform=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_dask_equals_numpy_for_random_chunkings(case, op, accuracy, boundary, nonuniform, seed):
    shape, chunks = case
    rng = np.random.default_rng(seed)
    nt, nz, ny, nx = shape
    y = np.cumsum(rng.uniform(0.5, 1.5, ny)) if nonuniform else np.arange(ny) * 0.3
    coords = {"z": np.arange(nz) * 0.5, "y": y, "x": np.arange(nx) * 0.7}
    data = rng.normal(size=shape)
    dims = ("t", "z", "y", "x")
    eager = xr.DataArray(data, dims=dims, coords=coords, name="f")
    lazy = xr.DataArray(dsa.from_array(data, chunks=chunks), dims=dims, coords=coords, name="f")
    assume(min(nz, ny, nx) >= accuracy + 3)  # nonuniform second derivatives need this many
    period = {"y": float(y[-1] - y[0]) * 1.3} if nonuniform and boundary == "periodic" else None
    kw = dict(accuracy=accuracy, boundary=boundary, period=period)
    func = _ops(kw, ["z", "y", "x"])[op]
    ref = func(eager)
    got = func(lazy)
    assert isinstance(got.data, dsa.Array)
    assert got.chunks[-3:] == lazy.chunks[-3:]
    np.testing.assert_array_equal(got.values, ref.values)


def _lazy(shape=(4, 20, 24), chunks=(1, 7, 9)):
    data = dsa.random.random(shape, chunks=chunks)
    return xr.DataArray(data, dims=("z", "y", "x"), name="t", attrs={"units": "K"})


@pytest.mark.parametrize("op", OPS)
def test_calls_compute_nothing(op, no_compute):
    f = _lazy()
    out = _ops({"accuracy": 2, "boundary": "periodic"}, ["z", "y", "x"])[op](f)
    assert isinstance(out.data, dsa.Array)
    assert out.chunks[-3:] == f.chunks


def test_dataset_inputs_compute_nothing(no_compute):
    f = _lazy()
    ds = xr.Dataset({"u": f, "v": f * 2, "w": f + 1})
    comps = {"z": "w", "y": "v", "x": "u"}
    for op in (fieldops.div, fieldops.curl, fieldops.jacobian, fieldops.strain_rate):
        assert isinstance(op(ds, components=comps).data, dsa.Array)
    assert isinstance(fieldops.norm(ds, components=comps).data, dsa.Array)
    assert isinstance(fieldops.grad(ds)["grad_u"].data, dsa.Array)
    assert isinstance(fieldops.critical_points(ds)["critical_v"].data, dsa.Array)


def _layers(arr):
    return [k for k in arr.dask.layers if "block_fn" in k or "fused" in k]


def test_one_layer_per_operator():
    f = _lazy(chunks=(4, 20, 24))  # one chunk along every differentiated axis: no halo
    for op in (fieldops.grad, fieldops.laplacian, fieldops.hessian):
        out = op(f)
        # the input layer and one map_blocks layer, nothing else
        assert len(out.data.dask.layers) == 2, list(out.data.dask.layers)
    F = fieldops.grad(f).persist()
    for op in (fieldops.div, fieldops.curl, fieldops.jacobian):
        assert len(op(F).data.dask.layers) == 2
    split = _lazy(chunks=(1, 7, 9))
    out = fieldops.hessian(split)
    names = list(out.data.dask.layers)
    assert sum(n.startswith("block_fn") for n in names) == 1, names
    assert out.chunks[-3:] == split.chunks


def test_narrow_chunks_are_fixed_and_restored():
    data = np.random.default_rng(0).normal(size=(12, 30))
    lazy = xr.DataArray(dsa.from_array(data, chunks=(1, 2)), dims=("y", "x"))
    got = fieldops.hessian(lazy, accuracy=6)
    assert got.chunks[-2:] == lazy.chunks
    ref = fieldops.hessian(lazy.compute(), accuracy=6)
    np.testing.assert_array_equal(got.values, ref.values)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_dask_dtype(dtype):
    lazy = xr.DataArray(dsa.ones((12, 12), chunks=5, dtype=dtype), dims=("y", "x"))
    expected = np.float32 if dtype == np.float32 else np.float64
    for op in (fieldops.grad, fieldops.laplacian, fieldops.hessian):
        out = op(lazy)
        assert out.dtype == expected
        assert out.compute().dtype == expected
