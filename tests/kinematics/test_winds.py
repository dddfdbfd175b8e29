"""Kinematics: MetPy's known answers, the ERA-Interim sample, units, the equator, Dask."""

from __future__ import annotations

import inspect

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops import kinematics as kin
from fieldops.grids.detect import EARTH_RADIUS

# MetPy's 3x3 known-answer cases (tests/calc/test_kinematics.py, the *_asym tests):
# arrays are (y, x), dx = 1 m, dy = 2 m unless said.
U_ASYM = np.array([[2, 4, 8], [0, 2, 2], [4, 6, 8]], dtype=float)
V_ASYM = np.array([[6, 4, 8], [2, 6, 0], [2, 2, 6]], dtype=float)
METPY = {
    "vorticity": [[-2.5, 3.5, 13.0], [8.5, -1.5, -11.0], [-5.5, -1.5, 0.0]],
    "divergence": [[-2, 5.5, -2.5], [2.0, 0.5, -1.5], [3.0, -1.5, 8.5]],
    "shearing_deformation": [[-7.5, -1.5, 1.0], [9.5, -0.5, -11.0], [1.5, 5.5, 12.0]],
    "stretching_deformation": [[4.0, 0.5, 12.5], [4.0, 1.5, -0.5], [1.0, 5.5, -4.5]],
    "total_deformation": [
        [8.5, 1.58113883, 12.5399362],
        [10.30776406, 1.58113883, 11.0113578],
        [1.80277562, 7.7781746, 12.8160056],
    ],
}
METPY_OMEGA = 7.292115e-5


def plane(values, dx=1.0, dy=2.0, units="m s-1", name=None, xunits="m"):
    values = np.asarray(values, dtype=float)
    ny, nx = values.shape
    x = xr.DataArray(np.arange(nx) * dx, dims="x", attrs={"units": xunits})
    y = xr.DataArray(np.arange(ny) * dy, dims="y", attrs={"units": xunits})
    return xr.DataArray(
        values, dims=("y", "x"), coords={"x": x, "y": y}, name=name, attrs={"units": units}
    )


@pytest.mark.parametrize("name", list(METPY))
def test_metpy_known_answers(name):
    func = getattr(fieldops, name)
    got = func(plane(U_ASYM, name="u"), plane(V_ASYM, name="v"))
    np.testing.assert_allclose(got.values, METPY[name], rtol=1e-8, atol=1e-12)
    assert got.attrs["units"] == "s-1"
    assert got.dims == ("y", "x")


def test_metpy_known_answer_absolute_vorticity():
    lats = np.array([30, 20, 10.0])[:, None] * np.ones(3)
    f = xr.DataArray(2 * METPY_OMEGA * np.sin(np.deg2rad(lats)), dims=("y", "x"))
    got = fieldops.absolute_vorticity(plane(U_ASYM), plane(V_ASYM), coriolis=f)
    true = [
        [-2.499927, 3.500073, 13.00007],
        [8.500050, -1.499950, -10.99995],
        [-5.499975, -1.499975, 2.532525e-5],
    ]
    np.testing.assert_allclose(got.values, true, atol=1e-5)


def test_metpy_known_answer_advection():
    u = np.arange(9.0).reshape(3, 3)
    s = np.array([[1, 2, 4], [4, 8, 4], [8, 6, 4]])
    got = fieldops.advection(
        plane(s, dx=2.0, dy=1.0, units="K", name="t"),
        plane(u, dx=2.0, dy=1.0),
        plane(2 * u, dx=2.0, dy=1.0),
    )
    true = [[0, -20.75, -2.5], [-33.0, -16.0, 20.0], [-48, 91.0, 8]]
    np.testing.assert_allclose(got.values, true, rtol=1e-12)
    assert got.attrs["units"] == "K s-1"
    assert got.name == "advection_of_t"


def test_metpy_known_answer_geostrophic_wind():
    z = np.array([[1, 2, 4], [4, 8, 4], [8, 6, 4]]) * 20.0
    f = 2 * METPY_OMEGA * np.sin(np.deg2rad(30))
    got = fieldops.geostrophic_wind(
        plane(z, dx=2000.0, dy=1000.0, units="m", xunits="km"), coriolis=f
    )
    true_u = [[-6.724, -26.897, 0], [-9.414, -5.379, 0], [-12.103, 16.138, 0]]
    true_v = [[0.672, 2.017, 3.362], [10.759, 0, -10.759], [-2.690, -2.690, -2.690]]
    np.testing.assert_allclose(got.ug.values, true_u, atol=0.01)
    np.testing.assert_allclose(got.vg.values, true_v, atol=0.01)
    assert got.ug.attrs["units"] == "m s-1"


def test_metpy_known_answer_geostrophic_from_geopotential():
    phi = np.array([[48, 49, 48], [49, 50, 49], [48, 49, 48]]) * 100.0
    f = 2 * METPY_OMEGA * np.sin(np.deg2rad(30))
    got = fieldops.geostrophic_wind(
        plane(phi, dx=100.0, dy=100.0, units="m**2 s**-2", xunits="km"), coriolis=f
    )
    true_u = np.array([[-27.427, 0, 27.427]] * 3).T
    np.testing.assert_allclose(got.ug.values, true_u, atol=0.01)
    np.testing.assert_allclose(got.vg.values, -true_u.T, atol=0.01)


def test_metpy_lat_lon_case_agrees_within_the_ellipsoid_difference():
    # MetPy's basic_dataset (WGS84 geodesic distances); ours is on a sphere.
    lat, lon = [30.0, 31, 33], [-100.0, -96, -90]
    coords = {
        "lat": ("lat", lat, {"units": "degrees_north"}),
        "lon": ("lon", lon, {"units": "degrees_east"}),
    }
    u = xr.DataArray(U_ASYM, dims=("lat", "lon"), coords=coords, attrs={"units": "m/s"})
    v = u.copy(data=V_ASYM)
    truth = [
        [2.03538383e-5, 3.02085059e-5, 9.64086237e-5],
        [2.48885712e-5, 8.32454044e-6, 4.33065628e-6],
        [-4.46930721e-5, -3.87823454e-5, -6.92512555e-5],
    ]
    got = fieldops.vorticity(u, v)
    # Different metrics (analytic cos terms vs finite-differenced map factors on a
    # non-uniform 3x3 grid): agreement to 2% of the largest value.
    np.testing.assert_allclose(got.values, truth, rtol=0, atol=2e-6)


def numpy_flux_form(u, v, lat_deg, lon_step_deg, radius):
    """Independent accuracy-2 implementation: np.gradient in latitude, np.roll in longitude."""
    phi = np.deg2rad(lat_deg.astype(np.float64))
    cos = np.cos(phi)
    pole = np.isclose(np.abs(lat_deg), 90)
    cos[pole] = 0.0
    dlam = np.deg2rad(lon_step_deg)

    def d_lam(a):
        return (np.roll(a, -1, axis=-1) - np.roll(a, 1, axis=-1)) / (2 * dlam)

    def d_phi(a):
        return np.gradient(a, phi, axis=-2, edge_order=2)

    inv = np.zeros_like(cos)
    inv[~pole] = 1.0 / cos[~pole]
    zeta = (d_lam(v) - d_phi(u * cos[:, None])) * inv[:, None] / radius
    div = (d_lam(u) + d_phi(v * cos[:, None])) * inv[:, None] / radius
    for out in (zeta, div):
        for p, step in ((0, 1), (len(phi) - 1, -1)):
            if pole[p]:  # zonal means of the two nearest rows, even in colatitude
                m1 = out[..., p + step, :].mean(axis=-1)
                m2 = out[..., p + 2 * step, :].mean(axis=-1)
                out[..., p, :] = ((4 * m1 - m2) / 3)[..., None]
    return zeta, div


def test_era_interim_sample_against_numpy():
    ds = fieldops.open_sample()
    zeta = ds.fieldops.vorticity(u="u", v="v")
    div = ds.fieldops.divergence(u="u", v="v")
    assert np.isfinite(zeta.values).all() and np.isfinite(div.values).all()
    assert zeta.dims == ds.u.dims and zeta.attrs["units"] == "s-1"
    assert zeta.attrs["standard_name"] == "atmosphere_relative_vorticity"
    ref_z, ref_d = numpy_flux_form(ds.u.values, ds.v.values, ds.latitude.values, 1.5, EARTH_RADIUS)
    scale = np.abs(ref_z).max()
    np.testing.assert_allclose(zeta.values, ref_z, rtol=0, atol=1e-11 * scale)
    np.testing.assert_allclose(div.values, ref_d, rtol=0, atol=1e-11 * scale)
    # Global (area-weighted) mean divergence vanishes: the flux form telescopes.
    w = np.cos(np.deg2rad(ds.latitude.astype(float)))
    mean = div.weighted(w).mean(("latitude", "longitude"))
    typical = np.abs(div).weighted(w).mean(("latitude", "longitude"))
    assert (np.abs(mean) < 1e-3 * typical).all()
    # Pole rows: one value per pole, of the size of the neighbouring rows.
    for p in (0, -1):
        row = zeta.isel(latitude=p)
        assert float(row.std("longitude").max()) < 1e-12 * float(np.abs(row).max())
        assert float(np.abs(row).max()) < 5 * float(np.abs(zeta.isel(latitude=[1, -2])).max())


def test_geostrophic_wind_on_the_sample_is_nan_only_near_the_equator():
    ds = fieldops.open_sample()
    wind = ds.fieldops.geostrophic_wind("z")
    band = np.abs(ds.latitude) < 5
    assert wind.ug.where(band, drop=True).isnull().all()
    assert np.isfinite(wind.ug.where(~band, drop=True)).all()
    assert np.isfinite(wind.vg.where(~band, drop=True)).all()  # poles included
    # Geostrophic balance holds in the mid-latitudes at 500 hPa.
    mid = (np.abs(ds.latitude) > 30) & (np.abs(ds.latitude) < 60)
    sel = dict(level=500, latitude=mid)
    r = np.corrcoef(wind.ug.sel(sel).values.ravel(), ds.u.sel(sel).values.ravel())[0, 1]
    assert r > 0.9
    only_equator = ds.fieldops.geostrophic_wind("z", min_latitude=0.0)
    assert only_equator.ug.isnull().sum() == only_equator.ug.sel(latitude=0).size


def test_geostrophic_wind_height_and_geopotential_agree():
    ds = fieldops.open_sample()
    from_phi = fieldops.geostrophic_wind(ds.z)
    height = (ds.z / kin.G0).assign_attrs(units="m")
    from_z = fieldops.geostrophic_wind(height)
    np.testing.assert_allclose(from_z.ug.values, from_phi.ug.values, atol=1e-9)
    dam = (height / 10).assign_attrs(units="dam")
    np.testing.assert_allclose(
        fieldops.geostrophic_wind(dam).vg.values, from_phi.vg.values, atol=1e-9, equal_nan=True
    )
    with pytest.raises(ValueError, match="geopotential or a height"):
        fieldops.geostrophic_wind(ds.z.assign_attrs(units="K"))
    with pytest.raises(ValueError, match="pass coriolis="):
        fieldops.geostrophic_wind(plane(np.ones((3, 3)), units="m"))


def test_units_are_converted_to_si():
    u = plane(U_ASYM * 3.6, units="km h-1", xunits="km")
    v = plane(V_ASYM, units="m/s", xunits="km")
    z = fieldops.vorticity(u, v)
    np.testing.assert_allclose(z.values, np.array(METPY["vorticity"]) / 1000)
    assert z.attrs["units"] == "s-1"
    unknown = fieldops.vorticity(plane(U_ASYM, units="blorps"), plane(V_ASYM, units="blorps"))
    assert "units" not in unknown.attrs
    np.testing.assert_allclose(unknown.values, METPY["vorticity"])
    u = plane(U_ASYM)
    del u.attrs["units"]
    assert "units" not in fieldops.vorticity(u, u).attrs


def test_solid_body_deformation_and_advection_vanish_on_the_sphere():
    lat = np.linspace(-90, 90, 181)
    lon = np.arange(0, 360, 1.0)
    coords = {"lat": lat, "lon": lon}
    u = xr.DataArray(
        20 * np.cos(np.deg2rad(lat))[:, None] + 0 * lon,
        dims=("lat", "lon"),
        coords=coords,
        attrs={"units": "m s-1"},
    )
    v = xr.zeros_like(u)
    d = fieldops.deformation(u, v, accuracy=4)
    scale = 20 / EARTH_RADIUS
    assert np.abs(d.total_deformation.values).max() < 1e-6 * scale
    t = xr.DataArray(
        np.sin(np.deg2rad(lat))[:, None] + 0 * lon,
        dims=("lat", "lon"),
        coords=coords,
        attrs={"units": "K"},
    )
    adv = fieldops.advection(t, u, v, accuracy=4)
    assert np.abs(adv.values).max() < 1e-12 * scale  # wind along the isotherms
    eta = fieldops.absolute_vorticity(u, v)
    f = 2 * kin.OMEGA * np.sin(np.deg2rad(lat))
    zeta = 2 * 20 * np.sin(np.deg2rad(lat)) / EARTH_RADIUS
    np.testing.assert_allclose(eta.values, (f + zeta)[:, None] + 0 * lon, atol=1e-3 * scale)


def test_kinematics_are_lazy_on_dask_and_equal_numpy(no_compute):
    ds = fieldops.open_sample().isel(month=0)
    lazy = ds.chunk({"level": 1, "latitude": 40, "longitude": 60})
    results = {
        "vorticity": lazy.fieldops.vorticity(),
        "divergence": lazy.fieldops.divergence(),
        "advection": lazy.fieldops.advection("z"),
        "deformation": lazy.fieldops.deformation().total_deformation,
        "geostrophic": lazy.fieldops.geostrophic_wind("z").vg,
        "absolute": lazy.fieldops.absolute_vorticity(),
    }
    for res in results.values():
        assert isinstance(res.data, dsa.Array)
    import dask

    with dask.config.set(scheduler="sync"):
        eager = {
            "vorticity": ds.fieldops.vorticity(),
            "divergence": ds.fieldops.divergence(),
            "advection": ds.fieldops.advection("z"),
            "deformation": ds.fieldops.deformation().total_deformation,
            "geostrophic": ds.fieldops.geostrophic_wind("z").vg,
            "absolute": ds.fieldops.absolute_vorticity(),
        }
        for key, res in results.items():
            np.testing.assert_allclose(res.values, eager[key].values, rtol=1e-10, atol=1e-16)


def test_bad_inputs_are_named():
    ds = fieldops.open_sample()
    with pytest.raises(AttributeError, match="Dataset method"):
        ds.u.fieldops.vorticity()
    with pytest.raises(ValueError, match="variable 'w' not in the Dataset"):
        ds.fieldops.vorticity(u="w")
    with pytest.raises(ValueError, match="different grids"):
        fieldops.vorticity(ds.u, ds.v.isel(latitude=slice(1, None)))
    with pytest.raises(TypeError, match="expected DataArrays"):
        fieldops.vorticity(ds.u, ds.v.values)
    with pytest.raises(ValueError, match="do not convert"):
        fieldops.vorticity(plane(U_ASYM, units="kg"), plane(V_ASYM, units="K"))


def test_pint_quantified_input_comes_back_quantified():
    pint = pytest.importorskip("pint")
    ureg = pint.UnitRegistry()
    u, v = plane(U_ASYM), plane(V_ASYM)
    qu = u.copy(data=ureg.Quantity(U_ASYM, "knot"))
    qv = v.copy(data=ureg.Quantity(V_ASYM, "knot"))
    del qu.attrs["units"], qv.attrs["units"]
    z = fieldops.vorticity(qu, qv)
    assert isinstance(z.data, ureg.Quantity)
    assert z.data.units == ureg.parse_units("1/s")
    knot = ureg.Quantity(1, "knot").to("m/s").magnitude
    np.testing.assert_allclose(z.data.magnitude, np.array(METPY["vorticity"]) * knot, atol=1e-12)
    d = fieldops.deformation(qu, qv)
    assert d.total_deformation.data.units == ureg.parse_units("1/s")


@pytest.mark.parametrize("geometry", ["cartesian", "curvilinear"])
def test_planar_and_curvilinear_kinematics_are_lazy(geometry, no_compute):
    rng = np.random.default_rng(1)
    ny, nx = 30, 40
    if geometry == "cartesian":
        u = plane(rng.normal(size=(ny, nx)), dx=1.0, dy=2.0, xunits="km")
    else:
        j, i = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
        coords = {
            "lat": (("y", "x"), 20 + 0.5 * j + 0.1 * i),
            "lon": (("y", "x"), 0.5 * i - 0.2 * j),
        }
        u = xr.DataArray(
            rng.normal(size=(ny, nx)), dims=("y", "x"), coords=coords, attrs={"units": "m s-1"}
        )
    v = u.copy(data=rng.normal(size=(ny, nx)))
    lazy_u, lazy_v = u.chunk({"y": 7, "x": 9}), v.chunk({"y": 7, "x": 9})
    lazy = [
        fieldops.vorticity(lazy_u, lazy_v),
        fieldops.divergence(lazy_u, lazy_v),
        fieldops.deformation(lazy_u, lazy_v).shearing_deformation,
        fieldops.advection(lazy_u, lazy_u, lazy_v),
    ]
    for res in lazy:
        assert isinstance(res.data, dsa.Array)
        assert res.chunks == lazy_u.chunks
    import dask

    with dask.config.set(scheduler="sync"):
        eager = [
            fieldops.vorticity(u, v),
            fieldops.divergence(u, v),
            fieldops.deformation(u, v).shearing_deformation,
            fieldops.advection(u, u, v),
        ]
        for a, b in zip(lazy, eager):
            np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-18)


_KIN_CALLS = {
    "vorticity": lambda u, **kw: fieldops.vorticity(u, u, **kw),
    "absolute_vorticity": lambda u, **kw: fieldops.absolute_vorticity(u, u, **kw),
    "divergence": lambda u, **kw: fieldops.divergence(u, u, **kw),
    "deformation": lambda u, **kw: fieldops.deformation(u, u, **kw),
    "stretching_deformation": lambda u, **kw: fieldops.stretching_deformation(u, u, **kw),
    "shearing_deformation": lambda u, **kw: fieldops.shearing_deformation(u, u, **kw),
    "total_deformation": lambda u, **kw: fieldops.total_deformation(u, u, **kw),
    "advection": lambda u, **kw: fieldops.advection(u, u, u, **kw),
    "geostrophic_wind": lambda u, **kw: fieldops.geostrophic_wind(1000 * u, **kw),
}


@pytest.mark.parametrize("grid", ["plane", "sphere"])
@pytest.mark.parametrize(
    "kw", [dict(sigma=3.0), dict(window="5 points"), dict(polyorder=2)], ids=str
)
@pytest.mark.parametrize("name", list(_KIN_CALLS))
def test_method_parameters_without_their_method_are_refused_like_diff(name, kw, grid):
    # Issue 13 item 18: the kinematics ignored sigma=/window=/polyorder= without
    # method=, where diff raises; now the same check (resolve_methods) refuses them.
    rng = np.random.default_rng(0)
    if grid == "plane":
        coords = {"y": np.arange(15.0) * 1e3, "x": np.arange(20.0) * 1e3}
    else:
        coords = {"lat": np.linspace(-80, 80, 17), "lon": np.arange(0, 360, 10.0)}
    dims = list(coords)
    u = xr.DataArray(rng.random((len(coords[dims[0]]), len(coords[dims[1]]))), coords=coords)
    with pytest.raises(ValueError) as info_diff:
        fieldops.diff(u, dims[1], **kw)
    with pytest.raises(ValueError) as info:
        _KIN_CALLS[name](u, **kw)
    key = next(iter(kw))
    expected = str(info_diff.value).split(", but")[0]
    assert str(info.value).startswith(expected) and f"drop {key}=" in str(info.value)


def test_dataset_accessor_takes_dataarrays_or_names():
    # Issue 13 item 20: arrays where names were expected gave "unhashable type".
    ds = fieldops.open_sample()
    by_name = ds.fieldops.vorticity(u="u", v="v")
    by_array = ds.fieldops.vorticity(u=ds.u, v=ds.v)
    xr.testing.assert_identical(by_array, by_name)
    xr.testing.assert_identical(by_array, fieldops.vorticity(ds.u, ds.v))
    doubled = ds.fieldops.divergence(u=2 * ds.u, v="v")
    xr.testing.assert_allclose(doubled, fieldops.divergence(2 * ds.u, ds.v))
    with pytest.raises(TypeError, match="pass variable names"):
        ds.fieldops.vorticity(u=ds.u.values, v="v")


def test_dataarray_accessor_lists_only_what_works_on_a_dataarray():
    # Issue 13 item 20: da.fieldops listed vorticity, divergence, the
    # deformations and geostrophic_wind, which always raised on a DataArray.
    ds = fieldops.open_sample()
    public = {n for n in dir(ds.u.fieldops) if not n.startswith("_")}
    naming = {
        n for n in dir(ds.fieldops) if getattr(getattr(ds.fieldops, n), "names_variables", False)
    }
    assert {"vorticity", "divergence", "advection", "total_deformation"} <= naming
    assert public & naming == {"geostrophic_wind"}  # of the array itself on a DataArray
    for name in public:
        method = getattr(ds.u.fieldops, name)
        assert not getattr(method, "names_variables", False), name
        # The function of that name with the array as its first argument.
        params = list(inspect.signature(getattr(fieldops, name)).parameters)
        assert list(inspect.signature(method).parameters) == params[1:], name
    z = ds.u.rename("z").assign_attrs(units="m", standard_name="geopotential_height")
    xr.testing.assert_identical(z.fieldops.geostrophic_wind(), fieldops.geostrophic_wind(z))
    for name in sorted(naming - public):
        with pytest.raises(AttributeError, match="Dataset method"):
            getattr(ds.u.fieldops, name)
