"""Files, round 2: overwrite never destroys inputs or foreign folders, no write race,
honest scheduler errors, attributes through process, URLs, engines and GRIB."""

from __future__ import annotations

import functools
import sys
import warnings

import dask
import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.io import ChunkDimError, open_dataset, process, write


def _field(nt=4, ny=10, nx=12):
    rng = np.random.default_rng(1)
    return xr.Dataset(
        {"t": (("time", "y", "x"), rng.normal(size=(nt, ny, nx)), {"units": "K"})},
        coords={"time": np.arange(nt) * 1.0, "y": np.arange(ny) * 1.0, "x": np.arange(nx) * 2.0},
        attrs={"title": "test", "institution": "here", "history": "made by the test"},
    )


@pytest.fixture
def nc_file(tmp_path):
    path = tmp_path / "in.nc"
    _field().to_netcdf(path)
    return path


def test_overwrite_never_replaces_an_input(nc_file):
    before = nc_file.read_bytes()
    op = functools.partial(fieldops.diff, dim="x")
    with pytest.raises(ValueError, match="one of the inputs"):
        process(nc_file, op, output=nc_file, overwrite=True)
    with open_dataset(nc_file) as ds, pytest.raises(ValueError, match="one of the inputs"):
        write(ds, nc_file, overwrite=True)
    assert nc_file.read_bytes() == before


def test_overwrite_never_deletes_a_folder_that_is_not_a_store(tmp_path):
    folder = tmp_path / "out.zarr"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "thesis.tex").write_text("years of work")
    with pytest.raises(ValueError, match="not a zarr store"):
        write(_field(), folder, overwrite=True)
    assert (folder / "sub" / "thesis.tex").read_text() == "years of work"
    # A zarr store (and a plain file) is still replaced.
    write(_field(), tmp_path / "a.zarr")
    write(_field() * 2, tmp_path / "a.zarr", overwrite=True)
    with xr.open_zarr(tmp_path / "a.zarr") as got:
        np.testing.assert_array_equal(got.t.values, 2 * _field().t.values)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_two_writers_of_one_output_cannot_both_succeed(tmp_path, suffix):
    """The other run finishes while this one computes: this one must fail, not replace it."""
    out = tmp_path / f"o{suffix}"
    other = _field() + 100.0

    def chunk():
        write(other, out)  # the other run, complete before this one renames
        return np.zeros(4)

    mine = xr.Dataset({"t": ("x", dsa.from_delayed(dask.delayed(chunk)(), (4,), float))})
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(FileExistsError, match="appeared while this write ran"):
            write(mine, out)
    with xr.open_dataset(out, engine="zarr" if suffix == ".zarr" else None) as got:
        np.testing.assert_array_equal(got.t.values, other.t.values)
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary left


def test_processes_scheduler_refuses_netcdf_before_computing(tmp_path):
    calls = []

    def chunk():
        calls.append(1)
        return np.zeros(4)

    ds = xr.Dataset({"t": ("x", dsa.from_delayed(dask.delayed(chunk)(), (4,), float))})
    with dask.config.set(scheduler="processes"):
        with pytest.raises(ValueError, match="'processes' scheduler cannot write a netCDF"):
            write(ds, tmp_path / "o.nc")
    assert calls == [] and list(tmp_path.iterdir()) == []


def test_process_keeps_global_attributes_and_adds_history(nc_file, tmp_path):
    out = process(nc_file, lambda ds: fieldops.diff(ds.t, "x"), output=tmp_path / "o.nc")
    with xr.open_dataset(out) as got:
        assert got.attrs["title"] == "test" and got.attrs["institution"] == "here"
        first, second = got.attrs["history"].splitlines()
    assert "fieldops.process" in first and "in.nc" in first
    assert second == "made by the test"


def test_chunks_naming_an_unknown_dim_is_an_error(nc_file):
    with pytest.raises(ChunkDimError, match=r"\['lat'\].*its dims: \['time', 'y', 'x'\]"):
        open_dataset(nc_file, chunks={"lat": 2})


def test_url_is_passed_through_with_engine_and_storage_options(monkeypatch):
    """A URL is never resolved against the working folder; options reach xarray."""
    seen = []

    def fake_open(source, **kwargs):
        seen.append((source, kwargs))
        return _field().chunk()

    monkeypatch.setattr(xr, "open_dataset", fake_open)
    opts = {"anon": True}
    ds = open_dataset("s3://bucket/era5.zarr", storage_options=opts, chunks="storage")
    assert list(ds.data_vars) == ["t"]
    for source, kwargs in seen:
        assert source == "s3://bucket/era5.zarr"
        assert kwargs["engine"] == "zarr" and kwargs["storage_options"] == opts
    seen.clear()
    open_dataset("https://server/data.nc", engine="h5netcdf", backend_kwargs={"a": 1})
    assert seen[0][0] == "https://server/data.nc"
    assert seen[0][1]["engine"] == "h5netcdf" and seen[0][1]["backend_kwargs"] == {"a": 1}


def test_zarr_at_an_fsspec_url_opens(tmp_path):
    pytest.importorskip("fsspec")
    ref = _field()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zarr 3's note on consolidated metadata
        ref.to_zarr("memory://fieldops-test/store.zarr", mode="w", consolidated=True)
    ds = open_dataset("memory://fieldops-test/store.zarr")
    assert ds.t.chunks is not None
    xr.testing.assert_equal(ds.load(), ref)


def test_grib_without_cfgrib_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "cfgrib", None)  # as if not installed
    path = tmp_path / "era5.grib2"
    path.write_bytes(b"GRIB")
    with pytest.raises(ImportError, match=r"needs cfgrib: pip install 'fieldops-xr\[grib\]'"):
        open_dataset(path)
