"""solver="iterative": multigrid (pyamg) + GMRES gives the direct solver's answers."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.solvers import iterative
from tests.solvers._grids import curvilinear, on_sphere, plane
from tests.solvers.test_poisson import _equations, _island_mask, _smooth

pytest.importorskip("pyamg")


def _field(kind: str) -> xr.DataArray:
    if kind == "plane":
        return _smooth(plane(40, 50))
    if kind == "curvilinear":
        return _smooth(curvilinear())
    lat, lon = np.arange(20.0, 60.1, 2.0), np.arange(-30.0, 30.1, 2.0)
    return _smooth(on_sphere(np.zeros((lat.size, lon.size)), lat, lon))


@pytest.mark.parametrize("coast", ["dirichlet", "neumann"])
@pytest.mark.parametrize("kind", ["plane", "curvilinear", "regional"])
def test_iterative_round_trip_with_a_mask_matches_the_direct_solver(kind, coast):
    f = _field(kind)
    mask = _island_mask(f)
    rhs = fieldops.laplacian(f, mask=mask)
    values = _equations(rhs, f, boundary=coast, coast=coast, mask=mask)
    opts = {"boundary": coast, "coast": coast, "mask": mask, "boundary_values": values}
    g_it = fieldops.solve_poisson(rhs, solver="iterative", **opts)
    g_lu = fieldops.solve_poisson(rhs, solver="direct", **opts)
    np.testing.assert_array_equal(g_it.isnull().values, ~mask.values)
    scale = float(abs(f).max())
    # neumann: both fix the constant the same way (zero area-weighted mean)
    np.testing.assert_allclose(g_it.fillna(0), g_lu.fillna(0), atol=1e-7 * scale)
    diff = (g_it - f).where(mask).values
    diff = diff - np.nanmean(diff) if coast == "neumann" else diff
    np.testing.assert_allclose(np.nan_to_num(diff), 0, atol=1e-7 * scale)
    assert "multigrid" in g_it.attrs["poisson_solver"]
    assert "SuperLU" in g_lu.attrs["poisson_solver"]


def test_iterative_helmholtz_on_a_masked_regional_cut_of_the_sample():
    ds = fieldops.open_sample().isel(month=0).sel(latitude=slice(70, 10), longitude=slice(-80, 40))
    lat, lon = ds.latitude, ds.longitude
    land = (lat > 30) & (lat < 45) & (lon > -10) & (lon < 20)
    parts = {
        s: fieldops.helmholtz(ds.u, ds.v, mask=~land, solver=s) for s in ("iterative", "direct")
    }
    for name in ("streamfunction", "velocity_potential", "u_rot", "v_div"):
        a, b = parts["iterative"][name], parts["direct"][name]
        np.testing.assert_allclose(
            a.fillna(0), b.fillna(0), atol=1e-7 * float(abs(b).max()), err_msg=name
        )
    total = parts["iterative"].u_rot + parts["iterative"].u_div + parts["iterative"].u_harm
    np.testing.assert_allclose(total.where(~land), ds.u.where(~land), atol=1e-10)


def test_iterative_on_dask_matches_numpy_and_stays_lazy():
    f = _smooth(plane(40, 50))
    mask = _island_mask(f)
    rhs = fieldops.laplacian(f, mask=mask)
    stack = xr.concat([rhs * (1 + k) for k in range(4)], dim="time")
    lazy = fieldops.solve_poisson(stack.chunk({"time": 2}), mask=mask, solver="iterative")
    assert lazy.chunks == stack.chunk({"time": 2}).chunks
    eager = fieldops.solve_poisson(stack, mask=mask, solver="iterative")
    np.testing.assert_allclose(lazy.values, eager.values, atol=1e-9 * float(abs(eager).max()))


def test_iterative_raises_when_it_does_not_converge(monkeypatch):
    f = _smooth(plane(40, 50))
    rhs = fieldops.laplacian(f)
    monkeypatch.setattr(iterative, "_MAXITER", 1)
    with pytest.raises(RuntimeError, match="relative residual .* solver='direct'"):
        fieldops.solve_poisson(rhs, boundary="neumann", solver="iterative", accuracy=4)


def test_unknown_solver_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"solver must be one of \('direct', 'iterative'\)"):
        fieldops.solve_poisson(_smooth(plane()), solver="cg")


def test_multigrid_solves_the_transpose_too():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    n = 30
    lap1 = sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(n, n))
    skew = sp.diags([0.3, -0.3], [-1, 1], shape=(n * n, n * n))  # not symmetric
    matrix = (sp.kronsum(lap1, lap1) + skew).tocsr()
    b = rng.standard_normal((n * n, 3))
    mg = iterative.Multigrid(matrix)
    for trans, m in (("N", matrix), ("T", matrix.T)):
        x = mg.solve(b, trans=trans)
        assert np.linalg.norm(m @ x - b) < 1e-9 * np.linalg.norm(b)


def test_iterative_on_a_masked_global_sphere_with_a_pole_row():
    # the rows next to a pole carry 1/cos^2 terms (the direct path refines once for them)
    ds = fieldops.open_sample().isel(month=0, level=1)
    lat, lon = ds.latitude, ds.longitude
    land = ((lat > 10) & (lat < 50) & (lon > -100) & (lon < -60)) | (lat < -70)
    zeta = fieldops.vorticity(ds.u, ds.v)
    direct = fieldops.solve_poisson(zeta, mask=~land)
    it = fieldops.solve_poisson(zeta, mask=~land, solver="iterative")
    np.testing.assert_allclose(
        it.fillna(0), direct.fillna(0), atol=1e-10 * float(abs(direct).max())
    )
    assert float(it.isel(latitude=0).std()) < 1e-9 * float(abs(it).max())  # one value at the pole
