"""Dask: the same numbers for any chunking, lazy, no rechunk, a few layers per operator."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.staggered import samples
from fieldops.staggered.blocks import Ext, materialize, run

MESHES = {
    "nemo": lambda s: samples.nemo_mesh(13, 11, stretch=s, mask=_island(11, 13)),
    "mom6": lambda s: samples.mom6_static(13, 11, stretch=s, mask=_island(11, 13)),
    "roms": lambda s: samples.roms_grid(13, 11, mask=_island(11, 13)),
    "mitgcm": lambda s: samples.mitgcm_grid(13, 11, stretch=s, mask=_island(11, 13)),
}


def _island(ny, nx):
    wet = np.ones((ny, nx), bool)
    wet[4:6, 5:8] = False
    return wet


def _field(grid, pos, rng, extra=3):
    ax, ay = grid.layout.axes["X"], grid.layout.axes["Y"]
    lx, ly = {"T": "cc", "U": "fc", "V": "cf", "F": "ff"}[pos]
    shape = (extra, ay.n if ly == "c" else ay.n_face, ax.n if lx == "c" else ax.n_face)
    return xr.DataArray(rng.normal(size=shape), dims=("time", *grid.dims[pos]), name=pos.lower())


def _chunking(rng, n):
    cuts = np.sort(
        rng.choice(np.arange(1, n), size=min(int(rng.integers(0, 4)), n - 1), replace=False)
    )
    return tuple(np.diff(np.concatenate([[0], cuts, [n]])).tolist())


OPS = {
    "diff-x": lambda g, f: g.diff(f["T"], "X", position="T"),
    "diff-y-from-face": lambda g, f: g.diff(f["V"], "Y", position="V"),
    "interp-x-from-face": lambda g, f: g.interp(f["U"], "X", position="U"),
    "interp-y": lambda g, f: g.interp(f["T"], "Y", position="T"),
    "divergence": lambda g, f: g.divergence(f["U"], f["V"]),
    "vorticity": lambda g, f: g.vorticity(f["U"], f["V"]),
    "vorticity-4": lambda g, f: g.vorticity(f["U"], f["V"], accuracy=4),
    "laplacian": lambda g, f: g.laplacian(f["T"]),
}


@pytest.mark.parametrize("mesh", sorted(MESHES))
@pytest.mark.parametrize("op", sorted(OPS))
def test_numpy_and_dask_agree_to_the_bit_for_random_chunkings(mesh, op):
    ds = MESHES[mesh](0.0 if op.endswith("4") else 0.2)  # accuracy 4: uniform widths
    periodic = "X" if mesh in ("nemo", "mitgcm") and "4" not in op else None
    grid = fieldops.staggered_grid(ds, periodic=periodic)
    rng = np.random.default_rng(zlib.crc32(f"{mesh}{op}".encode()))
    if op.endswith("4"):
        ds = ds.drop_vars([v for v in ds.variables if "mask" in v or "hFac" in v])
        grid = fieldops.staggered_grid(ds, metrics={})
    fields = {p: _field(grid, p, rng) for p in "TUV"}
    want = OPS[op](grid, fields)
    assert np.isfinite(want.values).sum() > want.size // 2
    for _ in range(4):
        chunked = {
            p: f.chunk({d: _chunking(rng, f.sizes[d]) for d in f.dims}) for p, f in fields.items()
        }
        got = OPS[op](grid, chunked)
        assert got.chunks is not None
        np.testing.assert_array_equal(got.values, want.values)
        assert got.dims == want.dims


@pytest.mark.parametrize("mesh", sorted(MESHES))
@pytest.mark.parametrize("op", ["divergence", "vorticity", "laplacian", "interp-x-from-face"])
@pytest.mark.parametrize("size", [(1, 1), (1, 99), (99, 1), (2, 3)])
def test_chunks_of_one_row_agree_to_the_bit(mesh, op, size):
    # A face axis of n + 1 chunked by ones ends in a chunk that is only its extra face:
    # no empty output block, no block without rows of its own reaching a kernel.
    grid = fieldops.staggered_grid(MESHES[mesh](0.2))
    rng = np.random.default_rng(zlib.crc32(f"{mesh}{op}{size}".encode()))
    fields = {p: _field(grid, p, rng) for p in "TUV"}
    want = OPS[op](grid, fields)
    chunked = {}
    for p, f in fields.items():
        y, x = grid.dims[p]
        chunked[p] = f.chunk({y: size[0], x: size[1]})
    np.testing.assert_array_equal(OPS[op](grid, chunked).values, want.values)


def test_chunks_kept_and_the_graph_is_a_few_layers(no_compute):
    ds = samples.mom6_static(40, 30, symmetric=True)
    grid = fieldops.staggered_grid(ds)
    rng = np.random.default_rng(0)
    u = _field(grid, "U", rng, 4).chunk({"time": 1, "yh": 10, "xq": 14})
    # the extra corner row in the last chunk: blocks line up, nothing is rechunked
    v = _field(grid, "V", rng, 4).chunk({"time": 1, "yq": (10, 10, 11), "xh": 14})
    zeta = grid.vorticity(u, v)
    # n + 1 corners: the extra one joins the last chunk
    assert zeta.chunks == ((1,) * 4, (10, 10, 11), (14, 14, 13))
    layers = zeta.data.dask.layers
    kinds = sorted(
        name.split("-")[2] if name.startswith("fieldops") else "input" for name in layers
    )
    assert kinds == ["input", "input", "vorticity", "vorticity", "vorticity", "vorticity"]
    assert not any("rechunk" in name for name in layers)
    parts = u.data.npartitions
    tasks = sum(len(layer) for name, layer in layers.items() if name.startswith("fieldops"))
    assert tasks <= 3 * parts + 9  # op + two edge layers + one metric piece per (y, x) block
    div = grid.divergence(u, v)
    assert div.chunks == ((1,) * 4, (10, 10, 10), (14, 14, 12))


def test_lazy_metrics_are_not_loaded(no_compute):
    ds = samples.nemo_mesh(20, 16).chunk({"x": 7, "y": 8})
    grid = fieldops.staggered_grid(ds)
    rng = np.random.default_rng(3)
    u = _field(grid, "U", rng).chunk({"x": 7, "y": 8})
    v = _field(grid, "V", rng).chunk({"x": 7, "y": 8})
    out = [
        grid.vorticity(u, v),
        grid.divergence(u, v),
        grid.laplacian(u.rename("t")),
        grid.diff(u, "X", position="U"),
    ]
    assert all(o.chunks[1:] == ((8, 8), (7, 7, 6)) for o in out)


def test_lazy_metrics_give_the_same_numbers():
    ds = samples.nemo_mesh(20, 16, mask=_island(16, 20))
    rng = np.random.default_rng(4)
    grid = fieldops.staggered_grid(ds)
    u, v = _field(grid, "U", rng), _field(grid, "V", rng)
    lazy = fieldops.staggered_grid(ds.chunk({"x": 7, "y": 5}))
    for op in ("vorticity", "divergence"):
        want = getattr(grid, op)(u, v).values
        np.testing.assert_array_equal(getattr(lazy, op)(u.chunk(x=6), v.chunk(y=4)).values, want)


@pytest.mark.parametrize(
    ("lo", "hi", "dn", "period"),
    [(-1, 1, 0, None), (0, 2, 0, None), (-1, 1, 1, None), (0, 2, -1, None), (-2, 2, 0, None)]
    + [(-1, 1, 0, 9), (0, 2, 0, 9), (-2, 2, 0, 9)],  # periodic axes have n faces
)
def test_extended_blocks_equal_the_whole_array(lo, hi, dn, period):
    import dask.array as dsa

    x = np.random.default_rng(5).normal(size=(4, 9))
    ext = Ext(axis=1, lo=lo, hi=hi, period=period, fill=np.nan)
    n_out = 9 + dn

    def kernel(e, threads):
        e = materialize(e)
        return e[:, hi - lo - 1 :] - e[:, : e.shape[1] - (hi - lo - 1)]

    want = run(kernel, [(x, (0, 1), ext)], (4, n_out), None, float, "t")
    for chunks in [(9,), (1,) * 9, (4, 5), (2, 3, 4)]:
        out_chunks = ((4,), (*chunks[:-1], chunks[-1] + dn))
        lazy = dsa.from_array(x, chunks=(4, chunks))
        got = run(kernel, [(lazy, (0, 1), ext)], (4, n_out), out_chunks, float, "t")
        np.testing.assert_array_equal(got.compute(), want)


def test_read_only_inputs():
    ds = MESHES["nemo"](0.2)
    grid = fieldops.staggered_grid(ds)
    rng = np.random.default_rng(6)
    u, v = _field(grid, "U", rng), _field(grid, "V", rng)
    want = grid.vorticity(u, v).values
    for a in (u, v):
        a.data.flags.writeable = False
    np.testing.assert_array_equal(grid.vorticity(u, v).values, want)
    lazy = grid.vorticity(u.chunk(y=4), v.chunk(x=5)).values
    np.testing.assert_array_equal(lazy, want)


def test_x_before_y_and_dims_after_them():
    ds = MESHES["mom6"](0.2)
    grid = fieldops.staggered_grid(ds)
    rng = np.random.default_rng(8)
    u, v = _field(grid, "U", rng), _field(grid, "V", rng)
    want = grid.vorticity(u, v)
    for order in (("xq", "yh", "time"), ("time", "xq", "yh")):
        uu = u.transpose(*order)
        vv = v.transpose(*[{"xq": "xh", "yh": "yq"}.get(d, d) for d in order])
        got = grid.vorticity(uu, vv)
        np.testing.assert_array_equal(got.transpose(*want.dims).values, want.values)
        lazy = grid.vorticity(uu.chunk(xq=5), vv.chunk(xh=5))
        np.testing.assert_array_equal(lazy.transpose(*want.dims).values, want.values)
