"""frontogenesis and q_vector: MetPy's cases, analytic fields, the sample, poles, Dask."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.dynamics import frontogenesis, q_vector
from fieldops.dynamics.base import RD
from tests.dynamics.helpers import metpy_dataset, relative_gap


def _plane(data, dx=1.0, dy=2.0, units="m s-1"):
    data = np.asarray(data, dtype=float)
    ny, nx = data.shape
    coords = {
        "y": ("y", dy * np.arange(ny), {"units": "m"}),
        "x": ("x", dx * np.arange(nx), {"units": "m"}),
    }
    return xr.DataArray(data, dims=("y", "x"), coords=coords, attrs={"units": units})


U = [[2, 4, 8], [0, 2, 2], [4, 6, 8]]
V = [[6, 4, 8], [2, 6, 0], [2, 2, 6]]
THETA = [[303, 295, 305], [308, 310, 312], [299, 293, 289]]


def test_metpy_published_asymmetric_case():
    # MetPy's test_frontogenesis_asym (dx = 1 m, dy = 2 m), its published truth
    truth = [
        [-52.4746386, -37.3658646, -50.3996939],
        [3.5777088, -2.1221867, -16.9941166],
        [-23.1417334, 26.0499143, -158.4839684],
    ]
    fg = frontogenesis(_plane(THETA, units="K"), _plane(U), _plane(V))
    np.testing.assert_allclose(fg, truth, atol=1e-7)
    assert fg.attrs["units"] == "K m-1 s-1"


def test_matches_metpy_on_a_random_plane():
    mpcalc = pytest.importorskip("metpy.calc")
    from metpy.units import units

    rng = np.random.default_rng(0)
    u, v, th = (rng.normal(size=(9, 12)) for _ in range(3))
    dx, dy = 3e3 * units.m, 2e3 * units.m
    theirs = mpcalc.frontogenesis(th * units.K, u * units("m/s"), v * units("m/s"), dx, dy)
    ours = frontogenesis(_plane(th, 3e3, 2e3, "K"), _plane(u, 3e3, 2e3), _plane(v, 3e3, 2e3))
    np.testing.assert_allclose(ours, theirs.m, rtol=1e-10, atol=1e-14)
    t = _plane(th + 280, 3e3, 2e3, "K")
    q1, q2 = mpcalc.q_vector(
        u * units("m/s"), v * units("m/s"), t.values * units.K, 500 * units.hPa, dx, dy
    )
    q = q_vector(_plane(u, 3e3, 2e3), _plane(v, 3e3, 2e3), t, 50000.0)
    np.testing.assert_allclose(q.q1, q1.m_as("m2 kg-1 s-1"), rtol=1e-10, atol=1e-20)
    np.testing.assert_allclose(q.q2, q2.m_as("m2 kg-1 s-1"), rtol=1e-10, atol=1e-20)


@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 90.0, 120.0])
def test_uniform_deformation_field(angle):
    # u = a x, v = -a y (pure stretching along x); isentropes at angle alpha:
    # F = -a b cos(2 alpha), exact for linear fields (edges included)
    a, b = 2e-5, 3e-5
    x = np.linspace(-5e5, 5e5, 11)
    y = np.linspace(-4e5, 4e5, 9)
    X, Y = np.meshgrid(x, y)
    alpha = np.deg2rad(angle)
    theta = _plane(300 + b * (X * np.cos(alpha) + Y * np.sin(alpha)), 1e5, 1e5, "K")
    fg = frontogenesis(theta, _plane(a * X, 1e5, 1e5), _plane(-a * Y, 1e5, 1e5))
    np.testing.assert_allclose(fg, -a * b * np.cos(2 * alpha), rtol=1e-10, atol=1e-22)


def test_zero_gradient_gives_zero_not_nan():
    theta = _plane(np.full((4, 5), 300.0), units="K")
    fg = frontogenesis(theta, _plane(np.ones((4, 5))), _plane(np.ones((4, 5))))
    np.testing.assert_array_equal(fg, 0.0)


def test_sample_against_metpy(sample):
    mpcalc = pytest.importorskip("metpy.calc")
    mds = metpy_dataset(sample)
    fg = frontogenesis(sample.theta, sample.u, sample.v)
    assert relative_gap(fg, mpcalc.frontogenesis(mds.theta, mds.u, mds.v)) < 1.5e-3
    q = q_vector(sample.u, sample.v, sample.t, sample.level)
    q1, q2 = mpcalc.q_vector(mds.u, mds.v, mds.t, mds.level)
    # q2 takes no metric term: equal to rounding; q1 has MetPy's finite-difference
    # tan(latitude)/R against fieldops' analytic one
    assert relative_gap(q.q2, q2) < 1e-6
    assert relative_gap(q.q1, q1) < 2e-3


def test_pole_rows_bounded_and_dims_order(sample):
    fg = frontogenesis(sample.theta, sample.u, sample.v)
    poles = fg.isel(latitude=[0, -1])
    assert np.isfinite(poles).all()
    assert float(abs(poles).max()) <= float(abs(fg).max())
    # a zonal constant on each pole row (the limit along the meridians)
    assert float(poles.std("longitude").max()) <= 1e-6 * float(abs(fg).max())
    swapped = frontogenesis(
        sample.theta.transpose("longitude", "level", "latitude"), sample.u, sample.v
    )
    xr.testing.assert_allclose(swapped, fg)
    q = q_vector(sample.u, sample.v, sample.t, sample.level)
    assert np.isfinite(q.q1).all() and np.isfinite(q.q2).all()


def test_dask_lazy_and_equal(sample, no_compute):
    ds = sample.chunk({"level": 1, "latitude": 40, "longitude": 80})
    fg = frontogenesis(ds.theta, ds.u, ds.v)
    q = q_vector(ds.u, ds.v, ds.t, ds.level)
    assert fg.chunks == ds.u.chunks
    import dask

    with dask.config.set(scheduler="synchronous"):
        np.testing.assert_allclose(
            fg.values, frontogenesis(sample.theta, sample.u, sample.v).values, rtol=1e-12
        )
        ref = q_vector(sample.u, sample.v, sample.t, sample.level)
        np.testing.assert_allclose(q.q1.values, ref.q1.values, rtol=1e-12)


def test_q_vector_analytic_and_units():
    x = np.linspace(0, 8e5, 9)
    X, Y = np.meshgrid(x, x)
    t = _plane(280 + 1e-5 * X + 2e-5 * Y, 1e5, 1e5, "K")
    u, v = _plane(1e-5 * Y, 1e5, 1e5), _plane(3e-5 * X, 1e5, 1e5)
    p = 70000.0
    q = q_vector(u, v, t, p, static_stability=2.0)
    # du/dx = 0, dv/dx = 3e-5, du/dy = 1e-5, dv/dy = 0
    np.testing.assert_allclose(q.q1, -RD / (p * 2) * (3e-5 * 2e-5), rtol=1e-10)
    np.testing.assert_allclose(q.q2, -RD / (p * 2) * (1e-5 * 1e-5), rtol=1e-10)
    assert q.q1.attrs["units"] == "m2 kg-1 s-1"


def test_bad_input(sample):
    with pytest.raises(ValueError, match="potential_temperature.*same grid"):
        frontogenesis(sample.theta.isel(level=0), sample.u, sample.v)
    with pytest.raises(ValueError, match="potential_temperature.*different grids"):
        frontogenesis(
            sample.theta.assign_coords(latitude=sample.latitude + 0.5), sample.u, sample.v
        )
    with pytest.raises(ValueError, match="pressure units"):
        q_vector(sample.u, sample.v, sample.t, sample.level.assign_attrs(units="K"))
    with pytest.raises(ValueError, match="positive"):
        q_vector(sample.u, sample.v, sample.t, -5.0)


def test_curvilinear_grid_gives_the_sphere_numbers(sample):
    # the same regional lat/lon grid given as 2-D coordinates on logical dims
    ds = sample.isel(level=1).sel(latitude=slice(70, 20), longitude=slice(-60, 30))
    lon2, lat2 = np.meshgrid(ds.longitude.values.astype(float), ds.latitude.values.astype(float))

    def curvilinear(da):
        coords = {
            "lat": (("j", "i"), lat2, {"units": "degrees_north", "standard_name": "latitude"}),
            "lon": (("j", "i"), lon2, {"units": "degrees_east", "standard_name": "longitude"}),
        }
        return xr.DataArray(da.values, dims=("j", "i"), coords=coords, attrs=da.attrs)

    on_sphere = frontogenesis(ds.theta, ds.u, ds.v)
    on_curvilinear = frontogenesis(curvilinear(ds.theta), curvilinear(ds.u), curvilinear(ds.v))
    scale = float(abs(on_sphere).max())
    np.testing.assert_allclose(on_curvilinear.values, on_sphere.values, atol=1e-11 * scale)
    q_sphere = q_vector(ds.u, ds.v, ds.t, 50000.0)
    q_curv = q_vector(curvilinear(ds.u), curvilinear(ds.v), curvilinear(ds.t), 50000.0)
    np.testing.assert_allclose(
        q_curv.q1.values, q_sphere.q1.values, atol=1e-11 * float(abs(q_sphere.q1).max())
    )


def test_dataset_methods_name_variables(sample):
    ds = sample
    xr.testing.assert_identical(
        ds.fieldops.frontogenesis(potential_temperature="theta"),
        frontogenesis(ds.theta, ds.u, ds.v),
    )
    xr.testing.assert_identical(
        ds.fieldops.q_vector(u="u", v="v", temperature="t", pressure=ds.level),
        q_vector(ds.u, ds.v, ds.t, ds.level),
    )
    pv = ds.fieldops.potential_vorticity_baroclinic(
        potential_temperature="theta", pressure=ds.level
    )
    xr.testing.assert_identical(
        pv, fieldops.potential_vorticity_baroclinic(ds.theta, ds.level, ds.u, ds.v)
    )
    highs = ds.z.sel(level=500).fieldops.extrema(kind="max")
    xr.testing.assert_identical(highs, fieldops.extrema(ds.z.sel(level=500), kind="max"))
