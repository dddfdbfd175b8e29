"""Grid mappings (issue 18): what the old behaviour got wrong, and what a projected grad costs.

Run: ``python -m benchmarks.bench_mappings [--n 2000] [--repeat 7]``.

Part 1 prints the error a user silently got before issue 18 on each grid kind:
a projected grid (x/y in metres plus a CF ``grid_mapping``, no 2-D latitude) was a
plain plane, so every derivative was off by the map factor; a rotated-pole grid
was taken for a true latitude/longitude grid, so the Coriolis parameter (and the
geostrophic equatorial band) used the rotated latitude; the file's Earth radius
was ignored; grid-relative winds could not be turned to true east/north.

Part 2 times ``fieldops.grad`` on an ``n x n`` Lambert conformal grid against the
same call on the same x/y without the mapping (a plain plane), once the map
factors are built (cached per grid), plus MetPy's ``vorticity`` (pyproj map factors)
against ``fieldops.vorticity`` on the same grid, and a copy of the array (the
bandwidth floor) in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fieldops  # noqa: E402
from benchmarks.timing import measure  # noqa: E402
from fieldops.stencils.cache import clear  # noqa: E402
from tests.mappings.grids import (  # noqa: E402
    LCC,
    OMEGA,
    PS,
    R,
    U,
    projected_winds,
    rotated_winds,
)


def _plain(da: xr.DataArray) -> xr.DataArray:
    """The field as the old code saw it: no mapping (a plane in metres)."""
    out = da.drop_vars([c for c in da.coords if c not in da.dims])
    out.attrs.pop("grid_mapping", None)
    return out


def old_errors() -> None:
    print("Part 1: what the old behaviour gave (relative errors; new in brackets)")
    ps_k0 = {k: v for k, v in PS.items() if k != "standard_parallel"}
    ps_k0["scale_factor_at_projection_origin"] = 1.0
    for name, attrs, half in (
        ("polar stereographic, true scale at 70N (NSIDC), 7000 km square", PS, 3.5e6),
        ("polar stereographic, true scale at the pole, 7000 km square", ps_k0, 3.5e6),
        ("Lambert conformal 30N/60N, 4000 km square", LCC, 2e6),
    ):
        u, v, lat, _lon, m = projected_winds(attrs, 81, half=half)
        k = np.asarray(m.factors(lat * 0 + 10.0, lat * 0 + 60.0).parallel_scale)[0, 0]
        exact = 2 * U / R * np.sin(np.deg2rad(lat))
        new = fieldops.vorticity(u, v).values
        old = fieldops.vorticity(_plain(u), _plain(v)).values
        near60 = np.abs(lat - 60.0) < 1.0
        err_old = np.abs(old / exact - 1)
        err_new = np.abs(new / exact - 1)
        mf = np.asarray(m.factors(_lon, lat).parallel_scale)
        print(
            f"  {name}: map factor {mf.min():.3f}..{mf.max():.3f} on the grid, {k:.4f} at 60N "
            f"-> every derivative off by {abs(1 / k - 1):.1%} there, up to "
            f"{np.abs(1 / mf - 1).max():.1%} on the grid; "
            f"solid-body vorticity near 60N off by {err_old[near60].max():.2%} "
            f"[{err_new[near60].max():.1e}], anywhere up to {err_old.max():.1%} "
            f"[{err_new.max():.1e}]"
        )
    u, v, sin_true = rotated_winds(107, span=53.0)  # about the EURO-CORDEX domain
    calm = 0 * u
    f_true = 2 * OMEGA * sin_true
    f_old = 2 * OMEGA * np.sin(np.deg2rad(u.rlat.values))[:, None] + 0 * f_true
    new = fieldops.absolute_vorticity(calm, calm).values
    print(
        "  rotated pole (EURO-CORDEX pole, 53x53 degrees): Coriolis parameter off by up to "
        f"{np.abs(f_old - f_true).max():.2e} s-1 ({np.abs(f_old / f_true - 1).max():.0%}; "
        f"f itself is {f_true.min():.2e}..{f_true.max():.2e}) [{np.abs(new - f_true).max():.0e}]"
    )
    band = np.abs(u.rlat.values) < 5.0
    print(
        f"  rotated pole: geostrophic_wind blanked |rlat| < 5 degrees, {band.mean():.0%} of the "
        f"rows, at true latitudes {np.rad2deg(np.arcsin(sin_true[band])).min():.0f}.."
        f"{np.rad2deg(np.arcsin(sin_true[band])).max():.0f}N [no row blanked]"
    )
    ue, ve = fieldops.to_earth_relative(u, v)
    turn = np.rad2deg(np.arctan2(ve.values, ue.values) - np.arctan2(v.values, u.values))
    turn = (turn + 180) % 360 - 180
    worst = np.abs(turn).max()
    chord = 2 * np.sin(np.deg2rad(worst) / 2)  # |a - b| / |a| for two vectors of one length
    print(
        f"  rotated pole: grid-relative winds read as true east/north point up to "
        f"{worst:.1f} degrees off (a {chord:.0%} vector error); now fieldops.to_earth_relative"
    )
    print(
        f"  file Earth radius 6371229 m ignored (default 6371008.8 m): derivatives off by "
        f"{abs(fieldops.EARTH_RADIUS / R - 1):.1e}"
    )


def timings(n: int, repeat: int) -> None:
    print(f"\nPart 2: cost on a {n}x{n} Lambert conformal grid (float64), median of {repeat}")
    u, v, *_ = projected_winds(LCC, n, half=n * 1.5e3)
    plain_u, plain_v = _plain(u), _plain(v)
    clear()
    start = time.perf_counter()
    fieldops.grad(u)
    build = time.perf_counter() - start
    start = time.perf_counter()
    fieldops.grad(u)
    second = time.perf_counter() - start
    print(
        f"  first projected grad (pyproj map factors built): {build * 1e3:.0f} ms; "
        f"next {second * 1e3:.0f} ms"
    )
    data = u.values
    contenders = {
        "copy": lambda: data.copy(),
        "grad plain": lambda: fieldops.grad(plain_u),
        "grad projected": lambda: fieldops.grad(u),
        "vorticity plain": lambda: fieldops.vorticity(plain_u, plain_v),
        "vorticity projected": lambda: fieldops.vorticity(u, v),
    }
    try:
        import metpy.calc as mpcalc
        from metpy.units import units

        dx = float(u.x[1] - u.x[0])
        crs = __import__("pyproj").CRS.from_cf(LCC)
        lon, lat = _lonlat(u)
        factors = __import__("pyproj").Proj(crs).get_factors(lon, lat)
        uq, vq = u.values * units("m/s"), v.values * units("m/s")

        def metpy_vort():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return mpcalc.vorticity(
                    uq, vq, dx=dx * units.m, dy=dx * units.m,
                    parallel_scale=factors.parallel_scale,
                    meridional_scale=factors.meridional_scale,
                )  # fmt: skip

        contenders["metpy vorticity (map factors given)"] = metpy_vort
    except ImportError:
        print("  (MetPy not installed: pip install 'fieldops-xr[bench]')")
    times = measure(contenders, repeat)
    for name, t in times.items():
        print(f"  {name:38s} {t * 1e3:8.1f} ms  {t / times['copy']:5.1f}x copy")
    print(f"  projected / plain grad:      {times['grad projected'] / times['grad plain']:.2f}x")
    # The kernels alone: the fused gradient, and the in-place map-factor pass after it.
    from fieldops.grids.frame import frame_for
    from fieldops.grids.partials import partials
    from fieldops.options import How, Where
    from fieldops.stencils.scale import scale_inplace

    frame = frame_for(u, None, Where(), How())
    bare = frame.bare(u)
    slots = [[(0, 1.0, {"y": 1})], [(0, 1.0, {"x": 1})]]
    out = partials(bare, slots, frame.opts)[0]
    m = frame.map_factor
    kern = measure(
        {
            "fused gradient kernel": lambda: partials(bare, slots, frame.opts),
            "map-factor pass (in place)": lambda: scale_inplace(out, m),
        },
        repeat,
    )
    ratio = (kern["fused gradient kernel"] + kern["map-factor pass (in place)"]) / kern[
        "fused gradient kernel"
    ]
    print(
        f"  kernels: fused gradient {kern['fused gradient kernel'] * 1e3:.1f} ms, map-factor "
        f"pass {kern['map-factor pass (in place)'] * 1e3:.1f} ms: {ratio:.2f}x"
    )
    print(
        f"  projected / plain vorticity: "
        f"{times['vorticity projected'] / times['vorticity plain']:.2f}x"
    )


def timings3d(n: int, levels: int, repeat: int) -> None:
    """The same on ``levels`` levels of an ``n x n`` grid: the per-call cost amortised."""
    print(f"\nPart 3: {levels} levels of a {n}x{n} Lambert conformal grid, median of {repeat}")
    u, *_ = projected_winds(LCC, n, half=n * 1.5e3)
    u3 = u.expand_dims(level=levels).copy()
    plain = _plain(u3)
    data = u3.values
    times = measure(
        {
            "copy": lambda: data.copy(),
            "grad plain": lambda: fieldops.grad(plain, ["y", "x"]),
            "grad projected": lambda: fieldops.grad(u3, ["y", "x"]),
        },
        repeat,
    )
    for name, t in times.items():
        print(f"  {name:38s} {t * 1e3:8.1f} ms  {t / times['copy']:5.1f}x copy")
    print(f"  projected / plain grad:      {times['grad projected'] / times['grad plain']:.2f}x")


def _lonlat(u):
    from fieldops.mappings.crs import find_mapping

    m = find_mapping(u)
    xx, yy = np.meshgrid(u.x.values, u.y.values)
    return m.to_lonlat(xx, yy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--levels", type=int, default=8)
    args = parser.parse_args()
    old_errors()
    timings(args.n, args.repeat)
    timings3d(args.n // 2, args.levels, args.repeat)


if __name__ == "__main__":
    main()
