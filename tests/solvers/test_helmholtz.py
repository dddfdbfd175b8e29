"""helmholtz on real winds (the bundled ERA-Interim sample): identities, attrs, limited areas."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops


@pytest.fixture(scope="module")
def sample():
    return fieldops.open_sample()


def _land(ds):
    lat, lon = ds.latitude, ds.longitude
    return ((lat > 10) & (lat < 50) & (lon > -100) & (lon < -60)) | (lat < -70)


def _cases(ds):
    regional = ds.sel(latitude=slice(70, 20), longitude=slice(-60, 40))
    return {
        "global": (ds, {}),
        "regional": (regional, {}),
        "masked": (ds, {"mask": ~_land(ds)}),
        "regional-neumann": (regional, {"boundary": "neumann"}),
    }


@pytest.mark.parametrize("accuracy", [2, 4])
@pytest.mark.parametrize("case", ["global", "regional", "masked", "regional-neumann"])
def test_identities_on_real_winds(sample, case, accuracy):
    ds, kw = _cases(sample)[case]
    ds = ds.isel(month=0)
    h = fieldops.helmholtz(ds.u, ds.v, accuracy=accuracy, **kw)
    mask = kw.get("mask")
    opts = {"accuracy": accuracy, "mask": mask}
    zeta = fieldops.vorticity(ds.u, ds.v, **opts)
    scale = float(abs(zeta).max())
    # u == u_rot + u_div + u_harm exactly (the remainder is defined so)
    domain = True if mask is None else mask
    total_u, total_v = h.u_rot + h.u_div + h.u_harm, h.v_rot + h.v_div + h.v_harm
    np.testing.assert_allclose(total_u.where(domain), ds.u.where(domain), atol=1e-12)
    np.testing.assert_allclose(total_v.where(domain), ds.v.where(domain), atol=1e-12)
    # the rotational part has no divergence, the divergent part no curl (roundoff)
    div_rot = fieldops.divergence(h.u_rot, h.v_rot, **opts)
    curl_div = fieldops.vorticity(h.u_div, h.v_div, **opts)
    if mask is not None:  # one-sided stencils next to the coast do not commute
        inner = mask.rolling(latitude=5, center=True, min_periods=1).min()
        inner = inner.rolling(longitude=5, center=True, min_periods=1).min().astype(bool)
        div_rot, curl_div = div_rot.where(inner), curl_div.where(inner)
    assert float(abs(div_rot).max()) < 1e-11 * scale
    assert float(abs(curl_div).max()) < 1e-11 * scale
    # and psi inverts the vorticity with fieldops' own Laplacian
    lap = fieldops.laplacian(h.streamfunction, accuracy=accuracy, mask=mask)
    inside = dict(latitude=slice(1, -1), longitude=slice(1, -1))
    resid = (lap - zeta)[inside]
    if mask is not None:
        resid = resid.where(inner)
    if case in ("global", "regional-neumann"):
        # less the constant removed per level (the discrete mean of the vorticity, or
        # the vorticity the neumann edge does not balance): it is the same everywhere
        resid = resid - resid.mean(["latitude", "longitude"])
    assert float(abs(resid).max()) < 1e-8 * scale


def test_global_remainder_is_small_and_parts_are_sensible(sample):
    ds = sample.isel(month=0, level=0)
    h = fieldops.helmholtz(ds.u, ds.v)
    rms = float(np.sqrt((ds.u**2).mean()))
    assert float(np.sqrt((h.u_harm**2).mean())) < 0.03 * rms
    # the upper-level wind is mostly rotational
    assert float(np.sqrt((h.u_rot**2).mean())) > 5 * float(np.sqrt((h.u_div**2).mean()))
    assert h.attrs["helmholtz_boundary"].startswith("none: a full sphere")


def test_names_units_and_standard_names(sample):
    ds = sample.isel(month=0, level=0)
    h = fieldops.helmholtz(ds.u.assign_attrs(units="m s-1"), ds.v.assign_attrs(units="m s-1"))
    assert set(h.data_vars) == {
        "streamfunction", "velocity_potential", "u_rot", "v_rot", "u_div", "v_div",
        "u_harm", "v_harm",
    }  # fmt: skip
    assert h.streamfunction.attrs["units"] == "m2 s-1"
    assert h.streamfunction.attrs["standard_name"] == "atmosphere_horizontal_streamfunction"
    assert h.velocity_potential.attrs["standard_name"] == (
        "atmosphere_horizontal_velocity_potential"
    )
    assert h.u_rot.attrs["units"] == "m s-1"
    regional = ds.sel(latitude=slice(70, 20), longitude=slice(-60, 40))
    hr = fieldops.helmholtz(regional.u, regional.v)
    assert "streamfunction: dirichlet" in hr.attrs["helmholtz_boundary"]
    assert "velocity_potential: neumann" in hr.attrs["helmholtz_boundary"]


def test_single_fields_and_the_accessor_agree(sample):
    ds = sample.isel(month=0)
    h = fieldops.helmholtz(ds.u, ds.v)
    xr.testing.assert_allclose(fieldops.streamfunction(ds.u, ds.v), h.streamfunction)
    xr.testing.assert_allclose(fieldops.velocity_potential(ds.u, ds.v), h.velocity_potential)
    xr.testing.assert_identical(ds.fieldops.helmholtz(u="u", v="v"), h)


def test_limited_area_default_puts_boundary_flow_in_the_harmonic_part(sample):
    # psi = 0 on the edge: the rotational wind does not cross it; the divergent one
    # neither (d chi/dn = 0): the flow through the edge is all in the harmonic part.
    ds = sample.isel(month=0, level=0).sel(latitude=slice(70, 20), longitude=slice(-60, 40))
    h = fieldops.helmholtz(ds.u, ds.v)
    west = dict(longitude=0)
    assert float(abs(h.streamfunction.isel(west)).max()) == 0.0
    np.testing.assert_allclose(h.u_harm.isel(west), ds.u.isel(west), atol=1e-3 * 30)


def test_cartesian_plane_in_kilometres_matches_metres():
    y = np.linspace(0.0, 2000.0, 21)
    x = np.linspace(0.0, 3000.0, 31)
    yy, xx = np.meshgrid(y, x, indexing="ij")
    u = np.sin(yy / 700) * np.cos(xx / 900)
    v = np.cos(yy / 500) * np.sin(xx / 800)

    def winds(scale, units):
        coords = {"y": ("y", y * scale, {"units": units}), "x": ("x", x * scale, {"units": units})}
        return [xr.DataArray(a, dims=("y", "x"), coords=coords) for a in (u, v)]

    metres = fieldops.helmholtz(*winds(1000.0, "m"))
    km = fieldops.helmholtz(*winds(1.0, "km"))
    np.testing.assert_allclose(km.streamfunction, metres.streamfunction, rtol=1e-9)
    np.testing.assert_allclose(km.u_rot, metres.u_rot, rtol=1e-9, atol=1e-12)


def test_bad_input(sample):
    ds = sample.isel(month=0, level=0)
    with pytest.raises(ValueError, match="different grids"):
        fieldops.helmholtz(ds.u, ds.v.assign_coords(latitude=ds.latitude + 0.1))
    with pytest.raises(ValueError, match=r"u.chunk\(\{'latitude': -1, 'longitude': -1\}\)"):
        fieldops.helmholtz(ds.u.chunk({"latitude": 60}), ds.v)
    with pytest.raises(ValueError, match="boundary must be"):
        fieldops.helmholtz(ds.u, ds.v, boundary="wall")
    with pytest.raises(ValueError, match=r"got \{'streamfunction': 'wall'\}"):
        fieldops.helmholtz(ds.u, ds.v, boundary={"streamfunction": "wall"})
    with pytest.raises(ValueError, match="a mapping names horizontal dims"):
        fieldops.helmholtz(ds.u, ds.v, boundary={"time": "periodic"})
    with pytest.raises(ValueError, match="not finite"):
        fieldops.helmholtz(ds.u.where(ds.latitude < 80), ds.v)
    with pytest.raises(TypeError, match="DataArrays"):
        fieldops.helmholtz(ds[["u"]], ds.v)


def test_nan_policy_omit_equals_the_mask(sample):
    ds = sample.isel(month=0, level=0)
    land = _land(ds)
    a = fieldops.helmholtz(ds.u.where(~land), ds.v.where(~land), nan_policy="omit")
    b = fieldops.helmholtz(ds.u, ds.v, mask=~land)
    xr.testing.assert_allclose(a.streamfunction, b.streamfunction)


def test_dask_is_lazy_and_equals_numpy(sample, no_compute):
    u, v = sample.u.chunk({"level": 1}), sample.v.chunk({"level": 1})
    h = fieldops.helmholtz(u, v)
    assert all(isinstance(var.data, dsa.Array) for var in h.data_vars.values())
    assert h.streamfunction.chunks == u.chunks


def test_dask_equals_numpy(sample):
    lazy = fieldops.helmholtz(sample.u.chunk({"month": 1, "level": 2}), sample.v)
    eager = fieldops.helmholtz(sample.u, sample.v)
    wind = float(abs(sample.u).max())
    for name in ("streamfunction", "u_rot", "v_harm"):
        # pole rows (meridian limits of 1/cos terms) amplify the solves' roundoff
        scale = float(abs(eager[name]).max()) if name == "streamfunction" else wind
        np.testing.assert_allclose(lazy[name].values, eager[name], rtol=0, atol=1e-12 * scale)


def test_curvilinear_and_periodic_planes():
    from tests.solvers._grids import curvilinear, plane

    f = curvilinear()
    lat, lon = np.deg2rad(f.lat.values), np.deg2rad(f.lon.values)
    u = f.copy(data=10 * np.cos(lat) * np.sin(3 * lon))
    v = f.copy(data=5 * np.sin(4 * lat))
    h = fieldops.helmholtz(u, v)
    zeta = fieldops.vorticity(u, v)
    lap = fieldops.laplacian(h.streamfunction)
    inside = dict(j=slice(1, -1), i=slice(1, -1))
    assert float(abs(lap - zeta)[inside].max()) < 1e-9 * float(abs(zeta).max())
    np.testing.assert_allclose(h.u_rot + h.u_div + h.u_harm, u, atol=1e-12)
    # a doubly periodic plane: the harmonic part is the mean flow, exactly
    p = plane(32, 48, periodic=True)
    y, x = np.meshgrid(p.y, p.x, indexing="ij")
    u = p.copy(data=np.sin(2 * np.pi * y) + 0.3 * np.cos(np.pi * x) + 2.0)
    v = p.copy(data=np.cos(np.pi * x) * np.sin(2 * np.pi * y) - 1.0)
    h = fieldops.helmholtz(u, v, boundary="periodic", accuracy=4)
    assert float(abs(h.u_harm.mean() - 2.0)) < 1e-12 and float(abs(h.v_harm.mean() + 1.0)) < 1e-12
    assert "periodic;" in h.attrs["helmholtz_boundary"]


def test_a_curvilinear_grid_whose_index_wraps():
    from tests.solvers._grids import ocean_ring

    u, v = ocean_ring()
    wrap = {"boundary": {"i": "periodic"}}
    parts = fieldops.helmholtz(u, v, **wrap)
    assert "i: periodic" in parts.attrs["helmholtz_boundary"]
    zeta = fieldops.vorticity(u, v, **wrap)
    zeta_rot = fieldops.vorticity(parts.u_rot, parts.v_rot, **wrap)
    inside = {"j": slice(1, -1)}  # every column, the seam's included
    np.testing.assert_allclose(
        zeta_rot.isel(inside), zeta.isel(inside), atol=1e-12 * float(abs(zeta).max())
    )
    psi = parts.streamfunction.isel(j=15)
    seam, step = abs(float(psi[0] - psi[-1])), float(abs(psi.diff("i")).max())
    assert seam <= 1.5 * step  # continuous across the seam, not a wall of psi = 0
    np.testing.assert_allclose(parts.u_rot + parts.u_div + parts.u_harm, u, atol=1e-12)
    # without the wrap the seam is an edge: psi = 0 there
    edge = fieldops.helmholtz(u, v).streamfunction
    assert float(abs(edge.isel(i=0)).max()) == 0.0
    with pytest.raises(ValueError, match="a mapping names horizontal dims"):
        fieldops.helmholtz(u, v, boundary={"i": "dirichlet"})
