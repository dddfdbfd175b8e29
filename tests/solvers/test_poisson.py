"""solve_poisson: round trips and residuals on every grid kind and condition, bad input, Dask."""

from __future__ import annotations

import warnings

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.grids.frame import midpoint_widths
from fieldops.solvers.problem import problem
from tests.solvers._grids import curvilinear, harmonic, on_sphere, plane, sphere


def _smooth(da: xr.DataArray) -> xr.DataArray:
    """A smooth non-polynomial field on ``da``'s grid (index coordinates)."""
    ny, nx = da.shape
    j, i = np.meshgrid(np.linspace(0, 1, ny), np.linspace(0, 1, nx), indexing="ij")
    return da.copy(data=np.sin(3 * j + 1) * np.exp(i) + j**2 * np.cos(2 * i))


def _equations(rhs, f, **kw):
    """What boundary_values must be for ``f`` to solve the problem (its boundary rows)."""
    p = problem(
        rhs, None, boundary=kw.get("boundary"), coast=kw.get("coast", "dirichlet"),
        mask=kw.get("mask"), nan_policy="propagate", accuracy=kw.get("accuracy", 2),
        geometry="auto", radius=fieldops.EARTH_RADIUS, poles="limit",
    )  # fmt: skip
    return f.copy(data=p.solver.equations(f.values))


# ---------------------------------------------------------------- the full sphere


@pytest.mark.parametrize("accuracy", [2, 4])
@pytest.mark.parametrize(
    "grid",
    [{}, {"poles": False}, {"start": -180.0}, {"nlat": 36, "nlon": 90, "poles": False}],
    ids=["poles", "no-poles", "lon-from-180", "odd-sizes"],
)
def test_round_trip_on_the_sphere(accuracy, grid):
    lat, lon = sphere(**grid)
    phi, lam = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    # Every zonal wavenumber > 0 (single-valued at the poles: zero there).
    f = on_sphere(harmonic(lat, lon) + np.cos(phi) ** 3 * np.sin(3 * lam + 0.3), lat, lon)
    rhs = fieldops.laplacian(f, accuracy=accuracy)
    g = fieldops.solve_poisson(rhs, accuracy=accuracy)
    assert g.attrs["poisson_solver"].startswith("direct")
    np.testing.assert_allclose(g, f, atol=1e-11 * float(abs(f).max()))


def test_residual_on_the_sphere_with_a_zonal_mean_and_gaussian_latitudes():
    # Gaussian latitudes, a zonal-mean part: the residual is the operator's roundoff.
    x, _ = np.polynomial.legendre.leggauss(32)
    lat = np.rad2deg(np.arcsin(x))
    lon = np.arange(64) * 360.0 / 64
    phi = np.deg2rad(lat)[:, None]
    f = on_sphere(np.sin(phi) ** 2 + np.cos(phi) * np.cos(np.deg2rad(lon))[None, :], lat, lon)
    rhs = fieldops.laplacian(f)
    g = fieldops.solve_poisson(rhs)
    scale = float(abs(rhs).max())
    np.testing.assert_allclose(fieldops.laplacian(g), rhs, atol=1e-12 * scale)
    # The solution has zero area-weighted mean (cells between midpoints), and differs
    # from f by a constant.
    phi = np.deg2rad(g.lat.values)
    w = xr.DataArray(np.cos(phi) * midpoint_widths(phi), dims="lat")
    assert abs(float(g.weighted(w).mean())) < 1e-12
    diff = (g - f).values
    np.testing.assert_allclose(diff, diff.mean(), atol=1e-10)


def test_a_nonzero_mean_on_the_sphere_is_removed_with_a_warning():
    lat, lon = sphere()
    rhs = on_sphere(np.ones((lat.size, lon.size)) * 1e-5 + harmonic(lat, lon) * 1e-5, lat, lon)
    with pytest.warns(UserWarning, match="removing a constant"):
        g = fieldops.solve_poisson(rhs)
    resid = fieldops.laplacian(g) - rhs
    np.testing.assert_allclose(resid, -1e-5, rtol=1e-6)  # exactly the mean, removed


def test_units_and_attrs():
    lat, lon = sphere()
    g = fieldops.solve_poisson(on_sphere(harmonic(lat, lon), lat, lon, units="s-1"))
    assert g.attrs["units"] == "m2 s-1"
    assert g.attrs["poisson_boundary"] == "lat: closed (sphere); lon: periodic"
    assert g.name == "poisson_f"


# ---------------------------------------------------------------- bounded domains


@pytest.mark.parametrize("accuracy", [2, 4])
@pytest.mark.parametrize(
    ("kind", "boundary"),
    [
        ("plane", "dirichlet"),
        ("plane", "neumann"),
        ("plane", {"y": "dirichlet", "x": "neumann"}),
        ("regional", "dirichlet"),
        ("regional", "neumann"),
        ("curvilinear", "dirichlet"),
        ("curvilinear", "neumann"),
    ],
)
def test_round_trip_on_bounded_domains(accuracy, kind, boundary):
    if kind == "plane":
        f = _smooth(plane())
    elif kind == "curvilinear":
        f = _smooth(curvilinear())
    else:
        lat, lon = np.arange(20.0, 60.1, 2.0), np.arange(-30.0, 30.1, 2.0)
        f = _smooth(on_sphere(np.zeros((lat.size, lon.size)), lat, lon))
    rhs = fieldops.laplacian(f, accuracy=accuracy)
    g_values = _equations(rhs, f, boundary=boundary, accuracy=accuracy)
    g = fieldops.solve_poisson(rhs, boundary=boundary, boundary_values=g_values, accuracy=accuracy)
    assert g.attrs["poisson_solver"].startswith("sparse")
    diff = (g - f).values
    scale = float(abs(f).max())
    if boundary == "dirichlet" or isinstance(boundary, dict):
        np.testing.assert_allclose(diff, 0, atol=1e-10 * scale)
    else:
        np.testing.assert_allclose(diff, diff.mean(), atol=1e-9 * scale)


def test_dirichlet_values_are_taken_from_boundary_values_on_the_ring_only():
    f = _smooth(plane())
    rhs = fieldops.laplacian(f)
    noisy = f.copy(data=np.where(np.ones(f.shape, bool), f.values, 0))
    noisy[5:-5, 5:-5] = 1e6  # interior values of boundary_values are not read
    g = fieldops.solve_poisson(rhs, boundary_values=noisy)
    np.testing.assert_allclose(g, f, atol=1e-10)
    # the interior residual is the operator's roundoff
    inner = dict(y=slice(1, -1), x=slice(1, -1))
    np.testing.assert_allclose(fieldops.laplacian(g)[inner], rhs[inner], atol=1e-9)


def test_manufactured_dirichlet_solution_converges_at_the_accuracy_order():
    # u = sin(pi x) sin(pi y) on [0,1]^2: laplacian = -2 pi^2 u, u = 0 on the edge.
    errors = {2: [], 4: []}
    for n in (17, 33):
        y = x = np.linspace(0.0, 1.0, n)
        exact = np.sin(np.pi * y)[:, None] * np.sin(np.pi * x)[None, :]
        rhs = xr.DataArray(-2 * np.pi**2 * exact, dims=("y", "x"), coords={"y": y, "x": x})
        for acc in errors:
            g = fieldops.solve_poisson(rhs, accuracy=acc)
            errors[acc].append(float(abs(g - exact).max()))
    for acc, (coarse, fine) in errors.items():
        order = np.log2(coarse / fine)
        assert acc - 0.5 < order < acc + 1.0, (acc, order)


def test_manufactured_neumann_solution_converges_at_the_accuracy_order():
    # u = cos(pi x) cos(2 pi y) + x^2 (x - 1)^2 ... on [0,1]^2 with its own outward
    # derivative on the edge: the given flux (boundary_values), the analytic rhs.
    def exact(y, x):
        return np.cos(np.pi * x) * np.cos(2 * np.pi * y) + np.sin(np.pi * x) * y

    def laplacian(y, x):
        return (
            -5 * np.pi**2 * np.cos(np.pi * x) * np.cos(2 * np.pi * y)
            - np.pi**2 * np.sin(np.pi * x) * y
        )

    def outward(y, x, n):
        """The outward derivative along the first dim (y, then x) with a missing side."""
        dy = -2 * np.pi * np.cos(np.pi * x) * np.sin(2 * np.pi * y) + np.sin(np.pi * x)
        dx = -np.pi * np.sin(np.pi * x) * np.cos(2 * np.pi * y) + np.pi * np.cos(np.pi * x) * y
        flux = np.zeros_like(y)
        flux[:, 0], flux[:, -1] = -dx[:, 0], dx[:, -1]
        flux[0, :], flux[-1, :] = -dy[0, :], dy[-1, :]  # y wins at the corners
        return flux

    errors = {2: [], 4: []}
    for n in (33, 65):
        y, x = np.meshgrid(np.linspace(0.0, 1.0, n), np.linspace(0.0, 1.0, n), indexing="ij")
        coords = {"y": y[:, 0], "x": x[0]}
        rhs = xr.DataArray(laplacian(y, x), dims=("y", "x"), coords=coords)
        flux = rhs.copy(data=outward(y, x, n))
        want = exact(y, x)
        for acc in errors:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the discrete flux balance is off by truncation
                g = fieldops.solve_poisson(rhs, boundary="neumann", boundary_values=flux,
                                           accuracy=acc)  # fmt: skip
            diff = g.values - want
            errors[acc].append(float(abs(diff - diff.mean()).max()))
    for acc, (coarse, fine) in errors.items():
        order = np.log2(coarse / fine)
        assert acc - 0.5 < order < acc + 1.0, (acc, order, coarse, fine)


def test_periodic_plane():
    f = _smooth(plane(periodic=True))
    y, x = np.meshgrid(f.y, f.x, indexing="ij")
    f = f.copy(data=np.sin(2 * np.pi * y) * np.cos(np.pi * x) + np.cos(2 * np.pi * y))
    rhs = fieldops.laplacian(f, boundary="periodic", accuracy=4)
    g = fieldops.solve_poisson(rhs, boundary="periodic", accuracy=4)
    np.testing.assert_allclose(g, f, atol=1e-10)  # f has zero mean: no constant either


# ---------------------------------------------------------------- masks


def _island_mask(f: xr.DataArray) -> xr.DataArray:
    ny, nx = f.shape
    j, i = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    land = ((j - ny / 2) ** 2 + (i - nx / 3) ** 2 < 16) | ((i > 0.75 * nx) & (j < ny / 3))
    return xr.DataArray(~land, dims=f.dims, coords={d: f[d] for d in f.dims if d in f.coords})


@pytest.mark.parametrize("coast", ["dirichlet", "neumann"])
@pytest.mark.parametrize("kind", ["plane", "curvilinear", "regional"])
def test_round_trip_with_a_mask(coast, kind):
    if kind == "plane":
        f = _smooth(plane())
    elif kind == "curvilinear":
        f = _smooth(curvilinear())
    else:
        lat, lon = np.arange(20.0, 60.1, 2.0), np.arange(-30.0, 30.1, 2.0)
        f = _smooth(on_sphere(np.zeros((lat.size, lon.size)), lat, lon))
    mask = _island_mask(f)
    rhs = fieldops.laplacian(f, mask=mask)
    boundary = coast
    g_values = _equations(rhs, f, boundary=boundary, coast=coast, mask=mask)
    g = fieldops.solve_poisson(
        rhs, boundary=boundary, coast=coast, mask=mask, boundary_values=g_values
    )
    np.testing.assert_array_equal(g.isnull().values, ~mask.values)
    diff = (g - f).where(mask).values
    diff = diff - np.nanmean(diff) if coast == "neumann" else diff
    np.testing.assert_allclose(np.nan_to_num(diff), 0, atol=1e-9 * float(abs(f).max()))


def test_nan_policy_omit_reads_the_domain_from_nan():
    f = _smooth(plane())
    mask = _island_mask(f)
    rhs = fieldops.laplacian(f, mask=mask).where(mask)
    g1 = fieldops.solve_poisson(rhs, nan_policy="omit", boundary_values=f)
    g2 = fieldops.solve_poisson(rhs, mask=mask, boundary_values=f)
    xr.testing.assert_allclose(g1, g2)
    np.testing.assert_allclose(g1.where(mask), f.where(mask), atol=1e-10)


def test_a_domain_split_by_the_mask_is_solved_piece_by_piece():
    f = _smooth(plane())
    mask = xr.ones_like(f, dtype=bool)
    mask[:, 14:16] = False  # a wall from edge to edge: two pieces
    rhs = fieldops.laplacian(f, mask=mask)
    g_values = _equations(rhs, f, boundary="neumann", coast="neumann", mask=mask)
    g = fieldops.solve_poisson(
        rhs, boundary="neumann", coast="neumann", mask=mask, boundary_values=g_values
    )
    for piece in (slice(0, 14), slice(16, None)):
        d = (g - f)[:, piece].values
        np.testing.assert_allclose(d, d.mean(), atol=1e-9)  # its own constant
    left, right = (g - f)[:, :14].mean(), (g - f)[:, 16:].mean()
    assert abs(float(left - right)) > 1e-3  # each piece has its own zero mean


def test_masked_global_sphere_with_poles():
    ds = fieldops.open_sample().isel(month=0, level=1)
    lat, lon = ds.latitude, ds.longitude
    land = ((lat > 10) & (lat < 50) & (lon > -100) & (lon < -60)) | (lat < -70)
    zeta = fieldops.vorticity(ds.u, ds.v)
    psi = fieldops.solve_poisson(zeta, mask=~land)
    p = problem(
        zeta, None, boundary=None, coast="dirichlet", mask=~land, nan_policy="propagate",
        accuracy=2, geometry="auto", radius=fieldops.EARTH_RADIUS, poles="limit",
    )  # fmt: skip
    interior = p.solver.kind == 0  # INTERIOR
    resid = (fieldops.laplacian(psi, mask=~land) - zeta).values[interior]
    assert np.abs(resid).max() < 1e-9 * float(abs(zeta).max())
    assert float(abs(psi.where(land)).max(skipna=True)) == 0 or bool(psi.where(land).isnull().all())
    # single-valued at the north pole
    assert float(psi.isel(latitude=0).std()) < 1e-9 * float(abs(psi).max())


def test_land_on_the_rings_next_to_a_pole():
    # Part of the rings around the north pole is land: the pole cell touches the coast,
    # so it takes the coast's condition (psi = 0, one value) instead of the pole limit.
    ds = fieldops.open_sample().isel(month=0, level=1)
    lat, lon = ds.latitude, ds.longitude
    land = (lat >= 80) & (lat < 89) & (lon > -60) & (lon < 0)
    zeta = fieldops.vorticity(ds.u, ds.v)
    psi = fieldops.solve_poisson(zeta, mask=~land)
    assert bool(np.isfinite(psi.values[~land.values]).all())
    assert bool(np.isnan(psi.values[land.values]).all())
    np.testing.assert_array_equal(psi.isel(latitude=0), 0.0)
    p = problem(
        zeta, None, boundary=None, coast="dirichlet", mask=~land, nan_policy="propagate",
        accuracy=2, geometry="auto", radius=fieldops.EARTH_RADIUS, poles="limit",
    )  # fmt: skip
    interior = p.solver.kind == 0  # INTERIOR
    resid = (fieldops.laplacian(psi, mask=~land) - zeta).values[interior]
    assert np.abs(resid).max() < 1e-9 * float(abs(zeta).max())


# ---------------------------------------------------------------- bad input


def test_bad_input():
    f = _smooth(plane())
    rhs = fieldops.laplacian(f)
    with pytest.raises(ValueError, match="not finite.*mask="):
        fieldops.solve_poisson(rhs.where(rhs > rhs.mean()))
    with pytest.raises(ValueError, match="needs at least 9"):
        fieldops.solve_poisson(rhs.isel(y=slice(0, 6)), accuracy=4)
    with pytest.raises(ValueError, match="boundary 'wall'"):
        fieldops.solve_poisson(rhs, boundary="wall")
    with pytest.raises(ValueError, match="coast must be"):
        fieldops.solve_poisson(rhs, coast="wall")
    with pytest.raises(ValueError, match="different places"):
        stack = xr.concat([rhs, rhs.where(rhs > rhs.mean())], "time")
        fieldops.solve_poisson(stack, nan_policy="omit")
    with pytest.raises(ValueError, match="no valid cell"):
        fieldops.solve_poisson(rhs, mask=xr.zeros_like(f, dtype=bool))
    with pytest.raises(TypeError, match="DataArray"):
        fieldops.solve_poisson(rhs.to_dataset(name="r"))
    lat, lon = sphere()
    s = on_sphere(harmonic(lat, lon), lat, lon)
    with pytest.raises(ValueError, match="no boundary"):
        fieldops.solve_poisson(s, boundary={"lat": "dirichlet"})
    seam = xr.concat([s, s.isel(lon=[0]).assign_coords(lon=[360.0])], "lon")
    with pytest.raises(ValueError, match="repeats its first column"):
        fieldops.solve_poisson(seam)


def test_neumann_flux_that_does_not_balance_warns():
    f = _smooth(plane())
    rhs = fieldops.laplacian(f) + 5.0
    with pytest.warns(UserWarning, match="does not integrate to the boundary flux"):
        fieldops.solve_poisson(rhs, boundary="neumann")


# ---------------------------------------------------------------- Dask


def _stack(f: xr.DataArray, n: int = 4) -> xr.DataArray:
    return xr.concat([f * (k + 1) for k in range(n)], "time")


@pytest.mark.parametrize("kind", ["sphere", "plane-masked"])
def test_numpy_and_dask_agree_and_keep_chunks(kind):
    if kind == "sphere":
        lat, lon = sphere()
        rhs = fieldops.laplacian(on_sphere(harmonic(lat, lon), lat, lon))
        kw = {}
    else:
        f = _smooth(plane())
        mask = _island_mask(f)
        rhs = fieldops.laplacian(f, mask=mask)
        kw = {"mask": mask, "boundary_values": f}
    rhs = _stack(rhs)
    eager = fieldops.solve_poisson(rhs, **kw)
    lazy = fieldops.solve_poisson(rhs.chunk({"time": 1}), **kw)
    assert isinstance(lazy.data, dsa.Array)
    assert lazy.chunks == rhs.chunk({"time": 1}).chunks
    # the same solves, batched differently (blocked triangular solves): equal to roundoff
    np.testing.assert_allclose(lazy.values, eager.values, rtol=0, atol=1e-11 * abs(eager).max())


def test_the_call_computes_nothing(no_compute):
    lat, lon = sphere()
    rhs = _stack(on_sphere(harmonic(lat, lon), lat, lon)).chunk({"time": 2})
    out = fieldops.solve_poisson(rhs)
    assert isinstance(out.data, dsa.Array)


def test_split_horizontal_chunks_are_refused_with_the_rechunk():
    lat, lon = sphere()
    rhs = on_sphere(harmonic(lat, lon), lat, lon).chunk({"lon": 36})
    with pytest.raises(ValueError, match=r"rhs.chunk\(\{'lat': -1, 'lon': -1\}\)"):
        fieldops.solve_poisson(rhs)


def test_an_unpickled_solver_reuses_its_process_factorisation():
    import pickle

    f = _smooth(plane())
    mask = _island_mask(f)
    rhs = fieldops.laplacian(f, mask=mask)
    p = problem(
        rhs, None, boundary=None, coast="dirichlet", mask=mask, nan_policy="propagate",
        accuracy=2, geometry="auto", radius=fieldops.EARTH_RADIUS, poles="limit",
    )  # fmt: skip
    lu = p.solver.lu
    copy = pickle.loads(pickle.dumps(p.solver))
    assert copy._lu is None  # SuperLU objects do not pickle
    assert copy.lu is lu  # found by key, not factored again


def test_the_rechunk_message_names_the_chunk_size():
    f = _stack(_smooth(plane()), 2).chunk({"x": 10})
    with pytest.raises(ValueError, match=r"rhs.chunk\(\{'y': -1, 'x': -1\}\).*MiB"):
        fieldops.solve_poisson(f)


def test_float32_in_float32_out_solved_in_float64():
    f = _smooth(plane())
    rhs = fieldops.laplacian(f)
    g32 = fieldops.solve_poisson(rhs.astype(np.float32), boundary_values=f)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, f, atol=1e-5)


def test_round_trip_on_a_curvilinear_grid_whose_index_wraps():
    from tests.solvers._grids import ocean_ring

    u, _ = ocean_ring()
    f = u * np.sin(np.deg2rad(u.lat))  # smooth, not periodic-friendly in index space
    lap = fieldops.laplacian(f, boundary={"i": "periodic"})
    g = fieldops.solve_poisson(lap, boundary={"i": "periodic", "j": "dirichlet"}, boundary_values=f)
    np.testing.assert_allclose(g, f, atol=1e-12 * float(abs(f).max()))  # seam columns too
    resid = fieldops.laplacian(g, boundary={"i": "periodic"}) - lap
    assert float(abs(resid.isel(j=slice(1, -1))).max()) < 1e-10 * float(abs(lap).max())
