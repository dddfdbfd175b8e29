"""The operator subcommands: ``diff``, ``grad``, ``laplacian``, ``hessian``, ``div``,
``curl``, ``vorticity`` and ``divergence``, each :func:`~fieldops.cli.run.run_operator`
around one library call with the shared options of :mod:`fieldops.cli.options`."""

from __future__ import annotations

from collections.abc import Callable

import click
import xarray as xr

from fieldops.cli.group import main
from fieldops.cli.options import (
    RunOptions,
    common_options,
    method_kwargs,
    method_options,
    operator_options,
    parse_pairs,
    pop_operator_options,
)
from fieldops.cli.run import as_dataset, run_operator


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


def wind_options(func):
    """--u and --v: the variables holding the eastward and northward wind."""
    func = click.option(
        "--v", "v", default="v", show_default=True, help="Northward wind variable."
    )(func)
    return click.option("--u", "u", default="u", show_default=True, help="Eastward wind variable.")(
        func
    )


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


def _apply(func: Callable, name: str, opts: RunOptions, how: dict, *args, **kwargs):
    """The ``compute`` of :func:`run_operator`: ``func(ds, *args, **kwargs)`` with the
    shared options (accuracy, boundary, the method family, --mask, --vertical)."""

    def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
        result = func(
            ds,
            *args,
            accuracy=opts.accuracy,
            boundary=opts.boundary_spec(),
            **kwargs,
            **how,
            **extra,
        )
        return as_dataset(result, name)

    return compute


def _scalar_command(name: str, help_text: str) -> None:
    """A subcommand applying ``fieldops.<name>(ds, dims, ...)`` to the variables."""

    @main.command(name, help=help_text)
    @common_options
    @operator_options
    @vertical_option
    def command(**options) -> None:
        import fieldops

        how = pop_operator_options(options)
        opts = RunOptions(**options)
        run_operator(
            opts, _apply(getattr(fieldops, name), name, opts, how, list(opts.dims) or None)
        )


_scalar_command("grad", "Gradient along --dims (all dims by default): a `component` dim.")
_scalar_command("laplacian", "Laplacian over --dims (all dims by default).")
_scalar_command("hessian", "Hessian over --dims: dims `component` and `wrt`.")


def _vector_command(name: str, help_text: str) -> None:
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
        pairs = parse_pairs(components, "--component", str)
        options["variables"] = tuple(options["variables"]) or tuple(pairs.values())
        if not options["dims"]:
            options["dims"] = tuple(pairs)
        opts = RunOptions(**options)
        func = getattr(fieldops, name)
        run_operator(opts, _apply(func, name, opts, how, list(opts.dims), components=pairs))


_vector_command("div", "Divergence of the vector field given by --component DIM=VAR.")
_vector_command("curl", "Curl of the vector field given by --component DIM=VAR.")


def _kinematics_command(name: str, help_text: str) -> None:
    """vorticity/divergence of the winds --u and --v, on any geometry."""

    @main.command(name, help=help_text)
    @common_options(select=False)
    @wind_options
    @operator_options
    def command(u: str, v: str, **options) -> None:
        how = pop_operator_options(options)
        # The winds are --u and --v, and the dims are the grid's horizontal ones: these
        # commands take no -v/--dims, so they cannot be given and silently ignored.
        opts = RunOptions(variables=(u, v), dims=(), **options)

        def method(ds: xr.Dataset, **kwargs):
            return getattr(ds.fieldops, name)(**kwargs)

        run_operator(opts, _apply(method, name, opts, how, u=u, v=v))


_kinematics_command("vorticity", "Relative vorticity of the winds --u, --v (s-1).")
_kinematics_command("divergence", "Horizontal divergence of the winds --u, --v (s-1).")
