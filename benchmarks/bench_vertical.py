"""Model levels (issue 16): grad at constant height, vertical interpolation, seamount error.

Run: ``python -m benchmarks.bench_vertical [--repeat 3] [--grad-shape 60 721 1440]
[--interp-shape 60 361 720]`` (peers: ``pip install geocat-comp metpy``, the ``bench``
extra).

1. ``grad(f, vertical=z)`` against plain ``grad(f)`` on a float32 global field on
   hybrid-height levels over analytic orography (the issue's 60x721x1440 by
   default), with the copy of the field (the bandwidth floor) and the peak of
   the memory numpy allocates (``tracemalloc``) in the same run.
2. ``interp_vertical`` from hybrid sigma-pressure levels to 21 pressure levels
   (log-linear in pressure), against geocat-comp's ``interp_hybrid_to_pressure``
   (``method="log"``) and MetPy's ``log_interpolate_1d`` on the same data, checked
   equal, with peak memory.
3. The resting-ocean seamount: the largest gradient at constant depth of a
   density that is a function of depth only (its error) over the largest
   uncorrected model-level gradient, at accuracy 2 and 4 and three resolutions.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fieldops  # noqa: E402
from benchmarks.timing import (
    median_time,
    threaded_copy,  # noqa: E402
)


def peak_mib(func) -> float:
    """Peak memory numpy (and Python) allocate during ``func()``, in MiB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _sphere(nk: int, ny: int, nx: int):
    lat = np.linspace(90, -90, ny)
    lon = np.linspace(0, 360, nx, endpoint=False)
    coords = {
        "lat": ("lat", lat, {"units": "degrees_north", "standard_name": "latitude"}),
        "lon": ("lon", lon, {"units": "degrees_east", "standard_name": "longitude"}),
    }
    phi, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    orog = 3000.0 * np.exp(-((phi - 0.6) ** 2 + (lam - 1.5) ** 2) / 0.02) + 1500.0 * np.exp(
        -((phi + 0.3) ** 2 + (lam - 5.0) ** 2) / 0.005
    )
    return coords, phi, orog, np.linspace(0.0, 1.0, nk)


def grad_case(shape: tuple[int, int, int], repeat: int) -> None:
    nk, ny, nx = shape
    coords, phi, orog, k = _sphere(nk, ny, nx)
    a, b = (20000.0 * k).astype(np.float32), ((1 - k) ** 2).astype(np.float32)
    z = a[:, None, None] + b[:, None, None] * orog.astype(np.float32)[None]
    dims = ("lev", "lat", "lon")
    zda = xr.DataArray(z, dims=dims, coords=coords, name="z", attrs={"units": "m"})
    t = (288.0 - 0.0065 * z + 5 * np.cos(phi).astype(np.float32)[None]).astype(np.float32)
    f = xr.DataArray(t, dims=dims, coords=coords, name="t", attrs={"units": "K"})
    del z, t
    copy = threaded_copy(f.values, fieldops.get_num_threads())
    t_copy = median_time(copy, repeat)
    t_plain = median_time(lambda: fieldops.grad(f), repeat)
    t_vert = median_time(lambda: fieldops.grad(f, vertical=zda), repeat)
    m_plain = peak_mib(lambda: fieldops.grad(f))
    m_vert = peak_mib(lambda: fieldops.grad(f, vertical=zda))
    size = f.nbytes / 2**20
    print(f"\n1. grad on {nk}x{ny}x{nx} float32 ({size:.0f} MiB), hybrid height over orography")
    print(f"{'what':<34}{'time ms':>10}{'x copy':>9}{'peak MiB':>10}{'x field':>9}")
    print(f"{'copy of the field':<34}{t_copy * 1e3:>10.0f}{1:>9.1f}")
    for name, tm, mem in (("grad(f)", t_plain, m_plain), ("grad(f, vertical=z)", t_vert, m_vert)):
        print(f"{name:<34}{tm * 1e3:>10.0f}{tm / t_copy:>9.1f}{mem:>10.0f}{mem / size:>9.1f}")
    print(f"grad(vertical=z) / grad: {t_vert / t_plain:.2f}x time, {m_vert / m_plain:.2f}x memory")


def interp_case(shape: tuple[int, int, int], repeat: int) -> None:
    nk, ny, nx = shape
    coords, phi, orog, _ = _sphere(nk, ny, nx)
    eta = np.linspace(0.01, 1.0, nk)
    hyam = xr.DataArray(np.where(eta < 0.2, eta, 0.2 * (1 - eta) / 0.8), dims="lev")
    hybm = xr.DataArray(np.clip((eta - 0.2) / 0.8, 0, 1), dims="lev")
    ps = xr.DataArray(1e5 * np.exp(-orog / 8000.0), dims=("lat", "lon"), coords=coords)
    p = (hyam * 1e5 + hybm * ps).transpose("lev", "lat", "lon")
    t = (250.0 + 30 * np.log(p / 1e5) * np.cos(phi)).astype(np.float32).rename("t")
    t = t.assign_attrs(units="K")
    pnew = np.array(
        [1000, 925, 850, 700, 500, 400, 300, 250, 200, 150, 100, 70, 50, 30, 20, 10], float
    )
    pnew = pnew * 100.0
    rows = []

    def ours():
        return fieldops.interp_vertical(t, pnew, vertical=p, method="log")

    want = ours().values
    rows.append(("fieldops.interp_vertical", ours))
    try:
        from metpy.interpolate import log_interpolate_1d

        def metpy_call():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return log_interpolate_1d(pnew, p.values, t.values, axis=0)

        got = np.asarray(metpy_call())
        print(f"MetPy equal to fieldops: max |diff| {np.nanmax(abs(got - want)):.2g} K")
        rows.append(("metpy log_interpolate_1d", metpy_call))
    except ImportError:
        print("MetPy not installed: skipped")
    try:
        from geocat.comp import interp_hybrid_to_pressure

        def geocat_call():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return interp_hybrid_to_pressure(
                    t, ps, hyam, hybm, p0=1e5, new_levels=pnew, lev_dim="lev", method="log"
                )

        got = np.asarray(geocat_call())
        print(f"geocat equal to fieldops: max |diff| {np.nanmax(abs(got - want)):.2g} K")
        rows.append(("geocat interp_hybrid_to_pressure", geocat_call))
    except ImportError:
        print("geocat-comp not installed: skipped")
    size = t.nbytes / 2**20
    print(f"\n2. log-pressure interpolation, {nk}x{ny}x{nx} float32 ({size:.0f} MiB) to 16 levels")
    print(f"{'what':<36}{'time ms':>10}{'x ours':>9}{'peak MiB':>10}")
    base = None
    for name, func in rows:
        tm = median_time(func, repeat)
        base = base or tm
        print(f"{name:<36}{tm * 1e3:>10.0f}{tm / base:>9.1f}{peak_mib(func):>10.0f}")


def seamount_case() -> None:
    print("\n3. resting-ocean seamount (depth 4000 m -> 1000 m over 25 km, sigma levels)")
    print(f"{'grid':<18}{'acc':>4}{'corrected':>12}{'uncorrected':>13}{'ratio':>10}")
    for n, nk in ((51, 20), (101, 40), (201, 80)):
        x = np.linspace(-100e3, 100e3, n)
        xx, yy = np.meshgrid(x, x)
        h = 4000.0 - 3000.0 * np.exp(-(xx**2 + yy**2) / 25e3**2)
        s = (np.arange(nk) + 0.5) / nk - 1.0
        z = s[:, None, None] * h[None]
        coords = {"x": ("x", x, {"units": "m"}), "y": ("y", x, {"units": "m"})}
        zda = xr.DataArray(z, dims=("s", "y", "x"), coords=coords, attrs={"units": "m"})
        rho = zda.copy(data=1025.0 + 2.0 * np.exp(z / 1000.0))
        for acc in (2, 4):
            c = float(abs(fieldops.grad(rho, ["y", "x"], accuracy=acc, vertical=zda)).max())
            u = float(abs(fieldops.grad(rho, ["y", "x"], accuracy=acc)).max())
            print(f"{f'{n}x{n}, {nk} levels':<18}{acc:>4}{c:>12.3g}{u:>13.3g}{c / u * 100:>9.3g}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--grad-shape", type=int, nargs=3, default=(60, 721, 1440))
    parser.add_argument("--interp-shape", type=int, nargs=3, default=(60, 361, 720))
    args = parser.parse_args()
    print(f"threads: {fieldops.get_num_threads()}")
    grad_case(tuple(args.grad_shape), args.repeat)
    interp_case(tuple(args.interp_shape), args.repeat)
    seamount_case()


if __name__ == "__main__":
    main()
