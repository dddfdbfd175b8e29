"""method=, nan_policy= and mask= on the sphere, curvilinear grids and the kinematics.

The frames (:class:`fieldops.grids.spherical.Sphere`,
:class:`~fieldops.grids.curvilinear.Curvilinear`,
:class:`~fieldops.grids.curvilinear.Cartesian`) route each 1-D derivative through
``partial_data`` when the options are not plain finite differences; these tests
check numpy against Dask, accuracy on noisy data, coastlines, masks, laziness and
dtypes, on all three grids.
"""

from __future__ import annotations

import dask
import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.grids.detect import EARTH_RADIUS
from fieldops.grids.frame import frame_for
from fieldops.options import How, Where

U0 = 20.0


# --------------------------------------------------------------------------- grids


def frame_grad(f, lat, lon, **how):
    """(northward, eastward) derivatives straight from the sphere frame."""
    frame = frame_for(f, [lat, lon], Where(geometry="spherical"), How(**how))
    north, east = frame.grad(frame.bare(f))
    comps = xr.concat([north, east], dim="component").assign_coords(component=[lat, lon])
    return comps.transpose("component", *f.dims)


def frame_laplacian(f, lat, lon, **how):
    """The horizontal Laplacian straight from the sphere frame."""
    frame = frame_for(f, [lat, lon], Where(geometry="spherical"), How(**how))
    return frame.laplacian(frame.bare(f)).transpose(*f.dims)


def _sphere(step: float = 2.0, dtype=np.float64) -> xr.Dataset:
    """A global grid with pole rows: a smooth wind and a geopotential on it."""
    lat = np.linspace(-90.0, 90.0, int(round(180 / step)) + 1)
    lon = np.arange(0.0, 360.0, step)
    phi, lam = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    u = U0 * np.cos(phi) * (1 + 0.2 * np.sin(lam) * np.sin(phi))
    v = 5.0 * np.cos(phi) * np.cos(2 * lam)
    z = 5500.0 + 100.0 * np.sin(phi) ** 2 + 30.0 * np.cos(phi) * np.sin(lam)
    t = 280.0 + 10.0 * np.cos(phi) * np.cos(lam)
    coords = {
        "lat": ("lat", lat, {"units": "degrees_north"}),
        "lon": ("lon", lon, {"units": "degrees_east"}),
    }
    ds = xr.Dataset(
        {
            "u": (("lat", "lon"), u.astype(dtype), {"units": "m s-1"}),
            "v": (("lat", "lon"), v.astype(dtype), {"units": "m s-1"}),
            "z": (("lat", "lon"), z.astype(dtype), {"units": "m"}),
            "t": (("lat", "lon"), t.astype(dtype), {"units": "K"}),
        },
        coords=coords,
    )
    return ds


def _curvilinear() -> xr.Dataset:
    """A rotated, sheared regional grid with 2-D latitude/longitude."""
    j, i = np.meshgrid(np.arange(40.0), np.arange(50.0), indexing="ij")
    lat = 20 + 0.5 * j + 0.1 * i
    lon = 0.5 * i - 0.1 * j
    phi, lam = np.deg2rad(lat), np.deg2rad(lon)
    data = {
        "u": U0 * np.cos(phi) * (1 + 0.1 * np.sin(3 * lam)),
        "v": 5.0 * np.cos(2 * lam) * np.cos(phi),
        "z": 5500.0 + 100.0 * np.sin(phi) ** 2 + 30.0 * np.sin(2 * lam),
        "t": 280.0 + 10.0 * np.cos(3 * lam) * np.sin(phi),
    }
    units = {"u": "m s-1", "v": "m s-1", "z": "m", "t": "K"}
    return xr.Dataset(
        {k: (("j", "i"), val, {"units": units[k]}) for k, val in data.items()},
        coords={"lat": (("j", "i"), lat), "lon": (("j", "i"), lon)},
    )


def _plane() -> xr.Dataset:
    """A cartesian plane in km, with a latitude coordinate for the Coriolis parameter."""
    x = np.arange(60) * 25.0
    y = np.arange(45) * 25.0
    X, Y = np.meshgrid(x, y)
    data = {
        "u": 10 * np.sin(X / 300.0) * np.cos(Y / 250.0),
        "v": -8 * np.cos(X / 350.0) * np.sin(Y / 200.0),
        "z": 5500 + 50 * np.sin(X / 400.0 + Y / 300.0),
        "t": 280 + 5 * np.cos(X / 300.0) * np.cos(Y / 300.0),
    }
    units = {"u": "m s-1", "v": "m s-1", "z": "m", "t": "K"}
    return xr.Dataset(
        {k: (("y", "x"), val, {"units": units[k]}) for k, val in data.items()},
        coords={
            "x": ("x", x, {"units": "km"}),
            "y": ("y", y, {"units": "km"}),
            "latitude": (("y", "x"), 45.0 + 0 * X, {"units": "degrees_north"}),
        },
    )


GRIDS = {"sphere": _sphere, "curvilinear": _curvilinear, "plane": _plane}
DIMS = {"sphere": ("lat", "lon"), "curvilinear": ("j", "i"), "plane": ("y", "x")}


def _continent(ds: xr.Dataset, kind: str) -> xr.DataArray:
    """True over the ocean, False over a rectangular continent away from edges and poles."""
    ydim, xdim = DIMS[kind]
    ny, nx = ds.sizes[ydim], ds.sizes[xdim]
    land = np.zeros((ny, nx), bool)
    land[ny // 2 - ny // 6 : ny // 2 + ny // 8, nx // 3 : nx // 3 + nx // 5] = True
    return xr.DataArray(~land, dims=(ydim, xdim))


def _with_land(ds: xr.Dataset, ocean: xr.DataArray) -> xr.Dataset:
    return ds.map(lambda v: v.where(ocean), keep_attrs=True)


# --------------------------------------------------------------------------- calls

HOWS = {
    "savgol": dict(method="savgol", window="7 points"),
    "gaussian": dict(method="gaussian", sigma=1.5),
    "omit": dict(nan_policy="omit"),
}


def _geometry(kind: str) -> str:
    return {"sphere": "spherical", "curvilinear": "curvilinear", "plane": "cartesian"}[kind]


def _vec(ds: xr.Dataset, kind: str) -> xr.DataArray:
    ydim, xdim = DIMS[kind]
    return xr.concat([ds.v, ds.u], dim="component", coords="minimal").assign_coords(
        component=[ydim, xdim]
    )


def _operators(kind: str):
    """name -> function of (Dataset, how) for every operator under test."""
    dims = list(DIMS[kind])
    geo = _geometry(kind)

    ops = {
        "grad": lambda ds, how: fieldops.grad(ds.z, dims, geometry=geo, **how),
        "laplacian": lambda ds, how: fieldops.laplacian(ds.z, dims, geometry=geo, **how),
        "vorticity": lambda ds, how: fieldops.vorticity(ds.u, ds.v, **how),
        "divergence": lambda ds, how: fieldops.divergence(ds.u, ds.v, **how),
        "deformation": lambda ds, how: fieldops.deformation(ds.u, ds.v, **how),
        "advection": lambda ds, how: fieldops.advection(ds.t, ds.u, ds.v, **how),
        "geostrophic_wind": lambda ds, how: fieldops.geostrophic_wind(ds.z, **how),
    }
    ops["div"] = lambda ds, how: fieldops.div(_vec(ds, kind), dims, geometry=geo, **how)
    ops["curl"] = lambda ds, how: fieldops.curl(_vec(ds, kind), dims, geometry=geo, **how)
    return ops


def _values(obj) -> dict[str, np.ndarray]:
    if isinstance(obj, xr.Dataset):
        return {k: v.values for k, v in obj.data_vars.items()}
    return {"": obj.values}


CASES = [(kind, name, how) for kind in GRIDS for name in _operators(kind) for how in HOWS]


def _how(how: str, kind: str) -> dict:
    """The options of case ``how``; sigma in the coordinate's units (km on the plane)."""
    kw = dict(HOWS[how])
    if how == "gaussian" and kind == "plane":
        kw["sigma"] = 40.0
    return kw


# --------------------------------------------------------------------------- (a) numpy == Dask


@pytest.mark.parametrize(("kind", "name", "how"), CASES)
def test_numpy_and_dask_agree_and_dask_stays_lazy(kind, name, how, no_compute):
    ds = GRIDS[kind]()
    kw = _how(how, kind)
    if how == "omit":
        ds = _with_land(ds, _continent(ds, kind))
    ydim, xdim = DIMS[kind]
    lazy_in = ds.chunk({ydim: 13, xdim: 17})
    before = lazy_in.copy(deep=True)
    op = _operators(kind)[name]
    lazy = op(lazy_in, kw)
    arrays = lazy.data_vars.values() if isinstance(lazy, xr.Dataset) else [lazy]
    for arr in arrays:
        assert isinstance(arr.data, dsa.Array)
        assert arr.chunks[-2:] == lazy_in.u.chunks  # chunks kept
    with dask.config.set(scheduler="sync"):  # lifts no_compute for the check itself
        eager = op(ds, kw)
        got, ref = _values(lazy), _values(eager)
        xr.testing.assert_identical(lazy_in.compute(), before.compute())
    for key in ref:
        scale = np.nanmax(np.abs(ref[key]))
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-12, atol=1e-12 * scale)
        assert np.isfinite(ref[key]).any()


def test_plane_gaussian_sigma_is_in_coordinate_units():
    ds = _plane()
    kw = dict(method="gaussian", sigma=40.0)  # km, as the coordinate says
    eager = fieldops.vorticity(ds.u, ds.v, **kw)
    lazy = fieldops.vorticity(ds.u.chunk(y=10, x=20), ds.v.chunk(y=10, x=20), **kw)
    np.testing.assert_allclose(lazy.values, eager.values, rtol=1e-12, atol=1e-20)
    exact = fieldops.vorticity(ds.u, ds.v, accuracy=6)
    inner = dict(x=slice(300, 1100), y=slice(250, 850))
    err = float(abs(eager - exact).sel(inner).max() / abs(exact).sel(inner).max())
    assert err < 0.05  # a 40 km Gaussian on 250-400 km waves: a few percent


@pytest.mark.parametrize("name", ["grad", "laplacian", "div", "curl", "vorticity", "divergence"])
def test_spectral_along_longitude_numpy_and_dask(name, no_compute):
    ds = _sphere()
    kw = dict(method={"lon": "spectral", "lat": "finite_difference"})
    lazy_in = ds.chunk({"lat": 13})  # spectral: longitude in one chunk
    op = _operators("sphere")[name]
    lazy = op(lazy_in, kw)
    assert isinstance(lazy.data, dsa.Array)
    with dask.config.set(scheduler="sync"):
        eager = op(ds, kw)
        got = lazy.values
    np.testing.assert_allclose(got, eager.values, rtol=1e-12, atol=1e-12 * abs(eager).max())
    plain = op(ds, {})
    # Spectral in longitude is exact for the few zonal waves of the fields: it
    # differs from finite differences by their (small) zonal truncation error.
    rel = float(abs(eager - plain).max() / abs(plain).max())
    assert 0 < rel < 2e-2


def test_spectral_along_latitude_is_refused_clearly():
    ds = _sphere()
    with pytest.raises(ValueError, match="latitude 'lat' is not"):
        fieldops.vorticity(ds.u, ds.v, method="spectral")
    with pytest.raises(ValueError, match="latitude 'lat' is not"):
        fieldops.grad(ds.z, ["lat", "lon"], method="spectral")


def test_method_per_dim_with_a_vertical_dim():
    ds = _sphere()
    z3 = xr.concat([ds.z, 1.1 * ds.z, 1.3 * ds.z], dim="level").assign_coords(
        level=[1000.0, 850.0, 500.0]
    )
    method = {"lon": "spectral", "lat": "savgol", "level": "finite_difference"}
    got = fieldops.grad(z3, ["level", "lat", "lon"], method=method, window={"lat": "5 points"})
    horiz = frame_grad(
        z3, "lat", "lon", method={"lon": "spectral", "lat": "savgol"}, window="5 points"
    )
    np.testing.assert_array_equal(got.sel(component="lat").values, horiz.sel(component="lat"))
    np.testing.assert_array_equal(
        got.sel(component="level").values, fieldops.diff(z3, "level").values
    )


# --------------------------------------------------------------------------- (b) noise


def _noisy_rotation(seed: int = 1):
    """Solid-body rotation on a 1-degree sphere plus noise of 1% of U."""
    ds = _sphere(step=1.0)
    phi = np.deg2rad(ds.lat)
    u = (U0 * np.cos(phi) + 0 * ds.lon).assign_attrs(units="m s-1")
    rng = np.random.default_rng(seed)
    un = u + 0.01 * U0 * rng.standard_normal(u.shape)
    vn = 0 * u + 0.01 * U0 * rng.standard_normal(u.shape)
    exact = 2 * U0 / EARTH_RADIUS * np.sin(phi) + 0 * ds.lon
    return un.assign_attrs(units="m s-1"), vn.assign_attrs(units="m s-1"), exact


def _rms(a, b) -> float:
    return float(np.sqrt(((a - b) ** 2).mean()))


@pytest.mark.parametrize(
    ("how", "gain"),
    [
        # Measured on this grid: finite differences 9.5e-6 s-1; savgol 6.4e-7 (15x);
        # gaussian 4.1e-7 (23x). Asserted with margin.
        (dict(method="savgol", window="21 points"), 5),
        (dict(method="savgol", window="20.0 wide"), 5),  # 20 degrees: the same 21 points
        (dict(method="gaussian", sigma=6.0), 5),  # degrees
    ],
)
def test_smoothing_methods_beat_finite_differences_on_noisy_wind(how, gain):
    un, vn, exact = _noisy_rotation()
    fd = _rms(fieldops.vorticity(un, vn), exact)
    smooth = _rms(fieldops.vorticity(un, vn, **how), exact)
    assert smooth * gain < fd
    # divergence of a non-divergent wind: the same noise, the same gain
    fd_d = _rms(fieldops.divergence(un, vn), 0.0)
    assert _rms(fieldops.divergence(un, vn, **how), 0.0) * gain < fd_d


def test_window_in_degrees_is_window_in_points():
    un, vn, _ = _noisy_rotation()
    xr.testing.assert_allclose(
        fieldops.vorticity(un, vn, method="savgol", window="20.0 wide"),
        fieldops.vorticity(un, vn, method="savgol", window="21 points"),
    )


# --------------------------------------------------------------------------- (c) coastlines


@pytest.mark.parametrize("kind", list(GRIDS))
@pytest.mark.parametrize("name", ["vorticity", "divergence"])
def test_omit_keeps_the_coast_and_leaves_the_open_ocean_alone(kind, name):
    ds = GRIDS[kind]()
    ocean = _continent(ds, kind)
    wet = _with_land(ds, ocean)
    func = getattr(fieldops, name)
    clean = func(ds.u, ds.v).values
    omit = func(wet.u, wet.v, nan_policy="omit").values
    prop = func(wet.u, wet.v).values
    sea = ocean.values
    # Every ocean point has >= 2 valid points (order + 1) along each dim here.
    assert np.isfinite(omit[sea]).all()
    assert np.isnan(omit[~sea]).all()
    # propagate loses the coast: the ocean points next to land
    land = ~sea
    coast = sea & (
        np.roll(land, 1, 0) | np.roll(land, -1, 0) | np.roll(land, 1, 1) | np.roll(land, -1, 1)
    )
    assert coast.sum() > 10 and np.isnan(prop[coast]).all()
    assert np.isfinite(omit[coast]).all()
    # far from the coast (beyond the stencil's reach) nothing changes
    near = land.copy()
    for _ in range(2):
        near = near | np.roll(near, 1, 0) | np.roll(near, -1, 0)
        near = near | np.roll(near, 1, 1) | np.roll(near, -1, 1)
    far = ~near
    np.testing.assert_allclose(omit[far], clean[far], rtol=1e-12, atol=1e-12 * abs(clean).max())
    np.testing.assert_allclose(prop[far], clean[far], rtol=1e-12, atol=1e-12 * abs(clean).max())


def test_omit_on_the_sphere_near_a_pole_stays_nan_by_the_pole_rule():
    ds = _sphere()
    ocean = xr.ones_like(ds.u, dtype=bool)
    ocean[1, 10:20] = False  # land on the row next to the south pole
    wet = _with_land(ds, ocean)
    z = fieldops.vorticity(wet.u, wet.v, nan_policy="omit")
    assert np.isnan(z.isel(lat=0)).all()  # the pole value uses the zonal mean of row 1
    assert np.isfinite(z.isel(lat=-1)).all()


# --------------------------------------------------------------------------- (d) mask


@pytest.mark.parametrize("kind", list(GRIDS))
def test_mask_is_nan_where_false(kind):
    ds = GRIDS[kind]()
    ocean = _continent(ds, kind)
    wet = _with_land(ds, ocean)
    for name, op in _operators(kind).items():
        by_mask = op(ds, dict(mask=ocean))
        by_nan = op(wet, dict(nan_policy="omit"))
        for key, ref in _values(by_nan).items():
            np.testing.assert_array_equal(_values(by_mask)[key], ref, err_msg=name)


def test_mask_on_fewer_dims_than_the_field_and_with_coordinates():
    ds = _sphere()
    ocean = _continent(ds, "sphere").assign_coords(lat=ds.lat, lon=ds.lon)
    u3 = xr.concat([ds.u, 2 * ds.u], dim="time").assign_attrs(units="m s-1")
    v3 = xr.concat([ds.v, 2 * ds.v], dim="time").assign_attrs(units="m s-1")
    got = fieldops.vorticity(u3, v3, mask=ocean)
    ref = fieldops.vorticity(ds.u, ds.v, mask=ocean)
    np.testing.assert_array_equal(got.isel(time=0).values, ref.values)
    np.testing.assert_allclose(got.isel(time=1).values, 2 * ref.values, rtol=1e-12)


# --------------------------------------------------------------------------- (e, f) dtype


@pytest.mark.parametrize("how", list(HOWS))
def test_float32_kept_on_the_sphere(how):
    ds = _sphere(dtype=np.float32)
    kw = dict(HOWS[how])
    if how == "omit":
        ds = _with_land(ds, _continent(ds, "sphere"))
    for name, op in _operators("sphere").items():
        out = op(ds, kw)
        for arr in out.data_vars.values() if isinstance(out, xr.Dataset) else [out]:
            assert arr.dtype == np.float32, name
    ref = fieldops.vorticity(ds.u.astype(np.float64), ds.v.astype(np.float64), **kw)
    got = fieldops.vorticity(ds.u, ds.v, **kw)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4 * float(abs(ref).max()))


def test_plain_options_take_the_fast_path_unchanged():
    ds = _sphere()
    plain = fieldops.vorticity(ds.u, ds.v)
    same = fieldops.vorticity(ds.u, ds.v, method="finite_difference", nan_policy="propagate")
    np.testing.assert_array_equal(plain.values, same.values)
    assert frame_for(ds.u, None, Where(), How(method="finite_difference")).how_opts is None


def test_dataset_accessor_passes_the_options():
    ds = _sphere()
    ocean = _continent(ds, "sphere")
    got = ds.fieldops.vorticity(u="u", v="v", mask=ocean, method="finite_difference")
    ref = fieldops.vorticity(ds.u, ds.v, mask=ocean)
    np.testing.assert_array_equal(got.values, ref.values)
    got = ds.fieldops.geostrophic_wind("z", method="savgol", window="5 points")
    ref = fieldops.geostrophic_wind(ds.z, method="savgol", window="5 points")
    xr.testing.assert_identical(got, ref)


def test_stretching_shearing_total_match_deformation():
    ds = _sphere()
    kw = dict(method="gaussian", sigma=3.0)
    d = fieldops.deformation(ds.u, ds.v, **kw)
    for name in ("stretching_deformation", "shearing_deformation", "total_deformation"):
        xr.testing.assert_identical(getattr(fieldops, name)(ds.u, ds.v, **kw), d[name])
    eta = fieldops.absolute_vorticity(ds.u, ds.v, **kw)
    zeta = fieldops.vorticity(ds.u, ds.v, **kw)
    f = 2 * fieldops.kinematics.OMEGA * np.sin(np.deg2rad(ds.lat))
    np.testing.assert_allclose(eta.values, (zeta + f).values, rtol=1e-12, atol=1e-18)


# --------------------------------------------------------------------------- repeated endpoint


def _rotation_on(lon: np.ndarray) -> tuple[xr.DataArray, xr.DataArray]:
    lat = np.linspace(-90.0, 90.0, 91)
    phi, lam = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    u = U0 * np.cos(phi) + 2.0 * np.cos(phi) * np.cos(lam) ** 2
    v = 3.0 * np.cos(phi) * np.sin(2 * lam)
    coords = {"lat": lat, "lon": lon}
    attrs = {"units": "m s-1"}
    u = xr.DataArray(u, dims=("lat", "lon"), coords=coords, attrs=attrs)
    v = xr.DataArray(v, dims=("lat", "lon"), coords=coords, attrs=attrs)
    return u, v


@pytest.mark.parametrize("start", [0.0, -180.0])
@pytest.mark.parametrize("how", [{}, dict(method="savgol", window="5 points")])
def test_repeated_endpoint_longitude_is_periodic(start, how, no_compute):
    unique = np.arange(start, start + 360.0, 2.0)
    u1, v1 = _rotation_on(unique)
    u2, v2 = _rotation_on(np.append(unique, start + 360.0))
    u2[:, -1], v2[:, -1] = u2[:, 0], v2[:, 0]  # the same meridian, the same values
    for func in (fieldops.vorticity, fieldops.divergence, fieldops.deformation):
        ref = func(u1, v1, **how)
        got = func(u2, v2, **how)
        for key, r in _values(ref).items():
            g = _values(got)[key]
            np.testing.assert_array_equal(g[:, :-1], r)
            np.testing.assert_array_equal(g[:, -1], g[:, 0])
        lazy = func(u2.chunk(lat=20, lon=50), v2.chunk(lat=20, lon=50), **how)
        arrays = lazy.data_vars.values() if isinstance(lazy, xr.Dataset) else [lazy]
        for arr in arrays:
            assert isinstance(arr.data, dsa.Array)
            assert arr.chunks == u2.chunk(lat=20, lon=50).chunks
        with dask.config.set(scheduler="sync"):
            for key, g in _values(lazy).items():
                r = _values(got)[key]
                np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12 * np.abs(r).max())


def test_repeated_endpoint_solid_body_rotation():
    lat = xr.DataArray(np.linspace(-90.0, 90.0, 181), dims="lat")
    lat = lat.assign_coords(lat=lat)
    ring = U0 * np.cos(np.deg2rad(lat))
    u1 = ring + xr.DataArray(np.zeros(360), dims="lon", coords={"lon": np.arange(360.0)})
    u2 = ring + xr.DataArray(np.zeros(361), dims="lon", coords={"lon": np.arange(361.0)})
    u1, u2 = u1.assign_attrs(units="m s-1"), u2.assign_attrs(units="m s-1")
    z1 = fieldops.vorticity(u1, 0 * u1)
    z2 = fieldops.vorticity(u2, 0 * u2)
    np.testing.assert_array_equal(z2.values[:, :-1], z1.values)
    exact = 2 * U0 / EARTH_RADIUS * np.sin(np.deg2rad(lat))
    assert float(abs(z2 - exact).max() / (2 * U0 / EARTH_RADIUS)) < 1e-3
    lap1 = fieldops.laplacian(u1, ["lat", "lon"])
    lap2 = fieldops.laplacian(u2, ["lat", "lon"])
    np.testing.assert_array_equal(lap2.values[:, :-1], lap1.values)


@pytest.mark.parametrize("kind", list(GRIDS))
def test_mask_on_dask_is_lazy_and_numpy_input_untouched(kind, no_compute):
    ds = GRIDS[kind]()
    ocean = _continent(ds, kind)
    before = ds.copy(deep=True)
    ydim, xdim = DIMS[kind]
    lazy_in = ds.chunk({ydim: 11, xdim: 19})
    for op in _operators(kind).values():
        lazy = op(lazy_in, dict(mask=ocean.chunk({ydim: 11})))
        with dask.config.set(scheduler="sync"):
            eager = op(ds, dict(mask=ocean))
            for key, ref in _values(eager).items():
                np.testing.assert_allclose(
                    _values(lazy)[key], ref, rtol=1e-12, atol=1e-12 * np.nanmax(np.abs(ref))
                )
    xr.testing.assert_identical(ds, before)


@pytest.mark.parametrize("kind", list(GRIDS))
def test_mask_is_aligned_by_label_on_every_grid(kind):
    # A mask stored north to south (or in any other order of the same labels)
    # masks the same cells as one in the field's order: never by position.
    ds = GRIDS[kind]()
    ydim, xdim = DIMS[kind]
    ds = ds.assign_coords({d: np.arange(ds.sizes[d]) for d in (ydim, xdim) if d not in ds.coords})
    ocean = _continent(ds, kind).assign_coords({ydim: ds[ydim], xdim: ds[xdim]})
    flipped = ocean.isel({ydim: slice(None, None, -1)})
    for name, op in _operators(kind).items():
        ref = _values(op(ds, dict(mask=ocean)))
        got = _values(op(ds, dict(mask=flipped)))
        for key in ref:
            np.testing.assert_array_equal(got[key], ref[key], err_msg=name)
    shifted = ocean.assign_coords({ydim: ocean[ydim] + 0.5})
    with pytest.raises(ValueError, match=f"labels along '{ydim}'"):
        _operators(kind)["vorticity"](ds, dict(mask=shifted))
