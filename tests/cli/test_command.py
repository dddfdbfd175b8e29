"""The fieldops command: outputs equal the library's, atomic writes, clear errors."""

from __future__ import annotations

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
from fieldops.sample import SAMPLE_FILE


@pytest.fixture
def sample_nc(tmp_path) -> Path:
    path = tmp_path / "sample.nc"
    fieldops.open_sample().isel(level=[1]).to_netcdf(path)
    return path


def _run(args, expect=0):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exit_code == expect, (result.output, result.exception)
    return result


def test_diff_matches_library(sample_nc, tmp_path):
    out = tmp_path / "d.nc"
    _run(
        [
            "diff",
            sample_nc,
            "-v",
            "u",
            "--dims",
            "latitude",
            "longitude",
            "--accuracy",
            "4",
            "--boundary",
            "longitude=periodic",
            "-o",
            out,
            "-q",
        ]
    )
    ds = xr.open_dataset(sample_nc)
    with xr.open_dataset(out) as got:
        assert set(got.data_vars) == {"du_dlatitude", "du_dlongitude"}
        ref = fieldops.diff(ds.u, "longitude", accuracy=4, boundary="periodic")
        np.testing.assert_allclose(got.du_dlongitude.values, ref.values, rtol=1e-12)
        ref = fieldops.diff(ds.u, "latitude", accuracy=4)
        np.testing.assert_allclose(got.du_dlatitude.values, ref.values, rtol=1e-12)
        assert got.du_dlatitude.dtype == np.float64  # not the input's int16 packing
        assert "fieldops diff" in got.attrs["history"].splitlines()[0]
        assert got.attrs["Conventions"] == ds.attrs["Conventions"]
        assert got.du_dlongitude.attrs["units"] == "m s-1 degree-1"


def test_zarr_output_and_default_variables(sample_nc, tmp_path):
    pytest.importorskip("zarr")
    out = tmp_path / "d.zarr"
    _run(["diff", sample_nc, "--dims", "latitude", "--order", "2", "-o", out, "-q"])
    got = xr.open_zarr(out)
    assert set(got.data_vars) == {"d2z_dlatitude2", "d2u_dlatitude2", "d2v_dlatitude2"}
    ref = fieldops.diff(xr.open_dataset(sample_nc).v, "latitude", 2)
    np.testing.assert_allclose(got.d2v_dlatitude2.values, ref.values, rtol=1e-12)


def test_existing_output_refused_then_overwritten(sample_nc, tmp_path):
    out = tmp_path / "d.nc"
    out.write_text("keep me")
    res = _run(["diff", sample_nc, "--dims", "latitude", "-o", out, "-q"], expect=1)
    assert "--overwrite" in res.output and out.read_text() == "keep me"
    _run(["diff", sample_nc, "--dims", "latitude", "-o", out, "-q", "--overwrite"])
    assert xr.open_dataset(out).sizes["latitude"] == 121


def test_failed_write_leaves_nothing(sample_nc, tmp_path, monkeypatch):
    out = tmp_path / "d.nc"

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    res = _run(["diff", sample_nc, "--dims", "latitude", "-o", out, "-q"], expect=1)
    assert "disk full" in res.output
    assert list(tmp_path.iterdir()) == [sample_nc]


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["diff", "missing.nc", "--dims", "x", "-o", "o.nc"], 1, "does not exist"),
        (["diff", "{nc}", "--dims", "lat", "-o", "o.nc"], 1, "its dims"),
        (["diff", "{nc}", "--dims", "latitude", "-v", "t", "-o", "o.nc"], 1, "'u'"),
        (["diff", "{nc}", "--dims", "latitude", "--accuracy", "3", "-o", "o.nc"], 1, "even"),
        (
            ["diff", "{nc}", "--dims", "latitude", "--boundary", "latitude=wrap", "-o", "o.nc"],
            1,
            "unknown boundary mode",
        ),
        (
            ["diff", "{nc}", "--dims", "latitude", "--boundary", "x=fill", "-o", "o.nc"],
            1,
            "not in --dims",
        ),
        (["diff", "{nc}", "-o", "o.nc"], 2, "needs --dims"),
        (["diff", "{nc}", "--dims", "latitude"], 2, "--output"),
        (
            ["diff", "{nc}", "--dims", "latitude", "--chunks", "latitude", "-o", "o.nc"],
            2,
            "DIM=VALUE",
        ),
        (["diff", "{bad}", "--dims", "x", "-o", "o.nc"], 1, "cannot read"),
        (["diff", "{nc}", "--dims", "latitude", "-o", "o.txt"], 1, ".nc or .zarr"),
    ],
)
def test_errors(sample_nc, tmp_path, monkeypatch, args, status, message):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"this is not netCDF")
    args = [a.format(nc=sample_nc, bad=bad) for a in args]
    res = _run(args, expect=status)
    assert message in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o.nc").exists()


def test_debug_shows_traceback(tmp_path):
    res = CliRunner().invoke(
        cli.main, ["--debug", "diff", "missing.nc", "--dims", "x", "-o", "o.nc"]
    )
    assert isinstance(res.exception, FileNotFoundError)


def test_subprocess_on_real_file(tmp_path):
    out = tmp_path / "d.nc"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fieldops.cli.command",
            "diff",
            str(SAMPLE_FILE),
            "-v",
            "z",
            "--dims",
            "longitude",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "100%" in proc.stderr  # the progress bar went to stderr
    got = xr.open_dataset(out)
    ref = fieldops.diff(fieldops.open_sample().z, "longitude")
    np.testing.assert_allclose(got.dz_dlongitude.values, ref.values, rtol=1e-12)


def test_diff_methods_match_library(sample_nc, tmp_path):
    ds = xr.open_dataset(sample_nc)
    cases = [
        (["--method", "savgol", "--window", "7", "--polyorder", "3"], "latitude", {}),
        (["--method", "gaussian", "--sigma", "3.0"], "latitude", {}),
        (["--method", "spectral", "--boundary", "periodic"], "longitude", {}),
    ]
    for k, (extra, dim, _) in enumerate(cases):
        out = tmp_path / f"m{k}.nc"
        _run(["diff", sample_nc, "-v", "u", "--dims", dim, *extra, "-o", out, "-q"])
        kw = dict(zip([a.lstrip("-") for a in extra[::2]], extra[1::2]))
        kw = {
            "method": kw["method"],
            **({"window": f"{kw['window']} points"} if "window" in kw else {}),
            **({"polyorder": int(kw["polyorder"])} if "polyorder" in kw else {}),
            **({"sigma": float(kw["sigma"])} if "sigma" in kw else {}),
            **({"boundary": kw["boundary"]} if "boundary" in kw else {}),
        }
        ref = fieldops.diff(ds.u, dim, **kw)
        with xr.open_dataset(out) as got:
            np.testing.assert_allclose(got[f"du_d{dim}"].values, ref.values, rtol=1e-12)


def test_diff_method_errors_are_one_line(sample_nc, tmp_path):
    result = _run(
        [
            "diff",
            sample_nc,
            "-v",
            "u",
            "--dims",
            "latitude",
            "--method",
            "savgol",
            "-o",
            tmp_path / "x.nc",
        ],
        expect=1,
    )
    assert "needs window=" in result.output


def _damaged(sample_nc: Path, folder: Path) -> dict[str, Path]:
    """Empty, truncated, corrupt and not-a-file inputs made from the sample."""
    data = sample_nc.read_bytes()
    ds = xr.open_dataset(sample_nc)
    packed = folder / "packed.nc"
    ds.to_netcdf(packed, encoding={v: {"zlib": True, "complevel": 4} for v in ds.data_vars})
    ds.close()
    body = bytearray(packed.read_bytes())
    mid = len(body) // 2
    body[mid : mid + 4000] = b"\xa5" * 4000  # header intact, compressed data spoiled
    files = {
        "empty": b"",
        "truncated header": data[:100],
        "truncated": data[: len(data) // 2],
        "zeroed header": data[:8] + b"\0" * 1000 + data[1008:],
        "corrupt data": bytes(body),
    }
    out = {}
    for name, content in files.items():
        out[name] = folder / (name.replace(" ", "_") + ".nc")
        out[name].write_bytes(content)
    packed.unlink()
    out["a folder"] = folder / "folder.nc"
    out["a folder"].mkdir()
    return out


@pytest.mark.parametrize("command", ["diff", "grad", "info", "vorticity"])
def test_damaged_inputs(sample_nc, tmp_path, monkeypatch, command):
    """Each damaged input: one line naming the problem, exit status 1, no output left."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for what, path in _damaged(sample_nc, work).items():
        if command == "info" and what == "corrupt data":
            continue  # info reads the header only, which is intact
        before = sorted(p.name for p in work.iterdir())
        args = {
            "diff": ["diff", path, "--dims", "latitude", "-o", "o.nc", "-q"],
            "grad": [
                "grad",
                path,
                "-v",
                "u",
                "--dims",
                "latitude",
                "longitude",
                "-o",
                "o.nc",
                "-q",
            ],
            "info": ["info", path],
            "vorticity": ["vorticity", path, "-o", "o.zarr", "-q"],
        }[command]
        for _ in range(2):  # a second run on the same input must not find leftovers either
            res = _run(args, expect=1)
            lines = res.output.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("fieldops: error: "), (what, res.output)
            assert "Traceback" not in res.output
            if what != "corrupt data":  # unreadable header: the message names the file
                assert "cannot read" in lines[0] and path.name in lines[0], (what, lines[0])
            else:  # found while computing: says nothing was written
                assert "nothing was written" in lines[0], lines[0]
        assert sorted(p.name for p in work.iterdir()) == before, what  # no partial output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Usage"),
        (["nosuch"], "No such command 'nosuch'"),
        (["diff"], "Missing argument 'INPUTS...'"),
        (["diff", "{nc}", "--dims", "latitude", "-o", "o.nc", "--accuracy", "x"], "not a valid"),
        (["diff", "{nc}", "--dims", "latitude", "-o", "o.nc", "--bogus"], "No such option"),
        (["diff", "{nc}", "--dims", "latitude", "-o", "o.nc", "--order", "1.5"], "--order"),
        (["info"], "Missing argument"),
    ],
)
def test_usage_errors(sample_nc, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    res = _run([a.format(nc=sample_nc) for a in args], expect=2)
    assert message in res.output
    assert "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [sample_nc.name]


def test_failed_read_leaves_no_temporary(tmp_path):
    """A chunk that fails while others are still being written leaves nothing behind.

    The other chunks' tasks keep running after the error and reopen the output in append
    mode; that must not recreate the removed temporary file.
    """
    import dask
    import dask.array as dsa

    def chunk(i):
        if i == 0:
            raise OSError("NetCDF: HDF error")
        time.sleep(0.3)
        return np.ones((4, 10))

    blocks = [dsa.from_delayed(dask.delayed(chunk)(i), (4, 10), float) for i in range(4)]
    ds = xr.Dataset({"u": (("y", "x"), dsa.concatenate(blocks))})
    with dask.config.set(scheduler="threads", num_workers=4):
        with pytest.raises(OSError, match="HDF error"):
            fieldops.write(ds, tmp_path / "o.nc")
    time.sleep(1.0)  # the slow chunks finish and try to write
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", ["0", "-3"])
def test_bad_chunk_size_is_a_usage_error(sample_nc, tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    args = ["diff", sample_nc, "--dims", "latitude", "--chunks", f"latitude={size}", "-o", "o.nc"]
    res = _run(args, expect=2)
    assert f"got {size}" in res.output and "--chunks" in res.output
    assert not (tmp_path / "o.nc").exists()
