"""method=, nan_policy= and mask= on the operators built on grad, jacobian and hessian."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops


def plane(n=40, seed=0, noise=0.0):
    x = np.linspace(0, 2 * np.pi, n)
    X, Y = np.meshgrid(x, x, indexing="ij")
    rng = np.random.default_rng(seed)
    coords = {"x": x, "y": x}

    def on(values):
        return xr.DataArray(
            values + noise * rng.normal(size=values.shape), dims=("x", "y"), coords=coords
        )

    f = on(np.sin(X) * np.cos(Y))
    vec = xr.concat([on(np.sin(Y)), on(np.cos(X) * np.sin(Y))], dim="component")
    return f, vec.assign_coords(component=["x", "y"])


def land(f):
    """NaN on a round 'island' in the middle."""
    r = np.hypot(f.x - np.pi, f.y - np.pi)
    return r > 1.0


VECTOR_OPS = {
    "strain_rate": fieldops.strain_rate,
    "rotation_rate": fieldops.rotation_rate,
    "jacobian_determinant": fieldops.jacobian_determinant,
}
SCALAR_OPS = {
    "directional": lambda f, **kw: fieldops.directional(f, {"x": 1.0, "y": 2.0}, **kw),
    "critical_points": lambda f, **kw: fieldops.critical_points(f, ["x", "y"], **kw),
}


def _jacobian_based(name, J):
    if name == "strain_rate":
        return (J + J.rename(component="wrt", wrt="component").transpose(*J.dims)) / 2
    if name == "rotation_rate":
        return (J - J.rename(component="wrt", wrt="component").transpose(*J.dims)) / 2
    return J.sel(component="x", wrt="x") * J.sel(component="y", wrt="y") - J.sel(
        component="x", wrt="y"
    ) * J.sel(component="y", wrt="x")


@pytest.mark.parametrize("name", list(VECTOR_OPS))
@pytest.mark.parametrize(
    "how",
    [
        {"method": "savgol", "window": "7 points", "polyorder": 2},
        {"method": "gaussian", "sigma": 0.3},
        {"nan_policy": "omit"},
    ],
)
def test_vector_operators_agree_with_the_jacobian_under_each_option(name, how):
    _, vec = plane()
    if how.get("nan_policy"):
        vec = vec.where(land(vec))
    out = VECTOR_OPS[name](vec, **how)
    J = fieldops.jacobian(vec, **how)
    expected = _jacobian_based(name, J)
    np.testing.assert_allclose(out, expected.transpose(*out.dims), rtol=1e-12, atol=1e-12)
    lazy = VECTOR_OPS[name](vec.chunk({"x": 15, "y": 20}), **how)
    np.testing.assert_allclose(lazy.values, out.values, rtol=1e-12, atol=1e-12)
    if how.get("nan_policy"):
        sea = land(vec).values
        assert np.isfinite(out.values[..., sea]).all()


def test_smoothing_methods_beat_finite_differences_on_noisy_strain():
    _, clean = plane(200)
    _, noisy = plane(200, noise=0.01)
    exact = fieldops.strain_rate(clean, accuracy=6)
    inner = {"x": slice(20, -20), "y": slice(20, -20)}
    err_fd = float(((fieldops.strain_rate(noisy) - exact) ** 2).isel(inner).mean() ** 0.5)
    err_sg = float(
        (
            (fieldops.strain_rate(noisy, method="savgol", window="21 points", polyorder=3) - exact)
            ** 2
        )
        .isel(inner)
        .mean()
        ** 0.5
    )
    assert err_sg < err_fd / 5, (err_sg, err_fd)


@pytest.mark.parametrize("name", list(SCALAR_OPS))
def test_scalar_operators_take_gaps_and_masks(name):
    f, _ = plane(41)
    valid = land(f)
    op = SCALAR_OPS[name]
    with_nan = op(f.where(valid), nan_policy="omit")
    with_mask = op(f, mask=valid)
    xr.testing.assert_allclose(with_nan, with_mask)
    if name == "directional":
        assert np.isfinite(with_nan.values[valid.values]).all()
        plain = op(f.where(valid))
        assert np.isnan(plain.values[valid.values]).any()  # the island spoils its coast
        lazy = op(f.where(valid).chunk({"x": 13}), nan_policy="omit")
        np.testing.assert_allclose(lazy.values, with_nan.values)
    else:
        assert int(with_nan.sel(x=np.pi / 2, y=np.pi, method="nearest")) == 1  # minimum
