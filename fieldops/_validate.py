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


def check_accuracy(accuracy: object) -> int:
    """Accuracy order: an even int >= 2."""
    if (
        isinstance(accuracy, bool)
        or not isinstance(accuracy, (int, np.integer))
        or accuracy < 2
        or accuracy % 2
    ):
        raise ValueError(
            f"accuracy must be an even integer >= 2 (2, 4, 6, 8, ...), got {accuracy!r}"
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
    """Raise a TypeError unless ``obj`` is a DataArray or Dataset."""
    if not isinstance(obj, (xr.DataArray, xr.Dataset)):
        raise TypeError(
            f"expected an xarray DataArray or Dataset, got {type(obj).__name__}; wrap numpy "
            "data as xr.DataArray(data, dims=...)"
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
