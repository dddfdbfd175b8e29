"""extrema: analytic highs and lows, the seam, poles, plateaus, thresholds, other dims."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.dynamics.extrema import extrema


def _plane(x, y, data):
    return xr.DataArray(data, dims=("y", "x"), coords={"y": y, "x": x}, attrs={"units": "hPa"})


def _bump(X, Y, x0, y0, width, amplitude):
    return amplitude * np.exp(-(((X - x0) / width) ** 2) - ((Y - y0) / width) ** 2)


def test_analytic_highs_and_lows_within_a_tenth_of_a_cell():
    x = np.linspace(0.0, 10.0, 101)  # cells of 0.1
    y = np.linspace(0.0, 8.0, 81)
    X, Y = np.meshgrid(x, y)
    centres = [(2.337, 3.121, 1.0, 0.6), (7.052, 5.478, 0.8, -0.5), (5.519, 1.773, 0.7, 0.4)]
    data = 1000 + sum(_bump(X, Y, cx, cy, w, a) for cx, cy, w, a in centres)
    table = extrema(_plane(x, y, data), kind="both")
    assert sorted(table.kind.values.tolist()) == ["max", "max", "min"]
    for cx, cy, _, a in centres:
        near = int(np.argmin(np.hypot(table.x - cx, table.y - cy).values))
        assert abs(float(table.x[near]) - cx) < 0.01 and abs(float(table.y[near]) - cy) < 0.01
        assert table.kind.values[near] == ("max" if a > 0 else "min")
        assert float(table.value[near]) == pytest.approx(1000 + a, abs=2e-3)
    assert table.value.attrs["units"] == "hPa"
    frame = table.to_dataframe()
    assert list(frame.columns) == ["y", "x", "value", "kind"]


def _sphere(lat, lon, data):
    coords = {
        "latitude": ("latitude", lat, {"units": "degrees_north"}),
        "longitude": ("longitude", lon, {"units": "degrees_east"}),
    }
    return xr.DataArray(data, dims=("latitude", "longitude"), coords=coords)


def _great_circle(lat, lon, lat0, lon0):
    p, q = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    p0, q0 = np.deg2rad(lat0), np.deg2rad(lon0)
    return np.arccos(
        np.clip(np.sin(p) * np.sin(p0) + np.cos(p) * np.cos(p0) * np.cos(q - q0), -1, 1)
    )


@pytest.mark.parametrize("lon0", [359.3, 0.6, 180.2])
def test_a_high_on_the_seam_is_found_once(lon0):
    lat, lon = np.linspace(-90, 90, 121), np.arange(0, 360, 1.5)
    data = np.exp(-((_great_circle(lat, lon, 40.3, lon0) / 0.15) ** 2))
    table = extrema(_sphere(lat, lon, data), kind="max")
    assert table.sizes["extremum"] == 1
    assert float(table.latitude[0]) == pytest.approx(40.3, abs=0.15)
    gap = (float(table.longitude[0]) - lon0 + 180) % 360 - 180
    assert abs(gap) < 0.15 and 0 <= float(table.longitude[0]) < 360


@pytest.mark.parametrize("lat", [np.linspace(-90, 90, 121), np.arange(-89.25, 90, 1.5)])
def test_poles_give_one_extremum_each(lat):
    lon = np.arange(-180, 180, 1.5)
    table = extrema(_sphere(lat, lon, np.sin(np.deg2rad(lat))[:, None] + 0 * lon))
    assert table.sizes["extremum"] == 2
    by_kind = dict(zip(table.kind.values.tolist(), table.latitude.values.tolist(), strict=True))
    assert by_kind == {"max": 90.0, "min": -90.0}


def test_a_high_next_to_the_pole_sees_across_it():
    lat, lon = np.linspace(-90, 90, 121), np.arange(0, 360, 1.5)
    data = np.exp(-((_great_circle(lat, lon, 88.2, 30.0) / 0.05) ** 2))
    table = extrema(_sphere(lat, lon, data), kind="max")
    assert table.sizes["extremum"] == 1
    assert float(table.latitude[0]) == pytest.approx(88.2, abs=0.15)


def test_plateau_is_one_extremum_at_its_centre():
    x, y = np.arange(20.0), np.arange(15.0)
    X, Y = np.meshgrid(x, y)
    data = np.minimum(_bump(X, Y, 9.0, 7.0, 4.0, 2.0), 1.5)  # a flat top
    table = extrema(_plane(x, y, data), kind="max")
    assert table.sizes["extremum"] == 1
    assert float(table.x[0]) == pytest.approx(9.0) and float(table.y[0]) == pytest.approx(7.0)
    assert float(table.value[0]) == pytest.approx(1.5)


def test_constant_field_has_none_and_threshold_drops_shallow_ones():
    x = np.arange(30.0)
    flat = extrema(_plane(x, x, np.ones((30, 30))))
    assert flat.sizes["extremum"] == 0
    X, Y = np.meshgrid(x, x)
    data = _bump(X, Y, 8, 8, 3, 1.0) + _bump(X, Y, 22, 20, 3, 0.05)
    assert extrema(_plane(x, x, data), kind="max").sizes["extremum"] == 2
    deep = extrema(_plane(x, x, data), kind="max", threshold=0.1)
    assert deep.sizes["extremum"] == 1 and float(deep.x[0]) == pytest.approx(8, abs=0.1)


def test_other_dims_are_columns():
    x = np.arange(25.0)
    X, Y = np.meshgrid(x, x)
    frames = [_bump(X, Y, 5 + 10 * k, 12.4, 3, 1.0) for k in range(2)]
    t = np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[ns]")
    da = xr.DataArray(np.stack(frames), dims=("time", "y", "x"), coords={"time": t, "y": x, "x": x})
    table = extrema(da, ["y", "x"], kind="max")
    np.testing.assert_array_equal(table.time.values, t)
    np.testing.assert_allclose(table.x, [5, 15], atol=0.1)
    np.testing.assert_allclose(table.y, [12.4, 12.4], atol=0.1)


def test_sample_highest_high_is_the_grid_maximum():
    z = fieldops.open_sample().z.isel(month=0).sel(level=500)
    table = extrema(z, kind="max", footprint=5)
    top = table.isel(extremum=int(np.argmax(table.value.values)))
    at = z.where(z == z.max(), drop=True)
    assert float(top.value) >= float(z.max())
    assert abs(float(top.latitude) - float(at.latitude[0])) <= 1.5


def test_dask_input_gives_the_same_table():
    x = np.arange(25.0)
    X, Y = np.meshgrid(x, x)
    da = _plane(x, x, _bump(X, Y, 7.3, 12.6, 3, 1.0) - _bump(X, Y, 17.1, 5.2, 3, 1.0))
    xr.testing.assert_identical(extrema(da.chunk(10)), extrema(da))


def test_bad_input():
    da = _plane(np.arange(5.0), np.arange(5.0), np.zeros((5, 5)))
    with pytest.raises(ValueError, match="unknown kind"):
        extrema(da, kind="peak")
    with pytest.raises(ValueError, match="must be odd"):
        extrema(da, footprint=4)
    with pytest.raises(ValueError, match="not among dims"):
        extrema(da, ["x"], footprint={"y": 3})
    with pytest.raises(TypeError, match="pick a variable"):
        extrema(da.to_dataset(name="z"))
    with pytest.raises(ValueError, match="threshold"):
        extrema(da, threshold=-1)


def test_nan_cells_are_skipped_quietly():
    x = np.arange(30.0)
    X, Y = np.meshgrid(x, x)
    data = _bump(X, Y, 10.3, 12.6, 3, 1.0)
    data[20:25, 5:9] = np.nan  # a gap (land), next to nothing
    data[11:14, 9:12] = np.where(np.hypot(X - 10.3, Y - 12.6) < 0.5, np.nan, data)[11:14, 9:12]
    table = extrema(_plane(x, x, data), kind="max")  # filterwarnings=error: no warning
    assert table.sizes["extremum"] >= 1
    assert np.isfinite(table.value).all()
