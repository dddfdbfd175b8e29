"""A double gyre on a MOM6-style C grid: velocities from a streamfunction, then back.

Run ``python examples/staggered_gyre.py``. It builds a small MOM6 ``ocean_static``
(symmetric memory: ``xq`` has one more point than ``xh``, stretched cells), puts a
double-gyre streamfunction on the corners, takes the C-grid velocities from it with
``grid.diff`` (u on U faces, v on V faces), and checks what the discrete operators
promise: the divergence vanishes to roundoff, the vorticity converges to the
Laplacian of the streamfunction, the area integral of the vorticity equals the
circulation along the boundary, and Dask gives the same numbers. Then
``fieldops.helmholtz(u, v, grid=grid)`` inverts it: the streamfunction comes back
on the corners to roundoff, with no divergent part. With xgcm installed, its
vorticity recipe is compared too.
"""

from __future__ import annotations

import numpy as np

import fieldops
from fieldops.staggered import samples


def gyre(n: int = 60, stretch: float = 0.3):
    """Grid, streamfunction at corners, u and v at faces (units m2 s-1, m s-1)."""
    length = 2.0e6
    ds = samples.mom6_static(n, n, dx=length / n, dy=length / n, stretch=stretch)
    ds = ds.drop_vars(["wet", "wet_u", "wet_v", "wet_c"])  # the basin's edges are walls
    grid = fieldops.staggered_grid(ds)
    # 0 .. lx and 0 .. ly from the first corner to the last: psi is 0 on the walls
    x = ds.geolon_c.reset_coords(drop=True)
    y = ds.geolat_c.reset_coords(drop=True)
    x, y = x - float(x.min()), y - float(y.min())
    lx, ly = float(x.max()), float(y.max())
    psi = (1e4 * np.sin(np.pi * x / lx) * np.sin(2 * np.pi * y / ly)).rename("psi")
    psi.attrs["units"] = "m2 s-1"
    u = -grid.diff(psi, "Y").rename("u")  # corners -> U faces: -dpsi/dy
    v = grid.diff(psi, "X").rename("v")  # corners -> V faces: dpsi/dx
    k2 = (np.pi / lx) ** 2 + (2 * np.pi / ly) ** 2
    return grid, ds, psi, u, v, -k2 * psi


def main() -> dict:
    summary = {}
    grid, ds, psi, u, v, laplacian_psi = gyre()
    div = grid.divergence(u, v)
    zeta = grid.vorticity(u, v)
    scale = float(np.abs(zeta).max())
    summary["max |divergence| / max |vorticity|"] = float(np.abs(div).max()) / scale
    inner = {"xq": slice(5, -5), "yq": slice(5, -5)}
    err = (zeta - laplacian_psi).isel(inner)
    summary["vorticity vs Laplacian of psi, rel. error (60 cells)"] = float(
        np.abs(err).max() / np.abs(laplacian_psi).max()
    )
    grid2, _, _, u2, v2, lap2 = gyre(120)
    err2 = (grid2.vorticity(u2, v2) - lap2).isel({"xq": slice(10, -10), "yq": slice(10, -10)})
    summary["vorticity vs Laplacian of psi, rel. error (120 cells)"] = float(
        np.abs(err2).max() / np.abs(lap2).max()
    )
    # Stokes on the whole basin: the walls carry no flow, so the area integral of the
    # vorticity is the circulation along the walls' inner faces.
    area = ds.areacello_bu.values
    circulation = (
        float((u.isel(xq=slice(1, -1)).values[0] * ds.dxCu.values[0, 1:-1]).sum())
        - float((u.isel(xq=slice(1, -1)).values[-1] * ds.dxCu.values[-1, 1:-1]).sum())
        + float((v.isel(yq=slice(1, -1)).values[:, -1] * ds.dyCv.values[1:-1, -1]).sum())
        - float((v.isel(yq=slice(1, -1)).values[:, 0] * ds.dyCv.values[1:-1, 0]).sum())
    )
    interior = (slice(1, -1), slice(1, -1))
    summary["area integral of vorticity - boundary circulation, rel."] = abs(
        float((zeta.values * area)[interior].sum()) - circulation
    ) / float(np.abs(u.values).sum() * ds.dxCu.values.max())
    lazy = grid.vorticity(u.chunk(yh=17, xq=(20, 20, 21)), v.chunk(yq=(17, 17, 17, 10), xh=20))
    summary["dask tasks"] = len(lazy.data.__dask_graph__())
    summary["max |dask - numpy|"] = float(np.abs(lazy - zeta).max())
    # The inverse: psi back at the corners (0 on the walls), chi at the centres.
    parts = fieldops.helmholtz(u, v, grid=grid)
    back = parts.streamfunction.transpose(*psi.dims)
    summary["max |helmholtz psi - psi| / max |psi|"] = float(
        np.abs(back - psi).max() / np.abs(psi).max()
    )
    summary["max |u_div| / max |u|"] = float(np.abs(parts.u_div).max() / np.abs(u).max())
    try:
        import xgcm
    except ImportError:
        return summary
    xg = xgcm.Grid(ds, coords={"X": {"center": "xh", "outer": "xq"},
                               "Y": {"center": "yh", "outer": "yq"}},
                   autoparse_metadata=False)  # fmt: skip
    fill = {"padding": "fill", "fill_value": 0.0}
    recipe = (
        xg.diff(v * ds.dyCv, "X", **fill) - xg.diff(u * ds.dxCu, "Y", **fill)
    ) / ds.areacello_bu
    summary["max |fieldops - xgcm recipe| / max |vorticity|"] = float(
        np.abs(zeta - recipe.transpose(*zeta.dims)).max() / scale
    )
    return summary


if __name__ == "__main__":
    for key, value in main().items():
        print(f"{key}: {value:.3g}")
