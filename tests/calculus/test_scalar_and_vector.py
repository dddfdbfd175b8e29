"""grad, div, curl, Laplacian, Hessian, Jacobian: fused kernels, identities, exercises."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.stencils.weights import BOUNDARY_MODES

RNG = np.random.default_rng(42)


def _coord(n, nonuniform, scale=1.0, seed=0):
    if nonuniform:
        return np.cumsum(np.random.default_rng(seed).uniform(0.5, 1.5, n)) * scale
    return np.arange(n) * scale


def _field(shape=(4, 13, 11), nonuniform=False, seed=0, dims=("t", "y", "x")):
    rng = np.random.default_rng(seed)
    coords = {
        "y": ("y", _coord(shape[-2], nonuniform, 0.3, seed + 1), {"units": "m"}),
        "x": ("x", _coord(shape[-1], nonuniform, 0.7, seed + 2), {"units": "m"}),
    }
    return xr.DataArray(
        rng.normal(size=shape), dims=dims, coords=coords, name="t", attrs={"units": "K"}
    )


def _period(f, nonuniform, boundary, dims=("y", "x")):
    if not (nonuniform and boundary == "periodic"):
        return None
    return {d: float(f[d][-1] - f[d][0]) * 1.25 for d in dims}


def _one(period, dim):
    return None if period is None else period[dim]


CASES = [(b, nu, acc) for b in BOUNDARY_MODES for nu in (False, True) for acc in (2, 4)]


# --------------------------------------------------------------------------- fused == diff


@pytest.mark.parametrize("boundary,nonuniform,accuracy", CASES)
def test_fused_2d_equals_composition_of_diff(boundary, nonuniform, accuracy):
    f = _field(nonuniform=nonuniform)
    period = _period(f, nonuniform, boundary)
    kw = dict(accuracy=accuracy, boundary=boundary, period=period)

    def d(obj, dim, order=1):
        return fieldops.diff(
            obj, dim, order, accuracy=accuracy, boundary=boundary, period=_one(period, dim)
        )

    def close(a, b):
        np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-10)

    g = fieldops.grad(f, ["y", "x"], **kw)
    close(g.sel(component="y", drop=True), d(f, "y"))
    close(g.sel(component="x", drop=True), d(f, "x"))
    lap = fieldops.laplacian(f, ["y", "x"], **kw)
    close(lap, d(f, "y", 2) + d(f, "x", 2))
    h = fieldops.hessian(f, ["y", "x"], **kw)
    close(h.sel(component="y", wrt="y", drop=True), d(f, "y", 2))
    close(h.sel(component="x", wrt="x", drop=True), d(f, "x", 2))
    mixed = h.sel(component="y", wrt="x", drop=True)
    if boundary == "fill":
        # fused: a point either factor cannot reach is fill_value
        ref = d(d(f, "y"), "x")
        assert np.isnan(mixed.values).sum() == np.isnan(ref.values).sum()
    close(mixed, d(d(f, "y"), "x"))
    F = g.rename("g")
    close(fieldops.div(F, **kw), d(F.sel(component="y"), "y") + d(F.sel(component="x"), "x"))
    cz = fieldops.curl(F, ["x", "y"], **kw)
    close(cz, d(F.sel(component="y"), "x") - d(F.sel(component="x"), "y"))


@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
@pytest.mark.parametrize("accuracy", [2, 4])
def test_fused_3d_equals_composition_of_diff(boundary, accuracy):
    rng = np.random.default_rng(3)
    coords = {d: np.arange(n) * s for d, n, s in (("z", 8, 0.5), ("y", 9, 0.3), ("x", 10, 1.1))}
    f = xr.DataArray(rng.normal(size=(2, 8, 9, 10)), dims=("s", "z", "y", "x"), coords=coords)
    dims = ["z", "y", "x"]
    kw = dict(accuracy=accuracy, boundary=boundary)

    def d(obj, dim, order=1):
        return fieldops.diff(obj, dim, order, **kw)

    def close(a, b):
        np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-9)

    g = fieldops.grad(f, dims, **kw)
    h = fieldops.hessian(f, dims, **kw)
    for a in dims:
        close(g.sel(component=a, drop=True), d(f, a))
        for b in dims:
            ref = d(f, a, 2) if a == b else d(d(f, a), b)
            close(h.sel(component=a, wrt=b, drop=True), ref)
    close(fieldops.laplacian(f, dims, **kw), sum(d(f, a, 2) for a in dims))
    F = g.rename("g")
    close(fieldops.div(F, **kw), sum(d(F.sel(component=a), a) for a in dims))
    c = fieldops.curl(F, **kw)
    for a, b, cc in (("z", "y", "x"), ("y", "x", "z"), ("x", "z", "y")):
        # curl_a = dF_c/db - dF_b/dc for (a, b, c) cyclic in (z, y, x)
        close(c.sel(component=a, drop=True), d(F.sel(component=cc), b) - d(F.sel(component=b), cc))


def test_layouts_give_the_same_numbers():
    f = _field(shape=(5, 13, 11))
    ref = fieldops.hessian(f, ["y", "x"])
    for order in (("y", "t", "x"), ("y", "x", "t"), ("x", "y", "t")):
        got = fieldops.hessian(f.transpose(*order), ["y", "x"]).transpose(*ref.dims)
        np.testing.assert_allclose(got.values, ref.values, rtol=1e-13, atol=1e-12)
    # Fortran order and a 4-D field differentiated along its first axes
    fortran = f.copy(data=np.asfortranarray(f.values))
    np.testing.assert_allclose(fieldops.hessian(fortran, ["y", "x"]).values, ref.values, atol=1e-12)
    f4 = f.expand_dims(s=3, axis=-1).copy()
    got = fieldops.grad(f4, ["t", "y", "x"]).isel(s=1)
    np.testing.assert_allclose(got.values, fieldops.grad(f, ["t", "y", "x"]).values, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_dtype(dtype):
    f = _field().astype(dtype)
    expected = np.float32 if dtype == np.float32 else np.float64
    for op in (fieldops.grad, fieldops.laplacian, fieldops.hessian):
        assert op(f, ["y", "x"]).dtype == expected
    ref = fieldops.grad(_field().astype(np.float64).astype(dtype).astype(np.float64), ["y", "x"])
    got = fieldops.grad(f, ["y", "x"])
    np.testing.assert_allclose(got.values, ref.values, rtol=1e-5, atol=1e-4)


# --------------------------------------------------------------------------- identities


def _smooth(nonuniform=False, n=(17, 19, 15), seed=0):
    rng = np.random.default_rng(seed)
    z, y, x = (_coord(m, nonuniform, 0.2, seed + i) for i, m in enumerate(n))
    Z, Y, X = np.meshgrid(z, y, x, indexing="ij")
    a = rng.uniform(0.5, 1.5, 6)
    data = np.sin(a[0] * X + a[1] * Y) * np.cos(a[2] * Z) + np.exp(0.3 * a[3] * X * Y) * a[4] * Z
    return xr.DataArray(data, dims=("z", "y", "x"), coords={"z": z, "y": y, "x": x}, name="f")


@pytest.mark.parametrize("nonuniform", [False, True])
@pytest.mark.parametrize("accuracy", [2, 4])
def test_curl_grad_is_zero(nonuniform, accuracy):
    f = _smooth(nonuniform)
    g = fieldops.grad(f, accuracy=accuracy)
    scale = float(np.abs(fieldops.hessian(f, accuracy=accuracy)).max())
    c3 = fieldops.curl(g, accuracy=accuracy)
    assert float(np.abs(c3).max()) < 1e-12 * scale
    c2 = fieldops.curl(g.sel(component=["x", "y"]), accuracy=accuracy)
    assert float(np.abs(c2).max()) < 1e-12 * scale
    # and not trivially: one component perturbed breaks it
    assert (
        float(
            np.abs(
                fieldops.curl(
                    g * xr.DataArray([1.0, 1.0, 1.001], dims="component"), accuracy=accuracy
                )
            ).max()
        )
        > 1e-6
    )


@pytest.mark.parametrize("nonuniform", [False, True])
def test_div_curl_is_zero(nonuniform):
    rng = np.random.default_rng(5)
    f = _smooth(nonuniform)
    F = xr.concat([f, np.cos(f), f**2 * rng.uniform()], dim="component")
    F = F.assign_coords(component=["z", "y", "x"])
    dc = fieldops.div(fieldops.curl(F, accuracy=4), accuracy=4)
    scale = float(np.abs(fieldops.jacobian(F)).max())
    assert float(np.abs(dc).max()) < 1e-11 * scale


@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
def test_hessian_symmetric_and_trace_is_laplacian(boundary):
    f = _smooth(True) if boundary != "periodic" else _smooth(False)
    h = fieldops.hessian(f, boundary=boundary)
    np.testing.assert_array_equal(h.values, h.transpose("wrt", "component", ...).values)
    trace = sum(h.sel(component=d, wrt=d, drop=True) for d in f.dims)
    lap = fieldops.laplacian(f, boundary=boundary)
    np.testing.assert_allclose(lap.values, trace.values, rtol=1e-13, atol=1e-11)


def test_jacobian_rows_are_gradients():
    f = _smooth(True)
    F = xr.concat([f, f**2], dim="component").assign_coords(component=["y", "x"])
    J = fieldops.jacobian(F, ["z", "y", "x"], accuracy=4)
    assert J.dims == ("component", "wrt", "z", "y", "x")
    for c in ("y", "x"):
        g = fieldops.grad(F.sel(component=c, drop=True), ["z", "y", "x"], accuracy=4)
        np.testing.assert_array_equal(J.sel(component=c, drop=True).values, g.values)


def test_hessian_equals_jacobian_of_grad_on_quadratics():
    f = _smooth(True)
    z, y, x = (f[d] for d in f.dims)
    q = (x**2 - 3 * x * y + 0.5 * y * z + 2 * z**2 + x - 1).transpose(*f.dims)
    h = fieldops.hessian(q)
    jg = fieldops.jacobian(fieldops.grad(q))
    assert h.dims == jg.dims
    np.testing.assert_allclose(h.values, jg.values, atol=1e-9)


@pytest.mark.parametrize("accuracy", [2, 4])
def test_mixed_partial_exact_on_polynomials_at_edges_and_corners(accuracy):
    y = _coord(11, True, 0.3, 7)
    x = _coord(12, True, 0.4, 8)
    Y, X = np.meshgrid(y, x, indexing="ij")
    for a in range(accuracy + 1):
        for b in range(accuracy + 1):
            f = xr.DataArray(X**a * Y**b, dims=("y", "x"), coords={"y": y, "x": x})
            h = fieldops.hessian(f, accuracy=accuracy).sel(component="y", wrt="x")
            exact = a * b * X ** max(a - 1, 0) * Y ** max(b - 1, 0)
            np.testing.assert_allclose(h.values, exact, rtol=1e-8, atol=1e-8 * np.abs(f).max())


# --------------------------------------------------------------------------- exercises


def _grid(n=21, lo=-1.0, hi=1.0, nonuniform=False):
    v = np.linspace(lo, hi, n)
    if nonuniform:
        v = np.sort(np.concatenate([[lo, 0.0, hi], np.random.default_rng(1).uniform(lo, hi, n)]))
    x = xr.DataArray(v, dims="x", coords={"x": v})
    return x, x.rename(x="y")


def test_gradient_of_sin_cos_is_perpendicular_to_level_sets():
    x, y = _grid(101, 0.0, 3.0)
    f = np.sin(x) * np.cos(y)
    g = fieldops.grad(f, accuracy=4)
    # tangent of the level set: perpendicular to the analytic gradient
    tangent = xr.concat([np.sin(x) * np.sin(y), np.cos(x) * np.cos(y)], dim="component")
    tangent = tangent.assign_coords(component=["x", "y"]).transpose("component", "x", "y")
    strong = fieldops.norm(g) > 0.1
    cos_angle = (g * tangent).sum("component") / (fieldops.norm(g) * fieldops.norm(tangent))
    assert float(np.abs(cos_angle.where(strong)).max()) < 1e-4
    dd = fieldops.directional(f, tangent, accuracy=4)
    assert float(np.abs(dd.where(strong)).max()) < 1e-4


@pytest.mark.parametrize("nonuniform", [False, True])
def test_laplacian_of_quadratic_is_6(nonuniform):
    x, y = _grid(nonuniform=nonuniform)
    lap = fieldops.laplacian(x**2 + 2 * y**2)
    np.testing.assert_allclose(lap.values, 6.0, rtol=1e-9)


@pytest.mark.parametrize("nonuniform", [False, True])
def test_hessian_of_quadratic_at_origin(nonuniform):
    x, y = _grid(nonuniform=nonuniform)
    h = fieldops.hessian(x**2 + 2 * y**2)
    np.testing.assert_allclose(h.sel(x=0, y=0).values, [[2.0, 0.0], [0.0, 4.0]], atol=1e-9)


@pytest.mark.parametrize("boundary", BOUNDARY_MODES)
def test_hessian_of_xy_has_off_diagonal_one(boundary):
    x, y = _grid(nonuniform=boundary != "periodic")
    h = fieldops.hessian(x * y, boundary=boundary)
    off = h.sel(component="x", wrt="y").values
    if boundary == "one_sided":  # everywhere, corners included
        np.testing.assert_allclose(off, 1.0, rtol=1e-9)
    else:
        np.testing.assert_allclose(off[1:-1, 1:-1], 1.0, rtol=1e-9)


def test_jacobian_of_rotation_has_determinant_one():
    x, y = _grid(15, nonuniform=True)
    theta = 0.7
    F = xr.concat(
        [x * np.cos(theta) - y * np.sin(theta), x * np.sin(theta) + y * np.cos(theta)],
        dim="component",
    ).assign_coords(component=["x", "y"])
    det = fieldops.jacobian_determinant(F)
    assert det.dims == ("x", "y")
    np.testing.assert_allclose(det.values, 1.0, rtol=1e-12)
    J = fieldops.jacobian(F)
    np.testing.assert_allclose(
        J.sel(x=0, y=0).values, [[0.7648, -0.6442], [0.6442, 0.7648]], atol=1e-4
    )
    # 3-D: rotation about z
    z = xr.DataArray(np.linspace(0, 1, 6), dims="z", coords={"z": np.linspace(0, 1, 6)})
    F3 = xr.concat(
        [
            F.sel(component="x", drop=True) + 0 * z,
            F.sel(component="y", drop=True) + 0 * z,
            z + 0 * x + 0 * y,
        ],
        dim="component",
    ).assign_coords(component=["x", "y", "z"])
    np.testing.assert_allclose(fieldops.jacobian_determinant(F3).values, 1.0, rtol=1e-12)


# --------------------------------------------------------------------------- metadata


def test_names_units_and_coords():
    f = _field()
    g = fieldops.grad(f, ["y", "x"])
    assert g.name == "grad_t" and g.attrs["units"] == "K m-1"
    assert g.dims == ("component", "t", "y", "x")
    assert g.component.values.tolist() == ["y", "x"]
    assert g.x.attrs["units"] == "m" and "gradient" in g.attrs["long_name"]
    assert fieldops.laplacian(f, ["y", "x"]).attrs["units"] == "K m-2"
    h = fieldops.hessian(f, ["y", "x"])
    assert h.name == "hess_t" and h.attrs["units"] == "K m-2"
    assert h.dims == ("component", "wrt", "t", "y", "x")
    # components with different units: no single units
    assert "units" not in fieldops.grad(f.assign_coords(t=np.arange(4.0)), ["t", "x"]).attrs
    ds = xr.Dataset({"u": f.assign_attrs(units="m s-1"), "v": (f * 2).assign_attrs(units="m s-1")})
    d = fieldops.div(ds, components={"y": "v", "x": "u"})
    assert d.attrs["units"] == "s-1" and d.dims == ("t", "y", "x") and d.name == "div_v_u"
    det = fieldops.jacobian_determinant(ds, components={"y": "v", "x": "u"})
    assert det.attrs["units"] == "s-2"
    assert f.attrs == {"units": "K"} and f.name == "t"  # input not mutated


def test_dataset_maps_scalar_operators_over_variables():
    f = _field()
    ds = xr.Dataset({"temp": f, "q": f * 3, "flat": ("t", np.arange(4.0))}, attrs={"title": "x"})
    out = fieldops.grad(ds, ["y", "x"])
    assert set(out.data_vars) == {"grad_temp", "grad_q", "flat"}
    assert out.attrs == {"title": "x"}
    np.testing.assert_allclose(out["grad_q"].values, 3 * out["grad_temp"].values)
    assert set(fieldops.laplacian(ds, ["y", "x"]).data_vars) == {"del2_temp", "del2_q", "flat"}
    assert set(fieldops.hessian(ds, ["y", "x"]).data_vars) == {"hess_temp", "hess_q", "flat"}


def test_dataset_vector_equals_dataarray_vector():
    f = _field()
    F = fieldops.grad(f, ["y", "x"])
    ds = xr.Dataset({"a": F.sel(component="y", drop=True), "b": F.sel(component="x", drop=True)})
    comps = {"y": "a", "x": "b"}
    for op in (fieldops.div, fieldops.curl, fieldops.jacobian, fieldops.strain_rate):
        np.testing.assert_array_equal(op(ds, components=comps).values, op(F).values)
    # a transposed variable is the same grid
    ds["b"] = ds["b"].transpose("x", "t", "y")
    np.testing.assert_array_equal(fieldops.div(ds, components=comps).values, fieldops.div(F).values)


def test_accessor_matches_functions():
    f = _field()
    F = fieldops.grad(f, ["y", "x"])
    assert f.fieldops.grad(["y", "x"]).identical(F)
    assert f.fieldops.hessian(["y", "x"], boundary="mirror").identical(
        fieldops.hessian(f, ["y", "x"], boundary="mirror")
    )
    assert F.fieldops.div(accuracy=4).identical(fieldops.div(F, accuracy=4))
    assert F.fieldops.curl().identical(fieldops.curl(F))
    assert F.fieldops.norm().identical(fieldops.norm(F))
    ds = xr.Dataset({"v": F.sel(component="y", drop=True), "u": F.sel(component="x", drop=True)})
    comps = {"y": "v", "x": "u"}
    got = ds.fieldops.jacobian(components=comps)
    assert got.name == "jac_v_u"
    np.testing.assert_array_equal(got.values, fieldops.jacobian(F).values)


def test_per_dim_boundaries_and_periods():
    f = _field(nonuniform=True)
    period = {"x": float(f.x[-1] - f.x[0]) * 1.1}
    bnd = {"y": "mirror", "x": "periodic"}
    h = fieldops.hessian(f, ["y", "x"], boundary=bnd, period=period, accuracy=4)
    dy2 = fieldops.diff(f, "y", 2, boundary="mirror", accuracy=4)
    dx = fieldops.diff(f, "x", boundary="periodic", period=period["x"], accuracy=4)
    dydx = fieldops.diff(dx, "y", boundary="mirror", accuracy=4)
    np.testing.assert_allclose(h.sel(component="y", wrt="y", drop=True), dy2, atol=1e-9)
    np.testing.assert_allclose(h.sel(component="y", wrt="x", drop=True), dydx, atol=1e-9)


def test_nan_spoils_only_the_outputs_whose_stencil_touches_it():
    f = _field(shape=(13, 11), dims=("y", "x"))
    f[6, 5] = np.nan
    g = fieldops.grad(f)
    bad_y = np.argwhere(np.isnan(g.sel(component="y").values)).tolist()
    bad_x = np.argwhere(np.isnan(g.sel(component="x").values)).tolist()
    assert bad_y == [[5, 5], [7, 5]] and bad_x == [[6, 4], [6, 6]]
    lap = fieldops.laplacian(f)
    assert sorted(np.argwhere(np.isnan(lap.values)).tolist()) == [
        [5, 5], [6, 4], [6, 5], [6, 6], [7, 5]
    ]  # fmt: skip


def test_datetime_dim():
    time = np.datetime64("2000-01-01") + np.arange(6) * np.timedelta64(6, "h")
    x = np.arange(7.0)
    data = np.add.outer(np.arange(6) * 2.0, x**2)  # +2 per 6 hours
    f = xr.DataArray(data, dims=("time", "x"), coords={"time": time, "x": x}, name="f")
    g = fieldops.grad(f, ["time", "x"], datetime_unit="h")  # each component keeps its units
    np.testing.assert_allclose(g.sel(component="time").values, 2.0 / 6.0)
    np.testing.assert_allclose(g.sel(component="x").values, 2 * f.x.values + 0 * data)


# --------------------------------------------------------------------------- to_dataset


def _sphere_t(chunks=None):
    lat = np.linspace(-80.0, 80.0, 17)
    lon = np.arange(0.0, 360.0, 15.0)
    phi, lam = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    t = xr.DataArray(
        np.cos(phi) ** 2 * np.sin(lam),
        dims=("lat", "lon"),
        coords={"lat": lat, "lon": lon},
        name="t",
        attrs={"units": "K", "grid_mapping": "crs"},
    )
    return t.chunk(chunks) if chunks else t


def test_vector_result_to_dataset_on_the_sphere():
    # The usual way fails: the component labels are the names of dims.
    g = fieldops.grad(_sphere_t())
    with pytest.raises(ValueError):
        g.to_dataset(dim="component")
    ds = fieldops.to_dataset(g)
    assert list(ds.data_vars) == ["northward_grad_t", "eastward_grad_t"]
    for name, label in (("northward_grad_t", "lat"), ("eastward_grad_t", "lon")):
        var = ds[name]
        assert var.dims == ("lat", "lon") and "component" not in var.coords
        np.testing.assert_array_equal(var.values, g.sel(component=label).values)
        assert var.attrs["units"] == "K m-1" and var.attrs["grid_mapping"] == "crs"
        assert var.attrs["long_name"].startswith(name.split("_")[0])
        assert "component_directions" not in var.attrs
    # Exact eastward derivative of cos^2(phi) sin(lam): cos(phi) cos(lam) / R, to O(h^2).
    lam = np.deg2rad(g.lon)
    exact = np.cos(np.deg2rad(g.lat)) * np.cos(lam) / fieldops.EARTH_RADIUS
    assert float(abs(ds.eastward_grad_t - exact).max()) < 0.02 * float(abs(exact).max())
    xr.testing.assert_identical(g.fieldops.to_dataset(), ds)


def test_to_dataset_cartesian_names_and_a_name():
    x = xr.DataArray(np.linspace(0.0, 1.0, 6), dims="x")
    x = x.assign_coords(x=x)
    f = (x**2 + 3 * x.rename(x="y")).rename("f")
    ds = fieldops.to_dataset(fieldops.grad(f))
    assert list(ds.data_vars) == ["grad_f_x", "grad_f_y"]
    np.testing.assert_allclose(ds.grad_f_y.values, 3.0)
    assert list(fieldops.to_dataset(fieldops.grad(f), name="g").data_vars) == ["g_x", "g_y"]
    h = fieldops.to_dataset(fieldops.hessian(f))  # a tensor: one variable per row
    assert h.hess_f_x.dims == ("wrt", "x", "y")


def test_to_dataset_is_lazy_and_keeps_chunks(no_compute):
    g = fieldops.grad(_sphere_t(chunks={"lat": 6}))
    ds = fieldops.to_dataset(g)
    assert ds.eastward_grad_t.chunks == g.isel(component=0).chunks


def test_to_dataset_bad_input():
    t = _sphere_t()
    with pytest.raises(TypeError, match="vector DataArray"):
        fieldops.to_dataset(t.to_dataset())
    with pytest.raises(ValueError, match="no 'component' dim"):
        fieldops.to_dataset(t)
