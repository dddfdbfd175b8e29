"""The ``fieldops`` command: parse, open, call the library, write. No numerics here.

Every computing subcommand shares one set of options (:mod:`fieldops.cli.options`:
inputs, ``-v``, ``--dims``, ``--accuracy``, ``--boundary``, ``--chunks``,
``--concat-dim``, ``--engine``, ``--mask``, ``-o``, ``--overwrite``, ``--scheduler``,
``-q``) and one flow: open lazily, apply one operator, write to a temporary name
with progress on stderr, rename. Errors become one line on stderr and exit status 1
(2 for usage errors) unless ``--debug`` is given; SIGTERM and SIGHUP, like Ctrl-C,
remove the temporary and exit with 128 + the signal number.

By theme: :mod:`~fieldops.cli.group` (the group, errors, signals),
:mod:`~fieldops.cli.run` (the flow every computing subcommand runs),
:mod:`~fieldops.cli.operators` (diff, grad, ..., vorticity),
:mod:`~fieldops.cli.solve` (poisson, helmholtz); ``info`` and ``demo`` are here.
"""

from __future__ import annotations

import click

# The subcommands register themselves on the group when their modules are imported.
from fieldops.cli import operators, solve  # noqa: F401
from fieldops.cli.group import main
from fieldops.cli.options import expand_inputs
from fieldops.cli.run import open_inputs

__all__ = ["main"]


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
