"""Critical points of a scalar field: where the gradient vanishes, classified by the
Hessian's eigenvalues.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops._validate import check_numeric
from fieldops.calculus import physical
from fieldops.calculus.differentiate import map_dataset
from fieldops.calculus.fields import (
    COMPONENT,
    WRT,
    describe,
    hessian_slots,
    partials,
    scalar_dims,
)
from fieldops.options import (
    EARTH_RADIUS,
    How,
    MethodArg,
    Options,
    PeriodSpec,
    ScaleArg,
    Where,
)
from fieldops.stencils.boundary import BoundarySpec
from fieldops.units import quantified

CRITICAL_MEANINGS = ("none", "minimum", "maximum", "saddle", "degenerate")


def _classify(eig: np.ndarray, critical: np.ndarray, eig_tol: np.ndarray) -> np.ndarray:
    zero = np.abs(eig) <= eig_tol[..., None]
    pos = (eig > 0) & ~zero
    neg = (eig < 0) & ~zero
    code = np.where(zero.any(-1), 4, np.where(pos.all(-1), 1, np.where(neg.all(-1), 2, 3))).astype(
        np.int8
    )
    return np.where(critical, code, 0).astype(np.int8)


def _derivatives(f, dims, opts: Options, frame, how: How) -> tuple[xr.DataArray, xr.DataArray]:
    """Gradient and Hessian of ``f``: one fused pass on a cartesian grid."""
    check_numeric(f)
    if frame is not None:
        g = physical.grad(f, dims, frame, how)
        H = physical.hessian(f, dims, frame, how)
        return (
            xr.DataArray(g.data, dims=g.dims),
            xr.DataArray(H.data, dims=H.dims),
        )
    n = len(dims)
    slots = [[(0, 1.0, {d: 1})] for d in dims]
    slots += [s if isinstance(s, list) else s + n for s in hessian_slots(dims)]  # type: ignore
    data, _ = partials(f, slots, opts)
    g = xr.DataArray(data[:n], dims=(COMPONENT,) + f.dims)
    H = xr.DataArray(data[n:].reshape((n, n) + data.shape[1:]), dims=(COMPONENT, WRT) + f.dims)
    return g, H


def _critical_da(f, dims, tol, rtol, opts, frame, how) -> xr.DataArray:
    n = len(dims)
    g, H = _derivatives(f, dims, opts, frame, how)
    gnorm = np.sqrt((g**2).sum(COMPONENT, skipna=False))
    defined = np.isfinite(H).all([COMPONENT, WRT]) & np.isfinite(gnorm)
    eig = xr.apply_ufunc(
        np.linalg.eigvalsh,
        H.where(defined, 0.0).transpose(..., COMPONENT, WRT),
        input_core_dims=[[COMPONENT, WRT]],
        output_core_dims=[["eig"]],
        dask="parallelized",
        output_dtypes=[H.dtype],
        dask_gufunc_kwargs={"output_sizes": {"eig": n}},
    )
    gtol = rtol * gnorm.max() if tol is None else tol
    eig_tol = rtol * np.abs(eig).max()
    critical = (gnorm <= gtol) & defined
    codes = xr.apply_ufunc(
        _classify,
        eig,
        critical,
        eig_tol,
        input_core_dims=[["eig"], [], []],
        dask="parallelized",
        output_dtypes=[np.int8],
    ).transpose(*f.dims)
    return xr.DataArray(
        codes.data,
        dims=f.dims,
        coords=f.coords,
        name=f"critical_{f.name}" if f.name is not None else "critical",
        attrs={
            "long_name": f"critical points of {describe(f)}",
            "flag_values": np.arange(len(CRITICAL_MEANINGS), dtype=np.int8),
            "flag_meanings": " ".join(CRITICAL_MEANINGS),
        },
    )


@quantified
def critical_points(
    f: xr.DataArray | xr.Dataset,
    dims: Hashable | Sequence[Hashable] | None = None,
    *,
    tol: float | None = None,
    rtol: float = 1e-6,
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
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
) -> xr.DataArray | xr.Dataset:
    """Where the gradient vanishes, classified by the Hessian's eigenvalues.

    A grid point is critical where ``|grad f| <= tol``. There the Hessian's
    eigenvalues say: all positive, a minimum (1); all negative, a maximum (2);
    mixed signs, a saddle (3); some zero (``|eigenvalue| <= rtol`` times the largest
    over the field), degenerate (4). Elsewhere, and where a ``fill`` boundary
    leaves the derivatives undefined, 0. Gradient and Hessian come from one pass.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    dims : hashable or sequence of hashable, optional
        Dims to differentiate along. By default the two horizontal dims when a
        latitude/longitude grid (spherical or curvilinear) is found, else every dim
        of ``f`` when their coordinates share units (else ``dims`` is required;
        see docs/geometry.md).
    tol : float, optional
        Largest gradient magnitude counted as zero, in the gradient's units;
        ``rtol`` times the largest gradient magnitude over the field by default.
    rtol : float, default 1e-6
        Relative tolerance of the defaults above.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
    method, window, polyorder, sigma, nan_policy, mask : optional
        How to differentiate and whether NaN (or masked) cells are domain
        boundaries, as in :func:`fieldops.grad`.
    geometry, radius, poles : optional
        Grid geometry, as in :func:`fieldops.grad`: on a sphere or curvilinear
        grid the gradient and Hessian are physical (per metre, metric terms).

    Returns
    -------
    DataArray or Dataset
        int8 codes on ``f``'s grid, with CF ``flag_values`` and ``flag_meanings``
        (``none minimum maximum saddle degenerate``); named ``critical_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(-1, 1, 5), dims="x").assign_coords(x=lambda a: a)
    >>> y = x.rename(x="y")
    >>> cp = critical_points(x**2 - y**2)
    >>> int(cp.sel(x=0, y=0)), int((cp > 0).sum())
    (3, 1)
    """
    dims = scalar_dims(f, dims, datetime_unit=datetime_unit)
    if tol is not None and not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    if not (np.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol must be a number >= 0, got {rtol!r}")
    how, where = How.pick(locals()), Where.pick(locals())
    opts, frame = physical.prepare(f, dims, how, where, adds="critical_points")
    if isinstance(f, xr.DataArray):
        return _critical_da(f, dims, tol, rtol, opts, frame, how)
    return map_dataset(f, dims, lambda v: _critical_da(v, dims, tol, rtol, opts, frame, how))
