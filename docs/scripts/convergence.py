"""Measure convergence orders of fieldops.diff: docs/images/convergence.png + a table.

Run: ``python docs/scripts/convergence.py``. Max error of d/dx and d2/dx2 of
exp(x) sin(3x) on [0.2, 1.7] (no derivative vanishes at the edges), on uniform and
smoothly stretched grids, separately in the interior and on the edge rows, for
accuracy 2, 4, 6, 8; prints the measured orders (slopes of log error vs log h).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

import fieldops  # noqa: E402
from fieldops.stencils.weights import centered_width  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "images" / "convergence.png"
SIZES = (21, 41, 81, 161)


def _grid(n: int, stretched: bool) -> np.ndarray:
    s = np.linspace(0.0, 1.0, n)
    if stretched:
        s = s + 0.15 * np.sin(2 * np.pi * s) / (2 * np.pi)
    return 0.2 + 1.5 * s


def errors(order: int, accuracy: int, stretched: bool) -> tuple[list, list, list]:
    """(h, interior max error, edge max error) for each grid size."""
    hs, interior, edge = [], [], []
    for n in SIZES:
        x = _grid(n, stretched)
        f = xr.DataArray(np.exp(x) * np.sin(3 * x), dims="x", coords={"x": x})
        d1 = np.exp(x) * (np.sin(3 * x) + 3 * np.cos(3 * x))
        d2 = np.exp(x) * (-8 * np.sin(3 * x) + 6 * np.cos(3 * x))
        err = np.abs(fieldops.diff(f, "x", order, accuracy=accuracy).values - (d1, d2)[order - 1])
        k = centered_width(order, accuracy, uniform=not stretched) // 2
        hs.append(1.5 / (n - 1))
        interior.append(err[(x > 0.6) & (x < 1.3)].max())
        edge.append(max(err[:k].max(), err[-k:].max()))
    return hs, interior, edge


def order_of(hs, errs, order: int) -> float:
    """Slope of log(err) vs log(h) over the grids whose error is above roundoff."""
    floor = 1e-10 if order == 1 else 1e-7  # roundoff grows like eps / h**order
    hs, errs = np.log(hs), np.log(errs)
    ok = np.exp(errs) > floor
    return float(np.polyfit(hs[ok], errs[ok], 1)[0]) if ok.sum() >= 2 else float("nan")


def main(out: Path = OUT) -> list[tuple]:
    rows = []
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for order, ax in zip((1, 2), axes):
        for accuracy in (2, 4, 6, 8):
            for stretched in (False, True):
                hs, interior, edge = errors(order, accuracy, stretched)
                grid = "stretched" if stretched else "uniform"
                rows.append(
                    (
                        order,
                        accuracy,
                        grid,
                        order_of(hs, interior, order),
                        order_of(hs, edge, order),
                        edge[1] / interior[1],
                    )
                )
                if not stretched:
                    (line,) = ax.loglog(hs, interior, "o-", label=f"acc {accuracy} interior")
                    ax.loglog(hs, edge, "s--", color=line.get_color(), label=f"acc {accuracy} edge")
        ax.set_title(f"d{order}/dx{order} of exp(x) sin(3x), uniform grid")
        ax.set_xlabel("h")
        ax.set_ylabel("max |error|")
        ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(
        "| order | accuracy | grid | measured order, interior | measured order, edge "
        "| edge / interior error (n=41) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.1f} |")
    return rows


if __name__ == "__main__":
    main()
