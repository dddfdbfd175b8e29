"""What every computing subcommand does: open lazily, select, apply, write atomically.

:func:`run_operator` is the one flow: the inputs opened with chunks aligned to
the storage, the variables selected, ``--mask`` and ``--vertical`` built, the
operator applied, the command line added to ``history``, and the result written
to a temporary name with progress on stderr, then renamed. No numerics here.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path

import click
import xarray as xr
from dask.callbacks import Callback

from fieldops.cli.options import RunOptions, chunk_size, expand_inputs, parse_pairs
from fieldops.io.sources import is_url


def open_inputs(
    paths: Sequence[str],
    chunks: dict[Hashable, int],
    dims: Sequence[str],
    *,
    concat_dim: str | None = None,
    engine: str | None = None,
):
    """Open one or several inputs lazily, chunks aligned to the storage."""
    from fieldops import io

    try:
        return io.open_dataset(
            list(paths),
            chunks=dict(chunks) or "auto",
            dims=list(dims),
            concat_dim=concat_dim,
            engine=engine,
        )
    except io.ChunkDimError as err:
        raise click.BadParameter(str(err), param_hint="--chunks") from None
    except ImportError:
        raise  # GRIB without cfgrib: the message names the extra
    except (OSError, ValueError) as err:
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        if isinstance(err, ValueError) and "dim" in text:
            raise
        raise OSError(f"cannot read {', '.join(paths)}: {text}; is it netCDF or zarr?") from None


def select_variables(ds: xr.Dataset, variables: Sequence[str], dims: Sequence[str]) -> xr.Dataset:
    """The requested variables, or every numeric variable that has all ``dims``."""
    missing_dims = [d for d in dims if d not in ds.dims]
    if missing_dims:
        raise ValueError(f"dim(s) {missing_dims} not in the input; its dims are {list(ds.dims)}")
    if variables:
        missing = [v for v in variables if v not in ds.data_vars]
        if missing:
            raise ValueError(
                f"variable(s) {missing} not in the input; its variables are {list(ds.data_vars)}"
            )
        return ds[list(variables)]
    keep = [
        k
        for k, v in ds.data_vars.items()
        if all(d in v.dims for d in dims) and v.dtype.kind in "fiu"
    ]
    if not keep:
        raise ValueError(f"no numeric variable has dim(s) {list(dims)}; use -v to choose one")
    return ds[keep]


def open_mask(spec: str, ds: xr.Dataset, engine: str | None) -> tuple[xr.DataArray, object]:
    """``--mask VAR`` (in the input) or ``FILE:VAR``: a boolean, True where valid.

    Returns the mask and what to close after writing (None for a variable of the input).
    """
    from fieldops import io

    file, sep, var = spec.rpartition(":")
    if sep and file and (os.path.exists(file) or is_url(file)):
        src = io.open_dataset(file, engine=engine)
        if var not in src.variables:
            src.close()
            raise click.BadParameter(
                f"{var!r} is not in {file!r}; its variables: {list(src.data_vars)}",
                param_hint="--mask",
            )
        mask, closer = src[var], src
    elif spec in ds.variables:
        mask, closer = ds[spec], None
    else:
        raise click.BadParameter(
            f"{spec!r} is neither a variable of the input (its variables: "
            f"{list(ds.data_vars)}) nor FILE:VAR with an existing FILE",
            param_hint="--mask",
        )
    if mask.dtype != bool:  # a land-sea fraction or 0/1 flags: non-zero is valid
        mask = mask.notnull() & (mask != 0)
    return mask.rename(None), closer


@contextlib.contextmanager
def scheduler_context(scheduler: str) -> Iterator[object | None]:
    """Dask scheduler for the computation: threads, processes, or a cluster address."""
    import dask

    if scheduler in ("threads", "processes", "synchronous"):
        with dask.config.set(scheduler=scheduler):
            yield None
        return
    from distributed import Client

    with Client(scheduler) as client:
        yield client


def _progress(client: object | None, quiet: bool, label: str):
    """Progress on stderr for the local schedulers: Dask's bar on a terminal, else
    one line per stage (a log file gets no carriage-return frames)."""
    if quiet or client is not None:
        return contextlib.nullcontext()
    if sys.stderr.isatty():
        from dask.diagnostics import ProgressBar

        return ProgressBar(out=sys.stderr)
    return _LineProgress(label)


class _LineProgress(Callback):
    """``fieldops: writing o.nc: 25%`` on a line of its own at each quarter."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self._label = label
        self._total = 0
        self._next = 25

    def _start_state(self, dsk, state) -> None:
        self._total = sum(len(state[k]) for k in ("ready", "waiting", "running", "finished"))
        self._next = 25
        click.echo(f"fieldops: {self._label}: {self._total} tasks", err=True)

    def _posttask(self, key, result, dsk, state, worker_id) -> None:
        done = 100 * len(state["finished"]) // max(self._total, 1)
        while done >= self._next <= 100:
            click.echo(f"fieldops: {self._label}: {self._next}%", err=True)
            self._next += 25


def _write_error(err: BaseException, output: str) -> str:
    """What went wrong, said plainly: a system error names its path and reason; only
    the netCDF library's own errors point at a damaged input."""
    if isinstance(err, OSError) and err.errno and err.errno > 0 and err.strerror:
        where = err.filename or output
        return f"{err.strerror}: {where!s} (while writing {output}); nothing was written"
    return (
        f"{err} while computing {output}; nothing was written "
        "(is an input file corrupt or truncated?)"
    )


def write_output(
    ds: xr.Dataset, output: str, *, overwrite: bool, scheduler: str, quiet: bool
) -> None:
    """Compute and write ``ds`` atomically (:func:`fieldops.io.write`), with progress.

    An error, Ctrl-C, SIGTERM or SIGHUP leaves no file at ``output``; an existing
    ``output`` is refused unless ``overwrite``.
    """
    from fieldops import io

    out = Path(output)
    with scheduler_context(scheduler) as client:
        with _progress(client, quiet, f"writing {output}"), contextlib.redirect_stdout(sys.stderr):
            # distributed's text progress bar prints to stdout: keep stdout for data.
            try:
                io.write(ds, out, overwrite=overwrite, progress=client is not None and not quiet)
            except (OSError, RuntimeError) as err:
                if isinstance(err, OSError) and not (err.errno or type(err) is OSError):
                    raise  # a missing folder, an output that appeared: the message says it all
                raise RuntimeError(_write_error(err, output)) from err


def check_output(output: str, *, overwrite: bool, scheduler: str, inputs: Sequence[str]) -> None:
    """Refuse a bad output before anything is read."""
    from fieldops.io import atomic as _atomic

    out = Path(output)
    if out.suffix not in (".nc", ".nc4", ".zarr"):
        raise ValueError(f"output {output!r} must end in .nc or .zarr")
    if scheduler == "processes" and out.suffix != ".zarr":
        raise click.UsageError(
            "--scheduler processes cannot write netCDF: its chunks would be written from "
            "several processes into one file, which netCDF does not allow; write a .zarr "
            "output, or use --scheduler threads or a Dask cluster address"
        )
    _atomic.refuse_inputs(out, inputs)
    if (out.exists() or out.is_symlink()) and not overwrite:
        raise FileExistsError(f"output {output!r} exists; pass --overwrite to replace it")


def run_operator(opts: RunOptions, compute: Callable[..., xr.Dataset]) -> None:
    """Open, select, apply ``compute`` (with ``mask=`` when --mask is given), add
    history, write atomically."""
    from fieldops import io

    paths = expand_inputs(opts.inputs)
    check_output(opts.output, overwrite=opts.overwrite, scheduler=opts.scheduler, inputs=paths)
    chunks = parse_pairs(opts.chunks, "--chunks", chunk_size)
    ds = open_inputs(paths, chunks, opts.dims, concat_dim=opts.concat_dim, engine=opts.engine)
    closers: list[object] = [ds]
    try:
        extra = {}
        data = ds
        if opts.mask is not None:
            extra["mask"], closer = open_mask(opts.mask, ds, opts.engine)
            closers.append(closer)
            data = ds.drop_vars(opts.mask) if opts.mask in ds.data_vars else ds
        # model levels (issue 16): --vertical is built from the whole file (its
        # formula_terms variables), before the variables are selected
        if opts.vertical is not None:
            extra["vertical"] = vertical_for(data, opts.vertical)
        selected = select_variables(data, opts.variables, opts.dims)
        result = compute(selected, **extra)
        argv = click.get_current_context().meta.get("fieldops.argv", [])
        result = io.add_history(result, f"fieldops {shlex.join(argv)}", attrs=ds.attrs)
        write_output(
            result,
            opts.output,
            overwrite=opts.overwrite,
            scheduler=opts.scheduler,
            quiet=opts.quiet,
        )
    finally:
        for closer in closers:
            if closer is not None:
                closer.close()
    if not opts.quiet:
        click.echo(f"wrote {opts.output}: {', '.join(map(str, result.data_vars))}", err=True)


def as_dataset(result: xr.DataArray | xr.Dataset, name: str) -> xr.Dataset:
    if isinstance(result, xr.Dataset):
        return result
    return result.to_dataset(name=result.name or name)


def vertical_for(ds: xr.Dataset, spec: str) -> xr.DataArray:
    """The vertical coordinate --vertical names: built from ``formula_terms``, or a variable."""
    from fieldops.vertical.formula_terms import vertical_coordinate
    from fieldops.vertical.resolve import KINDS, kind_of

    if spec not in KINDS:
        if spec not in ds.variables:
            raise ValueError(
                f"--vertical {spec!r} is neither height, pressure, auto nor a variable of the "
                f"input (its variables are {sorted(map(str, ds.variables))})"
            )
        return ds[spec]
    z = vertical_coordinate(ds)
    if spec != "auto" and kind_of(z) != spec:
        raise ValueError(f"--vertical {spec}: the file's vertical coordinate gives {kind_of(z)}")
    return z
