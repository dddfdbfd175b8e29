"""``fieldops demo``: kinematics of the bundled ERA-Interim sample, maps and a summary.

Computes, on the January and July fields of the bundled 1.5-degree sample (all three
levels), the relative vorticity and divergence of the wind and the gradient and Laplacian
of the geopotential on the sphere (poles and the longitude seam included), writes them to
``demo.nc``, draws one PNG map per field (both months) and returns a summary table.

Choices a reader of the maps should know about:

- Vorticity and the gradient are plain finite differences: the 500 hPa winds and
  geopotential are smooth enough for that, pole rows and the seam included.
- Divergence is an order of magnitude smaller than vorticity and, from finite
  differences, dominated by grid-scale noise over mountains. It is taken with the
  derivative of a Gaussian (``method="gaussian"``, sigma 3 degrees) and drawn at
  200 hPa, where the outflow above tropical convection is the signal.
- The Laplacian of geopotential amplifies the int16 packing noise of ``z`` by
  1/cos(latitude)**2 next to the poles. A Gaussian of 3 degrees of latitude and
  6 degrees of longitude removes it there and keeps the synoptic pattern.
"""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import xarray as xr

import fieldops
from fieldops.kinematics.base import G0  # to draw geopotential height contours

ATTRIBUTION = "Data: ERA-Interim, ECMWF (bundled 1.5-degree subset)."
HORIZONTAL = ["latitude", "longitude"]
DIVERGENCE_SIGMA = 3.0  # degrees
LAPLACIAN_SIGMA = {"latitude": 3.0, "longitude": 6.0}  # degrees

# (variable, pressure level of its map in hPa, colour map, diverging around zero)
MAPS = (
    ("vorticity", 500, "RdBu_r", True),
    ("divergence", 200, "PuOr_r", True),
    ("laplacian_z", 500, "RdBu_r", True),
    ("grad_z_magnitude", 500, "viridis", False),
)


def compute(ds: xr.Dataset) -> xr.Dataset:
    """The demo's fields on every level and month of the sample.

    Parameters
    ----------
    ds : xarray.Dataset
        ``u``, ``v`` and ``z`` on a latitude/longitude grid.

    Returns
    -------
    xarray.Dataset
        ``vorticity``, ``divergence`` (s-1), ``grad_z`` (northward and eastward
        components, m s-2), ``grad_z_magnitude`` (m s-2), ``laplacian_z`` (s-2) and
        the input ``z``; each with ``long_name`` and ``units``.

    Examples
    --------
    >>> out = compute(fieldops.open_sample().sel(level=500))
    >>> sorted(out.data_vars)
    ['divergence', 'grad_z', 'grad_z_magnitude', 'laplacian_z', 'vorticity', 'z']
    >>> out.laplacian_z.attrs["units"], out.grad_z_magnitude.attrs["long_name"]
    ('s-2', 'magnitude of the gradient of Geopotential')
    """
    vorticity = fieldops.vorticity(ds["u"], ds["v"])
    divergence = fieldops.divergence(ds["u"], ds["v"], method="gaussian", sigma=DIVERGENCE_SIGMA)
    divergence.attrs["comment"] = (
        f"derivative of a Gaussian, sigma {DIVERGENCE_SIGMA:g} degrees (method='gaussian')"
    )
    grad_z = fieldops.grad(ds["z"], dims=HORIZONTAL)
    magnitude = np.sqrt((grad_z**2).sum("component"))
    magnitude.attrs = {
        "long_name": f"magnitude of the gradient of {ds['z'].attrs.get('long_name', 'z')}",
        "units": grad_z.attrs.get("units", ""),
    }
    laplacian_z = fieldops.laplacian(
        ds["z"], dims=HORIZONTAL, method="gaussian", sigma=LAPLACIAN_SIGMA
    )
    laplacian_z.attrs["comment"] = (
        "derivative of a Gaussian, sigma 3 degrees of latitude and 6 of longitude "
        "(method='gaussian'): the packing noise of z is amplified by 1/cos(lat)**2 at the poles"
    )
    return xr.Dataset(
        {
            "vorticity": vorticity,
            "divergence": divergence,
            "grad_z": grad_z,
            "grad_z_magnitude": magnitude,
            "laplacian_z": laplacian_z,
            "z": ds["z"],
        },
        attrs={"source": ATTRIBUTION, "title": "fieldops demo"},
    )


def _at_level(da: xr.DataArray, level: int) -> xr.DataArray:
    return da.sel(level=level) if "level" in da.dims else da


def summary(out: xr.Dataset) -> list[tuple[str, int, str, float, float, float]]:
    """(name, level, units, min, max, area-weighted global mean) of each mapped field.

    Each field is summarised at the level of its map, over both months.
    """
    weights = np.cos(np.deg2rad(out["latitude"]))
    rows = []
    for name, level, _, _ in MAPS:
        da = _at_level(out[name], level)
        mean = float(da.weighted(weights).mean(HORIZONTAL).mean())
        units = da.attrs.get("units", "")
        rows.append((name, level, units, float(da.min()), float(da.max()), mean))
    return rows


def _month_name(month: object) -> str:
    return calendar.month_name[int(month)]


def map_figure(out: xr.Dataset, name: str, level: int, cmap: str, diverging: bool):
    """One field at one level, a row per month, labelled as ``DataArray.plot`` labels.

    Returns the matplotlib figure (the caller saves and closes it).
    """

    da = _at_level(out[name], level).transpose(..., "latitude", "longitude")
    rows = "month" if "month" in da.dims else None
    # robust: the colour scale spans the 2nd-98th percentiles, centred on zero for the
    # signed fields, so that a few strong points do not wash the map out.
    kwargs = {"center": 0} if diverging else {"vmin": 0}
    grid = da.plot(
        row=rows, robust=True, cmap=cmap, size=3, aspect=2.0, cbar_kwargs={"shrink": 0.8}, **kwargs
    )
    axes = list(np.ravel(grid.axs)) if rows else [grid.axes]
    months = da["month"].values if rows else [None]
    z = _at_level(out["z"], level) / G0 / 10.0  # geopotential height, dam
    step = 6 if level >= 500 else 12
    for ax, month in zip(axes, months):
        height = z.sel(month=month) if month is not None else z
        levels = np.arange(np.floor(float(height.min()) / step) * step, float(height.max()), step)
        ax.contour(
            height.longitude,
            height.latitude,
            height,
            levels=levels,
            colors="k" if diverging else "w",
            linewidths=0.5,
            alpha=0.6,
        )
        ax.set_title(_month_name(month) if month is not None else "")
        ax.set_aspect("equal")
    fig = axes[0].figure
    note = out[name].attrs.get("comment", "finite differences")
    title = f"{da.attrs['long_name']}, {level} hPa\n({note.split(' (')[0]})"
    fig.suptitle(title, fontsize=10, y=1.04)
    fig.text(
        0.01,
        0.005,
        f"{ATTRIBUTION} Contours: geopotential height, every {step} dam.",
        fontsize=7,
    )
    return fig


def plot_maps(out: xr.Dataset, folder: Path) -> list[Path]:
    """One PNG map per field of :data:`MAPS` (January and July), with the attribution."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for name, level, cmap, diverging in MAPS:
        fig = map_figure(out, name, level, cmap, diverging)
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=90, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def run_demo(folder: Path | str = "fieldops-demo") -> dict[str, object]:
    """Run the whole demo into ``folder``; return the paths written and the summary.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = run_demo(tmp)
    >>> [row[:2] for row in result["summary"]]
    [('vorticity', 500), ('divergence', 200), ('laplacian_z', 500), ('grad_z_magnitude', 500)]
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = compute(fieldops.open_sample())
    netcdf = folder / "demo.nc"
    tmp = folder / ".demo.nc.tmp"
    out.to_netcdf(tmp, encoding={name: {"zlib": True} for name in out.data_vars})
    tmp.replace(netcdf)
    pngs = plot_maps(out, folder)
    return {"netcdf": netcdf, "png": pngs, "summary": summary(out)}


def format_summary(rows: list[tuple[str, int, str, float, float, float]]) -> str:
    """The summary rows as a small aligned table.

    Examples
    --------
    >>> print(format_summary([("vorticity", 500, "s-1", -1e-4, 2e-4, 1e-9)]))
    field              hPa  units          min          max  global mean
    vorticity          500  s-1      -0.0001       0.0002        1e-09
    """
    head = f"{'field':<17} {'hPa':>4}  {'units':<8} {'min':>10} {'max':>12} {'global mean':>12}"
    body = [
        f"{n:<17} {lev:>4}  {u:<8} {lo:>10.4g} {hi:>12.4g} {mean:>12.4g}"
        for n, lev, u, lo, hi, mean in rows
    ]
    return "\n".join([head, *body])
