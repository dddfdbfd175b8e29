"""diff along each axis of a 4000x4000 float64 DataArray vs numpy.gradient and a copy.

Run: ``python -m benchmarks.bench_diff [--size 4000] [--repeat 7]``. Prints the median
of ``--repeat`` runs after a warm-up, and ratios measured in the same run: the
speed-up over numpy.gradient, and the fraction of copy bandwidth (a plain
``array.copy()`` of the same bytes moves one read and one write, as diff does).
"""

from __future__ import annotations

import argparse

import numpy as np
import xarray as xr

import fieldops
from benchmarks.timing import median_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    n = args.size
    data = np.random.default_rng(0).normal(size=(n, n))
    da = xr.DataArray(
        data, dims=("y", "x"), coords={"y": np.arange(n) * 0.5, "x": np.arange(n) * 0.25}
    )
    t_copy = median_time(data.copy, args.repeat)
    print(f"{n}x{n} float64, {fieldops.get_num_threads()} threads; copy {t_copy * 1e3:.1f} ms")
    print(f"{'case':<28}{'fieldops ms':>12}{'numpy ms':>10}{'x numpy':>9}{'of copy bw':>12}")
    for axis, dim in enumerate(da.dims):
        spacing = float(da[dim][1] - da[dim][0])
        for accuracy in (2, 6):
            t_ops = median_time(
                lambda d=dim, a=accuracy: fieldops.diff(da, d, accuracy=a), args.repeat
            )
            t_np = median_time(lambda s=spacing, a=axis: np.gradient(data, s, axis=a), args.repeat)
            print(
                f"{'diff ' + dim + ' acc ' + str(accuracy):<28}{t_ops * 1e3:>12.1f}"
                f"{t_np * 1e3:>10.1f}{t_np / t_ops:>9.1f}{t_copy / t_ops:>11.0%}"
            )


if __name__ == "__main__":
    main()
