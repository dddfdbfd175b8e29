"""Reading CF grid mappings: every known mapping, the Earth, and the bad input."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.mappings.crs import KNOWN, find_mapping, read_mapping
from tests.mappings.grids import LCC, PS, ROTATED, R

MAPPINGS = {
    "rotated_latitude_longitude": ROTATED,
    "lambert_conformal_conic": LCC,
    "polar_stereographic": PS,
    "stereographic": {
        "grid_mapping_name": "stereographic",
        "longitude_of_projection_origin": 10.0,
        "latitude_of_projection_origin": 60.0,
        "scale_factor_at_projection_origin": 1.0,
    },
    "mercator": {
        "grid_mapping_name": "mercator",
        "longitude_of_projection_origin": 0.0,
        "standard_parallel": 20.0,
    },
    "transverse_mercator": {
        "grid_mapping_name": "transverse_mercator",
        "longitude_of_central_meridian": 9.0,
        "latitude_of_projection_origin": 0.0,
        "scale_factor_at_central_meridian": 0.9996,
        "false_easting": 500000.0,
    },
    "lambert_azimuthal_equal_area": {
        "grid_mapping_name": "lambert_azimuthal_equal_area",
        "longitude_of_projection_origin": 10.0,
        "latitude_of_projection_origin": 52.0,
    },
    "latitude_longitude": {"grid_mapping_name": "latitude_longitude", "earth_radius": R},
}


def _plane(attrs: dict, *, keep: bool = True, units: str = "m") -> xr.DataArray:
    x = np.linspace(-1e5, 1e5, 5) * (1e-3 if units == "km" else 1.0)
    coords = {"x": ("x", x, {"units": units}), "y": ("y", x + 0.0, {"units": units})}
    if keep:
        coords["crs"] = xr.DataArray(0, attrs=attrs)
    return xr.DataArray(
        np.zeros((5, 5)), dims=("y", "x"), coords=coords, attrs={"grid_mapping": "crs"}
    )


@pytest.mark.parametrize("name", sorted(MAPPINGS))
def test_every_known_mapping_is_read_and_round_trips_through_pyproj(name):
    assert set(MAPPINGS) == set(KNOWN)
    m = read_mapping(xr.DataArray(0, attrs=MAPPINGS[name]), "crs")
    assert (m.name, m.kind) == (name, KNOWN[name])
    if m.kind == "latlon":
        return
    lon, lat = np.array([12.0, 20.0]), np.array([55.0, 61.0])
    x, y = m.from_lonlat(lon, lat)
    back = m.to_lonlat(x, y)
    np.testing.assert_allclose(back, (lon, lat), atol=1e-9)


def test_the_files_earth():
    sphere = read_mapping(xr.DataArray(0, attrs=LCC), "crs")
    assert sphere.radius == R and sphere.axes == (R, R)
    a, inv_f = 6378137.0, 298.257223563
    ell = read_mapping(
        xr.DataArray(0, attrs={**MAPPINGS["mercator"], "semi_major_axis": a,
                               "inverse_flattening": inv_f}), "crs"
    )  # fmt: skip
    b = a * (1 - 1 / inv_f)
    assert ell.axes == (a, pytest.approx(b)) and ell.radius == pytest.approx((2 * a + b) / 3)
    assert ell.radius == pytest.approx(fieldops.EARTH_RADIUS, abs=0.1)  # WGS 84's mean radius
    assert "mean radius" in ell.earth_text()
    none = read_mapping(xr.DataArray(0, attrs=MAPPINGS["mercator"]), "crs")
    assert none.radius is None


def test_the_files_radius_is_the_default_and_a_given_radius_wins():
    da = _plane(LCC)
    assert fieldops.detect_geometry(da).radius == R
    assert fieldops.detect_geometry(da, radius=6.0e6).radius == 6.0e6
    lat = np.linspace(-80.0, 80.0, 9)
    sphere = xr.DataArray(
        np.zeros((9, 8)),
        dims=("lat", "lon"),
        coords={"lat": lat, "lon": np.arange(0.0, 360.0, 45.0),
                "crs": xr.DataArray(0, attrs=MAPPINGS["latitude_longitude"])},
        attrs={"grid_mapping": "crs"},
    )  # fmt: skip
    geo = fieldops.detect_geometry(sphere)
    assert (geo.kind, geo.radius) == ("spherical", R)
    # and the sphere frame uses it: the northward derivative of latitude (radians) is 1/R
    g = fieldops.grad(sphere.copy(data=np.broadcast_to(np.deg2rad(lat)[:, None], (9, 8))))
    np.testing.assert_allclose(g.sel(component="lat").values, 1 / R, rtol=1e-12)


def test_a_missing_mapping_variable_warns_how_to_keep_it():
    with pytest.warns(UserWarning, match=r"decode_coords='all'.*assign_coords\(crs="):
        geo = fieldops.detect_geometry(_plane(LCC, keep=False))
    assert geo.kind == "cartesian"


def test_a_dataset_holds_the_mapping_and_the_extended_form_is_read():
    da = _plane(LCC, keep=False).rename("t")
    ds = da.to_dataset().assign(crs=xr.DataArray(0, attrs=LCC))
    assert fieldops.detect_geometry(ds).kind == "projected"
    ext = _plane(LCC).assign_attrs(grid_mapping="crs: x y")
    assert find_mapping(ext).name == "lambert_conformal_conic"


def test_an_unknown_mapping_is_named_and_the_grid_taken_as_it_is():
    attrs = {"grid_mapping_name": "albers_conical_equal_area", "standard_parallel": [20.0, 50.0]}
    with pytest.warns(UserWarning, match="'albers_conical_equal_area'.*ignored.*plane"):
        geo = fieldops.detect_geometry(_plane(attrs))
    assert geo.kind == "cartesian" and geo.mapping is None


def test_parameters_pyproj_rejects_give_its_message_with_the_variable():
    bad = {**LCC, "standard_parallel": "thirty"}
    with pytest.raises(ValueError, match=r"variable 'crs' \(lambert_conformal_conic\): pyproj"):
        fieldops.detect_geometry(_plane(bad))
    with pytest.raises(ValueError, match="no grid_mapping_name"):
        read_mapping(xr.DataArray(0, attrs={"earth_radius": R}), "crs")


def test_a_netcdf_file_opened_with_decode_coords_all(tmp_path):
    da = _plane(PS).rename("t")
    path = tmp_path / "ps.nc"
    da.to_dataset().to_netcdf(path)
    with xr.open_dataset(path, decode_coords="all") as ds:
        assert "crs" in ds.t.coords
        geo = fieldops.detect_geometry(ds.t)
        assert (geo.kind, geo.mapping.name, geo.radius) == ("projected", "polar_stereographic", R)


def test_fieldops_open_dataset_keeps_the_mapping_as_a_coordinate(tmp_path):
    # as most files have it: the mapping a data variable, named by t's grid_mapping
    ds = _plane(PS, keep=False).rename("t").to_dataset().assign(crs=xr.DataArray(0, attrs=PS))
    path = tmp_path / "ps.nc"
    ds.to_netcdf(path)
    with xr.open_dataset(path) as plain:  # xarray's default: a data variable, lost by ds.t
        assert "crs" in plain.data_vars and "crs" not in plain.t.coords
    ds = fieldops.open_dataset(path, variables=["t"])
    assert "crs" in ds.t.coords
    assert fieldops.detect_geometry(ds.t).mapping.name == "polar_stereographic"
