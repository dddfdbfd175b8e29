"""Where :func:`fieldops.io.open_dataset` reads from: local paths, globs and URLs
(kept as text, never resolved as local paths), and the keywords of
``xarray.open_dataset`` for each (engine, zarr consolidation, storage options).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

PathLike = str | os.PathLike
Paths = PathLike | Sequence[PathLike]

GRIB_SUFFIXES = (".grib", ".grib2", ".grb", ".grb2")

#: A local path, or a URL (``s3://``, ``gs://``, ``https://``, ``memory://``) kept
#: as text so that it is never resolved against the working folder.
Source = Path | str


class ChunkDimError(ValueError):
    """``chunks`` names a dim that the input does not have."""


def is_url(text: str) -> bool:
    """Whether ``text`` is a URL (``scheme://...``) rather than a local path."""
    head, sep, _ = text.partition("://")
    return bool(sep) and head.replace("+", "").isalnum() and len(head) > 1


def _as_paths(paths: Paths) -> list[Source]:
    if isinstance(paths, (str, os.PathLike)):
        text = os.fspath(paths)
        if is_url(text):
            return [text]
        if any(c in text for c in "*?["):
            found = sorted(glob.glob(text))
            if not found:
                raise FileNotFoundError(f"no file matches {text!r}")
            return [Path(p) for p in found]
        return [Path(text)]
    try:
        texts = [os.fspath(p) for p in paths]
    except TypeError:
        raise TypeError(
            f"paths must be a path or a list of paths, got {type(paths).__name__}"
        ) from None
    if not texts:
        raise ValueError("no input paths given")
    return [t if is_url(t) else Path(t) for t in texts]


def _suffix(src: Source) -> str:
    name = src.rstrip("/").rsplit("/", 1)[-1] if isinstance(src, str) else src.name
    return os.path.splitext(name)[1].lower()


def _engine(src: Source, engine: str | None) -> str | None:
    """The engine asked for, else zarr / cfgrib / netCDF4 by the name (None: xarray's guess)."""
    suffix = _suffix(src)
    if engine is None:
        if suffix == ".zarr" or (isinstance(src, Path) and src.is_dir()):
            engine = "zarr"
        elif suffix in GRIB_SUFFIXES:
            engine = "cfgrib"
        elif isinstance(src, Path):
            engine = "netcdf4"
    if engine == "cfgrib":
        try:
            import cfgrib  # noqa: F401
        except ImportError:
            raise ImportError(
                f"reading GRIB ({str(src)!r}) needs cfgrib: pip install 'fieldops-xr[grib]' "
                "(or conda install -c conda-forge cfgrib)"
            ) from None
    return engine


def _consolidated(src: Source, storage_options: Mapping | None) -> bool | None:
    """Whether a zarr store has consolidated metadata (None: let xarray find out)."""
    if isinstance(src, str):
        try:
            import fsspec

            fs, root = fsspec.core.url_to_fs(src, **(storage_options or {}))
            if fs.exists(f"{root.rstrip('/')}/.zmetadata"):
                return True
            meta = f"{root.rstrip('/')}/zarr.json"
            return fs.exists(meta) and b'"consolidated_metadata": {' in fs.cat_file(meta)
        except Exception:  # no fsspec, no access: xarray tries both
            return None
    consolidated = (src / ".zmetadata").exists()
    meta = src / "zarr.json"
    if meta.exists():
        consolidated = consolidated or '"consolidated_metadata": {' in meta.read_text()
    return consolidated


def _open_kwargs(
    src: Source,
    *,
    engine: str | None = None,
    storage_options: Mapping | None = None,
    backend_kwargs: Mapping | None = None,
) -> dict:
    """Keywords of ``xarray.open_dataset`` for ``src``: engine, storage options."""
    kw: dict = {}
    engine = _engine(src, engine)
    if engine is not None:
        kw["engine"] = engine
    if engine == "zarr":
        kw["consolidated"] = _consolidated(src, storage_options)
    if storage_options:
        kw["storage_options"] = dict(storage_options)
    if backend_kwargs:
        kw["backend_kwargs"] = dict(backend_kwargs)
    return kw
