"""The solver commands: fieldops poisson and fieldops helmholtz (issue 15)."""

from __future__ import annotations

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
    ds = fieldops.open_sample().isel(level=[1])
    ds["zeta"] = fieldops.vorticity(ds.u, ds.v).assign_attrs(units="s-1")
    ds.to_netcdf(path)
    return path


def _run(args, expect=0):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exit_code == expect, (result.output, result.exception)
    return result


def test_poisson_command_equals_the_function(sample_nc, tmp_path):
    out = tmp_path / "psi.nc"
    _run(["poisson", sample_nc, "-v", "zeta", "-o", out, "-q"])
    with xr.open_dataset(sample_nc) as ds, xr.open_dataset(out) as res:
        want = fieldops.solve_poisson(ds.zeta)
        np.testing.assert_allclose(res["poisson_zeta"], want, rtol=1e-12, atol=1e-3)
        assert res["poisson_zeta"].attrs["units"] == "m2 s-1"


def test_helmholtz_command_equals_the_function(sample_nc, tmp_path):
    out = tmp_path / "parts.nc"
    _run(["helmholtz", sample_nc, "--u", "u", "--v", "v", "--accuracy", "4", "-o", out, "-q"])
    with xr.open_dataset(sample_nc) as ds, xr.open_dataset(out) as res:
        want = fieldops.helmholtz(ds.u, ds.v, accuracy=4)
        assert set(res.data_vars) == set(want.data_vars)
        np.testing.assert_allclose(res.streamfunction, want.streamfunction, rtol=1e-12, atol=1e-3)
        assert res.attrs["helmholtz_accuracy"] == 4


def test_helmholtz_command_on_a_region_with_a_mask_and_chosen_conditions(tmp_path):
    ds = fieldops.open_sample().isel(level=[1]).sel(latitude=slice(70, 20))
    ds = ds.sel(longitude=slice(-60, 40))
    ds["land"] = ~((ds.latitude > 40) & (ds.latitude < 50) & (abs(ds.longitude) < 10))
    path = tmp_path / "region.nc"
    ds.to_netcdf(path)
    out = tmp_path / "parts.nc"
    _run([
        "helmholtz", path, "--mask", "land", "--boundary", "streamfunction=neumann",
        "--boundary", "velocity_potential=dirichlet", "-o", out, "-q",
    ])  # fmt: skip
    with xr.open_dataset(out) as res:
        assert "streamfunction: neumann" in res.attrs["helmholtz_boundary"]
        assert "velocity_potential: dirichlet" in res.attrs["helmholtz_boundary"]
        nan = res.streamfunction.isel(month=0, level=0).isnull().values
        np.testing.assert_array_equal(nan, ~ds.land.values)


def test_poisson_command_bad_boundary_is_an_error(sample_nc, tmp_path):
    res = _run(["poisson", sample_nc, "-v", "zeta", "--boundary", "wall", "-o", tmp_path / "o.nc"],
               expect=1)  # fmt: skip
    assert "boundary" in str(res.exception) or "boundary" in res.output


def test_poisson_command_solver_iterative_on_a_region(tmp_path):
    pytest.importorskip("pyamg")
    ds = fieldops.open_sample().isel(level=[1]).sel(latitude=slice(70, 20))
    ds = ds.sel(longitude=slice(-60, 40))
    ds["zeta"] = fieldops.vorticity(ds.u, ds.v).assign_attrs(units="s-1")
    path = tmp_path / "region.nc"
    ds.to_netcdf(path)
    outs = {}
    for solver in ("iterative", "direct"):
        outs[solver] = tmp_path / f"{solver}.nc"
        _run(["poisson", path, "-v", "zeta", "--solver", solver, "-o", outs[solver], "-q"])
    with xr.open_dataset(outs["iterative"]) as it, xr.open_dataset(outs["direct"]) as lu:
        scale = float(abs(lu.poisson_zeta).max())
        np.testing.assert_allclose(it.poisson_zeta, lu.poisson_zeta, atol=1e-8 * scale)
        assert "multigrid" in it.poisson_zeta.attrs["poisson_solver"]
    _run(["poisson", path, "-v", "zeta", "--solver", "cg", "-o", tmp_path / "x.nc"], expect=2)


def test_helmholtz_command_with_a_wrapping_index(tmp_path):
    from tests.solvers._grids import ocean_ring

    u, v = ocean_ring()
    path = tmp_path / "ring.nc"
    xr.Dataset({"u": u, "v": v}).to_netcdf(path)
    out = tmp_path / "parts.nc"
    _run(["helmholtz", path, "--boundary", "i=periodic", "-o", out, "-q"])
    with xr.open_dataset(out) as res:
        assert "i: periodic" in res.attrs["helmholtz_boundary"]
        want = fieldops.helmholtz(u, v, boundary={"i": "periodic"})
        np.testing.assert_allclose(res.streamfunction, want.streamfunction, rtol=1e-12, atol=1e-3)
