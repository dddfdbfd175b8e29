"""Every fieldops subcommand's output equals the library call; info and demo work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import fieldops
from fieldops import cli


@pytest.fixture(scope="module")
def sample_nc(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("in") / "sample.nc"
    fieldops.open_sample().isel(level=[1], month=[0]).to_netcdf(path)
    return path


@pytest.fixture(scope="module")
def sample(sample_nc):
    with xr.open_dataset(sample_nc) as ds:
        return ds.load()


def _run(args, expect=0):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exit_code == expect, (result.output, result.exception)
    return result


@pytest.mark.parametrize(
    ("command", "extra", "call"),
    [
        (
            "grad",
            ["--dims", "latitude", "longitude"],
            lambda ds: fieldops.grad(ds[["z"]], ["latitude", "longitude"]),
        ),
        (
            "laplacian",
            ["--dims", "latitude", "longitude", "--accuracy", "4"],
            lambda ds: fieldops.laplacian(ds[["z"]], ["latitude", "longitude"], accuracy=4),
        ),
        (
            "hessian",
            ["--dims", "latitude", "longitude", "--boundary", "longitude=periodic"],
            lambda ds: fieldops.hessian(
                ds[["z"]], ["latitude", "longitude"], boundary={"longitude": "periodic"}
            ),
        ),
        (
            "hessian",
            ["--dims", "latitude", "longitude", "--method", "savgol", "--window", "5"],
            lambda ds: fieldops.hessian(
                ds[["z"]], ["latitude", "longitude"], method="savgol", window="5 points"
            ),
        ),
        (
            "grad",
            ["--dims", "latitude", "longitude", "--geometry", "cartesian"],
            lambda ds: fieldops.grad(ds[["z"]], ["latitude", "longitude"], geometry="cartesian"),
        ),
        (
            "laplacian",
            ["--dims", "latitude", "longitude", "--nan-policy", "omit", "--poles", "nan"],
            lambda ds: fieldops.laplacian(
                ds[["z"]], ["latitude", "longitude"], nan_policy="omit", poles="nan"
            ),
        ),
    ],
)
def test_scalar_commands(sample_nc, sample, tmp_path, command, extra, call):
    out = tmp_path / "o.nc"
    _run([command, sample_nc, "-v", "z", *extra, "-o", out, "-q"])
    ref = call(sample)
    with xr.open_dataset(out) as got:
        for name in ref.data_vars:
            np.testing.assert_allclose(got[name].values, ref[name].values, rtol=1e-12)
            assert got[name].attrs.get("units") == ref[name].attrs.get("units")


@pytest.mark.parametrize("command", ["div", "curl"])
def test_vector_commands(sample_nc, sample, tmp_path, command):
    out = tmp_path / "o.nc"
    _run(
        [
            command,
            sample_nc,
            "--component",
            "latitude=v",
            "--component",
            "longitude=u",
            "-o",
            out,
            "-q",
        ]
    )
    comps = {"latitude": "v", "longitude": "u"}
    ref = getattr(fieldops, command)(sample, ["latitude", "longitude"], components=comps)
    with xr.open_dataset(out) as got:
        (name,) = got.data_vars
        np.testing.assert_allclose(got[name].values, ref.values, rtol=1e-12)


@pytest.mark.parametrize("command", ["vorticity", "divergence"])
def test_kinematics_commands(sample_nc, sample, tmp_path, command):
    out = tmp_path / "o.nc"
    _run([command, sample_nc, "--accuracy", "4", "-o", out, "-q"])
    ref = getattr(fieldops, command)(sample.u, sample.v, accuracy=4)
    with xr.open_dataset(out) as got:
        (name,) = got.data_vars
        np.testing.assert_allclose(got[name].values, ref.values, rtol=1e-12)
        assert got[name].attrs["units"] == "s-1"
        assert "fieldops " + command in got.attrs["history"]


@pytest.mark.parametrize(
    ("extra", "how"),
    [
        (["--method", "savgol", "--window", "5"], dict(method="savgol", window="5 points")),
        (["--method", "gaussian", "--sigma", "3.0"], dict(method="gaussian", sigma=3.0)),
        (["--nan-policy", "omit"], dict(nan_policy="omit")),
    ],
)
def test_kinematics_methods(sample_nc, sample, tmp_path, extra, how):
    out = tmp_path / "o.nc"
    _run(["vorticity", sample_nc, *extra, "-o", out, "-q"])
    ref = fieldops.vorticity(sample.u, sample.v, **how)
    plain = fieldops.vorticity(sample.u, sample.v)
    with xr.open_dataset(out) as got:
        np.testing.assert_allclose(got.vorticity.values, ref.values, rtol=1e-12)
    if "method" in how:  # a smoothing method changes the numbers
        assert not np.allclose(ref.values, plain.values, rtol=1e-6)


def test_kinematics_missing_wind_lists_variables(sample_nc, tmp_path):
    res = _run(["vorticity", sample_nc, "--u", "ua", "-o", tmp_path / "o.nc"], expect=1)
    assert "'ua'" in res.output and "z" in res.output and "Traceback" not in res.output


def test_info(sample_nc):
    res = _run(["info", sample_nc])
    for text in (
        "latitude: 121",
        "geometry: spherical",
        "periodic (spans 360 degrees)",
        "m s**-1",
        "vorticity",
        "vertical, values increase downward",  # pressure levels
    ):
        assert text in res.output


def test_info_unreadable(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"\x89HDF truncated")
    res = _run(["info", bad], expect=1)
    assert "cannot read" in res.output


def test_demo_end_to_end(tmp_path):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "demo"
    res = _run(["demo", "--out", folder])
    assert "vorticity" in res.output and "s-1" in res.output
    pngs = sorted(folder.glob("*.png"))
    assert [p.name for p in pngs] == [
        "divergence.png",
        "grad_z_magnitude.png",
        "laplacian_z.png",
        "vorticity.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in pngs)
    with xr.open_dataset(folder / "demo.nc") as ds:
        assert np.isfinite(ds.vorticity).all()  # poles and the seam included
        assert ds.vorticity.attrs["units"] == "s-1"
        weights = np.cos(np.deg2rad(ds.latitude))
        mean_div = float(ds.divergence.weighted(weights).mean(("latitude", "longitude")).max())
        # The demo's divergence is a Gaussian derivative (sigma 3 degrees), not a flux
        # form: its global mean is near zero, not zero to roundoff (1.1e-3 of its size).
        assert abs(mean_div) < 3e-3 * float(abs(ds.divergence).mean())


def test_scheduler_address_runs_on_a_cluster(sample_nc, sample, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "o.nc"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        res = _run(
            [
                "diff",
                sample_nc,
                "-v",
                "u",
                "--dims",
                "longitude",
                "-o",
                out,
                "--scheduler",
                cluster.scheduler_address,
            ]
        )
    assert "100%" in res.output  # distributed's progress bar (on stderr)
    with xr.open_dataset(out) as got:
        np.testing.assert_allclose(
            got.du_dlongitude.values, fieldops.diff(sample.u, "longitude").values, rtol=1e-12
        )


def test_vector_command_options_reach_the_library(sample_nc, sample, tmp_path):
    out = tmp_path / "o.nc"
    args = ["--component", "latitude=v", "--component", "longitude=u"]
    _run(["div", sample_nc, *args, "--method", "gaussian", "--sigma", "6", "-o", out, "-q"])
    ref = fieldops.div(
        sample, components={"latitude": "v", "longitude": "u"}, method="gaussian", sigma=6.0
    )
    with xr.open_dataset(out) as got:
        np.testing.assert_allclose(got[ref.name].values, ref.values, rtol=1e-12)
    bad = _run(
        ["vorticity", sample_nc, "--geometry", "curvilinear", "-o", tmp_path / "b.nc", "-q"],
        expect=1,
    )
    assert "2-D latitude/longitude" in bad.output
