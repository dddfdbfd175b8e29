"""Shared machinery of the vector-calculus operators (no public API).

Vector fields, their dims and the attrs of multi-entry results. The derivatives
themselves are :func:`fieldops.grids.partials.partials` (cartesian) or a frame's
(:mod:`fieldops.grids.frame`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_numeric, check_xarray
from fieldops.grids.coords import _TIME_UNITS
from fieldops.grids.detect import horizontal_dims
from fieldops.grids.partials import SlotSpec, partials
from fieldops.grids.results import COMPONENT, WRT, derivative_attrs
from fieldops.options import How, Options, resolve_how

__all__ = ["COMPONENT", "WRT", "SlotSpec", "partials"]


def hessian_slots(dims: list[Hashable]) -> list[SlotSpec]:
    """Row-major Hessian slots: D2 on the diagonal, D1 x D1 above it, copies below.

    Examples
    --------
    >>> hessian_slots(["y", "x"])
    [[(0, 1.0, {'y': 2})], [(0, 1.0, {'y': 1, 'x': 1})], 1, [(0, 1.0, {'x': 2})]]
    """
    n = len(dims)
    slots: list[SlotSpec] = []
    for i in range(n):
        for j in range(n):
            if i == j:
                slots.append([(0, 1.0, {dims[i]: 2})])
            elif i < j:
                slots.append([(0, 1.0, {dims[i]: 1, dims[j]: 1})])
            else:
                slots.append(j * n + i)
    return slots


def describe(da: xr.DataArray) -> str:
    """What ``da`` is, for a ``long_name``."""
    return str(da.attrs.get("long_name") or da.name or "the field")


def coord_units(obj: xr.DataArray | xr.Dataset, dim: Hashable, datetime_unit=None) -> str | None:
    """Units of ``dim``'s coordinate: its ``units``, a time unit for times, None without one."""
    if dim not in obj.coords:
        return None
    coord = obj.coords[dim]
    if coord.dtype.kind in "mMO":
        return _TIME_UNITS.get(datetime_unit or "s", datetime_unit)
    units = coord.attrs.get("units")
    return str(units) if units is not None and str(units).strip() else None


def same_units(units: Sequence[str | None]) -> bool:
    """True when all ``units`` are the same (equal, or convertible with factor 1), or all None."""
    first = units[0] if units else None
    for u in units[1:]:
        if u == first:
            continue
        if u is None or first is None or _units.factor(u, first) != 1.0:
            return False
    return True


def describe_units(units: Mapping[Hashable, str | None]) -> str:
    """``"time: s, lat: degrees_north"`` (``no units`` where None), for messages."""
    return ", ".join(f"{d}: {u if u is not None else 'no units'}" for d, u in units.items())


def default_dims(f: xr.DataArray | xr.Dataset, datetime_unit=None) -> list[Hashable]:
    """The default dims of the scalar operators (the house rule; see docs/geometry.md).

    The two horizontal dims when a latitude/longitude grid (spherical or
    curvilinear) is found; otherwise every dim of ``f``, only when their
    coordinates share units: terms of different units are never added.
    """
    horizontal = horizontal_dims(f)
    if horizontal is not None:
        return [d for d in f.dims if d in horizontal]
    dims = list(f.dims)
    units = {d: coord_units(f, d, datetime_unit) for d in dims}
    if not same_units(list(units.values())):
        raise ValueError(
            f"no latitude/longitude grid found, and the dims of the field have coordinates "
            f"in different units ({describe_units(units)}); the default is every dim only "
            "when they share units (terms of different units are never added): pass dims= "
            "to say which dims to differentiate along"
        )
    return dims


def check_same_units(units: Mapping[Hashable, str | None], what: str, note: str = "") -> None:
    """Refuse to add terms along dims whose units differ (``units``: each dim's)."""
    if not same_units(list(units.values())):
        raise ValueError(
            f"{what} adds terms along dims {list(units)}, whose coordinates have different "
            f"units ({describe_units(units)}{note}); terms of different units are never added: "
            "pass dims= naming dims of one unit (e.g. the two horizontal dims), or give "
            "the coordinates the same units"
        )


def check_terms(
    f: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable],
    horizontal: Sequence[Hashable] | None,
    what: str,
    datetime_unit: str | None = None,
) -> None:
    """Refuse an operator that adds terms along ``dims`` whose units differ.

    The ``horizontal`` dims of a sphere or curvilinear frame (``Frame.dims``; None
    on plain coordinates) are per metre; every other dim is in its coordinate's
    units (a time in seconds or ``datetime_unit``; none without a coordinate or a
    ``units`` attribute).
    """
    units = {
        d: "m" if horizontal is not None and d in horizontal else coord_units(f, d, datetime_unit)
        for d in dims
    }
    note = "; the horizontal dims are per metre on the grid" if horizontal is not None else ""
    check_same_units(units, what, note)


def scalar_dims(
    f: xr.DataArray | xr.Dataset, dims: object, *, datetime_unit: str | None = None
) -> list[Hashable]:
    """The dims to differentiate a scalar field along (:func:`default_dims` by default)."""
    check_xarray(f)
    if dims is None:
        dims = default_dims(f, datetime_unit)
    elif isinstance(dims, str) or not isinstance(dims, Sequence):
        dims = [dims]
    dims = list(dims)
    if not dims:
        raise ValueError("dims is empty: name at least one dim to differentiate along")
    if len(set(dims)) != len(dims):
        raise ValueError(f"dims {dims} repeats a dim; name each dim once")
    for reserved in (COMPONENT, WRT):
        if reserved in f.dims:
            raise ValueError(
                f"the field already has a dim {reserved!r}, which the result needs; "
                f"rename it first (e.g. .rename({{{reserved!r}: 'band'}}))"
            )
    return dims


def entry_attrs(
    da: xr.DataArray, long_name: str, denominators: list[list[str | None]]
) -> dict[Hashable, object]:
    """Attrs of a multi-entry result: units only when all entries share them."""
    derived = [_units.combine(da.attrs.get("units"), d) for d in denominators]
    attrs = derivative_attrs(da, long_name, [None])
    if derived and len(set(derived)) == 1 and derived[0] is not None:
        attrs["units"] = derived[0]
    return attrs


def spatial_coords(field: xr.DataArray) -> dict[Hashable, xr.DataArray]:
    """``field``'s coords, less those along ``component``."""
    return {k: v for k, v in field.coords.items() if COMPONENT not in v.dims}


def as_vector(
    F: xr.DataArray | xr.Dataset, components: Mapping[Hashable, Hashable] | None
) -> xr.DataArray:
    """A vector field as a DataArray with ``component`` first, checked.

    Parameters
    ----------
    F : DataArray or Dataset
        DataArray with a ``component`` dim labelled by dims, or a Dataset.
    components : mapping, optional
        ``{dim: variable}`` for a Dataset; must be None for a DataArray.

    Returns
    -------
    DataArray
        Dims ``(component, *spatial)``.

    Examples
    --------
    >>> import numpy as np
    >>> ds = xr.Dataset({"u": ("x", np.ones(3)), "v": ("x", np.zeros(3))})
    >>> as_vector(ds, {"x": "u", "y": "v"}).component.values.tolist()
    ['x', 'y']
    """
    check_xarray(F)
    if isinstance(F, xr.Dataset):
        return _dataset_vector(F, components)
    if components is not None:
        raise ValueError(
            "components= is for a Dataset; a DataArray vector field carries its components "
            f"along its {COMPONENT!r} dim"
        )
    if COMPONENT not in F.dims:
        raise ValueError(
            f"variable {F.name!r} has no {COMPONENT!r} dim (its dims are {list(F.dims)}); a "
            f"vector field needs one, labelled by the dims its components point along, e.g. "
            "fieldops.grad(f), or xr.concat([u, v], dim=xr.Variable('component', ['x', 'y']))"
        )
    if COMPONENT not in F.coords:
        raise ValueError(
            f"the {COMPONENT!r} dim of {F.name!r} has no labels; label it with the dims the "
            f"components point along: F.assign_coords(component=['x', 'y'])"
        )
    labels = F[COMPONENT].values.tolist()
    if len(set(labels)) != len(labels):
        raise ValueError(f"{COMPONENT!r} labels {labels} repeat; label each component once")
    check_numeric(F)
    return F.transpose(COMPONENT, ...)


def _dataset_vector(ds: xr.Dataset, components: Mapping[Hashable, Hashable] | None):
    if not isinstance(components, Mapping) or not components:
        raise ValueError(
            "a vector field given as a Dataset needs components={dim: variable}, e.g. "
            f"components={{'x': 'u', 'y': 'v'}}; its variables are {list(ds.data_vars)}"
        )
    missing = [v for v in components.values() if v not in ds.data_vars]
    if missing:
        raise ValueError(
            f"components names variable(s) {missing} not in the Dataset; its variables are "
            f"{list(ds.data_vars)}"
        )
    names = list(components.values())
    first = ds[names[0]]
    for name in names[1:]:
        var = ds[name]
        if set(var.dims) != set(first.dims) or any(
            var.sizes[d] != first.sizes[d] for d in var.dims
        ):
            raise ValueError(
                f"vector components are on different grids: {names[0]!r} has dims "
                f"{dict(first.sizes)}, {name!r} has {dict(var.sizes)}; interpolate them onto "
                "one grid first (e.g. var.interp_like(other))"
            )
    for name in names:
        check_numeric(ds[name])
    labels = list(components)
    vec = xr.concat(
        [ds[n].drop_attrs(deep=False).transpose(*first.dims) for n in names],
        dim=xr.Variable(COMPONENT, labels),
        coords="minimal",
        compat="override",
        join="exact",
    )
    units = {ds[n].attrs.get("units") for n in names}
    if len(units) == 1 and None not in units:
        vec.attrs["units"] = units.pop()
    vec.name = "_".join(str(n) for n in names)
    return vec.transpose(COMPONENT, ...)


def vector_dims(F: xr.DataArray, dims: object, *, square: bool = False) -> list[Hashable]:
    """Dims a vector operator differentiates along: the component labels by default."""
    labels = F[COMPONENT].values.tolist()
    if dims is None:
        dims = labels
        not_dims = [c for c in labels if c not in F.dims]
        if not_dims:
            raise ValueError(
                f"component label(s) {not_dims} of {F.name!r} are not dims of the field (its "
                f"dims are {list(F.dims)}); pass dims= to say which dims to differentiate "
                "along, e.g. dims=['x', 'y'] for the 2-D (vertical) curl of a 3-component field"
            )
    elif isinstance(dims, str) or not isinstance(dims, Sequence):
        dims = [dims]
    dims = list(dims)
    if len(set(dims)) != len(dims):
        raise ValueError(f"dims {dims} repeats a dim; name each dim once")
    if square:
        absent = [d for d in dims if d not in labels]
        if absent:
            raise ValueError(
                f"dims {absent} are not {COMPONENT!r} labels of {F.name!r} (its labels are "
                f"{labels}); this operator needs a component along every dim differentiated"
            )
    return dims


# --------------------------------------------------------------------------- vector fields


def vector_result(
    F: xr.DataArray,
    data,
    extra: tuple[tuple[str, list[Hashable]], ...],
    name: str,
    long_name: str,
    denominators: list[list[str | None]],
) -> xr.DataArray:
    """Wrap fused output ``data`` of ``F``, whose leading axes are the ``extra`` dims."""
    coords = spatial_coords(F)
    coords.update({dim: labels for dim, labels in extra})
    return xr.DataArray(
        data,
        dims=tuple(dim for dim, _ in extra) + F.dims[1:],
        coords=coords,
        name=f"{name}_{F.name}" if F.name is not None else name,
        attrs=entry_attrs(F, f"{long_name} of {describe(F)}", denominators),
    )


def vector_call(
    F, components, dims, how: How, *, square: bool = False
) -> tuple[xr.DataArray, list[Hashable], Options, list[Hashable]]:
    """Check a vector operator's input: the field, its dims, options and component labels."""
    vec = as_vector(F, components)
    dims = vector_dims(vec, dims, square=square)
    opts = resolve_how(vec, dims, how, time_dims_only=True)
    return vec, dims, opts, vec[COMPONENT].values.tolist()
