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
