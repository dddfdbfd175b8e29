"""Derivative methods: the one place that turns a method choice into an operator.

``method=`` on a derivative operator picks, per dim:

``"finite_difference"`` (default)
    Fornberg stencils of the given ``accuracy`` (:mod:`fieldops.stencils.weights`).
``"savgol"``
    Savitzky-Golay: the derivative of a least-squares polynomial of degree
    ``polyorder`` over a ``window``: ``"7 points"`` (an odd count), or ``"0.6 wide"``
    or a timedelta (a width in the coordinate's units: the points within
    ``+-window/2``, counted with the median spacing on non-uniform grids). A bare
    number (``7`` points, ``0.6`` wide) still works but is deprecated: the two
    differ only by a decimal point (a ``FutureWarning`` says what to write).
``"gaussian"``
    Derivative of a Gaussian of standard deviation ``sigma`` (coordinate units).
``"spectral"``
    FFT derivative; the dim must be periodic (``boundary="periodic"``) and
    uniformly sampled over exactly one period; on Dask, in one chunk.

``savgol`` and ``gaussian`` are stencils (:class:`AxisStencil`), so they share
the Numba kernels, the Dask halo path and the boundary modes of the finite
differences, and mixed partials compose. :func:`axis_operator` is the single
entry point the xarray layer uses for every dim of every operator.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fieldops.core import apply_along, stencil_for
from fieldops.spectral import SpectralOperator, apply_spectral
from fieldops.stencils.masked import GapRule
from fieldops.stencils.smoothing import gaussian_stencil, savgol_stencil
from fieldops.stencils.weights import AxisStencil, is_uniform

METHODS: tuple[str, ...] = ("finite_difference", "savgol", "gaussian", "spectral")

Scalar = int | float | np.timedelta64 | datetime.timedelta
Operator = AxisStencil | SpectralOperator


@dataclass(frozen=True)
class MethodSpec:
    """The method of one dim and its parameters (``None`` where unused)."""

    method: str = "finite_difference"
    window: Scalar | None = None
    polyorder: int | None = None
    sigma: Scalar | None = None

    def describe(self) -> str:
        """A short human description, for ``long_name``.

        Examples
        --------
        >>> MethodSpec("savgol", window=7, polyorder=2).describe()
        'Savitzky-Golay, window 7 points, polyorder 2'
        """
        if self.method == "savgol":
            win = f"{self.window} points" if _is_int(self.window) else f"{self.window} wide"
            poly = "" if self.polyorder is None else f", polyorder {self.polyorder}"
            return f"Savitzky-Golay, window {win}{poly}"
        if self.method == "gaussian":
            return f"derivative of Gaussian, sigma {self.sigma}"
        return self.method.replace("_", " ")


FINITE_DIFFERENCE = MethodSpec()


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


_WINDOW_RE = re.compile(r"^\s*([-+0-9.eE]+)\s*(points?|wide)\s*$")


def parse_window(value: object, dim: Hashable) -> object:
    """A savgol ``window`` as the kernels read it: an int counts points, a float is a width.

    Explicit spellings: ``"7 points"`` and ``"0.6 wide"`` (coordinate units), or a
    timedelta. A bare number is read the old way (an int: points, a float: a
    width) with a ``FutureWarning``: ``5`` and ``5.0`` give different results.

    Examples
    --------
    >>> parse_window("7 points", "x"), parse_window("0.6 wide", "x")
    (7, 0.6)
    """
    if isinstance(value, str):
        match = _WINDOW_RE.match(value)
        number = None
        if match:
            try:
                number = float(match.group(1))
            except ValueError:
                number = None
        if number is None:
            raise ValueError(
                f"window of dim {dim!r} must be like '7 points' (an odd count) or '0.6 wide' "
                f"(a width in the coordinate's units), got {value!r}"
            )
        if match.group(2) == "wide":
            return number
        if not number.is_integer():
            raise ValueError(f"window of dim {dim!r} counts points: a whole number, got {value!r}")
        return int(number)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        spelled = f"'{value} points'" if _is_int(value) else f"'{value} wide'"
        meaning = "points" if _is_int(value) else "a width in the coordinate's units"
        warnings.warn(
            f"window={value!r} (dim {dim!r}) is a bare number, read as {meaning}; an int "
            "counts points and a float is a width, so 5 and 5.0 differ. Write "
            f"window={spelled} to say which; bare numbers will become an error.",
            FutureWarning,
            stacklevel=2,
        )
    return value


def _per_dim(value: object, dims: Sequence[Hashable], name: str) -> dict[Hashable, object]:
    if isinstance(value, Mapping):
        extra = [d for d in value if d not in dims]
        if extra:
            raise ValueError(f"{name} names dim(s) {extra} that are not differentiated ({dims})")
        return {d: value.get(d) for d in dims}
    return {d: value for d in dims}


def _check_scale(value: object, name: str, dim: Hashable) -> None:
    if isinstance(value, (np.timedelta64, datetime.timedelta)):
        if value / np.timedelta64(1, "ns") <= 0:
            raise ValueError(f"{name} of dim {dim!r} must be positive, got {value!r}")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} of dim {dim!r} must be a number, got {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} of dim {dim!r} must be a positive number, got {value!r}")


def resolve_methods(
    dims: Sequence[Hashable],
    method: str | Mapping[Hashable, str] = "finite_difference",
    *,
    window: Scalar | Mapping[Hashable, Scalar] | None = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: Scalar | Mapping[Hashable, Scalar] | None = None,
) -> dict[Hashable, MethodSpec]:
    """Validate ``method`` and its parameters and resolve them per dim.

    Each argument is one value for all ``dims`` or a dict ``{dim: value}``.

    Raises
    ------
    ValueError
        Unknown method; a parameter the chosen method does not use; a missing
        ``window`` (savgol) or ``sigma`` (gaussian); an even window; a
        non-positive sigma or window.

    Examples
    --------
    >>> resolve_methods(["x", "y"], {"x": "savgol"}, window="7 points")["x"]
    MethodSpec(method='savgol', window=7, polyorder=None, sigma=None)
    """
    dims = list(dims)
    methods = _per_dim(method, dims, "method")
    windows = _per_dim(window, dims, "window")
    polys = _per_dim(polyorder, dims, "polyorder")
    sigmas = _per_dim(sigma, dims, "sigma")
    out = {}
    for d in dims:
        m = methods[d] if methods[d] is not None else "finite_difference"
        if not isinstance(m, str) or m not in METHODS:
            raise ValueError(
                f"unknown method {m!r} for dim {d!r}; use one of "
                + ", ".join(repr(k) for k in METHODS)
            )
        win, poly, sig = windows[d], polys[d], sigmas[d]
        if m == "savgol":
            if win is None:
                raise ValueError(
                    f"method='savgol' along {d!r} needs window=: an odd number of points "
                    "('7 points') or a width in the coordinate's units ('0.6 wide')"
                )
            win = parse_window(win, d)
            _check_scale(win, "window", d)
            if _is_int(win) and win % 2 == 0:
                raise ValueError(
                    f"window of dim {d!r} must be an odd number of points, got {win}; "
                    f"use '{win + 1} points' (or '{win} wide' for a width in coordinate units)"
                )
            if poly is not None and (not _is_int(poly) or poly < 0):
                raise ValueError(f"polyorder of dim {d!r} must be an integer >= 0, got {poly!r}")
        if m == "gaussian":
            if sig is None:
                raise ValueError(
                    f"method='gaussian' along {d!r} needs sigma=, in the units of its coordinate"
                )
            _check_scale(sig, "sigma", d)
        out[d] = MethodSpec(
            m,
            win if m == "savgol" else None,
            poly if m == "savgol" else None,
            sig if m == "gaussian" else None,
        )
    used = {s.method for s in out.values()}
    for name, value, owner in (
        ("window", window, "savgol"),
        ("polyorder", polyorder, "savgol"),
        ("sigma", sigma, "gaussian"),
    ):
        given = [d for d, v in _per_dim(value, dims, name).items() if v is not None]
        if isinstance(value, Mapping):
            wrong = [d for d in given if out[d].method != owner]
        else:
            wrong = given if owner not in used else []
        if wrong:
            raise ValueError(
                f"{name}= is used only by method={owner!r}, but dim(s) {wrong} use "
                f"{sorted({out[d].method for d in wrong})}; drop {name}= or set method={owner!r}"
            )
    return out


def _in_coord_units(value: Scalar, datetime_unit: str | None) -> float:
    if isinstance(value, (np.timedelta64, datetime.timedelta)):
        return float(np.timedelta64(value) / np.timedelta64(1, datetime_unit or "s"))
    return float(value)


def default_polyorder(order: int) -> int:
    """The smallest even degree >= ``order`` (2 for first and second derivatives).

    Examples
    --------
    >>> [default_polyorder(k) for k in (1, 2, 3)]
    [2, 2, 4]
    """
    return order + order % 2


def window_points(window: Scalar, coord: np.ndarray, datetime_unit: str | None = None) -> int:
    """Number of points of a savgol window given in points (int) or coordinate units.

    Examples
    --------
    >>> window_points(0.5, np.arange(10) * 0.1), window_points(7, np.arange(10.0))
    (5, 7)
    """
    if _is_int(window):
        return int(window)
    width = _in_coord_units(window, datetime_unit)
    step = float(np.median(np.abs(np.diff(np.asarray(coord, dtype=np.float64)))))
    return 2 * int(np.floor(width / 2 / step + 1e-9)) + 1


@lru_cache(maxsize=128)
def _cached(kind: str, coord_bytes: bytes, dtype: str, *args) -> AxisStencil:
    coord = np.frombuffer(coord_bytes, dtype=dtype)
    if kind == "savgol":
        order, window, polyorder, boundary, period = args
        return savgol_stencil(coord, order, window, polyorder, boundary, period=period)
    order, sigma, boundary, period = args
    return gaussian_stencil(coord, order, sigma, boundary, period=period)


def axis_operator(
    coord: np.ndarray,
    order: int,
    spec: MethodSpec,
    *,
    accuracy: int,
    boundary: str,
    period: float | None,
    dim: Hashable,
    datetime_unit: str | None = None,
) -> Operator:
    """The operator of d^order/d dim^order for one coordinate under ``spec``.

    Parameters
    ----------
    coord : numpy.ndarray
        The dim's validated 1-D coordinate values.
    order : int
        Derivative order.
    spec : MethodSpec
        Method and parameters of this dim.
    accuracy : int
        Accuracy order (finite differences only).
    boundary : str
        Boundary mode of this dim.
    period : float or None
        Period of a periodic dim.
    dim : hashable
        Name of the dim, for error messages.
    datetime_unit : str, optional
        Unit of a time coordinate (for timedelta ``window``/``sigma``).

    Returns
    -------
    AxisStencil or SpectralOperator

    Examples
    --------
    >>> op = axis_operator(np.arange(9.0), 1, MethodSpec("savgol", 5, 2),
    ...                    accuracy=2, boundary="one_sided", period=None, dim="x")
    >>> op.reach
    4
    """
    coord = np.ascontiguousarray(coord)
    n = coord.size
    try:
        if spec.method == "finite_difference":
            return stencil_for(coord, order, accuracy, boundary, period=period)
        if spec.method == "spectral":
            return _spectral(coord, order, boundary, period)
        if spec.method == "savgol":
            poly = spec.polyorder if spec.polyorder is not None else default_polyorder(order)
            npts = window_points(spec.window, coord, datetime_unit)
            if npts > n:
                raise ValueError(f"window of {npts} points is longer than the axis ({n} points)")
            if poly >= npts or poly < order:
                raise ValueError(
                    f"savgol needs order <= polyorder < window; got order {order}, "
                    f"polyorder {poly}, window {npts} points"
                )
            key = (order, npts, poly, boundary, period)
            return _cached("savgol", coord.tobytes(), coord.dtype.str, *key)
        sigma = _in_coord_units(spec.sigma, datetime_unit)
        key = (order, sigma, boundary, period)
        return _cached("gaussian", coord.tobytes(), coord.dtype.str, *key)
    except ValueError as err:
        if str(err).startswith("dim "):
            raise
        raise ValueError(f"dim {dim!r}: {err}") from None


def _spectral(coord: np.ndarray, order: int, boundary: str, period: float | None):
    n = coord.size
    if boundary != "periodic":
        raise ValueError(
            f"method='spectral' needs a periodic dim, but its boundary is {boundary!r}; "
            "pass boundary='periodic' if the field is periodic, or use another method"
        )
    if n < 2 or not is_uniform(coord):
        raise ValueError(
            "method='spectral' needs a uniformly spaced coordinate; this one is not uniform "
            "(use method='finite_difference' with boundary='periodic' and period=)"
        )
    step = float(coord[-1] - coord[0]) / (n - 1)
    if period is not None and not np.isclose(period, n * abs(step), rtol=1e-6):
        raise ValueError(
            f"method='spectral' needs the {n} samples to cover exactly one period "
            f"({n} x spacing = {n * abs(step):g}), but period={period:g}"
        )
    return SpectralOperator(n, order, step)


def apply_operators(
    data: object,
    steps: Sequence[tuple[int, Operator]],
    *,
    fill_value: float = np.nan,
    names: Sequence[Hashable] | None = None,
    gaps: Sequence[GapRule | None] | None = None,
    out: np.ndarray | None = None,
) -> object:
    """Apply 1-D operators in turn along their axes (numpy or Dask, lazily).

    ``names`` name the dims (for messages); ``gaps`` make steps gap-aware
    (``nan_policy="omit"``, see :class:`~fieldops.stencils.masked.GapRule`). On
    Dask each block exchanges just the rows its own stencils read
    (:func:`fieldops.core.rows_needed`): half the window for savgol and gaussian
    away from the edges. The last step writes into ``out`` when it can (see
    :func:`fieldops.core.apply_along`).

    Examples
    --------
    >>> op = axis_operator(np.arange(5.0), 1, FINITE_DIFFERENCE,
    ...                    accuracy=2, boundary="one_sided", period=None, dim="x")
    >>> apply_operators(np.arange(5.0) ** 2, [(0, op)])
    array([0., 2., 4., 6., 8.])
    """
    for k, (axis, op) in enumerate(steps):
        if isinstance(op, SpectralOperator):
            data = apply_spectral(data, axis, op, dim=None if names is None else names[k])
        else:
            gap = None if gaps is None else gaps[k]
            last = out if k == len(steps) - 1 else None
            data = apply_along(data, axis, op, fill_value=fill_value, gaps=gap, out=last)
    return data
