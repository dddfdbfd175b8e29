"""The ``fieldops`` command group: parsing, errors as one line, signals, ``--version``.

Errors become one line on stderr and exit status 1 (2 for usage errors) unless
``--debug`` is given; SIGTERM and SIGHUP, like Ctrl-C, remove the temporary and
exit with 128 + the signal number. The subcommands attach themselves to
:func:`main` (:mod:`fieldops.cli.operators`, :mod:`fieldops.cli.solve`,
:mod:`fieldops.cli.command`).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import click

from fieldops.cli.options import spread_greedy


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
