"""Operators on vector fields: divergence, curl and Jacobian.

A vector field is a DataArray with a dim ``component`` whose labels are the dims the
components point along, or a Dataset plus a mapping ``{dim: variable}``. Each
operator is one fused pass (:mod:`fieldops.stencils.fused`); on a sphere or a
curvilinear grid ``div`` and ``curl`` take the physical forms (``geometry=``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops.calculus import physical
from fieldops.calculus.fields import (
    COMPONENT,
    WRT,
    check_terms,
    partials,
    vector_call,
    vector_result,
)
from fieldops.grids.detect import vertical_sign
from fieldops.grids.frame import frame_for
from fieldops.options import EARTH_RADIUS, How, MethodArg, PeriodSpec, ScaleArg, Where
from fieldops.stencils.boundary import BoundarySpec
from fieldops.units import quantified


@quantified
def div(
    F: xr.DataArray | xr.Dataset,
    dims: Hashable | Sequence[Hashable] | None = None,
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
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray:
    """Divergence: ``sum over dims d of dF_d / dd``, in one pass.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : hashable or sequence of hashable, optional
        Dims to sum over; all the component labels by default. Their coordinates
        must share units (the horizontal dims of a sphere or curvilinear grid count
        as metres): terms of different units are never added.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
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
    DataArray
        The field's spatial dims; named ``div_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> ds = xr.Dataset({"u": 2 * x + 0 * y, "v": 3 * y + 0 * x})
    >>> float(div(ds, components={"x": "u", "y": "v"}).sel(x=1, y=3))
    5.0
    """
    how, where = How.pick(locals()), Where.pick(locals())
    vec, dims, opts, labels = vector_call(F, components, dims, how, square=True)
    frame = frame_for(vec, dims, where, how)
    check_terms(vec, dims, None if frame is None else frame.dims, "div", how.datetime_unit)
    if frame is not None:
        return physical.div(vec, dims, frame, how)
    slot = [(labels.index(d), 1.0, {d: 1}) for d in dims]
    data, cu = partials(vec, [slot], opts, slot_shape=())
    return vector_result(vec, data, (), "div", "divergence", [[cu[d]] for d in dims])


@quantified
def curl(
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
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray:
    """Curl of a 2-D or 3-D vector field, in one pass.

    With ``dims = (x, y)`` the result is the scalar (vertical) component
    ``dF_y/dx - dF_x/dy``; with ``(x, y, z)`` the vector
    ``(dF_z/dy - dF_y/dz, dF_x/dz - dF_z/dx, dF_y/dx - dF_x/dy)``. The order of
    ``dims`` sets the orientation: give them right-handed as if every vertical dim
    pointed up (east, north, up). A vertical coordinate that increases downward
    (CF ``positive="down"``: depth, or pressure) turns that frame left-handed, and the
    3-D curl is negated so that it stays the physical curl in components along the
    coordinates.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : sequence of hashable, optional
        Two or three dims, each a component label; the component labels (in their
        order) by default. A 3-component field on a 2-D grid needs ``dims`` (its
        2-D curl). On a cartesian grid their coordinates must share units.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
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
    DataArray
        2-D: the spatial dims; 3-D: with a leading ``component`` dim labelled by
        ``dims``. Named ``curl_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> rot = xr.concat([-y + 0 * x, x + 0 * y], dim="component")
    >>> float(curl(rot.assign_coords(component=["x", "y"])).sel(x=1, y=1))
    2.0
    """
    how, where = How.pick(locals()), Where.pick(locals())
    vec, dims, opts, labels = vector_call(F, components, dims, how, square=True)
    if len(dims) not in (2, 3):
        raise ValueError(
            f"curl needs 2 or 3 dims, got {dims}; pass dims= with two (the 2-D curl) or three"
        )
    frame = frame_for(vec, dims, where, how)
    if frame is not None:
        return physical.curl(vec, dims, frame, how)
    check_terms(vec, dims, None, "curl", how.datetime_unit)
    c = {d: labels.index(d) for d in dims}

    def rot(a, b):  # dF_b/da - dF_a/db
        return [(c[b], 1.0, {a: 1}), (c[a], -1.0, {b: 1})]

    if len(dims) == 2:
        x, y = dims
        data, cu = partials(vec, [rot(x, y)], opts, slot_shape=())
        return vector_result(vec, data, (), "curl", "curl", [[cu[x]], [cu[y]]])
    x, y, z = dims
    data, cu = partials(vec, [rot(y, z), rot(z, x), rot(x, y)], opts)
    if np.prod([vertical_sign(vec, d) for d in dims]) < 0:
        data = -data  # a downward vertical coordinate makes the dims a left-handed frame
    return vector_result(
        vec, data, ((COMPONENT, list(dims)),), "curl", "curl", [[cu[d]] for d in dims]
    )


@quantified
def jacobian(
    F: xr.DataArray | xr.Dataset,
    dims: Hashable | Sequence[Hashable] | None = None,
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
    vertical: str | xr.DataArray | None = None,
    level_dim: Hashable | None = None,
) -> xr.DataArray:
    """Jacobian ``J[component=c, wrt=d] = dF_c / dd``, in one pass.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : hashable or sequence of hashable, optional
        Dims to differentiate along (any dims of the field); the component labels
        by default.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
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
        As in :func:`div`. On a sphere or curvilinear grid (``dims`` holding both
        horizontal dims) the components labelled by them are the northward and
        eastward components and the horizontal block is their covariant
        derivative per metre (with the ``tan(latitude) / R`` terms), whose trace is
        the divergence; other components are differentiated as scalars.

    Returns
    -------
    DataArray
        Dims ``(component, wrt, *spatial)``; row ``c`` equals ``grad`` of
        component ``c`` on a cartesian grid. Named ``jac_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> F = xr.concat([x * y, x + 0 * y], dim="component").assign_coords(component=["x", "y"])
    >>> jacobian(F).sel(x=2, y=3).values.tolist()
    [[3.0, 2.0], [1.0, 0.0]]
    """
    how, where = How.pick(locals()), Where.pick(locals())
    vec, dims, opts, labels = vector_call(F, components, dims, how, square=False)
    frame = frame_for(vec, dims, where, how)
    if frame is not None:
        return physical.jacobian(vec, dims, frame, how)
    slots = [[(c, 1.0, {d: 1})] for c in range(len(labels)) for d in dims]
    data, cu = partials(vec, slots, opts, slot_shape=(len(labels), len(dims)))
    extra = ((COMPONENT, labels), (WRT, dims))
    return vector_result(vec, data, extra, "jac", "Jacobian", [[cu[d]] for d in dims])
