"""Gap-aware derivatives (nan_policy="omit") against the plain kernel on the same data.

Run: ``python benchmarks/bench_masked.py [--size 4000] [--repeat 5]``. A field with
an irregular "coastline" (about a third of it NaN "land", islands included) is
differentiated along each axis with ``nan_policy="propagate"`` and ``"omit"``;
the ratio is omit's time over propagate's (aim: under 2).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import xarray as xr

import fieldops


def median_time(func, repeat: int) -> float:
    """Median wall time of ``func()`` over ``repeat`` runs after one warm-up."""
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def coast_field(n: int) -> xr.DataArray:
    """A smooth field with NaN over an irregular land mass and islands."""
    x = np.linspace(0, 1, n)
    X, Y = np.meshgrid(x, x)
    theta = np.arctan2(Y - 0.5, X - 0.5)
    sea = np.hypot(X - 0.5, Y - 0.5) < 0.45 + 0.05 * np.sin(7 * theta)
    rng = np.random.default_rng(0)
    for cx, cy, r in rng.uniform([0.2, 0.2, 0.005], [0.8, 0.8, 0.03], size=(40, 3)):
        sea &= np.hypot(X - cx, Y - cy) > r
    data = np.where(sea, np.sin(3 * X) * np.cos(2 * Y), np.nan)
    return xr.DataArray(data, dims=("y", "x"), coords={"y": x, "x": x})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    da = coast_field(args.size)
    land = float(np.isnan(da).mean())
    print(f"{args.size}x{args.size} float64, {land:.0%} NaN, {fieldops.get_num_threads()} threads")
    print(f"{'case':<24}{'propagate ms':>14}{'omit ms':>10}{'omit/propagate':>16}")
    for dim in ("y", "x"):
        for accuracy in (2, 4):
            t_prop = median_time(lambda: fieldops.diff(da, dim, accuracy=accuracy), args.repeat)
            t_omit = median_time(
                lambda: fieldops.diff(da, dim, accuracy=accuracy, nan_policy="omit"), args.repeat
            )
            print(
                f"{'diff ' + dim + ' acc ' + str(accuracy):<24}{t_prop * 1e3:>14.1f}"
                f"{t_omit * 1e3:>10.1f}{t_omit / t_prop:>16.2f}"
            )
    t_prop = median_time(lambda: fieldops.grad(da), args.repeat)
    t_omit = median_time(lambda: fieldops.grad(da, nan_policy="omit"), args.repeat)
    print(f"{'grad (2 outputs)':<24}{t_prop * 1e3:>14.1f}{t_omit * 1e3:>10.1f}"
          f"{t_omit / t_prop:>16.2f}")


if __name__ == "__main__":
    main()
