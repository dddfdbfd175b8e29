"""diff with each method on a 4000x4000 float64 DataArray, against scipy and a copy.

Run: ``python -m benchmarks.bench_methods [--size 4000] [--repeat 5]``. Prints the
median of ``--repeat`` runs after a warm-up: fieldops's time, the closest scipy call
(``savgol_filter``, ``gaussian_filter1d``, ``numpy.fft``) on the same array, and the
fraction of a plain copy's bandwidth.
"""

from __future__ import annotations

import argparse

import numpy as np
import xarray as xr
from scipy.ndimage import gaussian_filter1d
from scipy.signal import savgol_filter

import fieldops
from benchmarks.timing import median_time


def spectral_numpy(data: np.ndarray, axis: int, dx: float) -> np.ndarray:
    n = data.shape[axis]
    k = 2j * np.pi * np.fft.rfftfreq(n, dx)
    shape = [1, 1]
    shape[axis] = -1
    return np.fft.irfft(np.fft.rfft(data, axis=axis) * k.reshape(shape), n=n, axis=axis)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = args.size
    dx = 2 * np.pi / n
    data = np.random.default_rng(0).normal(size=(n, n))
    coord = np.arange(n) * dx
    da = xr.DataArray(data, dims=("y", "x"), coords={"y": coord, "x": coord})
    t_copy = median_time(data.copy, args.repeat)
    print(f"{n}x{n} float64, {fieldops.get_num_threads()} threads; copy {t_copy * 1e3:.1f} ms")
    print(f"{'case':<34}{'fieldops ms':>12}{'scipy ms':>10}{'x scipy':>9}{'of copy bw':>12}")
    cases = [
        ("finite_difference acc 2", dict(), lambda a: np.gradient(data, dx, axis=a)),
        (
            "savgol window 7",
            dict(method="savgol", window="7 points", polyorder=2),
            lambda a: savgol_filter(data, 7, 2, deriv=1, delta=dx, axis=a, mode="interp"),
        ),
        (
            "savgol window 21",
            dict(method="savgol", window="21 points", polyorder=2),
            lambda a: savgol_filter(data, 21, 2, deriv=1, delta=dx, axis=a, mode="interp"),
        ),
        (
            "gaussian sigma 2 dx",
            dict(method="gaussian", sigma=2 * dx, boundary="mirror"),
            lambda a: gaussian_filter1d(data, 2.0, axis=a, order=1, mode="mirror") / dx,
        ),
        (
            "spectral",
            dict(method="spectral", boundary="periodic"),
            lambda a: spectral_numpy(data, a, dx),
        ),
    ]
    for axis, dim in enumerate(da.dims):
        for label, kw, ref in cases:
            t_ops = median_time(lambda d=dim, k=kw: fieldops.diff(da, d, **k), args.repeat)
            t_ref = median_time(lambda r=ref, a=axis: r(a), args.repeat)
            print(
                f"{label + ' ' + dim:<34}{t_ops * 1e3:>12.1f}{t_ref * 1e3:>10.1f}"
                f"{t_ref / t_ops:>9.1f}{t_copy / t_ops:>11.0%}"
            )


if __name__ == "__main__":
    main()
