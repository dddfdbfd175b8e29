"""Shared pieces of the dynamics: constants, inputs on one grid, pressure in Pa (private)."""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial

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
    "frontogenesis_sum",
    "pv_fused",
    "pv_sum",
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


_KERNELS: dict[str, object] = {}


def _kernel(name: str):
    """The compiled elementwise kernel ``name`` (Numba loaded on first use)."""
    if name not in _KERNELS:
        from numba import njit

        def pv(out, eta, tp, te, tn, up, vp, i0, i1):  # pragma: no cover  (compiled)
            for i in range(i0, i1):
                out[i] = -G0 * (eta[i] * tp[i] - vp[i] * te[i] + up[i] * tn[i])

        def fronto(out, ux, uy, vx, vy, tx, ty, i0, i1):  # pragma: no cover  (compiled)
            for i in range(i0, i1):
                mag = np.sqrt(tx[i] * tx[i] + ty[i] * ty[i])
                num = tx[i] * tx[i] * ux[i] + tx[i] * ty[i] * (uy[i] + vx[i])
                num += ty[i] * ty[i] * vy[i]
                out[i] = -num / mag if mag > 0 else 0.0 * num

        def pv_levels(out, eta, th, te, tn, u, v, cols, wts, nterms, r0, r1):  # pragma: no cover
            # rows r of the (pre * n, post) view: level k = r % n; d/ds from the band
            n = cols.shape[0]
            post = out.shape[1]
            for r in range(r0, r1):
                k = r % n
                base = r - k
                for q in range(post):
                    dth = 0.0
                    du = 0.0
                    dv = 0.0
                    for t in range(nterms[k]):
                        j = base + cols[k, t]
                        dth += wts[k, t] * th[j, q]
                        du += wts[k, t] * u[j, q]
                        dv += wts[k, t] * v[j, q]
                    out[r, q] = -G0 * (eta[r, q] * dth - dv * te[r, q] + du * tn[r, q])

        kernels = {"pv": pv, "fronto": fronto, "pv_levels": pv_levels}
        _KERNELS[name] = njit(nogil=True, cache=True)(kernels[name])
    return _KERNELS[name]


def _block(*arrays, name: str):
    """Kernel ``name`` over numpy blocks in one threaded pass."""
    from fieldops.stencils.apply import get_num_threads, pool_map, split_range

    arrays = np.broadcast_arrays(*arrays)
    dtype = np.result_type(*arrays)
    flat = [np.ascontiguousarray(a, dtype=dtype).ravel() for a in arrays]
    out = np.empty(flat[0].size, dtype=dtype)
    kernel = _kernel(name)
    threads = get_num_threads() if out.size >= 1 << 18 else 1
    parts = split_range(0, out.size, threads)
    if len(parts) <= 1:
        kernel(out, *flat, 0, out.size)
    else:
        pool_map(lambda p: kernel(out, *flat, p[0], p[1]), parts)
    return out.reshape(arrays[0].shape)


def pv_sum(eta, tp, te, tn, up, vp) -> xr.DataArray:
    """``-g (eta dtheta/dp - dv/dp dtheta/dx + du/dp dtheta/dy)`` of bare fields, one pass.

    Five products and sums in numpy are five passes over the arrays with a
    temporary each; one fused loop is a third of the time (lazy on Dask, block
    by block).
    """
    return xr.apply_ufunc(partial(_block, name="pv"), eta, tp, te, tn, up, vp, dask="parallelized")


def pv_fused(eta, th, te, tn, u, v, axis: int, stencil) -> np.ndarray:
    """:func:`pv_sum` with the vertical derivatives of ``th``, ``u``, ``v`` taken inside.

    numpy arrays of one shape, the levels along ``axis``; ``stencil`` is the
    derivative's (dense rows of the small level-by-level matrix). One pass over
    six arrays instead of four passes (three derivatives and the sum) over ten.
    """
    from fieldops.stencils.apply import get_num_threads, pool_map, split_range

    dense = stencil.as_dense()
    n = dense.shape[0]
    width = max(int((dense != 0).sum(axis=1).max()), 1)
    cols = np.zeros((n, width), dtype=np.int64)
    wts = np.zeros((n, width))
    nterms = np.zeros(n, dtype=np.int64)
    for k in range(n):
        nz = np.flatnonzero(dense[k])
        nterms[k] = nz.size
        cols[k, : nz.size], wts[k, : nz.size] = nz, dense[k, nz]
    shape = th.shape
    pre = int(np.prod(shape[:axis], dtype=np.int64))
    post = int(np.prod(shape[axis + 1 :], dtype=np.int64))
    dtype = np.result_type(eta, th, te, tn, u, v)
    views = [
        np.ascontiguousarray(a, dtype=dtype).reshape(pre * n, post) for a in (eta, th, te, tn, u, v)
    ]
    out = np.empty((pre * n, post), dtype=dtype)
    kernel = _kernel("pv_levels")
    threads = get_num_threads() if out.size >= 1 << 18 else 1
    parts = split_range(0, pre * n, threads)
    if len(parts) <= 1:
        kernel(out, *views, cols, wts.astype(dtype), nterms, 0, pre * n)
    else:
        w = wts.astype(dtype)
        pool_map(lambda p: kernel(out, *views, cols, w, nterms, p[0], p[1]), parts)
    return out.reshape(shape)


def frontogenesis_sum(ux, uy, vx, vy, tx, ty) -> xr.DataArray:
    """``-(tx**2 ux + tx ty (uy + vx) + ty**2 vy) / |grad theta|`` (0 where it is 0), one pass."""
    return xr.apply_ufunc(
        partial(_block, name="fronto"), ux, uy, vx, vy, tx, ty, dask="parallelized"
    )
