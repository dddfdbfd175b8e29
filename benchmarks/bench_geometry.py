"""Vorticity and divergence on a 721x1440 global grid against MetPy, and pole errors.

Run: ``python -m benchmarks.bench_geometry [--repeat 5]`` (needs ``pip install metpy``).

Part 1 times fieldops's ``vorticity``/``divergence`` (spherical flux form, periodic
longitude, pole rows by the ``limit`` policy) against MetPy's on the same xarray
data, and against a plain numpy flux form (the floor for this formula), in one
run. Part 2 puts solid-body rotation (u = U cos(lat), v = 0 on a 1-degree grid
with both poles) through both and prints the vorticity error relative to 2U/R on
the rows near the north pole, where MetPy's map factors break down.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import xarray as xr

import fieldops
from benchmarks.timing import median_time

R = fieldops.EARTH_RADIUS
U = 20.0


def global_winds(step: float, *, noise: float = 5.0, seed: int = 0):
    lat = np.linspace(90, -90, int(round(180 / step)) + 1)
    lon = np.arange(0, 360, step)
    coords = {
        "latitude": ("latitude", lat, {"units": "degrees_north", "standard_name": "latitude"}),
        "longitude": ("longitude", lon, {"units": "degrees_east", "standard_name": "longitude"}),
    }
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    rng = np.random.default_rng(seed)
    wave = np.cos(phi) ** 2 * np.sin(3 * lam + rng.uniform(0, 6))
    u = U * np.cos(phi) + noise * wave
    v = noise * np.cos(phi) * np.cos(2 * lam)
    attrs = {"units": "m/s"}
    return (
        xr.DataArray(u, dims=("latitude", "longitude"), coords=coords, name="u", attrs=attrs),
        xr.DataArray(v, dims=("latitude", "longitude"), coords=coords, name="v", attrs=attrs),
    )


def numpy_flux_vorticity(u, v, phi, dlam):
    """Accuracy-2 flux form in plain numpy (no pole treatment): the floor."""
    cos = np.cos(phi)[:, None]
    dv = (np.roll(v, -1, axis=1) - np.roll(v, 1, axis=1)) / (2 * dlam)
    du = np.gradient(u * cos, phi, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (dv - du) / (R * cos)


def part_timing(repeat: int) -> None:
    import metpy.calc as mpcalc

    u, v = global_winds(0.25)
    phi = np.deg2rad(u.latitude.values)
    dlam = np.deg2rad(0.25)
    print(f"721x1440 float64 global grid, {fieldops.get_num_threads()} threads, median of {repeat}")
    print(f"{'case':<36}{'ms':>9}{'x MetPy':>9}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_mp_vort = median_time(lambda: mpcalc.vorticity(u, v), repeat)
        t_mp_div = median_time(lambda: mpcalc.divergence(u, v), repeat)
    t_np = median_time(lambda: numpy_flux_vorticity(u.values, v.values, phi, dlam), repeat)
    rows = [
        ("MetPy vorticity", t_mp_vort, t_mp_vort),
        ("MetPy divergence", t_mp_div, t_mp_div),
        ("numpy flux-form vorticity (floor)", t_np, t_mp_vort),
    ]
    for accuracy in (2, 4):
        t_v = median_time(lambda a=accuracy: fieldops.vorticity(u, v, accuracy=a), repeat)
        t_d = median_time(lambda a=accuracy: fieldops.divergence(u, v, accuracy=a), repeat)
        rows.append((f"fieldops vorticity acc {accuracy}", t_v, t_mp_vort))
        rows.append((f"fieldops divergence acc {accuracy}", t_d, t_mp_div))
    for name, t, ref in rows:
        print(f"{name:<36}{t * 1e3:>9.1f}{ref / t:>9.1f}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mp = mpcalc.vorticity(u, v).metpy.dequantify().values
    ours = fieldops.vorticity(u, v).values
    mid = np.abs(u.latitude.values) < 60
    diff = np.abs(mp[mid] - ours[mid]).max() / np.abs(ours[mid]).max()
    print(
        f"max |MetPy - fieldops| / max|vorticity| for |lat| < 60: {diff:.1e} (ellipsoid vs sphere)"
    )


def part_poles() -> None:
    import metpy.calc as mpcalc

    u, v = global_winds(1.0, noise=0.0)
    lat = u.latitude.values
    exact = 2 * U * np.sin(np.deg2rad(lat)) / R
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mp = mpcalc.vorticity(u, v).metpy.dequantify().values
    ours = {acc: fieldops.vorticity(u, v, accuracy=acc).values for acc in (2, 4)}

    def rel(values, row):
        err = np.abs(values[row] - exact[row]) / (2 * U / R)
        return f"{np.nanmax(err) if np.isfinite(err).any() else np.inf:.1e}"

    print("\nSolid-body rotation u = U cos(lat), v = 0, 1-degree grid with poles:")
    print("max |vorticity - 2U sin(lat)/R| / (2U/R) on each row")
    print(f"{'latitude':>9}{'MetPy':>12}{'fieldops a2':>13}{'fieldops a4':>13}")
    for row in (0, 1, 2, 3, 5, 10, 30, 90):
        print(f"{lat[row]:>9.1f}{rel(mp, row):>12}{rel(ours[2], row):>13}{rel(ours[4], row):>13}")
    worst_mp = np.nanmax(np.abs(mp - exact[:, None]), axis=1) / (2 * U / R)
    finite = np.isfinite(mp).all(axis=1)
    print(
        f"MetPy rows not finite: {int((~finite).sum())}; worst finite row error "
        f"{np.max(worst_mp[finite]):.1e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    part_timing(args.repeat)
    part_poles()


if __name__ == "__main__":
    main()
