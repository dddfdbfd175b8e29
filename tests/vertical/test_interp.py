"""fieldops.interp_vertical: exactness, extrapolation, numpy vs Dask, laziness, attrs."""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

import fieldops

rng = np.random.default_rng(160)
NT, NK, NY, NX = 2, 9, 5, 6


def _heights() -> xr.DataArray:
    """Random increasing heights per column over random ground (metres)."""
    steps = rng.uniform(50.0, 900.0, (NT, NK, NY, NX))
    ground = rng.uniform(0.0, 1500.0, (NT, 1, NY, NX))
    z = ground + np.cumsum(steps, axis=1)
    return xr.DataArray(z, dims=("time", "lev", "y", "x"), name="z", attrs={"units": "m"})


def _pressures() -> xr.DataArray:
    ps = rng.uniform(7e4, 1.03e5, (NT, 1, NY, NX))
    b = np.linspace(0.05, 1.0, NK)[None, :, None, None]
    p = 2000.0 * (1 - b) + b * ps
    return xr.DataArray(p, dims=("time", "lev", "y", "x"), name="p", attrs={"units": "Pa"})


def _field(values: np.ndarray) -> xr.DataArray:
    return xr.DataArray(
        values,
        dims=("time", "lev", "y", "x"),
        coords={"lev": np.arange(NK), "x": np.arange(NX) * 10.0},
        name="t",
        attrs={"units": "K", "long_name": "temperature"},
    )


@pytest.mark.parametrize("method", ["linear", "cubic"])
def test_exact_for_a_field_linear_in_height(method):
    z = _heights()
    f = _field(288.0 - 0.0065 * z.values + 0.001 * np.arange(NX))
    levels = [2500.0, 3000.0, 4000.0]
    out = fieldops.interp_vertical(f, levels, vertical=z, method=method)
    want = 288.0 - 0.0065 * np.array(levels)[None, :, None, None] + 0.001 * np.arange(NX)
    inside = (z.min("lev").values[:, None] <= want * 0 + np.array(levels)[None, :, None, None]) & (
        z.max("lev").values[:, None] >= np.array(levels)[None, :, None, None]
    )
    np.testing.assert_allclose(
        out.values[inside], np.broadcast_to(want, out.shape)[inside], rtol=1e-12
    )
    assert np.isnan(out.values[~inside]).all()  # levels below the ground (or above the top)
    assert inside.sum() > 0.5 * inside.size


def test_cubic_is_exact_for_quadratics():
    z = _heights()
    f = _field(1.0 + 2e-3 * z.values + 3e-7 * z.values**2)
    lo, hi = float(z.isel(lev=0).max()), float(z.isel(lev=-1).min())
    levels = np.linspace(lo, hi, 7)
    out = fieldops.interp_vertical(f, levels, vertical=z, method="cubic")
    want = 1.0 + 2e-3 * levels + 3e-7 * levels**2
    np.testing.assert_allclose(
        out.values, np.broadcast_to(want[None, :, None, None], out.shape), rtol=1e-12
    )
    lin = fieldops.interp_vertical(f, levels, vertical=z)
    assert np.abs(lin.values - want[None, :, None, None]).max() > 1e-6  # linear is not exact


def test_log_is_exact_for_a_field_linear_in_log_pressure():
    p = _pressures()
    f = _field(250.0 + 20.0 * np.log(p.values / 1e5))
    levels = [65000.0, 50000.0, 20000.0, 9000.0]
    out = fieldops.interp_vertical(f, levels, vertical=p, method="log")
    want = 250.0 + 20.0 * np.log(np.array(levels) / 1e5)
    np.testing.assert_allclose(
        out.values, np.broadcast_to(want[None, :, None, None], out.shape), rtol=1e-12
    )
    assert out.dims == ("time", "p", "y", "x")
    assert out.p.attrs == {
        "units": "Pa",
        "standard_name": "air_pressure",
        "positive": "down",
        "axis": "Z",
        "long_name": "pressure level",
    }
    assert out.name == "t" and out.attrs["units"] == "K"
    assert "lev" not in out.coords and "x" in out.coords


@pytest.mark.parametrize("extrapolate", ["nearest", "linear"])
def test_extrapolation_below_the_ground(extrapolate):
    z = _heights()
    f = _field(300.0 - 0.006 * z.values)
    out = fieldops.interp_vertical(f, [-100.0], vertical=z, extrapolate=extrapolate)
    if extrapolate == "linear":
        want = np.full(out.shape, 300.0 + 0.6)
    else:
        want = f.isel(lev=[0]).values
    np.testing.assert_allclose(out.values, want, rtol=1e-12)


def test_non_monotonic_column_takes_the_first_crossing():
    x = xr.DataArray([[0.0, 2.0, 1.0, 3.0]], dims=("c", "lev"), name="theta", attrs={"units": "K"})
    f = xr.DataArray([[0.0, 1.0, 2.0, 3.0]], dims=("c", "lev"))
    out = fieldops.interp_vertical(f, [1.5], vertical=x)
    assert float(out[0, 0]) == pytest.approx(0.75)  # 0 -> 2 crossed first, at 3/4 of it


def test_nan_levels_are_skipped():
    x = xr.DataArray([[np.nan, 1.0, 2.0, 3.0]], dims=("c", "lev"), attrs={"units": "m"})
    f = xr.DataArray([[5.0, 10.0, np.nan, 30.0]], dims=("c", "lev"))
    out = fieldops.interp_vertical(f, [2.0], vertical=x)
    assert float(out[0, 0]) == pytest.approx(20.0)


def test_levels_as_a_field_vary_by_column():
    z = _heights()
    f = _field(np.sin(z.values / 3000.0))
    above = xr.DataArray([10.0, 500.0], dims="agl")
    levels = (z.isel(lev=0, drop=True) + above).rename("height_agl")
    out = fieldops.interp_vertical(f, levels, vertical=z)
    assert out.dims == ("time", "agl", "y", "x")
    for n, j, i in [(0, 0, 0), (1, 3, 4), (0, 4, 2)]:
        want = np.interp(levels.values[n, j, i], z.values[n, :, j, i], f.values[n, :, j, i])
        np.testing.assert_allclose(out.values[n, :, j, i], want, rtol=1e-12)
    assert out.height_agl.dims == ("time", "y", "x", "agl") or set(out.height_agl.dims) == {
        "time",
        "y",
        "x",
        "agl",
    }


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("method", ["linear", "log", "cubic"])
def test_numpy_equals_dask_over_random_chunkings(seed, method):
    r = np.random.default_rng(seed)
    p = _pressures()
    f = _field(r.standard_normal((NT, NK, NY, NX))).astype(np.float32)
    levels = [90000.0, 70000.0, 30000.0, 1000.0]
    want = fieldops.interp_vertical(f, levels, vertical=p, method=method, extrapolate="linear")
    chunks = {d: int(r.integers(1, f.sizes[d] + 1)) for d in f.dims}
    fd, pd = f.chunk(chunks), p.chunk({d: int(r.integers(1, p.sizes[d] + 1)) for d in p.dims})
    got = fieldops.interp_vertical(fd, levels, vertical=pd, method=method, extrapolate="linear")
    assert got.chunks[0] == fd.chunks[0] and got.chunks[2:] == fd.chunks[2:]
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.values, want.values)


def test_lazy_on_dask(no_compute):
    z = _heights().chunk({"time": 1, "y": 2})
    f = _field(np.ones((NT, NK, NY, NX))).chunk({"time": 1, "lev": 3, "x": 4})
    out = fieldops.interp_vertical(f, [1000.0, 2000.0], vertical=z)
    assert isinstance(out.data, dsa.Array)
    assert len(out.data.dask.layers) <= 8


def test_vertical_from_formula_terms_in_coords():
    ps = xr.DataArray(rng.uniform(9e4, 1e5, (NY, NX)), dims=("y", "x"), attrs={"units": "Pa"})
    sigma = np.linspace(0.1, 1.0, NK)
    lev = xr.DataArray(
        sigma,
        dims="lev",
        attrs={
            "standard_name": "atmosphere_sigma_coordinate",
            "formula_terms": "sigma: lev ps: ps ptop: ptop",
        },
    )
    f = xr.DataArray(np.log(sigma[:, None, None] * ps.values), dims=("lev", "y", "x"))
    f = f.assign_coords(lev=lev, ps=ps, ptop=((), 0.0, {"units": "Pa"}))
    out = fieldops.interp_vertical(f, [50000.0], vertical="pressure", method="log")
    np.testing.assert_allclose(out.values, np.log(5e4), rtol=1e-12)
    with pytest.raises(ValueError, match="gives pressure"):
        fieldops.interp_vertical(f, [50000.0], vertical="height")


def test_bad_input():
    z = _heights()
    f = _field(np.zeros((NT, NK, NY, NX)))
    with pytest.raises(ValueError, match="unknown method"):
        fieldops.interp_vertical(f, [1.0], vertical=z, method="spline")
    with pytest.raises(ValueError, match="unknown extrapolate"):
        fieldops.interp_vertical(f, [1.0], vertical=z, extrapolate="clamp")
    with pytest.raises(ValueError, match="different grid"):
        fieldops.interp_vertical(f, [1.0], vertical=z.isel(x=slice(1, None)))
    with pytest.raises(ValueError, match="vertical must be"):
        fieldops.interp_vertical(f, [1.0], vertical="depth")
