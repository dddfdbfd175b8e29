"""The command, round 2: signals, overwrite, honest errors, logs, new options."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import fieldops
from fieldops import cli


@pytest.fixture
def sample_nc(tmp_path) -> Path:
    path = tmp_path / "sample.nc"
    fieldops.open_sample().isel(level=[1]).to_netcdf(path)
    return path


def _run(args, expect=0):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exit_code == expect, (result.output, result.exception)
    return result


# Every chunk of the derivative takes a while: the write is still running when the
# signal comes, whatever the machine's speed.
_SLOW = """
import sys, time
import fieldops
from fieldops import cli
plain = fieldops.diff
def slow(*args, **kwargs):
    out = plain(*args, **kwargs)
    return out.map(lambda v: v.copy(data=v.data.map_blocks(lambda b: (time.sleep(0.5), b)[1])))
fieldops.diff = slow
cli.main(sys.argv[1:])
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_during_write_leaves_nothing(sample_nc, tmp_path, sig):
    work = tmp_path / "work"
    work.mkdir()
    args = ["diff", str(sample_nc), "-v", "z", "--dims", "latitude", "--chunks", "longitude=8"]
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW, *args, "-o", str(work / "o.nc"), "-q"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(fieldops.__file__).parents[1])},
    )
    deadline = time.monotonic() + 120
    while not list(work.iterdir()) and time.monotonic() < deadline:  # the temporary appears
        time.sleep(0.05)
    assert list(work.iterdir()), "the write never started"
    time.sleep(0.5)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, err
    assert f"stopped by {signal.Signals(sig).name}" in err and "Traceback" not in err
    assert list(work.iterdir()) == []  # no hidden temporary folder, no partial file


def test_overwrite_refuses_the_input(sample_nc):
    before = sample_nc.read_bytes()
    res = _run(["diff", sample_nc, "--dims", "latitude", "-o", sample_nc, "--overwrite"], 1)
    assert "one of the inputs" in res.output
    assert sample_nc.read_bytes() == before


def test_overwrite_refuses_a_folder_that_is_not_a_store(sample_nc, tmp_path):
    folder = tmp_path / "o.zarr"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "keep.txt").write_text("keep")
    args = ["diff", sample_nc, "--dims", "latitude", "-o", folder, "--overwrite", "-q"]
    res = _run(args, expect=1)
    assert "not a zarr store" in res.output
    assert (folder / "data" / "keep.txt").read_text() == "keep"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_system_errors_say_what_failed(sample_nc, tmp_path, monkeypatch, code):
    out = tmp_path / "d.nc"

    def broken(self, path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    res = _run(["diff", sample_nc, "--dims", "latitude", "-o", out, "-q"], expect=1)
    assert os.strerror(code) in res.output and "d.nc" in res.output
    assert "corrupt" not in res.output and "nothing was written" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [sample_nc.name]


def test_processes_scheduler_with_netcdf_is_refused_with_the_reason(sample_nc, tmp_path):
    args = ["diff", sample_nc, "--dims", "latitude", "--scheduler", "processes"]
    res = _run([*args, "-o", tmp_path / "o.nc", "-q"], expect=2)
    assert "cannot write netCDF" in res.output and ".zarr" in res.output
    assert "Lock" not in res.output and "corrupt" not in res.output


def test_chunks_naming_an_unknown_dim_is_a_usage_error(sample_nc, tmp_path):
    args = ["diff", sample_nc, "--dims", "latitude", "--chunks", "lat=10"]
    res = _run([*args, "-o", tmp_path / "o.nc", "-q"], expect=2)
    assert "--chunks" in res.output and "['lat']" in res.output and "'latitude'" in res.output
    assert not (tmp_path / "o.nc").exists()


def test_progress_off_a_terminal_is_one_line_per_stage(sample_nc, tmp_path):
    res = _run(["diff", sample_nc, "-v", "z", "--dims", "latitude", "-o", tmp_path / "o.nc"])
    assert "\r" not in res.output
    lines = res.output.splitlines()
    assert any(line.endswith(": 100%") for line in lines), res.output
    assert lines[-1].startswith("wrote ")


def test_concat_dim_joins_files_with_a_scalar_time(tmp_path):
    ds = fieldops.open_sample().isel(level=0, month=0)
    paths = []
    for k in range(2):
        one = (ds[["z"]] * (k + 1)).assign_coords(time=np.datetime64(f"2000-0{k + 1}-01"))
        paths.append(tmp_path / f"f{k}.nc")
        one.to_netcdf(paths[-1])
    out = tmp_path / "o.nc"
    _run(["diff", *paths, "--concat-dim", "time", "--dims", "latitude", "-o", out, "-q"])
    with xr.open_dataset(out) as got:
        assert got.sizes["time"] == 2
        ref = fieldops.diff(ds.z, "latitude")
        for k in range(2):
            np.testing.assert_allclose(got.dz_dlatitude[k].values, (k + 1) * ref.values)


def test_mask_from_the_input_or_another_file(sample_nc, tmp_path):
    ds = xr.open_dataset(sample_nc)
    valid = (np.abs(ds.latitude) < 60) & (ds.longitude > -100)
    ref = fieldops.diff(ds.z, "latitude", mask=valid)
    assert not np.allclose(ref.values, fieldops.diff(ds.z, "latitude").values, equal_nan=True)
    with_mask = tmp_path / "with_mask.nc"
    ds.assign(valid=valid.astype("int8")).to_netcdf(with_mask)
    mask_file = tmp_path / "mask.nc"
    valid.rename("valid").to_dataset().to_netcdf(mask_file)
    for src, spec in [(with_mask, "valid"), (sample_nc, f"{mask_file}:valid")]:
        out = tmp_path / f"o{len(spec)}.nc"
        _run(["diff", src, "--dims", "latitude", "--mask", spec, "-o", out, "-q"])
        with xr.open_dataset(out) as got:
            assert "dvalid_dlatitude" not in got  # the mask is not differentiated
            np.testing.assert_allclose(got.dz_dlatitude.values, ref.values, equal_nan=True)
    res = _run(["diff", sample_nc, "--dims", "latitude", "--mask", "nope", "-o", "x.nc"], 2)
    assert "--mask" in res.output and "'nope'" in res.output


@pytest.mark.parametrize("command", ["vorticity", "divergence"])
@pytest.mark.parametrize("option", [["-v", "z"], ["--dims", "latitude"]])
def test_kinematics_take_no_var_or_dims(sample_nc, tmp_path, command, option):
    res = _run([command, sample_nc, *option, "-o", tmp_path / "o.nc", "-q"], expect=2)
    assert "No such option" in res.output and not (tmp_path / "o.nc").exists()


def test_engine_reaches_xarray(sample_nc, tmp_path, monkeypatch):
    engines = []
    plain = xr.open_dataset

    def spy(source, **kwargs):
        engines.append(kwargs.get("engine"))
        return plain(source, **{**kwargs, "engine": "netcdf4"})

    monkeypatch.setattr(xr, "open_dataset", spy)
    args = ["diff", sample_nc, "-v", "z", "--dims", "latitude", "--engine", "h5netcdf"]
    _run([*args, "-o", tmp_path / "o.nc", "-q"])
    assert engines and set(engines) == {"h5netcdf"}
