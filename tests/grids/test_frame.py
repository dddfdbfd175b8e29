"""Hessian, Jacobian and the operators built on them, on spheres and curvilinear grids."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.grids.detect import EARTH_RADIUS

R = EARTH_RADIUS
U = 20.0


def field(phi, lam):
    return np.sin(2 * phi) * np.cos(3 * lam) + np.cos(phi) * np.sin(lam)


def exact_hessian(phi, lam):
    """(H_nn, H_ee, H_en) of :func:`field` per square metre, written out by hand."""
    f_p = 2 * np.cos(2 * phi) * np.cos(3 * lam) - np.sin(phi) * np.sin(lam)
    f_pp = -4 * np.sin(2 * phi) * np.cos(3 * lam) - np.cos(phi) * np.sin(lam)
    f_l = -3 * np.sin(2 * phi) * np.sin(3 * lam) + np.cos(phi) * np.cos(lam)
    f_ll = -9 * np.sin(2 * phi) * np.cos(3 * lam) - np.cos(phi) * np.sin(lam)
    f_lp = -6 * np.cos(2 * phi) * np.sin(3 * lam) - np.sin(phi) * np.cos(lam)
    cos, tan = np.cos(phi), np.tan(phi)
    return f_pp / R**2, (f_ll / cos**2 - tan * f_p) / R**2, (f_lp + tan * f_l) / (R**2 * cos)


def sphere(step):
    lat = np.linspace(-90, 90, int(round(180 / step)) + 1)
    lon = np.arange(0, 360, step)
    return lat, lon


def on_sphere(values, lat, lon, **attrs):
    return xr.DataArray(values, dims=("lat", "lon"), coords={"lat": lat, "lon": lon}, attrs=attrs)


def sampled(step):
    lat, lon = sphere(step)
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    return on_sphere(field(phi, lam), lat, lon, units="K"), phi, lam


def solid_body(step=1.0):
    lat, lon = sphere(step)
    u = on_sphere(U * np.cos(np.deg2rad(lat))[:, None] + 0 * lon, lat, lon, units="m s-1")
    vec = xr.concat([xr.zeros_like(u), u], dim="component").assign_coords(component=["lat", "lon"])
    return vec.rename("wind"), np.deg2rad(lat)


@pytest.mark.parametrize("accuracy", [2, 4])
def test_spherical_hessian_converges_to_the_exact_one(accuracy):
    errors = []
    for step in (4.0, 2.0, 1.0):
        f, phi, lam = sampled(step)
        H = fieldops.hessian(f, ["lat", "lon"], accuracy=accuracy)
        inner = np.abs(np.rad2deg(phi[:, 0])) < 80
        nn, ee, en = exact_hessian(phi, lam)
        got = [H.sel(component=a, wrt=b).values for a, b in [("lat", "lat"), ("lon", "lon")]]
        got.append(H.sel(component="lat", wrt="lon").values)
        scale = np.abs(nn[inner]).max()
        errors.append(max(np.abs(g - e)[inner].max() / scale for g, e in zip(got, (nn, ee, en))))
        assert H.attrs["units"] == "K m-2"
        np.testing.assert_array_equal(
            H.sel(component="lat", wrt="lon"), H.sel(component="lon", wrt="lat")
        )
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[-1] < 10.0**-accuracy and (rates > accuracy - 0.3).all(), (errors, rates)


def test_spherical_hessian_trace_is_the_laplacian_and_poles_follow_the_policy():
    lat, lon = sphere(2.0)
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    # smooth through the poles (r**2 cos 2 lam and r sin lam near them)
    f = on_sphere(
        np.sin(phi) * np.cos(phi) ** 2 * np.cos(2 * lam) + np.cos(phi) * np.sin(lam), lat, lon
    )
    H = fieldops.hessian(f, ["lat", "lon"], accuracy=4)
    trace = H.sel(component="lat", wrt="lat") + H.sel(component="lon", wrt="lon")
    lap = fieldops.laplacian(f, ["lat", "lon"], accuracy=4)
    off_pole = slice(1, -1)
    np.testing.assert_allclose(trace[off_pole], lap[off_pole], rtol=1e-12, atol=1e-25)
    assert np.isfinite(H).all()
    # on the pole rows the trace is the Laplacian's limit to the scheme's accuracy
    assert float(abs(trace - lap).max()) < 1e-3 * float(abs(lap).max())
    nan_poles = fieldops.hessian(f, ["lat", "lon"], poles="nan")
    pole = np.isclose(np.abs(f.lat), 90)
    assert np.isnan(nan_poles.sel(component="lon", wrt="lon")[pole]).all()
    assert np.isnan(nan_poles.sel(component="lat", wrt="lon")[pole]).all()
    assert np.isfinite(nan_poles.sel(component="lat", wrt="lat")).all()
    assert np.isfinite(nan_poles.sel(component="lon", wrt="lon")[~pole]).all()


def test_cartesian_geometry_keeps_the_per_degree_hessian():
    f, _, _ = sampled(4.0)
    physical = fieldops.hessian(f, ["lat", "lon"])
    per_degree = fieldops.hessian(f, ["lat", "lon"], geometry="cartesian")
    assert "spherical" in physical.attrs["long_name"]
    np.testing.assert_allclose(
        per_degree.sel(component="lat", wrt="lat"),
        physical.sel(component="lat", wrt="lat") * (R * np.pi / 180) ** 2,
    )


def test_hessian_with_a_vertical_dim_mixes_physical_and_plain_derivatives():
    f, phi, lam = sampled(2.0)
    z = xr.DataArray(np.linspace(0.0, 3000.0, 7), dims="z", attrs={"units": "m"})
    f3 = (f * (1 + (z / 1000.0) ** 2)).transpose("z", "lat", "lon").assign_coords(z=z)
    f3.attrs["units"] = "K"
    H = fieldops.hessian(f3, ["z", "lat", "lon"], accuracy=4)
    assert H.dims == ("component", "wrt", "z", "lat", "lon") and H.attrs["units"] == "K m-2"
    np.testing.assert_allclose(
        H.sel(component="z", wrt="z"), 2 * f.broadcast_like(f3) / 1e6, atol=1e-12
    )
    g = fieldops.grad(f, ["lat", "lon"], accuracy=4)
    for dim in ("lat", "lon"):
        expected = g.sel(component=dim) * (2 * z / 1e6)
        np.testing.assert_allclose(
            H.sel(component=dim, wrt="z").transpose(*expected.dims), expected, rtol=1e-9, atol=1e-20
        )
        np.testing.assert_array_equal(H.sel(component=dim, wrt="z"), H.sel(component="z", wrt=dim))
    horizontal = fieldops.hessian(f, ["lat", "lon"], accuracy=4)
    np.testing.assert_allclose(
        H.sel(component="lon", wrt="lon", z=1000.0),
        2 * horizontal.sel(component="lon", wrt="lon"),
        rtol=1e-12,
        atol=1e-25,
    )


def test_spherical_jacobian_of_solid_body_rotation_on_every_row():
    vec, phi = solid_body(1.0)
    for accuracy in (2, 4):
        J = fieldops.jacobian(vec, accuracy=accuracy)
        assert J.attrs["units"] == "s-1" and J.dims[:2] == ("component", "wrt")
        s = (U / R) * np.sin(phi)[:, None]
        scale = U / R
        # rows are components (northward v, eastward u), columns the direction
        assert float(abs(J.sel(component="lon", wrt="lat") + s).max()) < 1e-3 * scale
        assert float(abs(J.sel(component="lat", wrt="lon") - s).max()) < 1e-3 * scale
        assert float(abs(J.sel(component="lon", wrt="lon")).max()) < 1e-3 * scale
        assert float(abs(J.sel(component="lat", wrt="lat")).max()) < 1e-12 * scale
        curl = J.sel(component="lat", wrt="lon") - J.sel(component="lon", wrt="lat")
        vort = fieldops.curl(vec, accuracy=accuracy)
        assert float(abs(curl - vort).max()) < 1e-3 * scale


def test_spherical_jacobian_trace_is_the_divergence_to_the_scheme_accuracy():
    f, phi, lam = sampled(1.0)
    v = on_sphere(
        np.cos(phi) * np.cos(2 * lam) + 0.5 * np.cos(phi) ** 2, f.lat, f.lon, units="m s-1"
    )
    vec = xr.concat([v, f.assign_attrs(units="m s-1")], dim="component").assign_coords(
        component=["lat", "lon"]
    )
    J = fieldops.jacobian(vec, accuracy=4)
    trace = J.sel(component="lat", wrt="lat") + J.sel(component="lon", wrt="lon")
    div = fieldops.div(vec, accuracy=4)
    inner = np.abs(f.lat) < 85
    assert float(abs(trace - div).where(inner).max()) < 1e-6 * float(abs(div).max())


def test_jacobian_needs_both_horizontal_components_or_none():
    f, _, _ = sampled(4.0)
    one = f.expand_dims(component=["lat"])
    with pytest.raises(ValueError, match="both horizontal components.*'lon'"):
        fieldops.jacobian(one, ["lat", "lon"])
    scalars = xr.concat([f, 2 * f], dim="component").assign_coords(component=["a", "b"])
    J = fieldops.jacobian(scalars, ["lat", "lon"])
    g = fieldops.grad(f, ["lat", "lon"])
    np.testing.assert_allclose(J.sel(component="b"), 2 * g.rename(component="wrt"))


def test_curvilinear_hessian_matches_the_exact_one_and_its_trace_the_laplacian():
    from tests.grids.test_curvilinear import on_curvilinear, rotated_stretched_grid

    errors = []
    for n in (40, 80):
        lat, lon = rotated_stretched_grid(n)
        phi, lam = np.deg2rad(lat), np.deg2rad(lon)
        f = on_curvilinear(field(phi, lam), lat, lon, units="K")
        H = fieldops.hessian(f, ["j", "i"], accuracy=4)
        assert H.component.values.tolist() == ["j", "i"] and H.attrs["units"] == "K m-2"
        nn, ee, en = exact_hessian(phi, lam)
        inner = (slice(8, -8), slice(8, -8))
        got = H.sel(component="j", wrt="j").values, H.sel(component="i", wrt="i").values
        got += (H.sel(component="j", wrt="i").values,)
        scale = np.abs(nn).max()
        errors.append(max(np.abs(g - e)[inner].max() / scale for g, e in zip(got, (nn, ee, en))))
        lap = fieldops.laplacian(f, ["j", "i"], accuracy=4)
        trace = H.sel(component="j", wrt="j") + H.sel(component="i", wrt="i")
        np.testing.assert_allclose(trace, lap, rtol=1e-9, atol=1e-9 * float(abs(lap).max()))
    assert errors[-1] < 1e-4 and errors[0] / errors[1] > 8, errors


def test_dask_equals_numpy_lazily_with_the_input_chunks(no_compute):
    f, _, _ = sampled(3.0)
    vec, _ = solid_body(3.0)
    lazy_f = f.chunk({"lat": 20, "lon": 40})
    lazy_vec = vec.chunk({"lat": 20, "lon": 40})
    cases = [
        (lambda a: fieldops.hessian(a, ["lat", "lon"], accuracy=4), f, lazy_f),
        (lambda a: fieldops.jacobian(a), vec, lazy_vec),
        (lambda a: fieldops.strain_rate(a), vec, lazy_vec),
        (lambda a: fieldops.rotation_rate(a), vec, lazy_vec),
        (lambda a: fieldops.jacobian_determinant(a), vec, lazy_vec),
        (lambda a: fieldops.directional(a, {"lat": 1.0, "lon": 1.0}), f, lazy_f),
    ]
    for op, eager, lazy in cases:
        out = op(lazy)
        assert isinstance(out.data, dsa.Array)
        assert out.chunksizes["lat"] == lazy.chunksizes["lat"]
        assert out.chunksizes["lon"] == lazy.chunksizes["lon"]
        with __import__("dask").config.set(scheduler="sync"):
            np.testing.assert_allclose(out.values, op(eager).values, rtol=1e-12, atol=1e-30)


def test_strain_rotation_and_determinant_on_the_sphere():
    vec, phi = solid_body(1.0)
    S = fieldops.strain_rate(vec)
    Rr = fieldops.rotation_rate(vec)
    det = fieldops.jacobian_determinant(vec)
    scale = U / R
    assert float(abs(S).max()) < 1e-3 * scale  # solid-body rotation does not deform
    vort = fieldops.vorticity(vec.sel(component="lon"), vec.sel(component="lat"))
    assert float(abs(Rr.sel(component="lat", wrt="lon") - vort / 2).max()) < 1e-3 * scale
    np.testing.assert_array_equal(
        Rr.sel(component="lat", wrt="lon"), -Rr.sel(component="lon", wrt="lat")
    )
    assert S.name == "strain_wind" and "strain rate" in S.attrs["long_name"]
    assert det.attrs["units"] == "s-2"
    exact = (scale * np.sin(phi)) ** 2
    assert float(abs(det - exact[:, None]).max()) < 1e-3 * scale**2


def test_directional_derivative_on_the_sphere_is_along_east_and_north():
    f, _, _ = sampled(2.0)
    g = fieldops.grad(f, ["lat", "lon"])
    east = fieldops.directional(f, {"lat": 0.0, "lon": 2.0})
    np.testing.assert_allclose(east, g.sel(component="lon", drop=True))
    ne = fieldops.directional(f, {"lat": 1.0, "lon": 1.0})
    np.testing.assert_allclose(ne, g.sum("component") / np.sqrt(2))
    assert east.attrs["units"] == "K m-1"


def test_critical_points_on_the_sphere_find_the_maximum_and_its_antipode():
    lat, lon = sphere(2.0)
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    p0, l0 = np.deg2rad(30.0), np.deg2rad(60.0)
    f = on_sphere(np.sin(phi) * np.sin(p0) + np.cos(phi) * np.cos(p0) * np.cos(lam - l0), lat, lon)
    cp = fieldops.critical_points(f, ["lat", "lon"], accuracy=4)
    assert int(cp.sel(lat=30, lon=60)) == 2  # maximum
    assert int(cp.sel(lat=-30, lon=240)) == 1  # minimum
    assert int((cp > 0).sum()) == 2


def test_diffusion_on_the_sphere_damps_harmonics_at_their_rate_and_stays_bounded():
    lat, lon = sphere(4.0)
    y1 = on_sphere(np.sin(np.deg2rad(lat))[:, None] + 0 * lon, lat, lon, units="K")
    from fieldops.grids.frame import frame_for
    from fieldops.options import How, Where, resolve_how

    opts = resolve_how(y1, ["lat", "lon"], How())
    frame = frame_for(y1, ["lat", "lon"], Where(radius=R), How())
    limit = fieldops.calculus.diffusion.stable_alpha(y1, ["lat", "lon"], opts, frame)
    # the rows next to the poles set the limit: about (R cos(86 deg) dlon)**2 / 2
    dx = R * np.cos(np.deg2rad(86.0)) * np.deg2rad(4.0)
    assert 0.4 * dx**2 < limit < 0.5 * dx**2
    out = fieldops.diffuse(y1, limit, steps=10)
    factor = (1 - 2 * limit / R**2) ** 10
    inner = np.abs(lat) < 60
    np.testing.assert_allclose(out[inner], factor * y1[inner], rtol=1e-3)
    noise = on_sphere(np.random.default_rng(0).normal(size=y1.shape), lat, lon)
    smooth = fieldops.diffuse(noise, 0.9 * limit, steps=300)
    assert float(abs(smooth).max()) <= float(abs(noise).max())
    assert float(smooth.std()) < 0.5 * float(noise.std())
    with pytest.raises(ValueError, match="largest stable alpha"):
        fieldops.diffuse(y1, 1.1 * limit)


def test_diffusion_refuses_curvilinear_grids_with_the_fix():
    from tests.grids.test_curvilinear import on_curvilinear, rotated_stretched_grid

    lat, lon = rotated_stretched_grid(10)
    f = on_curvilinear(np.ones(lat.shape), lat, lon)
    with pytest.raises(ValueError, match="geometry='cartesian'"):
        fieldops.diffuse(f, 1.0)
    assert float(fieldops.diffuse(f, 0.1, geometry="cartesian").mean()) == 1.0


def test_inputs_are_not_mutated_on_the_sphere():
    f, _, _ = sampled(4.0)
    vec, _ = solid_body(4.0)
    calls = [
        (lambda: fieldops.hessian(f, ["lat", "lon"]), f),
        (lambda: fieldops.critical_points(f, ["lat", "lon"]), f),
        (lambda: fieldops.diffuse(f, 1e6, steps=2), f),
        (lambda: fieldops.jacobian(vec), vec),
        (lambda: fieldops.strain_rate(vec), vec),
    ]
    for call, arg in calls:
        before = arg.copy(deep=True)
        call()
        xr.testing.assert_identical(arg, before)


@pytest.mark.parametrize(
    "how",
    [
        {"method": "savgol", "window": "7 points", "polyorder": 3},
        {"method": "gaussian", "sigma": 4.0},
        {"nan_policy": "omit"},
    ],
)
def test_hessian_and_jacobian_on_the_sphere_take_methods_and_gaps(how):
    lat, lon = sphere(2.0)
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    f = on_sphere(np.sin(phi) * np.cos(phi) ** 2 * np.cos(2 * lam), lat, lon)
    vec, _ = solid_body(2.0)
    continent = (np.abs(f.lat) < 20) & (np.abs(f.lon - 180) < 30)
    if how.get("nan_policy"):
        f, vec = f.where(~continent), vec.where(~continent)
    H = fieldops.hessian(f, ["lat", "lon"], **how)
    J = fieldops.jacobian(vec, **how)
    plain_H = fieldops.hessian(f.fillna(0), ["lat", "lon"])
    sea = ~continent.values
    # smoothing/gap-aware derivatives stay close to plain ones away from the continent
    far = (
        sea
        & (np.abs(f.lat.values)[:, None] < 70)
        & ~((np.abs(f.lat.values)[:, None] < 30) & (np.abs(f.lon.values - 180)[None, :] < 40))
    )
    scale = float(abs(plain_H).max())
    assert float(abs(H - plain_H).values[..., far].max()) < 0.1 * scale
    if how.get("nan_policy"):
        assert np.isfinite(H.values[..., sea]).all() and np.isfinite(J.values[..., sea]).all()
        assert np.isnan(fieldops.hessian(f, ["lat", "lon"]).values[..., sea]).any()
    lazy_H = fieldops.hessian(f.chunk({"lat": 30}), ["lat", "lon"], **how)
    lazy_J = fieldops.jacobian(vec.chunk({"lat": 30}), **how)
    np.testing.assert_allclose(lazy_H.values, H.values, rtol=1e-10, atol=1e-10 * scale)
    np.testing.assert_allclose(lazy_J.values, J.values, rtol=1e-10, atol=1e-16)


def test_strain_rate_on_the_sphere_gives_fieldops_deformation_on_every_row():
    ds = fieldops.open_sample().isel(month=0, level=0)
    vec = xr.concat([ds.v, ds.u], dim="component").assign_coords(
        component=["latitude", "longitude"]
    )
    S = fieldops.strain_rate(vec)
    d = fieldops.deformation(ds.u, ds.v)
    stretching = S.sel(component="longitude", wrt="longitude") - S.sel(
        component="latitude", wrt="latitude"
    )
    shearing = 2 * S.sel(component="latitude", wrt="longitude")
    scale = float(abs(d.shearing_deformation).max())
    np.testing.assert_allclose(stretching, d.stretching_deformation, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(shearing, d.shearing_deformation, rtol=0, atol=1e-12 * scale)


def test_float32_is_kept_and_the_operators_are_linear_on_the_sphere():
    f, _, _ = sampled(4.0)
    g = f * 0 + np.cos(np.deg2rad(f.lat)) ** 2 * np.sin(np.deg2rad(f.lon))
    vec, _ = solid_body(4.0)
    H = fieldops.hessian
    combined = H(2 * f - 3 * g, ["lat", "lon"])
    separate = 2 * H(f, ["lat", "lon"]) - 3 * H(g, ["lat", "lon"])
    np.testing.assert_allclose(combined, separate, rtol=0, atol=1e-12 * float(abs(separate).max()))
    assert H(f.astype(np.float32), ["lat", "lon"]).dtype == np.float32
    for op in (fieldops.jacobian, fieldops.strain_rate, fieldops.rotation_rate):
        assert op(vec.astype(np.float32)).dtype == np.float32
        np.testing.assert_allclose(op(3 * vec), 3 * op(vec), rtol=0, atol=1e-12 * U / R)
    assert fieldops.diffuse(f.astype(np.float32), 1e6).dtype == np.float32
