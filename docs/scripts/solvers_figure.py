"""Streamfunction and velocity potential of the bundled sample: docs/images/solvers.png.

Run: ``python docs/scripts/solvers_figure.py``. ERA-Interim 200 hPa winds (January
mean) decomposed by ``fieldops.helmholtz`` at accuracy 4 on the full sphere, and the
streamfunction of a regional cut (psi = 0 on its edge, the default limited-area
choice).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import fieldops  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "images" / "solvers.png"


def main(out: Path = OUT) -> Path:
    ds = fieldops.open_sample().isel(month=0, level=0)
    h = fieldops.helmholtz(ds.u, ds.v, accuracy=4)
    region = ds.sel(latitude=slice(70, 20), longitude=slice(-60, 40))
    hr = fieldops.helmholtz(region.u, region.v, accuracy=4)
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.6), width_ratios=[2, 2, 1.2])
    panels = [
        (h.streamfunction / 1e6, "streamfunction (1e6 m2 s-1), full sphere"),
        (h.velocity_potential / 1e6, "velocity potential (1e6 m2 s-1), full sphere"),
        (hr.streamfunction / 1e6, "streamfunction, regional cut\n(psi = 0 on the edge)"),
    ]
    for ax, (field, title) in zip(axes, panels):
        mesh = ax.pcolormesh(field.longitude, field.latitude, field, cmap="RdBu_r", shading="auto")
        ax.contour(field.longitude, field.latitude, field, colors="k", linewidths=0.4)
        fig.colorbar(mesh, ax=ax, shrink=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("longitude")
    axes[0].set_ylabel("latitude")
    fig.suptitle("ERA-Interim 200 hPa, January: fieldops.helmholtz(u, v, accuracy=4)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


if __name__ == "__main__":
    print(main())
