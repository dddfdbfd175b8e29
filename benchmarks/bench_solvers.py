"""Poisson solves and the Helmholtz decomposition against spectral and SOR peers.

Run from the repository root: ``python -m benchmarks.bench_solvers [--repeat 7]``.
Each part runs in its own process (so that its peak memory is its own):

* ``global``: ``fieldops.helmholtz`` on a 721x1440 global grid (first call in the
  process, operators probed and factored; then repeated calls) against Skyborn's
  ``VectorWind`` (SPHEREPACK; setup, then ``sfvp`` alone), with the error of
  each streamfunction/velocity potential against the analytic answer (a
  Rossby-Haurwitz wave plus a divergent ``Y_3^2`` wind, which a spectral transform
  represents exactly) and against Skyborn's; accuracy 2 and 4.
* ``xinvert``: xinvert's ``invert_Poisson`` (SOR) at its default settings on
  73x144, with fieldops on the same grid (time and error against the analytic
  streamfunction).
* ``masked``: a 400x400 plane with an irregular coast and islands (about 40%
  land), 100 time steps: the first call (probe and factor), then the time per step
  with the factorisation reused, and the part's peak memory (max RSS).
* ``cgrid``: ``helmholtz(u, v, grid=)`` of NEMO-named C-grid winds on a 720x540
  masked basin (psi at corners, chi at centres): first call, time per step over
  10 steps, peak memory, and the divergence left in the rotational part.
* ``large``: one step on 400x400, 800x800 and 1600x1600 masked planes with
  ``solver="direct"`` (SuperLU) and ``solver="iterative"`` (pyamg multigrid +
  GMRES): first call, next step, the size of the factors or of the multigrid
  hierarchy, peak memory growth and the residual.

Every part prints the time of a copy of its array (the bandwidth floor) measured
in the same run. The peers are the ``bench`` extra (``pip install skyborn xinvert``).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import xarray as xr

import fieldops
from benchmarks import bench_masked

R = 6_371_008.8


def _best(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _copy_time(a: np.ndarray, repeat: int = 5) -> float:
    return _best(lambda: a.copy(), repeat)


def winds(nlat: int, nlon: int):
    """u, v, psi, chi on a regular grid from 90N to 90S: spectrally exact fields."""
    lat = np.linspace(90.0, -90.0, nlat)
    lon = np.arange(nlon) * 360.0 / nlon
    phi, lam = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    cos, sin = np.cos(phi), np.sin(phi)
    w = k = 7.848e-6
    m = 4
    u = R * w * cos + R * k * cos ** (m - 1) * (m * sin**2 - cos**2) * np.cos(m * lam)
    v = -R * k * m * cos ** (m - 1) * sin * np.sin(m * lam)
    psi = -(R**2) * w * sin + R**2 * k * cos**m * sin * np.cos(m * lam)
    a = 1e6  # chi = a * Y_3^2: divergent winds of a few m/s
    chi = a * 15 * sin * cos**2 * np.cos(2 * lam)
    u = u + (-30 * a * sin * cos * np.sin(2 * lam)) / R
    v = v + 15 * a * (cos**3 - 2 * sin**2 * cos) * np.cos(2 * lam) / R
    full = np.ones((nlat, nlon))
    coords = {
        "lat": ("lat", lat, {"units": "degrees_north"}),
        "lon": ("lon", lon, {"units": "degrees_east"}),
    }

    def da(x, name):
        return xr.DataArray(x * full, dims=("lat", "lon"), coords=coords, name=name)

    return da(u, "u"), da(v, "v"), psi * full, chi * full


def _err(got, want, lat) -> float:
    """Max error of ``got`` over the range of ``want``, both less their area means."""
    w = np.cos(np.deg2rad(np.asarray(lat)))[:, None] * np.ones_like(want)
    g = np.asarray(got) - np.average(got, weights=w)
    t = want - np.average(want, weights=w)
    return float(np.abs(g - t).max() / np.abs(t).max())


def part_global(repeat: int) -> dict:
    from skyborn.windspharm.standard import VectorWind

    from fieldops.solvers import problem

    out: dict = {}
    # Numba kernels compiled (from the on-disk cache) on a small grid first: the first
    # call below is the first on its grid (probe, factor), not the first in Python.
    small = winds(19, 36)
    fieldops.helmholtz(small[0], small[1])
    u, v, psi, chi = winds(721, 1440)
    out["copy_s"] = _copy_time(u.values)
    for acc in (2, 4):
        problem._CACHE.clear()
        start = time.perf_counter()
        h = fieldops.helmholtz(u, v, accuracy=acc)
        out[f"fieldops_first_acc{acc}_s"] = time.perf_counter() - start
        out[f"fieldops_psi_err_acc{acc}"] = _err(h.streamfunction, psi, u.lat)
        out[f"fieldops_chi_err_acc{acc}"] = _err(h.velocity_potential, chi, u.lat)
        out[f"_psi_acc{acc}"] = h.streamfunction.values
        out[f"_chi_acc{acc}"] = h.velocity_potential.values
    start = time.perf_counter()
    vw = VectorWind(u.values, v.values, rsphere=R)
    out["skyborn_setup_s"] = time.perf_counter() - start
    start = time.perf_counter()
    sf, vp = vw.sfvp()
    out["skyborn_first_sfvp_s"] = time.perf_counter() - start
    out["skyborn_setup_and_sfvp_s"] = out["skyborn_setup_s"] + out["skyborn_first_sfvp_s"]
    # Repeated calls measured in turns, so that the machine's load hits all alike.
    calls = {
        "skyborn_repeat_sfvp_s": vw.sfvp,
        "fieldops_repeat_acc2_s": lambda: fieldops.helmholtz(u, v, accuracy=2),
        "fieldops_repeat_acc4_s": lambda: fieldops.helmholtz(u, v, accuracy=4),
    }
    spent: dict = {k: [] for k in calls}
    for _ in range(repeat):
        for key, func in calls.items():
            start = time.perf_counter()
            func()
            spent[key].append(time.perf_counter() - start)
    out.update({k: statistics.median(t) for k, t in spent.items()})
    out["skyborn_psi_err"] = _err(sf, psi, u.lat)
    out["skyborn_chi_err"] = _err(vp, chi, u.lat)
    for acc in (2, 4):
        out[f"fieldops_vs_skyborn_psi_acc{acc}"] = _err(out.pop(f"_psi_acc{acc}"), sf, u.lat)
        out[f"fieldops_vs_skyborn_chi_acc{acc}"] = _err(out.pop(f"_chi_acc{acc}"), vp, u.lat)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def part_xinvert(repeat: int) -> dict:
    import xinvert

    u, v, psi, _ = winds(73, 144)
    # xinvert wants ascending latitude
    u, v, psi = u.isel(lat=slice(None, None, -1)), v.isel(lat=slice(None, None, -1)), psi[::-1]
    zeta = fieldops.vorticity(u, v)
    out: dict = {"copy_s": _copy_time(u.values)}
    start = time.perf_counter()
    sor = xinvert.invert_Poisson(zeta, dims=["lat", "lon"])
    out["xinvert_s"] = time.perf_counter() - start
    out["xinvert_psi_err"] = _err(sor.values, psi, u.lat)
    fieldops.streamfunction(u, v)  # first call on this grid: probe and factor
    out["fieldops_s"] = _best(lambda: fieldops.streamfunction(u, v), repeat)
    out["fieldops_psi_err"] = _err(fieldops.streamfunction(u, v), psi, u.lat)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def coast(n: int) -> xr.DataArray:
    """True over the sea: bench_masked's irregular coast and 40 islands."""
    x = np.linspace(0, 1, n)
    sea = bench_masked.sea(n)[2]
    coords = {"y": ("y", x * 4e5, {"units": "m"}), "x": ("x", x * 4e5, {"units": "m"})}
    return xr.DataArray(sea, dims=("y", "x"), coords=coords)


def part_masked(repeat: int, steps: int = 100, n: int = 400) -> dict:
    from fieldops.solvers import problem

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sea = coast(n)
    rng = np.random.default_rng(1)
    y, x = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n), indexing="ij")
    fields = [np.sin(3 * y + t) * np.cos(2 * x - t) for t in rng.uniform(0, 6, steps)]
    rhs = xr.DataArray(np.stack(fields), dims=("time", "y", "x"), coords=sea.coords)
    rhs = rhs.where(sea)
    out: dict = {"copy_s": _copy_time(rhs.values), "sea_fraction": float(sea.mean())}
    problem._CACHE.clear()
    start = time.perf_counter()
    fieldops.solve_poisson(rhs.isel(time=[0]), mask=sea)
    out["first_call_one_step_s"] = time.perf_counter() - start
    total = _best(lambda: fieldops.solve_poisson(rhs, mask=sea), repeat)
    out["all_steps_s"] = total
    out["per_step_ms"] = 1e3 * total / steps
    solver = next(iter(problem._CACHE.values())).solver
    out["unknowns"] = int(solver.cells.size)
    out["lu_nnz"] = int(solver.lu.L.nnz + solver.lu.U.nnz)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_rss_growth_mb"] = out["peak_rss_mb"] - base
    out["input_mb"] = rhs.nbytes / 2**20
    return out


def part_large(repeat: int, n: int = 1200, solver: str = "direct") -> dict:
    """One step on an ``n x n`` masked plane: the direct or the iterative (multigrid) path."""
    from fieldops.solvers import problem

    sea = coast(n)
    y, x = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n), indexing="ij")
    rhs = xr.DataArray(np.sin(3 * y + 1) * np.cos(2 * x), dims=("y", "x"), coords=sea.coords)
    rhs = rhs.where(sea)
    out: dict = {"n": n, "solver": solver, "copy_s": _copy_time(rhs.values)}
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    f = fieldops.solve_poisson(rhs, mask=sea, solver=solver)
    out["first_call_s"] = time.perf_counter() - start
    out["next_step_s"] = _best(lambda: fieldops.solve_poisson(rhs * 2, mask=sea, solver=solver), 1)
    held = next(iter(problem._CACHE.values())).solver
    out["unknowns"] = int(held.cells.size)
    lu = held.lu
    if solver == "direct":
        out["structure_mb"] = (lu.L.nnz + lu.U.nnz) * 12 / 2**20  # values + row indices
    else:
        out["structure_mb"] = lu.nbytes() / 2**20
    resid = fieldops.laplacian(f, mask=sea) - rhs
    out["residual"] = float(abs(resid.values[held.kind == 0]).max() / abs(rhs).max())
    out["peak_rss_growth_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    return out


def part_cgrid(repeat: int, nx: int = 720, ny: int = 540, steps: int = 10) -> dict:
    """``helmholtz(grid=)`` of NEMO C-grid winds on a masked basin (psi at F, chi at T)."""
    from fieldops.staggered.samples import nemo_mesh

    sea = bench_masked.sea(max(nx, ny))[2][:ny, :nx]
    grid = fieldops.staggered_grid(nemo_mesh(nx, ny, mask=sea, stretch=0.2))
    rng = np.random.default_rng(2)
    winds = []
    for pos, name in (("U", "u"), ("V", "v")):
        like = grid.metric(f"dx_{pos}")
        data = rng.standard_normal((steps, *like.shape)) * grid.metric(f"mask_{pos}").values
        winds.append(
            xr.DataArray(data, dims=("time", *like.dims), name=name, attrs={"units": "m s-1"})
        )
    u, v = winds
    out: dict = {"nx": nx, "ny": ny, "steps": steps, "copy_s": _copy_time(u.values)}
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    fieldops.helmholtz(u.isel(time=[0]), v.isel(time=[0]), grid=grid)
    out["first_call_one_step_s"] = time.perf_counter() - start
    out["all_steps_s"] = _best(lambda: fieldops.helmholtz(u, v, grid=grid), repeat)
    out["per_step_ms"] = 1e3 * out["all_steps_s"] / steps
    out["peak_rss_growth_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    parts = fieldops.helmholtz(u.isel(time=[0]), v.isel(time=[0]), grid=grid)
    out["div_rot_max"] = float(abs(grid.divergence(parts.u_rot, parts.v_rot)).max())
    out["div_max"] = float(abs(grid.divergence(u.isel(time=[0]), v.isel(time=[0]))).max())
    return out


PARTS = {
    "global": part_global,
    "xinvert": part_xinvert,
    "masked": part_masked,
    "cgrid": part_cgrid,
}
LARGE = [(n, s) for n in (400, 800, 1600) for s in ("direct", "iterative")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--part", choices=sorted(PARTS) + ["large"], default=None)
    parser.add_argument("--n", type=int, default=1200, help="grid size of --part large")
    parser.add_argument("--solver", default="direct", help="solver of --part large")
    args = parser.parse_args()
    if args.part == "large":
        print(json.dumps(part_large(args.repeat, args.n, args.solver)))
        return
    if args.part is not None:
        print(json.dumps(PARTS[args.part](args.repeat)))
        return
    results = {}
    for name in PARTS:
        cmd = [sys.executable, "-m", "benchmarks.bench_solvers", "--part", name]
        cmd += ["--repeat", str(args.repeat)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    g, s, m, c = results["global"], results["xinvert"], results["masked"], results["cgrid"]
    print("global 721x1440 helmholtz (psi, chi and the six wind parts):")
    for acc in (2, 4):
        first, again = g[f"fieldops_first_acc{acc}_s"], g[f"fieldops_repeat_acc{acc}_s"]
        print(
            f"  fieldops acc {acc}: first {first:.2f} s, repeated {again:.3f} s "
            f"({again / g['copy_s']:.0f}x a copy); psi err {g[f'fieldops_psi_err_acc{acc}']:.2e}, "
            f"chi err {g[f'fieldops_chi_err_acc{acc}']:.2e} (vs Skyborn "
            f"{g[f'fieldops_vs_skyborn_psi_acc{acc}']:.2e}, "
            f"{g[f'fieldops_vs_skyborn_chi_acc{acc}']:.2e})"
        )
        print(
            f"    first call / Skyborn setup+sfvp: "
            f"{first / g['skyborn_setup_and_sfvp_s']:.3f}; Skyborn sfvp alone / fieldops "
            f"repeated: {g['skyborn_repeat_sfvp_s'] / again:.1f}x"
        )
    print(
        f"  Skyborn: setup {g['skyborn_setup_s']:.2f} s, first sfvp "
        f"{g['skyborn_first_sfvp_s']:.2f} s, repeated sfvp {g['skyborn_repeat_sfvp_s']:.3f} s; "
        f"psi err {g['skyborn_psi_err']:.2e}, chi err {g['skyborn_chi_err']:.2e}; "
        f"peak RSS {g['peak_rss_mb']:.0f} MB; copy {1e3 * g['copy_s']:.2f} ms"
    )
    print("73x144 streamfunction, xinvert invert_Poisson (SOR, defaults) vs fieldops:")
    print(
        f"  xinvert {s['xinvert_s']:.2f} s, psi err {s['xinvert_psi_err']:.2e}; fieldops "
        f"{1e3 * s['fieldops_s']:.1f} ms, psi err {s['fieldops_psi_err']:.2e}: "
        f"{s['xinvert_s'] / s['fieldops_s']:.0f}x faster"
    )
    print(f"masked 400x400 plane ({100 * m['sea_fraction']:.0f}% sea), 100 steps:")
    print(
        f"  first call (probe + factor + 1 step) {m['first_call_one_step_s']:.2f} s; "
        f"per step {m['per_step_ms']:.1f} ms ({m['per_step_ms'] / 1e3 / (m['copy_s'] / 100):.0f}x "
        f"a copy of the step); {m['unknowns']} unknowns, LU nnz {m['lu_nnz']}; peak RSS "
        f"{m['peak_rss_mb']:.0f} MB (+{m['peak_rss_growth_mb']:.0f} MB; input "
        f"{m['input_mb']:.0f} MB)"
    )
    print(f"C grid (NEMO names) {c['nx']}x{c['ny']} masked basin, {c['steps']} steps:")
    print(
        f"  first call (probe + factor the F and T problems + 1 step) "
        f"{c['first_call_one_step_s']:.2f} s; per step {c['per_step_ms']:.0f} ms "
        f"({c['per_step_ms'] / 1e3 / (c['copy_s'] / c['steps']):.0f}x a copy of u); "
        f"peak RSS growth {c['peak_rss_growth_mb']:.0f} MB; "
        f"max|div(u_rot)| {c['div_rot_max']:.1e} of max|div| {c['div_max']:.1e}"
    )
    print("one step on an n x n masked plane, direct (SuperLU) vs iterative (pyamg + GMRES):")
    for n, solver in LARGE:
        cmd = [sys.executable, "-m", "benchmarks.bench_solvers", "--part", "large"]
        cmd += ["--n", str(n), "--solver", solver]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"  {n}x{n} {solver:9s}: {r['unknowns']} unknowns; "
            f"first call {r['first_call_s']:.2f} s, "
            f"next step {r['next_step_s']:.3f} s ({r['next_step_s'] / r['copy_s']:.0f}x a copy); "
            f"factors/hierarchy {r['structure_mb']:.0f} MB; peak RSS growth "
            f"{r['peak_rss_growth_mb']:.0f} MB; residual {r['residual']:.1e}"
        )


if __name__ == "__main__":
    main()
