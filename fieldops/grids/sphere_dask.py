"""Lazy Dask graphs of the spherical operators (private).

On Dask, each spherical operator (gradient, Laplacian, flux-form divergence and
vorticity) is one ``blockwise`` kernel that computes the whole operator for a
block from the block and thin halo slabs, with the metric terms of the block's
latitude rows and, where the block holds a pole row and what its value needs,
the pole policy applied inside. The halo slabs come from a lazy
:class:`HaloLayer` (one task per block and differentiated axis, only along axes
split into several chunks, wrapped around a periodic longitude). Pole values
that need rows of other blocks (a zonal mean over a chunked longitude, a pole
row's block thinner than its stencil) take two more blockwise steps: the rows
are cut from every block, joined per outer block by a blockwise contraction,
and set into the pole rows.

Every per-block layer is a ``Blockwise`` or a :class:`HaloLayer`: nothing is
materialised when the graph is built, a few tasks per chunk, and the numbers
are those of the numpy path (same stencils, same order of operations).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from itertools import product

import numpy as np

from fieldops.grids.sphere import zonal_mean
from fieldops.stencils.apply import apply_stencil, float_dtype
from fieldops.stencils.dispatch import _halo_block
from fieldops.stencils.halo import halo
from fieldops.stencils.weights import AxisStencil

_LETTERS = "abcdefghijklmnopqrstuvwxy"


@dataclass(frozen=True)
class Poles:
    """Pole rows of one result and how each is set (``limit`` policy)."""

    rows: tuple  # (pole row, source rows, float64 weights, zonal mean?) per pole
    nan: tuple  # pole rows set to NaN
    unique_lon: slice


def poles_of(s, kind: str) -> Poles:
    """The :class:`Poles` of ``s`` (a Sphere) for ``kind`` ``"scalar"``/``"meridian"``."""
    if s.poles == "nan":
        return Poles((), tuple(s.pole_rows), s._unique_lon)
    return Poles(tuple((p, *s._pole_weights(p, kind)) for p in s.pole_rows), (), s._unique_lon)


def _at(ndim: int, axis: int, index) -> tuple:
    return tuple(index if ax == axis else slice(None) for ax in range(ndim))


def _pole_value(row_of, rows, weights, scalar: bool, lon_ax: int, unique: slice):
    """The limit at a pole from its source rows (the arithmetic of the numpy path)."""
    value = 0.0
    for w, r in zip(weights, rows):
        row = row_of(int(r))
        if scalar:
            row = zonal_mean(row, lon_ax, unique)
        value = value + row * w
    return value


def _fix_block(out, s: int, e: int, lat_ax: int, lon_ax: int, poles: Poles, staged: bool):
    """Pole rows inside rows ``[s, e)`` of a result block, in place.

    NaN rows always; limit rows only when not ``staged`` (then their sources are
    in the block).
    """
    for p in poles.nan:
        if s <= p < e:
            out[_at(out.ndim, lat_ax, p - s)] = np.nan
    if staged:
        return
    lon_in_row = lon_ax - (lon_ax > lat_ax)
    for p, rows, weights, scalar in poles.rows:
        if s <= p < e:
            value = _pole_value(
                lambda r: out[_at(out.ndim, lat_ax, r - s)],
                rows,
                weights,
                scalar,
                lon_in_row,
                poles.unique_lon,
            )
            out[_at(out.ndim, lat_ax, p - s)] = value


def in_block(poles: Poles, lat_chunks: tuple, lon_chunks: tuple) -> bool:
    """True when every limit pole row can be set inside its own block."""
    starts = np.concatenate([[0], np.cumsum(lat_chunks)])
    for p, rows, _, scalar in poles.rows:
        j = int(np.searchsorted(starts, p, side="right")) - 1
        if scalar and len(lon_chunks) > 1:
            return False
        if len(rows) and not (starts[j] <= min(rows) and max(rows) < starts[j + 1]):
            return False
    return True


def derivative(block, slabs, axis: int, s: int, e: int, stencil: AxisStencil, fill: float):
    """Rows ``[s, e)`` of the derivative along ``axis`` from a block and its slabs."""
    if slabs is None:
        block = np.asarray(block)
        return apply_stencil(block, axis, stencil, fill_value=fill, threads=1)
    return _halo_block(block, slabs[0], slabs[1], axis, s, e, stencil, fill)


def block_positions(chunks: tuple, axes: tuple[int, ...]):
    """A lazy blockwise argument: per block, the global ``(start, stop)`` along ``axes``."""
    from dask.array.core import ArrayValuesDep

    bounds = [np.concatenate([[0], np.cumsum(chunks[ax])]).tolist() for ax in axes]
    mapping = {
        idx: tuple((bounds[i][j], bounds[i][j + 1]) for i, j in enumerate(idx))
        for idx in product(*(range(len(chunks[ax])) for ax in axes))
    }
    return ArrayValuesDep(tuple(chunks[ax] for ax in axes), mapping)


def run_kernel(kernel, arrays: list, lat_ax: int, lon_ax: int, dtype, *, lead: int = 0):
    """``kernel(pos, *blocks)`` on aligned arrays (and halo pseudo-arrays; None skipped).

    ``lead``: the length of a new leading axis of one chunk (the gradient's
    components), 0 for none.
    """
    import dask.array as da

    x = arrays[0]
    ind = _LETTERS[: x.ndim]
    args = []
    for a in arrays:
        args += [a, ind] if a is not None else [None, None]
    pos = block_positions(x.chunks, (lat_ax, lon_ax))
    out_ind = ("Z" if lead else "") + ind
    new_axes = {"Z": lead} if lead else {}  # lead: the size of the new axis
    return da.blockwise(
        kernel,
        out_ind,
        pos,
        (ind[lat_ax], ind[lon_ax]),
        *args,
        dtype=dtype,
        meta=np.empty((0,) * (x.ndim + bool(lead)), dtype),
        new_axes=new_axes,
        concatenate=True,
        align_arrays=False,
    )


def set_poles(res, poles: Poles, lat_ax: int, lon_ax: int, *, slot: int | None = None):
    """Set the limit pole rows of a Dask result whose sources span several blocks.

    ``slot``: the index along a leading axis of ``res`` that holds the field
    (the gradient's eastward component); None when ``res`` is the field.
    Three blockwise layers: cut the source rows of every block, join them per
    block of the other dims (a contraction over latitude, and over longitude for
    zonal means), set them into the pole rows.
    """
    import dask.array as da

    if not poles.rows:
        return res
    lead = 0 if slot is None else 1
    ndim = res.ndim - lead
    ind = _LETTERS[:ndim]
    res_ind = ("Z" if lead else "") + ind
    lat_chunks = res.chunks[lat_ax + lead]
    bounds = np.concatenate([[0], np.cumsum(lat_chunks)]).tolist()
    sources = sorted({int(r) for _, rows, _, _ in poles.rows for r in rows})
    local = {
        (j,): [r - bounds[j] for r in sources if bounds[j] <= r < bounds[j + 1]]
        for j in range(len(lat_chunks))
    }
    from dask.array.core import ArrayValuesDep

    cut = da.blockwise(
        partial(_cut_rows, lat_ax=lat_ax, slot=slot),
        ind,
        res,
        res_ind,
        ArrayValuesDep((lat_chunks,), local),
        (ind[lat_ax],),
        dtype=res.dtype,
        adjust_chunks={ind[lat_ax]: tuple(len(v) for v in local.values())},
        concatenate=True,
        align_arrays=False,
        meta=np.empty((0,) * ndim, res.dtype),
    )
    scalar = poles.rows[0][3]
    npoles = len(poles.rows)
    val_ind = ind.replace(ind[lat_ax], "P")
    new_axes = {"P": npoles}
    if scalar:
        val_ind = val_ind.replace(ind[lon_ax], "Q")
        new_axes["Q"] = 1
    lon_in_row = lon_ax - (lon_ax > lat_ax)
    values = da.blockwise(
        partial(
            _pole_values,
            poles=poles,
            sources=tuple(sources),
            lat_ax=lat_ax,
            lon_in_row=lon_in_row,
        ),
        val_ind,
        cut,
        ind,
        dtype=res.dtype,
        new_axes=new_axes,
        concatenate=True,
        align_arrays=False,
        meta=np.empty((0,) * ndim, res.dtype),
    )
    pos = block_positions(res.chunks[lead:], (lat_ax,))
    other_val_ind = val_ind.replace("P", "p").replace("Q", "q")
    return da.blockwise(
        partial(_put_poles, poles=poles, lat_ax=lat_ax, slot=slot),
        res_ind,
        res,
        res_ind,
        values,
        other_val_ind,
        pos,
        (ind[lat_ax],),
        dtype=res.dtype,
        concatenate=True,
        align_arrays=False,
        meta=np.empty((0,) * res.ndim, res.dtype),
    )


def _cut_rows(block, local: list, *, lat_ax: int, slot: int | None):
    field = block if slot is None else block[slot]
    return np.ascontiguousarray(field[_at(field.ndim, lat_ax, local)])


def _pole_values(cut, *, poles: Poles, sources: tuple, lat_ax: int, lon_in_row: int):
    """The value of each limit pole (along a new axis in place of latitude)."""
    where = {r: i for i, r in enumerate(sources)}
    values = []
    for _, rows, weights, scalar in poles.rows:
        value = _pole_value(
            lambda r: cut[_at(cut.ndim, lat_ax, where[r])],
            rows,
            weights,
            scalar,
            lon_in_row,
            poles.unique_lon,
        )
        values.append(np.asarray(value).astype(cut.dtype))
    return np.stack(values, axis=lat_ax)


def _put_poles(block, values, bounds, *, poles: Poles, lat_ax: int, slot: int | None):
    s, e = bounds[0]
    inside = [(i, p) for i, (p, *_) in enumerate(poles.rows) if s <= p < e]
    if not inside:
        return block
    out = block.copy()
    field = out if slot is None else out[slot]
    for i, p in inside:
        field[_at(field.ndim, lat_ax, p - s)] = values[_at(values.ndim, lat_ax, i)]
    return out


def result_dtype(*arrays) -> np.dtype:
    return float_dtype(np.result_type(*[a.dtype for a in arrays]))


def _rows(values: np.ndarray, s: int, e: int, ndim: int, lat_ax: int) -> np.ndarray:
    """Rows ``[s, e)`` of a 1-D latitude array, shaped to broadcast over a block."""
    return values[s:e].reshape([-1 if ax == lat_ax else 1 for ax in range(ndim)])


def _limit_in_block(res_chunks: tuple, poles: Poles, lat_ax: int, lon_ax: int) -> bool:
    return in_block(poles, res_chunks[lat_ax], res_chunks[lon_ax])


def grad(s, data, lat_ax: int, lon_ax: int):
    """``(northward, eastward)`` derivatives per metre of a Dask array, stacked first."""
    dtype = float_dtype(data.dtype)
    st_lat, st_lon = s.stencil(s.lat_dim), s.stencil(s.lon_dim)
    poles = poles_of(s, "meridian")
    staged = not _limit_in_block(data.chunks, poles, lat_ax, lon_ax)
    kernel = partial(
        _grad_kernel,
        lat_ax=lat_ax,
        lon_ax=lon_ax,
        stencils=(st_lat, st_lon),
        fill=s.opts.fill_value,
        inv_r=1.0 / s.radius,
        east_w=(s.inv_cos / s.radius).astype(dtype),
        poles=poles,
        staged=staged,
    )
    halos = [halo(data, lat_ax, [st_lat]), halo(data, lon_ax, [st_lon])]
    out = run_kernel(kernel, [data, *halos], lat_ax, lon_ax, dtype, lead=2)
    return set_poles(out, poles, lat_ax, lon_ax, slot=1) if staged else out


def _grad_kernel(
    pos, f, lat_halo, lon_halo, *, lat_ax, lon_ax, stencils, fill, inv_r, east_w, poles, staged
):
    (s, e), (s2, e2) = pos
    north = derivative(f, lat_halo, lat_ax, s, e, stencils[0], fill) * inv_r
    east = derivative(f, lon_halo, lon_ax, s2, e2, stencils[1], fill)
    east = east * _rows(east_w, s, e, east.ndim, lat_ax)
    _fix_block(east, s, e, lat_ax, lon_ax, poles, staged)
    return np.stack([north, east])


def laplacian(s, data, lat_ax: int, lon_ax: int):
    """The spherical Laplacian of a Dask array (pole rows by the pole policy)."""
    dtype = float_dtype(data.dtype)
    st_pp, st_p = s.stencil(s.lat_dim, 2), s.stencil(s.lat_dim, 1)
    st_ll = s.stencil(s.lon_dim, 2)
    r2 = s.radius**2
    poles = poles_of(s, "scalar")
    staged = not _limit_in_block(data.chunks, poles, lat_ax, lon_ax)
    kernel = partial(
        _laplacian_kernel,
        lat_ax=lat_ax,
        lon_ax=lon_ax,
        stencils=(st_pp, st_p, st_ll),
        fill=s.opts.fill_value,
        inv_r2=dtype.type(1 / r2),
        tan_w=(s.tan / r2).astype(dtype),
        cos2_w=(s.inv_cos**2 / r2).astype(dtype),
        poles=poles,
        staged=staged,
    )
    halos = [halo(data, lat_ax, [st_pp, st_p]), halo(data, lon_ax, [st_ll])]
    out = run_kernel(kernel, [data, *halos], lat_ax, lon_ax, dtype)
    return set_poles(out, poles, lat_ax, lon_ax) if staged else out


def _laplacian_kernel(
    pos,
    f,
    lat_halo,
    lon_halo,
    *,
    lat_ax,
    lon_ax,
    stencils,
    fill,
    inv_r2,
    tan_w,
    cos2_w,
    poles,
    staged,
):
    (s, e), (s2, e2) = pos
    f_pp = derivative(f, lat_halo, lat_ax, s, e, stencils[0], fill)
    f_p = derivative(f, lat_halo, lat_ax, s, e, stencils[1], fill)
    f_ll = derivative(f, lon_halo, lon_ax, s2, e2, stencils[2], fill)
    nd = f_pp.ndim
    # The order of the numpy path's xarray expression, for the same rounding.
    res = (
        f_pp * inv_r2
        - f_p * _rows(tan_w, s, e, nd, lat_ax)
        + f_ll * _rows(cos2_w, s, e, nd, lat_ax)
    )
    _fix_block(res, s, e, lat_ax, lon_ax, poles, staged)
    return res


def flux(s, a, b, sign: float, lat_ax: int, lon_ax: int):
    """``(a_lam + sign * (b cos phi)_phi) / (R cos phi)`` of two Dask arrays."""
    import dask.array as da

    dtype = result_dtype(a, b)
    if a.chunks != b.chunks:
        _, (a, b) = da.core.unify_chunks(a, "".join(_LETTERS[: a.ndim]), b, _LETTERS[: b.ndim])
    st_lon, st_flux = s.stencil(s.lon_dim), s.flux_stencil()
    poles = poles_of(s, "scalar")
    staged = not _limit_in_block(a.chunks, poles, lat_ax, lon_ax)
    kernel = partial(
        _flux_kernel,
        lat_ax=lat_ax,
        lon_ax=lon_ax,
        stencils=(st_lon, st_flux),
        fill=s.opts.fill_value,
        weight=(s.inv_cos / s.radius).astype(dtype),
        sign=sign,
        poles=poles,
        staged=staged,
    )
    halos = [halo(a, lon_ax, [st_lon]), halo(b, lat_ax, [st_flux])]
    out = run_kernel(kernel, [a, b, *halos], lat_ax, lon_ax, dtype)
    return set_poles(out, poles, lat_ax, lon_ax) if staged else out


def _flux_kernel(
    pos, a, b, a_halo, b_halo, *, lat_ax, lon_ax, stencils, fill, weight, sign, poles, staged
):
    (s, e), (s2, e2) = pos
    # Cast here, not in a layer of its own: one task less per chunk, the same numbers.
    b = np.asarray(b).astype(weight.dtype, copy=False)
    if b_halo is not None:
        b_halo = tuple(None if h is None else h.astype(weight.dtype, copy=False) for h in b_halo)
    d_lam = derivative(a, a_halo, lon_ax, s2, e2, stencils[0], fill)
    d_phi = derivative(b, b_halo, lat_ax, s, e, stencils[1], fill)
    total = d_lam * _rows(weight, s, e, d_lam.ndim, lat_ax)
    total = total + d_phi if sign > 0 else total - d_phi
    _fix_block(total, s, e, lat_ax, lon_ax, poles, staged)
    return total
