"""Dask graphs of the spherical operators: build time, tasks per chunk, layer types.

Run: ``python -m benchmarks.bench_graph`` (graphs only, nothing computed; about a
minute, most of it counting the tasks of the 29,200-chunk graphs). ``--shape`` and
``--chunks`` change the lazy array (default: 87600 x 2160 x 4320 float32, ten
years of hourly 1/12-degree fields, 3.3 TB, in 24 x 1080 x 1080 chunks).
``--cluster`` instead writes a ~2 GB netCDF file to ``--tmp`` (``/tmp``), computes
the vorticity of its winds with the threaded scheduler (2 threads) and with a
2-worker ``LocalCluster`` (2 processes x 1 thread), prints both times and
deletes the file.

Graph numbers:

build s
    Wall time of the call that builds the result: the first call (what a job
    pays) and the best of ``--repeat``.
tasks/chunk
    Tasks of the whole graph (input included) over the input's chunks; counted
    after the layer types are read, since counting materialises the layers.
layers
    The graph's layer types, and how many of them were materialised (a dict of
    tasks) right after the call.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import dask
import dask.array as dsa
import numpy as np
import xarray as xr

import fieldops

OPS = {
    "grad, default dims": lambda f: fieldops.grad(f),
    "grad": lambda f: fieldops.grad(f, dims=["lat", "lon"]),
    "laplacian": lambda f: fieldops.laplacian(f, dims=["lat", "lon"]),
    "vorticity": lambda f: fieldops.vorticity(f.rename("u"), (f + 1).rename("v")),
    "divergence": lambda f: fieldops.divergence(f.rename("u"), (f + 1).rename("v")),
    "cartesian grad": lambda f: fieldops.grad(f, dims=["lat", "lon"], geometry="cartesian"),
    "xarray differentiate": lambda f: f.differentiate("lat"),
}


def lazy_field(shape, chunks) -> xr.DataArray:
    """A lazy global lat/lon float32 field (``da.zeros``: never read or computed)."""
    lat = np.linspace(-90, 90, shape[1])
    lon = np.arange(shape[2]) * 360.0 / shape[2]
    data = dsa.zeros(shape, chunks=chunks, dtype=np.float32)
    return xr.DataArray(
        data,
        dims=("time", "lat", "lon"),
        coords={"lat": lat, "lon": lon},
        name="f",
        attrs={"units": "m s-1"},
    )


def graph_row(name: str, f: xr.DataArray, repeat: int) -> dict:
    build = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = OPS[name](f)
        build.append(time.perf_counter() - t0)
    graph = out.data.__dask_graph__()
    kinds = Counter(type(layer).__name__ for layer in graph.layers.values())
    materialised = sum(
        not hasattr(layer, "is_materialized") or layer.is_materialized()
        for layer in graph.layers.values()
    )
    ntasks = sum(len(layer) for layer in graph.layers.values())
    return dict(
        op=name,
        build=f"{build[0]:.3f} / {min(build):.3f}",
        tasks=ntasks / f.data.npartitions,
        nlayers=len(graph.layers),
        kinds=", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        materialised=materialised,
    )


def part_graphs(args) -> None:
    f = lazy_field(args.shape, args.chunks)
    print(
        f"lazy float32 {'x'.join(map(str, args.shape))} in {f.data.npartitions} chunks of "
        f"{'x'.join(map(str, args.chunks))}; load: {os.getloadavg()[0]:.2f}\n"
    )
    print(
        "| operator | build s (first / best) | tasks/chunk | layers | layer types | materialised |"
    )
    print("|---|---:|---:|---:|---|---:|")
    for name in OPS:
        r = graph_row(name, f, args.repeat)
        print(
            f"| {r['op']} | {r['build']} | {r['tasks']:.1f} | {r['nlayers']} | "
            f"{r['kinds']} | {r['materialised']} |"
        )


def part_cluster(args) -> None:
    from distributed import Client, LocalCluster

    tmp = Path(tempfile.mkdtemp(prefix="fieldops-graph-", dir=args.tmp))
    path = tmp / "winds.nc"
    try:
        # u and v, each 240 x 721 x 1440 float32 (1.0 GB): 2 GB in all, written one
        # time step per task (never 2 GB in memory at once).
        nt, ny, nx = args.file_times, 721, 1440
        lat = np.linspace(-90, 90, ny)
        lon = np.arange(nx) * 0.25
        base = np.random.default_rng(0).standard_normal((ny, nx)).astype(np.float32)

        def step(block, i, block_id=None):
            return (base * np.float32(1 + i + block_id[0]))[None]

        zeros = dsa.zeros((nt, ny, nx), chunks=(1, ny, nx), dtype=np.float32)
        ds = xr.Dataset(
            {
                name: (("time", "lat", "lon"), zeros.map_blocks(step, i, dtype=np.float32))
                for i, name in enumerate(("u", "v"))
            },
            coords={"time": np.arange(nt), "lat": lat, "lon": lon},
        )
        for name in ("u", "v"):
            ds[name].attrs["units"] = "m s-1"
        enc = {v: {"chunksizes": (1, ny, nx)} for v in ("u", "v")}
        with dask.config.set(scheduler="threads", num_workers=2):
            ds.to_netcdf(path, encoding=enc)
        size = path.stat().st_size / 2**30
        print(f"netCDF file: {size:.2f} GiB, {nt} x {ny} x {nx} float32 u and v")
        chunks = {"time": 8, "lat": -1, "lon": -1}

        def job():
            with xr.open_dataset(path, chunks=chunks) as src:
                zeta = fieldops.vorticity(src.u, src.v)
                return float(zeta.mean().compute())

        with dask.config.set(scheduler="threads", num_workers=2):
            t0 = time.perf_counter()
            job()
            threaded = time.perf_counter() - t0
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster),
        ):
            t0 = time.perf_counter()
            job()
            clustered = time.perf_counter() - t0
        print(f"load before: {args.load}")
        print(f"| vorticity of the {size:.2f} GiB netCDF (open, compute, mean) | seconds |")
        print("|---|---:|")
        print(f"| threaded scheduler, 2 threads | {threaded:.1f} |")
        print(f"| LocalCluster, 2 processes x 1 thread | {clustered:.1f} |")
        print(f"load after: {os.getloadavg()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shape", type=int, nargs=3, default=[87600, 2160, 4320])
    p.add_argument("--chunks", type=int, nargs=3, default=[24, 1080, 1080])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cluster", action="store_true", help="the 2 GB LocalCluster run instead")
    p.add_argument("--file-times", type=int, default=240, help="time steps of the file")
    p.add_argument("--tmp", default="/tmp")
    args = p.parse_args()
    args.load = os.getloadavg()
    if args.cluster:
        part_cluster(args)
    else:
        part_graphs(args)


if __name__ == "__main__":
    main()
