"""Files in and out: lazy, storage-aligned opening and atomic, streaming writes.

netCDF (netCDF4 engine), zarr (local or at a URL such as ``s3://``, through
fsspec) and GRIB (cfgrib, the ``grib`` extra) in, or any engine xarray knows;
netCDF and zarr out, through xarray and Dask. :func:`open_dataset` opens one
file, a list of files or a glob (through ``xarray.open_mfdataset``) with Dask
chunks that are whole multiples of the storage chunks, so that every task reads
whole storage chunks once. :func:`write` writes atomically: to a temporary name
in the output's folder, renamed into place only when complete, so an error (or
Ctrl-C) never leaves a partial file where the output belongs, and never replaces
what another run wrote there meanwhile. :func:`process` chains the three steps
(open, apply an operator, write) chunk by chunk, in bounded memory; it is what
the ``fieldops`` command calls.
"""

from __future__ import annotations

import math
import os
import uuid
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import xarray as xr

from fieldops.io import atomic as _atomic
from fieldops.io.atomic import add_history
from fieldops.io.sources import ChunkDimError, PathLike, Paths, _as_paths, _open_kwargs

ChunkSpec = Literal["auto", "storage"] | Mapping[Hashable, int]
Format = Literal["netcdf", "zarr"]

#: Default size of one Dask chunk: tens of MiB keep the per-task overhead
#: (~1 ms) small against the work and many chunks in flight within memory.
TARGET_CHUNK_BYTES = 64 * 2**20

# Encodings that describe the source's storage layout; they would fight the
# Dask chunks of derived data when written again.
_LAYOUT_ENCODINGS = ("chunks", "chunksizes", "preferred_chunks", "contiguous", "shards")


def storage_chunks(var: xr.Variable | xr.DataArray) -> dict[Hashable, int]:
    """The storage chunk size of each dim of a variable opened from a file.

    Parameters
    ----------
    var : Variable or DataArray
        A variable as opened by xarray (its ``encoding`` describes the file).

    Returns
    -------
    dict
        ``{dim: chunk length}``; a contiguous (unchunked) variable counts as one
        chunk per element along every dim but the last, which is whole.

    Examples
    --------
    >>> import numpy as np
    >>> v = xr.Variable(("t", "y"), np.zeros((4, 6)), encoding={"chunksizes": (1, 6)})
    >>> storage_chunks(v)
    {'t': 1, 'y': 6}
    """
    enc = var.encoding
    sizes = dict(zip(var.dims, var.shape))
    pref = enc.get("preferred_chunks")
    if pref:
        return {d: int(pref.get(d, sizes[d])) for d in var.dims}
    for key in ("chunksizes", "chunks"):
        chunks = enc.get(key)
        if chunks:
            return {d: int(c) for d, c in zip(var.dims, chunks)}
    return {d: (sizes[d] if i == var.ndim - 1 else 1) for i, d in enumerate(var.dims)}


def aligned_chunks(
    sizes: Mapping[Hashable, int],
    storage: Mapping[Hashable, int],
    itemsize: int,
    *,
    dims: Sequence[Hashable] = (),
    target_bytes: int = TARGET_CHUNK_BYTES,
) -> dict[Hashable, int]:
    """Dask chunks that are whole multiples of the storage chunks, near a size.

    The dims in ``dims`` (those to differentiate along) grow first, towards one
    chunk spanning the dim (no halo exchange then); the others grow from the
    last (fastest-varying in a C-ordered file) to the first, until a chunk
    holds about ``target_bytes``.

    Parameters
    ----------
    sizes : mapping
        Length of every dim.
    storage : mapping
        Storage chunk length of every dim (see :func:`storage_chunks`).
    itemsize : int
        Bytes per element of the data as it will be computed.
    dims : sequence of hashable
        Dims to keep whole if the size allows.
    target_bytes : int
        Aimed-at chunk size; never exceeded unless one storage chunk is larger.

    Returns
    -------
    dict
        ``{dim: chunk length}``.

    Examples
    --------
    >>> sizes = {"time": 100, "lat": 180, "lon": 360}
    >>> storage = {"time": 1, "lat": 180, "lon": 360}
    >>> aligned_chunks(sizes, storage, 8, target_bytes=2**20 * 5)
    {'time': 10, 'lat': 180, 'lon': 360}
    """
    if target_bytes < 1:
        raise ValueError(f"target_bytes must be positive, got {target_bytes}")
    chunks = {d: max(1, min(int(storage.get(d, n)), n)) for d, n in sizes.items()}
    missing = [d for d in dims if d not in sizes]
    if missing:
        raise ValueError(f"dims {missing} are not among the dims {list(sizes)}")

    def nbytes() -> int:
        return itemsize * math.prod(chunks.values())

    order = list(dims) + [d for d in reversed(list(sizes)) if d not in dims]
    for d in order:
        base = chunks[d]
        n = sizes[d]
        if base >= n:
            continue
        room = target_bytes // max(nbytes() // base, 1)
        factor = max(1, min(math.ceil(n / base), room // base))
        chunks[d] = min(n, base * factor)
        if chunks[d] < n:
            break
    return chunks


def open_dataset(
    paths: Paths,
    *,
    variables: Sequence[Hashable] | None = None,
    dims: Sequence[Hashable] = (),
    chunks: ChunkSpec = "auto",
    target_chunk_bytes: int = TARGET_CHUNK_BYTES,
    concat_dim: Hashable | None = None,
    engine: str | None = None,
    storage_options: Mapping | None = None,
    backend_kwargs: Mapping | None = None,
) -> xr.Dataset:
    """Open netCDF, zarr or GRIB lazily, with Dask chunks aligned to the storage chunks.

    Nothing is read but metadata (and the index coordinates); every data
    variable is a Dask array.

    Parameters
    ----------
    paths : path, URL, glob or sequence of them
        One netCDF file (netCDF4 engine), one zarr store (a ``.zarr`` path or a
        folder, or a URL such as ``"s3://bucket/era5.zarr"``, opened through
        fsspec and never taken for a local path), a GRIB file (``.grib``,
        ``.grib2``, ``.grb``: cfgrib, the ``grib`` extra), a glob such as
        ``"era5_*.nc"`` or a list: several files are combined by their
        coordinates through :func:`xarray.open_mfdataset` (or along
        ``concat_dim`` when given).
    variables : sequence of hashable, optional
        Data variables to keep (their coordinates come along); all by default.
    dims : sequence of hashable
        Dims that will be differentiated: ``chunks="auto"`` keeps them in one
        chunk where the size allows, which saves the halo exchange.
    chunks : {"auto", "storage"} or mapping, default "auto"
        ``"auto"``: whole multiples of the storage chunks of about
        ``target_chunk_bytes`` (see :func:`aligned_chunks`); ``"storage"``:
        exactly the storage chunks; a mapping ``{dim: length}`` is used as is.
    target_chunk_bytes : int
        Chunk size aimed at by ``"auto"``; 64 MiB by default.
    concat_dim : hashable, optional
        For several files, the dim to join them along, in the order given,
        instead of combining by coordinates (``combine="nested"``); a scalar
        coordinate of that name (one time per file) becomes the dim.
    engine : str, optional
        xarray's engine (``"netcdf4"``, ``"h5netcdf"``, ``"zarr"``,
        ``"cfgrib"``, ...); by default chosen from the name as above, or left to
        xarray for a URL that is not zarr.
    storage_options : mapping, optional
        fsspec options for a URL (credentials, ``anon=True``, endpoint), given
        to xarray's backend.
    backend_kwargs : mapping, optional
        Passed to :func:`xarray.open_dataset` as ``backend_kwargs``.

    Returns
    -------
    xarray.Dataset
        Lazy (Dask-backed) dataset.

    Raises
    ------
    FileNotFoundError
        A path or glob that matches nothing.
    ImportError
        A GRIB file without cfgrib installed.
    ValueError
        A variable or dim that is not in the files; a bad ``chunks`` (naming a
        dim the files do not have: :class:`ChunkDimError`).

    Examples
    --------
    >>> from fieldops.sample import SAMPLE_FILE
    >>> ds = open_dataset(SAMPLE_FILE, variables=["z"], dims=["longitude"])
    >>> list(ds.data_vars), ds.z.chunks[-1]
    (['z'], (240,))
    """
    files = _as_paths(paths)
    for f in files:
        if isinstance(f, Path) and not f.exists():
            raise FileNotFoundError(f"no such file or store: {str(f)!r}")
    open_kw = _open_kwargs(
        files[0], engine=engine, storage_options=storage_options, backend_kwargs=backend_kwargs
    )
    with xr.open_dataset(files[0], chunks={}, **open_kw) as probe:
        names = list(probe.data_vars)
        keep = names if variables is None else list(variables)
        unknown = [v for v in keep if v not in names]
        if unknown:
            raise ValueError(
                f"variable(s) {unknown} not in {str(files[0])!r}; its data variables: {names}"
            )
        bad_dims = [d for d in dims if d not in probe.dims]
        if bad_dims:
            raise ValueError(
                f"dim(s) {bad_dims} not in {str(files[0])!r}; its dims: {list(probe.dims)}"
            )
        # Grid-mapping variables (fieldops.mappings) of the kept ones stay, as coordinates.
        mappings = _mapping_variables(probe, keep)
        drop = [v for v in names if v not in keep and v not in mappings]
        if isinstance(chunks, Mapping):
            extra = [concat_dim] if concat_dim is not None and len(files) > 1 else []
            unknown = [d for d in chunks if d not in probe.dims and d not in extra]
            if unknown:
                raise ChunkDimError(
                    f"chunks name dim(s) {unknown} that {str(files[0])!r} does not have; "
                    f"its dims: {list(probe.dims)}"
                )
        spec = _resolve_chunks(probe, keep, dims, chunks, target_chunk_bytes)
    kw = dict(chunks=spec, drop_variables=drop or None, **open_kw)
    if len(files) == 1:
        return xr.open_dataset(files[0], **kw).set_coords(mappings)
    combine = (
        dict(combine="by_coords")
        if concat_dim is None
        else dict(combine="nested", concat_dim=concat_dim)
    )
    return xr.open_mfdataset(
        files,
        data_vars="minimal",
        coords="minimal",
        compat="override",
        join="exact",
        combine_attrs="override",
        **combine,
        **kw,
    ).set_coords(mappings)


def _mapping_variables(ds: xr.Dataset, keep: list[Hashable]) -> list[Hashable]:
    """The CF grid-mapping variables that the variables ``keep`` name (``grid_mapping``)."""
    found = []
    for name in keep:
        text = str(ds[name].attrs.get("grid_mapping", "")).split()
        gm = text[0].rstrip(":") if text else None
        if gm is not None and gm in ds.data_vars and gm not in found:
            found.append(gm)
    return found


def _resolve_chunks(
    probe: xr.Dataset,
    keep: list[Hashable],
    dims: Sequence[Hashable],
    chunks: ChunkSpec,
    target_bytes: int,
) -> dict[Hashable, int] | dict:
    if isinstance(chunks, Mapping):
        return dict(chunks)
    if chunks not in ("auto", "storage"):
        raise ValueError(f"chunks must be 'auto', 'storage' or a mapping, got {chunks!r}")
    if chunks == "storage" or not keep:
        return {}
    # The biggest variable sets the chunks; smaller ones share its dims' lengths.
    main = max(keep, key=lambda v: probe[v].size)
    var = probe[main]
    sizes = dict(zip(var.dims, var.shape))
    own = [d for d in dims if d in sizes]
    spec = aligned_chunks(
        sizes,
        storage_chunks(var),
        var.dtype.itemsize,
        dims=own,
        target_bytes=target_bytes,
    )
    return spec


def write(
    obj: xr.Dataset | xr.DataArray,
    path: PathLike,
    *,
    format: Format | None = None,
    overwrite: bool = False,
    progress: bool = False,
) -> Path:
    """Write a dataset to netCDF or zarr atomically, streaming Dask chunks.

    The data go to a temporary name in the same folder and are renamed to
    ``path`` only once complete: an error, a killed worker that exhausts its
    retries or Ctrl-C leaves ``path`` as it was (absent, or the old file when
    overwriting) and removes the temporary. Without ``overwrite`` the final
    rename never replaces anything, so of two runs writing one output, the
    later fails instead of silently replacing the earlier. Dask data are computed chunk by
    chunk as they are written, on the current scheduler (threads by default,
    the cluster under a ``dask.distributed.Client``).

    Parameters
    ----------
    obj : Dataset or DataArray
        What to write (a DataArray needs a name).
    path : path
        Output file (netCDF) or store (zarr).
    format : {"netcdf", "zarr"}, optional
        Inferred from the suffix when omitted: ``.zarr`` is zarr, anything else
        netCDF (netCDF4 engine).
    overwrite : bool, default False
        Replace an existing ``path``; otherwise that is an error. Only a file
        or a zarr store is replaced, never another folder, and never the file
        ``obj`` was read from.
    progress : bool, default False
        Under a ``dask.distributed`` client, show distributed's progress bar for
        the write (locally, wrap the call in ``dask.diagnostics.ProgressBar``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists (or appears during the write) and ``overwrite`` is false.
    ValueError
        ``path`` is the file ``obj`` was read from, or a folder that is not a
        zarr store; netCDF under Dask's ``processes`` scheduler.

    Examples
    --------
    >>> import shutil, tempfile
    >>> import numpy as np
    >>> folder = Path(tempfile.mkdtemp())
    >>> da = xr.DataArray(np.arange(4.0), dims="x", name="t")
    >>> write(da, folder / "t.nc").name
    't.nc'
    >>> sorted(p.name for p in folder.iterdir())
    ['t.nc']
    >>> shutil.rmtree(folder)
    """
    path = Path(os.fspath(path))
    fmt: Format = format or ("zarr" if path.suffix == ".zarr" else "netcdf")
    if fmt not in ("netcdf", "zarr"):
        raise ValueError(f"format must be 'netcdf' or 'zarr', got {fmt!r}")
    if isinstance(obj, xr.DataArray):
        if obj.name is None:
            raise ValueError("a DataArray needs a name to be written; use da.rename('name')")
        obj = obj.to_dataset()
    if not isinstance(obj, xr.Dataset):
        raise TypeError(f"write takes a Dataset or a DataArray, got {type(obj).__name__}")
    _atomic.check_target(path, overwrite=overwrite, sources=_atomic.sources_of(obj))
    _atomic.check_scheduler(fmt)
    obj = _clean_for_writing(obj, fmt)
    tmp = path.with_name(f".{path.name}.fieldops-tmp-{uuid.uuid4().hex[:12]}")
    try:
        if fmt == "zarr":
            with warnings.catch_warnings():
                # zarr 3 notes that consolidated metadata is outside its spec; xarray
                # reads it everywhere, and without it every reader warns and lists
                # the whole store.
                warnings.filterwarnings("ignore", message="Consolidated metadata")
                job = obj.to_zarr(tmp, mode="w-", consolidated=True, compute=False)
            _compute(job, progress)
            _atomic.place(tmp, path, overwrite=overwrite)
        else:
            # The file sits in a folder of its own: after a failed read, a dask task still
            # running reopens it in append mode, which would recreate a removed file, but
            # cannot create one in a removed folder.
            tmp.mkdir()
            job = obj.to_netcdf(tmp / path.name, engine="netcdf4", compute=False)
            _compute(job, progress)
            _atomic.place(tmp / path.name, path, overwrite=overwrite)
            tmp.rmdir()
    except BaseException:
        _atomic.remove(tmp)
        raise
    return path


def _compute(job, progress: bool) -> None:
    """Run a delayed write: on the distributed client if there is one (with its
    progress bar when asked), else on the current local scheduler."""
    client = None
    if progress:
        try:
            from distributed import get_client

            client = get_client()
        except (ImportError, ValueError):
            client = None
    if client is None:
        job.compute()
        return
    from distributed import progress as show_progress

    future = client.compute(job)
    show_progress(future)
    future.result()


def _clean_for_writing(ds: xr.Dataset, fmt: Format) -> xr.Dataset:
    """Drop the source's layout encodings; zarr gets regular chunks."""
    ds = ds.copy()
    for var in ds.variables.values():
        for key in _LAYOUT_ENCODINGS:
            var.encoding.pop(key, None)
    if fmt == "zarr" and ds.chunks:
        regular = {}
        for d, c in ds.chunks.items():
            if len(c) > 1 and (len(set(c[:-1])) > 1 or c[-1] > c[0]):
                regular[d] = max(c)
        if regular:
            ds = ds.chunk(regular)
    return ds


def process(
    paths: Paths,
    operator: Callable[[xr.Dataset], xr.Dataset | xr.DataArray],
    *,
    output: PathLike,
    variables: Sequence[Hashable] | None = None,
    dims: Sequence[Hashable] = (),
    chunks: ChunkSpec = "auto",
    target_chunk_bytes: int = TARGET_CHUNK_BYTES,
    concat_dim: Hashable | None = None,
    engine: str | None = None,
    storage_options: Mapping | None = None,
    format: Format | None = None,
    overwrite: bool = False,
) -> Path:
    """Open, apply an operator and write, streaming chunk by chunk.

    Memory stays bounded by a few chunks per Dask worker thread, whatever the
    size of the files; the output appears at ``output`` only once complete.

    Parameters
    ----------
    paths : path, URL, glob or sequence of them
        Input netCDF file(s), zarr store or GRIB file (see :func:`open_dataset`).
    operator : callable
        ``Dataset -> Dataset or DataArray``, e.g.
        ``lambda ds: fieldops.diff(ds, "x")`` or
        ``functools.partial(fieldops.diff, dim="x", accuracy=4)``. It must stay
        lazy (every fieldops operator does).
    output : path
        Output file or zarr store (``.zarr`` suffix or ``format="zarr"``).
    variables : sequence of hashable, optional
        Data variables to read; all by default.
    dims : sequence of hashable
        Dims the operator differentiates along (used to choose the chunks).
    chunks, target_chunk_bytes, concat_dim, engine, storage_options
        As for :func:`open_dataset`.
    format : {"netcdf", "zarr"}, optional
        Output format; inferred from ``output``'s suffix when omitted.
    overwrite : bool, default False
        Replace an existing output (a file or zarr store, never an input).

    Returns
    -------
    pathlib.Path
        ``output``. It keeps the inputs' global attributes and its ``history``
        attribute starts with a line naming the operator and the inputs.

    Examples
    --------
    >>> import functools, shutil, tempfile
    >>> import fieldops
    >>> from fieldops.sample import SAMPLE_FILE
    >>> folder = Path(tempfile.mkdtemp())
    >>> op = functools.partial(fieldops.diff, dim="longitude", boundary="periodic")
    >>> out = process(SAMPLE_FILE, op, output=folder / "dz.nc", variables=["z"],
    ...               dims=["longitude"])
    >>> with xr.open_dataset(out) as res:
    ...     list(res.data_vars), res.attrs["Conventions"], "fieldops.process" in res.history
    (['dz_dlongitude'], 'CF-1.0', True)
    >>> shutil.rmtree(folder)
    """
    if not callable(operator):
        raise TypeError(f"operator must be callable (Dataset -> Dataset), got {operator!r}")
    files = _as_paths(paths)
    # Refused before reading anything: overwriting an input would destroy it mid-read.
    _atomic.refuse_inputs(Path(os.fspath(output)), files)
    with open_dataset(
        files,
        variables=variables,
        dims=dims,
        chunks=chunks,
        target_chunk_bytes=target_chunk_bytes,
        concat_dim=concat_dim,
        engine=engine,
        storage_options=storage_options,
    ) as ds:
        result = operator(ds)
        if not isinstance(result, (xr.Dataset, xr.DataArray)):
            raise TypeError(
                f"operator must return a Dataset or DataArray, got {type(result).__name__}"
            )
        if isinstance(result, xr.DataArray):
            if result.name is None:
                raise ValueError("the operator returned a DataArray without a name")
            result = result.to_dataset()
        inputs = ", ".join(os.path.basename(str(f).rstrip("/")) for f in files)
        command = f"fieldops.process {_atomic.describe_operator(operator)} on {inputs}"
        result = add_history(result, command, attrs=ds.attrs)
        return write(result, output, format=format, overwrite=overwrite)
