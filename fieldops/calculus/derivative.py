"""``fieldops.diff``: the derivative along one named dim, the public face.

The work is :func:`fieldops.calculus.differentiate.differentiate`'s; with
``vertical=`` (model levels) it is :mod:`fieldops.vertical.correction`'s.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops.calculus.differentiate import differentiate, map_dataset
from fieldops.options import How, MethodArg, PeriodSpec, ScaleArg
from fieldops.stencils.boundary import BoundarySpec
from fieldops.units import quantified


@quantified
def diff(
    obj: xr.DataArray | xr.Dataset,
    dim: Hashable,
    order: int = 1,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray | xr.Dataset:
    """Derivative of order ``order`` along ``dim``, in the units of ``dim``'s coordinate.

    Parameters
    ----------
    obj : DataArray or Dataset
        The field. For a Dataset, every data variable that has ``dim`` is
        differentiated (and renamed, e.g. ``dt_dx``); the others (and
        non-numeric variables) are kept unchanged.
    dim : hashable
        Dim to differentiate along. Its coordinate may be uniform or not,
        ascending or descending, or datetime (per second by default); without a
        coordinate the spacing is 1.
    order : int, default 1
        Derivative order (1, 2, 3, ...).
    accuracy : int, default 2
        Even order of accuracy of the finite-difference scheme, at the edges too:
        2 to 20 (higher orders lose more to float64 rounding than they gain).
    boundary : {"one_sided", "periodic", "fill", "mirror"} or dict, optional
        Edge rule (see :mod:`fieldops.stencils.boundary`); ``"one_sided"`` by default.
    fill_value : float, default NaN
        Value of the edge points under ``boundary="fill"``.
    period : float or dict, optional
        Period of a periodic dim; inferred from uniform spacing when omitted.
    datetime_unit : str, optional
        Time unit of datetime coordinates: ``"s"`` (default), ``"h"``, ``"D"``, ...
    method : {"finite_difference", "savgol", "gaussian", "spectral"}
        ``"finite_difference"`` (default) uses ``accuracy``. ``"savgol"``: the
        derivative of a local least-squares polynomial of degree ``polyorder``
        over ``window``. ``"gaussian"``: derivative of a Gaussian of standard
        deviation ``sigma``. ``"spectral"``: FFT derivative of a periodic
        (``boundary="periodic"``), uniformly sampled dim; on Dask the dim must be
        one chunk. Edges follow ``boundary``. See :mod:`fieldops.stencils.methods`.
    window : str, optional
        savgol window: ``"7 points"`` (an odd count) or ``"0.6 wide"`` (a width
        in the coordinate's units; a timedelta for time coordinates). A bare int
        (points) or float (width) is deprecated (``FutureWarning``).
    polyorder : int, optional
        savgol polynomial degree, ``order <= polyorder < window``; by default the
        smallest even degree >= ``order``.
    sigma : float, optional
        gaussian standard deviation in the coordinate's units (> 0).
    nan_policy : {"propagate", "omit"}, default "propagate"
        ``"propagate"``: a NaN spoils the outputs whose stencil touches it.
        ``"omit"``: NaN cells are boundaries of the domain (coastlines, gaps); a
        valid point next to one gets a one-sided stencil from the valid side
        (lower accuracy where the valid run is short; NaN where the run has
        fewer than ``order + 1`` points). See :func:`fieldops.options.check_nan_policy`.
    mask : DataArray of bool, optional
        True where the data are valid; masked cells are treated as gaps
        (implies ``nan_policy="omit"``).
    vertical : {"height", "pressure", "auto"} or DataArray, optional
        On model levels: along the level dim, the derivative with respect to
        this vertical coordinate (``df/ds / dz/ds``); along another dim, the
        derivative at constant height or pressure (see
        :mod:`fieldops.vertical.correction`). First derivatives only.
    level_dim : hashable, optional
        The model level dim of ``vertical`` (found when not given).

    Returns
    -------
    DataArray or Dataset
        Same dims, coords, dtype (float32 stays float32; other data becomes
        float64) and chunks as ``obj``; ``units`` derived when known.

    Raises
    ------
    ValueError
        Unknown dim, too few points, a coordinate not strictly monotonic, bad
        order/accuracy/boundary; an unknown method, a missing, even or too long
        ``window``, ``polyorder >= window``, ``sigma <= 0``, ``spectral`` on a
        non-periodic or non-uniform dim or (Dask) on a dim split into chunks.
    TypeError
        Non-numeric data or coordinate.

    Examples
    --------
    >>> x = np.linspace(0.0, 1.0, 11)
    >>> xc = xr.DataArray(x, dims="x", attrs={"units": "m"})
    >>> t = xr.DataArray(x**2, dims="x", coords={"x": xc}, name="t", attrs={"units": "K"})
    >>> dt = diff(t, "x")
    >>> dt.name, dt.attrs["units"], round(float(dt.sel(x=0.5)), 12)
    ('dt_dx', 'K m-1', 1.0)
    >>> smooth = diff(t, "x", method="savgol", window="5 points", polyorder=2)
    >>> round(float(smooth.sel(x=0.5)), 12)
    1.0
    """
    if vertical is not None:  # model levels (issue 16)
        from fieldops.options import Where
        from fieldops.vertical.correction import constant_level_diff

        how, where = How.pick(locals()), Where(vertical=vertical, level_dim=level_dim)
        if isinstance(obj, xr.DataArray):
            return constant_level_diff(obj, dim, order, how, where)
        return map_dataset(obj, [dim], lambda da: constant_level_diff(da, dim, order, how, where))
    return differentiate(obj, dim, order, How.pick(locals()))
