"""Fields for the dynamics tests: MetPy's cases and the bundled ERA-Interim sample."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops


@pytest.fixture(scope="module")
def sample() -> xr.Dataset:
    """January, 3 levels, 1.5 degrees, poles included; with a synthetic temperature.

    The sample has no temperature: ``t`` is a lapse with pressure, a
    pole-to-equator contrast and the geopotential's zonal anomaly (so that its
    gradients sit where the winds' do); ``theta`` its potential temperature.
    """
    ds = fieldops.open_sample().isel(month=0).load()
    p = ds.level.astype(float)
    phi = np.deg2rad(ds.latitude.astype(float))
    anomaly = (ds.z - ds.z.mean("longitude")) / 9.80665 / 30.0
    t = 288.0 * (p / 1000.0) ** 0.19 - 30 * np.sin(phi) ** 2 + anomaly
    t = t.transpose("level", "latitude", "longitude").assign_attrs(units="K")
    ds["t"] = t
    ds["theta"] = (t * (1000.0 / p) ** 0.2857).assign_attrs(units="K")
    ds.level.attrs["units"] = "hPa"
    return ds


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
