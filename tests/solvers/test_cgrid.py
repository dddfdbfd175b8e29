"""helmholtz(grid=...) on staggered C grids: psi at F, chi at T, the models' own operators."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.solvers.cgrid import problems
from fieldops.staggered import samples


def _basin(ny: int = 20, nx: int = 24) -> np.ndarray:
    """Wet T cells: a west coast, an island and a dry north-east corner."""
    wet = np.ones((ny, nx), bool)
    wet[:, 0] = False
    wet[8:11, 9:13] = False
    wet[-3:, -4:] = False
    return wet


def _grid(convention: str, mask=None, **kw):
    ny, nx = (20, 24) if mask is None else mask.shape
    make = {
        "nemo": lambda: samples.nemo_mesh(nx, ny, mask=mask, stretch=0.3, **kw),
        "mom6": lambda: samples.mom6_static(nx, ny, mask=mask, stretch=0.3),
        "mom6-nonsymmetric": lambda: samples.mom6_static(nx, ny, mask=mask, symmetric=False),
        "roms": lambda: samples.roms_grid(nx, ny, mask=mask),
        "mitgcm": lambda: samples.mitgcm_grid(nx, ny, mask=mask, stretch=0.3),
    }[convention]
    return fieldops.staggered_grid(make(), **kw)


def _random_winds(grid, seed: int = 0):
    """Random u on U faces and v on V faces, 0 on land faces (as NEMO writes them)."""
    rng = np.random.default_rng(seed)
    out = []
    for pos, name in (("U", "u"), ("V", "v")):
        like = grid.metric(f"dx_{pos}")
        val = like.copy(data=rng.standard_normal(like.shape)).rename(name)
        mask = grid.layout.metrics.get(f"mask_{pos}")
        if mask is not None:
            val = val.where(mask, 0.0)
        out.append(val.assign_attrs(units="m s-1"))
    return out


def _inner_corners(grid, like: xr.DataArray) -> np.ndarray:
    cells = problems(grid, "direct")["F"].cells
    inner = np.zeros(like.size, bool)
    inner[cells] = True
    return inner.reshape(like.shape)


@pytest.mark.parametrize("convention", ["nemo", "mom6", "mom6-nonsymmetric", "roms", "mitgcm"])
@pytest.mark.parametrize("masked", [False, True])
def test_the_identities_hold_to_roundoff_on_every_convention(convention, masked):
    grid = _grid(convention, _basin() if masked else None)
    u, v = _random_winds(grid)
    parts = fieldops.helmholtz(u, v, grid=grid)
    psi, chi = parts.streamfunction, parts.velocity_potential
    assert psi.dims == grid.dims["F"] and chi.dims == grid.dims["T"]
    assert parts.u_rot.dims == u.dims and parts.v_div.dims == v.dims
    scale_z = float(abs(grid.vorticity(u, v)).max())
    scale_d = float(abs(grid.divergence(u, v)).max())
    # the rotational part has no divergence anywhere; the divergent part no curl inside
    div_rot = grid.divergence(parts.u_rot, parts.v_rot)
    assert float(abs(div_rot).max()) < 1e-12 * scale_d
    inner = _inner_corners(grid, psi)
    assert inner.sum() > 200
    curl_div = grid.vorticity(parts.u_div, parts.v_div).transpose(*psi.dims).values
    assert np.abs(curl_div[inner]).max() < 1e-12 * scale_z
    # each part carries its own field: the vorticity inside, the divergence less its mean
    zeta = grid.vorticity(u, v).transpose(*psi.dims).values
    zeta_rot = grid.vorticity(parts.u_rot, parts.v_rot).transpose(*psi.dims).values
    np.testing.assert_allclose(zeta_rot[inner], zeta[inner], atol=1e-11 * scale_z)
    div = grid.divergence(u, v)
    div_div = grid.divergence(parts.u_div, parts.v_div)
    area = grid.metric("area_T").where(div.notnull())
    mean = float((div * area).sum() / area.sum())
    np.testing.assert_allclose(div_div, div - mean, atol=1e-11 * scale_d)
    # and the parts add up to the wind exactly
    np.testing.assert_allclose(parts.u_rot + parts.u_div + parts.u_harm, u, atol=1e-14)
    np.testing.assert_allclose(parts.v_rot + parts.v_div + parts.v_harm, v, atol=1e-14)


def test_a_purely_rotational_and_a_purely_divergent_flow_come_back():
    grid = _grid("nemo", _basin())
    u0, v0 = _random_winds(grid, seed=3)
    rot = fieldops.helmholtz(u0, v0, grid=grid)
    # the rotational part of any wind is its own rotational part, with the same psi
    again = fieldops.helmholtz(rot.u_rot.rename("u"), rot.v_rot.rename("v"), grid=grid)
    scale = float(abs(rot.streamfunction).max())
    np.testing.assert_allclose(again.streamfunction, rot.streamfunction, atol=1e-10 * scale)
    assert float(abs(again.velocity_potential).max()) < 1e-10 * scale
    np.testing.assert_allclose(again.u_harm, 0, atol=1e-12)
    # the divergent part likewise, with the same chi
    div = fieldops.helmholtz(rot.u_div.rename("u"), rot.v_div.rename("v"), grid=grid)
    scale = float(abs(rot.velocity_potential).max())
    np.testing.assert_allclose(div.velocity_potential, rot.velocity_potential, atol=1e-10 * scale)
    assert float(abs(div.streamfunction).max()) < 1e-10 * scale


def test_points_names_units_and_land():
    mask = _basin()
    grid = _grid("nemo", mask)
    u, v = _random_winds(grid)
    parts = fieldops.helmholtz(u, v, grid=grid)
    psi, chi = parts.streamfunction, parts.velocity_potential
    assert {"glamf", "gphif"} <= set(psi.coords) and {"glamt", "gphit"} <= set(chi.coords)
    assert psi.attrs["units"] == chi.attrs["units"] == "m2 s-1"
    assert psi.attrs["standard_name"] == "atmosphere_horizontal_streamfunction"
    assert "C grid" in parts.attrs["helmholtz_boundary"]
    np.testing.assert_array_equal(chi.isnull().values, ~mask)
    # psi: 0 on the coast's corners, NaN only inside the island and the dry corner
    assert float(psi.isel(y=9, x=0)) == 0.0
    assert bool(psi.isel(y=9, x=10).isnull()) and int(psi.isnull().sum()) < mask.size // 10
    # the area-weighted mean of chi on the basin is zero
    area = grid.metric("area_T")
    assert abs(float((chi * area).sum() / area.where(chi.notnull()).sum())) < 1e-9 * float(
        abs(chi).max()
    )


def test_periodic_x():
    grid = _grid("nemo", None, periodic=["X"])
    u, v = _random_winds(grid)
    parts = fieldops.helmholtz(u, v, grid=grid)
    div_rot = grid.divergence(parts.u_rot, parts.v_rot)
    assert float(abs(div_rot).max()) < 1e-12 * float(abs(grid.divergence(u, v)).max())
    inner = _inner_corners(grid, parts.streamfunction)
    assert inner[1:-1, 0].all() and inner[1:-1, -1].all()  # no wall at the seam
    np.testing.assert_allclose(parts.u_rot + parts.u_div + parts.u_harm, u, atol=1e-14)


def _stacks(grid):
    u, v = _random_winds(grid)
    uu = xr.concat([u * (1 + k) for k in range(4)], "time").rename("u")
    vv = xr.concat([v * (2 - k) for k in range(4)], "time").rename("v")
    return uu, vv


def test_dask_agrees_with_numpy_and_keeps_chunks():
    grid = _grid("mom6", _basin())
    uu, vv = _stacks(grid)
    eager = fieldops.helmholtz(uu, vv, grid=grid)
    lazy = fieldops.helmholtz(uu.chunk({"time": 2}), vv.chunk({"time": 2}), grid=grid)
    assert lazy.streamfunction.chunks[0] == (2, 2)
    xr.testing.assert_allclose(lazy.compute(), eager, atol=1e-12)


def test_the_dask_call_computes_nothing(no_compute):
    grid = _grid("mitgcm", _basin())
    uu, vv = _stacks(grid)
    lazy = fieldops.helmholtz(uu.chunk({"time": 1}), vv.chunk({"time": 1}), grid=grid)
    assert all(isinstance(lazy[k].data, type(uu.chunk().data)) for k in lazy.data_vars)


def test_the_iterative_solver_gives_the_same_answer():
    pytest.importorskip("pyamg")
    grid = _grid("roms", _basin())
    u, v = _random_winds(grid)
    direct = fieldops.helmholtz(u, v, grid=grid)
    it = fieldops.helmholtz(u, v, grid=grid, solver="iterative")
    for name in ("streamfunction", "velocity_potential"):
        scale = float(abs(direct[name]).max())
        np.testing.assert_allclose(it[name], direct[name], atol=1e-8 * scale)


def test_single_potentials_and_the_accessor():
    grid = _grid("nemo", _basin())
    u, v = _random_winds(grid)
    parts = fieldops.helmholtz(u, v, grid=grid)
    psi = fieldops.streamfunction(u, v, grid=grid)
    # (in the Dataset every NEMO (y, x) coordinate is shared by all variables)
    xr.testing.assert_identical(
        psi, parts.streamfunction.reset_coords(drop=True).assign_coords(psi.coords)
    )
    assert set(psi.coords) == {"glamf", "gphif"}
    chi = xr.Dataset({"u": u, "v": v}).fieldops.velocity_potential(u="u", v="v", grid=grid)
    np.testing.assert_array_equal(chi.values, parts.velocity_potential.values)
    assert chi.attrs == parts.velocity_potential.attrs


def test_bad_input():
    grid = _grid("nemo", _basin())
    u, v = _random_winds(grid)
    with pytest.raises(ValueError, match=r"fixes \['boundary', 'accuracy'\]"):
        fieldops.helmholtz(u, v, grid=grid, boundary="neumann", accuracy=4)
    with pytest.raises(TypeError, match="u and v must be DataArrays"):
        fieldops.helmholtz(u.to_dataset(), v, grid=grid)
    with pytest.raises(TypeError, match="StaggeredGrid"):
        fieldops.helmholtz(u, v, grid=grid.layout)
    corner = grid.metric("area_F").copy(data=np.ones(grid.metric("area_F").shape))
    with pytest.raises(ValueError, match="B grid"):
        fieldops.helmholtz(
            corner.rename("u").assign_attrs(location="node"),
            corner.rename("v").assign_attrs(location="node"),
            grid=grid,
        )
    with pytest.raises(ValueError, match=r"of u are split .* u.chunk\(\{'y': -1, 'x': -1\}\)"):
        fieldops.helmholtz(u.chunk({"x": 12}), v.chunk({"x": 12}), grid=grid)
    with pytest.raises(ValueError, match="not finite at"):
        fieldops.helmholtz(u.where(u.x != 5), v, grid=grid)


def test_a_grid_without_masks_whose_file_holds_the_edge_faces():
    # MOM6 symmetric memory without wet masks: the outer U and V faces exist, no centre
    # lies beyond them; chi's operator must still close (no flux through them).
    ds = samples.mom6_static(24, 20, stretch=0.3).drop_vars(["wet", "wet_u", "wet_v", "wet_c"])
    grid = fieldops.staggered_grid(ds)
    u, v = _random_winds(grid)
    parts = fieldops.helmholtz(u, v, grid=grid)
    assert not bool(parts.velocity_potential.isnull().any())
    for edge in ({"xq": 0}, {"xq": -1}):
        np.testing.assert_array_equal(parts.u_div.isel(edge), 0.0)  # no flux through the edge
    div = grid.divergence(u, v)
    div_div = grid.divergence(parts.u_div, parts.v_div)
    mean = float((div * grid.metric("area_T")).sum() / grid.metric("area_T").sum())
    np.testing.assert_allclose(div_div, div - mean, atol=1e-11 * float(abs(div).max()))
    div_rot = grid.divergence(parts.u_rot, parts.v_rot)
    assert float(abs(div_rot).max()) < 1e-12 * float(abs(div).max())


def test_an_operator_not_in_flux_form_on_a_closed_basin_is_refused():
    from fieldops.solvers.cgrid import FluxSolver

    def lap(f):  # a zero-flux second difference whose last row is scaled: no area balances it
        flux = np.diff(f, axis=-1)
        out = np.zeros_like(f)
        out[..., :-1] += flux
        out[..., 1:] -= flux
        out[..., -1] *= 3.0
        return out

    with pytest.raises(ValueError, match="not a flux divergence"):
        FluxSolver(lap, np.ones((1, 6), bool), np.ones((1, 6)), (False, False))
