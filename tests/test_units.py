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


# ------------------------------------------------------------------ pint-xarray itself

import pint_xarray  # noqa: E402, F401  (in the test extra: registers .pint)


def _dataset() -> xr.Dataset:
    x = np.linspace(0.0, 4.0, 9)
    y = np.linspace(0.0, 2.0, 5)
    t = (x[:, None] ** 2) * (1 + y[None, :])
    return xr.Dataset(
        {"t": (("x", "y"), t, {"units": "K"})},
        coords={"x": ("x", x, {"units": "km"}), "y": ("y", y, {"units": "km"})},
    )


PINT_XARRAY_OPS = {
    "diff": lambda a: fieldops.diff(a, "x"),
    "grad_1d": lambda a: fieldops.grad(a, "x"),
    "grad": fieldops.grad,
    "laplacian": fieldops.laplacian,
}


@pytest.mark.parametrize("name", list(PINT_XARRAY_OPS))
def test_pint_xarray_quantify_with_pint_indexes(name):
    # pint-xarray's quantify() puts the index coordinates' units in a PintIndex,
    # which pandas could not read: diff and one-dim grad raised a raw TypeError.
    op = PINT_XARRAY_OPS[name]
    plain = _dataset()
    q = plain.pint.quantify()
    assert type(q.xindexes["x"]).__name__ == "PintIndex"
    expected = op(plain.t)
    got = op(q.t)
    ureg = q.t.data._REGISTRY
    assert isinstance(got.data, ureg.Quantity)
    assert got.data.units == ureg.parse_units(fieldops.units.normalise(expected.attrs["units"]))
    np.testing.assert_allclose(got.data.magnitude, expected.values)
    # The input's quantified coordinates come back as they were.
    assert type(got.xindexes["x"]).__name__ == "PintIndex"
    assert got.x.data.units == ureg.km
    assert type(q.xindexes["x"]).__name__ == "PintIndex"  # input untouched
    got_ds = op(q)
    assert isinstance(next(iter(got_ds.data_vars.values())).data, ureg.Quantity)
    # Dequantified with pint-xarray itself, the result is the plain one.
    back = got.pint.dequantify()
    np.testing.assert_allclose(back.values, expected.values)
    assert fieldops.units.factor(back.attrs["units"], expected.attrs["units"]) == pytest.approx(1.0)


# ------------------------------------------------------------------ derived units

DERIVED = [
    # (data units, coordinate units, derived units or None)
    ("1e-3", "m", "1e-3 m-1"),  # CF salinity, not pint's elementary charge ``e``
    ("K", "1e-9 m", "1e9 K m-1"),
    ("1e-9 m", "m", "1e-9"),
    ("1", "m", "m-1"),
    ("percent", "m", "percent m-1"),
    ("deg C", "m", "K m-1"),  # UDUNITS-spelled Celsius, not degree * coulomb
    ("degC", "km", "K km-1"),
    ("K", "sigma", None),  # a sigma coordinate is not the Stefan-Boltzmann constant
    ("", "m", None),  # empty units say nothing: nothing invented
    ("K", "", None),
    ("ppt", "m", None),  # parts per thousand or pico-pints: ambiguous
    ("psu", "m", None),
    ("m s-1", "m", "s-1"),
]


@pytest.mark.parametrize(("data_units", "coord_units", "expected"), DERIVED)
def test_derived_units_are_read_safely(data_units, coord_units, expected):
    f = _field(data_units).assign_coords(x=lambda a: a.x.assign_attrs(units=coord_units))
    for out in (fieldops.diff(f, "x"), fieldops.grad(f, "x")):
        assert out.attrs.get("units") == expected


def test_scaled_units_survive_quantified_round_trip():
    # x in "1e-9 m" (nanometres the CF way): the derivative is "1e9 K m-1", whose
    # scale factor goes into the quantity's magnitude (a pint unit has none).
    f = _field("K").assign_coords(x=lambda a: a.x.assign_attrs(units="1e-9 m"))
    plain = fieldops.diff(f, "x")
    got = fieldops.diff(_quantify(f), "x")
    assert plain.attrs["units"] == "1e9 K m-1"
    np.testing.assert_allclose(got.data.to("K/nm").magnitude, plain.values)
