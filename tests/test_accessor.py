"""The ``.fieldops`` accessor: each public operator is a method, same signature, same numbers."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.accessor import DatasetFieldopsAccessor, FieldopsAccessor

# Public names that are not operators on one field: no accessor method by design.
NOT_METHODS = {
    "EARTH_RADIUS",
    "ScatteredDerivatives",  # a class built from points, not from a gridded field
    "detect_geometry",  # describes a grid, differentiates nothing
    "from_points",  # builds a grid from scattered samples
    "get_num_threads",
    "set_num_threads",
    "open_dataset",
    "open_sample",
    "process",
    "write",
    # staggered model grids (issue 17): a class; staggered_grid is a method
    "StaggeredGrid",
}
# The kinematics take several fields: Dataset methods that name variables.
WIND_METHODS = {
    "vorticity",
    "absolute_vorticity",
    "divergence",
    "advection",
    "deformation",
    "stretching_deformation",
    "shearing_deformation",
    "total_deformation",
    "to_earth_relative",
    "to_grid_relative",
    # dynamics (issue 19)
    "frontogenesis",
    "q_vector",
    "potential_vorticity_baroclinic",
    "ertel_potential_vorticity",
    "isentropic_potential_vorticity",
    # Inverse operators (issue 15)
    "helmholtz",
    "streamfunction",
    "velocity_potential",
}


def _public_functions() -> list[str]:
    return [n for n in fieldops.__all__ if callable(getattr(fieldops, n)) and n not in NOT_METHODS]


def test_every_public_operator_is_a_method():
    missing = [
        name
        for name in _public_functions()
        if not hasattr(DatasetFieldopsAccessor, name)
        and not (name in WIND_METHODS or hasattr(FieldopsAccessor, name))
    ]
    assert not missing, f"public functions without an accessor method: {missing}"
    # and the other way round: no method that is not a public function
    methods = {n for n in vars(FieldopsAccessor) | vars(DatasetFieldopsAccessor) if n[0] != "_"}
    assert methods <= set(fieldops.__all__), methods - set(fieldops.__all__)


def _described(p: inspect.Parameter) -> tuple:
    # repr, not ==: a default of nan never equals itself
    return (p.name, p.kind, repr(p.default), p.annotation)


@pytest.mark.parametrize("name", sorted(set(_public_functions()) - WIND_METHODS))
def test_dataarray_method_has_the_function_signature_less_the_field(name):
    func = getattr(fieldops, name)
    method = getattr(FieldopsAccessor, name)
    params = list(inspect.signature(func).parameters.values())[1:]
    got = list(inspect.signature(method).parameters.values())[1:]  # less self
    assert [_described(p) for p in got] == [_described(p) for p in params], name
    assert func.__doc__ and inspect.cleandoc(func.__doc__) in method.__doc__


@pytest.mark.parametrize("name", sorted(WIND_METHODS | {"geostrophic_wind"}))
def test_dataset_method_keeps_every_option_of_the_function(name):
    func = getattr(fieldops, name)
    method = getattr(DatasetFieldopsAccessor, name)
    want = {p.name: p.kind for p in inspect.signature(func).parameters.values()}
    got = {p.name: p.kind for p in list(inspect.signature(method).parameters.values())[1:]}
    assert got == want, name


def _field() -> xr.DataArray:
    x = np.linspace(0.0, 1.0, 12)
    y = np.linspace(0.0, 2.0, 10)
    data = np.sin(3 * x)[None, :] * np.cos(y)[:, None]
    return xr.DataArray(data, dims=("y", "x"), coords={"x": x, "y": y}, name="f")


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("diff", ("x",), {"accuracy": 4}),
        ("grad", (), {}),
        ("laplacian", (), {"boundary": "mirror"}),
        ("hessian", (["y", "x"],), {}),
        ("directional", ({"x": 1.0, "y": 1.0},), {}),
        ("diffuse", (0.001,), {"steps": 2}),
    ],
)
def test_method_gives_the_function_numbers(name, args, kwargs):
    f = _field()
    by_method = getattr(f.fieldops, name)(*args, **kwargs)
    by_function = getattr(fieldops, name)(f, *args, **kwargs)
    xr.testing.assert_identical(by_method, by_function)


def test_dataset_wind_method_names_variables_or_takes_arrays():
    f = _field()
    ds = xr.Dataset({"u": f, "v": 2 * f + f.x})
    want = fieldops.vorticity(ds.u, ds.v)
    xr.testing.assert_identical(ds.fieldops.vorticity(), want)
    xr.testing.assert_identical(ds.fieldops.vorticity(u="u", v="v"), want)
    xr.testing.assert_identical(ds.fieldops.vorticity(u=ds.u, v=ds.v), want)
    with pytest.raises(AttributeError, match="Dataset method"):
        f.fieldops.vorticity  # noqa: B018
