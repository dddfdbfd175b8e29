"""Out of core: a chunked dataset larger than memory, processed lazily with a progress bar.

Run with ``python examples/out_of_core.py [OUTDIR] [N_TIME]``. The input and
output files go to ``OUTDIR`` (a new temporary folder when omitted).

1. Write a synthetic 6-hourly series built from the bundled ERA-Interim sample
   (``u``, ``v``, ``z`` at 3 levels on the 1.5-degree grid, float32): the
   January and July means blended with the season plus a travelling wave. With
   the default 150 time steps the netCDF file is about 160 MB; it is generated
   and written chunk by chunk, never whole in memory.
2. Open it lazily with :func:`fieldops.open_dataset` (Dask chunks aligned to the
   file's storage chunks, each dim that is differentiated in one chunk).
3. Build vorticity, divergence and the gradient of geopotential: nothing is
   computed yet.
4. Stream the result to a netCDF file with :func:`fieldops.write` under
   ``dask.diagnostics.ProgressBar``.
5. Check a few time steps of the output against the same operators applied to
   those steps loaded in memory (numpy, no Dask).

Data: ERA-Interim, ECMWF.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import dask.array as da
import numpy as np
import xarray as xr
from dask.diagnostics import ProgressBar

import fieldops

HORIZONTAL = ["latitude", "longitude"]


def output_folder(outdir: str | Path | None, prefix: str) -> Path:
    """The folder for the files: ``outdir``, created if needed, or a new temporary one.

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


def synthetic_series(n_time: int, time_chunk: int = 4) -> xr.Dataset:
    """A lazy 6-hourly series of ``u``, ``v``, ``z`` made from the sample.

    Parameters
    ----------
    n_time : int
        Number of 6-hourly time steps.
    time_chunk : int, default 4
        Time steps per Dask chunk (and per netCDF storage chunk when written).

    Returns
    -------
    xarray.Dataset
        float32, dims ``(time, level, latitude, longitude)``, Dask-backed.
    """
    sample = fieldops.open_sample()
    times = np.datetime64("2000-01-01T00") + np.arange(n_time) * np.timedelta64(6, "h")
    day = da.arange(n_time, chunks=time_chunk) / 4.0
    season = xr.DataArray((1 - da.cos(2 * np.pi * day / 365.0)) / 2, dims="time")
    phase = xr.DataArray(2 * np.pi * day / 5.0, dims="time")
    lon = np.deg2rad(sample["longitude"].astype(float))
    lat = np.deg2rad(sample["latitude"].astype(float))
    envelope = np.cos(lat) ** 2
    # A zonal wave number 5, cos^2(lat) envelope, drifting east by one wavelength in 5 days.
    wave = envelope * np.sin(5 * lon - phase)
    wave_dx = envelope * np.cos(5 * lon - phase)
    data = {}
    for name, amplitude in (("u", 3.0), ("v", 3.0), ("z", 300.0)):
        jan, jul = sample[name].sel(month=1), sample[name].sel(month=7)
        extra = {"u": amplitude * wave, "v": amplitude * wave_dx, "z": amplitude * wave}[name]
        field = jan + season * (jul - jan) + extra
        field = field.transpose("time", "level", "latitude", "longitude").astype(np.float32)
        data[name] = field.assign_attrs(sample[name].attrs)
    ds = xr.Dataset(data).drop_vars("month", errors="ignore")
    ds = ds.assign_coords(time=("time", times))
    ds.attrs = {"source": "synthetic series built from ERA-Interim, ECMWF monthly means"}
    return ds


def write_input(path: Path, n_time: int, time_chunk: int = 4) -> Path:
    """Write :func:`synthetic_series` to a chunked netCDF file, chunk by chunk.

    Parameters
    ----------
    path : Path
        netCDF file to create.
    n_time : int
        Number of time steps.
    time_chunk : int, default 4
        Time steps per storage chunk.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    ds = synthetic_series(n_time, time_chunk)
    shape = ds["u"].shape
    encoding = {
        name: {"chunksizes": (time_chunk, 1, *shape[2:]), "dtype": "float32"}
        for name in ds.data_vars
    }
    ds.to_netcdf(path, encoding=encoding)
    return path


def operators(ds: xr.Dataset) -> xr.Dataset:
    """Vorticity, divergence and the spherical gradient of ``z``, lazily.

    Parameters
    ----------
    ds : xarray.Dataset
        ``u``, ``v`` and ``z`` on a latitude/longitude grid.

    Returns
    -------
    xarray.Dataset
        ``vorticity``, ``divergence``, ``dz_dx`` (eastward) and ``dz_dy``
        (northward), in the input's backing (Dask stays Dask).
    """
    grad_z = fieldops.grad(ds["z"], dims=HORIZONTAL)
    return xr.Dataset(
        {
            "vorticity": fieldops.vorticity(ds["u"], ds["v"]),
            "divergence": fieldops.divergence(ds["u"], ds["v"]),
            "dz_dx": grad_z.sel(component="longitude", drop=True).rename("dz_dx"),
            "dz_dy": grad_z.sel(component="latitude", drop=True).rename("dz_dy"),
        },
        attrs={"source": ds.attrs.get("source", "")},
    )


def main(
    outdir: str | Path | None = None, n_time: int = 150, chunk_mb: float = 16.0
) -> dict[str, object]:
    """Generate, open lazily, differentiate, write with a progress bar and check.

    Parameters
    ----------
    outdir : str or Path, optional
        Folder for the input and output netCDF files; a new temporary folder by
        default.
    n_time : int, default 150
        Time steps of the generated input (about 1.05 MB each).
    chunk_mb : float, default 16
        Target Dask chunk size in MiB for :func:`fieldops.open_dataset`.

    Returns
    -------
    dict
        ``input MB``, ``input chunks`` (of ``u``), ``lazy`` (the result was
        Dask-backed before writing), ``output shape`` (of ``vorticity``),
        ``output dtype``, ``max relative |lazy - in-memory|`` (largest difference
        over the largest magnitude, per variable) on the checked time steps,
        ``seconds`` (generation, computation), the paths.
    """
    folder = output_folder(outdir, "fieldops-out-of-core-")
    start = time.perf_counter()
    source = write_input(folder / "series.nc", n_time)
    generated = time.perf_counter() - start

    ds = fieldops.open_dataset(source, dims=HORIZONTAL, target_chunk_bytes=int(chunk_mb * 2**20))
    result = operators(ds)
    lazy = all(isinstance(v.data, da.Array) for v in result.data_vars.values())

    start = time.perf_counter()
    target = folder / "kinematics.nc"
    with ProgressBar(dt=0.5):
        fieldops.write(result, target, overwrite=True)
    computed = time.perf_counter() - start

    steps = sorted({0, n_time // 2, n_time - 1})
    with xr.open_dataset(source) as raw:
        subset = raw.isel(time=steps).load()
    reference = operators(subset)
    with xr.open_dataset(target) as written:
        check = written.isel(time=steps).load()
        shape, dtype = written["vorticity"].shape, str(written["vorticity"].dtype)
    difference = max(
        float(abs(check[name] - reference[name]).max() / abs(reference[name]).max())
        for name in reference.data_vars
    )
    summary = {
        "input MB": source.stat().st_size / 1e6,
        "input chunks": tuple(len(c) for c in ds["u"].chunks),
        "lazy": lazy,
        "output shape": shape,
        "output dtype": dtype,
        "output MB": target.stat().st_size / 1e6,
        "max relative |lazy - in-memory|": difference,
        "checked time steps": steps,
        "seconds to generate": generated,
        "seconds to compute and write": computed,
        "input": source,
        "output": target,
    }
    for key, value in summary.items():
        print(f"{key:>30}: {value}")
    return summary


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else None,
        int(sys.argv[2]) if len(sys.argv) > 2 else 150,
    )
