"""potential_vorticity_baroclinic and thermal_wind."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.dynamics import potential_vorticity_baroclinic, thermal_wind
from tests.dynamics.helpers import metpy_dataset, relative_gap

LEVELS = np.array([900.0, 800.0, 650.0, 500.0])  # non-uniform on purpose


def _box(data, units):
    nz, ny, nx = data.shape
    coords = {
        "level": ("level", LEVELS[:nz], {"units": "hPa"}),
        "y": ("y", 2e4 * np.arange(ny), {"units": "m"}),
        "x": ("x", 3e4 * np.arange(nx), {"units": "m"}),
    }
    return xr.DataArray(data, dims=("level", "y", "x"), coords=coords, attrs={"units": units})


def test_matches_metpy_on_a_random_box():
    mpcalc = pytest.importorskip("metpy.calc")
    from metpy.units import units

    rng = np.random.default_rng(5)
    shape = (4, 7, 9)
    u, v = rng.normal(size=shape), rng.normal(size=shape)
    theta = 300 + np.cumsum(rng.uniform(2, 5, size=shape), axis=0)
    lat = np.linspace(40, 46, 7)[:, None] * np.ones((1, 9))
    p = LEVELS[:, None, None] * units.hPa
    theirs = mpcalc.potential_vorticity_baroclinic(
        theta * units.K, p, u * units("m/s"), v * units("m/s"),
        3e4 * units.m, 2e4 * units.m, lat * units.degrees,
    )  # fmt: skip
    f = xr.DataArray(2 * 7.292115e-5 * np.sin(np.deg2rad(lat)), dims=("y", "x"))
    ours = potential_vorticity_baroclinic(
        _box(theta, "K"), _box(theta, "K").level, _box(u, "m s-1"), _box(v, "m s-1"), coriolis=f
    )
    np.testing.assert_allclose(ours, theirs.m_as("K m2 kg-1 s-1"), rtol=1e-9, atol=1e-18)
    assert ours.attrs["standard_name"] == "ertel_potential_vorticity"


def test_levels_in_either_order():
    rng = np.random.default_rng(1)
    shape = (4, 6, 8)
    fields = [_box(rng.normal(size=shape), "m s-1") for _ in range(2)]
    theta = _box(300 + np.cumsum(rng.uniform(2, 5, size=shape), axis=0), "K")
    f = 1e-4
    down = potential_vorticity_baroclinic(theta, theta.level, *fields, coriolis=f)
    flipped = [a.isel(level=slice(None, None, -1)) for a in (theta, *fields)]
    up = potential_vorticity_baroclinic(flipped[0], flipped[0].level, *flipped[1:], coriolis=f)
    xr.testing.assert_allclose(up.sortby("level"), down.sortby("level"))


def test_sample_against_metpy(sample):
    mpcalc = pytest.importorskip("metpy.calc")
    mds = metpy_dataset(sample)
    pv = potential_vorticity_baroclinic(sample.theta, sample.level, sample.u, sample.v)
    theirs = mpcalc.potential_vorticity_baroclinic(mds.theta, mds.level, mds.u, mds.v)
    # fieldops' vorticity is the flux form, MetPy's the advective form with finite-
    # differenced map factors: the same to O(h**2)
    assert relative_gap(pv, theirs) < 5e-3
    assert pv.attrs["units"] == "K m2 kg-1 s-1"


def test_pole_rows_and_dask(sample, no_compute):
    lazy = potential_vorticity_baroclinic(
        *(sample.chunk({"latitude": 40})[k] for k in ("theta", "level", "u", "v"))
    )
    import dask

    with dask.config.set(scheduler="synchronous"):
        got = lazy.values
    pv = potential_vorticity_baroclinic(sample.theta, sample.level, sample.u, sample.v)
    np.testing.assert_allclose(got, pv.values, rtol=1e-12)
    poles = pv.isel(latitude=[0, -1])
    assert np.isfinite(poles).all()
    assert float(abs(poles).max()) <= float(abs(pv).max())


def test_bad_pressure(sample):
    args = (sample.theta, sample.u, sample.v)
    with pytest.raises(ValueError, match="1-D along the vertical dim"):
        potential_vorticity_baroclinic(args[0], sample.t, args[1], args[2])
    with pytest.raises(ValueError, match="pressure units"):
        potential_vorticity_baroclinic(
            args[0], sample.level.assign_attrs(units="m"), args[1], args[2]
        )
    with pytest.raises(TypeError, match="DataArray of the pressure levels"):
        potential_vorticity_baroclinic(args[0], 500.0, args[1], args[2])


def test_thermal_wind_is_the_geostrophic_shear(sample):
    tw = thermal_wind(sample.z, "level", top=200, bottom=850)
    top = fieldops.geostrophic_wind(sample.z.sel(level=200))
    bottom = fieldops.geostrophic_wind(sample.z.sel(level=850))
    np.testing.assert_allclose(tw.u_thermal, top.ug - bottom.ug, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(tw.v_thermal, top.vg - bottom.vg, rtol=1e-10, atol=1e-9)
    assert tw.u_thermal.attrs["units"] == "m s-1"
    # westerly shear in the mid-latitudes of January, where it is cold to the pole
    assert float(tw.u_thermal.sel(latitude=slice(60, 30)).mean()) > 5
    with pytest.raises(ValueError, match="must be labels of 'level'"):
        thermal_wind(sample.z, "level", top=300, bottom=850)


def _rossby_haurwitz(step: float):
    """Williamson's test case 6 winds (wavenumber 4) and their analytic vorticity."""
    omega = k = 7.848e-6
    r = fieldops.EARTH_RADIUS
    lat = np.linspace(-90, 90, int(round(180 / step)) + 1)
    lon = np.arange(0, 360, step)
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    c, s = np.cos(phi), np.sin(phi)
    u = r * omega * c + r * k * c**3 * (4 * s**2 - c**2) * np.cos(4 * lam)
    v = -4 * r * k * c**3 * s * np.sin(4 * lam)
    zeta = 2 * omega * s - 30 * k * c**4 * s * np.cos(4 * lam)
    return lat, lon, u, v, zeta


def test_rossby_haurwitz_wave_pv_is_analytic_and_second_order():
    errors = []
    for step in (2.0, 1.0):
        lat, lon, u2, v2, zeta = _rossby_haurwitz(step)
        levels = xr.DataArray([850.0, 700.0, 500.0], dims="level", attrs={"units": "hPa"})
        coords = {"level": levels, "latitude": lat, "longitude": lon}
        dims = ("level", "latitude", "longitude")

        def field(a, units, coords=coords, dims=dims):
            data = np.broadcast_to(a, (3, *a.shape)).copy()
            return xr.DataArray(data, dims=dims, coords=coords, attrs={"units": units})

        theta = field(np.zeros_like(u2), "K") + 300.0 - 0.05 * (levels - 850.0)
        theta = theta.transpose(*dims).assign_attrs(units="K")
        pv = potential_vorticity_baroclinic(theta, levels, field(u2, "m s-1"), field(v2, "m s-1"))
        f = 2 * 7.292115e-5 * np.sin(np.deg2rad(lat))[:, None]
        exact = -9.80665 * (zeta + f) * (-0.05 / 100.0)  # dtheta/dp = -0.05 K hPa-1
        got = pv.sel(level=700.0).values
        assert np.isfinite(got).all()  # pole rows included
        errors.append(np.abs(got - exact).max() / np.abs(exact).max())
    assert errors[1] < 1e-3
    assert errors[0] / errors[1] > 3.0  # second order: ~4x per halving


def test_ertel_on_heights_is_the_baroclinic_formula():
    # u = a z, theta = theta0 + G z - b y on a plane: PV = (f G - a b) / rho exactly
    a, big_g, b, f, rho = 2e-3, 4e-3, 1e-5, 1e-4, 0.9
    x = np.linspace(0, 4e5, 6)
    z = np.array([500.0, 1500.0, 2500.0, 3500.0])
    Z, Y, _ = np.meshgrid(z, x, x, indexing="ij")
    coords = {
        "z": ("z", z, {"units": "m"}),
        "y": ("y", x, {"units": "m"}),
        "x": ("x", x, {"units": "m"}),
    }
    dims = ("z", "y", "x")
    theta = xr.DataArray(300 + big_g * Z - b * Y, dims=dims, coords=coords, attrs={"units": "K"})
    u = xr.DataArray(a * Z, dims=dims, coords=coords, attrs={"units": "m s-1"})
    v = xr.zeros_like(u)
    pv = fieldops.dynamics.pv.ertel_potential_vorticity(
        theta, theta.z, u, v, density=rho, coriolis=f
    )
    np.testing.assert_allclose(pv, (f * big_g - a * b) / rho, rtol=1e-10)
    dens = xr.full_like(u, rho * 1000).assign_attrs(units="g m-3")
    pv2 = fieldops.dynamics.pv.ertel_potential_vorticity(
        theta, theta.z, u, v, density=dens, coriolis=f
    )
    xr.testing.assert_allclose(pv, pv2)
    with pytest.raises(ValueError, match="length units"):
        fieldops.dynamics.pv.ertel_potential_vorticity(
            theta, theta.z.assign_attrs(units="K"), u, v, density=rho, coriolis=f
        )


def test_isentropic_pv_matches_metpy_when_pressure_is_linear_in_theta():
    mpcalc = pytest.importorskip("metpy.calc")
    from metpy.units import units

    rng = np.random.default_rng(2)
    th = np.array([300.0, 305.0, 315.0])
    ny, nx = 6, 7
    p0 = 1000 + 20 * rng.uniform(size=(ny, nx))
    c = 2 + rng.uniform(size=(ny, nx))
    p = p0[None] - c[None] * (th[:, None, None] - 290)  # hPa, linear in theta
    u, v = rng.normal(size=(3, ny, nx)), rng.normal(size=(3, ny, nx))
    lat = np.linspace(40, 46, ny)[:, None] * np.ones((1, nx))
    coords = {
        "theta": ("theta", th, {"units": "K"}),
        "y": ("y", 2e4 * np.arange(ny), {"units": "m"}),
        "x": ("x", 3e4 * np.arange(nx), {"units": "m"}),
    }

    def make(a, un):
        return xr.DataArray(a, dims=("theta", "y", "x"), coords=coords, attrs={"units": un})

    f = xr.DataArray(2 * 7.292115e-5 * np.sin(np.deg2rad(lat)), dims=("y", "x"))
    ours = fieldops.dynamics.pv.isentropic_potential_vorticity(
        make(p, "hPa"), make(u, "m s-1"), make(v, "m s-1"), coriolis=f
    )
    theirs = mpcalc.potential_vorticity_baroclinic(
        np.broadcast_to(th[:, None, None], p.shape) * units.K, p * units.hPa,
        u * units("m/s"), v * units("m/s"), 3e4 * units.m, 2e4 * units.m, lat * units.degrees,
    )  # fmt: skip
    np.testing.assert_allclose(ours, theirs.m_as("K m2 kg-1 s-1"), rtol=1e-9)
