"""Where the time of one derivative goes: kernel, allocation, xarray wrapping.

    python -m benchmarks.profile [--size 4000] [--repeat 9]

For ``diff`` of a 2-D float64/float32 field along each axis, times in one
round-robin run: the kernel writing into an output that exists already (no
page faults), the array core (``np.empty`` + the kernel: a fresh output's page
faults are paid on first write), and the full ``fieldops.diff`` (plus the
xarray wrapping); next to a copy into an existing array, a fresh copy on the
same threads, and numpy.gradient.
"""

from __future__ import annotations

import argparse

import numpy as np

from benchmarks import data, timing


def _contenders(arr, axis, st, reused, da, dim, acc, spacing, threads) -> dict:
    import fieldops
    from fieldops.stencils.apply import apply_stencil

    return {
        "kernel": lambda: apply_stencil(arr, axis, st, out=reused),
        "+alloc": lambda: apply_stencil(arr, axis, st),
        "diff": lambda: fieldops.diff(da, dim, accuracy=acc),
        "copyto": lambda: np.copyto(reused, arr),
        "copy": timing.threaded_copy(arr, threads),
        "np.grad": lambda: np.gradient(arr, spacing, axis=axis),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    import fieldops
    from fieldops.stencils.dispatch import stencil_for

    threads = fieldops.get_num_threads()
    print(f"{args.size}x{args.size}, fieldops threads {threads}; ms, median of {args.repeat}")
    head = ["kernel", "+alloc", "diff", "copyto", "copy", "np.grad"]
    print(f"{'case':<18}" + "".join(f"{h:>9}" for h in head) + "   shares: kernel/alloc/wrap")
    for dtype in (np.float64, np.float32):
        d = data.plane(args.size / 4000, dtype)
        arr, da = d["np"], d["da"]
        reused = np.empty_like(arr)
        for axis, dim in enumerate(d["dims"]):
            for acc in (2, 6):
                st = stencil_for(da[dim].values, 1, acc, "one_sided")
                t = timing.measure(
                    _contenders(arr, axis, st, reused, da, dim, acc, d["dx"][dim], threads),
                    args.repeat,
                )
                k, a, w = t["kernel"], t["+alloc"] - t["kernel"], t["diff"] - t["+alloc"]
                name = f"{np.dtype(dtype).name} d/d{dim} acc {acc}"
                print(
                    f"{name:<18}"
                    + "".join(f"{t[h] * 1e3:>9.1f}" for h in head)
                    + f"   {k / t['diff']:.0%}/{a / t['diff']:.0%}/{w / t['diff']:.0%}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
