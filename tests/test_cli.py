"""The fieldops command: outputs equal the library's, atomic writes, clear errors."""

from __future__ import annotations

import subprocess
import sys
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
            "fieldops.cli",
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
            **({"window": int(kw["window"])} if "window" in kw else {}),
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
