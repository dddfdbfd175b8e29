"""Vertical interpolation to pressure, height or any target coordinate, column by column."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops import _attrs
from fieldops.stencils.dispatch import is_dask
from fieldops.units import quantified
from fieldops.vertical.kernel import EXTRAPOLATE, METHODS, interp_columns
from fieldops.vertical.resolve import kind_of, resolve_vertical

_TARGET_NAMES = {"pressure": "plev", "height": "height"}
_STANDARD = {"pressure": "air_pressure", "height": "altitude"}


@quantified
@_attrs.same_quantity
def interp_vertical(
    f: xr.DataArray,
    levels: Sequence[float] | np.ndarray | xr.DataArray,
    *,
    vertical: str | xr.DataArray = "auto",
    level_dim: Hashable | None = None,
    method: str = "linear",
    extrapolate: str = "nan",
) -> xr.DataArray:
    """Interpolate ``f`` from model levels to given pressures, heights or any target.

    Parameters
    ----------
    f : DataArray
        Field on model levels.
    levels : sequence of float or DataArray
        Target values of the vertical coordinate, in its units: a 1-D list (the
        same everywhere; the result gets a new dim named ``plev``, ``height``,
        or the DataArray's name), or a DataArray with one dim of its own (the
        target dim) and any of ``f``'s other dims (targets that vary in space
        or time: heights above ground, say).
    vertical : {"auto", "height", "pressure"} or DataArray, default "auto"
        The coordinate to interpolate in: built from ``f``'s CF
        ``formula_terms`` (the terms must be coordinates of ``f``:
        ``ds.set_coords([...])``), or given for every point (any monotonic
        target too: potential temperature for isentropic levels).
    level_dim : hashable, optional
        The model level dim, when the coordinate does not say.
    method : {"linear", "log", "cubic"}, default "linear"
        Linear in the coordinate; linear in its logarithm (pressure); cubic
        Hermite with three-point slopes (exact for quadratics).
    extrapolate : {"nan", "nearest", "linear"}, default "nan"
        Targets outside a column's range (below the ground, above the top): NaN,
        the value at the nearer end, or the line through the two end levels.

    Returns
    -------
    DataArray
        ``f``'s dims with ``level_dim`` replaced by the target dim, at the same
        position; ``f``'s name and attrs (a ``long_name`` that says which
        levels); coordinates along ``level_dim`` dropped; the target
        coordinate with ``units``, ``standard_name``, ``positive`` and ``axis: Z``.
        Float32 stays float32.

    Notes
    -----
    Levels where the coordinate or the field is NaN are skipped. A column whose
    coordinate is not monotonic (potential temperature under a superadiabatic
    layer) is not refused: each target takes the *first* crossing walking the
    level dim from its first level (see :mod:`fieldops.vertical.kernel`).
    On Dask: lazy, one blockwise layer; the non-vertical dims keep their chunks
    and the blocks of a column are joined inside each task (no rechunk of
    ``f``); the target dim is one chunk (or the chunks of a DataArray ``levels``).

    Examples
    --------
    >>> z = xr.DataArray([[0.0, 1000.0, 2000.0]], dims=("x", "lev"), attrs={"units": "m"})
    >>> t = xr.DataArray([[290.0, 283.5, 277.0]], dims=("x", "lev"), name="t")
    >>> out = interp_vertical(t, [500.0, 1500.0], vertical=z)
    >>> out.dims, out.values.tolist(), out.height.attrs["units"]
    (('x', 'height'), [[286.75, 280.25]], 'm')
    """
    if not isinstance(f, xr.DataArray):
        raise TypeError(f"f must be an xarray.DataArray, got {type(f).__name__}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {METHODS}")
    if extrapolate not in EXTRAPOLATE:
        raise ValueError(f"unknown extrapolate {extrapolate!r}; use one of {EXTRAPOLATE}")
    if f.dtype.kind not in "fiu":
        raise TypeError(f"f must be numeric, got dtype {f.dtype}")
    z, level_dim = resolve_vertical(f, vertical, level_dim=level_dim)
    kind = kind_of(z)
    target, tdim = _targets(levels, z, kind, f, level_dim)
    if method == "log" and isinstance(target.data, np.ndarray) and (target.values <= 0).any():
        raise ValueError("method='log' needs positive target levels (pressures)")
    axis = f.get_axis_num(level_dim)
    out_dims = f.dims[:axis] + (tdim,) + f.dims[axis + 1 :]
    # z and the targets on f's dims, in f's order (size-1 where they lack one).
    zb = z.transpose(*[d for d in f.dims if d in z.dims])
    zb = zb.expand_dims([d for d in f.dims if d not in z.dims]).transpose(*f.dims)
    tb = target.expand_dims([d for d in out_dims if d not in target.dims]).transpose(*out_dims)
    if is_dask(f.data) or is_dask(zb.data) or is_dask(tb.data):
        data = _dask(f.data, zb.data, tb.data, axis, method, extrapolate, target.ndim == 1)
    else:
        t = target.values if target.ndim == 1 else tb.values
        data = interp_columns(f.values, zb.values, t, axis, method, extrapolate)
    coords = {k: v for k, v in f.coords.items() if level_dim not in v.dims and k not in (tdim,)}
    # The same quantity: the attrs policy (fieldops._attrs) keeps the input's.
    what = f.attrs.get("long_name") or f.name or "the field"
    attrs = {"long_name": f"{what} on {kind or 'target'} levels"}
    if "units" in f.attrs:
        attrs["units"] = f.attrs["units"]
    out = xr.DataArray(data, dims=out_dims, coords=coords, name=f.name, attrs=attrs)
    return out.assign_coords({target.name: target})


def _targets(levels, z: xr.DataArray, kind: str | None, f: xr.DataArray, level_dim):
    """The target levels as a DataArray with CF attrs, and the target dim."""
    attrs = {k: z.attrs[k] for k in ("units", "standard_name", "positive") if k in z.attrs} | {
        "axis": "Z"
    }
    if kind is not None:
        attrs["standard_name"] = z.attrs.get("standard_name", _STANDARD[kind])
        attrs["positive"] = "down" if kind == "pressure" else "up"
    if isinstance(levels, xr.DataArray):
        own = [d for d in levels.dims if d not in f.dims or d == level_dim]
        if len(own) != 1:
            raise ValueError(
                f"levels as a DataArray needs exactly one dim of its own (the target dim) "
                f"besides dims of f ({list(f.dims)}); its dims are {list(levels.dims)}"
            )
        tdim = own[0]
        for d in levels.dims:
            if d != tdim and levels.sizes[d] != f.sizes[d]:
                raise ValueError(
                    f"levels has {levels.sizes[d]} points along {d!r}, f has {f.sizes[d]}"
                )
        target = levels.rename(levels.name or tdim)
        target = target.assign_attrs({**attrs, **target.attrs})
        return target, tdim
    values = np.asarray(levels, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"levels must be a non-empty 1-D list of values, got shape {values.shape}")
    name = z.name if z.name not in (None, *f.dims, *f.coords) else None
    tdim = name or _TARGET_NAMES.get(kind or "", "level")
    if tdim in f.dims and tdim != level_dim:
        raise ValueError(
            f"f already has a dim {tdim!r}; pass levels as a DataArray with another name"
        )
    attrs["long_name"] = f"{kind or 'vertical'} level"
    target = xr.DataArray(values, dims=tdim, name=tdim, attrs=attrs)
    return target, tdim


def _dask(f, z, t, axis: int, method: str, extrapolate: str, flat: bool):
    """One blockwise layer; the blocks of a column joined in the task (``concatenate``)."""
    import dask.array as dsa

    f = f if is_dask(f) else dsa.from_array(f, chunks=-1)
    chunks = f.chunks
    z = _blocks(z, f.shape, chunks)
    nd = f.ndim
    ind = tuple(f"i{k}" for k in range(nd))
    out_ind = ind[:axis] + ("t",) + ind[axis + 1 :]
    dtype = np.float32 if f.dtype == np.float32 else np.float64
    if flat:
        levels = np.asarray(t).reshape(-1)

        def block(fb, zb):
            return interp_columns(fb, zb, levels, axis, method, extrapolate)

        return dsa.blockwise(
            block, out_ind, f, ind, z, ind,
            new_axes={"t": levels.size}, concatenate=True, dtype=dtype,
        )  # fmt: skip
    tshape = f.shape[:axis] + (t.shape[axis],) + f.shape[axis + 1 :]
    tchunks = chunks[:axis] + ((t.chunks[axis] if is_dask(t) else (t.shape[axis],)),)
    tchunks = tchunks + chunks[axis + 1 :]
    t = _blocks(t, tshape, tchunks)

    def block_field(fb, zb, tb):
        return interp_columns(fb, zb, tb, axis, method, extrapolate)

    return dsa.blockwise(
        block_field, out_ind, f, ind, z, ind, t, out_ind, concatenate=True, dtype=dtype
    )


def _blocks(a, shape: tuple[int, ...], chunks: tuple[tuple[int, ...], ...]):
    """``a`` (full or size 1 along each axis) as a Dask array of ``shape`` and ``chunks``."""
    import dask.array as dsa

    a = a if is_dask(a) else dsa.from_array(np.asarray(a), chunks=-1)
    own = tuple(c if a.shape[k] == shape[k] else (1,) for k, c in enumerate(chunks))
    a = a.rechunk(own)
    if a.shape == shape:
        return a
    return dsa.broadcast_to(a, shape, chunks=chunks)
