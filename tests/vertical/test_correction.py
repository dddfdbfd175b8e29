"""Horizontal derivatives at constant height or pressure on model levels (vertical=)."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops

R = 6_371_008.8


def _seamount(n: int, nk: int) -> tuple[xr.DataArray, xr.DataArray]:
    """A resting ocean over a steep Gaussian seamount on sigma levels.

    Depth 4000 m falling to 1000 m over 25 km (slope up to ~0.1); density a
    function of depth only, so its true gradient at constant depth is zero.
    """
    x = np.linspace(-100e3, 100e3, n)
    X, Y = np.meshgrid(x, x)
    h = 4000.0 - 3000.0 * np.exp(-(X**2 + Y**2) / 25e3**2)
    s = (np.arange(nk) + 0.5) / nk - 1.0
    z = s[:, None, None] * h[None]
    coords = {"x": ("x", x, {"units": "m"}), "y": ("y", x, {"units": "m"})}
    zda = xr.DataArray(z, dims=("s", "y", "x"), coords=coords, name="z", attrs={"units": "m"})
    rho = 1025.0 + 2.0 * np.exp(z / 1000.0)
    rda = zda.copy(data=rho).rename("rho").assign_attrs(units="kg m-3")
    return rda, zda


@pytest.mark.parametrize(("accuracy", "bound", "gain"), [(2, 0.05, 3.0), (4, 0.012, 10.0)])
def test_seamount_error_is_a_small_fraction_of_the_uncorrected_gradient(accuracy, bound, gain):
    ratios = []
    for n, nk in ((51, 20), (101, 40)):
        rho, z = _seamount(n, nk)
        corrected = abs(fieldops.grad(rho, ["y", "x"], accuracy=accuracy, vertical=z)).max()
        uncorrected = abs(fieldops.grad(rho, ["y", "x"], accuracy=accuracy)).max()
        ratios.append(float(corrected / uncorrected))
    assert ratios[0] < bound
    # The error is the scheme's truncation error: it falls at about its order.
    assert ratios[0] / ratios[1] > gain


def _orography(x: np.ndarray) -> np.ndarray:
    return 1500.0 * np.exp(-((x / 20e3) ** 2))


def _f_of_x_z(x, z):
    return np.sin(x / 15e3) * np.exp(-z / 6000.0) + z / 1000.0


def _dfdx_at_z(x, z):
    return np.cos(x / 15e3) / 15e3 * np.exp(-z / 6000.0)


def _hybrid_height(n: int, nk: int):
    x = np.linspace(-60e3, 60e3, n)
    y = np.linspace(0.0, 3e3, 5)
    k = np.linspace(0.0, 1.0, nk)
    a, b = 12000.0 * k, (1.0 - k) ** 2
    orog = _orography(x)
    ds = xr.Dataset(
        coords={
            "lev": ("lev", k, {"standard_name": "atmosphere_hybrid_height_coordinate",
                               "formula_terms": "a: a b: b orog: orog", "units": "1"}),
            "a": ("lev", a, {"units": "m"}),
            "b": ("lev", b),
            "orog": (("y", "x"), np.broadcast_to(orog, (5, n)).copy(), {"units": "m"}),
            "x": ("x", x, {"units": "m"}),
            "y": ("y", y, {"units": "m"}),
        }
    )  # fmt: skip
    z = fieldops.vertical_coordinate(ds, ds.lev)
    f = xr.DataArray(_f_of_x_z(x, z.values), dims=z.dims, coords=ds.coords, name="f")
    return f, z


@pytest.mark.parametrize("accuracy", [2, 4])
def test_hybrid_height_converges_at_the_scheme_order(accuracy):
    errors = []
    for n, nk in ((41, 21), (81, 41)):
        f, z = _hybrid_height(n, nk)
        g = fieldops.grad(f, ["y", "x"], accuracy=accuracy, vertical="height")
        want = _dfdx_at_z(f.x.values, z.values)
        errors.append(float(abs(g.sel(component="x").values - want).max()))
        assert float(abs(g.sel(component="y")).max()) < 1e-12
    order = np.log2(errors[0] / errors[1])
    assert order > accuracy - 0.5, (errors, order)


def _hybrid_pressure_section(n: int, nk: int):
    x = np.linspace(-60e3, 60e3, n)
    eta = np.linspace(0.2, 1.0, nk)
    a, b = 0.2 * (1 - eta), eta  # p = a p0 + b ps
    ps = 1e5 - 15e3 * np.exp(-((x / 20e3) ** 2))
    p = a[:, None] * 1e5 + b[:, None] * ps[None]
    coords = {"x": ("x", x, {"units": "m"})}
    pda = xr.DataArray(p, dims=("lev", "x"), coords=coords, name="p", attrs={"units": "Pa"})
    f = np.cos(x / 15e3) * np.log(p / 1e5)
    fda = pda.copy(data=f).rename("f").assign_attrs(units="K")
    want = -np.sin(x / 15e3) / 15e3 * np.log(p / 1e5)
    return fda, pda, want


@pytest.mark.parametrize("accuracy", [2, 4])
def test_hybrid_sigma_pressure_section_converges_at_the_scheme_order(accuracy):
    errors = []
    for n, nk in ((41, 21), (81, 41)):
        f, p, want = _hybrid_pressure_section(n, nk)
        d = fieldops.diff(f, "x", accuracy=accuracy, vertical=p)
        errors.append(float(abs(d.values - want).max()))
    assert d.attrs["units"] == "K m-1" and d.name == "df_dx"
    assert "constant pressure" in d.attrs["long_name"]
    order = np.log2(errors[0] / errors[1])
    assert order > accuracy - 0.5, (errors, order)


def test_diff_along_the_level_dim_is_d_dz():
    f, p, _ = _hybrid_pressure_section(21, 11)
    # p is linear in the level index, so a field quadratic in p is quadratic in the
    # index, which second-order differences take exactly: d/dp is exact.
    g = (f * 0 + np.cos(f.x / 15e3) * (p / 1e5) ** 2).assign_attrs(units="K").rename("g")
    d = fieldops.diff(g, "lev", vertical=p)
    want = 2 * np.cos(f.x.values / 15e3) * p.values / 1e10
    np.testing.assert_allclose(d.values, want, rtol=1e-10)
    assert d.attrs["units"] == "K Pa-1" and d.name == "dg_dp"


def _sphere(nk: int = 10):
    lat = np.linspace(-60.0, 60.0, 49)
    lon = np.arange(0.0, 360.0, 4.0)
    la, lo = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    orog = 2000.0 * np.exp(-((la - 0.3) ** 2 + (lo - 2.0) ** 2) / 0.05)
    k = np.linspace(0.0, 1.0, nk)
    z = (15000.0 * k)[:, None, None] + ((1 - k) ** 2)[:, None, None] * orog
    coords = {
        "lat": ("lat", lat, {"units": "degrees_north"}),
        "lon": ("lon", lon, {"units": "degrees_east"}),
    }
    zda = xr.DataArray(z, dims=("lev", "lat", "lon"), coords=coords, name="z", attrs={"units": "m"})
    return zda, la


def test_sphere_operators_at_constant_height():
    z, la = _sphere()
    speed = 10.0 + 20.0 * np.tanh(z.values / 5000.0)
    u = z.copy(data=speed).rename("u").assign_attrs(units="m s-1")
    vec = xr.concat([0 * u, u], "component").assign_coords(component=["lat", "lon"])
    # u = U(z) eastward: at constant z its curl is U tan(lat) / R, its divergence zero.
    want = speed * np.tan(la) / R
    err = abs(fieldops.curl(vec, vertical=z) - want).max()
    assert err < 0.05 * abs(fieldops.curl(vec) - want).max()
    assert abs(fieldops.div(vec, vertical=z)).max() < 0.05 * abs(fieldops.div(vec)).max()
    g = fieldops.grad(u, vertical=z)
    assert (
        abs(g.sel(component="lon")).max() < 0.05 * abs(fieldops.grad(u).sel(component="lon")).max()
    )
    lap = fieldops.laplacian(u, vertical=z)
    hess = fieldops.hessian(u, vertical=z)
    trace = hess.sel(component="lat", wrt="lat") + hess.sel(component="lon", wrt="lon")
    np.testing.assert_allclose(lap.values, trace.values, atol=1e-20)
    assert "at constant height" in lap.attrs["long_name"]
    jac = fieldops.jacobian(vec, vertical=z)
    np.testing.assert_allclose(
        (jac.sel(component="lon", wrt="lon") + jac.sel(component="lat", wrt="lat")).values,
        fieldops.div(vec, vertical=z).values,
        atol=1e-18,
    )


def test_curvilinear_grid_at_constant_height():
    z, la = _sphere()
    j, i = np.meshgrid(np.arange(z.sizes["lat"]), np.arange(z.sizes["lon"]), indexing="ij")
    lat2, lon2 = np.broadcast_arrays(z.lat.values[:, None], z.lon.values[None, :])
    coords = {
        "latitude": (("j", "i"), lat2, {"units": "degrees_north", "standard_name": "latitude"}),
        "longitude": (("j", "i"), lon2, {"units": "degrees_east", "standard_name": "longitude"}),
    }
    zc = xr.DataArray(z.values, dims=("lev", "j", "i"), coords=coords, attrs={"units": "m"})
    f = zc.copy(data=280.0 - 0.0065 * z.values).rename("t")
    g = fieldops.grad(f, ["j", "i"], vertical=zc, boundary={"i": "periodic", "j": "one_sided"})
    g0 = fieldops.grad(f, ["j", "i"], boundary={"i": "periodic", "j": "one_sided"})
    assert float(abs(g).max()) < 1e-12 * float(abs(g0).max()) + 1e-15


def test_flat_levels_give_the_plain_operator():
    f, z = _hybrid_height(21, 9)
    flat = z.isel(y=0, x=0, drop=True)  # heights of the levels, no orography
    g = fieldops.grad(f, ["y", "x"], accuracy=4, vertical=flat)
    xr.testing.assert_allclose(g, fieldops.grad(f, ["y", "x"], accuracy=4), rtol=1e-12)


def test_lazy_with_chunks_along_every_dim(no_compute):
    f, z = _hybrid_height(41, 21)
    fd = f.chunk({"lev": 5, "y": 2, "x": 7})
    zd = z.chunk({"lev": 8, "y": 3, "x": 10})
    got = fieldops.grad(fd, ["y", "x"], accuracy=4, vertical=zd)
    lap = fieldops.laplacian(fd, ["y", "x"], vertical=zd)
    assert isinstance(got.data, dsa.Array) and got.chunks[1:] == fd.chunks
    assert lap.chunks == fd.chunks


@pytest.mark.parametrize(
    "chunks", [{"lev": 5, "y": 2, "x": 7}, {"lev": 1, "y": 1, "x": 1}, {"lev": 9}]
)
def test_numpy_equals_dask_values(chunks):
    f, z = _hybrid_height(13, 9)
    want = fieldops.grad(f, ["y", "x"], accuracy=4, vertical=z)
    got = fieldops.grad(f.chunk(chunks), ["y", "x"], accuracy=4, vertical=z.chunk(chunks))
    np.testing.assert_allclose(got.values, want.values, rtol=1e-12, atol=1e-15)
    d = fieldops.diff(f.chunk(chunks), "x", vertical=z.chunk(chunks))
    want = fieldops.diff(f, "x", vertical=z)
    np.testing.assert_allclose(d.values, want.values, rtol=1e-12, atol=1e-15)


def test_non_monotonic_levels_are_refused_naming_where():
    f, z = _hybrid_height(21, 9)
    bad = z.copy(data=z.values.copy())
    bad.values[4, 2, 7] = bad.values[3, 2, 7] - 1.0
    with pytest.raises(ValueError, match=r"not strictly monotonic along 'lev'.*'y': 2, 'x': 7"):
        fieldops.grad(f, ["y", "x"], vertical=bad)


def test_bad_vertical_input():
    f, z = _hybrid_height(21, 9)
    with pytest.raises(ValueError, match="different grid"):
        fieldops.grad(f, ["y", "x"], vertical=z.isel(x=slice(0, 10)))
    with pytest.raises(ValueError, match="vertical must be"):
        fieldops.grad(f, ["y", "x"], vertical="depth")
    with pytest.raises(ValueError, match="gives height"):
        fieldops.grad(f, ["y", "x"], vertical="pressure")
    with pytest.raises(ValueError, match="level_dim= names"):
        fieldops.grad(f, ["y", "x"], level_dim="lev")
    with pytest.raises(ValueError, match="fieldops.diff"):
        fieldops.grad(f, ["lev", "x"], vertical=z, level_dim="lev")


def test_inputs_are_not_mutated():
    z, _ = _sphere()
    u = (10.0 + z / 1000.0).rename("u").assign_attrs(units="m s-1")
    before_u, before_z = u.copy(deep=True), z.copy(deep=True)
    vec = xr.concat([0 * u, u], "component").assign_coords(component=["lat", "lon"])
    fieldops.grad(u, vertical=z)
    fieldops.laplacian(u, vertical=z)
    fieldops.curl(vec, vertical=z)
    xr.testing.assert_identical(u, before_u)
    xr.testing.assert_identical(z, before_z)


@pytest.mark.parametrize(
    ("kinematic", "vector_op"),
    [("vorticity", "curl"), ("divergence", "div")],
)
def test_kinematics_at_constant_height_equal_the_vector_operators(kinematic, vector_op):
    # The kinematics take vertical= too: the same Terrain frame as fieldops.curl/div.
    rho, z = _seamount(41, 12)
    u = (rho - 1025.0).rename("u").assign_attrs(units="m s-1")
    v = (2.0 * u + 1e-6 * u.x).rename("v").assign_attrs(units="m s-1")
    got = getattr(fieldops, kinematic)(u, v, vertical=z, level_dim="s")
    vec = xr.concat([v, u], dim="component").assign_coords(component=["y", "x"])
    want = getattr(fieldops, vector_op)(vec, dims=["y", "x"], vertical=z, level_dim="s")
    np.testing.assert_allclose(got.values, want.values, rtol=1e-10, atol=1e-18)
    plain = getattr(fieldops, kinematic)(u, v)
    assert float(abs(got - plain).max()) > 1e-3 * float(abs(plain).max())  # it corrected


def test_kinematics_of_a_wind_of_height_only_vanish_at_constant_height():
    rho, z = _seamount(61, 20)
    u = (rho - 1025.0).rename("u").assign_attrs(units="m s-1")  # a function of depth only
    v = (3.0 * u).rename("v")
    corrected = fieldops.vorticity(u, v, vertical=z)
    uncorrected = fieldops.vorticity(u, v)
    assert float(abs(corrected).max()) < 0.1 * float(abs(uncorrected).max())


def _flat_levels(field: xr.DataArray, n: int = 4) -> tuple[xr.DataArray, xr.DataArray]:
    """``field`` on ``n`` level copies, and heights that do not tilt (slopes exactly 0)."""
    lev = xr.DataArray(np.arange(n, dtype=float), dims="lev")
    f3 = (field * (1.0 + 0.1 * lev)).transpose("lev", *field.dims).assign_attrs(field.attrs)
    z = (1000.0 * lev + 0.0 * field).transpose("lev", *field.dims).assign_attrs(units="m")
    return f3.rename(field.name), z.drop_vars([c for c in z.coords if c not in z.dims])


def test_flat_levels_on_a_projected_grid_change_nothing():
    # The map factor's metric terms stay with the model-level frame (it used to drop
    # them: divergence 50% off, vorticity 12%, with levels that do not even tilt). The
    # two routes are different discretisations (flux form, expanded form): equal to
    # the schemes' truncation error, far below the missing terms.
    from tests.mappings.grids import LCC, projected_winds

    u, v, _, _, _ = projected_winds(LCC, 41)
    x = u[u.dims[-1]] / float(abs(u[u.dims[-1]]).max())
    u = u + 0.2 * float(abs(u).max()) * np.sin(np.pi * x)  # divergent too
    u3, z = _flat_levels(u.rename("u").assign_attrs(units="m s-1"))
    v3, _ = _flat_levels(v.rename("v").assign_attrs(units="m s-1"))
    for op in (fieldops.divergence, fieldops.vorticity):
        plain, levels = op(u3, v3), op(u3, v3, vertical=z, level_dim="lev")
        scale = float(abs(plain).max())
        assert float(abs(levels - plain).max()) < 0.01 * scale, op.__name__


def test_model_levels_keep_the_components_frame_of_a_rotated_grid():
    from tests.mappings.grids import rotated_winds

    u, _, _ = rotated_winds(11)
    u3, z = _flat_levels(u.rename("u"))
    plain = fieldops.grad(u3, ["rlat", "rlon"])
    levels = fieldops.grad(u3, ["rlat", "rlon"], vertical=z, level_dim="lev")
    assert levels.attrs["component_frame"] == plain.attrs["component_frame"]
    assert levels.attrs["component_directions"] == plain.attrs["component_directions"]
