"""dask.distributed: worker processes, Numba cache, killed workers, file output."""

from __future__ import annotations

import functools
import os
import pickle
import signal
import sys
import time

import cloudpickle
import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.stencils import kernels
from fieldops.stencils.weights import BOUNDARY_MODES

distributed = pytest.importorskip("distributed")

# Workers cannot import this test module: ship its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _cluster(cache_dir):
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        env={"NUMBA_CACHE_DIR": str(cache_dir)},
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cache = tmp_path_factory.mktemp("numba-cache")
    with _cluster(cache) as cluster, distributed.Client(cluster) as c:
        c.numba_cache = cache
        yield c


def _field(seed=0, shape=(6, 40, 50)):
    rng = np.random.default_rng(seed)
    coords = {"y": np.cumsum(rng.uniform(0.5, 1.5, shape[1])), "x": np.arange(shape[2]) * 0.1}
    return xr.DataArray(rng.normal(size=shape), dims=("t", "y", "x"), coords=coords, name="f")


def _numba_cache_dir():
    import numba

    return numba.config.CACHE_DIR


def _fieldops_file():
    import fieldops

    return fieldops.__file__


def test_workers_are_processes_with_this_fieldops_and_a_fresh_cache(client):
    pids = client.run(os.getpid)
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    assert set(client.run(_fieldops_file).values()) == {fieldops.__file__}
    assert set(client.run(_numba_cache_dir).values()) == {str(client.numba_cache)}


@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
def test_cluster_equals_numpy(client, boundary):
    eager = _field()
    lazy = eager.chunk({"t": 3, "y": 7, "x": 11})
    for dim, order in (("y", 1), ("x", 2), ("t", 1)):
        kw = dict(accuracy=4 if dim != "t" else 2, boundary=boundary, period=60.0)
        expected = fieldops.diff(eager, dim, order, **kw)
        got = fieldops.diff(lazy, dim, order, **kw)
        np.testing.assert_array_equal(client.compute(got.data).result(), expected.values)


def test_numba_cache_shared_by_processes(client):
    # Both workers compiled into the same fresh cache dir at once (previous
    # tests); after a restart they load from it and still agree with numpy.
    assert any(client.numba_cache.rglob("*.nbi"))
    client.restart()
    eager = _field(seed=1)
    got = fieldops.diff(eager.chunk({"y": 9}), "y", accuracy=6)
    np.testing.assert_array_equal(
        client.compute(got.data).result(), fieldops.diff(eager, "y", accuracy=6).values
    )


def test_kernels_stencils_and_graphs_pickle():
    for fn in (kernels.interior_inner_axis, kernels.interior_last_axis, kernels.edge_rows):
        assert pickle.loads(pickle.dumps(fn)) is fn
    lazy = _field().chunk({"y": 7})
    out = fieldops.diff(lazy, "y", boundary="periodic", period=60.0).data
    graph = dict(out.__dask_graph__())
    again = pickle.loads(cloudpickle.dumps(graph))
    assert again.keys() == graph.keys()


def test_process_on_the_cluster(client, tmp_path):
    eager = _field(seed=2)
    src = tmp_path / "in.nc"
    eager.to_dataset().to_netcdf(src, engine="netcdf4", encoding={"f": {"chunksizes": (1, 40, 50)}})
    op = functools.partial(fieldops.diff, dim="x", accuracy=4)
    for name in ("out.nc", "out.zarr"):
        out = fieldops.process(src, op, output=tmp_path / name, dims=["x"], chunks="storage")
        engine = dict(engine="zarr", consolidated=False) if name.endswith("zarr") else {}
        with xr.open_dataset(out, **engine) as res:
            np.testing.assert_array_equal(
                res.df_dx.values, fieldops.diff(eager, "x", accuracy=4).values
            )


def _slow(block):
    time.sleep(0.15)
    return block


def test_killed_worker_does_not_change_the_result(tmp_path):
    eager = _field(seed=3, shape=(8, 60, 40))
    # 32 slow input blocks, so the computation is in full swing when a worker dies.
    lazy = xr.DataArray(
        dsa.from_array(eager.values, chunks=(2, 15, 20)).map_blocks(_slow),
        dims=eager.dims,
        coords=eager.coords,
    )
    got = fieldops.diff(lazy, "y", accuracy=4)
    expected = fieldops.diff(eager, "y", accuracy=4).values
    with _cluster(tmp_path) as cluster, distributed.Client(cluster) as c:
        future = c.compute(got.data)
        deadline = time.monotonic() + 30
        while not any(c.processing().values()):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.3)
        pids = c.run(os.getpid)
        busy = [w for w, keys in c.processing().items() if keys] or list(pids)
        assert future.status == "pending"
        os.kill(pids[busy[0]], signal.SIGKILL)
        result = future.result(timeout=120)
        np.testing.assert_array_equal(result, expected)
        # The nanny started a new process in place of the killed one.
        c.wait_for_workers(2, timeout=30)
        assert pids[busy[0]] not in c.run(os.getpid).values()
