"""Dask graphs: layers, task counts, no rechunk, serial kernels inside tasks."""

from __future__ import annotations

import dask
import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import fieldops
import fieldops.core
import fieldops.stencils.apply as apply_mod
from fieldops.stencils.weights import BOUNDARY_MODES


def _lazy(shape, chunks, dims=("t", "y", "x"), seed=0):
    data = np.random.default_rng(seed).normal(size=shape)
    coords = {"y": np.cumsum(np.random.default_rng(seed + 1).uniform(0.5, 1.5, shape[1]))}
    eager = xr.DataArray(data, dims=dims, coords=coords, name="f")
    return eager, eager.chunk(dict(zip(dims, chunks)))


def _layers(arr):
    return {
        name.split("-")[0] + ("-halo" if "-halo-" in name else ""): len(layer)
        for name, layer in arr.dask.layers.items()
    }


def test_one_chunk_axis_is_one_blockwise_layer():
    _, lazy = _lazy((4, 30, 40), (2, 10, 40))
    out = fieldops.diff(lazy, "x", accuracy=6).data
    assert len(out.dask.layers) == 2
    assert sum(len(v) for v in out.dask.layers.values()) == 2 * lazy.data.npartitions


@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
def test_split_axis_is_one_halo_and_one_operator_layer(boundary):
    _, lazy = _lazy((4, 30, 40), (2, 10, 20))
    out = fieldops.diff(lazy, "y", boundary=boundary, period=100.0).data
    assert len(out.dask.layers) == 3
    names = list(out.dask.layers)
    halo = [n for n in names if n.startswith("fieldops-halo-")]
    assert len(halo) == 1
    nblocks = lazy.data.npartitions
    op = out.dask.layers[out.name]
    assert len(op) == nblocks
    # One task per block holding both of its slabs; non-periodic ends have an empty side.
    slabs = out.dask.layers[halo[0]]
    assert len(slabs) == nblocks
    assert not slabs.is_materialized()
    pairs = dask.get(dict(out.dask), list(slabs.get_output_keys()))
    empty = sum(side is None for pair in pairs for side in pair)
    assert empty == (0 if boundary == "periodic" else 2 * (nblocks // 3))
    assert not any("rechunk" in n or "overlap" in n for n in names)


def test_task_count_is_proportional_to_chunks():
    counts = []
    for nchunks in (4, 8, 16, 32):
        x = dsa.zeros((64, 64), chunks=(64 // nchunks, 64))
        out = fieldops.core.apply_along(
            x, 0, fieldops.core.stencil_for(np.arange(64.0), 1, 4, "one_sided")
        )
        counts.append(len(dict(out.__dask_graph__())))
    per_chunk = [c / n for c, n in zip(counts, (4, 8, 16, 32))]
    assert max(per_chunk) <= 4
    assert np.ptp(per_chunk) < 0.6


@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
def test_chunks_narrower_than_the_halo_need_no_rechunk(boundary):
    eager, lazy = _lazy((3, 40, 5), (3, 1, 5))
    kw = dict(accuracy=8, boundary=boundary, period=200.0)
    out = fieldops.diff(lazy, "y", 2, **kw)
    assert out.chunks == lazy.chunks
    assert not any("rechunk" in n for n in out.data.dask.layers)
    assert len(out.data.dask.layers) == 3
    np.testing.assert_array_equal(out.values, fieldops.diff(eager, "y", 2, **kw).values)


@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
@pytest.mark.parametrize("dim", ["t", "y", "x"])
def test_large_blocks_equal_numpy(dim, boundary):
    # Blocks long enough that their inside rows are computed in place.
    eager, lazy = _lazy((24, 40, 36), (7, 13, 17))
    kw = dict(accuracy=4, boundary=boundary, period=100.0 if dim == "y" else None)
    for order in (1, 2):
        got = fieldops.diff(lazy, dim, order, **kw)
        np.testing.assert_array_equal(got.values, fieldops.diff(eager, dim, order, **kw).values)


def test_float32_and_fortran_blocks():
    data = np.asfortranarray(np.random.default_rng(3).normal(size=(30, 40)).astype(np.float32))
    lazy = dsa.from_array(data, chunks=(11, 13))
    st = fieldops.core.stencil_for(np.arange(30.0), 1, 2, "one_sided")
    got = fieldops.core.apply_along(lazy, 0, st)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.compute(), fieldops.core.apply_along(data, 0, st))


def test_kernels_run_serially_inside_tasks(monkeypatch):
    """No nested parallelism: threads=1 reaches every call, the pool is never used."""
    calls = []
    real = apply_mod.apply_stencil

    def spy(*args, **kwargs):
        calls.append(kwargs.get("threads"))
        return real(*args, **kwargs)

    def no_pool():
        raise AssertionError("the fieldops thread pool was used inside a Dask task")

    fieldops.set_num_threads(2)
    # Blocks well above the size at which in-memory calls go parallel.
    n = apply_mod._MIN_PARALLEL_SIZE
    eager, lazy = _lazy((4, 512, n // 256), (4, 256, n // 256))
    expected = {dim: fieldops.diff(eager, dim).values for dim in ("y", "x")}
    monkeypatch.setattr(fieldops.core, "apply_stencil", spy)
    monkeypatch.setattr(apply_mod, "_get_pool", no_pool)
    with dask.config.set(scheduler="threads", num_workers=2):
        for dim in ("y", "x"):
            got = fieldops.diff(lazy, dim).values
            assert calls and set(calls) == {1}
            calls.clear()
            np.testing.assert_array_equal(got, expected[dim])


def test_in_memory_calls_may_use_threads(monkeypatch):
    used = []
    real = apply_mod._get_pool

    def pool():
        used.append(True)
        return real()

    monkeypatch.setattr(apply_mod, "_get_pool", pool)
    fieldops.set_num_threads(2)
    eager, _ = _lazy((4, 512, 256), (4, 512, 256))
    fieldops.diff(eager, "y")
    assert used


def test_graph_is_built_without_computing(no_compute):
    _, lazy = _lazy((12, 30, 20), (2, 4, 5))
    for dim in ("t", "y", "x"):
        for boundary in BOUNDARY_MODES:
            out = fieldops.diff(lazy, dim, 3, accuracy=6, boundary=boundary, period=99.0)
            assert isinstance(out.data, dsa.Array)
            out.data.__dask_graph__()  # materialising the graph computes nothing either


def test_read_only_blocks_share_the_kernels_specialisation():
    """Blocks that arrive read-only (from another worker) compile nothing new."""
    from fieldops.stencils import kernels

    st = fieldops.core.stencil_for(np.arange(40.0), 1, 2, "one_sided")
    data = np.random.default_rng(5).normal(size=(6, 40, 8))
    fieldops.core.apply_along(data, 1, st)
    before = {k: len(k.signatures) for k in (kernels.interior_inner_axis, kernels.edge_rows)}
    frozen = data.copy()
    frozen.flags.writeable = False
    np.testing.assert_array_equal(
        fieldops.core.apply_along(frozen, 1, st), fieldops.core.apply_along(data, 1, st)
    )
    assert {k: len(k.signatures) for k in before} == before


@st.composite
def _long_case(draw):
    n = draw(st.integers(12, 70))
    sizes, left = [], n
    while left:
        s = draw(st.integers(1, left))
        sizes.append(s)
        left -= s
    return n, tuple(sizes)


@settings(max_examples=40, deadline=None)
@given(
    case=_long_case(),
    order=st.integers(1, 3),
    accuracy=st.sampled_from([2, 4, 6]),
    boundary=st.sampled_from(BOUNDARY_MODES),
    axis=st.integers(0, 1),
)
def test_random_long_chunkings_equal_numpy(case, order, accuracy, boundary, axis):
    """Chunks from 1 row to the whole axis: both the joined and the in-place paths."""
    n, sizes = case
    rng = np.random.default_rng(n)
    coord = np.cumsum(rng.uniform(0.5, 1.5, n))
    data = rng.normal(size=(n, 5) if axis == 0 else (3, n))
    try:
        stn = fieldops.core.stencil_for(coord, order, accuracy, boundary, period=2.0 * n)
    except ValueError:
        return  # too few points for this stencil: covered by the bad-input tests
    chunks = (sizes, 5) if axis == 0 else (3, sizes)
    lazy = dsa.from_array(data, chunks=chunks)
    got = fieldops.core.apply_along(lazy, axis, stn)
    assert got.chunks == lazy.chunks
    np.testing.assert_array_equal(got.compute(), fieldops.core.apply_along(data, axis, stn))


# -- spherical operators at scale (graphs only, never computed) -------------------


def _global(shape, chunks, dtype=np.float32):
    lat = np.linspace(-90, 90, shape[1])
    lon = np.arange(shape[2]) * 360.0 / shape[2]
    data = dsa.zeros(shape, chunks=chunks, dtype=dtype)
    return xr.DataArray(
        data, dims=("time", "lat", "lon"), coords={"lat": lat, "lon": lon}, name="f"
    )


_SPHERE_OPS = {
    "grad": lambda f: fieldops.grad(f, dims=["lat", "lon"]),
    "laplacian": lambda f: fieldops.laplacian(f, dims=["lat", "lon"]),
    "vorticity": lambda f: fieldops.vorticity(f.rename("u"), (f + 1).rename("v")),
    "divergence": lambda f: fieldops.divergence(f.rename("u"), (f + 1).rename("v")),
}


@pytest.mark.parametrize("op", list(_SPHERE_OPS))
def test_spherical_graphs_are_lazy_layers_with_few_tasks_per_chunk(op, no_compute):
    # 8760 x 2160 x 4320 float32 (a year of hourly 1/12-degree fields, 327 GB) in
    # 24 x 1080 x 1080 chunks: pole rows in both latitude chunks, longitude split.
    f = _global((8760, 2160, 4320), (24, 1080, 1080))
    out = _SPHERE_OPS[op](f).data
    graph = out.__dask_graph__()
    for name, layer in graph.layers.items():
        # Blockwise or the halo layer: nothing materialised while the graph is built.
        assert type(layer).__name__ in ("Blockwise", "HaloLayer"), (name, type(layer))
        assert not layer.is_materialized(), name
    nchunks = f.data.npartitions
    assert len(dict(graph)) <= 10 * nchunks


@pytest.mark.parametrize("op", list(_SPHERE_OPS))
def test_spherical_graphs_stay_lazy_with_all_dims(op):
    # With the time dim differentiated too (grad/laplacian over every dim).
    f = _global((96, 90, 180), (24, 45, 45))
    if op == "grad":
        out = fieldops.grad(f, dims=["time", "lat", "lon"]).data
    elif op == "laplacian":
        # A Laplacian adds its terms: the third dim must be a length too (issue 13 item 3)
        height = xr.DataArray(np.arange(96.0), dims="height", attrs={"units": "m"})
        f = f.rename(time="height").assign_coords(height=height)
        out = fieldops.laplacian(f, dims=["height", "lat", "lon"]).data
    else:
        out = _SPHERE_OPS[op](f).data
    assert {type(layer).__name__ for layer in out.dask.layers.values()} <= {
        "Blockwise",
        "HaloLayer",
    }
    assert len(dict(out.__dask_graph__())) <= 10 * f.data.npartitions
