"""Hessian and Jacobian on a sphere or a curvilinear grid (no public API).

In the local orthonormal (eastward, northward) frame of a sphere of radius ``R``,
with latitude ``phi``, ``t = tan(phi) / R`` and ``e``, ``n`` the eastward and
northward derivatives per metre, the covariant derivatives are (shallow
atmosphere: other dims, such as height or time, add no metric terms):

* Jacobian of a horizontal vector ``(u, v)`` (eastward, northward):
  ``du/dx_e = e(u) - t v``, ``du/dx_n = n(u)``, ``dv/dx_e = e(v) + t u``,
  ``dv/dx_n = n(v)``. Its trace is the divergence and ``dv/dx_e - du/dx_n`` the
  vertical vorticity.
* Hessian of a scalar ``f``: the Jacobian of its gradient. On a regular
  latitude/longitude grid it is written with the same second-derivative stencils
  as :func:`fieldops.grids.spherical.laplacian`, so that its trace equals the Laplacian
  to roundoff off the pole rows: ``H_nn = f_phiphi / R**2``,
  ``H_ee = (f_lamlam / cos**2 - tan f_phi) / R**2``,
  ``H_en = (f_lamphi + tan f_lam) / (R**2 cos)``.

On pole rows, Hessian entries that depend on the direction of the eastward axis,
and every Jacobian entry (as in :func:`fieldops.deformation`), take the limit along
each meridian (``poles="limit"``) or are NaN (``poles="nan"``), as in
:mod:`fieldops.grids.spherical`.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops.calculus.fields import COMPONENT, WRT, describe
from fieldops.grids.spherical import Sphere
from fieldops.stencils.apply import float_dtype

Entries = dict[tuple[Hashable, Hashable], xr.DataArray]


def _bare(da: xr.DataArray, dims: tuple[Hashable, ...]) -> xr.DataArray:
    return xr.DataArray(da.data, dims=da.dims).transpose(*dims)


def sphere_hessian(s: Sphere, b: xr.DataArray) -> Entries:
    """The horizontal Hessian of bare ``b`` on a regular latitude/longitude grid."""
    y, x = s.lat_dim, s.lon_dim
    dt = float_dtype(b.dtype)
    r2 = s.radius**2
    f_p, f_pp = s.d(b, y, 1), s.d(b, y, 2)
    f_l, f_ll = s.d(b, x, 1), s.d(b, x, 2)
    f_lp = s.d(f_l, y, 1)
    nn = f_pp * dt.type(1 / r2)
    ee = f_ll * s.metric(s.inv_cos**2 / r2, dt) - f_p * s.metric(s.tan / r2, dt)
    en = (f_lp + f_l * s.metric(s.tan, dt)) * s.metric(s.inv_cos / r2, dt)
    en = s.fix_poles(en, "meridian")
    return {(y, y): nn, (x, x): s.fix_poles(ee, "meridian"), (y, x): en, (x, y): en}


def frame_jacobian(frame, east: xr.DataArray, north: xr.DataArray) -> Entries:
    """The horizontal Jacobian of bare eastward/northward components on any frame."""
    y, x = frame_dims(frame)
    dt = float_dtype(np.result_type(east.dtype, north.dtype))
    east, north = east.astype(dt, copy=False), north.astype(dt, copy=False)
    ue, un = frame.east_north(east)
    ve, vn = frame.east_north(north)
    tan = frame.tan_term(dt)
    if tan is not None:
        ue = ue - north * tan
        ve = ve + east * tan
    # Every entry takes the limit along each meridian on pole rows, as
    # fieldops.deformation does, so that the deformations are exactly
    # combinations of these entries there too.
    entries = {(x, x): ue, (x, y): un, (y, x): ve, (y, y): vn}
    return {key: frame.fix_poles(value, "meridian") for key, value in entries.items()}


def frame_hessian(frame, b: xr.DataArray) -> Entries:
    """The horizontal Hessian of bare ``b``: on a sphere :func:`sphere_hessian`, else
    the Jacobian of the gradient, symmetrised (the mean of both mixed forms).
    """
    if isinstance(frame, Sphere):
        return sphere_hessian(frame, b)
    y, x = frame_dims(frame)
    ge, gn = frame.east_north(b)
    jac = frame_jacobian(frame, ge, gn)
    mixed = (jac[(x, y)] + jac[(y, x)]) * jac[(x, y)].dtype.type(0.5)
    return {(x, x): jac[(x, x)], (y, y): jac[(y, y)], (x, y): mixed, (y, x): mixed}


def frame_dims(frame) -> tuple[Hashable, Hashable]:
    """(northward, eastward) dims of a frame."""
    if isinstance(frame, Sphere):
        return frame.lat_dim, frame.lon_dim
    return frame.y_dim, frame.x_dim


def _horizontal_first(frame, da: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    east, north = frame.east_north(frame.bare(da))
    return frame.fix_poles(east, "meridian"), north


def _assemble(
    entries: Entries,
    units: dict[tuple[Hashable, Hashable], str | None],
    rows: list[Hashable],
    cols: list[Hashable],
    like: xr.DataArray,
    coords: dict,
    name: str,
    long_name: str,
) -> xr.DataArray:
    """A ``(component, wrt, *like.dims)`` DataArray of the entries, units when all agree."""
    spatial = like.dims
    stacked = xr.concat(
        [xr.concat([_bare(entries[(r, c)], spatial) for c in cols], dim=WRT) for r in rows],
        dim=COMPONENT,
    )
    out = xr.DataArray(
        stacked.data,
        dims=(COMPONENT, WRT, *spatial),
        coords={**coords, COMPONENT: list(rows), WRT: list(cols)},
        name=name,
        attrs={"long_name": long_name},
    )
    found = set(units.values())
    if len(found) == 1 and None not in found:
        out.attrs["units"] = found.pop()
    return out


def _frame_words(h) -> str:
    y, x = h.dims
    return f"on the {h.geo.kind} grid ({y}: northward, {x}: eastward, per metre)"


def hessian(f: xr.DataArray, dims: list[Hashable], h) -> xr.DataArray:
    """Hessian with the physical horizontal block; other dims by :func:`fieldops.diff`."""
    frame = h.frame(f)
    y, x = h.dims
    entries = frame_hessian(frame, frame.bare(f))
    per_m2 = _units.combine(f.attrs.get("units"), ["m", "m"])
    units = {k: per_m2 for k in entries}
    others = [d for d in dims if d not in h.dims]
    first = {d: h.diff(f, d, 1) for d in others}
    for i, d in enumerate(others):
        east, north = _horizontal_first(frame, first[d])
        entries[(x, d)] = entries[(d, x)] = east
        entries[(y, d)] = entries[(d, y)] = north
        mixed_units = _units.combine(first[d].attrs.get("units"), ["m"])
        for key in ((x, d), (d, x), (y, d), (d, y)):
            units[key] = mixed_units
        second = h.diff(f, d, 2)
        entries[(d, d)], units[(d, d)] = second, second.attrs.get("units")
        for e in others[i + 1 :]:
            cross = h.diff(first[d], e, 1)
            entries[(d, e)] = entries[(e, d)] = cross
            units[(d, e)] = units[(e, d)] = cross.attrs.get("units")
    name = f"hess_{f.name}" if f.name is not None else "hess"
    long_name = f"Hessian of {describe(f)} {_frame_words(h)}"
    return _assemble(entries, units, dims, dims, f, dict(f.coords), name, long_name)


def jacobian(vec: xr.DataArray, dims: list[Hashable], h) -> xr.DataArray:
    """Jacobian of a ``component`` vector field with the physical horizontal block.

    The components labelled by the two horizontal dims are the northward and
    eastward components; any other component is differentiated as a scalar.
    """
    y, x = h.dims
    labels = vec[COMPONENT].values.tolist()
    horizontal = [c for c in (y, x) if c in labels]
    if len(horizontal) == 1:
        missing = x if y in labels else y
        raise ValueError(
            f"on a {h.geo.kind} grid the Jacobian needs both horizontal components: "
            f"{vec.name!r} has a component {horizontal[0]!r} but none labelled {missing!r}; "
            "add it, or pass geometry='cartesian' to differentiate the components as scalars"
        )
    comps = {c: vec.sel({COMPONENT: c}, drop=True) for c in labels}
    spatial = comps[labels[0]]
    frame = h.frame(spatial)
    entries: Entries = {}
    per_m = _units.combine(vec.attrs.get("units"), ["m"])
    units: dict[tuple[Hashable, Hashable], str | None] = {}
    if horizontal:
        entries.update(frame_jacobian(frame, frame.bare(comps[x]), frame.bare(comps[y])))
    for c in labels:
        if c not in h.dims:
            entries[(c, x)], entries[(c, y)] = _horizontal_first(frame, comps[c])
        units[(c, x)] = units[(c, y)] = per_m
        for d in dims:
            if d not in h.dims:
                entries[(c, d)] = h.diff(comps[c].assign_attrs(vec.attrs), d, 1)
                units[(c, d)] = entries[(c, d)].attrs.get("units")
    name = f"jac_{vec.name}" if vec.name is not None else "jac"
    long_name = f"Jacobian of {describe(vec)} {_frame_words(h)}"
    coords = {k: v for k, v in vec.coords.items() if COMPONENT not in v.dims}
    return _assemble(entries, units, labels, dims, spatial, coords, name, long_name)
