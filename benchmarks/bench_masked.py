"""Gap-aware derivatives (nan_policy="omit") against the plain kernel on the same data.

Run from the repository root: ``python -m benchmarks.bench_masked [--size 4000]
[--repeat 7]``. A field with an irregular "coastline" (about 40% of it NaN "land",
islands included) is differentiated along each axis with ``nan_policy="propagate"``
and ``"omit"``; the ratio is omit's time over propagate's (aim: under 2). The two
are called in turns, so that a change of the machine's load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from functools import partial

import numpy as np
import xarray as xr

import fieldops


def median_times(funcs, repeat: int) -> list[float]:
    """Median wall time of each of ``funcs``, called in turns, after one warm-up each."""
    for func in funcs:
        func()
    times = [[] for _ in funcs]
    for _ in range(repeat):
        for func, spent in zip(funcs, times):
            start = time.perf_counter()
            func()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def sea(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``X, Y`` on the unit square and True over the sea: an irregular coast, 40 islands."""
    x = np.linspace(0, 1, n)
    X, Y = np.meshgrid(x, x)
    theta = np.arctan2(Y - 0.5, X - 0.5)
    wet = np.hypot(X - 0.5, Y - 0.5) < 0.45 + 0.05 * np.sin(7 * theta)
    rng = np.random.default_rng(0)
    for cx, cy, r in rng.uniform([0.2, 0.2, 0.005], [0.8, 0.8, 0.03], size=(40, 3)):
        wet &= np.hypot(X - cx, Y - cy) > r
    return X, Y, wet


def coast_field(n: int) -> xr.DataArray:
    """A smooth field with NaN over an irregular land mass and islands."""
    x = np.linspace(0, 1, n)
    X, Y, sea_cells = sea(n)
    data = np.where(sea_cells, np.sin(3 * X) * np.cos(2 * Y), np.nan)
    return xr.DataArray(data, dims=("y", "x"), coords={"y": x, "x": x})


def cases(da: xr.DataArray) -> dict[str, object]:
    """Row name: a function of ``nan_policy`` that runs the row's call."""
    rows = {}
    for dim in ("y", "x"):
        for accuracy in (2, 4):
            rows[f"diff {dim} acc {accuracy}"] = partial(fieldops.diff, da, dim, accuracy=accuracy)
    rows["grad (2 outputs)"] = partial(fieldops.grad, da)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--dtype", default="float64")
    args = parser.parse_args()
    da = coast_field(args.size).astype(args.dtype)
    land = float(np.isnan(da).mean())
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"{args.size}x{args.size} {args.dtype}, {land:.0%} NaN, "
        f"{fieldops.get_num_threads()} threads, load average {load}"
    )
    print(f"{'case':<24}{'propagate ms':>14}{'omit ms':>10}{'omit/propagate':>16}")
    for name, call in cases(da).items():
        t_prop, t_omit = median_times(
            [partial(call, nan_policy="propagate"), partial(call, nan_policy="omit")], args.repeat
        )
        print(f"{name:<24}{t_prop * 1e3:>14.1f}{t_omit * 1e3:>10.1f}{t_omit / t_prop:>16.2f}")


if __name__ == "__main__":
    main()
