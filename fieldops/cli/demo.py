"""``fieldops demo``: kinematics of the bundled ERA-Interim sample, maps and a summary.

Computes, on the 500 hPa January and July fields of the bundled 1.5-degree sample,
the relative vorticity and divergence of the wind and the gradient and Laplacian of
the geopotential on the sphere (poles and the longitude seam included), writes them
to ``demo.nc`` and PNG maps in the output folder, and returns a summary table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

import fieldops

ATTRIBUTION = "Data: ERA-Interim, ECMWF (bundled 1.5-degree subset)."


def compute(ds: xr.Dataset) -> xr.Dataset:
    """The demo's fields for one pressure level of the sample.

    Parameters
    ----------
    ds : xarray.Dataset
        ``u``, ``v`` and ``z`` on a latitude/longitude grid.

    Returns
    -------
    xarray.Dataset
        ``vorticity``, ``divergence`` (s-1), ``grad_z`` (eastward and northward
        components, m s-2) and ``laplacian_z`` (s-2).

    Examples
    --------
    >>> out = compute(fieldops.open_sample().sel(level=500))
    >>> sorted(out.data_vars)
    ['divergence', 'grad_z', 'laplacian_z', 'vorticity']
    """
    vorticity = fieldops.vorticity(ds["u"], ds["v"]).rename("vorticity")
    divergence = fieldops.divergence(ds["u"], ds["v"]).rename("divergence")
    grad_z = fieldops.grad(ds["z"], dims=["latitude", "longitude"]).rename("grad_z")
    laplacian_z = fieldops.laplacian(ds["z"], dims=["latitude", "longitude"])
    return xr.Dataset(
        {
            "vorticity": vorticity,
            "divergence": divergence,
            "grad_z": grad_z,
            "laplacian_z": laplacian_z.rename("laplacian_z"),
        },
        attrs={"source": ATTRIBUTION, "title": "fieldops demo"},
    )


def summary(out: xr.Dataset) -> list[tuple[str, str, float, float, float]]:
    """(name, units, min, max, area-weighted global mean) of each scalar field."""
    weights = np.cos(np.deg2rad(out["latitude"]))
    rows = []
    for name in ("vorticity", "divergence", "laplacian_z"):
        da = out[name]
        mean = float(da.weighted(weights).mean(("latitude", "longitude")).mean())
        rows.append((name, da.attrs.get("units", ""), float(da.min()), float(da.max()), mean))
    mag = np.hypot(out["grad_z"].isel(component=0), out["grad_z"].isel(component=1))
    rows.append(
        (
            "|grad z|",
            out["grad_z"].attrs.get("units", ""),
            float(mag.min()),
            float(mag.max()),
            float(mag.weighted(weights).mean()),
        )
    )
    return rows


def plot_maps(out: xr.Dataset, folder: Path) -> list[Path]:
    """One PNG map per field (January), with the data attribution."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    jan = out.sel(month=1) if "month" in out.dims else out
    fields = {
        "vorticity": (jan["vorticity"], "RdBu_r"),
        "divergence": (jan["divergence"], "RdBu_r"),
        "laplacian_z": (jan["laplacian_z"], "RdBu_r"),
        "grad_z": (
            np.hypot(jan["grad_z"].isel(component=0), jan["grad_z"].isel(component=1)),
            "viridis",
        ),
    }
    for name, (da, cmap) in fields.items():
        fig, ax = plt.subplots(figsize=(8, 4))
        values = da.transpose("latitude", "longitude")
        limit = float(np.nanpercentile(np.abs(values), 99))
        vmin = -limit if cmap == "RdBu_r" else 0.0
        mesh = ax.pcolormesh(
            values.longitude,
            values.latitude,
            values,
            cmap=cmap,
            vmin=vmin,
            vmax=limit,
            shading="auto",
        )
        units = out[name].attrs.get("units", "")
        fig.colorbar(mesh, ax=ax, label=f"{name} ({units})")
        ax.set_title(f"{name}, 500 hPa, January")
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        fig.text(0.01, 0.01, ATTRIBUTION, fontsize=7)
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)
    return paths


def run_demo(folder: Path | str = "fieldops-demo", *, level: int = 500) -> dict[str, object]:
    """Run the whole demo into ``folder``; return the paths written and the summary.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = run_demo(tmp)
    >>> [row[0] for row in result["summary"]]
    ['vorticity', 'divergence', 'laplacian_z', '|grad z|']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = compute(fieldops.open_sample().sel(level=level))
    netcdf = folder / "demo.nc"
    tmp = folder / ".demo.nc.tmp"
    out.to_netcdf(tmp)
    tmp.replace(netcdf)
    pngs = plot_maps(out, folder)
    return {"netcdf": netcdf, "png": pngs, "summary": summary(out)}


def format_summary(rows: list[tuple[str, str, float, float, float]]) -> str:
    """The summary rows as a small aligned table.

    Examples
    --------
    >>> print(format_summary([("vorticity", "s-1", -1e-4, 2e-4, 1e-9)]))
    field         units          min          max  global mean
    vorticity     s-1      -0.0001       0.0002        1e-09
    """
    head = f"{'field':<13} {'units':<8} {'min':>10} {'max':>12} {'global mean':>12}"
    body = [f"{n:<13} {u:<8} {lo:>10.4g} {hi:>12.4g} {mean:>12.4g}" for n, u, lo, hi, mean in rows]
    return "\n".join([head, *body])
