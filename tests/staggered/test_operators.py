"""Staggered operators on analytic fields: exact where they must be, second order, Stokes."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.staggered import samples


def _at(mesh: xr.Dataset, pos: str, func, name: str) -> xr.DataArray:
    """``func(x, y)`` at the NEMO points ``pos`` of a mesh_mask (dims y, x)."""
    p = pos.lower()
    x = mesh[f"glam{p}"].squeeze("t", drop=True).reset_coords(drop=True)
    y = mesh[f"gphi{p}"].squeeze("t", drop=True).reset_coords(drop=True)
    return func(x, y).rename(name).assign_attrs(units="m s-1")


def _wet_t(mesh):
    """T points whose four faces are all wet (no wall next to them)."""
    m = {p: mesh[f"{p}mask"].squeeze(("t", "z")).values.astype(bool) for p in "uv"}
    wet = np.zeros_like(m["u"])
    wet[1:, 1:] = m["u"][1:, 1:] & m["u"][1:, :-1] & m["v"][1:, 1:] & m["v"][:-1, 1:]
    return wet


@pytest.mark.parametrize("stretch", [0.0, 0.4])
def test_divergence_and_vorticity_exact_for_linear_velocities(stretch):
    mesh = samples.nemo_mesh(12, 9, dx=2e3, dy=1e3, stretch=stretch)
    grid = fieldops.staggered_grid(mesh)
    u = _at(mesh, "U", lambda x, y: 0.3 * x - 2.0 * y + 5.0, "u")
    v = _at(mesh, "V", lambda x, y: 1.5 * x + 0.7 * y - 1.0, "v")
    div = grid.divergence(u, v)
    zeta = grid.vorticity(u, v)
    wet = _wet_t(mesh)
    assert wet.sum() > 40
    np.testing.assert_allclose(div.values[wet], 1.0, rtol=1e-12)
    # interior corners (not on the walls)
    np.testing.assert_allclose(zeta.values[:-1, :-1], 3.5, rtol=1e-12)
    assert zeta.dims == ("y", "x") and set(zeta.coords) == {"glamf", "gphif"}
    np.testing.assert_array_equal(zeta.glamf, mesh.glamf.squeeze("t"))
    assert div.attrs["units"] == zeta.attrs["units"] == "s-1"


def _errors(n: int, stretch: float, op: str, accuracy: int = 2) -> float:
    length = 1e6
    mesh = samples.nemo_mesh(n, n, dx=length / n, dy=length / n, stretch=stretch)
    grid = fieldops.staggered_grid(mesh)
    k = 2 * np.pi / length
    if op == "laplacian":
        t = _at(mesh, "T", lambda x, y: np.sin(k * x) * np.cos(k * y), "t")
        got = grid.laplacian(t, accuracy=accuracy)
        want = _at(mesh, "T", lambda x, y: -2 * k**2 * np.sin(k * x) * np.cos(k * y), "w")
    elif op == "diff":
        t = _at(mesh, "T", lambda x, y: np.sin(k * x) * np.cos(k * y), "t")
        got = grid.diff(t, "X", position="T", accuracy=accuracy)
        want = _at(mesh, "U", lambda x, y: k * np.cos(k * x) * np.cos(k * y), "w")
    else:
        u = _at(mesh, "U", lambda x, y: np.sin(k * x) * np.cos(k * y), "u")
        sign = 1.0 if op == "divergence" else -1.0
        v = _at(mesh, "V", lambda x, y: sign * np.cos(k * x) * np.sin(k * y), "v")
        if op == "divergence":
            got = grid.divergence(u, v, accuracy=accuracy)
            want = _at(mesh, "T", lambda x, y: 2 * k * np.cos(k * x) * np.cos(k * y), "w")
        else:
            got = grid.vorticity(u, v, accuracy=accuracy)
            want = _at(mesh, "F", lambda x, y: 2 * k * np.sin(k * x) * np.sin(k * y), "w")
    inner = slice(n // 8, n - n // 8)  # away from the walls
    err = (got - want).isel(x=inner, y=inner)
    return float(np.abs(err).max()) / float(np.abs(want).max())


@pytest.mark.parametrize("op", ["diff", "divergence", "vorticity", "laplacian"])
@pytest.mark.parametrize("stretch", [0.0, 0.3])
def test_second_order_on_uniform_and_stretched_grids(op, stretch):
    coarse, fine = _errors(32, stretch, op), _errors(64, stretch, op)
    assert fine < 1e-2
    assert 3.4 < coarse / fine < 4.6


@pytest.mark.parametrize("op", ["diff", "divergence", "vorticity", "laplacian"])
def test_fourth_order_where_uniform(op):
    coarse, fine = _errors(32, 0.0, op, 4), _errors(64, 0.0, op, 4)
    assert 13.0 < coarse / fine < 19.0
    assert fine < _errors(64, 0.0, op, 2) / 20


def test_fourth_order_refused_on_stretched_widths():
    mesh = samples.nemo_mesh(10, 8, stretch=0.3)
    t = _at(mesh, "T", lambda x, y: x, "t")
    with pytest.raises(ValueError, match="uniform widths, but dx_U varies"):
        fieldops.staggered_grid(mesh).diff(t, "X", position="T", accuracy=4)


def _basin(n: int = 14) -> np.ndarray:
    j, i = np.mgrid[:n, :n]
    wet = (i - 6.5) ** 2 / 30 + (j - 6.0) ** 2 / 20 < 1.0
    wet[6:8, 3:5] = False  # an island
    wet[[0, -1], :] = wet[:, [0, -1]] = False
    return wet


@pytest.mark.parametrize("stretch", [0.0, 0.3])
def test_stokes_area_sum_of_vorticity_is_boundary_circulation(stretch):
    wet = _basin()
    mesh = samples.nemo_mesh(14, 14, dx=3e3, dy=2e3, stretch=stretch, mask=wet)
    grid = fieldops.staggered_grid(mesh)
    rng = np.random.default_rng(1)
    m = {p: mesh[f"{p}mask"].squeeze(("t", "z")).values.astype(bool) for p in "uv"}
    u = _at(mesh, "U", lambda x, y: 0 * x + rng.normal(size=x.shape), "u").where(m["u"], 0.0)
    v = _at(mesh, "V", lambda x, y: 0 * x + rng.normal(size=x.shape), "v").where(m["v"], 0.0)
    zeta = grid.vorticity(u, v, slip="free-slip").values
    area = (mesh.e1f * mesh.e2f).squeeze("t").values
    region = np.isfinite(zeta) & (zeta != 0)  # interior corners: all four faces wet
    assert region.sum() > 30
    lhs = float((zeta * area)[region].sum())
    # Walk the region's boundary: each face counted by the corners on its two sides.
    inside = np.pad(region, 1)  # inside[J + 1, I + 1]: corner (J, I) in the region
    e1u = mesh.e1u.squeeze("t").values
    e2v = mesh.e2v.squeeze("t").values
    # u(j, i) is the south edge of corner (j, i) and the north edge of (j - 1, i)
    south = inside[1:-1, 1:-1].astype(float) - inside[:-2, 1:-1]
    # v(j, i) is the east edge of corner (j, i - 1) and the west edge of (j, i)
    east = inside[1:-1, :-2].astype(float) - inside[1:-1, 1:-1]
    rhs = float((u.values * e1u * south).sum() + (v.values * e2v * east).sum())
    assert abs(rhs) > 1e3
    assert abs(lhs - rhs) < 1e-12 * np.abs(u.values * e1u).sum()


def test_coast_condition_no_slip_doubles_free_slip_zeroes():
    wet = _basin()
    mesh = samples.nemo_mesh(14, 14, mask=wet)
    u = _at(mesh, "U", lambda x, y: 1.0 + 0 * x, "u")
    v = _at(mesh, "V", lambda x, y: 0 * x, "v")
    grid = fieldops.staggered_grid(mesh)
    assert grid.slip == "no-slip"  # NEMO's namelist_ref rn_shlat = 2
    no_slip = grid.vorticity(u, v).values
    free = grid.vorticity(u, v, slip="free-slip").values
    mu = mesh.umask.squeeze(("t", "z")).values.astype(bool)
    # A straight southern coast: u wet above a corner, land below: -2 u / dy.
    i = 6
    j = int(np.argmax(mu[:, i])) - 1  # the corner below the southernmost wet u
    assert mu[j + 1, i] and not mu[j, i] and j > 0
    assert no_slip[j, i] == pytest.approx(-2 * 1.0 / 1000.0)
    assert free[j, i] == 0.0
    assert np.isnan(no_slip[0, 0]) and np.isnan(free[0, 0])  # no wet face around


def test_laplacian_keeps_the_area_integral_zero_on_a_closed_basin():
    wet = _basin()
    mesh = samples.nemo_mesh(14, 14, stretch=0.2, mask=wet)
    t = _at(mesh, "T", lambda x, y: np.sin(x / 3e3) + (y / 5e3) ** 2, "t").where(wet)
    lap = fieldops.staggered_grid(mesh).laplacian(t)
    area = (mesh.e1t * mesh.e2t).squeeze("t").values
    total = float(np.nansum(lap.values * area))
    assert np.isnan(lap.values[~wet]).all() and np.isfinite(lap.values[wet]).all()
    assert abs(total) < 1e-10 * np.nansum(np.abs(lap.values) * area)


def test_periodic_x_wraps():
    n = 16
    mesh = samples.nemo_mesh(n, 6, stretch=0.3, periodic=True)
    grid = fieldops.staggered_grid(mesh, periodic="X")
    length = n * 1000.0
    k = 2 * np.pi / length
    t = _at(mesh, "T", lambda x, y: np.sin(k * x) + 0 * y, "t")
    d = grid.diff(t, "X", position="T")
    # the last U face (east of the last T) differences across the wrap
    tv = t.values
    e1u = mesh.e1u.squeeze("t").values
    np.testing.assert_allclose(d.values[:, -1], (tv[:, 0] - tv[:, -1]) / e1u[:, -1], rtol=1e-13)
    closed = fieldops.staggered_grid(mesh).diff(t, "X", position="T")
    assert np.isnan(closed.values[:, -1]).all()
    i = fieldops.staggered_grid(mesh, periodic=["x"]).interp(t, "X", position="T")
    np.testing.assert_allclose(i.values[:, -1], (tv[:, 0] + tv[:, -1]) / 2, rtol=1e-15)


def test_interp_lengths_n_and_n_plus_one_round_trip_a_linear_field():
    for sym in (True, False):
        ds = samples.mom6_static(9, 7, stretch=0.0, symmetric=sym)
        grid = fieldops.staggered_grid(ds)
        t = (2.0 * ds.geolon + ds.geolat).reset_coords(drop=True).rename("t")
        at_u = grid.interp(t, "X")
        assert at_u.dims == ("yh", "xq") and at_u.sizes["xq"] == ds.sizes["xq"]
        want = (2.0 * ds.geolon_u + ds.geolat_u).values
        ok = np.isfinite(at_u.values)
        np.testing.assert_allclose(at_u.values[ok], want[ok], rtol=1e-13)
        back = grid.interp(at_u, "X")
        assert back.dims == ("yh", "xh")
        np.testing.assert_allclose(back.values[:, 1:-1], t.values[:, 1:-1], rtol=1e-13)


def test_grad_lands_on_faces_with_the_models_widths():
    ds = samples.mitgcm_grid(8, 6, stretch=0.3)
    grid = fieldops.staggered_grid(ds)
    t = (3.0 * ds.XC - 2.0 * ds.YC).reset_coords(drop=True).rename("t")
    gx, gy = grid.grad(t)
    assert gx.dims == ("j", "i_g") and gy.dims == ("j_g", "i")
    np.testing.assert_allclose(gx.values[:, 1:], 3.0, rtol=1e-12)
    np.testing.assert_allclose(gy.values[1:, :], -2.0, rtol=1e-12)
    assert np.isnan(gx.values[:, 0]).all()  # west wall: no T beyond it


def test_roms_metrics_are_the_models_averages():
    ds = samples.roms_grid(7, 6)
    ds["pm"] = ds.pm * (1 + 0.1 * np.arange(7) / 7)
    grid = fieldops.staggered_grid(ds)
    pm = ds.pm.values
    np.testing.assert_allclose(grid.metric("dx_U").values, 2 / (pm[:, 1:] + pm[:, :-1]))
    assert grid.metric("dx_U").dims == ("eta_u", "xi_u")
    assert grid.slip == "no-slip"


def test_nemo_3d_fields_use_their_own_depth_dims_and_the_mesh_masks():
    wet = _basin(10)
    mesh = samples.nemo_mesh(10, 10, mask=wet, nz=3)
    grid = fieldops.staggered_grid(mesh)
    depth = np.array([5.0, 15.0, 30.0])
    u = _at(mesh, "U", lambda x, y: -y / 1e3, "u").expand_dims(depthu=depth)
    v = _at(mesh, "V", lambda x, y: x / 1e3, "v").expand_dims(depthv=depth)
    u = u.assign_coords(depthu=depth)
    v = v.assign_coords(depthv=depth)
    zeta = grid.vorticity(u, v, slip="free-slip")
    assert zeta.dims == ("depthf", "y", "x")
    np.testing.assert_array_equal(zeta.depthf, depth)
    interior = (zeta != 0) & zeta.notnull()
    np.testing.assert_allclose(zeta.values[interior.values], 2e-3, rtol=1e-12)
    surface = grid.vorticity(u.isel(depthu=0), v.isel(depthv=0), slip="free-slip")
    np.testing.assert_array_equal(surface.values, zeta.values[0])


def test_b_grid_velocities_at_corners():
    ds = samples.mom6_static(10, 8, stretch=0.3)
    ds = ds.drop_vars(["wet", "wet_u", "wet_v", "wet_c"])
    grid = fieldops.staggered_grid(ds)
    x, y = ds.geolon_c.reset_coords(drop=True), ds.geolat_c.reset_coords(drop=True)
    u = (0.5 * x - 2.0 * y).rename("u")
    v = (3.0 * x + 0.25 * y).rename("v")
    div = grid.divergence(u, v)
    zeta = grid.vorticity(u, v)
    assert div.dims == zeta.dims == ("yh", "xh")
    np.testing.assert_allclose(div.values, 0.75, rtol=1e-12)
    np.testing.assert_allclose(zeta.values, 5.0, rtol=1e-12)


def test_float32_fields_stay_float32_and_integers_become_float64():
    mesh = samples.nemo_mesh(8, 6)
    grid = fieldops.staggered_grid(mesh)
    u = _at(mesh, "U", lambda x, y: x / 1e3, "u")
    v = _at(mesh, "V", lambda x, y: y / 1e3, "v")
    z32 = grid.vorticity(u.astype(np.float32), v.astype(np.float32))
    assert z32.dtype == np.float32
    np.testing.assert_allclose(z32.values, grid.vorticity(u, v).values, rtol=1e-6)
    assert grid.divergence(u.astype(int), v.astype(int)).dtype == np.float64


@pytest.mark.parametrize("keep", [True, False])
def test_attribute_policy_of_the_grid_methods(keep):
    mesh = samples.nemo_mesh(8, 6)
    grid = fieldops.staggered_grid(mesh)
    attrs = {"units": "m s-1", "grid_mapping": "crs", "standard_name": "sea_water_x_velocity"}
    u = _at(mesh, "U", lambda x, y: y / 1e3, "u").assign_attrs(attrs)
    v = _at(mesh, "V", lambda x, y: x / 1e3, "v").assign_attrs(attrs)
    t = _at(mesh, "T", lambda x, y: x, "t").assign_attrs(attrs | {"units": "K"})
    with xr.set_options(keep_attrs=keep):
        zeta, div = grid.vorticity(u, v), grid.divergence(u, v)
        lap, d = grid.laplacian(t), grid.diff(t, "X", position="T")
        mean = grid.interp(t, "Y", position="T")
    assert zeta.attrs["units"] == div.attrs["units"] == "s-1"
    assert lap.attrs["units"] == "K m-2" and d.attrs["units"] == "K m-1"
    for res in (zeta, div, lap, d):
        assert "standard_name" not in res.attrs and res.attrs["long_name"]
        assert ("grid_mapping" in res.attrs) == keep
    assert mean.attrs.get("standard_name") == ("sea_water_x_velocity" if keep else None)
    assert mean.attrs["units"] == "K"
