"""The vertical coordinate of one call: ``vertical=`` resolved once, and its level dim.

``vertical`` is ``"height"``, ``"pressure"`` (built from the field's CF
``formula_terms``, :func:`~fieldops.vertical.formula_terms.vertical_coordinate`),
``"auto"`` (whichever the file defines) or a DataArray (the height or pressure
of every grid point: WRF's ``(PH + PHB) / g``, ROMS's ``z_rho``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops.options import Where
from fieldops.vertical.formula_terms import FORMULAS, find_level_coordinate, vertical_coordinate

KINDS = ("height", "pressure", "auto")
_LEVEL_NAMES = (
    "lev",
    "level",
    "levels",
    "ilev",
    "s_rho",
    "s_w",
    "bottom_top",
    "bottom_top_stag",
    "model_level_number",
    "hybrid",
    "sigma",
    "k",
    "nz",
    "z",
    "depth",
)


def check_vertical(vertical: object, level_dim: object = None) -> None:
    """Validate ``vertical=`` and ``level_dim=`` (by :func:`~fieldops.options.check_where`)."""
    Where(vertical=vertical, level_dim=level_dim)


def kind_of(z: xr.DataArray) -> str | None:
    """``"pressure"`` or ``"height"`` from ``z``'s attrs (None when it does not say)."""
    from fieldops import units as _units

    if _units.factor(z.attrs.get("units"), "Pa") is not None:
        return "pressure"
    if _units.factor(z.attrs.get("units"), "m") is not None:
        return "height"
    return None


def resolve_vertical(
    obj: xr.DataArray | xr.Dataset,
    vertical: str | xr.DataArray,
    *,
    level_dim: Hashable | None = None,
    exclude: Sequence[Hashable] = (),
) -> tuple[xr.DataArray, Hashable]:
    """The vertical coordinate on ``obj``'s grid and the level dim.

    ``exclude``: dims that cannot be the level dim (the differentiated ones).
    The level dim is ``level_dim`` when given; else the one dim of the
    coordinate, outside ``exclude`` and time, that is the CF coordinate's dim
    (``formula_terms``), has ``axis: Z``/``positive``, or a level-like name.

    Examples
    --------
    >>> z = xr.DataArray(np.arange(6.0).reshape(2, 3), dims=("lev", "x"), attrs={"units": "m"})
    >>> f = xr.DataArray(np.zeros((2, 3)), dims=("lev", "x"))
    >>> resolve_vertical(f, z, exclude=["x"])[1]
    'lev'
    """
    check_vertical(vertical, level_dim)
    if isinstance(vertical, str):
        z = vertical_coordinate(obj, obj if isinstance(obj, xr.DataArray) else None)
        got = kind_of(z)
        if vertical != "auto" and got != vertical:
            raise ValueError(
                f"vertical={vertical!r}, but the file's vertical coordinate gives {got} "
                f"({z.attrs.get('long_name')}); use vertical={got!r}, or pass the {vertical} "
                "of every point as a DataArray"
            )
        level = find_level_coordinate(obj, obj if isinstance(obj, xr.DataArray) else None)
        if level_dim is None and level is not None:
            level_dim = level.dims[0]
    else:
        z = vertical
        if z.dtype.kind not in "fiu":
            raise TypeError(f"vertical must be numeric, got dtype {z.dtype}")
    extra = [d for d in z.dims if d not in obj.dims]
    if extra:
        raise ValueError(
            f"the vertical coordinate {z.name!r} has dim(s) {extra} that the field does not "
            f"have (its dims are {list(obj.dims)}): is it on another grid (staggered levels, "
            "another mesh)? Interpolate it onto the field's grid first"
        )
    for d in z.dims:
        if z.sizes[d] != obj.sizes[d]:
            raise ValueError(
                f"the vertical coordinate {z.name!r} has {z.sizes[d]} points along {d!r}, the "
                f"field {obj.sizes[d]}: a surface or level field on a different grid; "
                "interpolate it onto the field's grid first"
            )
        if d in z.indexes and d in obj.indexes and not z.indexes[d].equals(obj.indexes[d]):
            raise ValueError(
                f"the vertical coordinate {z.name!r} and the field have different {d!r} "
                "coordinates: a field on a different grid; align them first"
            )
    level_dim = _level_dim(obj, z, level_dim, exclude)
    return z, level_dim


def _level_dim(obj, z: xr.DataArray, level_dim, exclude) -> Hashable:
    if level_dim is not None:
        if level_dim not in z.dims:
            raise ValueError(
                f"level_dim {level_dim!r} is not a dim of the vertical coordinate (its dims are "
                f"{list(z.dims)})"
            )
        if level_dim in exclude:
            raise ValueError(
                f"level_dim {level_dim!r} is also among the differentiated dims {list(exclude)}; "
                "for d/dz along it use fieldops.diff(f, level_dim, vertical=...)"
            )
        return level_dim
    candidates = [
        d
        for d in z.dims
        if d not in exclude and not (d in obj.coords and obj.coords[d].dtype.kind in "mMO")
    ]
    if len(candidates) == 1:
        return candidates[0]

    def marked(d) -> bool:
        attrs = obj.coords[d].attrs if d in obj.coords else {}
        return (
            attrs.get("axis") == "Z"
            or "positive" in attrs
            or attrs.get("standard_name") in FORMULAS
            or "formula_terms" in attrs
        )

    for test in (marked, lambda d: str(d).lower() in _LEVEL_NAMES):
        found = [d for d in candidates if test(d)]
        if len(found) == 1:
            return found[0]
    raise ValueError(
        f"cannot tell the level dim of the vertical coordinate among {candidates}: pass "
        "level_dim= (the dim along which the model levels are stacked)"
    )


def check_monotonic(z: xr.DataArray, level_dim: Hashable) -> None:
    """Refuse a coordinate that is not strictly monotonic along ``level_dim`` in some column.

    Checked on numpy data only (a Dask coordinate is not computed here).
    """
    if not isinstance(z.data, np.ndarray) or z.sizes[level_dim] < 2:
        return
    dz = np.diff(z.values, axis=z.get_axis_num(level_dim))
    if (dz > 0).all() or (dz < 0).all():
        return  # the usual case, in two passes
    with np.errstate(invalid="ignore"):
        up, down = dz > 0, dz < 0
    finite = np.isfinite(dz)
    # The direction most of the column goes; the first step against it is the culprit.
    bad = finite & ~(up if up.sum() >= down.sum() else down)
    if bad.any():
        where = np.argwhere(bad)[0]
        at = {d: int(i) for d, i in zip(z.dims, where)}
        raise ValueError(
            f"the vertical coordinate {z.name!r} is not strictly monotonic along {level_dim!r}: "
            f"first at {at} (between that level and the next); a derivative at constant "
            "height or pressure needs levels that do not cross"
        )
