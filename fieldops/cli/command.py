"""The ``fieldops`` command: parse, open, call the library, write. No numerics here.

Every computing subcommand shares one set of options (:mod:`fieldops.cli.options`:
inputs, ``-v``, ``--dims``, ``--accuracy``, ``--boundary``, ``--chunks``,
``--concat-dim``, ``--engine``, ``--mask``, ``-o``, ``--overwrite``, ``--scheduler``,
``-q``) and one flow: open lazily, apply one operator, write to a temporary name
with progress on stderr, rename. Errors become one line on stderr and exit status 1
(2 for usage errors) unless ``--debug`` is given; SIGTERM and SIGHUP, like Ctrl-C,
remove the temporary and exit with 128 + the signal number.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path

import click
import xarray as xr
from dask.callbacks import Callback

from fieldops.cli.options import (
    RunOptions,
    chunk_size,
    common_options,
    expand_inputs,
    method_kwargs,
    method_options,
    operator_options,
    parse_pairs,
    pop_operator_options,
    spread_greedy,
)
from fieldops.io.sources import is_url


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, so the temporary is removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP (batch systems, a closed terminal) into an exception."""

    def handler(signum: int, frame: object) -> None:
        raise _Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread (an embedding application): leave it
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class _Group(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["fieldops.argv"] = list(args)  # for the output's history attribute
        return super().parse_args(ctx, spread_greedy(list(args)))

    def invoke(self, ctx: click.Context):
        try:
            with _signals_unwind():
                return super().invoke(ctx)
        except _Terminated as stop:
            name = signal.Signals(stop.signum).name
            click.echo(f"fieldops: error: stopped by {name}; nothing was written", err=True)
            ctx.exit(128 + stop.signum)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            click.echo(f"fieldops: error: {message}", err=True)
            ctx.exit(1)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``, reading the library only when asked (the CLI stands above it)."""
    if not value or ctx.resilient_parsing:
        return
    import fieldops

    click.echo(f"fieldops, version {fieldops.__version__}")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Differentiate gridded fields in netCDF, zarr or GRIB files along named dims."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# ----------------------------------------------------------------------------- inputs


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


# ----------------------------------------------------------------------------- commands


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
        spec = click.get_current_context().params.get("vertical")
        if spec is not None:
            extra["vertical"] = vertical_for(data, spec)
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


@main.command("diff")
@common_options
@click.option("--order", default=1, show_default=True, help="Derivative order.")
@method_options
def diff_command(order: int, **options) -> None:
    """Derivative of ORDER along each of --dims (one output variable per dim)."""
    import fieldops

    how = method_kwargs(options)
    opts = RunOptions(**options)
    if not opts.dims:
        raise click.UsageError("diff needs --dims: the dim(s) to differentiate along")

    def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
        parts = [
            fieldops.diff(
                ds,
                dim,
                order,
                accuracy=opts.accuracy,
                boundary=_only(opts.boundary_spec(), dim),
                **how,
                **extra,
            )
            for dim in opts.dims
        ]
        return xr.merge(parts, compat="override", combine_attrs="override")

    run_operator(opts, compute)


def _only(boundary, dim):
    if isinstance(boundary, dict):
        return {d: m for d, m in boundary.items() if d == dim} or None
    return boundary


def _as_dataset(result: xr.DataArray | xr.Dataset, name: str) -> xr.Dataset:
    if isinstance(result, xr.Dataset):
        return result
    return result.to_dataset(name=result.name or name)


# model levels (issue 16) ------------------------------------------------------------
def vertical_option(func):
    """--vertical: derivatives at constant height or pressure on model levels."""
    return click.option(
        "--vertical",
        default=None,
        metavar="height|pressure|auto|VAR",
        help="On model levels: horizontal derivatives at constant height or pressure, "
        "from the file's CF formula_terms, or the variable VAR holding the height or "
        "pressure of every point.",
    )(func)


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


def _scalar_command(name: str, func_name: str, help_text: str) -> None:
    """A subcommand applying ``fieldops.<func_name>(ds, dims, ...)`` to the variables."""

    @main.command(name, help=help_text)
    @common_options
    @operator_options
    @vertical_option
    def command(**options) -> None:
        import fieldops

        how = pop_operator_options(options)
        options.pop("vertical")  # model levels (issue 16): run_operator reads it
        opts = RunOptions(**options)
        func = getattr(fieldops, func_name)

        def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
            result = func(
                ds,
                list(opts.dims) or None,
                accuracy=opts.accuracy,
                boundary=opts.boundary_spec(),
                **how,
                **extra,
            )
            return _as_dataset(result, name)

        run_operator(opts, compute)


_scalar_command("grad", "grad", "Gradient along --dims (all dims by default): a `component` dim.")
_scalar_command("laplacian", "laplacian", "Laplacian over --dims (all dims by default).")
_scalar_command("hessian", "hessian", "Hessian over --dims: dims `component` and `wrt`.")


def _vector_command(name: str, func_name: str, help_text: str) -> None:
    """A subcommand on the vector field given by ``--component DIM=VAR`` pairs."""

    @main.command(name, help=help_text)
    @common_options
    @click.option(
        "--component",
        "components",
        multiple=True,
        required=True,
        help="DIM=VAR: the variable holding the component along DIM (repeatable).",
    )
    @operator_options
    @vertical_option
    def command(components: tuple[str, ...], **options) -> None:
        import fieldops

        how = pop_operator_options(options)
        options.pop("vertical")  # model levels (issue 16): run_operator reads it
        pairs = parse_pairs(components, "--component", str)
        options["variables"] = tuple(options["variables"]) or tuple(pairs.values())
        if not options["dims"]:
            options["dims"] = tuple(pairs)
        opts = RunOptions(**options)
        func = getattr(fieldops, func_name)

        def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
            result = func(
                ds,
                list(opts.dims),
                components=pairs,
                accuracy=opts.accuracy,
                boundary=opts.boundary_spec(),
                **how,
                **extra,
            )
            return _as_dataset(result, name)

        run_operator(opts, compute)


_vector_command("div", "div", "Divergence of the vector field given by --component DIM=VAR.")
_vector_command("curl", "curl", "Curl of the vector field given by --component DIM=VAR.")


def _kinematics_command(name: str, help_text: str) -> None:
    """vorticity/divergence of the winds --u and --v, on any geometry."""

    @main.command(name, help=help_text)
    @common_options(select=False)
    @click.option("--u", "u", default="u", show_default=True, help="Eastward wind variable.")
    @click.option("--v", "v", default="v", show_default=True, help="Northward wind variable.")
    @operator_options
    def command(u: str, v: str, **options) -> None:
        how = pop_operator_options(options)
        # The winds are --u and --v, and the dims are the grid's horizontal ones: these
        # commands take no -v/--dims, so they cannot be given and silently ignored.
        opts = RunOptions(variables=(u, v), dims=(), **options)

        def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
            method = getattr(ds.fieldops, name)
            result = method(
                u=u,
                v=v,
                accuracy=opts.accuracy,
                boundary=opts.boundary_spec(),
                **how,
                **extra,
            )
            return _as_dataset(result, name)

        run_operator(opts, compute)


_kinematics_command("vorticity", "Relative vorticity of the winds --u, --v (s-1).")
_kinematics_command("divergence", "Horizontal divergence of the winds --u, --v (s-1).")


# Inverse operators (issue 15): Poisson solves and the Helmholtz decomposition.
def _solver_options(func):
    """--coast, --nan-policy, --geometry and --poles of the solvers (no --method family)."""
    func = click.option(
        "--poles", type=click.Choice(["limit", "nan"]), default="limit", show_default=True,
        help="Pole policy of the Laplacian inverted.",
    )(func)  # fmt: skip
    func = click.option(
        "--geometry", type=click.Choice(["auto", "cartesian", "spherical", "curvilinear"]),
        default="auto", show_default=True, help="Grid geometry; auto detects latitude/longitude.",
    )(func)  # fmt: skip
    func = click.option(
        "--nan-policy", type=click.Choice(["propagate", "omit"]), default="propagate",
        show_default=True, help="omit: NaN cells (the same on every slice) are outside.",
    )(func)  # fmt: skip
    return func


@main.command("poisson")
@common_options
@click.option(
    "--coast", type=click.Choice(["dirichlet", "neumann"]), default="dirichlet",
    show_default=True, help="Condition next to masked cells (--mask or --nan-policy omit).",
)  # fmt: skip
@_solver_options
def poisson_command(coast: str, nan_policy: str, geometry: str, poles: str, **options) -> None:
    """f with laplacian(f) = VAR for each -v VAR; --boundary periodic/dirichlet/neumann."""
    import fieldops

    opts = RunOptions(**options)

    def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
        parts = [
            fieldops.solve_poisson(
                ds[name],
                list(opts.dims) or None,
                boundary=opts.boundary_spec(),
                coast=coast,
                nan_policy=nan_policy,
                accuracy=opts.accuracy,
                geometry=geometry,
                poles=poles,
                **extra,
            )
            for name in ds.data_vars
        ]
        return xr.merge(parts, compat="override", combine_attrs="override")

    run_operator(opts, compute)


@main.command("helmholtz")
@common_options(select=False)
@click.option("--u", "u", default="u", show_default=True, help="Eastward wind variable.")
@click.option("--v", "v", default="v", show_default=True, help="Northward wind variable.")
@_solver_options
def helmholtz_command(u: str, v: str, nan_policy: str, geometry: str, poles: str, **options):
    """Streamfunction, velocity potential and the wind's parts (--boundary MODE, or
    streamfunction=MODE / velocity_potential=MODE on a limited area)."""
    opts = RunOptions(variables=(u, v), dims=(), **options)
    spec = opts.boundary_spec()
    if isinstance(spec, dict):
        spec = (spec.get("streamfunction", "dirichlet"), spec.get("velocity_potential", "neumann"))

    def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
        return ds.fieldops.helmholtz(
            u=u,
            v=v,
            boundary=spec,
            accuracy=opts.accuracy,
            nan_policy=nan_policy,
            geometry=geometry,
            poles=poles,
            **extra,
        )

    run_operator(opts, compute)


@main.command("info")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--concat-dim", default=None, help="Join several inputs along this dim.")
@click.option("--engine", default=None, help="xarray engine; default: from the name.")
def info_command(inputs: tuple[str, ...], concat_dim: str | None, engine: str | None) -> None:
    """Dims, chunks, detected geometry, variables and the operators that apply."""
    from fieldops.cli.info import describe

    paths = expand_inputs(inputs)
    ds = open_inputs(paths, {}, (), concat_dim=concat_dim, engine=engine)
    try:
        click.echo(describe(ds, title=", ".join(paths)))
    finally:
        ds.close()


@main.command("demo")
@click.option("--out", "folder", default="fieldops-demo", show_default=True, help="Folder.")
def demo_command(folder: str) -> None:
    """Kinematics of the bundled ERA-Interim sample: netCDF, PNG maps and a summary."""
    from fieldops.cli.demo import format_summary, run_demo

    result = run_demo(folder)
    click.echo(format_summary(result["summary"]))
    click.echo(f"wrote {result['netcdf']} and {len(result['png'])} maps in {folder}/")


if __name__ == "__main__":  # pragma: no cover
    main()
