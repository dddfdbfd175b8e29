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
        must not hide a uniform grid). Integer and time coordinates are given
        relative to their first value, computed exactly (epoch nanoseconds keep
        their resolution): only differences of coordinates enter a derivative.
    units : str or None
        The coordinate's ``units`` attribute, or the time unit.

    Raises
    ------
    ValueError
        Unknown dim, NaN/NaT, or a coordinate not strictly monotonic (the first
        offending index and its values, in the coordinate's own units or dates,
        are named); integers too large for float64 to tell apart.
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
    raw = np.asarray(coord.values)
    if not raw.dtype.isnative:  # big-endian (netCDF): pandas and Numba want native order
        raw = raw.astype(raw.dtype.newbyteorder("="))
    values = raw
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
        values = _integer_offsets(values)
    if not _indexed_and_valid(obj, dim):
        validate_monotonic(values, dim, shown=raw)
    elif kind in "iu" and values.size and np.abs(values).max() >= 2.0**53:
        _check_distinct_floats(values, raw, dim)  # a valid int index, but its floats?
    if isinstance(units, str) and units.strip() == "":
        units = None
    return values, units


def _integer_offsets(values: np.ndarray) -> np.ndarray:
    """Integer coordinates as float64 offsets from the first value, subtracted exactly."""
    if values.size == 0:
        return values.astype(np.float64)
    lo, hi = int(values.min()), int(values.max())
    first = int(values[0])
    if max(abs(lo - first), abs(hi - first)) < 2**63:
        # int64 arithmetic is exact here; float64(1.7e18 ns) alone would be 256 ns coarse.
        return (values.astype(np.int64) - np.int64(first)).astype(np.float64)
    return np.array([float(int(v) - first) for v in values])


def _check_distinct_floats(values: np.ndarray, raw: np.ndarray, dim: Hashable) -> None:
    """Refuse integers that float64 rounds onto one another (no spacing left to divide by)."""
    step = np.diff(values)
    sign = (np.sign(step[0]) or 1.0) if step.size else 1.0
    bad = np.flatnonzero(step * sign <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise ValueError(
            f"coordinate {dim!r} has integers too close for their span: in float64, index {i} "
            f"({_show(raw[i])}) cannot be told from index {i - 1} ({_show(raw[i - 1])}); "
            "give it a coarser unit or a smaller span"
        )


def _show(value: object) -> str:
    """A coordinate value as the user wrote it: a number, a date."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def _indexed_and_valid(obj: xr.DataArray | xr.Dataset, dim: Hashable) -> bool:
    """True when ``dim``'s pandas index is numeric, strictly monotonic and NaN-free.

    pandas caches these on the index object, which xarray shares between an
    object and its copies: repeated calls on the same grid skip the O(n) checks.
    """
    index = obj.indexes.get(dim)
    if index is None or index.dtype.kind not in "iuf" or not index.dtype.isnative:
        return False  # pandas cannot hash a big-endian index: check it ourselves
    if len(index) == 0 or not (np.isfinite(index[0]) and np.isfinite(index[-1])):
        return False  # an infinity can only sit at an end of a monotonic index
    return bool(
        not index.hasnans
        and index.is_unique
        and (index.is_monotonic_increasing or index.is_monotonic_decreasing)
    )


def validate_monotonic(
    values: np.ndarray, dim: Hashable, *, shown: np.ndarray | None = None
) -> None:
    """Raise a ValueError unless ``values`` are finite and strictly monotonic.

    ``shown``: the coordinate as the user gave it (degrees, dates), whose values
    the message quotes; ``values`` by default.

    Examples
    --------
    >>> dates = np.array(["2000-01-01", "2000-01-03", "2000-01-02"], dtype="datetime64[D]")
    >>> try:
    ...     validate_monotonic(np.array([0.0, 2.0, 1.0]), "time", shown=dates)
    ... except ValueError as err:
    ...     print(str(err).split(": ")[1].split(";")[0])
    it reverses direction at index 2 (value 2000-01-02 after 2000-01-03)
    """
    shown = values if shown is None else shown
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
            f"(value {_show(shown[i])} after {_show(shown[i - 1])}); sort it "
            f"(e.g. .sortby({dim!r})) "
            "or drop the duplicates"
        )
