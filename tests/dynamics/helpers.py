"""MetPy on the sample, and the measure of agreement the dynamics tests use."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops


def metpy_dataset(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` for MetPy on a sphere of fieldops' radius (MetPy's default is an ellipsoid)."""
    pytest.importorskip("metpy")
    import metpy.xarray  # noqa: F401  (registers .metpy)

    crs = {"grid_mapping_name": "latitude_longitude", "earth_radius": fieldops.EARTH_RADIUS}
    return ds.metpy.assign_crs(crs).metpy.quantify()


# Away from the seam (MetPy's longitude is not periodic) and the poles (its metric
# terms are finite differences of its map factors, ~sec(latitude)).
INNER = {"latitude": slice(60, -60), "longitude": slice(-175, 175)}


def relative_gap(ours: xr.DataArray, theirs) -> float:
    """max |ours - theirs| / max |theirs| over ``INNER``."""
    a = ours.sel(INNER).values
    b = theirs.metpy.dequantify().sel(INNER).values
    return float(np.nanmax(np.abs(a - b)) / np.nanmax(np.abs(b)))
