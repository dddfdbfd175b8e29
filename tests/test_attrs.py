"""The one attribute policy (fieldops._attrs), on every public operator and grid.

Kept from the input: every attribute but those false of the result (its
``standard_name``, ``valid_*``); dropped under ``xr.set_options(keep_attrs=False)``.
Always written: ``long_name``, ``units`` (derived), the operator's own
``standard_name``.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops import units

KEPT = {"grid_mapping": "crs", "cell_methods": "time: mean", "comment": "from a model"}
FALSE_OF_RESULT = {"standard_name": "eastward_wind", "valid_max": 90.0, "long_name": "wind"}
ATTRS = {"units": "m s-1", **KEPT, **FALSE_OF_RESULT}


def _cartesian() -> xr.DataArray:
    x = np.linspace(0.0, 1.0, 9)
    y = np.linspace(0.0, 2.0, 7)
    data = x[None, :] ** 2 + y[:, None] ** 3 + x[None, :] * y[:, None]
    coords = {"x": ("x", x, {"units": "m"}), "y": ("y", y, {"units": "m"})}
    return xr.DataArray(data, dims=("y", "x"), coords=coords, name="u", attrs=dict(ATTRS))


def _sphere() -> xr.DataArray:
    lat = np.linspace(-60.0, 60.0, 13)
    lon = np.arange(0.0, 360.0, 20.0)
    data = np.cos(np.deg2rad(lat))[:, None] * np.sin(np.deg2rad(lon))[None, :]
    data = data + 0.1 * lat[:, None]
    coords = {
        "lat": ("lat", lat, {"units": "degrees_north"}),
        "lon": ("lon", lon, {"units": "degrees_east"}),
    }
    return xr.DataArray(data, dims=("lat", "lon"), coords=coords, name="u", attrs=dict(ATTRS))


def _vector(f: xr.DataArray) -> xr.DataArray:
    vec = xr.concat([f, 2 * f], dim="component", combine_attrs="override")
    return vec.assign_coords(component=list(f.dims)).assign_attrs(ATTRS)


def _wind(op):
    return lambda f: op(f, (2 * f).assign_attrs(f.attrs | {"standard_name": "northward_wind"}))


# name: (operator, units of its result for an input in m s-1 on metres, or None)
# KEPT's grid_mapping names no variable: on a plane fieldops warns that the mapping is lost.
pytestmark = pytest.mark.filterwarnings("ignore:.*names grid_mapping:UserWarning")

OPERATORS = {
    "diff": (lambda f: fieldops.diff(f, f.dims[0]), None),
    "grad": (fieldops.grad, "s-1"),
    "laplacian": (fieldops.laplacian, "m-1 s-1"),
    "hessian": (fieldops.hessian, "m-1 s-1"),
    "directional": (lambda f: fieldops.directional(f, {f.dims[0]: 1.0, f.dims[1]: 0.0}), "s-1"),
    "critical_points": (fieldops.critical_points, None),
    "diffuse": (lambda f: fieldops.diffuse(f, 0.001), "m s-1"),
    "div": (lambda f: fieldops.div(_vector(f)), "s-1"),
    "curl": (lambda f: fieldops.curl(_vector(f)), "s-1"),
    "jacobian": (lambda f: fieldops.jacobian(_vector(f)), "s-1"),
    "jacobian_determinant": (lambda f: fieldops.jacobian_determinant(_vector(f)), "s-2"),
    "norm": (lambda f: fieldops.norm(_vector(f)), "m s-1"),
    "strain_rate": (lambda f: fieldops.strain_rate(_vector(f)), "s-1"),
    "rotation_rate": (lambda f: fieldops.rotation_rate(_vector(f)), "s-1"),
    "vorticity": (_wind(fieldops.vorticity), "s-1"),
    "absolute_vorticity": (_wind(fieldops.absolute_vorticity), "s-1"),
    "divergence": (_wind(fieldops.divergence), "s-1"),
    "advection": (lambda f: fieldops.advection(f, f, 2 * f), "m s-2"),
    "deformation": (lambda f: fieldops.deformation(f, 2 * f)["stretching_deformation"], "s-1"),
    "stretching_deformation": (_wind(fieldops.stretching_deformation), "s-1"),
    "shearing_deformation": (_wind(fieldops.shearing_deformation), "s-1"),
    "total_deformation": (_wind(fieldops.total_deformation), "s-1"),
    "geostrophic_wind": (
        lambda f: fieldops.geostrophic_wind(f.copy(data=f.values * 1e3).assign_attrs(units="m"))[
            "ug"
        ],
        "m s-1",
    ),
    # integrals and dynamics (issue 19): the integrals over every dim are in m3 s-1
    # (an area integral in m2 on the sphere); along a dim without coordinate, the field's.
    "integrate": (lambda f: fieldops.integrate(f, list(f.dims)), "m3 s-1"),
    "cumulative_integrate": (
        lambda f: fieldops.cumulative_integrate(f.drop_vars(f.dims[0]), f.dims[0]),
        "m s-1",
    ),
    "mass_integrate": (lambda f: fieldops.mass_integrate(_on_pressure(f), f.dims[0]), "kg m-1 s-1"),
    "frontogenesis": (lambda f: fieldops.frontogenesis(f, f, 2 * f), "s-2"),
    "q_vector": (lambda f: fieldops.q_vector(f, 2 * f, f, 5e4), "m3 kg-1 K-1 s-2"),
    "potential_vorticity_baroclinic": (
        lambda f: fieldops.potential_vorticity_baroclinic(
            _levels(f), _levels(f).level, _levels(f), 2 * _levels(f), coriolis=1e-4
        ),
        "m3 kg-1 s-2",
    ),
    "thermal_wind": (
        lambda f: fieldops.thermal_wind(
            _levels(f).assign_attrs(units="m"), "level", top=500.0, bottom=850.0, coriolis=1e-4
        )["u_thermal"],
        "m s-1",
    ),
    "extrema": (lambda f: fieldops.extrema(f)["value"], "m s-1"),
    # PV on heights (in km) and on isentropes (in K), fields in m s-1 standing in for theta
    # and pressure, density 1 kg m-3
    "ertel_potential_vorticity": (
        lambda f: fieldops.ertel_potential_vorticity(
            _levels(f),
            _levels(f).level.assign_attrs(units="km"),
            _levels(f),
            2 * _levels(f),
            density=1.0,
            coriolis=1e-4,
        ),
        "m3 kg-1 s-2",
    ),
    "isentropic_potential_vorticity": (
        lambda f: fieldops.isentropic_potential_vorticity(
            _isentropes(f).assign_attrs(units="hPa"),
            _isentropes(f),
            _isentropes(f),
            coriolis=1e-4,
        ),
        "K m2 kg-1 s-1",
    ),
    # Inverse operators (issue 15): f of laplacian(f) = rhs has rhs's units times m2.
    "solve_poisson": (fieldops.solve_poisson, "m3 s-1"),
    "helmholtz": (_wind(fieldops.helmholtz), "m2 s-1"),
    "streamfunction": (_wind(fieldops.streamfunction), "m2 s-1"),
    "velocity_potential": (_wind(fieldops.velocity_potential), "m2 s-1"),
}


def _isentropes(f: xr.DataArray) -> xr.DataArray:
    """``f`` on three isentropic levels (K)."""
    return _levels(f).assign_coords(level=("level", [300.0, 310.0, 320.0], {"units": "K"}))


def _levels(f: xr.DataArray) -> xr.DataArray:
    """``f`` on three pressure levels (attrs kept)."""
    levels = xr.DataArray([850.0, 700.0, 500.0], dims="level", attrs={"units": "hPa"})
    out = xr.concat([f, 1.5 * f, 2 * f], dim="level", combine_attrs="override")
    return out.assign_coords(level=levels).assign_attrs(f.attrs)


def _on_pressure(f: xr.DataArray) -> xr.DataArray:
    dim = f.dims[0]
    levels = np.linspace(1000.0, 100.0, f.sizes[dim])
    return f.assign_coords({dim: (dim, levels, {"units": "hPa"})})


# The derivative along one dim has the coordinate's units (degrees on the sphere).
DIFF_UNITS = {"cartesian": "s-1", "sphere": "m s-1 degree-1"}
NEEDS_LATITUDE = {("absolute_vorticity", "cartesian"), ("geostrophic_wind", "cartesian")}
SAME_QUANTITY = {"diffuse"}  # a smoothing: the input's standard_name and range still hold
# model levels (issue 16): interpolation to other levels is the same quantity
OPERATORS["interp_vertical"] = (
    lambda f: fieldops.interp_vertical(
        f, [0.5], vertical=xr.DataArray(np.arange(f.shape[0]) + 0.0, dims=f.dims[0])
    ),
    "m s-1",
)
SAME_QUANTITY |= {"interp_vertical"}


def _call(name: str, grid: str):
    op, _ = OPERATORS[name]
    f = _cartesian() if grid == "cartesian" else _sphere()
    before = f.copy(deep=True)
    out = op(f)
    xr.testing.assert_identical(f, before)
    return out if isinstance(out, xr.DataArray) else out[next(iter(out.data_vars))]


def test_every_public_operator_is_in_the_table():
    # A new operator must say here what its attrs are.
    public = {n for n in fieldops.__all__ if callable(getattr(fieldops, n))}
    not_operators = {
        "ScatteredDerivatives", "at", "detect_geometry", "from_points", "get_num_threads",
        "open_dataset", "open_sample", "process", "set_num_threads", "to_dataset", "write",
    }  # fmt: skip
    not_operators |= {"vertical_coordinate"}  # model levels (issue 16): builds a coordinate
    not_operators |= {"to_earth_relative", "to_grid_relative"}  # winds turned, not derived
    not_operators |= {"StaggeredGrid", "staggered_grid"}  # issue 17: grids (tests/staggered)
    assert public - not_operators == set(OPERATORS)


@pytest.mark.parametrize(
    ("name", "grid"),
    [(n, g) for n in OPERATORS for g in ("cartesian", "sphere") if (n, g) not in NEEDS_LATITUDE],
)
@pytest.mark.parametrize("keep", ["default", True, False])
def test_attribute_policy(name, grid, keep):
    with xr.set_options(keep_attrs=keep):
        out = _call(name, grid)
    attrs = out.attrs
    # Kept from the input (on the sphere too), or none of them under keep_attrs=False.
    for key, value in KEPT.items():
        assert attrs.get(key) == (None if keep is False else value), key
    # What would be false of the result is dropped, whatever keep_attrs says.
    if name in SAME_QUANTITY:
        assert attrs.get("standard_name") == (None if keep is False else "eastward_wind")
    else:
        assert attrs.get("standard_name") != "eastward_wind"
        assert "valid_max" not in attrs
    # Written by the operator, always: what it is and its derived units.
    assert attrs.get("long_name") and attrs["long_name"] != "wind" or name in SAME_QUANTITY
    expected = DIFF_UNITS[grid] if name == "diff" else OPERATORS[name][1]
    if name == "critical_points":
        assert "units" not in attrs and "flag_meanings" in attrs
    else:
        assert units.factor(attrs.get("units"), expected) == pytest.approx(1.0), attrs


@pytest.mark.parametrize("keep", ["default", False])
def test_policy_on_datasets(keep):
    # Variable by variable: each result gets its own variable's attrs.
    f = _cartesian()
    t = (f * 2).rename("t").assign_attrs(units="K", grid_mapping="other", standard_name="x")
    ds = xr.Dataset({"u": f, "t": t})
    with xr.set_options(keep_attrs=keep):
        out = fieldops.grad(ds)
        div = fieldops.div(ds, components={"y": "u", "x": "t"})
    assert out["grad_u"].attrs.get("grid_mapping") == (None if keep is False else "crs")
    assert out["grad_t"].attrs.get("grid_mapping") == (None if keep is False else "other")
    assert out["grad_t"].attrs["units"] == "K m-1" and "standard_name" not in out["grad_t"].attrs
    # A vector of Dataset variables: the attributes its components share.
    assert "grid_mapping" not in div.attrs  # they differ
    assert div.attrs.get("cell_methods") == (None if keep is False else "time: mean")


def test_spherical_grad_keeps_grid_mapping_and_cell_methods():
    # The reproducer: spherical grad (and what is built on it) dropped them.
    f = _sphere()
    for out in (fieldops.grad(f), fieldops.hessian(f), fieldops.jacobian(_vector(f))):
        assert out.attrs["grid_mapping"] == "crs"
        assert out.attrs["cell_methods"] == "time: mean"
