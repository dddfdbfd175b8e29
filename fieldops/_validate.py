"""Checks of user input shared by every operator: one clear message per mistake."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr


def check_order(order: object) -> int:
    """Derivative order: an int >= 1."""
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"order must be an integer >= 1, got {order!r}")
    return int(order)


# The highest accuracy whose one-sided edge stencils float64 still delivers. Their
# weights grow about 2**accuracy: measured on sin(7x) over 400 points, the edge
# error of d/dx is smallest near accuracy 8 (1e-13), 8e-10 at 20, 3e-4 at 40 and
# 1e2 at 60 (d2/dx2: 2e-7 at 20, 0.4 at 40); the interior loses digits past 32.
MAX_ACCURACY = 20


def check_accuracy(accuracy: object) -> int:
    """Accuracy order: an even int from 2 to :data:`MAX_ACCURACY` (20).

    Examples
    --------
    >>> check_accuracy(4)
    4
    >>> try:
    ...     check_accuracy(60)
    ... except ValueError as err:
    ...     print(str(err).split(", got ")[0])
    accuracy must be an even integer from 2 to 20 (2, 4, 6, ..., 20)
    """
    if (
        isinstance(accuracy, bool)
        or not isinstance(accuracy, (int, np.integer))
        or accuracy < 2
        or accuracy % 2
        or accuracy > MAX_ACCURACY
    ):
        why = (
            ": higher accuracies lose more to float64 rounding at the edges than they gain"
            if isinstance(accuracy, (int, np.integer)) and accuracy > MAX_ACCURACY
            else ""
        )
        raise ValueError(
            f"accuracy must be an even integer from 2 to {MAX_ACCURACY} "
            f"(2, 4, 6, ..., {MAX_ACCURACY}), got {accuracy!r}{why}"
        )
    return int(accuracy)


def check_numeric(da: xr.DataArray) -> None:
    """Raise a TypeError for data that cannot be differentiated."""
    kind = da.dtype.kind
    if kind in "fiub":
        return
    name = f"variable {da.name!r}" if da.name is not None else "the data"
    if kind == "c":
        raise TypeError(
            f"{name} is complex ({da.dtype}); differentiate its .real and .imag separately"
        )
    raise TypeError(
        f"{name} has non-numeric dtype {da.dtype}; only int, bool and float data can be "
        "differentiated"
    )


def check_dim(obj: xr.DataArray | xr.Dataset, dim: Hashable) -> None:
    """Raise a ValueError naming the dims that exist when ``dim`` is not one."""
    if dim not in obj.dims:
        what = f"variable {obj.name!r}" if isinstance(obj, xr.DataArray) else "the Dataset"
        raise ValueError(f"dim {dim!r} not found in {what}; its dims are {list(obj.dims)}")


def check_xarray(obj: object) -> None:
    """Raise a TypeError unless ``obj`` is a DataArray or Dataset (of known sizes)."""
    if not isinstance(obj, (xr.DataArray, xr.Dataset)):
        raise TypeError(
            f"expected an xarray DataArray or Dataset, got {type(obj).__name__}; wrap numpy "
            "data as xr.DataArray(data, dims=...)"
        )
    check_known_sizes(obj)


def check_known_sizes(obj: xr.DataArray | xr.Dataset) -> None:
    """Raise a ValueError for Dask data of unknown chunk sizes (NaN, e.g. after a boolean
    selection): stencils need every block's place along the axis."""
    unknown = [d for d, n in obj.sizes.items() if n != n]
    if unknown:
        raise ValueError(
            f"dim(s) {unknown} have unknown Dask chunk sizes (NaN, as after a boolean "
            "selection); compute them first, e.g. "
            "da.copy(data=da.data.compute_chunk_sizes())"
        )


def check_same_grid(u: xr.DataArray, v: xr.DataArray, dims: list[Hashable]) -> None:
    """Raise a ValueError unless ``u`` and ``v`` share dims and coordinates along ``dims``."""
    for dim in dims:
        for field in (u, v):
            if dim not in field.dims:
                what = f"variable {field.name!r}" if field.name is not None else "a component"
                raise ValueError(
                    f"dim {dim!r} not found in {what}; its dims are {list(field.dims)}"
                )
        if u.sizes[dim] != v.sizes[dim] or (
            dim in u.coords
            and dim in v.coords
            and not np.array_equal(u.coords[dim].values, v.coords[dim].values)
        ):
            raise ValueError(
                f"the two components are on different grids along dim {dim!r}; "
                "interpolate one onto the other first"
            )
    if u.dims != v.dims:
        raise ValueError(f"the two components have different dims: {u.dims} and {v.dims}")


def align_mask(obj: xr.DataArray | xr.Dataset, mask: xr.DataArray) -> xr.DataArray:
    """``mask`` aligned to ``obj`` by label: the one rule of every ``mask=``.

    Along each of the mask's dims, labels equal to the field's are used as they
    are, the same labels in another order (a mask stored north to south) are put
    in the field's order, and anything else is refused with a ValueError naming
    the dim: a mask is never applied by position to cells it does not label, and
    never shrinks or pads the field. A dim without labels on either side is
    matched by position (sizes must agree). The result carries the field's index
    coordinates only, and for Dask data the data's chunks along the shared dims
    (so that applying it never changes the result's chunks).

    Examples
    --------
    >>> da = xr.DataArray(np.zeros(3), dims="lat", coords={"lat": [-10.0, 0.0, 10.0]})
    >>> m = xr.DataArray([True, True, False], dims="lat", coords={"lat": [10.0, 0.0, -10.0]})
    >>> align_mask(da, m).values.tolist()
    [False, True, True]
    """
    extra = [d for d in mask.dims if d not in obj.dims]
    if extra:
        raise ValueError(f"mask has dim(s) {extra} that the data do not have ({list(obj.dims)})")
    take = {}
    for d in mask.dims:
        if mask.sizes[d] != obj.sizes[d]:
            raise ValueError(
                f"mask has {mask.sizes[d]} points along {d!r}, the data {obj.sizes[d]}; "
                f"give it the data's labels along {d!r} (e.g. mask.reindex_like(data))"
            )
        mine, theirs = mask.indexes.get(d), obj.indexes.get(d)
        if mine is None or theirs is None or mine.equals(theirs):
            continue
        where = mine.get_indexer(theirs) if mine.is_unique else None
        if where is None or (where < 0).any():
            raise ValueError(
                f"the mask's labels along {d!r} are not the data's (a mask is aligned by "
                f"label, never by position); give it the data's coordinate, e.g. "
                f"mask.assign_coords({d}=data[{d!r}]) if it is the same grid"
            )
        take[d] = where
    data = mask.variable.isel(take).data if take else mask.data
    chunks = getattr(obj, "chunksizes", None) if isinstance(obj, xr.DataArray) else None
    if chunks and hasattr(data, "rechunk"):  # a numpy mask takes the data's chunks anyway
        data = data.rechunk(tuple(chunks[d] for d in mask.dims))
    coords = {d: obj.coords[d].variable for d in mask.dims if d in obj.indexes}
    return xr.DataArray(data, dims=mask.dims, coords=coords)
