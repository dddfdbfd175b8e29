"""Which derivative method each dim uses, and its parameters, validated.

:func:`resolve_methods` turns ``method=``, ``window=``, ``polyorder=`` and ``sigma=``
(one value or a dict per dim) into a :class:`MethodSpec` per dim; the operators
themselves are built in :mod:`fieldops.stencils.methods`.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

METHODS: tuple[str, ...] = ("finite_difference", "savgol", "gaussian", "spectral")

Scalar = int | float | np.timedelta64 | datetime.timedelta


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


def per_dim(value: object, dims: Sequence[Hashable], name: str) -> dict[Hashable, object]:
    """One value for every dim, or a ``{dim: value}`` dict checked against ``dims``."""
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
    methods = per_dim(method, dims, "method")
    windows = per_dim(window, dims, "window")
    polys = per_dim(polyorder, dims, "polyorder")
    sigmas = per_dim(sigma, dims, "sigma")
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
        given = [d for d, v in per_dim(value, dims, name).items() if v is not None]
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
