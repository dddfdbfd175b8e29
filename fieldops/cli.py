"""The ``fieldops`` command: parse, open, call the library, write. No numerics here.

Every computing subcommand shares one set of options (inputs, ``-v``, ``--dims``,
``--accuracy``, ``--boundary``, ``--chunks``, ``-o``, ``--overwrite``,
``--scheduler``, ``-q``) and one flow: open lazily, apply one operator, write to a
temporary name with a progress bar, rename. Errors become one line on stderr and
exit status 1 (2 for usage errors) unless ``--debug`` is given.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import glob
import os
import shlex
import sys
import warnings
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import xarray as xr

from fieldops import __version__

# Options whose values run on until the next option (``--dims lat lon``).
_GREEDY = ("--dims", "-v", "--var")


def _spread_greedy(args: list[str]) -> list[str]:
    """Rewrite ``--dims a b`` as ``--dims a --dims b`` so click reads several values."""
    out: list[str] = []
    i = 0
    while i < len(args):
        tok = args[i]
        out.append(tok)
        i += 1
        if tok in _GREEDY:
            first = True
            while i < len(args) and not args[i].startswith("-"):
                if not first and _looks_like_input(args[i]):
                    break
                if not first:
                    out.append(tok)
                out.append(args[i])
                first = False
                i += 1
    return out


def _looks_like_input(token: str) -> bool:
    return token.endswith((".nc", ".zarr", ".nc4", ".h5")) or "*" in token or os.path.exists(token)


class _Group(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["fieldops.argv"] = list(args)  # for the output's history attribute
        return super().parse_args(ctx, _spread_greedy(list(args)))

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            click.echo(f"fieldops: error: {message}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fieldops")
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Differentiate gridded fields in netCDF or zarr files along named dims."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# ----------------------------------------------------------------------------- inputs


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Expand globs; every path must exist (a missing one raises FileNotFoundError)."""
    paths: list[str] = []
    for item in inputs:
        matches = sorted(glob.glob(item)) if any(c in item for c in "*?[") else [item]
        if not matches:
            raise FileNotFoundError(f"no file matches {item!r}")
        for path in matches:
            if not os.path.exists(path):
                raise FileNotFoundError(f"file {path!r} does not exist; check the path")
            paths.append(path)
    return paths


def parse_pairs(items: Sequence[str], what: str, convert: Callable[[str], object]) -> dict:
    """``["x=periodic", "y=fill"]`` -> ``{"x": "periodic", "y": "fill"}``."""
    pairs = {}
    for item in items:
        if "=" not in item:
            raise click.BadParameter(f"expected DIM=VALUE, got {item!r}", param_hint=what)
        key, value = item.split("=", 1)
        try:
            pairs[key] = convert(value)
        except ValueError as err:
            raise click.BadParameter(f"{item!r}: {err}", param_hint=what) from None
    return pairs


def open_inputs(paths: Sequence[str], chunks: dict[Hashable, int] | None) -> xr.Dataset:
    """Open one or several netCDF/zarr inputs lazily (Dask), chunks as given or stored."""
    chunk_arg: dict | str = dict(chunks) if chunks else {}
    try:
        if len(paths) == 1 and paths[0].rstrip("/").endswith(".zarr"):
            return xr.open_zarr(paths[0], chunks=chunk_arg or None)
        if len(paths) == 1:
            return xr.open_dataset(paths[0], chunks=chunk_arg)
        return xr.open_mfdataset(list(paths), chunks=chunk_arg, combine="by_coords")
    except (OSError, ValueError) as err:
        raise OSError(
            f"cannot read {', '.join(paths)}: {str(err).splitlines()[0]}; is it netCDF or zarr?"
        ) from None


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


# ----------------------------------------------------------------------------- output


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


def _progress(client: object | None, quiet: bool):
    if quiet:
        return contextlib.nullcontext()
    if client is None:
        from dask.diagnostics import ProgressBar

        return ProgressBar(out=sys.stderr)
    return contextlib.redirect_stdout(sys.stderr)


def write_atomic(
    ds: xr.Dataset, output: str, *, overwrite: bool, scheduler: str, quiet: bool
) -> None:
    """Compute and write ``ds`` to a temporary name next to ``output``, then rename.

    An error or Ctrl-C leaves no file at ``output``; an existing ``output`` is
    refused unless ``overwrite``.
    """
    import shutil

    out = Path(output)
    if out.exists() and not overwrite:
        raise FileExistsError(f"output {output!r} exists; pass --overwrite to replace it")
    is_zarr = out.suffix == ".zarr"
    if not is_zarr and out.suffix not in (".nc", ".nc4"):
        raise ValueError(f"output {output!r} must end in .nc or .zarr")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        with scheduler_context(scheduler) as client:
            if is_zarr:
                with warnings.catch_warnings():
                    # zarr 3 warns that consolidated metadata is not in its spec; xarray
                    # reads it everywhere and it spares readers a listing of the store.
                    warnings.filterwarnings("ignore", message="Consolidated metadata")
                    job = ds.to_zarr(tmp, mode="w", compute=False)
            else:
                job = ds.to_netcdf(tmp, compute=False)
            with _progress(client, quiet):
                if client is not None:
                    from distributed import progress

                    future = client.compute(job)
                    if not quiet:
                        progress(future)
                    future.result()
                else:
                    job.compute()
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()


def add_history(ds: xr.Dataset, argv: Sequence[str]) -> xr.Dataset:
    """Prepend the command line to the global ``history`` attribute (CF convention)."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"{stamp}: fieldops {shlex.join(argv)}"
    old = ds.attrs.get("history")
    attrs = dict(ds.attrs)
    attrs["history"] = f"{line}\n{old}" if old else line
    return ds.assign_attrs(attrs)


# ----------------------------------------------------------------------------- commands


@dataclass
class RunOptions:
    """What every computing subcommand was asked to do."""

    inputs: tuple[str, ...]
    variables: tuple[str, ...]
    dims: tuple[str, ...]
    accuracy: int
    boundary: tuple[str, ...]
    chunks: tuple[str, ...]
    output: str
    overwrite: bool
    scheduler: str
    quiet: bool

    def boundary_spec(self) -> str | dict | None:
        """One mode for all dims (``--boundary periodic``) or ``DIM=MODE`` pairs."""
        if len(self.boundary) == 1 and "=" not in self.boundary[0]:
            return self.boundary[0]
        pairs = parse_pairs(self.boundary, "--boundary", str)
        extra = [d for d in pairs if self.dims and d not in self.dims]
        if extra:
            raise ValueError(f"--boundary names dim(s) {extra} that are not in --dims {self.dims}")
        return pairs or None


def common_options(func):
    """The options every computing subcommand takes."""
    decorators = [
        click.argument("inputs", nargs=-1, required=True),
        click.option("-v", "--var", "variables", multiple=True, help="Variable (repeatable)."),
        click.option("--dims", multiple=True, help="Dims to differentiate along."),
        click.option("--accuracy", default=2, show_default=True, help="Even accuracy order."),
        click.option(
            "--boundary",
            multiple=True,
            help="MODE, or DIM=MODE (repeatable): one_sided, periodic, fill, mirror.",
        ),
        click.option("--chunks", multiple=True, help="DIM=N Dask chunk size (repeatable)."),
        click.option("-o", "--output", required=True, help="Output file, .nc or .zarr."),
        click.option("--overwrite", is_flag=True, help="Replace an existing output."),
        click.option(
            "--scheduler",
            default="threads",
            show_default=True,
            help="threads, processes, synchronous, or a Dask scheduler address.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar."),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func


def run_operator(opts: RunOptions, compute: Callable[[xr.Dataset], xr.Dataset]) -> None:
    """Open, select, apply ``compute``, add history, write atomically."""
    paths = expand_inputs(opts.inputs)
    chunks = parse_pairs(opts.chunks, "--chunks", int)
    ds = open_inputs(paths, chunks)
    try:
        selected = select_variables(ds, opts.variables, opts.dims)
        result = compute(selected)
        result = result.assign_attrs(ds.attrs)
        result = add_history(result, click.get_current_context().meta.get("fieldops.argv", []))
        write_atomic(
            result,
            opts.output,
            overwrite=opts.overwrite,
            scheduler=opts.scheduler,
            quiet=opts.quiet,
        )
    finally:
        ds.close()
    if not opts.quiet:
        click.echo(f"wrote {opts.output}: {', '.join(map(str, result.data_vars))}", err=True)


@main.command("diff")
@common_options
@click.option("--order", default=1, show_default=True, help="Derivative order.")
def diff_command(order: int, **options) -> None:
    """Derivative of ORDER along each of --dims (one output variable per dim)."""
    import fieldops

    opts = RunOptions(**options)
    if not opts.dims:
        raise click.UsageError("diff needs --dims: the dim(s) to differentiate along")

    def compute(ds: xr.Dataset) -> xr.Dataset:
        parts = [
            fieldops.diff(
                ds, dim, order, accuracy=opts.accuracy, boundary=_only(opts.boundary_spec(), dim)
            )
            for dim in opts.dims
        ]
        return xr.merge(parts, compat="override", combine_attrs="override")

    run_operator(opts, compute)


def _only(boundary, dim):
    if isinstance(boundary, dict):
        return {d: m for d, m in boundary.items() if d == dim} or None
    return boundary


if __name__ == "__main__":  # pragma: no cover
    main()
