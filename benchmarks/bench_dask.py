"""fieldops on Dask at scale: a 512 MiB field, a 2 GiB netCDF file, a LocalCluster.

Run: ``python -m benchmarks.bench_dask`` (all parts, about 3-4 minutes on 2 cores,
~2.5 GB of RAM and 6 GiB of space under ``--tmp`` at the worst moment; the files
are deleted at the end). ``--part field|file|cluster`` runs one part; ``--small``
runs everything on small sizes as a smoke test.

field
    A 3-D float64 field (``--field-mib``, 512 MiB by default) in 32 MiB chunks,
    differentiated along a chunked axis (two chunks along ``y``): fieldops on
    Dask against in-memory fieldops, ``xarray.DataArray.differentiate``,
    ``dask.array.gradient`` and xgcm's ``Grid.derivative``, in one run. Dask
    results are *persisted* (computed into chunks held in memory), so no peer
    pays for gathering them into one array. Also: graph-build time and task
    count, and a sweep of chunk sizes (the advice in ``docs/dask.md``).
    ``grad``/``laplacian`` are timed too as soon as fieldops has them.
file
    A generated netCDF4 file (``--file-gib``, 2 GiB by default, 8 MiB storage
    chunks): open, differentiate, write (``fieldops.process``) against a plain
    read + write of the same bytes through the same path, each in a fresh
    process, with its peak RSS. The file was just written, so it is read from
    the page cache in both cases.
cluster
    The same two jobs on a ``LocalCluster`` (2 worker processes x 1 thread)
    against the threaded scheduler (2 threads).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dask
import dask.array as dsa
import numpy as np
import xarray as xr

import fieldops

HERE = Path(__file__).resolve()


def best_time(func, repeat: int) -> float:
    """Best wall time of ``func()`` over ``repeat`` runs after one warm-up.

    The best, not the median: on a shared machine the other users' load only
    ever adds time.
    """
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def persist(obj) -> None:
    """Compute a lazy result into chunks held in memory, then drop them."""
    data = obj.data if isinstance(obj, xr.DataArray) else obj
    (done,) = dask.persist(data)
    del done


# --------------------------------------------------------------------------- field


def make_field(mib: int, chunk_mib: int) -> tuple[xr.DataArray, xr.DataArray]:
    ny = nx = 1024 if mib >= 64 else 256
    nt = max(2, mib * 2**20 // (8 * ny * nx))
    data = np.random.default_rng(0).normal(size=(nt, ny, nx))
    coords = {"t": np.arange(nt), "y": np.arange(ny) * 1000.0, "x": np.arange(nx) * 1000.0}
    eager = xr.DataArray(data, dims=("t", "y", "x"), coords=coords, name="f")
    ct = max(1, chunk_mib * 2**20 // (8 * (ny // 2) * nx))
    lazy = eager.chunk({"t": ct, "y": ny // 2, "x": nx})
    # Chunks held as their own contiguous arrays, as after reading from storage
    # (not views into one big array).
    lazy = lazy.copy(data=lazy.data.map_blocks(np.ascontiguousarray).persist())
    return eager, lazy


def xgcm_derivative(lazy: xr.DataArray):
    import xgcm

    y = lazy.y.values
    dy = float(y[1] - y[0])
    ds = xr.Dataset(
        {"f": lazy},
        coords={"y_g": ("y_g", y - dy / 2), "dy": ("y_g", np.full(y.size, dy))},
    )
    grid = xgcm.Grid(
        ds,
        coords={"Y": {"center": "y", "left": "y_g"}},
        metrics={("Y",): ["dy"]},
        autoparse_metadata=False,
        padding="extend",
    )
    return lambda: grid.derivative(ds.f, "Y")


def part_field(args) -> None:
    import warnings

    eager, lazy = make_field(args.field_mib, args.chunk_mib)
    nbytes = eager.nbytes
    print(
        f"\n## field: {eager.shape} float64, {nbytes / 2**20:.0f} MiB, "
        f"chunks {lazy.data.chunksize} ({lazy.data.nbytes / lazy.data.npartitions / 2**20:.0f}"
        f" MiB, {lazy.data.npartitions} chunks, y in {len(lazy.chunks[1])}); "
        f"{fieldops.get_num_threads()} threads"
    )
    dy = float(eager.y[1] - eager.y[0])
    builders = {
        "fieldops diff (dask)": lambda: fieldops.diff(lazy, "y"),
        "xarray differentiate": lambda: lazy.differentiate("y"),
        "dask.array.gradient": lambda: dsa.gradient(lazy.data, dy, axis=1),
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            builders["xgcm derivative"] = xgcm_derivative(lazy)
    except ImportError:
        print("(xgcm not installed: pip install xgcm)")
    # Hook: the vector operators of issue 3, timed as soon as they exist.
    extra = {}
    if hasattr(fieldops, "grad"):
        extra["fieldops grad y,x"] = (
            lambda: fieldops.grad(lazy, ["y", "x"]),
            lambda: fieldops.grad(eager, ["y", "x"]),
        )
    if hasattr(fieldops, "laplacian"):
        extra["fieldops laplacian y,x"] = (
            lambda: fieldops.laplacian(lazy, ["y", "x"]),
            lambda: fieldops.laplacian(eager, ["y", "x"]),
        )

    t_mem = best_time(lambda: fieldops.diff(eager, "y"), args.repeat)
    t_copy = best_time(eager.values.copy, args.repeat)
    print(f"in-memory fieldops diff y: {t_mem * 1e3:.0f} ms; numpy copy {t_copy * 1e3:.0f} ms")
    print()
    print("| case | build ms | tasks | compute ms | x in-memory fieldops | fieldops faster by |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, build in builders.items():
            t_build = best_time(build, args.repeat)
            built = build()
            built = built.data if isinstance(built, xr.DataArray) else built
            ntasks = len(dict(built.__dask_graph__()))
            t_run = best_time(lambda build=build: persist(build()), args.repeat)
            results[name] = (t_build, ntasks, t_run)
    ours = results["fieldops diff (dask)"][2]
    for name, (t_build, ntasks, t_run) in results.items():
        faster = "" if name.startswith("fieldops") else f"{t_run / ours:.1f}x"
        print(
            f"| {name} | {t_build * 1e3:.2f} | {ntasks} | {t_run * 1e3:.0f} | "
            f"{t_run / t_mem:.2f} | {faster} |"
        )
    for name, (lazy_fn, eager_fn) in extra.items():
        t_l = best_time(lambda lazy_fn=lazy_fn: persist(lazy_fn()), args.repeat)
        t_e = best_time(eager_fn, args.repeat)
        print(f"| {name} | | | {t_l * 1e3:.0f} | {t_l / t_e:.2f} (in-memory {t_e * 1e3:.0f}) | |")

    print("\nchunk-size sweep, fieldops diff (dask, persisted), threaded scheduler:")
    print("| chunk MiB | chunks | diff y (split in 2) ms | diff x (one chunk) ms | x in-memory |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    ny, nx = eager.shape[1:]
    for cmib in args.sweep:
        ct = max(1, cmib * 2**20 // (8 * (ny // 2) * nx))
        arr = eager.chunk({"t": ct, "y": ny // 2, "x": nx})
        arr = arr.copy(data=arr.data.map_blocks(np.ascontiguousarray).persist())
        t_y = best_time(lambda arr=arr: persist(fieldops.diff(arr, "y")), args.repeat)
        t_x = best_time(lambda arr=arr: persist(fieldops.diff(arr, "x")), args.repeat)
        real = arr.data.nbytes / arr.data.npartitions / 2**20
        print(
            f"| {real:.0f} | {arr.data.npartitions} | {t_y * 1e3:.0f} | {t_x * 1e3:.0f} | "
            f"{t_y / t_mem:.2f} |"
        )


# --------------------------------------------------------------------------- file


def make_file(path: Path, gib: float) -> dict:
    """A netCDF4 float64 file ``(time, 1024, 1024)``, one 8 MiB storage chunk per step."""
    import netCDF4

    ny = nx = 1024 if gib >= 0.25 else 256
    nt = max(2, int(gib * 2**30) // (8 * ny * nx))
    rng = np.random.default_rng(0)
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("time", nt)
        nc.createDimension("y", ny)
        nc.createDimension("x", nx)
        for name, n, step in (("time", nt, 3600.0), ("y", ny, 1000.0), ("x", nx, 1000.0)):
            v = nc.createVariable(name, "f8", (name,))
            v[:] = np.arange(n) * step
            v.units = "s" if name == "time" else "m"
        t = nc.createVariable("t", "f8", ("time", "y", "x"), chunksizes=(1, ny, nx))
        t.units = "K"
        base = rng.normal(size=(ny, nx))
        for k in range(nt):
            t[k] = base + k
    return {"shape": (nt, ny, nx), "bytes": nt * ny * nx * 8}


def peak_rss() -> int:
    """Peak resident memory of this process in bytes (VmHWM: reset by exec, unlike
    ``getrusage``'s ``ru_maxrss``, which a child inherits from its parent)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_file_case(case: str, src: str, out: str, cluster: bool, target_mib: int) -> dict:
    """One file job in this process; returns its wall time and peak RSS."""
    client = None
    if cluster:
        from distributed import Client, LocalCluster

        client = Client(
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        )
    else:
        dask.config.set(scheduler="threads", num_workers=2)
    target = target_mib * 2**20
    start = time.perf_counter()
    if case == "plain":
        with fieldops.open_dataset(src, target_chunk_bytes=target) as ds:
            fieldops.write(ds, out)
    elif case == "diff":
        op = functools.partial(fieldops.diff, dim="y")
        fieldops.process(src, op, output=out, dims=["y"], target_chunk_bytes=target)
    elif case == "grad":
        # Two outputs (d/dy, d/dx): fieldops.grad once it exists, else two diffs.
        if hasattr(fieldops, "grad"):
            op = functools.partial(fieldops.grad, dims=["y", "x"])
        else:

            def op(ds):
                return xr.merge([fieldops.diff(ds, "y"), fieldops.diff(ds, "x")])

        fieldops.process(src, op, output=out, dims=["y", "x"], target_chunk_bytes=target)
    else:
        raise ValueError(case)
    wall = time.perf_counter() - start
    rss = peak_rss()
    worker_rss = 0
    if client is not None:
        import psutil

        worker_rss = max(
            psutil.Process(p).memory_info().rss for p in client.run(os.getpid).values()
        )
        client.close()
    return {"wall": wall, "rss": rss, "worker_rss": worker_rss, "out": os.path.getsize(out)}


def file_case(case: str, src: Path, out: Path, target_mib: int, *, cluster: bool = False) -> dict:
    cmd = [sys.executable, str(HERE), "--file-case", case, str(src), str(out)]
    cmd += ["--target-mib", str(target_mib)]
    if cluster:
        cmd.append("--cluster")
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode:
        sys.exit(f"{case} failed:\n{res.stdout}\n{res.stderr}")
    out.unlink()
    return json.loads(res.stdout.strip().splitlines()[-1])


def part_file(args, folder: Path) -> None:
    src = folder / "bench_in.nc"
    start = time.perf_counter()
    info = make_file(src, args.file_gib)
    size = info["bytes"]
    print(
        f"\n## file: netCDF4 {info['shape']} float64, {size / 2**30:.2f} GiB "
        f"(generated in {time.perf_counter() - start:.0f} s), storage chunks 8 MiB, "
        f"Dask chunks {args.target_mib} MiB"
    )
    print("\n| job (threaded, 2 threads) | wall s | x plain read+write | GB/s in | peak RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    # Interleaved and repeated: the best of each, so that other users' load on
    # the disk and the cores hits every case alike.
    best: dict[str, dict] = {}
    for _ in range(args.file_repeat):
        for case in ("plain", "diff", "grad"):
            r = file_case(case, src, folder / "bench_out.nc", args.target_mib)
            if case not in best or r["wall"] < best[case]["wall"]:
                best[case] = r
    plain = best["plain"]["wall"]
    for case, r in best.items():
        print(
            f"| {case} | {r['wall']:.1f} | {r['wall'] / plain:.2f} | "
            f"{size / r['wall'] / 1e9:.2f} | {r['rss'] / 2**20:.0f} "
            f"({r['rss'] / size:.0%} of file) |"
        )
    if args.part in ("all", "cluster"):
        print("\n| same job | threaded s | LocalCluster 2x1 s | cluster peak worker RSS MiB |")
        print("| --- | ---: | ---: | ---: |")
        for case in ("plain", "diff"):
            t = file_case(case, src, folder / "bench_out.nc", args.target_mib)
            c = file_case(case, src, folder / "bench_out.nc", args.target_mib, cluster=True)
            print(
                f"| {case} {size / 2**30:.2f} GiB netCDF | {t['wall']:.1f} | {c['wall']:.1f} | "
                f"{c['worker_rss'] / 2**20:.0f} |"
            )
    src.unlink()


def part_cluster(args) -> None:
    """In-memory job: a random field made on the workers, differentiated, reduced."""
    from distributed import Client, LocalCluster

    mib = args.field_mib
    ny = nx = 1024 if mib >= 64 else 256
    nt = max(2, mib * 2**20 // (8 * ny * nx))
    ct = max(1, args.chunk_mib * 2**20 // (8 * (ny // 2) * nx))

    def job(diff: bool):
        data = dsa.random.default_rng(0).standard_normal((nt, ny, nx), chunks=(ct, ny // 2, nx))
        lazy = xr.DataArray(data, dims=("t", "y", "x"))
        res = fieldops.diff(lazy, "y") if diff else lazy
        return float(abs(res).mean().compute())

    times = {}
    with dask.config.set(scheduler="threads", num_workers=2):
        times["threads"] = [best_time(lambda d=d: job(d), args.repeat) for d in (False, True)]
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster),
    ):
        times["cluster"] = [best_time(lambda d=d: job(d), args.repeat) for d in (False, True)]
    print(f"\n## cluster: random {mib} MiB field, {ct}x{ny // 2}x{nx} chunks, reduced to a mean")
    print("| scheduler | generate + mean s | generate + diff y + mean s | diff's share s |")
    print("| --- | ---: | ---: | ---: |")
    for name, label in (
        ("threads", "threaded (2 threads)"),
        ("cluster", "LocalCluster (2 processes x 1 thread)"),
    ):
        base, full = times[name]
        print(f"| {label} | {base:.2f} | {full:.2f} | {full - base:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["all", "field", "file", "cluster"], default="all")
    parser.add_argument("--field-mib", type=int, default=512)
    parser.add_argument("--chunk-mib", type=int, default=32)
    parser.add_argument("--sweep", type=int, nargs="*", default=[4, 16, 32, 64, 128])
    parser.add_argument("--file-gib", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--file-repeat", type=int, default=2, help="file part: runs per case")
    parser.add_argument("--target-mib", type=int, default=32, help="file part: Dask chunk size")
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--small", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument(
        "--file-case", nargs=3, metavar=("CASE", "SRC", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--cluster", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.file_case:
        print(
            json.dumps(
                run_file_case(*args.file_case, cluster=args.cluster, target_mib=args.target_mib)
            )
        )
        return
    if args.small:
        args.field_mib, args.chunk_mib, args.file_gib, args.repeat = 16, 2, 0.05, 1
        args.file_repeat = 1
        args.sweep = [1, 4]
    print(f"fieldops {fieldops.__version__}, dask {dask.__version__}, {os.cpu_count()} cores")
    if args.part in ("all", "field"):
        part_field(args)
    if args.part in ("all", "cluster"):
        part_cluster(args)
    if args.part in ("all", "file", "cluster"):
        folder = Path(tempfile.mkdtemp(prefix="fieldops-bench-", dir=args.tmp))
        try:
            part_file(args, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
