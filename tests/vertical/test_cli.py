"""fieldops info shows the vertical coordinate; --vertical on the operator commands."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import fieldops
from fieldops import cli


def _hybrid_height_file(path):
    x = np.linspace(-40e3, 40e3, 21)
    y = np.linspace(0.0, 4e3, 5)
    k = np.linspace(0.0, 1.0, 9)
    orog = np.broadcast_to(1500.0 * np.exp(-((x / 15e3) ** 2)), (5, 21)).copy()
    ds = xr.Dataset(
        coords={
            "lev": ("lev", k, {"standard_name": "atmosphere_hybrid_height_coordinate",
                               "formula_terms": "a: a b: b orog: orog", "units": "1"}),
            "x": ("x", x, {"units": "m"}),
            "y": ("y", y, {"units": "m"}),
        }
    )  # fmt: skip
    ds["a"] = ("lev", 12000.0 * k, {"units": "m"})
    ds["b"] = ("lev", (1 - k) ** 2)
    ds["orog"] = (("y", "x"), orog, {"units": "m"})
    z = fieldops.vertical_coordinate(ds, ds.lev)
    ds["t"] = (z.dims, 290.0 - 0.0065 * z.values, {"units": "K"})
    ds.to_netcdf(path)
    return ds


def _run(args, expect=0):
    result = CliRunner().invoke(cli.main, [str(a) for a in args])
    assert result.exit_code == expect, (result.output, result.exception)
    return result


def test_info_shows_the_vertical_coordinate(tmp_path):
    _hybrid_height_file(tmp_path / "in.nc")
    text = _run(["info", tmp_path / "in.nc"]).output
    assert "vertical coordinate:" in text
    assert "lev: atmosphere_hybrid_height_coordinate, z = a + b orog" in text
    assert "gives altitude in m on ('lev', 'y', 'x') (--vertical height)" in text


@pytest.mark.parametrize("spec", ["height", "auto", "zvar"])
def test_grad_with_vertical_equals_the_library(tmp_path, spec):
    ds = _hybrid_height_file(tmp_path / "in.nc")
    if spec == "zvar":
        ds = ds.assign(zvar=fieldops.vertical_coordinate(ds, ds.lev))
        ds.to_netcdf(tmp_path / "in2.nc")
    src = tmp_path / ("in2.nc" if spec == "zvar" else "in.nc")
    out = tmp_path / "o.nc"
    _run(["grad", src, "-v", "t", "--dims", "y", "x", "--vertical", spec, "-o", out, "-q"])
    want = fieldops.grad(ds[["t"]], ["y", "x"], vertical=fieldops.vertical_coordinate(ds, ds.lev))
    with xr.open_dataset(out) as got:
        np.testing.assert_allclose(got["grad_t"].values, want["grad_t"].values, atol=1e-15)
    # t is a function of height only: its gradient at constant height is ~0
    assert abs(want["grad_t"]).max() < 1e-10


def test_vertical_that_names_nothing(tmp_path):
    _hybrid_height_file(tmp_path / "in.nc")
    out = tmp_path / "o.nc"
    res = _run(["grad", tmp_path / "in.nc", "-v", "t", "--dims", "y", "x", "--vertical", "zz",
                "-o", out], expect=1)  # fmt: skip
    assert "neither height, pressure, auto nor a variable" in res.output
