"""What is built on the vector-calculus operators.

Directional derivatives, magnitudes, Jacobian determinants, and strain and rotation
rates (critical points are in :mod:`fieldops.calculus.critical`, Laplacian diffusion in
:mod:`fieldops.calculus.diffusion`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_xarray
from fieldops.calculus import physical
from fieldops.calculus.fields import (
    COMPONENT,
    WRT,
    SlotSpec,
    as_vector,
    check_terms,
    describe,
    partials,
    scalar_dims,
    vector_call,
    vector_result,
)
from fieldops.calculus.scalar import grad
from fieldops.calculus.vector import jacobian
from fieldops.grids.frame import frame_for, locate
from fieldops.grids.partials import axis_stencil
from fieldops.grids.results import derivative_attrs
from fieldops.options import (
    EARTH_RADIUS,
    How,
    MethodArg,
    PeriodSpec,
    ScaleArg,
    Where,
    option_keywords,
)
from fieldops.stencils.boundary import BoundarySpec
from fieldops.stencils.fused import Copy
from fieldops.units import quantified


@quantified
def directional(
    f: xr.DataArray | xr.Dataset,
    direction: Mapping[Hashable, float] | Sequence[float] | xr.DataArray,
    dims: Hashable | Sequence[Hashable] | None = None,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
) -> xr.DataArray | xr.Dataset:
    """Directional derivative ``grad(f) . u`` along the unit vector ``u`` of ``direction``.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    direction : mapping, sequence or DataArray
        A constant vector, ``{dim: value}`` or numbers in the order of ``dims``, or a
        vector field (DataArray with a ``component`` dim, broadcast against ``f``).
        Normalised to unit length (a zero vector gives NaN).
    dims : hashable or sequence of hashable, optional
        Dims of the direction; the mapping's keys or the ``component`` labels by
        default.
        Their coordinates must share units (``grad(f) . u`` adds terms along them).
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
    method, window, polyorder, sigma, nan_policy, mask : optional
        How to differentiate and whether NaN (or masked) cells are domain
        boundaries, as in :func:`fieldops.grad`.
    geometry, radius, poles : optional
        Grid geometry, as in :func:`fieldops.grad`: on a sphere or curvilinear
        grid (``dims`` holding both horizontal dims) the horizontal derivatives are
        physical (eastward/northward per metre, metric terms, pole policy).

    Returns
    -------
    DataArray or Dataset
        ``f``'s dims; named ``ddir_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> f = x + 2 * x.rename(x="y")
    >>> float(directional(f, {"x": 3.0, "y": 4.0}).sel(x=2, y=2))
    2.2
    """
    check_xarray(f)
    if isinstance(direction, xr.DataArray):
        if COMPONENT not in direction.dims or COMPONENT not in direction.coords:
            raise ValueError(
                f"direction must have a labelled {COMPONENT!r} dim, it has dims "
                f"{list(direction.dims)}"
            )
        labels = direction[COMPONENT].values.tolist()
        vec = direction
    elif isinstance(direction, Mapping):
        labels = list(direction)
        vec = xr.DataArray(
            np.asarray(list(direction.values()), dtype=float),
            dims=COMPONENT,
            coords={COMPONENT: labels},
        )
    else:
        values = np.asarray(direction, dtype=float)
        if dims is None:
            raise ValueError(
                "a direction given as numbers needs dims= to say which dims they point along"
            )
        labels = scalar_dims(f, dims)
        if values.shape != (len(labels),):
            raise ValueError(
                f"direction has {values.size} numbers but dims {labels} name {len(labels)}"
            )
        vec = xr.DataArray(values, dims=COMPONENT, coords={COMPONENT: labels})
    dims = labels if dims is None else scalar_dims(f, dims)
    if sorted(map(str, dims)) != sorted(map(str, labels)) or len(dims) != len(labels):
        raise ValueError(f"direction has components {labels} but dims are {dims}; make them match")
    vec = vec.sel({COMPONENT: dims})
    geo = locate(f, dims, Where.pick(locals()))
    horizontal = None if geo is None else (geo.y_dim, geo.x_dim)
    check_terms(f, dims, horizontal, "directional", datetime_unit)  # grad . u adds
    unit = vec / np.sqrt((vec**2).sum(COMPONENT, skipna=False))
    g = grad(f, dims, **option_keywords(locals()))

    def dot(gv: xr.DataArray) -> xr.DataArray:
        u = unit.drop_vars(COMPONENT).astype(gv.dtype)  # float32 stays float32
        out = (gv * u).sum(COMPONENT, skipna=False)  # NaN stays NaN
        out = out.transpose(*gv.dims[1:], ...)
        out.name = "ddir_" + gv.name.removeprefix("grad_")
        out.attrs = dict(gv.attrs)
        out.attrs["long_name"] = gv.attrs["long_name"].replace("gradient", "directional derivative")
        return out

    if isinstance(g, xr.DataArray):
        return dot(g)
    return xr.Dataset(
        {
            (dot(v).name if COMPONENT in v.dims else k): (dot(v) if COMPONENT in v.dims else v)
            for k, v in g.data_vars.items()
        },
        attrs=dict(g.attrs),
    )


def _det(a: np.ndarray) -> np.ndarray:
    """numpy.linalg.det, quiet about NaN (points a fill boundary leaves undefined)."""
    with np.errstate(invalid="ignore"):
        return np.linalg.det(a)


@quantified
def jacobian_determinant(
    F: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable] | None = None,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
) -> xr.DataArray:
    """Determinant of the square Jacobian over ``dims`` (components along the same dims).

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : sequence of hashable, optional
        Dims (each a component label); the component labels by default.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
    method, window, polyorder, sigma, nan_policy, mask : optional
        How to differentiate and whether NaN (or masked) cells are domain
        boundaries, as in :func:`fieldops.grad`.
    geometry, radius, poles : optional
        Grid geometry, as in :func:`fieldops.grad`: on a sphere or curvilinear
        grid (``dims`` holding both horizontal dims) the horizontal derivatives are
        physical (eastward/northward per metre, metric terms, pole policy).

    Returns
    -------
    DataArray
        The spatial dims; named ``det_jac_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> F = xr.concat([2 * x + 0 * y, 3 * y + 0 * x], dim="component")
    >>> float(jacobian_determinant(F.assign_coords(component=["x", "y"])).max())
    6.0
    """
    how, where = How.pick(locals()), Where.pick(locals())
    vec, dims, opts, labels = vector_call(F, components, dims, how, square=True)
    vec = vec.sel({COMPONENT: dims})
    J = jacobian(vec, dims, **how.keywords(), geometry=geometry, radius=radius, poles=poles)
    grid = locate(vec, dims, where)
    n = len(dims)
    stacked = J.transpose(*J.dims[2:], COMPONENT, WRT)
    if n == 1:
        det = stacked[..., 0, 0]
    elif n == 2:
        det = stacked[..., 0, 0] * stacked[..., 1, 1] - stacked[..., 0, 1] * stacked[..., 1, 0]
    elif n == 3:
        m = [[stacked[..., i, j] for j in range(3)] for i in range(3)]
        det = (
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        )
    else:
        det = xr.apply_ufunc(
            _det,
            stacked,
            input_core_dims=[[COMPONENT, WRT]],
            dask="parallelized",
            output_dtypes=[J.dtype],
        )
    det = det.drop_vars([COMPONENT, WRT], errors="ignore").transpose(*J.dims[2:])
    cu = [
        "m"
        if grid is not None and d in (grid.y_dim, grid.x_dim)
        else axis_stencil(vec, d, 1, opts.for_dim(vec, d))[1]
        for d in dims
    ]
    det.attrs = derivative_attrs(vec, f"Jacobian determinant of {describe(vec)}", [None])
    units = _units.power(vec.attrs.get("units"), n, cu)
    if units is not None:
        det.attrs["units"] = units
    det.name = f"det_jac_{vec.name}" if vec.name is not None else "det_jac"
    return det


@quantified
def norm(
    F: xr.DataArray | xr.Dataset,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
) -> xr.DataArray:
    """Magnitude ``sqrt(sum of squared components)`` of a vector field.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.

    Returns
    -------
    DataArray
        The spatial dims, ``F``'s units; named ``norm_<name>``.

    Examples
    --------
    >>> F = xr.DataArray([3.0, 4.0], dims="component", coords={"component": ["x", "y"]})
    >>> float(norm(F))
    5.0
    """
    vec = as_vector(F, components)
    out = np.sqrt((vec**2).sum(COMPONENT, skipna=False))
    out = out.drop_vars([k for k in out.coords if COMPONENT in vec[k].dims], errors="ignore")
    attrs = {k: v for k, v in vec.attrs.items() if k not in ("long_name", "standard_name")}
    attrs["long_name"] = f"magnitude of {describe(vec)}"
    out.attrs = attrs
    out.name = f"norm_{vec.name}" if vec.name is not None else "norm"
    return out


def _rate(
    F, dims, components, sign: float, name: str, long_name: str, how: How, where: Where
) -> xr.DataArray:
    vec, dims, opts, labels = vector_call(F, components, dims, how, square=True)
    frame = frame_for(vec, dims, where, how)
    check_terms(vec, dims, None if frame is None else frame.dims, long_name, how.datetime_unit)
    if frame is not None:
        J = physical.jacobian(vec.sel({COMPONENT: dims}), dims, frame, how)
        transposed = J.data.swapaxes(0, 1)
        data = (J.data + transposed if sign > 0 else J.data - transposed) * J.dtype.type(0.5)
        out = J.copy(data=data)
        out.attrs["long_name"] = J.attrs["long_name"].replace("Jacobian", long_name, 1)
        return out.rename(f"{name}_{vec.name}" if vec.name is not None else name)
    n = len(dims)
    c = [labels.index(d) for d in dims]
    slots: list[SlotSpec] = []
    for i in range(n):
        for j in range(n):
            if i == j:
                slots.append([(c[i], 1.0, {dims[i]: 1})] if sign > 0 else [])
            elif i > j:
                slots.append(Copy(j * n + i, sign))
            else:
                slots.append([(c[i], 0.5, {dims[j]: 1}), (c[j], 0.5 * sign, {dims[i]: 1})])
    data, cu = partials(vec, slots, opts, slot_shape=(n, n))
    extra = ((COMPONENT, dims), (WRT, dims))
    return vector_result(vec, data, extra, name, long_name, [[cu[d]] for d in dims])


@quantified
def strain_rate(
    F: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable] | None = None,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
) -> xr.DataArray:
    """Strain-rate tensor: the symmetric part ``(J + J^T) / 2`` of the Jacobian, one pass.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : sequence of hashable, optional
        Dims (each a component label); the component labels by default.
        Their coordinates must share units (horizontal dims of a sphere or
        curvilinear grid count as metres): the tensor adds terms along them.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
    method, window, polyorder, sigma, nan_policy, mask : optional
        How to differentiate and whether NaN (or masked) cells are domain
        boundaries, as in :func:`fieldops.grad`.
    geometry, radius, poles : optional
        Grid geometry, as in :func:`fieldops.grad`: on a sphere or curvilinear
        grid (``dims`` holding both horizontal dims) the horizontal derivatives are
        physical (eastward/northward per metre, metric terms, pole policy).

    Returns
    -------
    DataArray
        Dims ``(component, wrt, *spatial)``, symmetric; named ``strain_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> F = xr.concat([y + 0 * x, 0 * (x + y)], dim="component")  # simple shear
    >>> S = strain_rate(F.assign_coords(component=["x", "y"]))
    >>> S.sel(x=2, y=2).values.tolist()
    [[0.0, 0.5], [0.5, 0.0]]
    """
    how, where = How.pick(locals()), Where.pick(locals())
    return _rate(F, dims, components, 1.0, "strain", "strain rate", how, where)


@quantified
def rotation_rate(
    F: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable] | None = None,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
) -> xr.DataArray:
    """Rotation-rate tensor: the antisymmetric part ``(J - J^T) / 2`` of the Jacobian.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : sequence of hashable, optional
        Dims (each a component label); the component labels by default.
        Their coordinates must share units (horizontal dims of a sphere or
        curvilinear grid count as metres): the tensor adds terms along them.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
    method, window, polyorder, sigma, nan_policy, mask : optional
        How to differentiate and whether NaN (or masked) cells are domain
        boundaries, as in :func:`fieldops.grad`.
    geometry, radius, poles : optional
        Grid geometry, as in :func:`fieldops.grad`: on a sphere or curvilinear
        grid (``dims`` holding both horizontal dims) the horizontal derivatives are
        physical (eastward/northward per metre, metric terms, pole policy).

    Returns
    -------
    DataArray
        Dims ``(component, wrt, *spatial)``, antisymmetric with a zero diagonal;
        named ``rotation_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> F = xr.concat([y + 0 * x, 0 * (x + y)], dim="component")  # simple shear
    >>> R = rotation_rate(F.assign_coords(component=["x", "y"]))
    >>> R.sel(x=2, y=2).values.tolist()
    [[0.0, 0.5], [-0.5, 0.0]]
    """
    how, where = How.pick(locals()), Where.pick(locals())
    return _rate(F, dims, components, -1.0, "rotation", "rotation rate", how, where)
