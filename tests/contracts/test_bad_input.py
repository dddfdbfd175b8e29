"""Hostile input to every public function: a clear error naming the problem and the fix.

``CASES`` is the one table: (id, call, exception type, part of the message). ``WORKS``
holds the valid-but-unusual inputs (datetime and cftime coordinates, int and bool
data, ...) with the result they must give. ``test_sweep`` throws each hostile field
at each operator and accepts only a ValueError or TypeError, never an internal error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import fieldops

NY, NX = 8, 9
RNG = np.random.default_rng(0)


def _da(n=10, x=None, data=None, name="t"):
    x = np.arange(float(n)) if x is None else np.asarray(x)
    data = np.arange(float(x.size)) if data is None else data
    return xr.DataArray(data, dims="x", coords={"x": x}, name=name)


def _f2(y=None, x=None, data=None, name="t"):
    """A 2-D cartesian field on dims (y, x)."""
    y = np.arange(NY) * 1.0 if y is None else np.asarray(y)
    x = np.arange(NX) * 2.0 if x is None else np.asarray(x)
    data = RNG.normal(size=(y.size, x.size)) if data is None else data
    return xr.DataArray(data, dims=("y", "x"), coords={"y": y, "x": x}, name=name)


def _curvilinear():
    j, i = np.meshgrid(np.arange(6.0), np.arange(8.0), indexing="ij")
    coords = {"lat": (("j", "i"), 10 + j + 0.2 * i), "lon": (("j", "i"), i - 0.2 * j)}
    return xr.DataArray(RNG.normal(size=j.shape), dims=("j", "i"), coords=coords)


def _vec3_positive(positive):
    c = np.arange(5.0)
    coords = {"x": c, "y": c, "z": ("z", c, {"positive": positive})}
    data = RNG.normal(size=(3, 5, 5, 5))
    return xr.DataArray(
        data, dims=("component", "x", "y", "z"), coords={**coords, "component": ["x", "y", "z"]}
    )


def _ll(lat=None, lon=None, lat_units="degrees_north", lon_units="degrees_east", name="z"):
    """A field on a small latitude/longitude grid."""
    lat = np.linspace(-60.0, 60.0, 7) if lat is None else np.asarray(lat, float)
    lon = np.arange(12) * 30.0 if lon is None else np.asarray(lon, float)
    return xr.DataArray(
        RNG.normal(size=(lat.size, lon.size)),
        dims=("latitude", "longitude"),
        coords={
            "latitude": ("latitude", lat, {"units": lat_units}),
            "longitude": ("longitude", lon, {"units": lon_units}),
        },
        name=name,
        attrs={"units": "m"},
    )


def _vec(f):
    """A vector field (f, f) whose components point along f's dims."""
    return xr.concat([f, f], dim="component").assign_coords(component=list(f.dims))


def _curvilinear(lat_step=5.0):
    """A field on 2-D latitude/longitude coordinates over logical dims (j, i)."""
    j, i = np.meshgrid(np.arange(NY), np.arange(NX), indexing="ij")
    return xr.DataArray(
        RNG.normal(size=(NY, NX)),
        dims=("j", "i"),
        coords={
            "lat": (("j", "i"), -60 + j * lat_step + i * 0.1, {"units": "degrees_north"}),
            "lon": (("j", "i"), i * 20.0 + j * 0.1, {"units": "degrees_east"}),
        },
        name="t",
    )


_LON_RADIANS = _ll(lon=np.arange(12) * np.pi / 6, lon_units="radians")
_PTS = RNG.uniform(size=(30, 2))
_VALS = _PTS[:, 0] ** 2
_STRINGS = np.full((NY, NX), "a")
_NOMATCH = xr.Dataset({"a": ("z", np.arange(9.0))})


CASES = [
    ("unknown dim", lambda: fieldops.diff(_da(), "y"), ValueError, "'y' not found"),
    ("unknown dim lists dims", lambda: fieldops.diff(_da(), "y"), ValueError, "['x']"),
    ("too few points", lambda: fieldops.diff(_da(4), "x", accuracy=4), ValueError, "at least 5"),
    ("too few points names dim", lambda: fieldops.diff(_da(2), "x"), ValueError, "dim 'x' has 2"),
    (
        "non-monotonic",
        lambda: fieldops.diff(_da(x=[0.0, 1.0, 3.0, 2.0, 4.0]), "x"),
        ValueError,
        "index 3",
    ),
    (
        "repeated coordinate",
        lambda: fieldops.diff(_da(x=[0.0, 1.0, 1.0, 2.0]), "x"),
        ValueError,
        "repeats at index 2",
    ),
    (
        "NaN coordinate",
        lambda: fieldops.diff(_da(x=[0.0, np.nan, 2.0, 3.0]), "x"),
        ValueError,
        "non-finite value at index 1",
    ),
    ("odd accuracy", lambda: fieldops.diff(_da(), "x", accuracy=3), ValueError, "even integer"),
    ("zero accuracy", lambda: fieldops.diff(_da(), "x", accuracy=0), ValueError, "even integer"),
    ("negative accuracy", lambda: fieldops.diff(_da(), "x", accuracy=-2), ValueError, "even"),
    (
        "order zero",
        lambda: fieldops.diff(_da(), "x", 0),
        ValueError,
        "order must be an integer >= 1",
    ),
    ("fractional order", lambda: fieldops.diff(_da(), "x", 1.5), ValueError, "order must be"),
    (
        "unknown boundary",
        lambda: fieldops.diff(_da(), "x", boundary="wrap"),
        ValueError,
        "unknown boundary mode 'wrap'",
    ),
    (
        "boundary dict names other dim",
        lambda: fieldops.diff(_da(), "x", boundary={"y": "fill"}),
        ValueError,
        "not differentiated",
    ),
    (
        "string data",
        lambda: fieldops.diff(_da(data=np.array(list("abcdefghij"))), "x"),
        TypeError,
        "non-numeric dtype",
    ),
    (
        "object data",
        lambda: fieldops.diff(_da(data=np.array([None] * 10, dtype=object)), "x"),
        TypeError,
        "non-numeric",
    ),
    (
        "complex data",
        lambda: fieldops.diff(_da(data=np.ones(10, complex)), "x"),
        TypeError,
        ".real and .imag",
    ),
    (
        "string coordinate",
        lambda: fieldops.diff(_da(x=np.array(list("abcdefghij"))), "x"),
        TypeError,
        "non-numeric dtype",
    ),
    (
        "non-uniform periodic without period",
        lambda: fieldops.diff(_da(x=[0.0, 1.0, 3.0, 4.0, 6.0]), "x", boundary="periodic"),
        ValueError,
        "period=",
    ),
    (
        "period shorter than span",
        lambda: fieldops.diff(_da(), "x", boundary="periodic", period=3),
        ValueError,
        "must exceed",
    ),
    (
        "negative period",
        lambda: fieldops.diff(_da(), "x", boundary="periodic", period=-1),
        ValueError,
        "positive",
    ),
    (
        "datetime unit on numbers",
        lambda: fieldops.diff(_da(), "x", datetime_unit="D"),
        ValueError,
        "not a time",
    ),
    ("not xarray", lambda: fieldops.diff(np.arange(5.0), "x"), TypeError, "DataArray or Dataset"),
    (
        "dataset without the dim",
        lambda: fieldops.diff(xr.Dataset({"a": ("z", np.arange(9.0))}, coords={"x": [1]}), "x"),
        ValueError,
        "no numeric data variable",
    ),
    # --- every operator: empty arrays, size-1 dims, dims shorter than the stencil --------
    ("grad empty", lambda: fieldops.grad(_f2(y=[])), ValueError, "dim 'y' has 0 points"),
    ("laplacian size 1", lambda: fieldops.laplacian(_f2(y=[0.0])), ValueError, "has 1 points"),
    ("hessian 3 points", lambda: fieldops.hessian(_f2(y=[0.0, 1, 2])), ValueError, "at least 4"),
    ("div empty", lambda: fieldops.div(_vec(_f2(y=[]))), ValueError, "dim 'y' has 0 points"),
    ("curl size 1", lambda: fieldops.curl(_vec(_f2(x=[0.0]))), ValueError, "dim 'x' has 1"),
    (
        "jacobian 2 points",
        lambda: fieldops.jacobian(_vec(_f2(y=[0.0, 1]))),
        ValueError,
        "at least 3",
    ),
    (
        "jacobian_determinant size 1",
        lambda: fieldops.jacobian_determinant(_vec(_f2(y=[0.0]))),
        ValueError,
        "dim 'y' has 1 points",
    ),
    (
        "directional empty",
        lambda: fieldops.directional(_f2(x=[]), {"y": 1.0, "x": 1.0}),
        ValueError,
        "dim 'x' has 0 points",
    ),
    (
        "critical_points 2 points",
        lambda: fieldops.critical_points(_f2(y=[0.0, 1])),
        ValueError,
        "'y' has 2",
    ),
    (
        "strain_rate size 1",
        lambda: fieldops.strain_rate(_vec(_f2(y=[0.0]))),
        ValueError,
        "'y' has 1",
    ),
    (
        "rotation_rate empty",
        lambda: fieldops.rotation_rate(_vec(_f2(x=[]))),
        ValueError,
        "'x' has 0",
    ),
    (
        "diffuse 3 points",
        lambda: fieldops.diffuse(_f2(y=[0.0, 1, 2]), 0.1),
        ValueError,
        "'y' has 3",
    ),
    (
        "vorticity size 1",
        lambda: fieldops.vorticity(_f2(y=[0.0]), _f2(y=[0.0])),
        ValueError,
        "'y' has 1",
    ),
    (
        "divergence empty",
        lambda: fieldops.divergence(_f2(x=[]), _f2(x=[])),
        ValueError,
        "'x' has 0",
    ),
    (
        "advection 2 points",
        lambda: fieldops.advection(*[_f2(y=[0.0, 1])] * 3),
        ValueError,
        "'y' has 2",
    ),
    (
        "total_deformation size 1",
        lambda: fieldops.total_deformation(_f2(x=[0.0]), _f2(x=[0.0])),
        ValueError,
        "'x' has 1",
    ),
    (
        "at empty dim",
        lambda: fieldops.at(_f2(y=[]), {"y": [0.0], "x": [0.0]}),
        ValueError,
        "no points",
    ),
    (
        "from_points no points",
        lambda: fieldops.from_points(np.empty((0, 2)), []),
        ValueError,
        "no points",
    ),
    (
        "ScatteredDerivatives no points",
        lambda: fieldops.ScatteredDerivatives().fit(np.empty((0, 2)), []),
        ValueError,
        "no points to fit",
    ),
    # --- 0-d arrays ----------------------------------------------------------------------
    ("grad 0-d", lambda: fieldops.grad(xr.DataArray(1.0)), ValueError, "dims is empty"),
    ("laplacian 0-d", lambda: fieldops.laplacian(xr.DataArray(1.0)), ValueError, "dims is empty"),
    ("hessian 0-d", lambda: fieldops.hessian(xr.DataArray(1.0)), ValueError, "dims is empty"),
    (
        "critical_points 0-d",
        lambda: fieldops.critical_points(xr.DataArray(1.0)),
        ValueError,
        "dims is empty",
    ),
    ("diffuse 0-d", lambda: fieldops.diffuse(xr.DataArray(1.0), 0.1), ValueError, "dims is empty"),
    (
        "vorticity 0-d",
        lambda: fieldops.vorticity(xr.DataArray(1.0), xr.DataArray(1.0)),
        ValueError,
        "need two dims",
    ),
    (
        "detect_geometry 0-d",
        lambda: fieldops.detect_geometry(xr.DataArray(1.0)),
        ValueError,
        "need two dims",
    ),
    (
        "norm 0-d",
        lambda: fieldops.norm(xr.DataArray(1.0, name="v")),
        ValueError,
        "no 'component' dim",
    ),
    ("at 0-d", lambda: fieldops.at(xr.DataArray(1.0), {}), ValueError, "1-D arrays of one length"),
    ("from_points 0-d values", lambda: fieldops.from_points(_PTS, 1.0), ValueError, "shape (30,)"),
    # --- non-monotonic, repeated and NaN coordinates ------------------------------------
    (
        "grad non-monotonic",
        lambda: fieldops.grad(_f2(y=[0.0, 1, 3, 2, 4, 5, 6, 7])),
        ValueError,
        "coordinate 'y' is not strictly monotonic: it reverses direction at index 3",
    ),
    (
        "hessian repeated",
        lambda: fieldops.hessian(_f2(x=[0.0, 1, 1, 2, 3, 4, 5, 6, 7])),
        ValueError,
        "coordinate 'x' is not strictly monotonic: it repeats at index 2",
    ),
    (
        "jacobian NaN coordinate",
        lambda: fieldops.jacobian(_vec(_f2(y=[0.0, np.nan, 2, 3, 4, 5, 6, 7]))),
        ValueError,
        "coordinate 'y' has a non-finite value at index 1",
    ),
    (
        "vorticity non-monotonic",
        lambda: fieldops.vorticity(*[_f2(x=[0.0, 2, 1, 3, 4, 5, 6, 7, 8])] * 2),
        ValueError,
        "coordinate 'x' is not strictly monotonic",
    ),
    (
        "critical_points infinite coordinate",
        lambda: fieldops.critical_points(_f2(y=[0.0, 1, 2, 3, 4, 5, 6, np.inf])),
        ValueError,
        "coordinate 'y' has a non-finite value at index 7",
    ),
    (
        "at non-monotonic",
        lambda: fieldops.at(_f2(y=[0.0, 1, 3, 2, 4, 5, 6, 7]), {"y": [0.5], "x": [0.5]}),
        ValueError,
        "coordinate 'y' is not strictly monotonic",
    ),
    (
        "at repeated",
        lambda: fieldops.at(_f2(y=[0.0, 1, 1, 2, 3, 4, 5, 6]), {"y": [0.5], "x": [0.5]}),
        ValueError,
        "repeats at index 2",
    ),
    (
        "at NaN coordinate",
        lambda: fieldops.at(_f2(x=[0.0, np.nan, *range(2, 9)]), {"y": [0.5], "x": [0.5]}),
        ValueError,
        "coordinate 'x' has a non-finite value at index 1",
    ),
    (
        "at datetime coordinate",
        lambda: fieldops.at(
            _f2(y=pd.date_range("2000", periods=NY, freq="h")), {"y": [0.0], "x": [0.0]}
        ),
        TypeError,
        "coordinate 'y' has dtype datetime64",
    ),
    (
        "from_points repeated points",
        lambda: fieldops.from_points(np.vstack([_PTS, _PTS]), np.r_[_VALS, _VALS + 1]),
        ValueError,
        "repeated coordinates",
    ),
    (
        "from_points NaN point",
        lambda: fieldops.from_points(_PTS * [np.nan, 1], _VALS),
        ValueError,
        "non-finite coordinate (row 0)",
    ),
    # --- integer, bool, complex, object and string data ---------------------------------
    (
        "grad string",
        lambda: fieldops.grad(_f2(data=_STRINGS)),
        TypeError,
        "variable 't' has non-numeric dtype <U1",
    ),
    (
        "div object",
        lambda: fieldops.div(_vec(_f2(data=np.full((NY, NX), None)))),
        TypeError,
        "non-numeric dtype object",
    ),
    (
        "curl complex",
        lambda: fieldops.curl(_vec(_f2(data=np.ones((NY, NX), complex)))),
        TypeError,
        ".real and .imag",
    ),
    (
        "laplacian complex",
        lambda: fieldops.laplacian(_f2(data=np.ones((NY, NX), complex))),
        TypeError,
        "complex",
    ),
    (
        "hessian object",
        lambda: fieldops.hessian(_f2(data=np.full((NY, NX), None))),
        TypeError,
        "non-numeric",
    ),
    (
        "jacobian string",
        lambda: fieldops.jacobian(_vec(_f2(data=_STRINGS))),
        TypeError,
        "non-numeric dtype",
    ),
    (
        "jacobian_determinant complex",
        lambda: fieldops.jacobian_determinant(_vec(_f2(data=np.ones((NY, NX), complex)))),
        TypeError,
        "complex",
    ),
    (
        "directional string",
        lambda: fieldops.directional(_f2(data=_STRINGS), {"x": 1.0}),
        TypeError,
        "non-numeric",
    ),
    (
        "norm string",
        lambda: fieldops.norm(_vec(_f2(data=_STRINGS))),
        TypeError,
        "non-numeric dtype",
    ),
    (
        "norm complex",
        lambda: fieldops.norm(_vec(_f2(data=np.ones((NY, NX), complex)))),
        TypeError,
        ".real and .imag",
    ),
    (
        "critical_points complex",
        lambda: fieldops.critical_points(_f2(data=np.ones((NY, NX), complex))),
        TypeError,
        "complex",
    ),
    (
        "strain_rate object",
        lambda: fieldops.strain_rate(_vec(_f2(data=np.full((NY, NX), None)))),
        TypeError,
        "non-numeric",
    ),
    (
        "rotation_rate string",
        lambda: fieldops.rotation_rate(_vec(_f2(data=_STRINGS))),
        TypeError,
        "non-numeric",
    ),
    ("diffuse string", lambda: fieldops.diffuse(_f2(data=_STRINGS), 0.1), TypeError, "non-numeric"),
    (
        "vorticity string",
        lambda: fieldops.vorticity(_f2(data=_STRINGS), _f2()),
        TypeError,
        "non-numeric",
    ),
    (
        "divergence complex",
        lambda: fieldops.divergence(_f2(), _f2(data=np.ones((NY, NX), complex))),
        TypeError,
        "complex",
    ),
    (
        "deformation object",
        lambda: fieldops.deformation(_f2(data=np.full((NY, NX), None)), _f2()),
        TypeError,
        "non-numeric",
    ),
    (
        "advection string",
        lambda: fieldops.advection(_f2(data=_STRINGS), _f2(), _f2()),
        TypeError,
        "non-numeric",
    ),
    (
        "at string data",
        lambda: fieldops.at(_f2(data=_STRINGS), {"y": [0.5], "x": [0.5]}),
        TypeError,
        "variable 't' has dtype <U1; at() interpolates numbers only",
    ),
    (
        "from_points complex values",
        lambda: fieldops.from_points(_PTS, _VALS + 1j),
        TypeError,
        "complex",
    ),
    (
        "ScatteredDerivatives complex",
        lambda: fieldops.ScatteredDerivatives().fit(_PTS, _VALS + 0j),
        TypeError,
        "complex",
    ),
    (
        "from_points string values",
        lambda: fieldops.from_points(_PTS, np.full(30, "a")),
        ValueError,
        "to float",
    ),
    (
        "string coordinate in grad",
        lambda: fieldops.grad(_f2(x=np.array(list("abcdefghi")))),
        TypeError,
        "non-numeric",
    ),
    # --- a Dataset with no matching variable, mismatched vector components --------------
    (
        "grad Dataset without the dim",
        lambda: fieldops.grad(_NOMATCH, ["x"]),
        ValueError,
        "dim 'x' not found in the Dataset",
    ),
    (
        "hessian Dataset of strings",
        lambda: fieldops.hessian(xr.Dataset({"s": ("x", np.array(list("abcdefghi")))}), "x"),
        ValueError,
        "no numeric data variable of the Dataset has dim(s) ['x']",
    ),
    (
        "grad Dataset of strings",
        lambda: fieldops.grad(xr.Dataset({"s": ("x", np.array(list("abcdefghi")))}), "x"),
        ValueError,
        "no numeric data variable",
    ),
    (
        "critical_points Dataset without the dim",
        lambda: fieldops.critical_points(_NOMATCH, ["x"]),
        ValueError,
        "not found",
    ),
    (
        "diffuse Dataset without the dim",
        lambda: fieldops.diffuse(_NOMATCH, 0.1, dims=["x"]),
        ValueError,
        "not found",
    ),
    (
        "directional Dataset without the dim",
        lambda: fieldops.directional(_NOMATCH, {"x": 1.0}),
        ValueError,
        "'x' not found",
    ),
    (
        "norm Dataset without mapping",
        lambda: fieldops.norm(xr.Dataset({"u": _f2()})),
        ValueError,
        "components={dim: variable}",
    ),
    (
        "vorticity Dataset",
        lambda: fieldops.vorticity(xr.Dataset({"u": _f2()}), _f2()),
        TypeError,
        "ds.fieldops.<method>(u='u', v='v')",
    ),
    (
        "accessor names a missing variable",
        lambda: xr.Dataset({"u": _f2()}).fieldops.vorticity(u="u", v="v"),
        ValueError,
        "variable 'v' not in the Dataset",
    ),
    (
        "vorticity mismatched shapes",
        lambda: fieldops.vorticity(_f2(), _f2(x=np.arange(7.0))),
        ValueError,
        "different grids along dim 'x'",
    ),
    (
        "advection mismatched coordinates",
        lambda: fieldops.advection(_f2(), _f2(), _f2(y=np.arange(NY) * 3.0)),
        ValueError,
        "different grids along dim 'y'",
    ),
    (
        "deformation mismatched dims",
        lambda: fieldops.deformation(_f2(), _f2().rename(x="q")),
        ValueError,
        "dim 'x' not found",
    ),
    (
        "div components on different grids",
        lambda: fieldops.div(
            xr.Dataset(
                {"u": _f2(name="u"), "v": _f2(x=np.arange(NX) + 0.5, name="v").rename(x="xg")}
            ),
            components={"x": "u", "y": "v"},
        ),
        ValueError,
        "different grids",
    ),
    (
        "jacobian labels not dims",
        lambda: fieldops.jacobian(_vec(_f2()).assign_coords(component=[0, 1])),
        ValueError,
        "are not dims of the field",
    ),
    # --- unknown options, non-numbers, negative or zero spacing and sizes ---------------
    (
        "unknown geometry",
        lambda: fieldops.grad(_f2(), geometry="flat"),
        ValueError,
        "unknown geometry 'flat'",
    ),
    (
        "unknown poles",
        lambda: fieldops.laplacian(_ll(), poles="bogus"),
        ValueError,
        "unknown poles policy 'bogus'",
    ),
    (
        "unknown geometry on hessian",
        lambda: fieldops.hessian(_ll(), geometry="globe"),
        ValueError,
        "unknown geometry 'globe'",
    ),
    (
        "jacobian with one horizontal component on a sphere",
        lambda: fieldops.jacobian(
            _ll().expand_dims(component=["latitude"]), ["latitude", "longitude"]
        ),
        ValueError,
        "both horizontal components",
    ),
    (
        "unknown poles on strain_rate",
        lambda: fieldops.strain_rate(
            _ll().expand_dims(component=["latitude", "longitude"]).copy(), poles="edge"
        ),
        ValueError,
        "unknown poles policy 'edge'",
    ),
    (
        "unknown nan_policy on critical_points",
        lambda: fieldops.critical_points(_f2(), nan_policy="skip"),
        ValueError,
        "unknown nan_policy 'skip'",
    ),
    (
        "unknown method on vorticity",
        lambda: fieldops.vorticity(_ll(), _ll(), method="magic"),
        ValueError,
        "unknown method 'magic'",
    ),
    (
        "diffuse on a curvilinear grid",
        lambda: fieldops.diffuse(_curvilinear(), 1.0),
        ValueError,
        "geometry='cartesian'",
    ),
    (
        "curvilinear geometry on a regular grid",
        lambda: fieldops.vorticity(_ll(), _ll(), geometry="curvilinear"),
        ValueError,
        "no 2-D latitude/longitude",
    ),
    (
        "bad positive attribute",
        lambda: fieldops.curl(_vec3_positive("sideways"), ["x", "y", "z"]),
        ValueError,
        "positive='sideways'",
    ),
    (
        "unknown method",
        lambda: fieldops.diff(_f2(), "x", method="magic"),
        ValueError,
        "unknown method 'magic' for dim 'x'",
    ),
    (
        "unknown nan_policy",
        lambda: fieldops.diff(_f2(), "x", nan_policy="ignore"),
        ValueError,
        "unknown nan_policy 'ignore'",
    ),
    (
        "unknown kind",
        lambda: fieldops.geostrophic_wind(_ll(), kind="pressure"),
        ValueError,
        "unknown kind 'pressure'",
    ),
    (
        "unknown kernel",
        lambda: fieldops.from_points(_PTS, _VALS, kernel="gauss"),
        ValueError,
        "unknown kernel 'gauss'",
    ),
    (
        "unknown at method",
        lambda: fieldops.at(_f2(), {"x": [1.0], "y": [1.0]}, method="spline"),
        ValueError,
        "unknown method 'spline'",
    ),
    (
        "detect_geometry unknown",
        lambda: fieldops.detect_geometry(_f2(), "globe"),
        ValueError,
        "unknown geometry 'globe'",
    ),
    (
        "boundary not a string",
        lambda: fieldops.grad(_f2(), boundary=3),
        ValueError,
        "unknown boundary mode 3",
    ),
    (
        "accuracy as a string",
        lambda: fieldops.hessian(_f2(), accuracy="2"),
        ValueError,
        "even integer",
    ),
    (
        "fill_value not a number",
        lambda: fieldops.diff(_f2(), "x", boundary="fill", fill_value="a"),
        TypeError,
        "fill_value must be a number, got 'a'",
    ),
    (
        "mask not boolean",
        lambda: fieldops.diff(_f2(), "x", nan_policy="omit", mask=_f2()),
        TypeError,
        "mask must be a boolean",
    ),
    (
        "mask on other dims",
        lambda: fieldops.diff(_f2(), "x", nan_policy="omit", mask=xr.DataArray([True], dims="q")),
        ValueError,
        "mask has dim(s) ['q']",
    ),
    (
        "mask with the data's sizes but other labels",
        lambda: fieldops.diff(_da(), "x", mask=_da().astype(bool).assign_coords(x=_da().x + 0.5)),
        ValueError,
        "the mask's labels along 'x' are not the data's",
    ),
    (
        "accuracy beyond what float64 delivers",
        lambda: fieldops.diff(_da(100), "x", accuracy=22),
        ValueError,
        "even integer from 2 to 20",
    ),
    (
        "2 points: no lower accuracy to use",
        lambda: fieldops.diff(_da(2), "x"),
        ValueError,
        "needs at least 3 points even at the lowest accuracy (2)",
    ),
    (
        "too few points: the accuracy that fits",
        lambda: fieldops.diff(_da(4), "x", accuracy=6),
        ValueError,
        "use accuracy=2 (the most 4 points allow)",
    ),
    (
        "non-monotonic dates are quoted as dates",
        lambda: fieldops.diff(
            _da(x=pd.date_range("2000-01-01", periods=5, freq="D")[[0, 1, 3, 2, 4]]), "x"
        ),
        ValueError,
        "(value 2000-01-03T00:00:00",
    ),
    (
        "non-monotonic latitude is quoted in degrees",
        lambda: fieldops.grad(_ll(lat=[-60.0, -30.0, 0.0, 30.0, 20.0, 60.0])),
        ValueError,
        "(value 20.0 after 30.0)",
    ),
    (
        "int64 coordinate that float64 cannot tell apart",
        lambda: fieldops.diff(_da(x=np.array([0, 2**60, 2**60 + 1, 2**60 + 2], np.int64)), "x"),
        ValueError,
        "index 2 (1152921504606846977) cannot be told from index 1",
    ),
    (
        "Dask chunks of unknown size",
        lambda: fieldops.diff(
            xr.DataArray(_da().chunk(x=4).data[_da().chunk(x=4).data > -1], dims="x"), "x"
        ),
        ValueError,
        "unknown Dask chunk sizes",
    ),
    (
        "zero period",
        lambda: fieldops.diff(_f2(), "x", boundary="periodic", period=0),
        ValueError,
        "period of dim 'x' must be a positive number",
    ),
    (
        "NaN period",
        lambda: fieldops.diff(_f2(), "x", boundary="periodic", period=np.nan),
        ValueError,
        "positive number, got nan",
    ),
    (
        "zero sigma",
        lambda: fieldops.diff(_f2(), "x", method="gaussian", sigma=0),
        ValueError,
        "sigma of dim 'x' must be a positive",
    ),
    (
        "negative window",
        lambda: fieldops.diff(_f2(), "x", method="savgol", window="-3 points"),
        ValueError,
        "window of dim 'x' must be a positive",
    ),
    (
        "zero spacing (constant coordinate)",
        lambda: fieldops.laplacian(_f2(y=np.zeros(NY))),
        ValueError,
        "repeats at index 1",
    ),
    (
        "negative radius",
        lambda: fieldops.grad(_ll(), radius=-1.0),
        ValueError,
        "radius must be a positive number of metres",
    ),
    (
        "zero radius",
        lambda: fieldops.vorticity(_ll(), _ll(), radius=0.0),
        ValueError,
        "radius must be a positive",
    ),
    ("NaN radius", lambda: fieldops.detect_geometry(_ll(), radius=np.nan), ValueError, "got nan"),
    (
        "negative alpha",
        lambda: fieldops.diffuse(_f2(), -0.1),
        ValueError,
        "alpha must be a finite number >= 0",
    ),
    (
        "zero steps",
        lambda: fieldops.diffuse(_f2(), 0.1, steps=0),
        ValueError,
        "steps must be an integer >= 1",
    ),
    ("fractional steps", lambda: fieldops.diffuse(_f2(), 0.1, steps=1.5), ValueError, "got 1.5"),
    (
        "negative rtol",
        lambda: fieldops.critical_points(_f2(), rtol=-1.0),
        ValueError,
        "rtol must be a number >= 0",
    ),
    (
        "NaN tol",
        lambda: fieldops.critical_points(_f2(), tol=np.nan),
        ValueError,
        "tol must be a number >= 0",
    ),
    (
        "negative min_latitude",
        lambda: fieldops.geostrophic_wind(_ll(), min_latitude=-5.0),
        ValueError,
        "min_latitude must be >= 0",
    ),
    (
        "Coriolis as a string",
        lambda: fieldops.absolute_vorticity(_f2(), _f2(), coriolis="f"),
        ValueError,
        "to float",
    ),
    (
        "from_points shape 1",
        lambda: fieldops.from_points(_PTS, _VALS, shape=1),
        ValueError,
        "shape must be one int >= 2",
    ),
    (
        "from_points negative smoothing",
        lambda: fieldops.from_points(_PTS, _VALS, smoothing=-1.0),
        ValueError,
        "smoothing must be a number >= 0",
    ),
    (
        "from_points negative max_distance",
        lambda: fieldops.from_points(_PTS, _VALS, max_distance=-1.0),
        ValueError,
        "max_distance must be positive",
    ),
    (
        "from_points too few points",
        lambda: fieldops.from_points(_PTS[:1], _VALS[:1]),
        ValueError,
        "too few",
    ),
    (
        "ScatteredDerivatives degree string",
        lambda: fieldops.ScatteredDerivatives(degree="2"),
        ValueError,
        "degree must be an integer",
    ),
    (
        "ScatteredDerivatives used unfitted",
        lambda: fieldops.ScatteredDerivatives().gradient(),
        ValueError,
        "call .fit(points, values)",
    ),
    ("set_num_threads 0", lambda: fieldops.set_num_threads(0), ValueError, "at least 1"),
    (
        "geostrophic_wind without Coriolis",
        lambda: fieldops.geostrophic_wind(_f2(), kind="height"),
        ValueError,
        "pass coriolis=",
    ),
    (
        "absolute_vorticity without latitude",
        lambda: fieldops.absolute_vorticity(_f2(), _f2()),
        ValueError,
        "needs the Coriolis parameter",
    ),
    (
        "geostrophic_wind of unknown units",
        lambda: fieldops.geostrophic_wind(_ll().assign_attrs(units="K")),
        ValueError,
        "geopotential or a height",
    ),
    # --- latitude outside [-90, 90], longitude (or latitude) not in degrees -------------
    (
        "latitude beyond 90",
        lambda: fieldops.grad(_ll(lat=np.linspace(-100, 100, 7))),
        ValueError,
        "beyond +-90 degrees (max |lat| = 100.0)",
    ),
    (
        "latitude beyond 90 in vorticity",
        lambda: fieldops.vorticity(*[_ll(lat=[-95.0, 0, 95])] * 2),
        ValueError,
        "is it in radians?",
    ),
    (
        "latitude beyond 90 in detect_geometry",
        lambda: fieldops.detect_geometry(_ll(lat=[0.0, 91, 92])),
        ValueError,
        "beyond +-90",
    ),
    (
        "longitude in radians",
        lambda: fieldops.grad(_LON_RADIANS),
        ValueError,
        "longitude coordinate 'longitude' has units 'radians'",
    ),
    (
        "longitude in radians in div",
        lambda: fieldops.div(_vec(_LON_RADIANS)),
        ValueError,
        "np.rad2deg",
    ),
    (
        "longitude in radians in vorticity",
        lambda: fieldops.vorticity(_LON_RADIANS, _LON_RADIANS),
        ValueError,
        "degrees_east",
    ),
    (
        "latitude in radians",
        lambda: fieldops.laplacian(_ll(lat=np.linspace(-1, 1, 7), lat_units="rad")),
        ValueError,
        "latitude coordinate 'latitude' has units 'rad'",
    ),
    (
        "radians in detect_geometry",
        lambda: fieldops.detect_geometry(_LON_RADIANS),
        ValueError,
        "geometry='cartesian'",
    ),
    (
        "curvilinear latitude beyond 90",
        lambda: fieldops.grad(_curvilinear(lat_step=30.0)),
        ValueError,
        "latitude coordinate 'lat' has values beyond +-90 degrees",
    ),
    # --- not xarray at all ----------------------------------------------------------------
    ("grad numpy", lambda: fieldops.grad(np.ones((5, 5))), TypeError, "wrap numpy data"),
    (
        "vorticity numpy",
        lambda: fieldops.vorticity(np.ones((5, 5)), np.ones((5, 5))),
        TypeError,
        "DataArray or Dataset",
    ),
    ("at numpy", lambda: fieldops.at(np.ones(3), [1.0]), TypeError, "DataArray or Dataset"),
    (
        "detect_geometry numpy",
        lambda: fieldops.detect_geometry(np.ones(3)),
        TypeError,
        "DataArray or Dataset",
    ),
    # --- files: open_dataset, write, process (run in a folder with these files) ----------
    (
        "open_dataset missing",
        lambda: fieldops.open_dataset("nope.nc"),
        FileNotFoundError,
        "no such file or store",
    ),
    ("open_dataset empty file", lambda: fieldops.open_dataset("empty.nc"), OSError, "empty.nc"),
    (
        "open_dataset truncated",
        lambda: fieldops.open_dataset("truncated.nc"),
        OSError,
        "truncated.nc",
    ),
    ("open_dataset not netCDF", lambda: fieldops.open_dataset("text.nc"), OSError, "text.nc"),
    (
        "open_dataset no paths",
        lambda: fieldops.open_dataset([]),
        ValueError,
        "no input paths given",
    ),
    (
        "open_dataset int path",
        lambda: fieldops.open_dataset(3),
        TypeError,
        "paths must be a path or a list of paths, got int",
    ),
    (
        "open_dataset unknown variable",
        lambda: fieldops.open_dataset("good.nc", variables=["q"]),
        ValueError,
        "variable(s) ['q'] not in",
    ),
    (
        "open_dataset unknown dim",
        lambda: fieldops.open_dataset("good.nc", dims=["q"]),
        ValueError,
        "dim(s) ['q'] not in",
    ),
    (
        "open_dataset negative chunk bytes",
        lambda: fieldops.open_dataset("good.nc", target_chunk_bytes=-1),
        ValueError,
        "must be positive",
    ),
    (
        "write unnamed DataArray",
        lambda: fieldops.write(xr.DataArray([1.0]), "a.nc"),
        ValueError,
        "needs a name",
    ),
    (
        "write unknown format",
        lambda: fieldops.write(_f2().to_dataset(), "a.nc", format="csv"),
        ValueError,
        "format must be 'netcdf' or 'zarr'",
    ),
    (
        "write numpy",
        lambda: fieldops.write(np.ones(3), "a.nc"),
        TypeError,
        "write takes a Dataset or a DataArray",
    ),
    (
        "write into a missing folder",
        lambda: fieldops.write(_f2().to_dataset(), "no/a.nc"),
        FileNotFoundError,
        "does not exist",
    ),
    (
        "write over a file",
        lambda: fieldops.write(_f2().to_dataset(), "good.nc"),
        FileExistsError,
        "overwrite=True",
    ),
    (
        "process operator not callable",
        lambda: fieldops.process("good.nc", "diff", output="p.nc"),
        TypeError,
        "operator must be callable",
    ),
    (
        "process operator returns a number",
        lambda: fieldops.process("good.nc", lambda ds: 3, output="p.nc"),
        TypeError,
        "must return a Dataset or DataArray",
    ),
    (
        "process corrupt input",
        lambda: fieldops.process("truncated.nc", lambda ds: ds, output="p.nc"),
        OSError,
        "truncated.nc",
    ),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A folder with a good, an empty, a truncated and a not-netCDF file."""
    folder = tmp_path_factory.mktemp("files")
    xr.Dataset({"u": _f2()}).to_netcdf(folder / "good.nc")
    data = (folder / "good.nc").read_bytes()
    (folder / "empty.nc").write_bytes(b"")
    (folder / "truncated.nc").write_bytes(data[: len(data) // 2])
    (folder / "text.nc").write_text("this is not netCDF")
    return folder


LEAKS = (IndexError, KeyError, AttributeError, ZeroDivisionError)


@pytest.mark.parametrize(
    ("call", "exc", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(call, exc, message, files, monkeypatch):
    monkeypatch.chdir(files)
    before = sorted(p.name for p in files.iterdir())
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)
    assert not isinstance(info.value, LEAKS)
    assert "numba" not in str(info.value).lower()
    assert sorted(p.name for p in files.iterdir()) == before  # nothing written


# --- valid but unusual: each works and gives a value that is checked --------------------

_HOURS = pd.date_range("2000-01-01", periods=NY, freq="h")
_CF_HOURS = xr.date_range("2000-01-01", periods=NY, freq="h", calendar="noleap", use_cftime=True)


def _ramp(y, data=None):
    """3 units per step along y, constant along x."""
    data = np.repeat(np.arange(NY)[:, None] * 3.0, NX, axis=1) if data is None else data
    return _f2(y=y, data=data)


def _is(value):
    return lambda got: np.testing.assert_allclose(np.asarray(got), value, rtol=1e-12, atol=1e-15)


_BIG_ENDIAN = _f2(data=RNG.normal(size=(NY, NX)).astype(">f4"))
_BIG_ENDIAN_GAP = _BIG_ENDIAN.copy(data=_BIG_ENDIAN.values.copy())
_BIG_ENDIAN_GAP.values[4, 6] = np.nan


def _is_float32(value):
    def check(got):
        assert got.dtype == np.float32, got.dtype
        np.testing.assert_allclose(got[np.isfinite(got)], value, atol=1e-6)
        assert np.isfinite(got).sum() >= got.size - 3  # NaN only at the gap

    return check


def _is_float64(value):
    def check(got):
        assert got.dtype == np.float64, got.dtype
        _is(value)(got)

    return check


_NS = np.int64(1_700_000_000_000_000_000) + 3 * np.arange(10, dtype=np.int64)


WORKS = [
    (
        "big-endian coordinate",
        lambda: fieldops.diff(_da(x=np.arange(10, dtype=">f8"), data=np.arange(10.0) ** 2), "x"),
        lambda got: np.testing.assert_allclose(
            got, np.gradient(np.arange(10.0) ** 2, edge_order=2)
        ),
    ),
    # epoch nanoseconds: float64(1.7e18) alone is 256 ns coarse, the spacing here is 3 ns
    (
        "int64 nanoseconds",
        lambda: fieldops.diff(_da(x=_NS, data=2.0 * np.arange(10)), "x"),
        _is(2 / 3),
    ),
    # datetime and cftime coordinates: per second by default, datetime_unit= otherwise
    ("datetime coordinate", lambda: fieldops.diff(_ramp(_HOURS), "y"), _is(3.0 / 3600)),
    ("datetime in hours", lambda: fieldops.diff(_ramp(_HOURS), "y", datetime_unit="h"), _is(3.0)),
    ("cftime coordinate", lambda: fieldops.diff(_ramp(_CF_HOURS), "y"), _is(3.0 / 3600)),
    (
        "cftime grad",
        lambda: fieldops.grad(_ramp(_CF_HOURS), ["y", "x"], datetime_unit="h").sel(component="y"),
        _is(3.0),
    ),
    ("cftime laplacian", lambda: fieldops.laplacian(_ramp(_CF_HOURS), "y"), _is(0.0)),
    # integer and bool data become float64
    (
        "int data",
        lambda: fieldops.diff(_ramp(None, np.repeat(np.arange(NY)[:, None] * 3, NX, 1)), "y"),
        _is_float64(3.0),
    ),
    ("int data grad", lambda: fieldops.grad(_f2(data=np.ones((NY, NX), int))), _is_float64(0.0)),
    (
        "bool data",
        lambda: fieldops.diff(_da(5, data=np.array([False, False, True, True, True])), "x"),
        _is_float64([-0.5, 0.5, 0.5, 0.0, 0.0]),  # one-sided at the edges
    ),
    (
        "int8 data",
        lambda: fieldops.diff(_da(4, data=np.arange(4, dtype=np.int8) * 30), "x"),
        _is_float64(30.0),
    ),
    ("descending coordinate", lambda: fieldops.diff(_da(x=np.arange(9.0)[::-1]), "x"), _is(-1.0)),
    # big-endian data (netCDF3 files): float32 stays float32, NaN gaps work
    (
        "big-endian float32",
        lambda: fieldops.laplacian(_BIG_ENDIAN) - fieldops.laplacian(_BIG_ENDIAN.astype("=f4")),
        _is_float32(0.0),
    ),
    (
        "big-endian float32, nan_policy='omit'",
        lambda: (
            fieldops.diff(_BIG_ENDIAN_GAP, "y", nan_policy="omit")
            - fieldops.diff(_BIG_ENDIAN_GAP.astype("=f4"), "y", nan_policy="omit")
        ),
        _is_float32(0.0),
    ),
    (
        "big-endian float64, nan_policy='omit'",
        lambda: fieldops.diff(_BIG_ENDIAN_GAP.astype(">f8"), "y", nan_policy="omit").isel(y=3, x=3),
        lambda got: np.testing.assert_array_equal(np.isfinite(got), True),
    ),
    (
        "big-endian float32 on Dask, nan_policy='omit'",
        lambda: (
            fieldops.diff(_BIG_ENDIAN_GAP.chunk(y=3), "y", nan_policy="omit").compute()
            - fieldops.diff(_BIG_ENDIAN_GAP.astype("=f4"), "y", nan_policy="omit")
        ),
        _is_float32(0.0),
    ),
    (
        "no coordinate: unit spacing",
        lambda: fieldops.diff(_ramp(None).drop_vars("y"), "y"),
        _is(3.0),
    ),
    ("1-D grad", lambda: fieldops.grad(_da(), "x").squeeze("component"), _is(1.0)),
    ("1-D laplacian", lambda: fieldops.laplacian(_da(data=np.arange(10.0) ** 2)), _is(2.0)),
    ("1-D div", lambda: fieldops.div(_da().expand_dims(component=["x"])), _is(1.0)),
    ("1-D directional", lambda: fieldops.directional(_da(), {"x": -2.0}), _is(-1.0)),
    # a longitude in degrees: the eastward derivative of the longitude itself is 1 / (R cos φ)
    (
        "grad on the sphere",
        lambda: (
            fieldops.grad(_ll().copy(data=np.broadcast_to(np.arange(12) * 30.0, (7, 12))))
            .sel(component="longitude", latitude=60.0)
            .isel(longitude=slice(1, -1))
        ),
        _is(180 / np.pi / (fieldops.EARTH_RADIUS * 0.5)),
    ),
    # NaN is never skipped: a NaN component or gradient gives NaN, not a smaller number
    (
        "norm of a NaN component",
        lambda: fieldops.norm(_vec(_f2()).where(lambda v: v.component == "x")).isel(y=3, x=3),
        _is(np.nan),
    ),
    (
        "directional next to a NaN",
        lambda: fieldops.directional(_f2().where(lambda f: f.y != 3), {"y": 1.0, "x": 1.0}).isel(
            y=[2, 4], x=4
        ),
        _is(np.nan),
    ),
    (
        "directional along a zero vector",
        lambda: fieldops.directional(_f2(), {"y": 0.0, "x": 0.0}),
        _is(np.nan),
    ),
    ("at with no points", lambda: fieldops.at(_f2(), np.empty((0, 2))).sizes["points"], _is(0)),
    (
        "at a descending coordinate",
        lambda: fieldops.at(_da(x=np.arange(9.0)[::-1]), [2.5]),
        _is(5.5),
    ),
    ("at outside the grid", lambda: fieldops.at(_da(), [20.0]), _is(np.nan)),
    (
        "set_num_threads as text",
        lambda: (fieldops.set_num_threads("1"), fieldops.get_num_threads())[1],
        _is(1),
    ),
]


@pytest.mark.parametrize(("call", "check"), [c[1:] for c in WORKS], ids=[c[0] for c in WORKS])
def test_works(call, check):
    with np.errstate(all="ignore"):
        got = call()
    check(getattr(got, "values", got))


# --- the sweep: every operator against every hostile field ------------------------------

HOSTILE = {
    "empty": lambda: _f2(y=[]),
    "size 1": lambda: _f2(x=[0.0]),
    "2 points": lambda: _f2(y=[0.0, 1.0]),
    "non-monotonic": lambda: _f2(y=[0.0, 1, 3, 2, 4, 5, 6, 7]),
    "repeated": lambda: _f2(x=[0.0, 1, 2, 2, 3, 4, 5, 6, 7]),
    "NaN coordinate": lambda: _f2(y=[0.0, 1, 2, np.nan, 4, 5, 6, 7]),
    "string data": lambda: _f2(data=_STRINGS),
    "object data": lambda: _f2(data=np.full((NY, NX), None)),
    "complex data": lambda: _f2(data=np.ones((NY, NX), complex)),
    "0-d": lambda: xr.DataArray(1.0, name="t"),
    "latitude beyond 90": lambda: _ll(lat=[-100.0, -50, 0, 50, 100]),
    "longitude in radians": lambda: _LON_RADIANS,
}


def _diff_all(f):
    for d in f.dims or ["x"]:
        f = fieldops.diff(f, d)
    return f


def _vector(f):
    return f.expand_dims(component=list(f.dims) or ["x"]).copy()


OPS = {
    "diff": lambda f: _diff_all(f),
    "grad": fieldops.grad,
    "laplacian": fieldops.laplacian,
    "hessian": fieldops.hessian,
    "div": lambda f: fieldops.div(_vector(f)),
    "curl": lambda f: fieldops.curl(_vector(f)),
    "jacobian": lambda f: fieldops.jacobian(_vector(f)),
    "jacobian_determinant": lambda f: fieldops.jacobian_determinant(_vector(f)),
    "directional": lambda f: fieldops.directional(f, {d: 1.0 for d in f.dims} or {"x": 1.0}),
    "critical_points": fieldops.critical_points,
    "strain_rate": lambda f: fieldops.strain_rate(_vector(f)),
    "rotation_rate": lambda f: fieldops.rotation_rate(_vector(f)),
    "diffuse": lambda f: fieldops.diffuse(f, 0.01),
    "vorticity": lambda f: fieldops.vorticity(f, f),
    "divergence": lambda f: fieldops.divergence(f, f),
    "deformation": lambda f: fieldops.deformation(f, f),
    "advection": lambda f: fieldops.advection(f, f, f),
    "absolute_vorticity": lambda f: fieldops.absolute_vorticity(f, f, coriolis=1e-4),
    "geostrophic_wind": lambda f: fieldops.geostrophic_wind(f, kind="height", coriolis=1e-4),
    "at": lambda f: fieldops.at(f, {d: [0.0] for d in f.dims} or {"x": [0.0]}),
}

# Hostile fields some operators accept on purpose: a plain coordinate derivative does
# not care whether a coordinate named latitude is beyond 90 degrees or in radians (only
# the operators that take the physical form on a sphere do), and interpolation does not
# look at the stencil's length.
ACCEPTED = {
    (h, op) for h in ("latitude beyond 90", "longitude in radians") for op in ("diff", "at")
}
ACCEPTED |= {(h, "at") for h in ("size 1", "2 points", "complex data")}


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
@pytest.mark.parametrize("op", sorted(OPS))
def test_sweep(op, hostile):
    """Each operator gives a ValueError or TypeError, never an internal error."""
    if (hostile, op) in ACCEPTED:
        out = OPS[op](HOSTILE[hostile]())
        assert out.size > 0
        return
    with pytest.raises((ValueError, TypeError)) as info:
        OPS[op](HOSTILE[hostile]())
    assert type(info.value).__module__ == "builtins", repr(info.value)  # not xarray's nor numpy's
    message = str(info.value)
    assert "numba" not in message.lower()
    assert any(
        word in message for word in ("'x'", "'y'", "'t'", "'latitude'", "'longitude'", "dims")
    ), message
