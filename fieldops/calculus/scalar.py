"""Vector calculus of scalar fields: grad, Laplacian, Hessian (div, curl and the
Jacobian of vector fields are in :mod:`fieldops.calculus.vector`).

A vector field is a DataArray with a dim ``component`` whose labels are the dims the
components point along, or a Dataset plus a mapping ``{dim: variable}``. Every
operator is one fused pass (:mod:`fieldops.stencils.fused`): one ``map_blocks``
layer on Dask, whatever the number of outputs. The bodies are cartesian; every
derivative goes through :func:`fieldops.calculus.fields.partials`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops._validate import check_numeric
from fieldops.calculus import physical
from fieldops.calculus.differentiate import map_dataset
from fieldops.calculus.fields import (
    COMPONENT,
    WRT,
    describe,
    entry_attrs,
    hessian_slots,
    partials,
    scalar_dims,
)
from fieldops.options import (
    EARTH_RADIUS,
    How,
    MethodArg,
    Options,
    PeriodSpec,
    ScaleArg,
    Where,
)
from fieldops.stencils.boundary import BoundarySpec
from fieldops.units import quantified

# --------------------------------------------------------------------------- scalar fields


def _grad_da(f: xr.DataArray, dims: list[Hashable], opts: Options) -> xr.DataArray:
    check_numeric(f)
    data, cu = partials(f, [[(0, 1.0, {d: 1})] for d in dims], opts)
    return xr.DataArray(
        data,
        dims=(COMPONENT,) + f.dims,
        coords={**f.coords, COMPONENT: list(dims)},
        name=f"grad_{f.name}" if f.name is not None else "grad",
        attrs=entry_attrs(f, f"gradient of {describe(f)}", [[cu[d]] for d in dims]),
    )


@quantified
def grad(
    f: xr.DataArray | xr.Dataset,
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
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray | xr.Dataset:
    """Gradient: the first derivative along each of ``dims``, as a vector field.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    dims : hashable or sequence of hashable, optional
        Dims to differentiate along. By default the two horizontal dims when a
        latitude/longitude grid (spherical or curvilinear) is found, else every dim
        of ``f`` when their coordinates share units (else ``dims`` is required;
        see docs/geometry.md).
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff` (``boundary`` and ``period``
        may be dicts per dim).
    geometry : {"auto", "cartesian", "spherical", "curvilinear"}, default "auto"
        ``"auto"`` finds latitude/longitude (CF attributes, then names); when
        ``dims`` hold both horizontal dims of a sphere or curvilinear grid, the
        horizontal part uses the physical form (eastward/northward per metre,
        metric terms, poles; see :mod:`fieldops.grids.spherical`). ``"cartesian"``
        differentiates along the coordinates as they are.
    radius : float, default 6 371 008.8
        Sphere radius in metres (mean Earth radius).
    poles : {"limit", "nan"}, default "limit"
        Value on grid points exactly at a pole (see :mod:`fieldops.grids.spherical`).
    method, window, polyorder, sigma : optional
        How to differentiate (finite differences, ``"savgol"``, ``"gaussian"``,
        ``"spectral"``), as in :func:`fieldops.diff`; not fused but composed of
        1-D derivatives when not finite differences.
    nan_policy, mask : optional
        ``nan_policy="omit"`` or a boolean ``mask`` (True where valid) make NaN or
        masked cells domain boundaries, as in :func:`fieldops.diff`.
    vertical : {"height", "pressure", "auto"} or DataArray, optional
        On model levels (terrain-following, hybrid): the horizontal derivatives
        at constant height or pressure, by the chain rule through this vertical
        coordinate (``"height"``/``"pressure"``/``"auto"``: from the CF
        ``formula_terms`` of the level coordinate; a DataArray: the height or
        pressure of every point). See :mod:`fieldops.vertical.correction`.
    level_dim : hashable, optional
        The model level dim (the dim of ``vertical`` not differentiated, found
        from attributes and names when not given).

    Returns
    -------
    DataArray or Dataset
        ``f``'s dims with a leading ``component`` dim labelled by ``dims``; named
        ``grad_<name>``; ``units`` when every component has the same (explicit
        ``dims`` of different units give components in their own units, and no
        ``units``).

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> f = (x**2 + 0 * x.rename(x="y") + 3 * x.rename(x="y")).rename("f")
    >>> g = grad(f, ["x", "y"])
    >>> g.dims, g.sel(x=2, y=1).values.tolist()
    (('component', 'x', 'y'), [4.0, 3.0])
    """
    dims = scalar_dims(f, dims, datetime_unit=datetime_unit)
    how, where = How.pick(locals()), Where.pick(locals())
    opts, frame = physical.prepare(f, dims, how, where)
    if frame is not None:
        return _per_variable(f, dims, lambda v: physical.grad(v, dims, frame, how))
    return _per_variable(f, dims, lambda v: _grad_da(v, dims, opts))


def _per_variable(f: xr.DataArray | xr.Dataset, dims: list[Hashable], func) -> object:
    """``func`` of a DataArray, or of each variable of a Dataset that has ``dims``."""
    return func(f) if isinstance(f, xr.DataArray) else map_dataset(f, dims, func)


def _laplacian_da(f: xr.DataArray, dims: list[Hashable], opts: Options) -> xr.DataArray:
    check_numeric(f)
    data, cu = partials(f, [[(0, 1.0, {d: 2}) for d in dims]], opts, slot_shape=())
    return xr.DataArray(
        data,
        dims=f.dims,
        coords=f.coords,
        name=f"del2_{f.name}" if f.name is not None else "del2",
        attrs=entry_attrs(f, f"Laplacian of {describe(f)}", [[cu[d]] * 2 for d in dims]),
    )


@quantified
def laplacian(
    f: xr.DataArray | xr.Dataset,
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
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray | xr.Dataset:
    """Laplacian: the sum of the second derivatives along ``dims``, in one pass.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    dims : hashable or sequence of hashable, optional
        Dims to differentiate along. By default the two horizontal dims when a
        latitude/longitude grid (spherical or curvilinear) is found, else every dim
        of ``f`` when their coordinates share units (else ``dims`` is required;
        see docs/geometry.md).
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`. Under ``fill``, a point any
        term cannot reach is ``fill_value``.
    geometry : {"auto", "cartesian", "spherical", "curvilinear"}, default "auto"
        ``"auto"`` finds latitude/longitude (CF attributes, then names); when
        ``dims`` hold both horizontal dims of a sphere or curvilinear grid, the
        horizontal part uses the physical form (eastward/northward per metre,
        metric terms, poles; see :mod:`fieldops.grids.spherical`). ``"cartesian"``
        differentiates along the coordinates as they are.
    radius : float, default 6 371 008.8
        Sphere radius in metres (mean Earth radius).
    poles : {"limit", "nan"}, default "limit"
        Value on grid points exactly at a pole (see :mod:`fieldops.grids.spherical`).
    method, window, polyorder, sigma : optional
        How to differentiate (finite differences, ``"savgol"``, ``"gaussian"``,
        ``"spectral"``), as in :func:`fieldops.diff`; not fused but composed of
        1-D derivatives when not finite differences.
    nan_policy, mask : optional
        ``nan_policy="omit"`` or a boolean ``mask`` (True where valid) make NaN or
        masked cells domain boundaries, as in :func:`fieldops.diff`.
    vertical : {"height", "pressure", "auto"} or DataArray, optional
        On model levels (terrain-following, hybrid): the horizontal derivatives
        at constant height or pressure, by the chain rule through this vertical
        coordinate (``"height"``/``"pressure"``/``"auto"``: from the CF
        ``formula_terms`` of the level coordinate; a DataArray: the height or
        pressure of every point). See :mod:`fieldops.vertical.correction`.
    level_dim : hashable, optional
        The model level dim (the dim of ``vertical`` not differentiated, found
        from attributes and names when not given).

    Raises
    ------
    ValueError
        ``dims`` whose coordinates have different units (the horizontal dims of a
        sphere or curvilinear grid count as metres): terms of different units are
        never added.

    Returns
    -------
    DataArray or Dataset
        Same dims, coords and chunks as ``f``; named ``del2_<name>``. Equal to the
        trace of :func:`hessian` to roundoff.

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(-1, 1, 5), dims="x").assign_coords(x=lambda a: a)
    >>> y = x.rename(x="y")
    >>> lap = laplacian(x**2 + 2 * y**2)
    >>> np.allclose(lap, 6.0)
    True
    """
    dims = scalar_dims(f, dims, datetime_unit=datetime_unit)
    how, where = How.pick(locals()), Where.pick(locals())
    opts, frame = physical.prepare(f, dims, how, where, adds="laplacian")
    if frame is not None:
        return _per_variable(f, dims, lambda v: physical.laplacian(v, dims, frame, how))
    return _per_variable(f, dims, lambda v: _laplacian_da(v, dims, opts))


def _hessian_da(f: xr.DataArray, dims: list[Hashable], opts: Options) -> xr.DataArray:
    check_numeric(f)
    n = len(dims)
    data, cu = partials(f, hessian_slots(dims), opts, slot_shape=(n, n))
    return xr.DataArray(
        data,
        dims=(COMPONENT, WRT) + f.dims,
        coords={**f.coords, COMPONENT: list(dims), WRT: list(dims)},
        name=f"hess_{f.name}" if f.name is not None else "hess",
        attrs=entry_attrs(
            f, f"Hessian of {describe(f)}", [[cu[a], cu[b]] for a in dims for b in dims]
        ),
    )


@quantified
def hessian(
    f: xr.DataArray | xr.Dataset,
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
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray | xr.Dataset:
    """Hessian: every second partial derivative, symmetric, in one pass.

    Second-derivative stencils on the diagonal, tensor products of first-derivative
    stencils off it (true mixed partials, one-sided at edges and corners).

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    dims : hashable or sequence of hashable, optional
        Dims to differentiate along. By default the two horizontal dims when a
        latitude/longitude grid (spherical or curvilinear) is found, else every dim
        of ``f`` when their coordinates share units (else ``dims`` is required;
        see docs/geometry.md).
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
    method, window, polyorder, sigma : optional
        How to differentiate (finite differences, ``"savgol"``, ``"gaussian"``,
        ``"spectral"``), as in :func:`fieldops.diff`; not fused but composed of
        1-D derivatives when not finite differences.
    nan_policy, mask : optional
        ``nan_policy="omit"`` or a boolean ``mask`` (True where valid) make NaN or
        masked cells domain boundaries, as in :func:`fieldops.diff`.
    vertical : {"height", "pressure", "auto"} or DataArray, optional
        On model levels (terrain-following, hybrid): the horizontal derivatives
        at constant height or pressure, by the chain rule through this vertical
        coordinate (``"height"``/``"pressure"``/``"auto"``: from the CF
        ``formula_terms`` of the level coordinate; a DataArray: the height or
        pressure of every point). See :mod:`fieldops.vertical.correction`.
    level_dim : hashable, optional
        The model level dim (the dim of ``vertical`` not differentiated, found
        from attributes and names when not given).
    geometry, radius, poles : optional
        As in :func:`grad`. On a sphere or curvilinear grid (``dims`` holding both
        horizontal dims) the horizontal block is the covariant Hessian in the
        eastward/northward frame, per square metre, whose trace is
        :func:`laplacian` (to roundoff off the pole rows on a sphere; see
        :meth:`fieldops.grids.sphere.Sphere.hessian`); mixed entries with other dims are per metre
        and per unit of that dim.

    Returns
    -------
    DataArray or Dataset
        Dims ``(component, wrt, *f.dims)``, both labelled by ``dims``, like
        ``jacobian(grad(f))``; named ``hess_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(-1, 1, 5), dims="x").assign_coords(x=lambda a: a)
    >>> y = x.rename(x="y")
    >>> h = hessian(x**2 + 2 * y**2 + x * y)
    >>> h.sel(x=0, y=0).values.tolist()
    [[2.0, 1.0], [1.0, 4.0]]
    """
    dims = scalar_dims(f, dims, datetime_unit=datetime_unit)
    how, where = How.pick(locals()), Where.pick(locals())
    opts, frame = physical.prepare(f, dims, how, where)
    if frame is not None:
        return _per_variable(f, dims, lambda v: physical.hessian(v, dims, frame, how))
    return _per_variable(f, dims, lambda v: _hessian_da(v, dims, opts))
