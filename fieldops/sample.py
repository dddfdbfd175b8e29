"""The bundled ERA-Interim sample (see ``fieldops/data/README.md``)."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

SAMPLE_FILE = Path(__file__).parent / "data" / "eraint_uvz_1p5deg.nc"


def open_sample() -> xr.Dataset:
    """Open the bundled ERA-Interim sample: ``z``, ``u``, ``v`` on a 1.5-degree grid.

    Returns
    -------
    xarray.Dataset
        Loaded into memory (about 4 MB), without gaps, dims ``month, level, latitude, longitude``;
        latitude descending from 90 to -90, longitude from -180 (periodic).
        Source: ERA-Interim, ECMWF.

    Examples
    --------
    >>> ds = open_sample()
    >>> dict(ds.sizes)
    {'month': 2, 'level': 3, 'latitude': 121, 'longitude': 240}
    """
    # The file packs the winds as int16 with _FillValue 0, a value that real
    # data take: decode the packing but do not mask it (the data have no gaps).
    with xr.open_dataset(SAMPLE_FILE, mask_and_scale=False) as raw:
        raw = raw.load()
    for var in raw.data_vars.values():
        var.attrs.pop("_FillValue", None)
        var.attrs.pop("missing_value", None)
    ds = xr.decode_cf(raw)
    for var in ds.data_vars.values():  # written back as plain floats, not re-packed
        for key in ("dtype", "scale_factor", "add_offset", "_FillValue", "missing_value"):
            var.encoding.pop(key, None)
    return ds
