"""Shared pieces of the dynamics: constants, inputs on one grid, pressure in Pa (private)."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_same_grid
from fieldops.kinematics.base import G0

RD = 287.04749097718457
"""Gas constant of dry air in J kg-1 K-1 (MetPy's ``Rd``)."""

__all__ = [
    "G0",
    "RD",
    "bare_pressure",
    "on_grid_of",
    "pv_sum",
    "safe_ratio",
    "tidy_units",
]


def on_grid_of(
    ref: xr.DataArray, field: xr.DataArray, what: str, dims: tuple[Hashable, ...]
) -> xr.DataArray:
    """``field`` in ``ref``'s dim order, after checking it lies on the same grid.

    Any dims order is accepted, the same set of dims is not negotiable: the
    error names the field and the fix.
    """
    if not isinstance(field, xr.DataArray):
        raise TypeError(f"{what} must be a DataArray, got {type(field).__name__}")
    if set(field.dims) != set(ref.dims):
        raise ValueError(
            f"{what} ({field.name!r}) has dims {field.dims} but the winds have {ref.dims}; "
            "put both on the same grid (interpolate, or select the same levels) first"
        )
    if field.dims != ref.dims:
        field = field.transpose(*ref.dims)
    try:
        check_same_grid(ref, field, list(dims))
    except ValueError as err:
        raise ValueError(f"{what} ({field.name!r}) and the winds: {err}") from None
    return field


def bare_pressure(
    pressure: float | xr.DataArray, what: str = "pressure"
) -> tuple[float | xr.DataArray, str]:
    """Pressure in Pa: a number (Pa) or a DataArray with pressure ``units``, bare of coords."""
    if isinstance(pressure, xr.DataArray):
        units = pressure.attrs.get("units")
        factor = _units.factor(units, "Pa") if units is not None else None
        if factor is None:
            raise ValueError(
                f"{what} ({pressure.name!r}) needs pressure units (Pa, hPa, ...), got "
                f"{units!r}; set them, e.g. ds['level'].attrs['units'] = 'hPa'"
            )
        data = pressure.data * factor if factor != 1.0 else pressure.data
        return xr.DataArray(data, dims=pressure.dims), "Pa"
    try:
        value = float(pressure)
    except (TypeError, ValueError):
        raise TypeError(
            f"{what} must be a number in Pa or a DataArray with units, got {pressure!r}"
        ) from None
    if not value > 0:
        raise ValueError(f"{what} must be positive (Pa), got {value!r}")
    return value, "Pa"


def safe_ratio(num: xr.DataArray, den: xr.DataArray) -> xr.DataArray:
    """``num / den``, 0 where ``den`` is 0 (the limit of the dynamics' ratios there)."""
    zero = den == 0
    return xr.where(zero, 0.0, num / xr.where(zero, 1.0, den)).astype(
        np.result_type(num.dtype, den.dtype)
    )


def tidy_units(units: str | None, preferred: str) -> str | None:
    """``preferred`` when ``units`` are the same quantity and scale, else ``units``.

    pint multiplies units out without reducing them (``m K s-3 Pa-1``); the
    usual spelling reads better (``K m2 kg-1 s-1``).

    Examples
    --------
    >>> tidy_units("m K s-3 Pa-1", "K m2 kg-1 s-1"), tidy_units("K m-1", "K m2 kg-1 s-1")
    ('K m2 kg-1 s-1', 'K m-1')
    """
    factor = _units.factor(units, preferred)
    if factor is not None and np.isclose(factor, 1.0, rtol=1e-12, atol=0.0):
        return preferred
    return units


_PV_KERNEL = None


def _pv_kernel():
    global _PV_KERNEL
    if _PV_KERNEL is None:
        from numba import njit

        def kernel(out, eta, tp, te, tn, up, vp, g, i0, i1):  # pragma: no cover  (compiled)
            for i in range(i0, i1):
                out[i] = -g * (eta[i] * tp[i] - vp[i] * te[i] + up[i] * tn[i])

        _PV_KERNEL = njit(nogil=True, cache=True)(kernel)
    return _PV_KERNEL


def _pv_block(eta, tp, te, tn, up, vp):
    """``-g (eta tp - vp te + up tn)`` of numpy blocks in one threaded pass."""
    from fieldops.stencils.apply import _get_pool, _split, get_num_threads

    arrays = np.broadcast_arrays(eta, tp, te, tn, up, vp)
    dtype = np.result_type(*arrays)
    flat = [np.ascontiguousarray(a, dtype=dtype).ravel() for a in arrays]
    out = np.empty(flat[0].size, dtype=dtype)
    kernel = _pv_kernel()
    g = dtype.type(G0)
    threads = get_num_threads() if out.size >= 1 << 18 else 1
    parts = _split(0, out.size, threads)
    if len(parts) <= 1:
        kernel(out, *flat, g, 0, out.size)
    else:
        list(_get_pool().map(lambda p: kernel(out, *flat, g, p[0], p[1]), parts))
    return out.reshape(arrays[0].shape)


def pv_sum(eta, tp, te, tn, up, vp) -> xr.DataArray:
    """``-g (eta dtheta/dp - dv/dp dtheta/dx + du/dp dtheta/dy)`` of bare fields, one pass.

    Five products and sums in numpy are five passes over the arrays with a
    temporary each; one fused loop is a third of the time (lazy on Dask, block
    by block).
    """
    return xr.apply_ufunc(_pv_block, eta, tp, te, tn, up, vp, dask="parallelized")
