"""Shared machinery of the vector-calculus operators (no public API).

Vector fields, dims, options, attrs, and :func:`partials`: the one place that turns
``{dim: order}`` products of partial derivatives into stencils and runs them fused
(the hook where other geometries plug in; the operators' bodies stay cartesian).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence

import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_numeric, check_xarray
from fieldops.boundary import BoundarySpec
from fieldops.core import apply_fused
from fieldops.geometry import _TIME_UNITS
from fieldops.operators import (
    Options,
    PeriodSpec,
    axis_stencil,
    derivative_attrs,
    fusable,
    partial_data,
    resolve_options,
)
from fieldops.stencils.fused import Copy, Plan, Term

COMPONENT = "component"
WRT = "wrt"

# One output slot: a sum of (source index, coefficient, {dim: order}) terms, or the
# index of an earlier slot it copies, or a Copy (an earlier slot times a scale).
SlotSpec = list[tuple[int, float, dict[Hashable, int]]] | int | Copy


def partials(
    field: xr.DataArray,
    slots: Sequence[SlotSpec],
    opts: Options,
    *,
    slot_shape: tuple[int, ...] | None = None,
) -> tuple[object, dict[Hashable, str | None]]:
    """Data of linear combinations of partial derivatives, in one fused pass.

    Parameters
    ----------
    field : DataArray
        Scalar field, or vector field with ``component`` as its first dim (the
        sources are its components, in order).
    slots : sequence
        One entry per output: a list of ``(source, coef, {dim: order})`` terms to
        sum, or the index of an earlier slot to copy (or a ``Copy`` with a scale).
    opts : Options
        Resolved stencil options.
    slot_shape : tuple of int, optional
        Shape of the leading slot axes: ``()`` for one slot, ``(n, n)`` for a
        tensor; ``(len(slots),)`` by default.

    Returns
    -------
    data : numpy.ndarray or dask.array.Array
        ``(*slot_shape, *spatial_shape)``.
    coord_units : dict
        Units of each differentiated dim's coordinate (None when unknown).

    Examples
    --------
    >>> import numpy as np
    >>> from fieldops.operators import resolve_options
    >>> f = xr.DataArray(np.arange(5.0) ** 2, dims="x")
    >>> opts = resolve_options(f, ["x"], accuracy=2, boundary=None, fill_value=np.nan,
    ...                        period=None, datetime_unit=None)
    >>> data, _ = partials(f, [[(0, 1.0, {"x": 2})]], opts)
    >>> data.tolist()
    [[2.0, 2.0, 2.0, 2.0, 2.0]]
    """
    vector = field.dims[:1] == (COMPONENT,)
    spatial = field.dims[1:] if vector else field.dims
    used = sorted(
        {d for slot in slots if isinstance(slot, list) for t in slot for d in t[2]}, key=str
    )
    if opts.omit or not fusable(opts, used):
        return _composed(field, slots, opts, vector, slot_shape)
    stencils: dict[tuple[Hashable, int], object] = {}
    coord_units: dict[Hashable, str | None] = {}
    plan_slots = []
    for slot in slots:
        if isinstance(slot, (int, Copy)):
            plan_slots.append(slot)
            continue
        terms = []
        for source, coef, orders in slot:
            factors = []
            for dim, order in orders.items():
                if (dim, order) not in stencils:
                    st, cu = axis_stencil(field, dim, order, dim_options(field, dim, opts))
                    stencils[(dim, order)] = st
                    coord_units[dim] = cu
                factors.append((spatial.index(dim), stencils[(dim, order)]))
            terms.append(Term(source, float(coef), tuple(factors)))
        plan_slots.append(tuple(terms))
    plan = Plan(tuple(plan_slots))
    data = apply_fused(
        field.data, plan, fill_value=opts.fill_value, stacked=vector, slot_shape=slot_shape
    )
    return data, coord_units


def _composed(field, slots, opts, vector, slot_shape):
    """:func:`partials` term by term through :func:`~fieldops.operators.partial_data`.

    For what the fused stencil kernel cannot do: spectral derivatives and
    gap-aware (``nan_policy="omit"``) stencils, whose weights depend on the data.
    On numpy each slot that is one derivative is written straight into its place
    in the stacked result: a ``np.stack`` of the slots cost more than computing them.
    """
    import numpy as np

    from fieldops.core import is_dask
    from fieldops.stencils.apply import float_dtype

    stacked = None
    if not is_dask(field.data):
        spatial = field.shape[1:] if vector else field.shape
        stacked = np.empty((len(slots),) + spatial, float_dtype(field.dtype))
    outs = []
    coord_units: dict[Hashable, str | None] = {}
    for k, slot in enumerate(slots):
        if isinstance(slot, Copy):
            outs.append(outs[slot.slot] * slot.scale)
            continue
        if isinstance(slot, int):
            outs.append(outs[slot])
            continue
        target = stacked[k] if stacked is not None and len(slot) == 1 else None
        total = None
        for source, coef, orders in slot:
            cur = field.isel({COMPONENT: source}, drop=True) if vector else field
            for n, (dim, order) in enumerate(orders.items()):
                last = target if coef == 1.0 and n == len(orders) - 1 else None
                data, units = partial_data(cur, {dim: order}, dim_options(cur, dim, opts), out=last)
                coord_units[dim] = units[0]
                cur = cur.copy(data=data)
            data = cur.data
            term = data * coef if coef != 1.0 else data
            total = term if total is None else total + term
        outs.append(total)
    # An empty slot (the zero diagonal of a rotation rate) is zeros like the others.
    known = next(o for o in outs if o is not None)
    outs = [o if o is not None else known * 0 for o in outs]
    shape = (len(slots),) if slot_shape is None else tuple(slot_shape)
    if any(is_dask(o) for o in outs):
        import dask.array as dsa

        stacked = dsa.stack(outs)
    elif any(o.dtype != stacked.dtype for o in outs):
        stacked = np.stack(outs)  # what np.stack would promote to
    else:
        for k, o in enumerate(outs):
            if not np.may_share_memory(o, stacked[k]):  # not written in place
                stacked[k] = o
    return stacked.reshape(shape + stacked.shape[1:]), coord_units


def options(
    obj: xr.DataArray | xr.Dataset,
    dims: list[Hashable],
    accuracy: int,
    boundary: BoundarySpec | None,
    fill_value: float,
    period: PeriodSpec,
    datetime_unit: str | None,
    *,
    how: Mapping[str, object] | None = None,
) -> Options:
    """:func:`~fieldops.operators.resolve_options` with positional arguments.

    ``datetime_unit`` applies to the dims with a time coordinate; it is an error when
    none of ``dims`` has one. ``how`` holds the method and NaN options (``method``,
    ``window``, ``polyorder``, ``sigma``, ``nan_policy``, ``mask``).
    """
    if datetime_unit is not None and not any(is_time(obj, d) for d in dims if d in obj.dims):
        raise ValueError(
            f"datetime_unit given but none of dims {dims} has a time coordinate; drop it"
        )
    return resolve_options(
        obj,
        dims,
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        period=period,
        datetime_unit=datetime_unit,
        **dict(how or {}),
    )


def how_options(
    method: object, window: object, polyorder: object, sigma: object, nan_policy: str, mask: object
) -> dict[str, object]:
    """The method and NaN options of one call, for :func:`options`."""
    return dict(
        method=method,
        window=window,
        polyorder=polyorder,
        sigma=sigma,
        nan_policy=nan_policy,
        mask=mask,
    )


def is_plain(how: Mapping[str, object]) -> bool:
    """True when ``how`` asks for plain finite differences that propagate NaN.

    A method parameter (``window``, ``polyorder``, ``sigma``) makes it not plain,
    so that it reaches :func:`~fieldops.methods.resolve_methods`, which refuses
    it without its method, as ``diff`` does, instead of it being ignored.
    """
    return (
        how.get("method", "finite_difference") == "finite_difference"
        and how.get("nan_policy", "propagate") == "propagate"
        and how.get("mask") is None
        and all(how.get(k) is None for k in ("window", "polyorder", "sigma"))
    )


def how_for(how: Mapping[str, object], dims: Sequence[Hashable]) -> dict[str, object]:
    """``how`` for a call along ``dims`` only: per-dim dicts keep just those dims.

    A call along some of the dims (the horizontal ones, or a vertical one) gets
    the caller's per-dim choices for its own dims, e.g.
    ``method={"lon": "spectral", "lat": "savgol"}`` split between two calls.

    Examples
    --------
    >>> how_for({"method": {"lon": "spectral", "level": "savgol"}, "window": 5}, ["lon"])
    {'method': {'lon': 'spectral'}, 'window': 5}
    """
    out: dict[str, object] = {}
    for key, value in how.items():
        if key != "mask" and isinstance(value, Mapping):
            value = {d: v for d, v in value.items() if d in dims}
        out[key] = value
    return out


def frame_options(
    ref: xr.DataArray,
    dims: list[Hashable],
    how: Mapping[str, object],
    *,
    accuracy: int,
    boundary: BoundarySpec | None,
    fill_value: float,
    period: PeriodSpec,
) -> tuple[Options, xr.DataArray | None]:
    """The options of a frame's field derivatives under ``how``, and the mask to apply.

    The mask is aligned to ``ref`` by label (:func:`~fieldops._validate.align_mask`:
    reordered to ``ref``'s labels, or refused), then comes back bare (dims only)
    and out of the options, with ``nan_policy="omit"`` in its place: the frames
    put NaN where it is False themselves, on fields whose coordinates are their
    own (radians, an index) and line up with ``ref``'s cell by cell.
    """
    opts = resolve_options(
        ref,
        dims,
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        period=period,
        datetime_unit=None,
        **how_for(how, dims),
    )
    if opts.mask is None:
        return opts, None
    mask = xr.DataArray(opts.mask.data, dims=opts.mask.dims)
    return dataclasses.replace(opts, mask=None, nan_policy="omit"), mask


def is_time(obj: xr.DataArray | xr.Dataset, dim: Hashable) -> bool:
    """True when ``dim`` has a datetime, timedelta or cftime coordinate."""
    return dim in obj.coords and obj.coords[dim].dtype.kind in "mMO"


def dim_options(obj: xr.DataArray | xr.Dataset, dim: Hashable, opts: Options) -> Options:
    """``opts`` for one dim: ``datetime_unit`` applies to time dims only."""
    if opts.datetime_unit is None or is_time(obj, dim):
        return opts
    return dataclasses.replace(opts, datetime_unit=None)


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
    from fieldops.grids import horizontal_dims

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


def power_units(numerator: object, power: int, denominators: list[str | None]) -> str | None:
    """Units of ``numerator**power / prod(denominators)``, or None when any is unknown.

    Examples
    --------
    >>> power_units("m s-1", 2, ["m", "m"])
    's-2'
    """
    return _units.power(numerator, power, denominators)


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
    F, components, dims, square, accuracy, boundary, fill_value, period, dt_unit, *, how=None
):
    """Check a vector operator's input: the field, its dims, options and component labels."""
    vec = as_vector(F, components)
    dims = vector_dims(vec, dims, square=square)
    opts = options(vec, dims, accuracy, boundary, fill_value, period, dt_unit, how=how)
    return vec, dims, opts, vec[COMPONENT].values.tolist()
