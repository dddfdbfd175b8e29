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


def _chunk_size(value: str) -> int:
    """A ``--chunks`` size: a positive number of points, or -1 for the whole dim."""
    n = int(value)
    if n < 1 and n != -1:
        raise ValueError(f"a chunk size is a number of points >= 1 (or -1 for all), got {n}")
    return n


def open_inputs(paths: Sequence[str], chunks: dict[Hashable, int], dims: Sequence[str]):
    """Open one or several netCDF/zarr inputs lazily, chunks aligned to the storage."""
    from fieldops import io

    try:
        return io.open_dataset(list(paths), chunks=dict(chunks) or "auto", dims=list(dims))
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
    """Dask's progress bar on stderr for the local schedulers."""
    if quiet or client is not None:
        return contextlib.nullcontext()
    from dask.diagnostics import ProgressBar

    return ProgressBar(out=sys.stderr)


def write_output(
    ds: xr.Dataset, output: str, *, overwrite: bool, scheduler: str, quiet: bool
) -> None:
    """Compute and write ``ds`` atomically (:func:`fieldops.io.write`), with progress.

    An error or Ctrl-C leaves no file at ``output``; an existing ``output`` is
    refused unless ``overwrite``.
    """
    from fieldops import io

    out = Path(output)
    if out.suffix not in (".nc", ".nc4", ".zarr"):
        raise ValueError(f"output {output!r} must end in .nc or .zarr")
    if out.exists() and not overwrite:
        raise FileExistsError(f"output {output!r} exists; pass --overwrite to replace it")
    with scheduler_context(scheduler) as client:
        with _progress(client, quiet), contextlib.redirect_stdout(sys.stderr):
            # distributed's text progress bar prints to stdout: keep stdout for data.
            try:
                io.write(ds, out, overwrite=overwrite, progress=client is not None and not quiet)
            except (OSError, RuntimeError) as err:
                if not (isinstance(err, RuntimeError) or type(err) is OSError):
                    raise  # a missing folder, a permission: the message says it all
                raise RuntimeError(
                    f"{err} while computing {output}; nothing was written (is an input file "
                    "corrupt or truncated?)"
                ) from err


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
    chunks = parse_pairs(opts.chunks, "--chunks", _chunk_size)
    ds = open_inputs(paths, chunks, opts.dims)
    try:
        selected = select_variables(ds, opts.variables, opts.dims)
        result = compute(selected)
        result = result.assign_attrs(ds.attrs)
        result = add_history(result, click.get_current_context().meta.get("fieldops.argv", []))
        write_output(
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


def _window(value: str | None) -> str | None:
    """``7`` is a number of points, ``0.6`` a width in coordinate units (spelled out)."""
    if value is None:
        return None
    try:
        return f"{int(value)} points"
    except ValueError:
        try:
            return f"{float(value)} wide"
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a number", param_hint="--window") from None


def method_options(func):
    """--method, --window, --polyorder and --sigma (shared by diff and the kinematics)."""
    func = click.option(
        "--sigma", type=float, default=None, help="gaussian sigma, in coordinate units."
    )(func)
    func = click.option("--polyorder", type=int, default=None, help="savgol polynomial degree.")(
        func
    )
    func = click.option(
        "--window", default=None, help="savgol window: 7 = points, 0.6 = coordinate units."
    )(func)
    return click.option(
        "--method",
        type=click.Choice(["finite_difference", "savgol", "gaussian", "spectral"]),
        default="finite_difference",
        show_default=True,
        help="How to differentiate (savgol/gaussian smooth noisy data; spectral: periodic dims).",
    )(func)


def operator_options(func):
    """--method family, --nan-policy, --geometry and --poles (every operator but diff)."""
    func = click.option(
        "--poles",
        type=click.Choice(["limit", "nan"]),
        default="limit",
        show_default=True,
        help="Value on grid points exactly at a pole.",
    )(func)
    func = click.option(
        "--geometry",
        type=click.Choice(["auto", "cartesian", "spherical", "curvilinear"]),
        default="auto",
        show_default=True,
        help="Grid geometry; auto detects latitude/longitude.",
    )(func)
    func = click.option(
        "--nan-policy",
        type=click.Choice(["propagate", "omit"]),
        default="propagate",
        show_default=True,
        help="omit: NaN cells (land) are domain boundaries, the coast stays finite.",
    )(func)
    return method_options(func)


def _pop_operator_options(options: dict) -> dict:
    """The keyword arguments of :func:`operator_options`, taken out of ``options``."""
    how = {k: options.pop(k) for k in ("method", "polyorder", "sigma", "nan_policy")}
    how["window"] = _window(options.pop("window"))
    how["geometry"] = options.pop("geometry")
    how["poles"] = options.pop("poles")
    return how


@main.command("diff")
@common_options
@click.option("--order", default=1, show_default=True, help="Derivative order.")
@method_options
def diff_command(
    order: int,
    method: str,
    window: str | None,
    polyorder: int | None,
    sigma: float | None,
    **options,
) -> None:
    """Derivative of ORDER along each of --dims (one output variable per dim)."""
    import fieldops

    opts = RunOptions(**options)
    if not opts.dims:
        raise click.UsageError("diff needs --dims: the dim(s) to differentiate along")
    how = dict(method=method, window=_window(window), polyorder=polyorder, sigma=sigma)

    def compute(ds: xr.Dataset) -> xr.Dataset:
        parts = [
            fieldops.diff(
                ds,
                dim,
                order,
                accuracy=opts.accuracy,
                boundary=_only(opts.boundary_spec(), dim),
                **how,
            )
            for dim in opts.dims
        ]
        return xr.merge(parts, compat="override", combine_attrs="override")

    run_operator(opts, compute)


def _only(boundary, dim):
    if isinstance(boundary, dict):
        return {d: m for d, m in boundary.items() if d == dim} or None
    return boundary


def _dims_or_all(opts: RunOptions, ds: xr.Dataset) -> list[str] | None:
    return list(opts.dims) or None


def _as_dataset(result: xr.DataArray | xr.Dataset, name: str) -> xr.Dataset:
    if isinstance(result, xr.Dataset):
        return result
    return result.to_dataset(name=result.name or name)


def _scalar_command(name: str, func_name: str, help_text: str) -> None:
    """A subcommand applying ``fieldops.<func_name>(ds, dims, ...)`` to the variables."""

    @main.command(name, help=help_text)
    @common_options
    @operator_options
    def command(**options) -> None:
        import fieldops

        how = _pop_operator_options(options)
        opts = RunOptions(**options)
        func = getattr(fieldops, func_name)

        def compute(ds: xr.Dataset) -> xr.Dataset:
            result = func(
                ds,
                list(opts.dims) or None,
                accuracy=opts.accuracy,
                boundary=opts.boundary_spec(),
                **how,
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
    def command(components: tuple[str, ...], **options) -> None:
        import fieldops

        how = _pop_operator_options(options)
        pairs = parse_pairs(components, "--component", str)
        options["variables"] = tuple(options["variables"]) or tuple(pairs.values())
        if not options["dims"]:
            options["dims"] = tuple(pairs)
        opts = RunOptions(**options)
        func = getattr(fieldops, func_name)

        def compute(ds: xr.Dataset) -> xr.Dataset:
            result = func(
                ds,
                list(opts.dims),
                components=pairs,
                accuracy=opts.accuracy,
                boundary=opts.boundary_spec(),
                **how,
            )
            return _as_dataset(result, name)

        run_operator(opts, compute)


_vector_command("div", "div", "Divergence of the vector field given by --component DIM=VAR.")
_vector_command("curl", "curl", "Curl of the vector field given by --component DIM=VAR.")


def _kinematics_command(name: str, help_text: str) -> None:
    """vorticity/divergence of the winds --u and --v, on any geometry."""

    @main.command(name, help=help_text)
    @common_options
    @click.option("--u", "u", default="u", show_default=True, help="Eastward wind variable.")
    @click.option("--v", "v", default="v", show_default=True, help="Northward wind variable.")
    @operator_options
    def command(u: str, v: str, **options) -> None:
        how = _pop_operator_options(options)
        options["variables"] = tuple(options["variables"]) or (u, v)
        opts = RunOptions(**options)

        def compute(ds: xr.Dataset) -> xr.Dataset:
            method = getattr(ds.fieldops, name)
            result = method(
                u=u,
                v=v,
                accuracy=opts.accuracy,
                boundary=opts.boundary_spec(),
                **how,
            )
            return _as_dataset(result, name)

        run_operator(opts, compute)


_kinematics_command("vorticity", "Relative vorticity of the winds --u, --v (s-1).")
_kinematics_command("divergence", "Horizontal divergence of the winds --u, --v (s-1).")


@main.command("info")
@click.argument("inputs", nargs=-1, required=True)
def info_command(inputs: tuple[str, ...]) -> None:
    """Dims, chunks, detected geometry, variables and the operators that apply."""
    from fieldops.info import describe

    paths = expand_inputs(inputs)
    ds = open_inputs(paths, {}, ())
    try:
        click.echo(describe(ds, title=", ".join(paths)))
    finally:
        ds.close()


@main.command("demo")
@click.option("--out", "folder", default="fieldops-demo", show_default=True, help="Folder.")
def demo_command(folder: str) -> None:
    """Kinematics of the bundled ERA-Interim sample: netCDF, PNG maps and a summary."""
    from fieldops.demo import format_summary, run_demo

    result = run_demo(folder)
    click.echo(format_summary(result["summary"]))
    click.echo(f"wrote {result['netcdf']} and {len(result['png'])} maps in {folder}/")


if __name__ == "__main__":  # pragma: no cover
    main()
