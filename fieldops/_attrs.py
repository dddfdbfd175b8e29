"""The one attribute policy of every public operator (no public API).

What a result's ``attrs`` hold, whatever the operator and the grid:

- **Written by the operator**, always (``keep_attrs`` or not): ``long_name`` (what
  was done), ``units`` (derived from the input's and the coordinates'; absent when
  any cannot be read safely), a CF ``standard_name`` where the result has one of its
  own (``atmosphere_relative_vorticity``), and what describes the result itself
  (``flag_values``/``flag_meanings`` of codes, ``component_directions`` of a vector
  on a physical grid, ``history`` of a smoothing).
- **Kept from the input**, unless ``xr.set_options(keep_attrs=False)``: every other
  attribute (``grid_mapping``, ``cell_methods``, ``coordinates``, ``comment``,
  ``source``, ...), except those false of a derivative (:data:`DROPPED`: the
  input's ``standard_name``, ``valid_range``, packing, flags). A smoothing
  (``diffuse``) is the same quantity and keeps them all.

``keep_attrs=False`` follows xarray's arithmetic, which then drops the inputs'
attrs; the operator's own description of its result stays, the way pint-xarray's
units stay on ``a * b`` under ``keep_attrs=False``. ``"default"`` and ``True`` keep,
as xarray's arithmetic now does by default.

The input's attrs are those shared (same value) by every field argument: the
first argument and ``u``, ``v``, ``scalar`` of the kinematics; the component
variables of a Dataset vector field given with ``components=``. A Dataset
differentiated variable by variable gets each variable's own
(:func:`fieldops.calculus.differentiate.map_dataset`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable, Mapping

import numpy as np
import xarray as xr

# Attributes that describe the input quantity itself and would be false of its
# derivative (CF: a standard_name names one physical quantity).
DROPPED = (
    "units",
    "long_name",
    "standard_name",
    "valid_min",
    "valid_max",
    "valid_range",
    "actual_range",
    "number_of_significant_digits",  # a precision of the input, not of its derivative
    "flag_values",
    "flag_masks",
    "flag_meanings",
    "ancillary_variables",  # the input's uncertainty or status variables
    "missing_value",  # on-disk packing of the input
    "_FillValue",
    "scale_factor",
    "add_offset",
)
# Always the operator's own: a copy of the input's value is still a statement
# about the result (the units of a norm are the vector's).
_OWN = ("long_name", "units")
# Parameters that hold the fields an operator works on (besides the first).
_FIELDS = ("u", "v", "scalar")


def keep_attrs() -> bool:
    """False only under ``xr.set_options(keep_attrs=False)``.

    Examples
    --------
    >>> keep_attrs()
    True
    >>> with xr.set_options(keep_attrs=False):
    ...     keep_attrs()
    False
    """
    return xr.get_options()["keep_attrs"] is not False


def _same(a: object, b: object) -> bool:
    if a is b:
        return True
    try:
        return bool(np.array_equal(a, b)) if isinstance(a, np.ndarray) else bool(a == b)
    except (TypeError, ValueError):
        return False


def common(attrs: list[Mapping[Hashable, object]]) -> dict[Hashable, object]:
    """The attributes every mapping of ``attrs`` has with the same value.

    Examples
    --------
    >>> common([{"grid_mapping": "crs", "units": "m s-1"}, {"grid_mapping": "crs"}])
    {'grid_mapping': 'crs'}
    """
    if not attrs:
        return {}
    first, *rest = attrs
    return {k: v for k, v in first.items() if all(k in o and _same(v, o[k]) for o in rest)}


def apply(
    result: xr.DataArray,
    sources: list[Mapping[Hashable, object]],
    *,
    drop: tuple[str, ...] = DROPPED,
) -> xr.DataArray:
    """``result`` with its attrs set by the policy, given the attrs of the input fields.

    What the operator wrote (``long_name``, ``units``, and any attribute that is
    not a copy of an input's) stays; the attributes all inputs share are kept
    less ``drop`` (none under ``keep_attrs=False``). The result is not copied
    when nothing changes.

    Examples
    --------
    >>> src = {"units": "K", "standard_name": "air_temperature", "grid_mapping": "crs"}
    >>> res = xr.DataArray([0.0], dims="x", attrs={"units": "K m-1", "long_name": "d"})
    >>> apply(res, [src]).attrs
    {'grid_mapping': 'crs', 'units': 'K m-1', 'long_name': 'd'}
    """
    own = {
        k: v
        for k, v in result.attrs.items()
        if k in _OWN or not any(k in a and _same(v, a[k]) for a in sources)
    }
    shared = common(sources) if keep_attrs() else {}
    kept = {k: v for k, v in shared.items() if k not in drop and k not in own}
    attrs = {**kept, **own}
    if list(attrs) == list(result.attrs) and all(attrs[k] is result.attrs[k] for k in attrs):
        return result
    out = result.copy(deep=False)
    out.attrs = attrs
    return out


@functools.lru_cache(maxsize=128)
def _params(func: Callable) -> tuple[str, ...]:
    # Cached: inspect.signature and bind cost ~20 us, as much as a small derivative.
    return tuple(inspect.signature(func).parameters)


def _sources(func: Callable, args: tuple, kwargs: dict) -> list[Mapping] | None:
    """The attrs of a call's input fields, or None when the result was made per variable."""
    params = _params(func)
    values = {**dict(zip(params, args)), **kwargs}
    names = [params[0], *(p for p in _FIELDS if p in params[1:])]
    fields = [values[n] for n in names if n in values]
    attrs: list[Mapping] = []
    for obj in fields:
        if isinstance(obj, xr.Dataset):
            components = values.get("components")
            if not isinstance(components, Mapping):
                return None  # differentiated per variable: map_dataset applied it
            attrs += [obj[v].attrs for v in components.values() if v in obj.data_vars]
        elif isinstance(obj, xr.DataArray):
            attrs.append(obj.attrs)
    return attrs


def finish(
    func: Callable, args: tuple, kwargs: dict, result: object, *, drop: tuple[str, ...] = DROPPED
) -> object:
    """Apply the policy to the result of the public ``func(*args, **kwargs)``."""
    if not isinstance(result, (xr.DataArray, xr.Dataset)):
        return result
    sources = _sources(func, args, kwargs)
    if sources is None:
        return result
    if isinstance(result, xr.DataArray):
        return apply(result, sources, drop=drop)
    out = result.copy(deep=False)
    for name, var in result.data_vars.items():
        out[name] = apply(var, sources, drop=drop)
    return out


def same_quantity(func: Callable) -> Callable:
    """Mark ``func`` as giving the same quantity as its input (a smoothing): it keeps
    every attribute of the input, ``standard_name`` and ``valid_range`` included."""
    func._fieldops_drop = ()  # type: ignore[attr-defined]  # read by units.quantified
    return func
