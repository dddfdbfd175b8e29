"""The figure of docs/geometry.md's model-levels section: the seamount error.

Run: ``python docs/scripts/vertical_figure.py [out.png]`` (default
``docs/images/seamount.png``). A resting ocean (density a function of depth only)
on sigma levels over a steep Gaussian seamount: the gradient along the levels is
the classic pressure-gradient error; the gradient at constant depth
(``vertical=z``) is what the chain rule leaves of it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xarray as xr

import fieldops


def seamount(n: int, nk: int) -> tuple[xr.DataArray, xr.DataArray]:
    x = np.linspace(-100e3, 100e3, n)
    xx, yy = np.meshgrid(x, x)
    h = 4000.0 - 3000.0 * np.exp(-(xx**2 + yy**2) / 25e3**2)
    s = (np.arange(nk) + 0.5) / nk - 1.0
    z = s[:, None, None] * h[None]
    coords = {"x": ("x", x / 1e3, {"units": "km"}), "y": ("y", x / 1e3, {"units": "km"})}
    zda = xr.DataArray(z, dims=("s", "y", "x"), coords=coords, name="z", attrs={"units": "m"})
    rho = zda.copy(data=1025.0 + 2.0 * np.exp(z / 1000.0)).rename("rho")
    return rho.assign_attrs(units="kg m-3"), zda


def main(out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rho, z = seamount(101, 40)
    mid = rho.sizes["y"] // 2
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
    section = z.isel(y=mid)
    for k in range(0, z.sizes["s"], 3):
        ax0.plot(section.x, section.isel(s=k), color="0.6", lw=0.7)
    ax0.contour(
        np.broadcast_to(section.x, section.shape), section, rho.isel(y=mid), 12, colors="C0"
    )
    ax0.set(xlabel="x (km)", ylabel="z (m)", title="sigma levels (grey), isopycnals (blue)")
    for acc, style in ((2, "-"), (4, "--")):
        along = fieldops.grad(rho, ["y", "x"], accuracy=acc).sel(component="x")
        at_z = fieldops.grad(rho, ["y", "x"], accuracy=acc, vertical=z).sel(component="x")
        k = rho.sizes["s"] // 2
        ax1.semilogy(rho.x, abs(along.isel(s=k, y=mid)) + 1e-16, "C3" + style,
                     label=f"along the levels, accuracy {acc}")  # fmt: skip
        ax1.semilogy(rho.x, abs(at_z.isel(s=k, y=mid)) + 1e-16, "C2" + style,
                     label=f"at constant depth (vertical=z), accuracy {acc}")  # fmt: skip
    ax1.set(xlabel="x (km)", ylabel="|d rho / dx| (kg m-4)", ylim=(1e-12, 1e-3),
            title="horizontal density gradient at mid-depth (truth: 0)")  # fmt: skip
    ax1.legend(fontsize=7)
    fig.tight_layout()
    out = Path(out)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "images" / "seamount.png"
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
