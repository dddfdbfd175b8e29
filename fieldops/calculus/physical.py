"""The vector operators on a physical grid: a frame's horizontal part plus the other dims.

When the dims of grad, div, curl, laplacian, hessian or jacobian hold both
horizontal dims of a sphere or curvilinear grid, :func:`fieldops.grids.frame.frame_for`
gives the frame; its operators compute the horizontal part (eastward/northward per
metre, metric terms, poles) and :func:`~fieldops.calculus.differentiate.differentiate`
any other dim.
"""

from __future__ import annotations

from collections.abc import Hashable

import xarray as xr

from fieldops import units as _units
from fieldops.calculus.differentiate import differentiate
from fieldops.calculus.fields import COMPONENT, WRT, check_terms, describe, spatial_coords
from fieldops.grids.frame import Entries, Frame, frame_for
from fieldops.options import How, Options, Where, resolve_how
from fieldops.stencils.dispatch import is_dask, stack_dask


def prepare(
    f: xr.DataArray | xr.Dataset,
    dims: list[Hashable],
    how: How,
    where: Where,
    *,
    adds: str | None = None,
) -> tuple[Options, Frame | None]:
    """A call's options resolved along ``dims``, and its frame (None: plain coordinates).

    ``adds``: the operator's name when it sums terms along ``dims`` (a Laplacian,
    a divergence): then dims whose units differ are refused, naming each
    (:func:`~fieldops.calculus.fields.check_terms`; the frame's dims are per metre).
    """
    opts = resolve_how(f, dims, how, time_dims_only=True)
    frame = frame_for(f, dims, where, how)
    if adds is not None:
        horizontal = None if frame is None else frame.dims
        check_terms(f, dims, horizontal, adds, how.datetime_unit)
    return opts, frame


def _other(f: xr.DataArray, dim: Hashable, order: int, how: How) -> xr.DataArray:
    """Plain derivative along a dim that is not horizontal, under that dim's options."""
    return differentiate(f, dim, order, how.restrict([dim]))


def grad(f: xr.DataArray, dims: list[Hashable], frame: Frame, how: How) -> xr.DataArray:
    """Gradient with physical horizontal components, labelled by ``dims``."""
    y, x = frame.dims
    units = [frame.length_unit]
    bare = frame.bare(f)
    others = {d: _other(f, d, 1, how) for d in dims if d not in frame.dims}
    stacked = frame.grad_stacked(bare)
    if stacked is not None:
        like = f.expand_dims({COMPONENT: [y, x]})
        g = frame.finish(stacked, like, "grad", "gradient", units)
        found = {g.attrs.get("units")} | {p.attrs.get("units") for p in others.values()}
        out = _stack_components(g, others, dims, frame, f)
    else:
        north, east = frame.grad(bare)
        north = frame.finish(north, f, "north", "northward derivative", units)
        east = frame.finish(east, f, "east", "eastward derivative", units)
        parts = [north if d == y else east if d == x else others[d] for d in dims]
        found = {p.attrs.get("units") for p in parts}
        out = _concat_components(parts)
    out = out.assign_coords({COMPONENT: list(dims)}).transpose(COMPONENT, *f.dims)
    north_word, east_word = frame.directions
    out.attrs = {
        "long_name": f"gradient of {f.attrs.get('long_name') or f.name} {frame.words()}",
        # Machine-readable, for fieldops.to_dataset (eastward_/northward_ names).
        "component_directions": f"{y}: {north_word} {x}: {east_word}",
        **frame.frame_attrs(),  # grid-relative components say so (fieldops.mappings)
    }
    if len(found) == 1 and None not in found:
        out.attrs["units"] = found.pop()
    return out.rename(f"grad_{f.name}" if f.name is not None else "grad")


def _concat_components(parts: list[xr.DataArray]) -> xr.DataArray:
    return xr.concat(
        parts,
        dim=COMPONENT,
        coords="minimal",
        compat="override",
        join="override",
        combine_attrs="drop",
    )


def _stack_components(
    g: xr.DataArray,
    others: dict[Hashable, xr.DataArray],
    dims: list[Hashable],
    frame: Frame,
    f: xr.DataArray,
) -> xr.DataArray:
    """The frame's stacked (north, east) ``g`` and the other dims' derivatives, in ``dims`` order.

    On Dask, one lazy blockwise layer, not isel (getitem) and concat (stack) layers.
    """
    y, x = frame.dims
    if list(dims) == [y, x]:
        return g.drop_vars(COMPONENT)
    if all(is_dask(p.data) for p in others.values()):
        g_data = g.transpose(COMPONENT, *f.dims).data
        data = stack_dask(
            [
                (g_data, 0) if d == y else (g_data, 1) if d == x else (others[d].data, None)
                for d in dims
            ]
        )
        return xr.DataArray(data, dims=(COMPONENT, *f.dims), coords=f.coords)
    north, east = g.isel({COMPONENT: 0}, drop=True), g.isel({COMPONENT: 1}, drop=True)
    return _concat_components([north if d == y else east if d == x else others[d] for d in dims])


def laplacian(f: xr.DataArray, dims: list[Hashable], frame: Frame, how: How) -> xr.DataArray:
    """Horizontal Laplacian on the frame plus the other dims'."""
    res = frame.laplacian(frame.bare(f))
    out = frame.finish(res, f, "laplacian", f"Laplacian of {describe(f)} {frame.place}", ["m", "m"])
    out = _plus_other_dims(out, [_other(f, d, 2, how) for d in dims if d not in frame.dims])
    return out.rename(f"del2_{f.name}" if f.name is not None else "del2")


def div(vec: xr.DataArray, dims: list[Hashable], frame: Frame, how: How) -> xr.DataArray:
    """Divergence of a ``component`` vector field: flux form on the horizontal."""
    y, x = frame.dims
    east, north = vec.sel(component=x, drop=True), vec.sel(component=y, drop=True)
    res = frame.div(east, north)
    out = frame.finish(res, east, "div", f"divergence {frame.place}", ["m"])
    others = [
        _other(vec.sel(component=d, drop=True), d, 1, how) for d in dims if d not in frame.dims
    ]
    return _plus_other_dims(out, others)


def curl(vec: xr.DataArray, dims: list[Hashable], frame: Frame, how: How) -> xr.DataArray:
    """Vertical component of the curl (relative vorticity) on the horizontal dims."""
    if len(dims) != 2:
        raise ValueError(
            f"on a {frame.kind} grid curl gives the vertical component over the two "
            f"horizontal dims {list(frame.dims)}; got dims {dims}. Use geometry='cartesian' "
            "for a 3-D curl"
        )
    y, x = frame.dims
    east, north = vec.sel(component=x, drop=True), vec.sel(component=y, drop=True)
    res = frame.curl(east, north)
    return frame.finish(res, east, "curl", f"vertical component of the curl {frame.place}", ["m"])


def _plus_other_dims(out: xr.DataArray, extras: list[xr.DataArray]) -> xr.DataArray:
    """``out`` plus the other dims' terms; units kept only when they all agree."""
    for extra in extras:
        if extra.attrs.get("units") != out.attrs.get("units"):
            out.attrs.pop("units", None)
        out = (out + extra).assign_attrs(out.attrs)
    return out


# --------------------------------------------------------------------------- tensors


def _bare(da: xr.DataArray, dims: tuple[Hashable, ...]) -> xr.DataArray:
    return xr.DataArray(da.data, dims=da.dims).transpose(*dims)


def _horizontal_first(frame: Frame, da: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    east, north = frame.east_north(frame.bare(da))
    return frame.fix_poles(east, "meridian"), north


def _assemble(
    entries: Entries,
    units: dict[tuple[Hashable, Hashable], str | None],
    rows: list[Hashable],
    cols: list[Hashable],
    like: xr.DataArray,
    coords: dict,
    name: str,
    long_name: str,
) -> xr.DataArray:
    """A ``(component, wrt, *like.dims)`` DataArray of the entries, units when all agree."""
    spatial = like.dims
    stacked = xr.concat(
        [xr.concat([_bare(entries[(r, c)], spatial) for c in cols], dim=WRT) for r in rows],
        dim=COMPONENT,
    )
    out = xr.DataArray(
        stacked.data,
        dims=(COMPONENT, WRT, *spatial),
        coords={**coords, COMPONENT: list(rows), WRT: list(cols)},
        name=name,
        attrs={"long_name": long_name},
    )
    found = set(units.values())
    if len(found) == 1 and None not in found:
        out.attrs["units"] = found.pop()
    return out


def hessian(f: xr.DataArray, dims: list[Hashable], frame: Frame, how: How) -> xr.DataArray:
    """Hessian with the covariant horizontal block; other dims by plain derivatives."""
    y, x = frame.dims
    entries = frame.hessian(frame.bare(f))
    per_m2 = _units.combine(f.attrs.get("units"), ["m", "m"])
    units = {k: per_m2 for k in entries}
    others = [d for d in dims if d not in frame.dims]
    first = {d: _other(f, d, 1, how) for d in others}
    for i, d in enumerate(others):
        east, north = _horizontal_first(frame, first[d])
        entries[(x, d)] = entries[(d, x)] = east
        entries[(y, d)] = entries[(d, y)] = north
        mixed_units = _units.combine(first[d].attrs.get("units"), ["m"])
        for key in ((x, d), (d, x), (y, d), (d, y)):
            units[key] = mixed_units
        second = _other(f, d, 2, how)
        entries[(d, d)], units[(d, d)] = second, second.attrs.get("units")
        for e in others[i + 1 :]:
            cross = _other(first[d], e, 1, how)
            entries[(d, e)] = entries[(e, d)] = cross
            units[(d, e)] = units[(e, d)] = cross.attrs.get("units")
    name = f"hess_{f.name}" if f.name is not None else "hess"
    long_name = f"Hessian of {describe(f)} {frame.words()}"
    return _assemble(entries, units, dims, dims, f, dict(f.coords), name, long_name)


def jacobian(vec: xr.DataArray, dims: list[Hashable], frame: Frame, how: How) -> xr.DataArray:
    """Jacobian of a ``component`` vector field with the covariant horizontal block.

    The components labelled by the two horizontal dims are the northward and
    eastward components; any other component is differentiated as a scalar.
    """
    y, x = frame.dims
    labels = vec[COMPONENT].values.tolist()
    horizontal = [c for c in (y, x) if c in labels]
    if len(horizontal) == 1:
        missing = x if y in labels else y
        raise ValueError(
            f"on a {frame.kind} grid the Jacobian needs both horizontal components: "
            f"{vec.name!r} has a component {horizontal[0]!r} but none labelled {missing!r}; "
            "add it, or pass geometry='cartesian' to differentiate the components as scalars"
        )
    comps = {c: vec.sel({COMPONENT: c}, drop=True) for c in labels}
    spatial = comps[labels[0]]
    entries: Entries = {}
    per_m = _units.combine(vec.attrs.get("units"), ["m"])
    units: dict[tuple[Hashable, Hashable], str | None] = {}
    if horizontal:
        entries.update(frame.jacobian(frame.bare(comps[x]), frame.bare(comps[y])))
    for c in labels:
        if c not in frame.dims:
            entries[(c, x)], entries[(c, y)] = _horizontal_first(frame, comps[c])
        units[(c, x)] = units[(c, y)] = per_m
        for d in dims:
            if d not in frame.dims:
                entries[(c, d)] = _other(comps[c].assign_attrs(vec.attrs), d, 1, how)
                units[(c, d)] = entries[(c, d)].attrs.get("units")
    name = f"jac_{vec.name}" if vec.name is not None else "jac"
    long_name = f"Jacobian of {describe(vec)} {frame.words()}"
    coords = spatial_coords(vec)
    return _assemble(entries, units, labels, dims, spatial, coords, name, long_name)
