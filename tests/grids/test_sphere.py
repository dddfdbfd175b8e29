"""Spherical operators: harmonics, solid-body rotation, poles, longitude seams, Dask."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import fieldops
from fieldops.grids.detect import EARTH_RADIUS
from fieldops.grids.frame import frame_for
from fieldops.options import How, Where

R = EARTH_RADIUS
U = 20.0

# Real spherical harmonics written in latitude phi and longitude lam, with l.
HARMONICS = {
    "Y20": (lambda p, lam: 3 * np.sin(p) ** 2 - 1, 2),
    "Y32": (lambda p, lam: np.sin(p) * np.cos(p) ** 2 * np.cos(2 * lam), 3),
    "Y41": (lambda p, lam: (7 * np.sin(p) ** 3 - 3 * np.sin(p)) * np.cos(p) * np.cos(lam), 4),
    "Y55": (lambda p, lam: np.cos(p) ** 5 * np.sin(5 * lam), 5),
}


# The spherical operators through the public functions (the module-level
# wrappers of fieldops.grids.spherical were folded into them).
def sp_grad(f, lat, lon, **kw):
    return fieldops.grad(f, [lat, lon], geometry="spherical", **kw)


def sp_laplacian(f, lat, lon, **kw):
    return fieldops.laplacian(f, [lat, lon], geometry="spherical", **kw)


def sp_curl(u, v, lat, lon, **kw):
    return fieldops.vorticity(u, v, geometry="spherical", **kw)


def sp_div(u, v, lat, lon, **kw):
    return fieldops.divergence(u, v, geometry="spherical", **kw)


def sphere(f):
    """The frame of ``f``'s latitude/longitude grid."""
    return frame_for(f, None, Where(geometry="spherical"), How())


def global_grid(step: float, *, descending: bool = False, lon0: float = 0.0):
    lat = np.linspace(-90, 90, int(round(180 / step)) + 1)
    if descending:
        lat = lat[::-1]
    lon = lon0 + np.arange(0, 360, step)
    return lat, lon


def on_grid(values, lat, lon, **attrs):
    return xr.DataArray(values, dims=("lat", "lon"), coords={"lat": lat, "lon": lon}, attrs=attrs)


def solid_body(step=1.0, **kw):
    lat, lon = global_grid(step, **kw)
    u = on_grid(U * np.cos(np.deg2rad(lat))[:, None] + 0 * lon, lat, lon, units="m s-1").rename("u")
    return u, xr.zeros_like(u).rename("v"), lat


def weighted_error(approx, exact, lat, step):
    w = np.cos(np.deg2rad(lat))[:, None] * np.ones_like(exact)
    pole = np.isclose(np.abs(lat), 90)
    w[pole] = np.deg2rad(step) ** 2 / 8  # area of the polar cap of a pole point
    return np.sqrt((w * (approx - exact) ** 2).sum() / (w * exact**2).sum())


@pytest.mark.parametrize("name", list(HARMONICS))
@pytest.mark.parametrize(
    "accuracy,steps", [(2, (6, 3, 1.5)), (4, (3, 1.5, 0.75)), (6, (6, 3, 1.5))]
)
def test_laplacian_of_harmonics_converges_at_the_scheme_order(name, accuracy, steps):
    fn, ell = HARMONICS[name]
    errors = []
    for step in steps:
        lat, lon = global_grid(step)
        p, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
        f = on_grid(fn(p, lam), lat, lon)
        lap = sp_laplacian(f, "lat", "lon", accuracy=accuracy, radius=1.0)
        assert np.isfinite(lap.values).all()
        errors.append(weighted_error(lap.values, -ell * (ell + 1) * fn(p, lam), lat, step))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert (orders > accuracy - 0.7).all(), orders
    assert (orders < accuracy + 1.0).all(), orders


@pytest.mark.parametrize("accuracy", [2, 4, 6])
def test_solid_body_rotation_every_row_including_poles(accuracy):
    u, v, lat = solid_body(1.0)
    zeta = sp_curl(u, v, "lat", "lon", accuracy=accuracy)
    exact = 2 * U * np.sin(np.deg2rad(lat))[:, None] / R
    rel = np.abs(zeta.values - exact) / (2 * U / R)
    assert rel.max() < 1e-3
    assert rel[[0, -1]].max() < 1e-3  # the pole rows themselves
    div = sp_div(u, v, "lat", "lon", accuracy=accuracy)
    assert np.abs(div.values).max() < 1e-9 * U / R
    assert zeta.attrs["units"] == "s-1"


def test_solid_body_rotation_float32_descending_shifted_longitude():
    u, v, lat = solid_body(1.0, descending=True, lon0=-180.0)
    u32 = u.astype(np.float32).assign_coords(
        lat=u.lat.astype(np.float32), lon=u.lon.astype(np.float32)
    )
    zeta = sp_curl(u32, v.astype(np.float32).assign_coords(u32.coords), "lat", "lon")
    assert zeta.dtype == np.float32
    exact = 2 * U * np.sin(np.deg2rad(lat))[:, None] / R
    assert (np.abs(zeta.values - exact) / (2 * U / R)).max() < 1e-3


@pytest.mark.parametrize(
    "lon0,reverse,roll", [(0.0, False, 0), (-180.0, False, 0), (0.0, True, 0), (0.0, False, 100)]
)
def test_longitude_periodic_whatever_its_start_and_order(lon0, reverse, roll):
    step = 2.0
    lat, lon = global_grid(step, lon0=lon0)
    lon = np.roll(lon[::-1] if reverse else lon, roll)
    lon = np.where(lon >= 360, lon - 360, lon)
    p, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    fn, ell = HARMONICS["Y32"]
    f = on_grid(fn(p, lam), lat, lon)
    g = sp_grad(f, "lat", "lon", accuracy=4, radius=1.0)
    east_exact = -2 * np.sin(p) * np.cos(p) * np.sin(2 * lam)
    assert np.abs(g.sel(component="lon").values - east_exact).max() < 1e-4
    s = sphere(f)
    assert s.boundary["lon"] == "periodic"


def test_regional_longitude_is_not_periodic():
    lat = np.linspace(10, 50, 21)
    lon = np.linspace(-30, 30, 31)
    f = on_grid(np.zeros((21, 31)), lat, lon)
    assert sphere(f).boundary == {"lat": "one_sided", "lon": "one_sided"}


def test_gradient_components_and_pole_limit():
    # f = cos(lat) cos(lon) is the x coordinate: its gradient at the north pole,
    # seen along meridian lam, is (east, north) = (-sin lam, -cos lam).
    step = 2.0
    lat, lon = global_grid(step)
    p, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    f = on_grid(np.cos(p) * np.cos(lam), lat, lon, units="K")
    g = sp_grad(f, "lat", "lon", accuracy=4, radius=1.0)
    assert g.attrs["units"] == "K m-1"
    np.testing.assert_allclose(g.sel(component="lon").values, -np.sin(lam), atol=1e-5)
    np.testing.assert_allclose(g.sel(component="lat").values, -np.sin(p) * np.cos(lam), atol=1e-5)


def test_pole_policy_nan():
    u, v, lat = solid_body(1.0)
    zeta = sp_curl(u, v, "lat", "lon", poles="nan")
    assert np.isnan(zeta.values[[0, -1]]).all()
    assert np.isfinite(zeta.values[1:-1]).all()
    g = sp_grad(u, "lat", "lon", poles="nan")
    assert np.isnan(g.sel(component="lon").values[[0, -1]]).all()
    assert np.isfinite(g.sel(component="lat").values).all()  # northward always defined


def test_grid_without_pole_points_needs_no_policy():
    lat = np.linspace(-89.5, 89.5, 180)
    lon = np.arange(0.5, 360, 1.0)
    u = on_grid(U * np.cos(np.deg2rad(lat))[:, None] + 0 * lon, lat, lon)
    for accuracy, tol in ((2, 2e-3), (4, 1e-5)):  # one-sided edge rows at +-89.5
        zeta = sp_curl(u, 0 * u, "lat", "lon", accuracy=accuracy)
        exact = 2 * U * np.sin(np.deg2rad(lat))[:, None] / R
        assert (np.abs(zeta.values - exact) / (2 * U / R)).max() < tol


def test_bad_pole_policy_and_periodic_latitude():
    u, v, _ = solid_body(10.0)
    with pytest.raises(ValueError, match="poles policy"):
        sp_curl(u, v, "lat", "lon", poles="ignore")
    with pytest.raises(ValueError, match="latitude dim 'lat' cannot be periodic"):
        sp_grad(u, "lat", "lon", boundary="periodic")
    with pytest.raises(ValueError, match="different grids along dim 'lat'"):
        sp_div(u, v.isel(lat=slice(1, None)), "lat", "lon")


def test_dask_equals_numpy_and_is_lazy(no_compute):
    u, v, _ = solid_body(3.0)
    rng = np.random.default_rng(0)
    u = u + rng.normal(size=u.shape)
    v = v + rng.normal(size=v.shape)
    chunks = {"lat": 7, "lon": 40}
    lazy = [
        sp_curl(u.chunk(chunks), v.chunk(chunks), "lat", "lon", accuracy=4),
        sp_div(u.chunk(chunks), v.chunk(chunks), "lat", "lon", accuracy=4),
        sp_laplacian(u.chunk(chunks), "lat", "lon"),
        sp_grad(u.chunk(chunks), "lat", "lon"),
    ]
    for res in lazy:
        assert isinstance(res.data, dsa.Array)
    with pytest.raises(Exception, match="computed a Dask graph"):
        lazy[0].values  # noqa: B018
    eager = [
        sp_curl(u, v, "lat", "lon", accuracy=4),
        sp_div(u, v, "lat", "lon", accuracy=4),
        sp_laplacian(u, "lat", "lon"),
        sp_grad(u, "lat", "lon"),
    ]
    import dask

    with dask.config.set(scheduler="sync"):
        for a, b in zip(lazy, eager):
            assert a.chunks[-2:] == ((7,) * 8 + (5,), (40,) * 3) or a.ndim == 3
            np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-20)


def test_detected_geometry_reaches_kinematics():
    u, v, lat = solid_body(2.0)
    ds = xr.Dataset({"u": u, "v": v})
    zeta = ds.fieldops.vorticity(u="u", v="v", accuracy=4)
    exact = 2 * U * np.sin(np.deg2rad(lat))[:, None] / R
    assert (np.abs(zeta.values - exact) / (2 * U / R)).max() < 1e-3
    assert fieldops.detect_geometry(ds).kind == "spherical"


@settings(max_examples=8, deadline=None)
@given(
    lat_chunks=st.lists(st.integers(1, 12), min_size=1, max_size=8),
    lon_chunks=st.lists(st.integers(12, 40), min_size=1, max_size=4),
    accuracy=st.sampled_from([2, 4]),
)
def test_dask_equals_numpy_for_random_chunkings(lat_chunks, lon_chunks, accuracy):
    u, v, _ = solid_body(5.0)  # 37 x 72
    rng = np.random.default_rng(len(lat_chunks) * 10 + len(lon_chunks))
    u = u + rng.normal(size=u.shape)
    v = v + rng.normal(size=v.shape)

    def fit(sizes, n):
        out, left = [], n
        for s in sizes * n:
            if left == 0:
                break
            out.append(min(s, left))
            left -= out[-1]
        if left:
            out.append(left)
        return tuple(out)

    chunks = {"lat": fit(lat_chunks, 37), "lon": fit(lon_chunks, 72)}
    for func in (sp_curl, sp_div):
        lazy = func(u.chunk(chunks), v.chunk(chunks), "lat", "lon", accuracy=accuracy)
        assert lazy.chunks == u.chunk(chunks).chunks
        ref = func(u, v, "lat", "lon", accuracy=accuracy)
        np.testing.assert_allclose(lazy.values, ref.values, rtol=1e-12, atol=1e-20)


def test_gaussian_latitudes_and_dataset_input():
    nodes, _ = np.polynomial.legendre.leggauss(90)
    lat = np.rad2deg(np.arcsin(nodes))[::-1]  # non-uniform, no pole points
    lon = np.arange(0, 360, 2.0)
    u = on_grid(U * np.cos(np.deg2rad(lat))[:, None] + 0 * lon, lat, lon)
    zeta = sp_curl(u, 0 * u, "lat", "lon", accuracy=4)
    exact = 2 * U * np.sin(np.deg2rad(lat))[:, None] / R
    assert (np.abs(zeta.values - exact) / (2 * U / R)).max() < 1e-4
    fn, ell = HARMONICS["Y32"]
    p, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    lap = sp_laplacian(on_grid(fn(p, lam), lat, lon), "lat", "lon", accuracy=4, radius=1.0)
    assert np.abs(lap.values + ell * (ell + 1) * fn(p, lam)).max() < 1e-3
    # A Dataset: each variable on the one grid frame, as for the DataArray.
    ds_grad = sp_grad(u.to_dataset(name="u"), "lat", "lon")
    np.testing.assert_array_equal(ds_grad["grad_u"].values, sp_grad(u, "lat", "lon").values)


def test_grids_of_the_same_shape_do_not_share_stencils():
    """Stencils are kept between calls, keyed by the coordinate values themselves."""
    lat_a = np.linspace(-80, 80, 33)
    lat_b = np.linspace(-60, 70, 33)  # same size, other values
    lon = np.arange(0, 360, 5.0)
    results = []
    for lat in (lat_a, lat_b, lat_a):
        u = on_grid(U * np.cos(np.deg2rad(lat))[:, None] + 0 * lon, lat, lon, units="m s-1")
        zeta = fieldops.vorticity(u, xr.zeros_like(u))
        exact = 2 * U * np.sin(np.deg2rad(lat))[:, None] / R
        assert float(abs(zeta - exact).max()) < 2e-2 * 2 * U / R  # edges one-sided, 5 deg
        results.append(zeta.values)
    np.testing.assert_array_equal(results[0], results[2])


@settings(max_examples=6, deadline=None)
@given(
    lat_chunks=st.lists(st.integers(1, 12), min_size=1, max_size=6),
    lon_chunks=st.lists(st.integers(1, 40), min_size=1, max_size=4),
    accuracy=st.sampled_from([2, 4]),
    poles=st.sampled_from(["limit", "nan"]),
    transpose=st.booleans(),
)
def test_dask_is_bit_identical_to_numpy(lat_chunks, lon_chunks, accuracy, poles, transpose):
    # Every spherical operator, every chunking (pole rows' sources in other blocks,
    # chunks thinner than the stencils, a chunked longitude for the zonal means).
    u, v, _ = solid_body(5.0)  # 37 x 72, pole rows
    rng = np.random.default_rng(len(lat_chunks) * 10 + len(lon_chunks))
    u = (u + rng.normal(size=u.shape)).astype(np.float32).expand_dims(t=2).copy()
    v = (v + rng.normal(size=v.shape)).astype(np.float32).expand_dims(t=2).copy()
    u[1] *= 2
    v[1] += 1
    if transpose:
        u, v = u.transpose("lon", "t", "lat"), v.transpose("lon", "t", "lat")

    def fit(sizes, n):
        out, left = [], n
        for s in sizes * n:
            if left == 0:
                break
            out.append(min(s, left))
            left -= out[-1]
        return tuple(out)

    chunks = {"t": 1, "lat": fit(lat_chunks, 37), "lon": fit(lon_chunks, 72)}
    kw = dict(accuracy=accuracy, poles=poles)
    ops = [
        lambda a, b: fieldops.grad(a, ["lat", "lon"], geometry="spherical", **kw),
        lambda a, b: fieldops.laplacian(a, ["lat", "lon"], geometry="spherical", **kw),
        lambda a, b: fieldops.vorticity(a, b, geometry="spherical", **kw),
        lambda a, b: fieldops.divergence(a, b, geometry="spherical", **kw),
        lambda a, b: fieldops.divergence(b, b, geometry="spherical", **kw),
    ]
    import dask

    for op in ops:
        ref = op(u, v)
        lazy = op(u.chunk(chunks), v.chunk(chunks))
        assert isinstance(lazy.data, dsa.Array)
        with dask.config.set(scheduler="sync"):
            got = lazy.values
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref.values)
