"""Curvilinear grids (2-D latitude/longitude) and geometry detection."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.grids.detect import EARTH_RADIUS, detect_geometry, find_latlon

R = EARTH_RADIUS


# The curvilinear operators through the public functions, components labelled by
# the latitude/longitude coordinate names as the old module-level wrappers did.
def cv_grad(f, geo, **kw):
    g = fieldops.grad(f, [geo.y_dim, geo.x_dim], geometry="curvilinear", **kw)
    return g.assign_coords(component=[geo.lat, geo.lon])


def cv_laplacian(f, geo, **kw):
    return fieldops.laplacian(f, [geo.y_dim, geo.x_dim], geometry="curvilinear", **kw)


def field(phi, lam):
    return np.sin(2 * phi) * np.cos(3 * lam) + np.cos(phi) * np.sin(lam)


def exact_gradient(phi, lam):
    f_phi = 2 * np.cos(2 * phi) * np.cos(3 * lam) - np.sin(phi) * np.sin(lam)
    f_lam = -3 * np.sin(2 * phi) * np.sin(3 * lam) + np.cos(phi) * np.cos(lam)
    return f_lam / (R * np.cos(phi)), f_phi / R  # east, north


def rotated_stretched_grid(n, *, angle=35.0, lon0=165.0, lat0=20.0, size=30.0):
    """A (j, i) grid rotated by ``angle``, stretched along i, crossing the dateline."""
    a = np.linspace(0, 1, int(1.5 * n))
    b = np.linspace(0, 1, n)
    s = a + 0.15 * np.sin(np.pi * a)  # stretched
    t = b + 0.1 * b**2
    S, T = np.meshgrid(s, t)
    th = np.deg2rad(angle)
    lon = lon0 + size * (S * np.cos(th) - 0.7 * T * np.sin(th))
    lat = lat0 + size * (S * np.sin(th) + 0.7 * T * np.cos(th))
    lon = (lon + 180) % 360 - 180  # wraps at the dateline
    return lat, lon


def on_curvilinear(values, lat, lon, **attrs):
    coords = {"lat": (("j", "i"), lat), "lon": (("j", "i"), lon)}
    return xr.DataArray(values, dims=("j", "i"), coords=coords, attrs=attrs)


@pytest.mark.parametrize("accuracy", [2, 4])
def test_gradient_on_rotated_stretched_grid_converges_to_the_exact_one(accuracy):
    errors = []
    for n in (20, 40, 80):
        lat, lon = rotated_stretched_grid(n)
        assert lon.max() - lon.min() > 300  # really crosses the dateline
        phi, lam = np.deg2rad(lat), np.deg2rad(lon)
        f = on_curvilinear(field(phi, lam), lat, lon, units="K")
        geo = detect_geometry(f)
        assert geo.kind == "curvilinear" and (geo.y_dim, geo.x_dim) == ("j", "i")
        g = cv_grad(f, geo, accuracy=accuracy)
        assert g.attrs["units"] == "K m-1"
        east, north = exact_gradient(phi, lam)
        scale = np.abs(north).max()
        err = max(
            np.abs(g.sel(component="lon").values - east).max(),
            np.abs(g.sel(component="lat").values - north).max(),
        )
        errors.append(err / scale)
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[-1] < (1e-3 if accuracy == 2 else 1e-5)
    assert (orders > accuracy - 0.5).all(), orders


def test_curvilinear_matches_the_regular_grid_on_the_same_points():
    # A regular lat/lon grid seen as curvilinear (2-D coords on logical dims)
    # gives the spherical operator's numbers (same stencils, chain rule exact).
    lat1 = np.linspace(-60, 60, 41)
    lon1 = np.linspace(-40, 80, 61)
    lon2, lat2 = np.meshgrid(lon1, lat1)
    phi, lam = np.deg2rad(lat2), np.deg2rad(lon2)
    regular = xr.DataArray(field(phi, lam), dims=("lat", "lon"), coords={"lat": lat1, "lon": lon1})
    curvi = xr.DataArray(
        field(phi, lam),
        dims=("y", "x"),
        coords={"nav_lat": (("y", "x"), lat2), "nav_lon": (("y", "x"), lon2)},
    )
    g_reg = fieldops.grad(regular, ["lat", "lon"], geometry="spherical", accuracy=4)
    g_cur = cv_grad(curvi, detect_geometry(curvi), accuracy=4)
    scale = np.abs(g_reg.values).max()
    np.testing.assert_allclose(g_cur.values, g_reg.values, rtol=0, atol=1e-9 * scale)


def test_solid_body_rotation_kinematics_on_the_curvilinear_grid():
    lat, lon = rotated_stretched_grid(60, lat0=10.0, size=50.0)
    phi = np.deg2rad(lat)
    u = on_curvilinear(20 * np.cos(phi), lat, lon, units="m s-1")
    v = on_curvilinear(np.zeros_like(phi), lat, lon, units="m s-1")
    zeta = fieldops.vorticity(u, v, accuracy=4)
    exact = 2 * 20 * np.sin(phi) / R
    assert np.abs(zeta.values - exact).max() < 1e-4 * 40 / R
    assert np.abs(fieldops.divergence(u, v, accuracy=4).values).max() < 1e-4 * 40 / R
    d = fieldops.deformation(u, v, accuracy=4)
    assert np.abs(d.total_deformation.values).max() < 1e-4 * 40 / R
    assert zeta.attrs["units"] == "s-1"
    eta = fieldops.absolute_vorticity(u, v, accuracy=4)
    np.testing.assert_allclose(
        eta.values - zeta.values, 2 * fieldops.kinematics.OMEGA * np.sin(phi), rtol=1e-12
    )


def test_curvilinear_pole_point_is_nan_not_inf():
    lat1 = np.linspace(70, 90, 11)
    lon1 = np.linspace(0, 60, 13)
    lon2, lat2 = np.meshgrid(lon1, lat1)
    f = on_curvilinear(np.cos(np.deg2rad(lat2)), lat2, lon2)
    g = cv_grad(f, detect_geometry(f))
    east = g.sel(component="lon").values
    assert np.isnan(east[-1]).all() and np.isfinite(east[:-1]).all()


# -- detection -----------------------------------------------------------------


def grid(lat_name, lon_name, lat_attrs=None, lon_attrs=None, lat=None, lon=None):
    lat = np.linspace(-80, 80, 9) if lat is None else lat
    lon = np.arange(0, 360, 45.0) if lon is None else lon
    return xr.Dataset(
        {"t": ((lat_name, lon_name), np.zeros((lat.size, lon.size)))},
        coords={
            lat_name: (lat_name, lat, lat_attrs or {}),
            lon_name: (lon_name, lon, lon_attrs or {}),
        },
    )


@pytest.mark.parametrize(
    "ds",
    [
        grid("lat", "lon"),  # names only, no attributes
        grid("latitude", "longitude"),
        grid("Latitude", "Longitude"),
        grid("phi", "lam", {"units": "degrees_north"}, {"units": "degrees_east"}),
        grid("a", "b", {"standard_name": "latitude"}, {"standard_name": "longitude"}),
        grid("yy", "xx", {"axis": "Y", "units": "degrees"}, {"axis": "X", "units": "degree"}),
        grid("g0_lat_0", "g0_lon_1", {"units": "degrees_N"}, {"units": "degrees_E"}),
    ],
)
def test_detects_spherical_grids(ds):
    geo = detect_geometry(ds)
    assert geo.kind == "spherical"
    assert geo.y_dim == list(ds.t.dims)[0] and geo.x_dim == list(ds.t.dims)[1]
    assert detect_geometry(ds.t).kind == "spherical"


def test_attributes_win_over_names():
    # "lat" holds something else; the CF units point at the real latitude.
    ds = grid("lat", "lon")
    ds = ds.assign_coords(
        true_lat=("lat", ds.lat.values, {"units": "degrees_north"}),
        true_lon=("lon", ds.lon.values, {"units": "degrees_east"}),
    )
    assert find_latlon(ds) == ("true_lat", "true_lon")


def test_detects_curvilinear_and_cartesian():
    lat, lon = rotated_stretched_grid(5)
    ds = xr.Dataset(coords={"nav_lat": (("y", "x"), lat), "nav_lon": (("y", "x"), lon)})
    assert detect_geometry(ds).kind == "curvilinear"
    plane = xr.Dataset(
        {"t": (("north", "east"), np.zeros((3, 4)))},
        coords={
            "north": ("north", [0.0, 1, 2], {"axis": "Y", "units": "km"}),
            "east": ("east", [0.0, 1, 2, 3], {"axis": "X", "units": "km"}),
        },
    )
    geo = detect_geometry(plane)
    assert (geo.kind, geo.y_dim, geo.x_dim) == ("cartesian", "north", "east")
    rotated = grid(
        "rlat",
        "rlon",
        {"standard_name": "grid_latitude", "units": "degrees"},
        {"standard_name": "grid_longitude", "units": "degrees"},
    )
    # Rotated-pole coordinates are a rotated sphere, not true latitude/longitude (issue 18).
    assert detect_geometry(rotated).kind == "rotated"
    assert detect_geometry(grid("lat", "lon"), "cartesian").kind == "cartesian"


def test_detection_errors_name_the_fix():
    plane = xr.Dataset({"t": (("y", "x"), np.zeros((3, 4)))})
    with pytest.raises(ValueError, match="no latitude/longitude coordinates"):
        detect_geometry(plane, "spherical")
    with pytest.raises(ValueError, match="unknown geometry"):
        detect_geometry(plane, "flat")
    with pytest.raises(ValueError, match="radius must be a positive"):
        detect_geometry(plane, radius=-1.0)
    with pytest.raises(ValueError, match="beyond \\+-90"):
        detect_geometry(grid("lat", "lon", lat=np.linspace(0, 180, 9)))


@pytest.mark.parametrize("grid_kind", ["spherical", "curvilinear"])
def test_geostrophic_wind_of_a_zonal_geopotential(grid_kind):
    # Phi = a sin(lat)**2 gives ug = -a cos(lat) / (OMEGA R) and vg = 0 exactly.
    a = 5.0e4
    omega = fieldops.kinematics.OMEGA
    if grid_kind == "spherical":
        lat1 = np.linspace(90, -90, 181)
        lon1 = np.arange(-180, 180, 1.0)
        lon, lat = np.meshgrid(lon1, lat1)
        phi_field = xr.DataArray(
            a * np.sin(np.deg2rad(lat)) ** 2,
            dims=("lat", "lon"),
            coords={"lat": lat1, "lon": lon1},
            attrs={"units": "m2 s-2"},
        )
    else:
        lat, lon = rotated_stretched_grid(60, lat0=20.0, size=40.0)
        phi_field = on_curvilinear(a * np.sin(np.deg2rad(lat)) ** 2, lat, lon, units="m2 s-2")
    wind = fieldops.geostrophic_wind(phi_field, accuracy=4)
    ug_exact = -a * np.cos(np.deg2rad(lat)) / (omega * R)
    ok = np.abs(lat) >= 5
    scale = a / (omega * R)
    np.testing.assert_allclose(wind.ug.values[ok], ug_exact[ok], atol=1e-5 * scale)
    np.testing.assert_allclose(wind.vg.values[ok], 0.0, atol=1e-5 * scale)
    assert np.isnan(wind.ug.values[~ok]).all()
    assert wind.ug.attrs["units"] == "m s-1"
    assert wind.vg.attrs["standard_name"] == "geostrophic_northward_wind"


@pytest.mark.parametrize("accuracy", [2, 4])
def test_curvilinear_laplacian_of_a_harmonic_converges(accuracy):
    # Nested first derivatives: the scheme's order in the interior, one less on
    # the rows within the stencil's reach of the edges (checked separately).
    errors, edge_errors = [], []
    for n in (20, 40, 80):
        lat, lon = rotated_stretched_grid(n)
        phi, lam = np.deg2rad(lat), np.deg2rad(lon)
        y32 = np.sin(phi) * np.cos(phi) ** 2 * np.cos(2 * lam)
        f = on_curvilinear(y32, lat, lon, units="K")
        lap = cv_laplacian(f, detect_geometry(f), accuracy=accuracy)
        assert lap.attrs["units"] == "K m-2"
        exact = -12 * y32 / R**2
        err = np.abs(lap.values - exact) / np.abs(exact).max()
        k = accuracy
        errors.append(err[k:-k, k:-k].max())
        edge_errors.append(err.max())
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert (orders > accuracy - 0.5).all(), orders
    edge = np.log2(np.array(edge_errors[:-1]) / np.array(edge_errors[1:]))
    assert (edge > accuracy - 1.5).all(), edge


def test_curvilinear_div_curl_match_the_kinematics():
    lat, lon = rotated_stretched_grid(30)
    rng = np.random.default_rng(3)
    u = on_curvilinear(rng.normal(size=lat.shape), lat, lon)
    v = u.copy(data=rng.normal(size=lat.shape))
    geo = detect_geometry(u)
    # The vector operators (fieldops.div/curl of a component field) and the
    # kinematics reach the frame by their two routes and give the same numbers.
    vec = xr.concat([v, u], dim=xr.Variable("component", [geo.y_dim, geo.x_dim]))
    np.testing.assert_allclose(fieldops.div(vec).values, fieldops.divergence(u, v).values)
    np.testing.assert_allclose(fieldops.curl(vec).values, fieldops.vorticity(u, v).values)


def _global_curvilinear(lon0):
    """A regular global latitude/longitude grid given as 2-D coordinates on (y, x)."""
    lat1 = np.linspace(-60.0, 60.0, 25)
    lon1 = lon0 + np.arange(0.0, 360.0, 10.0)
    LON, LAT = np.meshgrid(lon1, lat1)
    data = field(np.deg2rad(LAT), np.deg2rad(LON))
    coords = {"lat": (("y", "x"), LAT), "lon": (("y", "x"), (LON + 180) % 360 - 180)}
    curv = xr.DataArray(data, dims=("y", "x"), coords=coords, name="f")
    sph = xr.DataArray(data, dims=("lat", "lon"), coords={"lat": lat1, "lon": lon1}, name="f")
    return curv, sph, LAT, LON


@pytest.mark.parametrize("lon0", [0.0, -175.0, 95.0])
def test_periodic_x_seam_of_a_global_curvilinear_grid(lon0):
    """Issue 13 #5: the seam columns of a periodic x equal the Sphere's, and the
    Laplacian does not depend on where the seam is."""
    curv, sph, LAT, LON = _global_curvilinear(lon0)
    periodic = {"x": "periodic"}
    g = fieldops.grad(curv, boundary=periodic)
    gs = fieldops.grad(sph)
    scale = float(np.abs(gs).max())
    for comp, sph_comp in (("x", "lon"), ("y", "lat")):
        np.testing.assert_allclose(
            g.sel(component=comp).values, gs.sel(component=sph_comp).values, atol=1e-12 * scale
        )
    # Against the analytic gradient, the seam columns are as good as the interior
    # (one periodic stencil everywhere)
    east, _ = exact_gradient(np.deg2rad(LAT), np.deg2rad(LON))
    err = np.abs(g.sel(component="x").values - east)
    assert err[:, [0, -1]].max() <= 1.01 * err[:, 1:-1].max()
    # Shifting the seam shifts the Laplacian and changes nothing else
    lap = fieldops.laplacian(curv, boundary=periodic)
    for k in (1, 7):
        moved = fieldops.laplacian(curv.roll(x=k, roll_coords=True), boundary=periodic)
        np.testing.assert_allclose(
            moved.values, lap.roll(x=k).values, atol=1e-12 * float(np.abs(lap).max())
        )
