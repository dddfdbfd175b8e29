"""Integrals and dynamics (issue 19): speed and accuracy against xarray, scipy and MetPy.

Run: ``python -m benchmarks.bench_integrals [--repeat 5]`` from the repository root
(MetPy for part 2: ``pip install fieldops-xr[bench]``).

Part 1: ``cumulative_integrate`` along the first and the last axis of a 2000x2000
float64 field on a non-uniform coordinate, against xarray's ``cumulative_integrate``
(trapezoid) and scipy's ``cumulative_simpson``, with the copy of the array (the
bandwidth floor) measured in the same run, and the error of each against the exact
integral of ``sin``.

Part 2: each dynamics function against MetPy on a 721x1440 global grid (synthetic,
smooth plus a wave; MetPy on a sphere of fieldops' radius), with the largest
difference between the two for ``|lat| <= 60`` (relative to the field's largest value)
and each one's distance from a reference made by fieldops at accuracy 8 (the
truncation error of the scheme).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import xarray as xr

import fieldops
from benchmarks.timing import measure, threaded_copy


def part_cumulative(repeat: int) -> None:
    from scipy.integrate import cumulative_simpson

    n = 2000
    s = np.linspace(0.0, 1.0, n)
    x = 3 * (s + 0.1 * np.sin(np.pi * s) ** 2)  # smooth, non-uniform
    data = np.sin(x)[:, None] * np.ones((1, n))
    exact = (np.cos(x[0]) - np.cos(x))[:, None] * np.ones((1, n))
    copy = threaded_copy(data, fieldops.get_num_threads())
    print(f"cumulative_integrate, {n}x{n} float64, non-uniform coordinate, median of {repeat}")
    print(f"{'case':<44}{'ms':>8}{'x xarray':>10}{'x scipy':>9}{'copies':>8}{'max err':>10}")
    for axis in (0, 1):
        dim = ("a", "b")[axis]
        values = data if axis == 0 else np.ascontiguousarray(data.T)
        truth = exact if axis == 0 else exact.T
        da = xr.DataArray(values, dims=("a", "b"), coords={dim: x})
        cases = {
            "xarray cumulative_integrate (trapezoid)": lambda da=da, dim=dim: (
                da.cumulative_integrate(dim)
            ),
            "scipy cumulative_simpson": lambda v=values, a=axis: cumulative_simpson(
                v, x=x, axis=a, initial=0.0
            ),
            "fieldops accuracy 2 (4 points)": lambda da=da, dim=dim: fieldops.cumulative_integrate(
                da, dim, accuracy=2
            ),
            "fieldops accuracy 4 (6 points)": lambda da=da, dim=dim: fieldops.cumulative_integrate(
                da, dim, accuracy=4
            ),
            "copy (bandwidth floor)": copy,
        }
        times = measure(cases, repeat)
        t_xr, t_sp, t_copy = (
            times["xarray cumulative_integrate (trapezoid)"],
            times["scipy cumulative_simpson"],
            times["copy (bandwidth floor)"],
        )
        for name, func in cases.items():
            t = times[name]
            result = np.asarray(func())
            err = np.abs(result - truth).max() if name.startswith(("x", "s", "f")) else np.nan
            print(
                f"{name + f' (axis {axis})':<44}{t * 1e3:>8.1f}{t_xr / t:>10.2f}"
                f"{t_sp / t:>9.2f}{t / t_copy:>8.2f}{err:>10.1e}"
            )


def _global(step: float):
    lat = np.linspace(90, -90, int(round(180 / step)) + 1)
    lon = np.arange(-180, 180, step)
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    levels = np.array([850.0, 700.0, 500.0])
    coords = {
        "level": ("level", levels, {"units": "hPa"}),
        "latitude": ("latitude", lat, {"units": "degrees_north", "standard_name": "latitude"}),
        "longitude": ("longitude", lon, {"units": "degrees_east", "standard_name": "longitude"}),
    }
    k = np.arange(3.0)[:, None, None]
    wave = np.cos(phi) ** 2 * np.sin(4 * lam + 0.7 * k) * np.sin(2 * phi)
    u = 20 * np.cos(phi) * (1 + 0.3 * k) + 8 * wave
    v = 8 * np.cos(phi) ** 2 * np.cos(3 * lam - 0.5 * k)
    t = 290 - 15 * k - 30 * np.sin(phi) ** 2 + 4 * wave
    theta = t * (1000.0 / levels[:, None, None]) ** 0.2857
    z = 9.80665 * (1500 + 1500 * k + 200 * np.cos(phi) ** 2 * np.sin(3 * lam) + 40 * wave)
    dims = ("level", "latitude", "longitude")

    def make(a, units):
        return xr.DataArray(a, dims=dims, coords=coords, attrs={"units": units})

    return xr.Dataset(
        {
            "u": make(u, "m s-1"),
            "v": make(v, "m s-1"),
            "t": make(t, "K"),
            "theta": make(theta, "K"),
            "z": make(z, "m2 s-2"),
            "zh": make(z / 9.80665, "m"),
        }
    )


def _isentropic(ds: xr.Dataset) -> xr.Dataset:
    """The winds on three isentropes, with pressure varying smoothly on each."""
    th = xr.DataArray([300.0, 310.0, 320.0], dims="level", attrs={"units": "K"})
    phi = np.deg2rad(ds.latitude)
    p = (
        900.0
        - 12.0 * (th - 300.0)
        - 100 * np.sin(phi) ** 2
        + 10 * ds.u.isel(level=0, drop=True) / 20
    )
    p = p.transpose("level", "latitude", "longitude").assign_attrs(units="hPa")
    out = ds[["u", "v"]].assign_coords(level=th).assign(p=p)
    out["theta3"] = (0 * p + th).assign_attrs(units="K")
    return out


def part_dynamics(repeat: int) -> None:
    import metpy.calc as mpcalc
    import metpy.xarray  # noqa: F401

    ds = _global(0.25)
    one = ds.isel(level=1)
    crs = {"grid_mapping_name": "latitude_longitude", "earth_radius": fieldops.EARTH_RADIUS}
    mds = ds.metpy.assign_crs(crs).metpy.quantify()
    m1 = mds.isel(level=1)
    isen = _isentropic(ds)
    misen = isen.metpy.assign_crs(crs).metpy.quantify()
    mid = np.abs(ds.latitude.values) <= 60
    print(f"\ndynamics on 721x1440 float64 (PV: 3 levels), median of {repeat}")
    print(f"{'function':<32}{'fieldops ms':>12}{'MetPy ms':>10}{'x MetPy':>9}"
          f"{'vs MetPy':>10}{'ours err':>10}{'MetPy err':>10}")  # fmt: skip
    cases = {
        "frontogenesis": (
            lambda acc=2: fieldops.frontogenesis(one.theta, one.u, one.v, accuracy=acc),
            lambda: mpcalc.frontogenesis(m1.theta, m1.u, m1.v),
        ),
        "q_vector (q1)": (
            lambda acc=2: fieldops.q_vector(one.u, one.v, one.t, 70000.0, accuracy=acc).q1,
            lambda: mpcalc.q_vector(m1.u, m1.v, m1.t, m1.level)[0],
        ),
        "potential_vorticity_baroclinic": (
            lambda acc=2: fieldops.potential_vorticity_baroclinic(
                ds.theta, ds.level, ds.u, ds.v, accuracy=acc
            ),
            lambda: mpcalc.potential_vorticity_baroclinic(mds.theta, mds.level, mds.u, mds.v),
        ),
        "isentropic_potential_vorticity": (
            lambda acc=2: fieldops.isentropic_potential_vorticity(
                isen.p, isen.u, isen.v, accuracy=acc
            ),
            lambda: mpcalc.potential_vorticity_baroclinic(misen.theta3, misen.p, misen.u, misen.v),
        ),
        "thermal_wind (u, 850-500)": (
            lambda acc=2: (
                fieldops.thermal_wind(
                    ds.zh, "level", top=500.0, bottom=850.0, accuracy=acc
                ).u_thermal
            ),
            lambda: (
                mpcalc.geostrophic_wind(mds.zh.sel(level=500.0))[0]
                - mpcalc.geostrophic_wind(mds.zh.sel(level=850.0))[0]
            ),
        ),
        "extrema (z 500, max)": (
            lambda acc=2: fieldops.extrema(ds.z.sel(level=500.0), kind="max"),
            lambda: mpcalc.find_peaks(ds.z.sel(level=500.0).values, maxima=True, iqr_ratio=0),
        ),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (ours, theirs) in cases.items():
            times = measure({"ours": ours, "theirs": theirs}, repeat, budget_s=6.0)
            agree = err_ours = err_theirs = np.nan
            if not name.startswith("extrema"):
                a = np.asarray(ours())
                b = np.asarray(theirs().metpy.dequantify())
                try:  # the truncation error, where accuracy 8 has the points it needs
                    ref = np.asarray(ours(8))
                except ValueError:  # PV: 3 levels allow accuracy 2 only
                    ref = None
                scale = np.nanmax(np.abs((a if ref is None else ref)[..., mid, :]))
                inner = (..., mid, slice(4, -4))  # away from MetPy's seam
                agree = np.nanmax(np.abs(a - b)[inner]) / scale
                if ref is not None:
                    err_ours = np.nanmax(np.abs(a - ref)[inner]) / scale
                    err_theirs = np.nanmax(np.abs(b - ref)[inner]) / scale
            print(
                f"{name:<32}{times['ours'] * 1e3:>12.1f}{times['theirs'] * 1e3:>10.1f}"
                f"{times['theirs'] / times['ours']:>9.1f}{agree:>10.1e}{err_ours:>10.1e}"
                f"{err_theirs:>10.1e}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--part", choices=["cumulative", "dynamics", "all"], default="all")
    args = parser.parse_args()
    if args.part in ("cumulative", "all"):
        part_cumulative(args.repeat)
    if args.part in ("dynamics", "all"):
        part_dynamics(args.repeat)


if __name__ == "__main__":
    main()
