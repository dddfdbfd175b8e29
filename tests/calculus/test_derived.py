"""critical_points, strain/rotation rate, diffuse, directional, norm, Jacobian determinant."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.calculus.critical import CRITICAL_MEANINGS


def _grid(n=21, lo=-1.0, hi=1.0):
    v = np.linspace(lo, hi, n)
    x = xr.DataArray(v, dims="x", coords={"x": ("x", v, {"units": "m"})})
    return x, x.rename(x="y")


CODE = {name: i for i, name in enumerate(CRITICAL_MEANINGS)}


@pytest.mark.parametrize(
    "expr,kind",
    [
        (lambda x, y: x**2 - y**2, "saddle"),
        (lambda x, y: x**2 + 3 * y**2, "minimum"),
        (lambda x, y: -(x**2) - 0.5 * y**2 + 4, "maximum"),
        (lambda x, y: (x - 0.2) * (y + 0.3), "saddle"),
    ],
)
def test_critical_point_classified(expr, kind):
    x, y = _grid()
    cp = fieldops.critical_points(expr(x, y).rename("f"))
    assert cp.dtype == np.int8 and cp.name == "critical_f"
    assert cp.attrs["flag_meanings"].split() == list(CRITICAL_MEANINGS)
    found = cp.where(cp > 0, drop=True)
    assert found.size == 1
    assert int(found.squeeze()) == CODE[kind]
    where = {d: float(found[d].squeeze()) for d in ("x", "y")}
    expected = {"x": 0.2, "y": -0.3} if kind == "saddle" and expr(0.2, -0.3) == 0 else None
    if expected is None:
        assert where == {"x": 0.0, "y": 0.0}
    else:
        assert where == pytest.approx(expected)


def test_degenerate_and_3d_critical_points():
    x, y = _grid()
    cp = fieldops.critical_points(x**2 + 0 * y)  # a valley: every x == 0 point, degenerate
    assert (cp.sel(x=0) == CODE["degenerate"]).all() and int((cp > 0).sum()) == y.size
    z = x.rename(x="z")
    cp3 = fieldops.critical_points(x**2 + y**2 - z**2, ["x", "y", "z"])
    assert int(cp3.sel(x=0, y=0, z=0)) == CODE["saddle"] and int((cp3 > 0).sum()) == 1
    # tol: nothing counts with tol=0 on a field whose gradient never vanishes
    assert int((fieldops.critical_points(x + 2 * y, tol=0.0) > 0).sum()) == 0


def test_critical_points_tol_and_fill_boundary():
    x, y = _grid(41)
    f = np.cos(3 * x) * np.cos(3 * y)  # extrema off the grid nodes except the origin
    strict = fieldops.critical_points(f)
    assert int((strict > 0).sum()) == 1 and int(strict.sel(x=0, y=0)) == CODE["maximum"]
    loose = fieldops.critical_points(f, tol=0.5)
    assert int((loose > 0).sum()) > 1
    filled = fieldops.critical_points(f, boundary="fill")
    assert int(filled.isel(x=0).max()) == 0  # undefined derivatives are never critical


def test_strain_and_rotation_rate_split_the_jacobian():
    rng = np.random.default_rng(0)
    x, y = _grid(15)
    F = xr.concat([np.sin(2 * x + y) + 0.1 * rng.normal(), x * y**2], dim="component")
    F = F.assign_coords(component=["x", "y"]).rename("F")
    J = fieldops.jacobian(F)
    S = fieldops.strain_rate(F)
    R = fieldops.rotation_rate(F)
    assert S.dims == R.dims == J.dims
    np.testing.assert_allclose((S + R).values, J.values, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(S.values, S.transpose("wrt", "component", ...).values)
    np.testing.assert_array_equal(R.values, -R.transpose("wrt", "component", ...).values)
    # 2-D rotation rate is half the curl
    np.testing.assert_allclose(
        R.sel(component="y", wrt="x").values, 0.5 * fieldops.curl(F).values, atol=1e-12
    )
    # trace of the strain is the divergence
    trace = S.sel(component="x", wrt="x") + S.sel(component="y", wrt="y")
    np.testing.assert_allclose(trace.values, fieldops.div(F).values, atol=1e-12)
    assert S.name == "strain_F" and R.name == "rotation_F"


@pytest.mark.parametrize("boundary", ["periodic", "mirror"])
def test_diffusion_smooths_noise_and_keeps_the_mean(boundary):
    rng = np.random.default_rng(1)
    n = 64
    img = xr.DataArray(
        5.0 + rng.normal(size=(n, n)),
        dims=("y", "x"),
        coords={"y": np.arange(n) * 0.5, "x": np.arange(n) * 0.5},
        name="img",
        attrs={"units": "K"},
    )
    alpha = 0.9 * fieldops.calculus.diffusion.stable_alpha(img, ["y", "x"], _opts(img, boundary))
    out = fieldops.diffuse(img, alpha, steps=10, boundary=boundary)
    assert out.name == "img" and out.attrs["units"] == "K" and "diffuse" in out.attrs["history"]
    assert float(out.var()) < 0.1 * float(img.var())
    if boundary == "periodic":
        np.testing.assert_allclose(float(out.mean()), float(img.mean()), rtol=1e-13)
    else:  # zero flux: the trapezoidal mean is kept
        w = np.ones(n)
        w[[0, -1]] = 0.5
        wts = xr.DataArray(np.outer(w, w), dims=("y", "x"))
        np.testing.assert_allclose(
            float(out.weighted(wts).mean()), float(img.weighted(wts).mean()), rtol=1e-13
        )


def _opts(f, boundary):
    from fieldops.options import How, resolve_how

    return resolve_how(f, list(f.dims), How(boundary=boundary))


def test_diffuse_refuses_unstable_alpha_and_gives_the_largest_stable_one():
    x, y = _grid(11)  # spacing 0.2 on both axes: largest stable alpha = 0.04 / 4 = 0.01
    f = x * y
    with pytest.raises(ValueError, match=r"largest stable alpha .* is 0\.01\b"):
        fieldops.diffuse(f, 0.0101, boundary="periodic")
    fieldops.diffuse(f, 0.01, boundary="periodic")
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        fieldops.diffuse(f, -0.001)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        fieldops.diffuse(f, 0.001, steps=0)
    # the stable limit really is the limit: just above it, noise grows
    rng = np.random.default_rng(0)
    noise = f.copy(data=rng.normal(size=f.shape))
    lim = 0.01
    stable = fieldops.diffuse(noise, lim, steps=200, boundary="periodic")
    assert float(np.abs(stable).max()) <= float(np.abs(noise).max())
    from fieldops.stencils.fused import Plan  # noqa: F401  (the same kernel, by hand)

    u = noise
    for _ in range(200):
        u = u + 1.05 * lim * fieldops.laplacian(u, boundary="periodic")
    assert float(np.abs(u).max()) > 10 * float(np.abs(noise).max())


def test_diffuse_one_step_matches_laplacian():
    x, y = _grid(11)
    f = np.sin(3 * x) * np.cos(2 * y) + x
    out = fieldops.diffuse(f, 0.005, boundary="mirror")
    ref = f + 0.005 * fieldops.laplacian(f, boundary="mirror")
    np.testing.assert_allclose(out.values, ref.values, rtol=1e-14, atol=1e-14)
    ds = xr.Dataset({"a": f, "b": 2 * f})
    out = fieldops.diffuse(ds, 0.005, boundary="mirror")
    np.testing.assert_allclose(out["b"].values, 2 * out["a"].values, rtol=1e-14)


def test_directional_derivative():
    x, y = _grid(11)
    f = (3 * x + 4 * y).rename("f")
    d = fieldops.directional(f, {"x": 3.0, "y": 4.0})
    np.testing.assert_allclose(d.values, 5.0)
    assert d.name == "ddir_f" and "units" not in d.attrs
    with_units = fieldops.directional(f.assign_attrs(units="K"), {"x": 1.0, "y": 1.0})
    assert with_units.attrs["units"] == "K m-1" and "directional" in with_units.attrs["long_name"]
    np.testing.assert_allclose(fieldops.directional(f, [0.0, 2.0], ["x", "y"]).values, 4.0)
    # a vector field direction
    u = xr.concat([0 * x + 0 * y + 1.0, 0 * x + 0 * y], dim="component")
    u = u.assign_coords(component=["x", "y"])
    np.testing.assert_allclose(fieldops.directional(f, u).values, 3.0)
    ds = xr.Dataset({"f": f, "g": 2 * f})
    out = fieldops.directional(ds, {"y": 1.0, "x": 0.0})
    np.testing.assert_allclose(out["ddir_g"].values, 8.0)


def test_norm():
    x, y = _grid(5)
    F = fieldops.grad((3 * x + 4 * y).rename("f").assign_attrs(units="K"))
    n = fieldops.norm(F)
    np.testing.assert_allclose(n.values, 5.0)
    assert n.dims == ("x", "y") and n.attrs["units"] == "K m-1" and n.name == "norm_grad_f"
    ds = xr.Dataset({"u": 3.0 + 0 * x, "v": 4.0 + 0 * x})
    np.testing.assert_allclose(fieldops.norm(ds, components={"x": "u", "y": "v"}).values, 5.0)


@pytest.mark.parametrize("n", [3, 4])
def test_jacobian_determinant_3d_4d_matches_numpy(n):
    rng = np.random.default_rng(n)
    dims = ["a", "b", "c", "d"][:n]
    shape = (6,) * n
    coords = {d: np.arange(6) * 0.5 for d in dims}
    F = xr.DataArray(rng.normal(size=(n, *shape)), dims=("component", *dims), coords=coords)
    F = F.assign_coords(component=dims)
    J = fieldops.jacobian(F, boundary="fill")
    with np.errstate(invalid="ignore"):
        ref = np.linalg.det(np.moveaxis(J.values, (0, 1), (-2, -1)))
    got = fieldops.jacobian_determinant(F, boundary="fill")
    np.testing.assert_allclose(got.values, ref, rtol=1e-10, atol=1e-12)
    assert np.isnan(got.values).any() and got.dims == tuple(dims)


def test_operators_over_four_dims():
    rng = np.random.default_rng(0)
    dims = ["a", "b", "c", "d"]
    f = xr.DataArray(rng.normal(size=(5, 6, 7, 8)), dims=dims, name="f")
    for boundary in ("one_sided", "fill", "periodic"):
        lap = fieldops.laplacian(f, boundary=boundary)
        ref = sum(fieldops.diff(f, d, 2, boundary=boundary) for d in dims)
        np.testing.assert_allclose(lap.values, ref.values, atol=1e-12)
        h = fieldops.hessian(f, boundary=boundary)
        mixed = fieldops.diff(fieldops.diff(f, "a", boundary=boundary), "d", boundary=boundary)
        np.testing.assert_allclose(h.sel(component="a", wrt="d").values, mixed.values, atol=1e-12)
        lazy = f.chunk({"a": 2, "b": 3, "c": 4, "d": 3})
        np.testing.assert_array_equal(fieldops.hessian(lazy, boundary=boundary).values, h.values)
    fill = fieldops.laplacian(f, boundary="fill", fill_value=-99.0)
    assert (fill.isel(a=0) == -99.0).all() and (
        fill.isel(a=2, b=2, c=2, d=slice(1, -1)) != -99
    ).all()
