"""The options of the ``fieldops`` command and their parsing (see :mod:`fieldops.cli`).

Kept apart from the commands so that each module stays small: here the option
decorators every computing subcommand shares, the ``DIM=VALUE`` parsing, input
expansion and :class:`RunOptions`, what a subcommand was asked to do.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import click

from fieldops.io.sources import is_url
from fieldops.options import GEOMETRIES, METHODS, NAN_POLICIES, POLE_POLICIES, Where

# Options whose values run on until the next option (``--dims lat lon``).
_GREEDY = ("--dims", "-v", "--var")


def spread_greedy(args: list[str]) -> list[str]:
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
    return (
        token.endswith((".nc", ".zarr", ".nc4", ".h5", ".grib", ".grib2", ".grb", ".grb2"))
        or "*" in token
        or is_url(token)
        or os.path.exists(token)
    )


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Expand globs; every local path must exist (a missing one raises FileNotFoundError).

    URLs (``s3://bucket/x.zarr``) are kept as they are, for xarray and fsspec.
    """
    paths: list[str] = []
    for item in inputs:
        if is_url(item):
            paths.append(item)
            continue
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


def chunk_size(value: str) -> int:
    """A ``--chunks`` size: a positive number of points, or -1 for the whole dim."""
    n = int(value)
    if n < 1 and n != -1:
        raise ValueError(f"a chunk size is a number of points >= 1 (or -1 for all), got {n}")
    return n


@dataclass
class RunOptions:
    """What every computing subcommand was asked to do."""

    inputs: tuple[str, ...]
    variables: tuple[str, ...]
    dims: tuple[str, ...]
    accuracy: int
    boundary: tuple[str, ...]
    chunks: tuple[str, ...]
    concat_dim: str | None
    engine: str | None
    mask: str | None
    output: str
    overwrite: bool
    scheduler: str
    quiet: bool
    vertical: str | None = None  # --vertical (model levels), where a command offers it

    def boundary_spec(self) -> str | dict | None:
        """One mode for all dims (``--boundary periodic``) or ``DIM=MODE`` pairs."""
        if len(self.boundary) == 1 and "=" not in self.boundary[0]:
            return self.boundary[0]
        pairs = parse_pairs(self.boundary, "--boundary", str)
        extra = [d for d in pairs if self.dims and d not in self.dims]
        if extra:
            raise ValueError(f"--boundary names dim(s) {extra} that are not in --dims {self.dims}")
        return pairs or None


def common_options(func=None, *, select: bool = True):
    """The options every computing subcommand takes.

    ``select=False`` leaves out ``-v`` and ``--dims``, for the commands whose
    variables and dims are given otherwise (the winds ``--u``/``--v``).
    """
    if func is None:
        return lambda f: common_options(f, select=select)
    selection = [
        click.option("-v", "--var", "variables", multiple=True, help="Variable (repeatable)."),
        click.option("--dims", multiple=True, help="Dims to differentiate along."),
    ]
    decorators = [
        click.argument("inputs", nargs=-1, required=True),
        *(selection if select else []),
        click.option("--accuracy", default=2, show_default=True, help="Even accuracy order."),
        click.option(
            "--boundary",
            multiple=True,
            help="MODE, or DIM=MODE (repeatable): one_sided, periodic, fill, mirror.",
        ),
        click.option("--chunks", multiple=True, help="DIM=N Dask chunk size (repeatable)."),
        click.option(
            "--concat-dim",
            default=None,
            help="Join several inputs along this dim, in the order given (e.g. one time "
            "per file) instead of by their coordinates.",
        ),
        click.option(
            "--engine",
            default=None,
            help="xarray engine for the inputs (netcdf4, h5netcdf, zarr, cfgrib, ...); "
            "default: from the name.",
        ),
        click.option(
            "--mask",
            default=None,
            help="VAR or FILE:VAR, True (non-zero) where the data are valid.",
        ),
        click.option("-o", "--output", required=True, help="Output file, .nc or .zarr."),
        click.option(
            "--overwrite",
            is_flag=True,
            help="Replace an existing output file or zarr store (never an input).",
        ),
        click.option(
            "--scheduler",
            default="threads",
            show_default=True,
            help="threads, processes (zarr output), synchronous, or a Dask scheduler address.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress output."),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func


def window_value(value: str | None) -> str | None:
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
        type=click.Choice(list(METHODS)),
        default=None,
        help="How to differentiate [default: finite_difference] (savgol/gaussian smooth "
        "noisy data; spectral: periodic dims).",
    )(func)


def method_kwargs(options: dict) -> dict:
    """The method options given, taken out of ``options``; those not given are left to
    the library's defaults (so ``--sigma`` alone is the library's call to judge)."""
    how = {k: options.pop(k) for k in ("method", "polyorder", "sigma")}
    how["window"] = window_value(options.pop("window"))
    return {k: v for k, v in how.items() if v is not None}


def operator_options(func):
    """--method family, --nan-policy, --geometry and --poles (every operator but diff)."""
    func = click.option(
        "--poles",
        type=click.Choice(list(POLE_POLICIES)),
        default="limit",
        show_default=True,
        help="Value on grid points exactly at a pole.",
    )(func)
    func = click.option(
        "--geometry",
        type=click.Choice(list(GEOMETRIES)),
        default="auto",
        show_default=True,
        help="Grid geometry; auto detects latitude/longitude.",
    )(func)
    func = click.option(
        "--nan-policy",
        type=click.Choice(list(NAN_POLICIES)),
        default="propagate",
        show_default=True,
        help="omit: NaN cells (land) are domain boundaries, the coast stays finite.",
    )(func)
    return method_options(func)


def pop_operator_options(options: dict) -> dict:
    """The keyword arguments of :func:`operator_options`, taken out of ``options``.

    Checked by the library's own :class:`~fieldops.options.Where` (validated when
    made), so the command and the functions share one validation; the keywords
    returned are those the user gave (the rest keep the library's defaults).
    """
    given = method_kwargs(options)
    given |= {k: options.pop(k) for k in ("nan_policy", "geometry", "poles")}
    Where.pick(given)
    return given
