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
from collections.abc import Hashable, Sequence

import numpy as np

from fieldops.stencils.cache import shared
from fieldops.stencils.dispatch import apply_along, stencil_for
from fieldops.stencils.masked import GapRule
from fieldops.stencils.smoothing import gaussian_stencil, savgol_stencil
from fieldops.stencils.spec import (
    MethodSpec,
    Scalar,
    _is_int,
)
from fieldops.stencils.spectral import SpectralOperator, apply_spectral
from fieldops.stencils.weights import AxisStencil, is_uniform

Operator = AxisStencil | SpectralOperator


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


def _cached(kind: str, coord_bytes: bytes, dtype: str, *args) -> AxisStencil:
    def build() -> AxisStencil:
        coord = np.frombuffer(coord_bytes, dtype=dtype)
        if kind == "savgol":
            order, window, polyorder, boundary, period = args
            return savgol_stencil(coord, order, window, polyorder, boundary, period=period)
        order, sigma, boundary, period = args
        return gaussian_stencil(coord, order, sigma, boundary, period=period)

    return shared((kind, coord_bytes, dtype, *args), build)


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
    (:func:`fieldops.stencils.halo.rows_needed`): half the window for savgol and gaussian
    away from the edges. The last step writes into ``out`` when it can (see
    :func:`fieldops.stencils.dispatch.apply_along`).

    Examples
    --------
    >>> from fieldops.stencils.spec import FINITE_DIFFERENCE
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
