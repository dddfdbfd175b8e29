"""The inverse operators' subcommands: ``poisson`` and ``helmholtz`` (docs/solvers.md)."""

from __future__ import annotations

import click
import xarray as xr

from fieldops.cli.group import main
from fieldops.cli.operators import wind_options
from fieldops.cli.options import RunOptions, common_options
from fieldops.cli.run import run_operator
from fieldops.options import GEOMETRIES, NAN_POLICIES, POLE_POLICIES
from fieldops.solvers.iterative import SOLVERS


def _solver_options(func):
    """--solver, --nan-policy, --geometry and --poles of the solvers (no --method family)."""
    func = click.option(
        "--solver", type=click.Choice(list(SOLVERS)), default="direct", show_default=True,
        help="iterative: multigrid (pyamg) for bounded grids too big to factor.",
    )(func)  # fmt: skip
    func = click.option(
        "--poles", type=click.Choice(list(POLE_POLICIES)), default="limit", show_default=True,
        help="Pole policy of the Laplacian inverted.",
    )(func)  # fmt: skip
    func = click.option(
        "--geometry", type=click.Choice(list(GEOMETRIES)),
        default="auto", show_default=True, help="Grid geometry; auto detects latitude/longitude.",
    )(func)  # fmt: skip
    func = click.option(
        "--nan-policy", type=click.Choice(list(NAN_POLICIES)), default="propagate",
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
def poisson_command(
    coast: str, nan_policy: str, geometry: str, poles: str, solver: str, **options
) -> None:
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
                solver=solver,
                **extra,
            )
            for name in ds.data_vars
        ]
        return xr.merge(parts, compat="override", combine_attrs="override")

    run_operator(opts, compute)


@main.command("helmholtz")
@common_options(select=False)
@wind_options
@_solver_options
def helmholtz_command(
    u: str, v: str, nan_policy: str, geometry: str, poles: str, solver: str, **options
):
    """Streamfunction, velocity potential and the wind's parts (--boundary MODE, or
    streamfunction=MODE / velocity_potential=MODE on a limited area, DIM=periodic for a
    grid index that wraps)."""
    opts = RunOptions(variables=(u, v), dims=(), **options)
    spec = opts.boundary_spec()  # a dict passes as it is: dims that wrap, the two conditions

    def compute(ds: xr.Dataset, **extra) -> xr.Dataset:
        return ds.fieldops.helmholtz(
            u=u,
            v=v,
            boundary=spec,
            accuracy=opts.accuracy,
            nan_policy=nan_policy,
            geometry=geometry,
            poles=poles,
            solver=solver,
            **extra,
        )

    run_operator(opts, compute)
