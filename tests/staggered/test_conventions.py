"""Reading positions and metrics from each convention; bad input gets a clear error."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.staggered import samples


@pytest.mark.parametrize(
    ("ds", "convention", "shift", "area_f"),
    [
        (samples.nemo_mesh(5, 4), "nemo", "right", "e1f"),
        (samples.mom6_static(5, 4), "mom6", "outer", "areacello_bu"),
        (samples.mom6_static(5, 4, symmetric=False), "mom6", "right", "areacello_bu"),
        (samples.roms_grid(5, 4), "roms", "inner", None),
        (samples.roms_grid(5, 4, sgrid=True), "sgrid", "inner", None),
        (samples.mitgcm_grid(5, 4), "xgcm", "left", "rAz"),
        (samples.mitgcm_grid(5, 4, xmitgcm=False), "mitgcm", "outer", "rAz"),
    ],
)
def test_each_convention_is_read_with_its_metrics(ds, convention, shift, area_f):
    grid = fieldops.staggered_grid(ds)
    assert grid.convention == convention
    assert grid.layout.axes["X"].shift == grid.layout.axes["Y"].shift == shift
    needed = ["dx_U", "dy_U", "dx_V", "dy_V", "area_T", "area_F", "mask_U", "mask_V"]
    assert set(needed) <= set(grid.layout.metrics)
    if area_f == "e1f":
        want = (ds.e1f * ds.e2f).squeeze("t").values
    elif area_f is None:  # ROMS: psi-averaged pm, pn
        pm = ds.pm.values
        want = 1 / ((pm[1:, 1:] + pm[:-1, 1:] + pm[1:, :-1] + pm[:-1, :-1]) / 4) ** 2
    else:
        want = ds[area_f].values
    np.testing.assert_allclose(grid.metric("area_F").values, want, rtol=1e-14)
    assert grid.metric("area_F").dims == grid.dims["F"]


def test_describe_names_positions_and_metrics():
    lines = fieldops.staggered_grid(samples.nemo_mesh(5, 4), periodic="X").describe()
    text = "\n".join(lines)
    assert "axis X: centres x (5), faces x (5, right), periodic" in text
    assert "F points ('y', 'x'): glamf, gphif" in text
    assert "area_F" in text and "assumed: area_F = dx_F * dy_F" in text


def test_dataset_and_dataarray_accessors():
    ds = samples.mitgcm_grid(6, 5)
    assert ds.fieldops.staggered_grid().convention == "xgcm"
    mesh = samples.nemo_mesh(6, 5).drop_vars(["tmask", "umask", "vmask", "fmask"])
    t = mesh.set_coords(list(mesh.data_vars))["glamt"] * 2  # carries the grid as coordinates
    grid = t.fieldops.staggered_grid()
    assert grid.convention == "nemo"
    np.testing.assert_allclose(grid.diff(t, "X", position="T").values[0, :, :-1], 2.0)


def _nemo_t(mesh):
    return mesh.glamt.squeeze("t", drop=True).reset_coords(drop=True).rename("sst")


def test_positions_that_cannot_be_told_apart_are_named_with_the_fix():
    mesh = samples.nemo_mesh(6, 5)
    grid = fieldops.staggered_grid(mesh)
    sst = _nemo_t(mesh)
    with pytest.raises(ValueError, match=r"cannot tell where sst sits.*position=.*location=") as e:
        grid.diff(sst, "X")
    assert "depthu" in str(e.value) and "glamt" in str(e.value)
    # each hint decides
    at_u = {"position": "U"}
    want = grid.diff(sst, "X", **at_u)
    assert want.dims == ("y", "x")
    by_attr = grid.diff(sst.assign_attrs(location="edge1"), "X")
    np.testing.assert_array_equal(by_attr.values, want.values)
    with_coord = sst.assign_coords(glamu=mesh.glamu.squeeze("t", drop=True).reset_coords(drop=True))
    np.testing.assert_array_equal(grid.diff(with_coord, "X").values, want.values)
    deep = sst.expand_dims(depthu=[1.0])
    np.testing.assert_array_equal(grid.diff(deep, "X").values[0], want.values)


def test_missing_metric_names_what_was_looked_for():
    mesh = samples.nemo_mesh(6, 5).drop_vars("e1u")
    grid = fieldops.staggered_grid(mesh)
    with pytest.raises(ValueError, match=r"no dx_U \(x-width at U points.*e1u \(nemo\).*metrics="):
        grid.diff(_nemo_t(mesh), "X", position="T")
    fixed = fieldops.staggered_grid(mesh, metrics={"dx_U": samples.nemo_mesh(6, 5).e1u})
    assert np.isfinite(fixed.diff(_nemo_t(mesh), "X", position="T").values[:, :-1]).all()


def test_metric_overrides_replace_what_was_found():
    mesh = samples.nemo_mesh(6, 5)
    u = mesh.gphiu.squeeze("t", drop=True).reset_coords(drop=True).rename("u")
    v = 0 * u.rename("v")
    base = fieldops.staggered_grid(mesh).vorticity(u, v)
    doubled = fieldops.staggered_grid(mesh, metrics={"area_F": 2 * mesh.e1f * mesh.e2f})
    np.testing.assert_allclose(doubled.vorticity(u, v).values, base.values / 2)


def test_lengths_that_match_no_padding():
    x = xr.DataArray(np.arange(5.0), dims="x", attrs={"axis": "X"})
    xg = xr.DataArray(np.arange(7.0), dims="xg", attrs={"axis": "X", "c_grid_axis_shift": 0.5})
    y = xr.DataArray(np.arange(4.0), dims="y", attrs={"axis": "Y"})
    yg = xr.DataArray(np.arange(4.0), dims="yg", attrs={"axis": "Y", "c_grid_axis_shift": -0.5})
    ds = xr.Dataset(coords={"x": x, "xg": xg, "y": y, "yg": yg})
    with pytest.raises(ValueError, match="7 faces for 5 centres match no padding"):
        fieldops.staggered_grid(ds)


def test_fields_from_another_grid():
    ds = samples.mom6_static(6, 5)
    grid = fieldops.staggered_grid(ds)
    u = xr.DataArray(np.ones((5, 7)), dims=("yh", "xq"), coords={"xq": ds.xq.values}, name="u")
    v = xr.DataArray(np.ones((6, 7)), dims=("yq", "xh"), name="v")
    with pytest.raises(ValueError, match="v: dim xh has 7 points.*another grid"):
        grid.vorticity(u, v)
    v = v.isel(xh=slice(0, 6))
    np.testing.assert_array_equal(grid.vorticity(u, v).values[1:-1, 1:-1], 0.0)
    shifted = u.assign_coords(xq=ds.xq.values + 1.0)
    with pytest.raises(ValueError, match="coordinate xq differs from the grid's"):
        grid.vorticity(shifted, v)
    swapped_u = xr.DataArray(np.ones((6, 6)), dims=("yq", "xh"), name="u")
    swapped_v = xr.DataArray(np.ones((5, 7)), dims=("yh", "xq"), name="v")
    with pytest.raises(ValueError, match="u sits at V points and v at U"):
        grid.vorticity(swapped_u, swapped_v)
    deep_u = u.expand_dims(zl=3)
    deep_v = xr.DataArray(np.ones((4, 6, 6)), dims=("zl", "yq", "xh"), name="v")
    with pytest.raises(ValueError, match="u and v differ along 'zl'"):
        grid.vorticity(deep_u, deep_v)


def test_no_convention_found():
    ds = xr.Dataset({"t": (("lat", "lon"), np.zeros((3, 4)))})
    with pytest.raises(ValueError, match="SGRID grid_topology.*c_grid_axis_shift.*NEMO"):
        fieldops.staggered_grid(ds)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"convention": "pop"}, "convention='pop' is not one of"),
        ({"slip": "partial"}, "slip='partial' is not one of"),
        ({"periodic": "lon"}, "periodic='lon' names no axis"),
        ({"metrics": {"width_U": 1.0}}, "'<kind>_<position>'"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fieldops.staggered_grid(samples.nemo_mesh(4, 3), **kwargs)


def test_metric_on_the_wrong_points_and_periodic_inner_axis():
    ds = samples.mom6_static(5, 4)
    with pytest.raises(ValueError, match="metric dx_U has dims .*'yh', 'xh'.*another position"):
        fieldops.staggered_grid(ds, metrics={"dx_U": ds.dxt})
    with pytest.raises(ValueError, match="n - 1 faces"):
        fieldops.staggered_grid(samples.roms_grid(5, 4), periodic="X")


def test_accuracy_and_wrong_input_positions():
    mesh = samples.nemo_mesh(6, 5)
    grid = fieldops.staggered_grid(mesh)
    with pytest.raises(ValueError, match="offer 2 or 4"):
        grid.diff(_nemo_t(mesh), "X", position="T", accuracy=3)
    ds = samples.mom6_static(5, 4)
    g6 = fieldops.staggered_grid(ds)
    u = xr.DataArray(np.ones((4, 6)), dims=("yh", "xq"), name="u")
    with pytest.raises(ValueError, match="laplacian takes a field at T points; u is at U"):
        g6.laplacian(u)
    with pytest.raises(ValueError, match="position='V' does not fit u"):
        g6.diff(u, "X", position="V")
    with pytest.raises(ValueError, match="axis='Z' is neither"):
        g6.diff(u, "Z")


def _orca_like(nx=12, ny=8):
    mesh = samples.nemo_mesh(nx, ny)
    lon = (np.arange(nx) * 360.0 / nx)[None, :] + 0 * np.arange(ny)[:, None]
    lat = np.linspace(-60.0, 80.0, ny)[:, None] + 0 * lon
    lon[-1], lat[-1] = np.roll(lon[-3, ::-1], 1), np.roll(lat[-3, ::-1], 1)  # ORCA T fold
    return mesh.assign_coords(
        glamt=(("t", "y", "x"), lon[None]), gphit=(("t", "y", "x"), lat[None])
    )


def test_tripolar_north_fold_is_refused_with_the_remedy():
    mesh = _orca_like()
    with pytest.raises(ValueError, match=r"tripolar.*north fold.*isel\(y=slice\(None, -3\)\)"):
        fieldops.staggered_grid(mesh, periodic="X")
    assert (
        fieldops.staggered_grid(mesh.isel(y=slice(None, -3)), periodic="X")
        .layout.axes["X"]
        .periodic
    )
    assert fieldops.staggered_grid(mesh).convention == "nemo"  # not periodic: a closed top


def test_fieldops_info_shows_positions_and_metrics(tmp_path):
    from click.testing import CliRunner

    from fieldops import cli

    path = tmp_path / "mesh_mask.nc"
    samples.nemo_mesh(6, 5).to_netcdf(path)
    result = CliRunner().invoke(cli.main, ["info", str(path)])
    assert result.exit_code == 0, result.output
    assert "staggered grid: nemo (C grid), coast no-slip" in result.output
    assert "U points ('y', 'x'): glamu, gphiu; metrics area_U, dx_U, dy_U, mask_U" in result.output
