"""The options of one call, validated once: *how* to differentiate and *where*.

:class:`How` holds how to differentiate (accuracy, boundary, period, fill value,
method and its parameters, NaN policy, mask, datetime unit); :func:`resolve_how`
is the one function that validates it, resolved per dim into :class:`Options`.
:class:`Where` holds where the field lives (geometry, radius, poles, the x/y dims
of a plane); :func:`check_where` is the one function that validates it (run when
a :class:`Where` is made). Every public function builds these objects from its
keywords; everything below takes the objects, never loose keywords or dicts.

The choices the command line offers (``POLE_POLICIES``, ``NAN_POLICIES``,
``GEOMETRIES``, ``METHODS``) are read from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from fieldops._validate import align_mask, check_accuracy, check_dim, check_xarray
from fieldops.stencils.boundary import BoundarySpec, resolve_boundary
from fieldops.stencils.spec import (
    FINITE_DIFFERENCE,
    METHODS,
    MethodSpec,
    Scalar,
    per_dim,
    resolve_methods,
)

__all__ = [
    "EARTH_RADIUS",
    "GEOMETRIES",
    "METHODS",
    "NAN_POLICIES",
    "POLE_POLICIES",
    "How",
    "Options",
    "Where",
    "check_where",
    "resolve_how",
]

EARTH_RADIUS = 6_371_008.8
"""Mean Earth radius in metres (IUGG R1), the default ``radius`` of every spherical operator."""
GEOMETRIES = ("auto", "cartesian", "spherical", "curvilinear")
POLE_POLICIES = ("limit", "nan")
NAN_POLICIES = ("propagate", "omit")

PeriodSpec = float | Mapping[Hashable, float] | None
MethodArg = str | Mapping[Hashable, str]
ScaleArg = Scalar | Mapping[Hashable, Scalar] | None

# The How fields that may be dicts per dim (a call along some dims keeps its own).
_PER_DIM = ("boundary", "period", "method", "window", "polyorder", "sigma")


@dataclass(frozen=True, eq=False)
class How:
    """How to differentiate: the keywords of :func:`fieldops.diff`, as given.

    Validated (and resolved per dim) by :func:`resolve_how`.

    Examples
    --------
    >>> How(method={"lon": "spectral", "lat": "savgol"}, window="5 points").restrict(["lon"]).method
    {'lon': 'spectral'}
    """

    accuracy: int = 2
    boundary: BoundarySpec | None = None
    fill_value: float = np.nan
    period: PeriodSpec = None
    datetime_unit: str | None = None
    method: MethodArg = "finite_difference"
    window: ScaleArg = None
    polyorder: int | Mapping[Hashable, int] | None = None
    sigma: ScaleArg = None
    nan_policy: str = "propagate"
    mask: xr.DataArray | None = None

    @property
    def plain(self) -> bool:
        """True for plain finite differences that propagate NaN (the fused fast paths).

        A method parameter (``window``, ``polyorder``, ``sigma``) makes it not plain,
        so that it reaches :func:`resolve_how`, which refuses it without its method,
        as ``diff`` does, instead of it being ignored.
        """
        return (
            isinstance(self.method, str)
            and self.method == "finite_difference"
            and self.nan_policy == "propagate"
            and self.mask is None
            and self.window is None
            and self.polyorder is None
            and self.sigma is None
        )

    def restrict(self, dims: Sequence[Hashable]) -> How:
        """This ``How`` for a call along ``dims`` only: per-dim dicts keep those dims."""
        changes = {}
        for name in _PER_DIM:
            value = getattr(self, name)
            if isinstance(value, Mapping):
                kept = {d: v for d, v in value.items() if d in dims}
                if name in ("boundary", "period"):
                    kept = kept or None
                changes[name] = kept
        return dataclasses.replace(self, **changes) if changes else self

    def grid(self, dims: Sequence[Hashable]) -> How:
        """Plain finite differences along ``dims`` with this accuracy, edges and fill value.

        What a frame differentiates its metric (and fast-path fields) with.
        """
        return How(
            accuracy=self.accuracy,
            boundary=self.restrict(dims).boundary,
            fill_value=self.fill_value,
        )

    @classmethod
    def pick(cls, values: Mapping[str, object]) -> How:
        """The ``How`` of a public function's keywords: ``How.pick(locals())``.

        Keywords the function does not take keep their defaults.

        Examples
        --------
        >>> How.pick({"accuracy": 4, "dims": ["x"]}).accuracy
        4
        """
        return cls(**{f.name: values[f.name] for f in dataclasses.fields(cls) if f.name in values})

    def keywords(self) -> dict[str, object]:
        """The keywords of :func:`fieldops.diff` that make this ``How``."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def replace(self, **changes: object) -> How:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Options:
    """The stencil options of one call, resolved per dim (:func:`resolve_how`)."""

    accuracy: int
    boundary: dict[Hashable, str]
    fill_value: float
    period: dict[Hashable, float | None]
    datetime_unit: str | None
    methods: Mapping[Hashable, MethodSpec] = field(default_factory=dict)
    nan_policy: str = "propagate"
    mask: xr.DataArray | None = None

    @property
    def omit(self) -> bool:
        """True when NaN (or masked) cells are domain boundaries."""
        return self.nan_policy == "omit" or self.mask is not None

    def method_of(self, dim: Hashable) -> MethodSpec:
        """The method of ``dim`` (finite differences unless chosen otherwise).

        Examples
        --------
        >>> Options(2, {"x": "one_sided"}, np.nan, {"x": None}, None).method_of("x").method
        'finite_difference'
        """
        return self.methods.get(dim, FINITE_DIFFERENCE)

    def for_dim(self, obj: xr.DataArray | xr.Dataset, dim: Hashable) -> Options:
        """These options for one dim: ``datetime_unit`` applies to time dims only."""
        if self.datetime_unit is None or is_time(obj, dim):
            return self
        return dataclasses.replace(self, datetime_unit=None)


def is_time(obj: xr.DataArray | xr.Dataset, dim: Hashable) -> bool:
    """True when ``dim`` has a datetime, timedelta or cftime coordinate."""
    return dim in obj.coords and obj.coords[dim].dtype.kind in "mMO"


def resolve_how(
    obj: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable],
    how: How,
    *,
    boundary_defaults: Mapping[Hashable, str] | None = None,
    time_dims_only: bool = False,
) -> Options:
    """Validate ``how`` and resolve it per dim: the one place every option is checked.

    ``boundary_defaults`` are the grid's own defaults for dims the user left out
    (a 360-degree longitude is periodic). ``time_dims_only``: ``datetime_unit``
    is an error when none of ``dims`` has a time coordinate (the vector
    operators; :func:`fieldops.diff` names the coordinate itself).

    Examples
    --------
    >>> da = xr.DataArray(np.zeros(4), dims="x")
    >>> resolve_how(da, ["x"], How(boundary="periodic")).boundary
    {'x': 'periodic'}
    """
    dims = list(dims)
    check_xarray(obj)
    for dim in dims:
        check_dim(obj, dim)
    if (
        time_dims_only
        and how.datetime_unit is not None
        and not any(is_time(obj, d) for d in dims if d in obj.dims)
    ):
        raise ValueError(
            f"datetime_unit given but none of dims {dims} has a time coordinate; drop it"
        )
    accuracy = check_accuracy(how.accuracy)
    modes = resolve_boundary(how.boundary, dims, defaults=boundary_defaults)
    periods = per_dim(how.period, dims, "period")
    for d, p in periods.items():
        if p is not None and not (np.isfinite(p) and p > 0):
            raise ValueError(f"period of dim {d!r} must be a positive number, got {p!r}")
    methods = resolve_methods(
        dims, how.method, window=how.window, polyorder=how.polyorder, sigma=how.sigma
    )
    if accuracy != 2 and all(m.method != "finite_difference" for m in methods.values()):
        raise ValueError(
            f"accuracy={accuracy} applies to method='finite_difference' only; the method "
            f"here is {sorted({m.method for m in methods.values()})}: drop accuracy= "
            "(savgol: window/polyorder, gaussian: sigma set the accuracy)"
        )
    mask = check_nan_policy(obj, how.nan_policy, how.mask, methods)
    try:
        fill = float(how.fill_value)
    except (TypeError, ValueError):
        raise TypeError(f"fill_value must be a number, got {how.fill_value!r}") from None
    return Options(accuracy, modes, fill, periods, how.datetime_unit, methods, how.nan_policy, mask)


def nan_as_zero(da: xr.DataArray, omit: bool) -> xr.DataArray:
    """``da`` with NaN counted as zero when ``omit`` (an integral's ``nan_policy="omit"``).

    Only floating fields hold NaN; others come back as they are (not promoted).

    Examples
    --------
    >>> nan_as_zero(xr.DataArray([1.0, np.nan]), True).values.tolist()
    [1.0, 0.0]
    """
    return da.fillna(0.0) if omit and np.issubdtype(da.dtype, np.floating) else da


def check_nan_policy(
    obj: xr.DataArray | xr.Dataset,
    nan_policy: str,
    mask: xr.DataArray | None,
    methods: Mapping[Hashable, MethodSpec],
) -> xr.DataArray | None:
    """Validate ``nan_policy`` and ``mask``; return the mask aligned to ``obj``.

    ``nan_policy="propagate"`` (default): a NaN spoils the outputs whose stencil
    touches it. ``"omit"`` (scipy's word): NaN cells are domain boundaries; a
    valid point next to one gets a one-sided stencil from the valid side (of
    lower accuracy where the valid run is short), a point with no valid stencil
    (a run shorter than ``order + 1`` points) is NaN, and NaN cells stay NaN.
    ``mask``: a boolean DataArray, True where valid, on some or all of the
    field's dims; masked cells are treated as NaN under ``"omit"`` (given a
    mask, ``"omit"`` is implied). The mask is aligned by label, never by position
    (:func:`~fieldops._validate.align_mask`).
    """
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"unknown nan_policy {nan_policy!r}; use 'propagate' or 'omit'")
    if mask is not None:
        if not isinstance(mask, xr.DataArray) or mask.dtype != bool:
            raise TypeError(
                "mask must be a boolean xarray.DataArray, True where the data are valid; "
                f"got {type(mask).__name__}"
                + (f" of dtype {mask.dtype}" if hasattr(mask, "dtype") else "")
            )
        mask = align_mask(obj, mask)
    if nan_policy == "omit" or mask is not None:
        other = sorted({m.method for m in methods.values()} - {"finite_difference"})
        if other:
            raise ValueError(
                f"nan_policy='omit' and mask= work with method='finite_difference' only, "
                f"not {other}"
            )
    return mask


def frame_options(
    ref: xr.DataArray,
    dims: Sequence[Hashable],
    how: How,
    *,
    boundary_defaults: Mapping[Hashable, str] | None = None,
    period: PeriodSpec = None,
) -> tuple[Options, xr.DataArray | None]:
    """The options of a frame's field derivatives under ``how``, and the mask to apply.

    The mask is aligned to ``ref`` by label (:func:`~fieldops._validate.align_mask`:
    reordered to ``ref``'s labels, or refused), then comes back bare (dims only)
    and out of the options, with ``nan_policy="omit"`` in its place: the frames
    put NaN where it is False themselves, on fields whose coordinates are their
    own (radians, an index) and line up with ``ref``'s cell by cell.
    """
    how = how.restrict(dims).replace(period=period, datetime_unit=None)
    opts = resolve_how(ref, dims, how, boundary_defaults=boundary_defaults)
    if opts.mask is None:
        return opts, None
    mask = xr.DataArray(opts.mask.data, dims=opts.mask.dims)
    return dataclasses.replace(opts, mask=None, nan_policy="omit"), mask


@dataclass(frozen=True, eq=False)
class Where:
    """Where the field lives: its geometry and what that geometry needs.

    Validated when made (:func:`check_where`), so a bad value fails with the
    same message from every function.

    Parameters
    ----------
    geometry : {"auto", "cartesian", "spherical", "curvilinear"}
        The grid; ``"auto"`` detects it (CF attributes, then names).
    radius : float
        Sphere radius in metres.
    poles : {"limit", "nan"}
        Pole policy on a grid with pole rows.
    x_dim, y_dim : hashable, optional
        The x/y dims of a plane (found from attributes and names by default).
    vertical : {"height", "pressure", "auto"} or DataArray, optional
        Differentiate at constant height or pressure on model levels (see
        :mod:`fieldops.vertical.correction`); ``level_dim`` names the level dim.

    Examples
    --------
    >>> Where(poles="nan").poles
    'nan'
    """

    geometry: str = "auto"
    radius: float = EARTH_RADIUS
    poles: str = "limit"
    x_dim: Hashable | None = None
    y_dim: Hashable | None = None
    # model levels (issue 16): derivatives at constant height or pressure
    vertical: str | xr.DataArray | None = None
    level_dim: Hashable | None = None

    def __post_init__(self) -> None:
        check_where(self)

    @classmethod
    def pick(cls, values: Mapping[str, object]) -> Where:
        """The ``Where`` of a public function's keywords: ``Where.pick(locals())``."""
        return cls(**{f.name: values[f.name] for f in dataclasses.fields(cls) if f.name in values})


def option_keywords(values: Mapping[str, object]) -> dict[str, object]:
    """The options among a public function's ``locals()``, to forward to another one.

    Examples
    --------
    >>> option_keywords({"u": 1, "accuracy": 4, "poles": "nan"})
    {'accuracy': 4, 'poles': 'nan'}
    """
    names = {f.name for f in dataclasses.fields(How)} | {f.name for f in dataclasses.fields(Where)}
    return {k: v for k, v in values.items() if k in names}


def check_where(where: Where) -> None:
    """Validate a :class:`Where`: the one place geometry, radius and poles are checked."""
    if where.geometry not in GEOMETRIES:
        raise ValueError(f"unknown geometry {where.geometry!r}; use one of {GEOMETRIES}")
    try:
        ok = bool(np.isfinite(where.radius) and where.radius > 0)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"radius must be a positive number of metres, got {where.radius!r}")
    if where.poles not in POLE_POLICIES:
        raise ValueError(f"unknown poles policy {where.poles!r}; use one of {POLE_POLICIES}")
    # model levels (issue 16)
    if not (where.vertical is None or isinstance(where.vertical, xr.DataArray)) and (
        not isinstance(where.vertical, str) or where.vertical not in ("height", "pressure", "auto")
    ):
        raise ValueError(
            "vertical must be 'height', 'pressure', 'auto' (from the file's CF formula_terms) "
            f"or a DataArray of the height or pressure of every point; got {where.vertical!r}"
        )
    if where.level_dim is not None and where.vertical is None:
        raise ValueError("level_dim= names the level dim of vertical=; pass vertical= too")
