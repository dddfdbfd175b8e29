"""Kinematics of the bundled ERA-Interim sample: vorticity, divergence, geostrophic wind.

Run with ``python examples/era_kinematics.py [OUTDIR]``; the maps go to ``OUTDIR``
(a new temporary folder when omitted) and the numbers are printed.

On the 500 hPa monthly means (January and July) of the 1.5-degree sample:

- relative vorticity and horizontal divergence of the wind on the sphere
  (the flux forms, poles and the longitude seam included), through the
  Dataset accessor ``ds.fieldops.vorticity(u="u", v="v")``;
- the geostrophic wind from the geopotential, compared with the actual wind in
  mid-latitudes (20 to 70 degrees, both hemispheres), where geostrophic balance
  holds well in monthly means;
- area-weighted global means: the divergence (and vorticity) of a wind on a
  closed sphere integrates to zero, so their global means are a check of the
  discrete flux forms;
- the covariant tensors on the sphere: the Hessian of the geopotential, whose
  trace is its Laplacian, and the strain-rate tensor of the wind, whose
  combinations are the deformations; and the vorticity over a "continent" of
  NaN with ``nan_policy="omit"``, finite up to its coast.

Data: ERA-Interim, ECMWF.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

import fieldops

ATTRIBUTION = "Data: ERA-Interim, ECMWF (monthly means, bundled 1.5-degree subset)"


def output_folder(outdir: str | Path | None, prefix: str) -> Path:
    """The folder for the figures: ``outdir``, created if needed, or a new temporary one.

    Parameters
    ----------
    outdir : str or Path, optional
        Folder to write into.
    prefix : str
        Prefix of the temporary folder's name.

    Returns
    -------
    pathlib.Path
        An existing folder.
    """
    if outdir is None:
        return Path(tempfile.mkdtemp(prefix=prefix))
    folder = Path(outdir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def compute(level: int = 500) -> xr.Dataset:
    """Wind, geopotential and their kinematics at one pressure level of the sample.

    Parameters
    ----------
    level : int, default 500
        Pressure level in hPa (200, 500 or 850).

    Returns
    -------
    xarray.Dataset
        ``u``, ``v``, ``z``, ``vorticity``, ``divergence``, ``ug``, ``vg`` with dims
        ``(month, latitude, longitude)``.
    """
    ds = fieldops.open_sample().sel(level=level)
    vorticity = ds.fieldops.vorticity(u="u", v="v")
    divergence = fieldops.divergence(ds["u"], ds["v"])
    wind = fieldops.geostrophic_wind(ds["z"])
    out = xr.Dataset(
        {
            "u": ds["u"],
            "v": ds["v"],
            "z": ds["z"],
            "vorticity": vorticity,
            "divergence": divergence,
            "ug": wind["ug"],
            "vg": wind["vg"],
        }
    )
    return out.transpose("month", "latitude", "longitude")


def statistics(out: xr.Dataset, band: tuple[float, float] = (20.0, 70.0)) -> dict[str, float]:
    """Geostrophic against actual wind in mid-latitudes; global means.

    Parameters
    ----------
    out : xarray.Dataset
        The output of :func:`compute`.
    band : (float, float), default (20, 70)
        Absolute latitudes of the mid-latitude band, in degrees.

    Returns
    -------
    dict
        Area-weighted (cos latitude) correlations of ``ug`` with ``u`` and ``vg``
        with ``v`` in the band, the vector correlation
        ``sum(ug u + vg v) / sqrt(sum(ug**2 + vg**2) sum(u**2 + v**2))``, the relative
        RMS of the ageostrophic wind, and the global means and RMS of divergence and
        vorticity (both months).
    """
    weights = np.cos(np.deg2rad(out["latitude"])).astype(float) * xr.ones_like(out["u"])
    lat = abs(out["latitude"])
    mid = (lat >= band[0]) & (lat <= band[1])
    w = weights.where(mid, 0.0)

    def wsum(a: xr.DataArray) -> float:
        return float((a * w).sum())

    def corr(a: xr.DataArray, b: xr.DataArray) -> float:
        return float(xr.corr(a.where(mid), b.where(mid), weights=weights))

    u, v, ug, vg = out["u"], out["v"], out["ug"], out["vg"]
    stats = {
        "corr(ug, u) mid-latitudes": corr(ug, u),
        "corr(vg, v) mid-latitudes": corr(vg, v),
        "vector corr mid-latitudes": wsum(ug * u + vg * v)
        / np.sqrt(wsum(ug**2 + vg**2) * wsum(u**2 + v**2)),
        "ageostrophic / total RMS mid-latitudes": np.sqrt(
            wsum((ug - u) ** 2 + (vg - v) ** 2) / wsum(u**2 + v**2)
        ),
    }
    area = weights.sum()
    for name in ("divergence", "vorticity"):
        da = out[name]
        stats[f"global mean {name} (s-1)"] = float((da * weights).sum() / area)
        stats[f"global RMS {name} (s-1)"] = float(np.sqrt((da**2 * weights).sum() / area))
    return {k: float(v) for k, v in stats.items()}


def tensors(level: int = 500) -> dict[str, float]:
    """Identities of the covariant tensors on the sphere, and vorticity with a gap.

    Parameters
    ----------
    level : int, default 500
        Pressure level in hPa (200, 500 or 850).

    Returns
    -------
    dict
        Largest ``|trace(hessian(z)) - laplacian(z)|`` off the pole rows and largest
        ``|stretching from strain_rate - stretching_deformation|``, each relative to
        the field's largest value; the fraction of finite vorticity over the ocean
        around a NaN "continent" with ``nan_policy="omit"`` and with the default.
    """
    ds = fieldops.open_sample().sel(level=level).isel(month=0)
    hv = ["latitude", "longitude"]
    hess = fieldops.hessian(ds["z"], hv)  # per square metre, covariant
    trace = hess.sel(component="latitude", wrt="latitude") + hess.sel(
        component="longitude", wrt="longitude"
    )
    lap = fieldops.laplacian(ds["z"], hv)
    off_pole = {"latitude": slice(1, -1)}
    wind = xr.concat([ds["v"], ds["u"]], dim="component").assign_coords(component=hv)
    strain = fieldops.strain_rate(wind)
    stretching = strain.sel(component="longitude", wrt="longitude") - strain.sel(
        component="latitude", wrt="latitude"
    )
    deformation = fieldops.deformation(ds["u"], ds["v"])["stretching_deformation"]
    continent = (abs(ds["latitude"]) < 30) & (abs(ds["longitude"] - 200) < 40)
    u, v = ds["u"].where(~continent), ds["v"].where(~continent)
    ocean = ~continent.broadcast_like(ds["u"])
    omit = fieldops.vorticity(u, v, nan_policy="omit")
    plain = fieldops.vorticity(u, v)
    return {
        "max |trace(H) - lap| / max |lap| (off the poles)": float(
            abs(trace - lap)[off_pole].max() / abs(lap).max()
        ),
        "max |strain stretching - deformation| / max": float(
            abs(stretching - deformation).max() / abs(deformation).max()
        ),
        "finite vorticity over the ocean, omit": float(np.isfinite(omit).where(ocean).mean()),
        "finite vorticity over the ocean, propagate": float(np.isfinite(plain).where(ocean).mean()),
    }


def plot(out: xr.Dataset, folder: Path, month: int = 1) -> list[Path]:
    """Maps of vorticity, divergence and geostrophic against actual wind.

    Parameters
    ----------
    out : xarray.Dataset
        The output of :func:`compute`.
    folder : Path
        Existing folder.
    month : int, default 1
        Month to draw (1 or 7).

    Returns
    -------
    list of pathlib.Path
        The PNG files written, each with the ERA-Interim attribution.
    """
    from matplotlib.figure import Figure

    m = out.sel(month=month)
    lon, lat = m["longitude"].values, m["latitude"].values
    name = {1: "January", 7: "July"}[month]
    paths = []
    for field, label in (("vorticity", "relative vorticity"), ("divergence", "divergence")):
        values = m[field].values
        limit = float(np.nanpercentile(np.abs(values), 99))
        fig = Figure(figsize=(9, 4.5))
        ax = fig.add_subplot()
        mesh = ax.pcolormesh(
            lon, lat, values, cmap="RdBu_r", vmin=-limit, vmax=limit, shading="nearest"
        )
        ax.contour(lon, lat, m["z"].values / 9.80665, levels=12, colors="k", linewidths=0.5)
        fig.colorbar(mesh, ax=ax, label=f"{label} ({m[field].attrs.get('units', '')})")
        ax.set_title(f"500 hPa {label}, {name} mean (contours: geopotential height)")
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        fig.subplots_adjust(bottom=0.16)
        fig.text(0.01, 0.01, ATTRIBUTION, fontsize=8)
        paths.append(folder / f"era_{field}.png")
        fig.savefig(paths[-1], dpi=80)

    fig = Figure(figsize=(10, 8))
    axes = fig.subplots(2, 1, sharex=True)
    step = 4
    sub = m.isel(latitude=slice(None, None, step), longitude=slice(None, None, step))
    for ax, (u, v, title) in zip(
        axes, (("u", "v", "actual wind"), ("ug", "vg", "geostrophic wind (NaN within 5 deg)"))
    ):
        speed = np.hypot(m[u], m[v])
        mesh = ax.pcolormesh(lon, lat, speed, cmap="viridis", vmin=0, vmax=40, shading="nearest")
        ax.quiver(sub["longitude"], sub["latitude"], sub[u], sub[v], scale=500, width=0.0015)
        fig.colorbar(mesh, ax=ax, label="speed (m s-1)")
        ax.set_title(f"500 hPa {title}, {name} mean")
        ax.set_ylabel("latitude")
    axes[-1].set_xlabel("longitude")
    fig.text(0.01, 0.005, ATTRIBUTION, fontsize=8)
    paths.append(folder / "era_geostrophic_wind.png")
    fig.savefig(paths[-1], dpi=80)
    return paths


def main(outdir: str | Path | None = None, level: int = 500) -> dict[str, object]:
    """Compute the kinematics, draw the maps and return the summary numbers.

    Parameters
    ----------
    outdir : str or Path, optional
        Folder for the PNG maps; a new temporary folder by default.
    level : int, default 500
        Pressure level in hPa.

    Returns
    -------
    dict
        The numbers of :func:`statistics` and :func:`tensors`, and ``figures`` (paths).
    """
    out = compute(level)
    summary: dict[str, object] = dict(statistics(out))
    summary.update(tensors(level))
    summary["figures"] = plot(out, output_folder(outdir, "fieldops-era-"))
    for key, value in summary.items():
        print(f"{key:>42}: {value}")
    return summary


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
