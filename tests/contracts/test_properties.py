"""Properties every operator keeps, drawn by hypothesis over one table of operators.

Linearity, zero derivative of constants, dtype kept, NaN stays local, chunking
invariance, and the input (data and attrs) unchanged after the call. Every operator of
the table is run for every property (hypothesis draws the grid, data and chunks); the
table holds cartesian and spherical (small latitude/longitude grid) operators.
"""

from __future__ import annotations

import copy

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import fieldops

# name -> (call on a 2-D DataArray with dims ("y", "x"), stencil half-width at accuracy 2)
OPERATORS = {
    "diff x": (lambda da, **kw: fieldops.diff(da, "x", **kw), 1),
    "diff y order 2": (lambda da, **kw: fieldops.diff(da, "y", 2, **kw), 1),
    "diff x accuracy 4": (lambda da, **kw: fieldops.diff(da, "x", accuracy=4, **kw), 2),
    # Smoothing methods (issue 8); spectral is left out: it is global along its dim
    # (NaN spoils the line, the dim must be one chunk), tested in stencils/test_methods.py.
    "diff x savgol": (
        lambda da, **kw: fieldops.diff(da, "x", method="savgol", window="5 points", **kw),
        2,
    ),
    "diff y savgol order 2": (
        lambda da, **kw: fieldops.diff(
            da, "y", 2, method="savgol", window="7 points", polyorder=3, **kw
        ),
        3,
    ),
    "diff x gaussian": (
        lambda da, **kw: fieldops.diff(da, "x", method="gaussian", sigma=0.5, **kw),
        2,
    ),
    "grad x accuracy 4": (
        lambda da, **kw: fieldops.grad(da, accuracy=4, **kw).sel(component="x", drop=True),
        2,
    ),
    "laplacian": (lambda da, **kw: fieldops.laplacian(da, **kw), 1),
    "hessian mixed": (
        lambda da, **kw: fieldops.hessian(da, **kw).sel(component="y", wrt="x", drop=True),
        1,
    ),
    "div": (lambda da, **kw: fieldops.div(_pair(da, 2.0), **kw), 1),
    "curl": (lambda da, **kw: fieldops.curl(_pair(da, -0.5), ["x", "y"], **kw), 1),
    "jacobian": (
        lambda da, **kw: fieldops.jacobian(_pair(da, 2.0), **kw).sel(
            component="x", wrt="y", drop=True
        ),
        1,
    ),
    "directional": (lambda da, **kw: fieldops.directional(da, {"y": 3.0, "x": -4.0}, **kw), 1),
    # diffuse keeps a constant; its change does not
    "diffuse two steps": (lambda da, **kw: fieldops.diffuse(da, 0.01, steps=2, **kw) - da, 2),
    # On a small latitude/longitude grid: the sphere's metric terms.
    "grad sphere": (
        lambda da, **kw: fieldops.grad(_sphere(da), **kw).sel(component="longitude", drop=True),
        1,
    ),
    "laplacian sphere": (lambda da, **kw: fieldops.laplacian(_sphere(da), **kw), 1),
    "vorticity sphere": (
        lambda da, **kw: fieldops.vorticity(_sphere(da), _sphere(-0.5 * da), **kw),
        1,
    ),
    "divergence sphere": (
        lambda da, **kw: fieldops.divergence(_sphere(da), _sphere(2.0 * da), **kw),
        1,
    ),
}

# A constant wind has vorticity and divergence on a sphere (u tan(lat) / R): these
# operators are linear but do not send constants to zero.
NOT_ZERO_ON_CONSTANTS = {"vorticity sphere", "divergence sphere"}


def _sphere(da):
    """``da`` on latitude/longitude (degrees) made from its y/x coordinates."""
    return da.rename(y="latitude", x="longitude").assign_coords(
        latitude=("latitude", da.y.values * 3.0 - 30.0, {"units": "degrees_north"}),
        longitude=("longitude", da.x.values * 10.0, {"units": "degrees_east"}),
    )


def _pair(da, factor):
    """A vector field (da, factor * da) along (y, x)."""
    return xr.concat([da, factor * da], dim="component").assign_coords(component=["y", "x"])


NAMES = sorted(OPERATORS)


def _field(ny, nx, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return xr.DataArray(
        rng.normal(size=(ny, nx)).astype(dtype),
        dims=("y", "x"),
        coords={"y": np.cumsum(rng.uniform(0.5, 1.5, ny)), "x": np.arange(nx) * 0.7},
        name="f",
        attrs={"units": "K"},
    )


sizes = st.integers(8, 16)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=4, deadline=None)
@given(
    ny=sizes,
    nx=sizes,
    seed=st.integers(0, 99),
    a=st.floats(-3, 3),
    b=st.floats(-3, 3),
)
def test_linear(name, ny, nx, seed, a, b):
    op = OPERATORS[name][0]
    f = _field(ny, nx, seed)
    g = f.copy(data=_field(ny, nx, seed + 1).values)
    lhs = op(a * f + b * g).values
    rhs = a * op(f).values + b * op(g).values
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", sorted(set(NAMES) - NOT_ZERO_ON_CONSTANTS))
@settings(max_examples=3, deadline=None)
@given(
    ny=sizes,
    nx=sizes,
    value=st.floats(-1e3, 1e3),
)
def test_constant_has_zero_derivative(name, ny, nx, value):
    f = xr.full_like(_field(ny, nx, 0), value)
    np.testing.assert_allclose(OPERATORS[name][0](f).values, 0.0, atol=1e-9 * (1 + abs(value)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_dtype_kept(name, dtype):
    assert OPERATORS[name][0](_field(10, 12, 1, dtype)).dtype == dtype


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=4, deadline=None)
@given(
    ny=sizes,
    nx=sizes,
    seed=st.integers(0, 99),
    iy=st.integers(0, 7),
    ix=st.integers(0, 7),
)
def test_nan_stays_local(name, ny, nx, seed, iy, ix):
    op, half = OPERATORS[name]
    f = _field(ny, nx, seed)
    clean = op(f).values
    f[iy, ix] = np.nan
    dirty = op(f).values
    spoiled = np.argwhere(np.isnan(dirty) & ~np.isnan(clean))
    # One-sided edge stencils reach up to order + accuracy - 1 rows.
    reach = 2 * half + 2
    assert (np.abs(spoiled - [iy, ix]) <= reach).all()


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=4, deadline=None)
@given(
    ny=sizes,
    nx=sizes,
    seed=st.integers(0, 99),
    cy=st.integers(1, 8),
    cx=st.integers(1, 8),
)
def test_chunking_invariant(name, ny, nx, seed, cy, cx):
    op = OPERATORS[name][0]
    f = _field(ny, nx, seed)
    lazy = f.copy(data=dsa.from_array(f.values, chunks=(cy, cx)))
    got = op(lazy)
    assert got.chunks == lazy.chunks
    np.testing.assert_array_equal(got.values, op(f).values)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=2, deadline=None)
@given(seed=st.integers(0, 99))
def test_input_unchanged(name, seed):
    f = _field(10, 12, seed)
    before = copy.deepcopy(f)
    OPERATORS[name][0](f)
    xr.testing.assert_identical(f, before)
    assert f.attrs == before.attrs


# The functions outside the linear table: each leaves its inputs as they were.
OTHERS = {
    "critical_points": lambda f: fieldops.critical_points(f),
    "jacobian_determinant": lambda f: fieldops.jacobian_determinant(_pair(f, 2.0)),
    "strain_rate": lambda f: fieldops.strain_rate(_pair(f, 2.0)),
    "rotation_rate": lambda f: fieldops.rotation_rate(_pair(f, 2.0)),
    "norm": lambda f: fieldops.norm(_pair(f, 2.0)),
    "advection": lambda f: fieldops.advection(f, f, f),
    "deformation": lambda f: fieldops.deformation(f, f),
    "absolute_vorticity": lambda f: fieldops.absolute_vorticity(f, f, coriolis=1e-4),
    "geostrophic_wind": lambda f: fieldops.geostrophic_wind(f, kind="height", coriolis=1e-4),
    "at": lambda f: fieldops.at(f, {"y": [2.0], "x": [1.0]}),
    "detect_geometry": lambda f: fieldops.detect_geometry(f),
    "accessor grad": lambda f: f.fieldops.grad(),
    "Dataset vorticity": lambda f: f.to_dataset(name="u").assign(v=f).fieldops.vorticity(),
}


@pytest.mark.parametrize("name", sorted(OTHERS))
def test_input_unchanged_others(name):
    f = _field(10, 12, 3).assign_attrs(units="m")
    f.x.attrs["units"] = "m"
    f.y.attrs["units"] = "m"  # dims of one unit: the default dims, and terms that add
    before = copy.deepcopy(f)
    OTHERS[name](f)
    xr.testing.assert_identical(f, before)
    assert f.attrs == before.attrs and f.x.attrs == before.x.attrs
    assert f.y.attrs == before.y.attrs
