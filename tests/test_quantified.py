"""pint-quantified input (pint-xarray's ``quantify``) comes back quantified."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops

pint = pytest.importorskip("pint")
UREG = pint.UnitRegistry()


def _field(units: str = "K") -> xr.DataArray:
    x = np.linspace(0.0, 4.0, 9)
    coords = {"x": ("x", x, {"units": "km"}), "y": ("y", x, {"units": "km"})}
    values = (x[:, None] ** 2) * (1 + x[None, :])
    return xr.DataArray(values, dims=("x", "y"), coords=coords, attrs={"units": units})


def _vector() -> xr.DataArray:
    f = _field("m s-1")
    vec = xr.concat([f, 2 * f.T.transpose("x", "y")], dim="component")
    return vec.assign_coords(component=["x", "y"]).assign_attrs(units="m s-1")


OPS = {
    "diff": (_field, lambda a: fieldops.diff(a, "x")),
    "grad": (_field, fieldops.grad),
    "laplacian": (_field, fieldops.laplacian),
    "hessian": (_field, fieldops.hessian),
    "directional": (_field, lambda a: fieldops.directional(a, {"x": 1.0, "y": 1.0})),
    "diffuse": (_field, lambda a: fieldops.diffuse(a, 0.001)),
    "div": (_vector, fieldops.div),
    "curl": (_vector, fieldops.curl),
    "jacobian": (_vector, fieldops.jacobian),
    "jacobian_determinant": (_vector, fieldops.jacobian_determinant),
    "norm": (_vector, fieldops.norm),
    "strain_rate": (_vector, fieldops.strain_rate),
    "rotation_rate": (_vector, fieldops.rotation_rate),
}


def _quantify(da: xr.DataArray) -> xr.DataArray:
    attrs = {k: v for k, v in da.attrs.items() if k != "units"}
    data = UREG.Quantity(da.data, fieldops.units.normalise(da.attrs["units"]))
    return xr.DataArray(data, dims=da.dims, coords=da.coords, name=da.name, attrs=attrs)


@pytest.mark.parametrize("name", list(OPS))
def test_quantified_input_gives_the_plain_result_as_a_quantity(name):
    make, op = OPS[name]
    plain = make()
    q = _quantify(plain)
    before = q.copy(deep=True)
    expected = op(plain)
    got = op(q)
    assert isinstance(got.data, UREG.Quantity)
    assert got.data.units == UREG.parse_units(fieldops.units.normalise(expected.attrs["units"]))
    np.testing.assert_allclose(got.data.magnitude, expected.values)
    assert "units" not in got.attrs
    xr.testing.assert_identical(q, before)


def test_quantified_dataset_and_dask_stay_quantified_and_lazy(no_compute):
    plain = _field()
    q = _quantify(plain.chunk({"x": 4}))
    out = fieldops.grad(q.to_dataset(name="T"))["grad_T"]
    assert isinstance(out.data, UREG.Quantity)
    assert type(out.data.magnitude).__module__.startswith("dask")
    assert out.data.units == UREG.parse_units("K / km")


def test_results_without_units_stay_plain():
    q = _quantify(_field())
    codes = fieldops.critical_points(q)
    assert codes.dtype == np.int8 and not isinstance(codes.data, UREG.Quantity)
