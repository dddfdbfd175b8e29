"""Draw what each boundary mode does at the edge: docs/images/boundaries.png.

Run: ``python docs/scripts/boundary_figure.py``. A coarse sampled sin(x) + x/2, its
derivative under each mode, and the exact derivative.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

import fieldops  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "images" / "boundaries.png"


def main(out: Path = OUT) -> Path:
    x = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    f = xr.DataArray(np.sin(x) + 0.5 * x, dims="x", coords={"x": x})
    fine = np.linspace(0.0, x[-1], 400)
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), sharey=True)
    for ax, mode in zip(axes, ["one_sided", "periodic", "mirror", "fill"]):
        d = fieldops.diff(f, "x", accuracy=4, boundary=mode)
        ax.plot(fine, np.cos(fine) + 0.5, color="0.6", lw=1, label="exact d/dx")
        ax.plot(x, d, "o-", ms=4, label=f"boundary={mode!r}")
        ax.set_title(mode)
        ax.set_xlabel("x")
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("d/dx (sin x + x/2), accuracy 4")
    fig.suptitle(
        "one_sided keeps accuracy at the edges; periodic assumes the signal wraps "
        "(it does not here); mirror forces zero slope; fill leaves NaN",
        fontsize=9,
    )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


if __name__ == "__main__":
    print(main())
