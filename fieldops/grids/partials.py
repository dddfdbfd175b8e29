"""Derivatives of xarray fields along their dims: the layer every frame stands on.

:func:`axis_operator` builds the 1-D operator of one dim under the resolved
:class:`~fieldops.options.Options` (every method, every edge rule);
:func:`partial_data` applies products of them; :func:`partials` runs linear
combinations of partial derivatives in one fused pass. The results get their
names, coords and attrs from :mod:`fieldops.grids.results`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops._validate import align_mask, check_numeric
from fieldops.grids.coords import coordinate_values
from fieldops.grids.results import COMPONENT
from fieldops.options import Options
from fieldops.stencils.fused import Copy, Plan, Term, apply_fused
from fieldops.stencils.masked import GapRule
from fieldops.stencils.methods import Operator, apply_operators
from fieldops.stencils.methods import axis_operator as _axis_operator
from fieldops.stencils.weights import AxisStencil, is_uniform, minimum_points

# One output slot: a sum of (source index, coefficient, {dim: order}) terms, or the
# index of an earlier slot it copies, or a Copy (an earlier slot times a scale).
SlotSpec = list[tuple[int, float, dict[Hashable, int]]] | int | Copy


def axis_operator(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, order: int, opts: Options
) -> tuple[Operator, str | None]:
    """The operator of d^order/d dim^order under the dim's method, and the coordinate's units.

    Every operator goes through here, so every method works everywhere. The result
    is an :class:`AxisStencil` (finite differences, savgol, gaussian) or a
    :class:`~fieldops.stencils.spectral.SpectralOperator`; :func:`partial_data` applies either.

    Examples
    --------
    >>> da = xr.DataArray(np.zeros(16), dims="x")
    >>> from fieldops.options import How, resolve_how
    >>> opts = resolve_how(da, ["x"], How(boundary="periodic", method="spectral"))
    >>> type(axis_operator(da, "x", 1, opts)[0]).__name__
    'SpectralOperator'
    """
    values, coord_units = coordinate_values(obj, dim, datetime_unit=opts.datetime_unit)
    mode = opts.boundary[dim]
    spec = opts.method_of(dim)
    if spec.method == "finite_difference":
        n = values.size
        # A uniform grid may need one point less; only look when it matters.
        need = minimum_points(order, opts.accuracy, mode, uniform=False)
        if n < need:
            need = minimum_points(order, opts.accuracy, mode, uniform=is_uniform(values))
        if n < need:
            raise ValueError(_too_few_points(dim, n, need, order, opts.accuracy, mode, values))
    op = _axis_operator(
        values,
        order,
        spec,
        accuracy=opts.accuracy,
        boundary=mode,
        period=opts.period[dim],
        dim=dim,
        datetime_unit=opts.datetime_unit,
    )
    return op, coord_units


def _too_few_points(
    dim: Hashable, n: int, need: int, order: int, accuracy: int, mode: str, values: np.ndarray
) -> str:
    """Why ``dim`` is too short, and the fix that exists (a lower accuracy, or none)."""
    head = f"dim {dim!r} has {n} points, but order {order} "
    uniform = is_uniform(values)
    fits = [
        a
        for a in range(accuracy - 2, 1, -2)
        if n >= minimum_points(order, a, mode, uniform=uniform)
    ]
    if fits:
        return (
            f"{head}at accuracy {accuracy} with boundary {mode!r} needs at least {need}; "
            f"use accuracy={fits[0]} (the most {n} points allow)"
        )
    lowest = minimum_points(order, 2, mode, uniform=uniform)
    return (
        f"{head}with boundary {mode!r} needs at least {lowest} points even at the lowest "
        f"accuracy (2); differentiate along a dim with at least {lowest} points"
    )


def axis_stencil(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, order: int, opts: Options
) -> tuple[AxisStencil, str | None]:
    """The stencil of d^order/d dim^order for ``obj``'s coordinate, and its units.

    For callers that need a stencil table (fused kernels). Raises for
    ``method="spectral"``, which is not a stencil: use :func:`partial_data` or
    :func:`axis_operator` there.
    """
    op, coord_units = axis_operator(obj, dim, order, opts)
    if not isinstance(op, AxisStencil):
        raise ValueError(
            f"dim {dim!r}: method={opts.method_of(dim).method!r} is not a stencil; "
            "compute it with fieldops.grids.partials.partial_data"
        )
    return op, coord_units


def fusable(opts: Options, dims: list[Hashable]) -> bool:
    """True when every dim's method is a stencil (fused stencil kernels apply).

    Examples
    --------
    >>> da = xr.DataArray(np.zeros((8, 8)), dims=("y", "x"))
    >>> from fieldops.options import How, resolve_how
    >>> opts = resolve_how(da, ["y", "x"], How(boundary="periodic",
    ...                    method={"x": "spectral", "y": "savgol"}, window="5 points"))
    >>> fusable(opts, ["y"]), fusable(opts, ["y", "x"])
    (True, False)
    """
    return all(opts.method_of(d).method != "spectral" for d in dims)


def partial_data(
    da: xr.DataArray,
    orders: Mapping[Hashable, int],
    opts: Options,
    *,
    out: np.ndarray | None = None,
):
    """The data of the mixed partial ``orders`` of ``da``, and the units to divide by.

    A mixed partial is the product of 1-D stencils, applied one dim after the
    other: exactly the tensor product, edges and corners included. The data are
    written into ``out`` when it fits (see :func:`fieldops.stencils.dispatch.apply_along`).
    """
    check_numeric(da)
    steps = []
    gaps: list[GapRule | None] = []
    denominators: list[str | None] = []
    for dim, order in orders.items():
        op, coord_units = axis_operator(da, dim, order, opts)
        steps.append((da.get_axis_num(dim), op))
        denominators += [coord_units] * order
        gaps.append(gap_rule(da, dim, order, opts) if opts.omit else None)
    data = da.data
    if opts.mask is not None:
        # Masked cells become gaps (and ints floats); aligned again to ``da`` itself,
        # so that the kernels never see a field that the mask shrank or padded.
        data = da.where(align_mask(da, opts.mask)).data
    data = apply_operators(
        data, steps, fill_value=opts.fill_value, names=list(orders), gaps=gaps, out=out
    )
    return data, denominators


def gap_rule(da: xr.DataArray, dim: Hashable, order: int, opts: Options) -> GapRule:
    """How d^order/d dim^order treats NaN cells under ``nan_policy="omit"``."""
    values, _ = coordinate_values(da, dim, datetime_unit=opts.datetime_unit)
    return GapRule(values, order, opts.accuracy, opts.boundary[dim], opts.period[dim])


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
    >>> from fieldops.options import How, resolve_how
    >>> f = xr.DataArray(np.arange(5.0) ** 2, dims="x")
    >>> opts = resolve_how(f, ["x"], How())
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
                    st, cu = axis_stencil(field, dim, order, opts.for_dim(field, dim))
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
    """:func:`partials` term by term through :func:`~fieldops.grids.partials.partial_data`.

    For what the fused stencil kernel cannot do: spectral derivatives and
    gap-aware (``nan_policy="omit"``) stencils, whose weights depend on the data.
    On numpy each slot that is one derivative is written straight into its place
    in the stacked result: a ``np.stack`` of the slots cost more than computing them.
    """
    import numpy as np

    from fieldops.stencils.apply import float_dtype
    from fieldops.stencils.dispatch import is_dask

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
                data, units = partial_data(cur, {dim: order}, opts.for_dim(cur, dim), out=last)
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
