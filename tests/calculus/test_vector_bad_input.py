"""Bad input to the vector operators: a clear error naming the problem and the fix."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops

NY, NX = 8, 9


def _f(name="t"):
    rng = np.random.default_rng(0)
    return xr.DataArray(
        rng.normal(size=(NY, NX)),
        dims=("y", "x"),
        coords={"y": np.arange(NY) * 1.0, "x": np.arange(NX) * 2.0},
        name=name,
    )


def _vec(labels=("y", "x")):
    f = _f()
    return xr.concat([f * (i + 1) for i in range(len(labels))], dim="component").assign_coords(
        component=list(labels)
    )


def _vec4():
    f = _f().expand_dims(a=5, b=5)
    return xr.concat([f] * 4, dim="component").assign_coords(component=["a", "b", "y", "x"])


def _staggered():
    u = _f("u")
    v = _f("v").rename(x="x_g").assign_coords(x_g=np.arange(NX) * 2.0 + 1.0)
    return xr.Dataset({"u": u, "v": v})


CASES = [
    (
        "components on different grids",
        lambda: fieldops.div(_staggered(), components={"x": "u", "y": "v"}),
        ValueError,
        r"different grids: 'u' has dims .*'v' has .*interpolate",
    ),
    (
        "component label that is not a dim",
        lambda: fieldops.div(_vec(("y", "q"))),
        ValueError,
        r"component label\(s\) \['q'\] of .* are not dims of the field .*pass dims=",
    ),
    (
        "2-D curl asked of a 3-component field without dims",
        lambda: fieldops.curl(_vec(("x", "y", "z"))),
        ValueError,
        r"\['z'\] .* not dims .*dims=\['x', 'y'\] for the 2-D \(vertical\) curl",
    ),
    (
        "curl of four dims",
        lambda: fieldops.curl(_vec4()),
        ValueError,
        r"curl needs 2 or 3 dims, got \['a', 'b', 'y', 'x'\]",
    ),
    (
        "mapping names a missing variable",
        lambda: fieldops.div(xr.Dataset({"u": _f("u")}), components={"x": "u", "y": "v"}),
        ValueError,
        r"variable\(s\) \['v'\] not in the Dataset; its variables are \['u'\]",
    ),
    (
        "mapping key that is not a dim",
        lambda: fieldops.div(
            xr.Dataset({"u": _f("u"), "v": _f("v")}), components={"x": "u", "z": "v"}
        ),
        ValueError,
        r"\['z'\] .* not dims of the field",
    ),
    (
        "Dataset without a mapping",
        lambda: fieldops.curl(xr.Dataset({"u": _f("u"), "v": _f("v")})),
        ValueError,
        r"needs components=\{dim: variable\}.*\['u', 'v'\]",
    ),
    (
        "mapping given with a DataArray",
        lambda: fieldops.div(_vec(), components={"x": "u"}),
        ValueError,
        "components= is for a Dataset",
    ),
    (
        "DataArray without a component dim",
        lambda: fieldops.div(_f()),
        ValueError,
        r"'t' has no 'component' dim .*\['y', 'x'\]",
    ),
    (
        "component dim without labels",
        lambda: fieldops.jacobian(_vec().drop_vars("component")),
        ValueError,
        "has no labels; label it",
    ),
    (
        "repeated component labels",
        lambda: fieldops.div(_vec(("x", "x"))),
        ValueError,
        "repeat; label each component once",
    ),
    (
        "div along a dim without a component",
        lambda: fieldops.div(_vec(("y", "x")).expand_dims(t=5).transpose("component", ...), ["t"]),
        ValueError,
        r"dims \['t'\] are not 'component' labels",
    ),
    (
        "grad of a field that has a component dim",
        lambda: fieldops.grad(_vec(), ["y", "x"]),
        ValueError,
        "already has a dim 'component'.*rename",
    ),
    ("grad along an unknown dim", lambda: fieldops.grad(_f(), ["y", "z"]), ValueError, "'z' not"),
    ("repeated dims", lambda: fieldops.hessian(_f(), ["x", "x"]), ValueError, "repeats a dim"),
    ("empty dims", lambda: fieldops.laplacian(_f(), []), ValueError, "dims is empty"),
    (
        "too few points",
        lambda: fieldops.hessian(_f().isel(x=slice(0, 3))),
        ValueError,
        r"dim 'x' has 3 points",
    ),
    (
        "boundary dict naming another dim",
        lambda: fieldops.grad(_f(), ["x"], boundary={"y": "periodic"}),
        ValueError,
        "not differentiated",
    ),
    ("numpy input", lambda: fieldops.grad(np.ones((5, 5))), TypeError, "wrap numpy data"),
    (
        "non-numeric component",
        lambda: fieldops.div(
            xr.Dataset({"u": _f("u"), "v": _f("v").astype(str)}), components={"x": "u", "y": "v"}
        ),
        TypeError,
        "variable 'v' has non-numeric dtype",
    ),
    (
        "direction numbers without dims",
        lambda: fieldops.directional(_f(), [1.0, 0.0]),
        ValueError,
        "needs dims=",
    ),
    (
        "direction of the wrong length",
        lambda: fieldops.directional(_f(), [1.0, 0.0, 2.0], ["y", "x"]),
        ValueError,
        "3 numbers but dims",
    ),
    (
        "direction components and dims differ",
        lambda: fieldops.directional(_f(), {"y": 1.0, "x": 0.0}, ["y"]),
        ValueError,
        "make them match",
    ),
    (
        "direction field without labels",
        lambda: fieldops.directional(_f(), _f()),
        ValueError,
        "labelled 'component' dim",
    ),
    (
        "negative tol",
        lambda: fieldops.critical_points(_f(), tol=-1.0),
        ValueError,
        "tol must be a number >= 0",
    ),
    (
        "datetime_unit without a time dim",
        lambda: fieldops.laplacian(_f(), datetime_unit="h"),
        ValueError,
        r"none of dims \['y', 'x'\] has a time coordinate",
    ),
    (
        "unstable alpha",
        lambda: fieldops.diffuse(_f(), 10.0),
        ValueError,
        r"alpha=10 is unstable .* largest stable alpha .* is 0\.4",
    ),
]


@pytest.mark.parametrize("what,call,exc,match", CASES, ids=[c[0] for c in CASES])
def test_bad_input(what, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_2d_curl_of_a_3_component_field_with_dims():
    F = _vec(("x", "y", "z"))
    c = fieldops.curl(F, ["x", "y"])
    assert c.dims == ("y", "x")
    ref = fieldops.diff(F.sel(component="y"), "x") - fieldops.diff(F.sel(component="x"), "y")
    np.testing.assert_allclose(c.values, ref.values, atol=1e-12)
