"""Quickstart: derivatives of the bundled ERA-Interim sample along named dims.

Run with ``python examples/quickstart.py``. Prints the zonal and meridional
derivatives of the 500 hPa geopotential (per degree) and checks them against
numpy.gradient at accuracy 2.
"""

from __future__ import annotations

import numpy as np

import fieldops


def main() -> dict[str, float]:
    """Differentiate the sample's geopotential and return a few summary numbers."""
    ds = fieldops.open_sample()
    z = ds["z"].sel(level=500, month=1)
    dz_dlon = z.fieldops.diff("longitude", boundary="periodic", accuracy=4)
    dz_dlat = fieldops.diff(z, "latitude")
    reference = np.gradient(z.values, z.latitude.values.astype(float), axis=0, edge_order=2)
    summary = {
        "max |dz/dlon| (m2 s-2 per degree)": float(abs(dz_dlon).max()),
        "max |dz/dlat| (m2 s-2 per degree)": float(abs(dz_dlat).max()),
        "max difference to numpy.gradient": float(abs(dz_dlat.values - reference).max()),
    }
    print(dz_dlat.name, dz_dlat.attrs)
    for key, value in summary.items():
        print(f"{key:>40}: {value:.6g}")
    return summary


if __name__ == "__main__":
    main()
