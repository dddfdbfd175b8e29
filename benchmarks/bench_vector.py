"""Fused vector operators on a 4000x4000 float64 DataArray vs numpy, scipy and a copy.

Run: ``python -m benchmarks.bench_vector [--size 4000] [--repeat 7]``. Prints the median
of ``--repeat`` runs after a warm-up, all measured in one run:

- ``fieldops.grad`` (2 outputs) against ``numpy.gradient`` on both axes;
- ``fieldops.laplacian`` against ``scipy.ndimage.laplace`` (same 5-point stencil);
- the 2-D Hessian: the fused kernel's three distinct entries (one read, three writes)
  and ``fieldops.hessian`` itself, whose ``(component, wrt)`` DataArray holds all four
  (the symmetric entry is written twice);
- ``of copy bw``: the fraction of a plain ``array.copy()``'s bandwidth reached, counting
  the bytes each one really moves (a copy moves 2 arrays: one read, one write; the
  gradient 3, the Laplacian 2, the 3-entry Hessian 4, the 2x2 one 5).

A second table times the fused kernel alone, one thread, writing into outputs allocated
and touched beforehand, against ``np.copyto`` into a touched array: what the kernels
reach once the cost of faulting in fresh output pages is taken out.
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.ndimage
import xarray as xr

import fieldops
from benchmarks.timing import median_time
from fieldops.stencils.fused import Plan, Term, _plan_arrays, apply_fused, fused_rows
from fieldops.stencils.weights import build_stencil


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    n = args.size
    data = np.random.default_rng(0).normal(size=(n, n))
    dy, dx = 0.5, 0.25
    da = xr.DataArray(
        data, dims=("y", "x"), coords={"y": np.arange(n) * dy, "x": np.arange(n) * dx}
    )
    sy = {k: build_stencil(da.y.values, k, 2, "one_sided") for k in (1, 2)}
    sx = {k: build_stencil(da.x.values, k, 2, "one_sided") for k in (1, 2)}
    hess3 = Plan(
        (
            (Term(0, 1.0, ((0, sy[2]),)),),
            (Term(0, 1.0, ((0, sy[1]), (1, sx[1]))),),
            (Term(0, 1.0, ((1, sx[2]),)),),
        )
    )
    t_copy = median_time(data.copy, args.repeat)
    cases = [
        ("grad (2 outputs)", 3, lambda: fieldops.grad(da), "numpy.gradient",
         lambda: np.gradient(data, dy, dx)),
        ("laplacian", 2, lambda: fieldops.laplacian(da, boundary="mirror"),
         "ndimage.laplace", lambda: scipy.ndimage.laplace(data, mode="mirror")),
        ("hessian kernel (3 outputs)", 4, lambda: apply_fused(data[None], hess3), None, None),
        ("hessian DataArray (2x2)", 5, lambda: fieldops.hessian(da), None, None),
    ]  # fmt: skip
    print(f"{n}x{n} float64, {fieldops.get_num_threads()} threads; copy {t_copy * 1e3:.1f} ms")
    print(f"{'case':<28}{'fieldops ms':>12}{'other':>17}{'other ms':>10}{'x other':>9}"
          f"{'of copy bw':>12}")  # fmt: skip
    for name, arrays, func, other_name, other in cases:
        t_ops = median_time(func, args.repeat)
        bw = arrays / 2 * t_copy / t_ops
        line = f"{name:<28}{t_ops * 1e3:>12.1f}"
        if other is not None:
            t_other = median_time(other, args.repeat)
            line += f"{other_name:>17}{t_other * 1e3:>10.1f}{t_other / t_ops:>9.1f}"
        else:
            line += f"{'':>17}{'':>10}{'':>9}"
        print(line + f"{bw:>11.0%}")

    # Kernel alone: one thread, outputs already faulted in, against an in-place copy.
    dst = np.zeros_like(data)
    t_copyto = median_time(lambda: np.copyto(dst, data), args.repeat)
    grad = Plan(((Term(0, 1.0, ((0, sy[1]),)),), (Term(0, 1.0, ((1, sx[1]),)),)))
    lap = Plan(((Term(0, 1.0, ((0, sy[2]),)), Term(0, 1.0, ((1, sx[2]),))),))
    f5 = data.reshape(1, 1, 1, n, n)
    zero = np.zeros(3, dtype=np.int64)
    print(
        f"\nkernel alone, 1 thread, outputs touched beforehand; np.copyto {t_copyto * 1e3:.1f} ms"
    )
    print(f"{'kernel':<28}{'ms':>12}{'of copy bw':>12}")
    for name, plan, arrays in (("grad", grad, 3), ("laplacian", lap, 2), ("hessian 3", hess3, 4)):
        out = np.zeros((len(plan.slots), 1, 1, n, n))
        tables = _plan_arrays(plan, {0: 1, 1: 2}, np.dtype(np.float64))

        def run(out=out, tables=tables):
            fused_rows(f5, out, *tables, zero, zero, zero, 0, n, np.nan)

        t_k = median_time(run, args.repeat)
        print(f"{name:<28}{t_k * 1e3:>12.1f}{arrays / 2 * t_copyto / t_k:>11.0%}")


if __name__ == "__main__":
    main()
