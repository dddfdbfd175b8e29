"""grad, div, curl and laplacian take geometry=: the sphere's physical forms."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.grids.frame import frame_for
from fieldops.options import How, Where


@pytest.fixture(scope="module")
def sample():
    return fieldops.open_sample().sel(month=1)


def frame_grad(f, lat, lon, **how):
    """(northward, eastward) derivatives straight from the sphere frame."""
    frame = frame_for(f, [lat, lon], Where(geometry="spherical"), How(**how))
    north, east = frame.grad(frame.bare(f))
    comps = xr.concat([north, east], dim="component").assign_coords(component=[lat, lon])
    return comps.transpose("component", *f.dims)


def frame_laplacian(f, lat, lon, **how):
    """The horizontal Laplacian straight from the sphere frame."""
    frame = frame_for(f, [lat, lon], Where(geometry="spherical"), How(**how))
    return frame.laplacian(frame.bare(f)).transpose(*f.dims)


def _wind_vector(ds):
    return xr.concat([ds.v, ds.u], "component").assign_coords(component=["latitude", "longitude"])


def test_grad_on_sphere_equals_spherical_grad(sample):
    z = sample.z.sel(level=500)
    got = fieldops.grad(z, ["latitude", "longitude"], accuracy=4)
    ref = frame_grad(z, "latitude", "longitude", accuracy=4)
    np.testing.assert_array_equal(got.values, ref.values)
    assert got.attrs["units"] == "m s-2"
    assert list(got.component.values) == ["latitude", "longitude"]
    # Asking for (longitude, latitude) orders the components that way.
    swapped = fieldops.grad(z, ["longitude", "latitude"], accuracy=4)
    np.testing.assert_array_equal(
        swapped.sel(component="longitude"), ref.sel(component="longitude")
    )


def test_grad_with_a_vertical_dim(sample):
    z = sample.z
    got = fieldops.grad(z, ["level", "latitude", "longitude"])
    np.testing.assert_array_equal(
        got.sel(component="level").values, fieldops.diff(z, "level").values
    )
    horiz = frame_grad(z, "latitude", "longitude")
    np.testing.assert_array_equal(
        got.sel(component="latitude").values, horiz.sel(component="latitude").values
    )
    assert "units" not in got.attrs  # per metre and per hPa differ


def test_cartesian_and_single_dim_stay_coordinate_derivatives(sample):
    z = sample.z.sel(level=500)
    cart = fieldops.grad(z, ["latitude", "longitude"], geometry="cartesian")
    np.testing.assert_array_equal(cart.sel(component="latitude"), fieldops.diff(z, "latitude"))
    one = fieldops.grad(z, ["longitude"])
    np.testing.assert_array_equal(one.sel(component="longitude"), fieldops.diff(z, "longitude"))
    with pytest.raises(ValueError, match="lack one of them"):
        fieldops.grad(z, ["longitude"], geometry="spherical")


def test_laplacian_on_sphere(sample):
    z = sample.z.sel(level=500)
    got = fieldops.laplacian(z, ["latitude", "longitude"], accuracy=4)
    ref = frame_laplacian(z, "latitude", "longitude", accuracy=4)
    np.testing.assert_array_equal(got.values, ref.values)
    assert got.attrs["units"] == "s-2" and got.name == "del2_z"


def test_div_and_curl_equal_the_kinematics(sample):
    ds = sample.sel(level=500)
    vec = _wind_vector(ds)
    np.testing.assert_array_equal(fieldops.curl(vec).values, fieldops.vorticity(ds.u, ds.v).values)
    np.testing.assert_array_equal(fieldops.div(vec).values, fieldops.divergence(ds.u, ds.v).values)
    comps = {"latitude": "v", "longitude": "u"}
    np.testing.assert_array_equal(
        fieldops.div(ds, components=comps).values, fieldops.divergence(ds.u, ds.v).values
    )
    vec3 = xr.concat([0 * sample.u, sample.v, sample.u], "component").assign_coords(
        component=["level", "latitude", "longitude"]
    )
    with pytest.raises(ValueError, match="3-D curl"):
        fieldops.curl(vec3, ["level", "latitude", "longitude"])


def test_lazy_on_dask(sample, no_compute):
    lazy = sample.chunk({"level": 1, "latitude": 40})
    g = fieldops.grad(lazy.z, ["latitude", "longitude"])
    lap = lazy.fieldops.laplacian(["latitude", "longitude"])
    assert g.chunks[1:] == lazy.z.chunks
    assert lap["del2_z"].chunks == lazy.z.chunks


def test_unknown_geometry(sample):
    with pytest.raises(ValueError, match="unknown geometry"):
        fieldops.grad(sample.z, geometry="flat")


def test_float32_numpy_and_dask_identical_at_the_poles(sample):
    ds = sample.astype("float32")
    eager = fieldops.grad(ds.z, ["latitude", "longitude"])
    lazy = fieldops.grad(ds.z.chunk({"level": 1}), ["latitude", "longitude"])
    np.testing.assert_array_equal(eager.values, lazy.values)
    vort = fieldops.vorticity(ds.u, ds.v)
    vort_lazy = fieldops.vorticity(ds.u.chunk({"level": 1}), ds.v.chunk({"level": 1}))
    np.testing.assert_array_equal(vort.values, vort_lazy.values)
    assert vort.dtype == np.float32
