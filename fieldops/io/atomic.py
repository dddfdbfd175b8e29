"""The machinery of :func:`fieldops.io.write`: checks on the target, placing a
finished temporary at its final name (never replacing someone else's output),
and the history line shared by :func:`fieldops.io.process` and the command.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import errno
import functools
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path

import xarray as xr

from fieldops.io.sources import is_url

# A store fieldops wrote (or any zarr store) has one of these at its root; a
# folder without them is someone's data, never deleted by ``overwrite``.
_ZARR_MARKERS = (".zgroup", ".zarray", "zarr.json", ".zmetadata")


def check_target(path: Path, *, overwrite: bool, sources: Iterable[object] = ()) -> None:
    """Refuse an output that exists (without ``overwrite``), is an input, or is a
    folder that is not a zarr store; its folder must exist."""
    if not path.parent.is_dir():
        raise FileNotFoundError(f"output folder {str(path.parent)!r} does not exist")
    refuse_inputs(path, sources)
    if not (path.exists() or path.is_symlink()):
        return
    if not overwrite:
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it")
    if path.is_dir() and not path.is_symlink() and not is_zarr_store(path):
        raise ValueError(
            f"{str(path)!r} is a folder but not a zarr store; overwrite replaces only a "
            "file or a zarr store, never another folder: remove it yourself or choose "
            "another output"
        )


def is_zarr_store(path: Path) -> bool:
    """Whether ``path`` is a folder holding zarr metadata at its root."""
    return path.is_dir() and any((path / m).exists() for m in _ZARR_MARKERS)


def refuse_inputs(path: Path, sources: Iterable[object]) -> None:
    """Raise if ``path`` is the same file or store as one of ``sources``."""
    if not path.exists():
        return
    for src in sources:
        if not isinstance(src, (str, os.PathLike)) or is_url(os.fspath(src)):
            continue
        try:
            same = os.path.samefile(path, src)
        except OSError:
            continue
        if same:
            raise ValueError(
                f"output {str(path)!r} is one of the inputs ({os.fspath(src)!r}); "
                "writing it would destroy the data being read: choose another output"
            )


def sources_of(obj: xr.Dataset) -> list[str]:
    """The files ``obj`` (or its variables) was read from, as xarray records them."""
    found = [obj.encoding.get("source")]
    found += [v.encoding.get("source") for v in obj.variables.values()]
    return sorted({s for s in found if isinstance(s, str)})


def check_scheduler(fmt: str) -> None:
    """A netCDF file cannot be written from the multiprocessing scheduler: say so
    before computing, rather than fail on an unpicklable lock afterwards."""
    if fmt != "netcdf":
        return
    import dask.multiprocessing
    from dask.base import get_scheduler

    if get_scheduler() is dask.multiprocessing.get:
        raise ValueError(
            "the 'processes' scheduler cannot write a netCDF file (its chunks would be "
            "written from several processes into one file, which netCDF does not allow); "
            "write a .zarr store, or use the 'threads' scheduler or a dask.distributed "
            "cluster"
        )


def place(src: Path, path: Path, *, overwrite: bool) -> None:
    """Move the finished ``src`` to ``path``.

    Without ``overwrite`` the move never replaces anything, even what another run
    put at ``path`` after the first check: two runs writing one output cannot
    both succeed.
    """
    if not overwrite:
        try:
            _rename_noreplace(src, path)
        except FileExistsError:
            raise FileExistsError(
                f"{str(path)!r} appeared while this write ran (another run?); it was "
                "left as it is and nothing was written; pass overwrite=True to replace it"
            ) from None
        return
    if src.is_dir() or (path.is_dir() and not path.is_symlink()):
        # A folder cannot be renamed over an existing name atomically: the old one
        # steps aside first and comes back if the move fails.
        old = path.with_name(f".{path.name}.fieldops-old-{uuid.uuid4().hex[:12]}")
        had_old = path.exists() or path.is_symlink()
        if had_old:
            os.replace(path, old)
        try:
            os.replace(src, path)
        except BaseException:
            if had_old:
                os.replace(old, path)
            raise
        if had_old:
            remove(old)
    else:
        os.replace(src, path)


def _rename_noreplace(src: Path, dst: Path) -> None:
    """``rename`` that fails with FileExistsError when ``dst`` exists, atomically."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is not None:
            at_fdcwd, rename_noreplace = -100, 1
            renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p] * 2 + [ctypes.c_uint]
            done = renameat2(
                at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), rename_noreplace
            )
            if done == 0:
                return
            err = ctypes.get_errno()
            if err not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                raise OSError(err, os.strerror(err), str(dst))
            # The file system does not support the flag: fall back below.
    if not src.is_dir():
        try:
            os.link(src, dst)  # a hard link never replaces an existing name
        except FileExistsError:
            raise
        except OSError:
            pass  # no hard links on this file system: rename after a check
        else:
            os.unlink(src)
            return
    if dst.exists() or dst.is_symlink():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    try:
        os.rename(src, dst)  # a folder never replaces a non-empty folder or a file
    except (NotADirectoryError, IsADirectoryError) as err:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from err
    except OSError as err:
        if err.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from err
        raise


def remove(path: Path) -> None:
    """Remove a file, link or folder tree that this module made."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def add_history(
    ds: xr.Dataset, command: str, *, attrs: Mapping[Hashable, object] | None = None
) -> xr.Dataset:
    """``ds`` with the global ``attrs`` of its source and ``command`` prepended to
    the ``history`` attribute (CF convention), with a UTC time stamp."""
    merged = {**(attrs or {}), **ds.attrs}
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{stamp}: {command}"
    old = merged.get("history")
    merged["history"] = f"{line}\n{old}" if old else line
    return ds.assign_attrs(merged)


def describe_operator(operator: Callable) -> str:
    """``diff(dim='x', accuracy=4)`` for a partial, else the callable's name."""
    if isinstance(operator, functools.partial):
        args = [repr(a) for a in operator.args]
        args += [f"{k}={v!r}" for k, v in operator.keywords.items()]
        return f"{describe_operator(operator.func)}({', '.join(args)})"
    return getattr(operator, "__qualname__", None) or type(operator).__name__
