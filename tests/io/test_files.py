"""Files: storage-aligned lazy opening, multi-file, atomic streaming writes."""

from __future__ import annotations

import functools

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.io import aligned_chunks, open_dataset, process, storage_chunks, write


def _open(path):
    if path.suffix == ".zarr":
        return xr.open_dataset(path, engine="zarr", consolidated=False)
    return xr.open_dataset(path, engine="netcdf4")


def _field(nt=6, ny=20, nx=30, seed=0):
    rng = np.random.default_rng(seed)
    return xr.Dataset(
        {
            "t": (("time", "y", "x"), rng.normal(size=(nt, ny, nx)), {"units": "K"}),
            "q": (("time", "y", "x"), rng.normal(size=(nt, ny, nx)).astype(np.float32)),
        },
        coords={
            "time": np.arange(nt) * 3600.0,
            "y": np.cumsum(rng.uniform(0.5, 1.5, ny)),
            "x": xr.DataArray(np.arange(nx) * 2.0, dims="x", attrs={"units": "m"}),
        },
        attrs={"title": "test"},
    )


@pytest.fixture
def nc_file(tmp_path):
    ds = _field()
    path = tmp_path / "in.nc"
    enc = {v: {"chunksizes": (1, 10, 30)} for v in ds.data_vars}
    ds.to_netcdf(path, engine="netcdf4", encoding=enc)
    return path, ds


def test_storage_chunks_are_read_and_respected(nc_file):
    path, ref = nc_file
    ds = open_dataset(path, chunks="storage")
    assert storage_chunks(ds.t) == {"time": 1, "y": 10, "x": 30}
    assert ds.t.chunks == ((1,) * 6, (10, 10), (30,))
    xr.testing.assert_identical(ds.load(), ref)


def test_auto_chunks_are_whole_multiples_and_keep_dims_whole(nc_file):
    path, _ = nc_file
    # Room for 2 storage chunks: y (the dim to differentiate) grows first.
    ds = open_dataset(path, dims=["y"], target_chunk_bytes=2 * 10 * 30 * 8)
    assert ds.t.chunks == ((1,) * 6, (20,), (30,))
    ds = open_dataset(path, target_chunk_bytes=4 * 10 * 30 * 8)
    assert ds.t.chunks == ((2, 2, 2), (20,), (30,))
    for c in ds.t.chunks[0]:
        assert c % 1 == 0
    ds = open_dataset(path, chunks={"time": 3})
    assert ds.t.chunks[0] == (3, 3)


def test_aligned_chunks_never_split_a_storage_chunk():
    sizes = {"time": 100, "lat": 181, "lon": 360}
    storage = {"time": 7, "lat": 50, "lon": 360}
    for target in (1, 10**5, 10**6, 10**7, 10**9):
        got = aligned_chunks(sizes, storage, 8, dims=["lat"], target_bytes=target)
        for d in sizes:
            assert got[d] == sizes[d] or got[d] % storage[d] == 0
        assert 8 * np.prod(list(got.values())) <= max(target, 8 * 7 * 50 * 360)
    with pytest.raises(ValueError, match="not among the dims"):
        aligned_chunks(sizes, storage, 8, dims=["z"])


def test_open_is_lazy(nc_file, no_compute):
    path, _ = nc_file
    ds = open_dataset(path, variables=["t"], dims=["x"])
    assert list(ds.data_vars) == ["t"]
    assert isinstance(ds.t.data, dsa.Array)
    out = fieldops.diff(ds, "x")
    assert isinstance(out.dt_dx.data, dsa.Array)


@pytest.fixture
def stores(tmp_path):
    ds = _field(nt=4)
    ds.chunk({"time": 1}).to_zarr(tmp_path / "a.zarr", consolidated=False)
    for k in range(2):
        ds.isel(time=slice(2 * k, 2 * k + 2)).to_netcdf(tmp_path / f"p{k}.nc", engine="netcdf4")
    return [tmp_path / "a.zarr", str(tmp_path / "p*.nc")]


def test_open_is_lazy_for_zarr_and_several_files(stores, no_compute):
    for spec in stores:
        got = open_dataset(spec, dims=["y"])
        assert all(isinstance(v.data, dsa.Array) for v in got.data_vars.values())
        assert isinstance(fieldops.diff(got, "y").dt_dy.data, dsa.Array)


def test_multi_file_and_glob(tmp_path):
    ds = _field(nt=9)
    paths = []
    for k in range(3):
        p = tmp_path / f"part_{k}.nc"
        ds.isel(time=slice(3 * k, 3 * k + 3)).to_netcdf(p, engine="netcdf4")
        paths.append(p)
    for spec in (paths, str(tmp_path / "part_*.nc")):
        got = open_dataset(spec, variables=["t"], dims=["time"])
        assert got.t.chunks[0] == (3, 3, 3)
        xr.testing.assert_allclose(got.t.load(), ds.t)
    nested = open_dataset(paths, concat_dim="time", variables=["t"])
    xr.testing.assert_allclose(nested.t.load(), ds.t)
    # Across files the halo exchange gives the single-file answer.
    d = fieldops.diff(open_dataset(paths, variables=["t"]), "time").dt_dtime
    np.testing.assert_array_equal(d.values, fieldops.diff(ds.t, "time").values)


def test_zarr_in_and_out(tmp_path):
    ds = _field()
    src = tmp_path / "in.zarr"
    ds.chunk({"time": 2, "y": 5}).to_zarr(src, consolidated=False)
    got = open_dataset(src, chunks="storage")
    assert got.t.chunks == ((2, 2, 2), (5,) * 4, (30,))
    op = functools.partial(fieldops.diff, dim="y", accuracy=4)
    out = process(src, op, output=tmp_path / "out.zarr", dims=["y"], chunks="storage")
    res = xr.open_zarr(out, consolidated=False)
    np.testing.assert_array_equal(res.dt_dy.values, fieldops.diff(ds.t, "y", accuracy=4).values)
    assert "derivative" in res.dt_dy.attrs["long_name"]
    assert res.dq_dy.dtype == np.float32


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_process_equals_in_memory(nc_file, tmp_path, suffix):
    path, ref = nc_file
    op = functools.partial(fieldops.diff, dim="x", boundary="periodic")
    out = process(path, op, output=tmp_path / f"out{suffix}", variables=["t"], chunks="storage")
    with _open(out) as res:
        expected = fieldops.diff(ref[["t"]], "x", boundary="periodic")
        history = res.attrs.pop("history")
        xr.testing.assert_identical(res.load(), expected)
    assert history.endswith("fieldops.process diff(dim='x', boundary='periodic') on in.nc")


def _poison(block, block_id=None):
    if block_id[0] == 3:  # the others are written first
        raise RuntimeError("boom in a chunk")
    return block


def _failing_operator(ds):
    out = fieldops.diff(ds, "y")
    bad = out.dt_dy.data.map_blocks(_poison, dtype=out.dt_dy.dtype)
    return out.assign(dt_dy=(out.dt_dy.dims, bad))


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_failed_write_leaves_nothing(nc_file, tmp_path, suffix):
    path, _ = nc_file
    target = tmp_path / "out" / f"res{suffix}"
    target.parent.mkdir()
    with pytest.raises(RuntimeError, match="boom"):
        process(path, _failing_operator, output=target, variables=["t"], chunks="storage")
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_failed_overwrite_keeps_the_old_output(nc_file, tmp_path, suffix):
    path, ref = nc_file
    target = tmp_path / f"res{suffix}"
    write(ref, target)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write(ref, target)
    with pytest.raises(RuntimeError, match="boom"):
        process(
            path,
            _failing_operator,
            output=target,
            variables=["t"],
            chunks="storage",
            overwrite=True,
        )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with _open(target) as back:
        xr.testing.assert_identical(back.load(), ref)
    write(ref.t * 2, target, overwrite=True)
    with _open(target) as back:
        np.testing.assert_array_equal(back.t.values, ref.t.values * 2)


def test_bad_input(nc_file, tmp_path):
    path, ref = nc_file
    with pytest.raises(FileNotFoundError, match="no such file"):
        open_dataset(tmp_path / "missing.nc")
    with pytest.raises(FileNotFoundError, match="no file matches"):
        open_dataset(str(tmp_path / "nothing_*.nc"))
    with pytest.raises(ValueError, match=r"variable\(s\) \['w'\].*data variables"):
        open_dataset(path, variables=["w"])
    with pytest.raises(ValueError, match=r"dim\(s\) \['z'\]"):
        open_dataset(path, dims=["z"])
    with pytest.raises(ValueError, match="chunks must be"):
        open_dataset(path, chunks="big")
    with pytest.raises(TypeError, match="must return a Dataset"):
        process(path, lambda ds: 3, output=tmp_path / "o.nc")
    with pytest.raises(TypeError, match="callable"):
        process(path, "diff", output=tmp_path / "o.nc")
    with pytest.raises(ValueError, match="needs a name"):
        write(xr.DataArray([1.0]), tmp_path / "o.nc")
    with pytest.raises(FileNotFoundError, match="output folder"):
        write(ref, tmp_path / "no" / "o.nc")
    assert not (tmp_path / "o.nc").exists()
