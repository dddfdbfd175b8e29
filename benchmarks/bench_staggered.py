"""Corner vorticity and centre divergence on a C grid: fieldops vs xgcm, numpy and Dask.

Run: ``python -m benchmarks.bench_staggered [--nx 1440 --ny 1080 --nz 50] [--repeat 3]``.

The grid is a stretched NEMO ``mesh_mask`` (``fieldops.staggered.samples``) with a
masked basin; u and v are float32 ``(z, y, x)`` fields. Contenders, all measured
in this run:

- ``fieldops``: ``grid.vorticity(u, v)`` (F points, coast rule) and
  ``grid.divergence(u, v)`` (T points);
- ``xgcm``: the recipes ``(diff(v*e2v, X) - diff(u*e1u, Y)) / e1e2f`` and
  ``(diff(u*e2u, X) + diff(v*e1v, Y)) / e1e2t`` with ``padding="fill"`` (no coast
  rule: it does less);
- on Dask, chunks along x and y (``--chunk-y``, ``--chunk-x``, z whole): the time
  to build the graph (median of ``--repeat`` builds after a first one), its task
  count, and the compute time (threaded scheduler),
  every block stored into one preallocated array (``dask.array.store``, as a write
  to zarr would; ``.compute()`` adds a gather of the blocks, ~0.3 s here, alike for
  both);
- the Dask inputs twice: ``u.chunk()`` of the in-memory field ("views": every block a
  strided view of the one array) and the same blocks copied into arrays of their own
  and persisted ("own blocks": what a zarr or netCDF read gives);
- ``copy``: ``np.copyto`` of u into a fresh array (the machine's copy bandwidth);
  "of copy bw" counts the arrays each operator moves (u, v in, one out: 3, a copy 2).
"""

from __future__ import annotations

import argparse

import dask.array as dsa
import numpy as np
import xarray as xr

import fieldops
from benchmarks.timing import median_time
from fieldops.staggered import samples


def build(nx: int, ny: int, nz: int):
    wet = np.ones((ny, nx), bool)
    wet[[0, -1], :] = wet[:, [0, -1]] = False
    wet[ny // 3 : ny // 2, nx // 4 : nx // 3] = False  # a continent
    mesh = samples.nemo_mesh(nx, ny, dx=25e3, dy=25e3, stretch=0.3, mask=wet)
    rng = np.random.default_rng(0)
    shape = (nz, ny, nx)
    u = xr.DataArray(rng.standard_normal(shape, np.float32), dims=("depthu", "y", "x"), name="u")
    v = xr.DataArray(rng.standard_normal(shape, np.float32), dims=("depthv", "y", "x"), name="v")
    return mesh, u, v


def xgcm_setup(mesh):
    import xgcm

    ds = xr.Dataset(
        coords={
            "x_c": np.arange(mesh.sizes["x"]),
            "x_f": np.arange(mesh.sizes["x"]) + 0.5,
            "y_c": np.arange(mesh.sizes["y"]),
            "y_f": np.arange(mesh.sizes["y"]) + 0.5,
        }
    )
    coords = {"X": {"center": "x_c", "right": "x_f"}, "Y": {"center": "y_c", "right": "y_f"}}
    grid = xgcm.Grid(ds, coords=coords, autoparse_metadata=False)

    def m(name, y, x):
        return mesh[name].squeeze("t", drop=True).reset_coords(drop=True).rename(y=y, x=x)

    metrics = {
        "e1u": m("e1u", "y_c", "x_f").astype(np.float32),
        "e2u": m("e2u", "y_c", "x_f").astype(np.float32),
        "e1v": m("e1v", "y_f", "x_c").astype(np.float32),
        "e2v": m("e2v", "y_f", "x_c").astype(np.float32),
        "e1e2f": (m("e1f", "y_f", "x_f") * m("e2f", "y_f", "x_f")).astype(np.float32),
        "e1e2t": (m("e1t", "y_c", "x_c") * m("e2t", "y_c", "x_c")).astype(np.float32),
    }
    fill = {"padding": "fill", "fill_value": 0.0}

    def vorticity(u, v):
        xu, xv = u.rename(depthu="z", y="y_c", x="x_f"), v.rename(depthv="z", y="y_f", x="x_c")
        dv = grid.diff(xv * metrics["e2v"], "X", **fill)
        du = grid.diff(xu * metrics["e1u"], "Y", **fill)
        return (dv - du) / metrics["e1e2f"]

    def divergence(u, v):
        xu, xv = u.rename(depthu="z", y="y_c", x="x_f"), v.rename(depthv="z", y="y_f", x="x_c")
        du = grid.diff(xu * metrics["e2u"], "X", **fill)
        dv = grid.diff(xv * metrics["e1v"], "Y", **fill)
        return (du + dv) / metrics["e1e2t"]

    return {"vorticity": vorticity, "divergence": divergence}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nx", type=int, default=1440)
    parser.add_argument("--ny", type=int, default=1080)
    parser.add_argument("--nz", type=int, default=50)
    parser.add_argument("--chunk-y", type=int, default=270)
    parser.add_argument("--chunk-x", type=int, default=360)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mesh, u, v = build(args.nx, args.ny, args.nz)
    grid = fieldops.staggered_grid(mesh)
    try:
        peers = xgcm_setup(mesh)
    except ImportError:
        peers = {}
    copy_t = median_time(lambda: np.copyto(np.empty_like(u.values), u.values), args.repeat)
    mb = u.nbytes / 1e6
    shape = f"{args.nz}x{args.ny}x{args.nx}"
    print(f"C grid {shape} float32 ({mb:.0f} MB a field); copy {copy_t * 1e3:.0f} ms")
    print("in memory:")
    for op in ("vorticity", "divergence"):
        ours = getattr(grid, op)
        t = median_time(lambda ours=ours: ours(u, v).values, args.repeat)
        line = f"  {op:10s} fieldops {t * 1e3:7.0f} ms ({copy_t * 1.5 / t:.0%} of copy bw)"
        if op in peers:
            p = median_time(lambda op=op: peers[op](u, v).values, args.repeat)
            line += f"   xgcm {p * 1e3:7.0f} ms   xgcm / fieldops {p / t:.1f}x"
        print(line)
    chunks = {"y": args.chunk_y, "x": args.chunk_x}
    ud, vd = u.chunk(chunks), v.chunk(chunks)
    print(f"Dask, chunks {chunks} ({ud.data.npartitions} per field, threaded scheduler):")
    _dask_rows(grid, peers, ud, vd, args.repeat, "views")
    # Blocks as a file gives them (contiguous arrays of their own), held in memory.
    up = ud.copy(data=ud.data.map_blocks(np.ascontiguousarray).persist())
    vp = vd.copy(data=vd.data.map_blocks(np.ascontiguousarray).persist())
    _dask_rows(grid, peers, up, vp, args.repeat, "own blocks")


def _dask_rows(grid, peers, ud, vd, repeat: int, label: str) -> None:
    for op in ("vorticity", "divergence"):
        rows = {"fieldops": getattr(grid, op)}
        if op in peers:
            rows["xgcm"] = peers[op]
        result = {}
        for who, func in rows.items():
            lazy = func(ud, vd)
            # median of several builds (the first call of a grid hashes its metrics once)
            build_t = median_time(lambda func=func: func(ud, vd), repeat)
            graph = lazy.data.__dask_graph__()
            tasks = len(graph)  # every task, the inputs' included
            rechunk = any("rechunk" in str(name) for name in graph.layers)
            target = np.empty(lazy.shape, lazy.dtype)
            target.fill(0)  # fault the pages in once, outside the timing

            def store(lazy=lazy, target=target):
                dsa.store(lazy.data, target, lock=False)

            t = median_time(store, repeat)
            result[who] = (t, tasks, build_t)
            print(
                f"  {label:10s} {op:10s} {who:8s} compute {t * 1e3:7.0f} ms  tasks {tasks:5d}  "
                f"graph built in {build_t * 1e3:6.1f} ms  rechunk {rechunk}"
            )
        if "xgcm" in result:
            (t, n, b), (pt, pn, pb) = result["fieldops"], result["xgcm"]
            print(
                f"  {label:10s} {op:10s} xgcm / fieldops: time {pt / t:.1f}x, tasks {pn / n:.1f}x, "
                f"graph build {pb / b:.1f}x"
            )


if __name__ == "__main__":
    main()
