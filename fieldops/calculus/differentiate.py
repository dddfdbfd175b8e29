"""Derivatives of xarray objects along one named dim, under resolved options.

:func:`differentiate` is :func:`fieldops.diff` with its options already a
:class:`~fieldops.options.How`, and :func:`map_dataset` applies a per-variable
operator to a Dataset: the layer every operator stands on (the public ``diff``,
with its model-level option, is :mod:`fieldops.calculus.derivative`). Names,
attributes and units go in; the same come out, with the derived ``units`` and a
``long_name`` that says what was done. Inputs are never mutated; Dask input stays
lazy with its chunks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import xarray as xr

from fieldops import _attrs
from fieldops._validate import check_order
from fieldops.grids.partials import partial_data
from fieldops.grids.results import derivative_attrs, like
from fieldops.options import How, Options, resolve_how


def derivative_name(name: Hashable | None, orders: Mapping[Hashable, int]) -> str:
    """``dt_dx``, ``d2t_dx2``, ``d2t_dxdy`` for the partial ``orders`` of ``name``."""
    total = sum(orders.values())
    head = f"d{total if total > 1 else ''}{name if name is not None else ''}"
    tail = "".join(f"d{d}{o if o > 1 else ''}" for d, o in orders.items())
    return f"{head}_{tail}"


def _describe(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "the data")


def _ordinal(order: int) -> str:
    return {1: "", 2: "second ", 3: "third ", 4: "fourth "}.get(order, f"order-{order} ")


def _diff_dataarray(da: xr.DataArray, dim: Hashable, order: int, opts: Options) -> xr.DataArray:
    data, denominators = partial_data(da, {dim: order}, opts)
    long_name = f"{_ordinal(order)}derivative of {_describe(da)} with respect to {dim}"
    spec = opts.method_of(dim)
    if spec.method != "finite_difference":
        long_name += f" ({spec.describe()})"
    return like(
        da,
        data,
        derivative_name(da.name, {dim: order}),
        derivative_attrs(da, long_name, denominators),
    )


def differentiate(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, order: int, how: How
) -> xr.DataArray | xr.Dataset:
    """:func:`diff` with its options as a :class:`~fieldops.options.How`."""
    order = check_order(order)
    opts = resolve_how(obj, [dim], how)
    if isinstance(obj, xr.DataArray):
        return _diff_dataarray(obj, dim, order, opts)
    return map_dataset(obj, [dim], lambda da: _diff_dataarray(da, dim, order, opts))


def map_dataset(
    ds: xr.Dataset, dims: list[Hashable], func, *, drop: tuple[str, ...] = _attrs.DROPPED
) -> xr.Dataset:
    """Apply ``func`` to every data variable that has all ``dims``; keep the others.

    Raises ValueError when a result's name (``dt_dx``, ``grad_t``, ``del2_t``) is
    already a variable of ``ds``, or another result's: nothing is overwritten.
    Each result's attrs follow :mod:`fieldops._attrs` from its own variable's
    (``drop``: the input attrs false of the result).
    """
    targets = [
        k
        for k, v in ds.data_vars.items()
        if all(d in v.dims for d in dims) and v.dtype.kind in "fiub"
    ]
    if not targets:
        raise ValueError(
            f"no numeric data variable of the Dataset has dim(s) {dims}; variables and their dims: "
            + ", ".join(f"{k}{tuple(v.dims)}" for k, v in ds.data_vars.items())
        )
    out: dict[Hashable, xr.DataArray] = {}
    for name, var in ds.data_vars.items():
        if name not in targets:
            out[name] = var
            continue
        res = _attrs.apply(func(var), [var.attrs], drop=drop)
        # A result never silently replaces another variable (its own input it may:
        # diffuse keeps the name), nor another result: refuse, naming the clash (a
        # quietly renamed output would break scripts that look it up by name).
        if (res.name in ds.data_vars and res.name != name) or res.name in out:
            raise ValueError(
                f"the result for variable {name!r} is named {res.name!r}, which the "
                f"Dataset already has; rename that variable first, e.g. "
                f"ds.rename({{{res.name!r}: '{res.name}_in'}}), or pass ds[{name!r}] alone"
            )
        out[res.name] = res
    return xr.Dataset(out, coords=ds.coords, attrs=dict(ds.attrs))
