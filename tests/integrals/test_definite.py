"""integrate and mass_integrate: coordinates, bounds, the sphere's area, curvilinear areas."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.integrals import cumulative_integrate, integrate, mass_integrate

R = fieldops.EARTH_RADIUS


def _sphere(lat, lon, data=None, **kw):
    data = np.ones((len(lat), len(lon))) if data is None else data
    coords = {
        "latitude": ("latitude", lat, {"units": "degrees_north"}),
        "longitude": ("longitude", lon, {"units": "degrees_east"}),
    }
    return xr.DataArray(data, dims=("latitude", "longitude"), coords=coords, attrs={"units": "1"})


@pytest.mark.parametrize(
    "lat",
    [
        np.linspace(-90, 90, 721),  # pole rows
        np.arange(-89.875, 90, 0.25),  # no pole rows, half a spacing off
        np.linspace(90, -90, 73),  # descending, pole rows
        np.arange(-88.75, 90, 2.5),
        np.linspace(-90, 90, 7),  # very coarse
    ],
    ids=["0.25-poles", "0.25-offset", "2.5-descending", "2.5-offset", "30"],
)
@pytest.mark.parametrize("accuracy", [2, 4])
def test_area_of_the_sphere_to_rounding(lat, accuracy):
    lon = np.arange(0, 360, 360 / (2 * (lat.size - 1) or 8))
    area = integrate(_sphere(lat, lon), ["latitude", "longitude"], accuracy=accuracy)
    assert float(area) / (4 * np.pi * R**2) == pytest.approx(1.0, rel=5e-14, abs=0)
    assert area.attrs["units"] == "m2"


def test_area_with_repeated_endpoint_longitude_and_dims_order():
    lat, lon = np.linspace(-90, 90, 37), np.linspace(0, 360, 73)  # 0 and 360 both
    da = _sphere(lat, lon).transpose("longitude", "latitude")
    area = integrate(da, ["longitude", "latitude"])
    assert float(area) / (4 * np.pi * R**2) == pytest.approx(1.0, rel=5e-14, abs=0)


@pytest.mark.parametrize("accuracy,rtol", [(2, 1e-6), (4, 1e-9)])
def test_area_integral_of_a_spherical_harmonic_field(accuracy, rtol):
    lat, lon = np.arange(-89.5, 90, 1.0), np.arange(0, 360, 1.0)
    phi = np.deg2rad(lat)[:, None]
    f = np.sin(phi) ** 2 * (1 + np.cos(np.deg2rad(lon))[None, :])
    res = integrate(_sphere(lat, lon, f), ["latitude", "longitude"], accuracy=accuracy)
    # int sin^2 dA = 4 pi R^2 / 3; the cos(lon) part integrates to 0
    assert float(res) == pytest.approx(4 * np.pi * R**2 / 3, rel=rtol)


def test_regional_band_and_sector():
    lat, lon = np.linspace(10, 50, 41), np.linspace(-20, 40, 61)
    res = integrate(_sphere(lat, lon), ["latitude", "longitude"], accuracy=4)
    exact = R**2 * np.deg2rad(60) * (np.sin(np.deg2rad(50)) - np.sin(np.deg2rad(10)))
    assert float(res) == pytest.approx(exact, rel=1e-12)


def test_curvilinear_area_matches_the_sector():
    # a regular lat/lon sector given as 2-D coordinates on logical dims
    lat1, lon1 = np.linspace(20, 40, 41), np.linspace(100, 130, 61)
    lon2, lat2 = np.meshgrid(lon1, lat1)
    da = xr.DataArray(
        np.ones(lat2.shape),
        dims=("j", "i"),
        coords={
            "lat": (("j", "i"), lat2, {"units": "degrees_north", "standard_name": "latitude"}),
            "lon": (("j", "i"), lon2, {"units": "degrees_east", "standard_name": "longitude"}),
        },
        attrs={"units": "1"},
    )
    res = integrate(da, ["j", "i"], accuracy=4)
    exact = R**2 * np.deg2rad(30) * (np.sin(np.deg2rad(40)) - np.sin(np.deg2rad(20)))
    assert float(res) == pytest.approx(exact, rel=1e-6)
    assert res.attrs["units"] == "m2"


@pytest.mark.parametrize("grid", ["uniform", "random"])
def test_plain_coordinates_and_bounds(grid):
    rng = np.random.default_rng(2)
    x = np.linspace(0, 1, 25) if grid == "uniform" else np.sort(rng.uniform(0, 1, 25))
    y = np.linspace(-1, 1, 11)
    da = xr.DataArray(
        x[:, None] ** 5 * y[None, :] ** 2,
        dims=("x", "y"),
        coords={"x": ("x", x, {"units": "m"}), "y": ("y", y, {"units": "s"})},
        attrs={"units": "K"},
    )
    res = integrate(da, ["x", "y"], accuracy=4)
    assert float(res) == pytest.approx((x[-1] ** 6 - x[0] ** 6) / 6 * 2 / 3, rel=1e-12)
    assert res.attrs["units"] == "K m s"
    part = integrate(da, "x", accuracy=4, bounds={"x": (0.2, 0.7)})
    np.testing.assert_allclose(part, (0.7**6 - 0.2**6) / 6 * y**2, rtol=1e-12)
    assert part.dims == ("y",)


def test_definite_equals_last_value_of_cumulative():
    x = np.sort(np.random.default_rng(4).uniform(0, 3, 50))
    da = xr.DataArray(np.exp(-x), dims="x", coords={"x": x})
    total = integrate(da, "x", accuracy=6)
    cum = cumulative_integrate(da, "x", accuracy=6)
    assert float(total) == pytest.approx(float(cum[-1]), rel=1e-13)


def test_datetime_bounds():
    t = np.datetime64("2021-06-01") + np.arange(10) * np.timedelta64(30, "m")
    da = xr.DataArray(np.ones(10), dims="time", coords={"time": t})
    res = integrate(da, "time", bounds={"time": (t[1], t[1] + np.timedelta64(45, "m"))})
    assert float(res) == pytest.approx(45 * 60.0)


def test_dask_lazy_and_equal(no_compute):
    lat, lon = np.linspace(-90, 90, 19), np.arange(0, 360, 10.0)
    da = _sphere(lat, lon, np.random.default_rng(0).normal(size=(19, 36)))
    da = da.expand_dims(time=4).copy()
    lazy = integrate(
        da.chunk({"time": 1, "latitude": 5, "longitude": 12}), ["latitude", "longitude"]
    )
    import dask

    with dask.config.set(scheduler="synchronous"):
        got = lazy.values
    np.testing.assert_allclose(got, integrate(da, ["latitude", "longitude"]).values, rtol=1e-13)


def test_geometry_cartesian_integrates_degrees():
    lat, lon = np.linspace(-90, 90, 19), np.arange(0, 360, 10.0)
    res = integrate(_sphere(lat, lon), ["latitude", "longitude"], geometry="cartesian")
    assert float(res) == pytest.approx(180 * 350)


def test_mass_integrate_both_orders_and_units():
    p = np.array([1000.0, 925, 850, 700, 500, 300, 200, 100])
    q = 0.01 * (p / 1000) ** 3
    for order in (slice(None), slice(None, None, -1)):
        da = xr.DataArray(
            q[order],
            dims="level",
            coords={"level": ("level", p[order], {"units": "hPa"})},
            attrs={"units": "kg kg-1"},
        )
        res = mass_integrate(da, "level")
        exact = 0.01 / 1000**3 * (1000**4 - 100**4) / 4 * 100 / fieldops.integrals.definite.G0
        assert float(res) == pytest.approx(exact, rel=1e-12)
        assert res.attrs["units"] == "kg m-2"
    layer = mass_integrate(da, "level", bounds=(850, 300))
    assert float(layer) == pytest.approx(
        0.01 / 1000**3 * (850**4 - 300**4) / 4 * 100 / 9.80665, rel=1e-12
    )


def test_bad_input():
    lat, lon = np.linspace(-90, 90, 19), np.arange(0, 360, 10.0)
    da = _sphere(lat, lon)
    with pytest.raises(ValueError, match="select the region first"):
        integrate(da, ["latitude", "longitude"], bounds={"latitude": (0, 10)})
    with pytest.raises(ValueError, match="not among dims"):
        integrate(da, ["latitude"], bounds={"longitude": (0, 10)})
    with pytest.raises(ValueError, match="reach beyond its coordinate"):
        integrate(da, ["latitude"], bounds={"latitude": (0, 95)})
    with pytest.raises(ValueError, match="must be a pair"):
        integrate(da, ["latitude"], bounds={"latitude": (0, 10, 20)})
    with pytest.raises(ValueError, match="name a dim twice"):
        integrate(da, ["latitude", "latitude"])
    with pytest.raises(ValueError, match="pressure with units"):
        mass_integrate(da, "latitude")
    noc = xr.DataArray(np.ones(5), dims="level")
    with pytest.raises(ValueError, match="has no coordinate"):
        mass_integrate(noc, "level")


def test_mass_integrate_on_too_few_levels_says_so_before_any_arithmetic():
    # The weights used to be built first: a RuntimeWarning (an error under
    # filterwarnings=error) came out instead of the message naming the fix.
    p = xr.DataArray([100000.0, 85000.0, 50000.0], dims="level", attrs={"units": "Pa"})
    f = xr.DataArray(np.ones(3), dims="level", coords={"level": p}, attrs={"units": "K"})
    with pytest.raises(ValueError, match="needs at least 4 points, got 3"):
        fieldops.mass_integrate(f, "level")
