"""What a dim means physically: its coordinate values, spacing and units.

Numeric coordinates are used as they are (uniform or not, ascending or
descending); datetime64, timedelta64 and cftime coordinates become seconds (or
``datetime_unit``); a dim without a coordinate uses unit spacing.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops._validate import check_dim

__all__ = ["check_dim", "coordinate_values", "validate_monotonic"]

_TIME_UNITS = {
    "W": "week",
    "D": "day",
    "h": "hour",
    "m": "minute",
    "s": "s",
    "ms": "ms",
    "us": "us",
    "ns": "ns",
}


def _time_to_float(values: np.ndarray, dim: Hashable, datetime_unit: str) -> np.ndarray:
    if datetime_unit not in _TIME_UNITS:
        raise ValueError(f"unknown datetime_unit {datetime_unit!r}; use one of {list(_TIME_UNITS)}")
    unit = np.timedelta64(1, datetime_unit)
    if values.dtype.kind == "M":
        values = values - values[0]
    if values.dtype.kind == "m":
        if np.isnat(values).any():
            bad = int(np.flatnonzero(np.isnat(values))[0])
            raise ValueError(f"coordinate {dim!r} has NaT at index {bad}; drop or fill it first")
        return values / unit
    # cftime (or datetime.datetime) objects: differences are datetime.timedelta.
    try:
        deltas = [v - values[0] for v in values]
        seconds = np.array([d.total_seconds() for d in deltas], dtype=np.float64)
    except (TypeError, AttributeError) as err:
        raise TypeError(
            f"coordinate {dim!r} has dtype object that is neither numeric nor dates; "
            "give it numeric values or drop it to use unit spacing"
        ) from err
    return seconds / (unit / np.timedelta64(1, "s"))


def coordinate_values(
    obj: xr.DataArray | xr.Dataset, dim: Hashable, *, datetime_unit: str | None = None
) -> tuple[np.ndarray, str | None]:
    """The 1-D coordinate of ``dim`` as validated numbers, and its units.

    Parameters
    ----------
    obj : DataArray or Dataset
        Holder of the dim.
    dim : hashable
        The dim.
    datetime_unit : str, optional
        Unit of time coordinates (``"s"`` by default; ``"h"``, ``"D"``, ...).

    Returns
    -------
    values : numpy.ndarray
        float64 values (float32 coordinates stay float32: their rounding noise
        must not hide a uniform grid).
    units : str or None
        The coordinate's ``units`` attribute, or the time unit.

    Raises
    ------
    ValueError
        Unknown dim, NaN/NaT, or a coordinate not strictly monotonic (the first
        offending index is named).
    TypeError
        Non-numeric coordinate values.

    Examples
    --------
    >>> da = xr.DataArray(np.zeros(3), dims="x", coords={"x": [0.0, 0.5, 1.0]})
    >>> coordinate_values(da, "x")
    (array([0. , 0.5, 1. ]), None)
    """
    check_dim(obj, dim)
    if dim not in obj.coords:
        return np.arange(obj.sizes[dim], dtype=np.float64), None
    coord = obj.coords.variables[dim]  # the Variable: no DataArray built (~10 us)
    if coord.ndim != 1:
        raise ValueError(f"coordinate {dim!r} must be 1-D, it has dims {coord.dims}")
    values = np.asarray(coord.values)
    units = coord.attrs.get("units")
    kind = values.dtype.kind
    if kind in "mMO":
        unit = datetime_unit or "s"
        values = _time_to_float(values, dim, unit)
        units = _TIME_UNITS[unit]
    elif datetime_unit is not None:
        raise ValueError(f"datetime_unit given but coordinate {dim!r} is not a time")
    elif kind == "b" or kind not in "iuf":
        raise TypeError(
            f"coordinate {dim!r} has non-numeric dtype {values.dtype}; give it numeric "
            "values, or drop it to use unit spacing"
        )
    elif kind != "f":
        values = values.astype(np.float64)
    if not _indexed_and_valid(obj, dim):
        validate_monotonic(values, dim)
    if isinstance(units, str) and units.strip() == "":
        units = None
    return values, units


def _indexed_and_valid(obj: xr.DataArray | xr.Dataset, dim: Hashable) -> bool:
    """True when ``dim``'s pandas index is numeric, strictly monotonic and NaN-free.

    pandas caches these on the index object, which xarray shares between an
    object and its copies: repeated calls on the same grid skip the O(n) checks.
    """
    index = obj.indexes.get(dim)
    if index is None or index.dtype.kind not in "iuf":
        return False
    if len(index) == 0 or not (np.isfinite(index[0]) and np.isfinite(index[-1])):
        return False  # an infinity can only sit at an end of a monotonic index
    return bool(
        not index.hasnans
        and index.is_unique
        and (index.is_monotonic_increasing or index.is_monotonic_decreasing)
    )


def validate_monotonic(values: np.ndarray, dim: Hashable) -> None:
    """Raise a ValueError unless ``values`` are finite and strictly monotonic."""
    if values.size == 0:
        return
    nan = ~np.isfinite(values)
    if nan.any():
        bad = int(np.flatnonzero(nan)[0])
        raise ValueError(
            f"coordinate {dim!r} has a non-finite value at index {bad}; drop or fill it first"
        )
    if values.size < 2:
        return
    step = np.diff(values.astype(np.float64))
    sign = np.sign(step[0]) or 1.0
    bad = np.flatnonzero(step * sign <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        what = "repeats" if step[bad[0]] == 0 else "reverses direction"
        raise ValueError(
            f"coordinate {dim!r} is not strictly monotonic: it {what} at index {i} "
            f"(value {values[i]!r} after {values[i - 1]!r}); sort it (e.g. .sortby({dim!r})) "
            "or drop the duplicates"
        )
