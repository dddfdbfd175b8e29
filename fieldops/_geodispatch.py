"""Send grad, div, curl and laplacian to the spherical or curvilinear forms.

The vector operators are cartesian; when the dims they differentiate along
include a grid's two horizontal dims and the grid is a latitude/longitude sphere
or a curvilinear grid (2-D latitude/longitude), the horizontal part is computed
by :mod:`fieldops.spherical` or :mod:`fieldops.curvilinear` (physical eastward and
northward derivatives per metre, metric terms, poles) and any other dims by
:func:`fieldops.diff`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import xarray as xr

from fieldops import curvilinear, spherical
from fieldops._fields import check_same_units, coord_units, how_for
from fieldops.core import is_dask, stack_dask
from fieldops.grids import Geometry, detect_geometry
from fieldops.operators import Options, diff

GEOMETRIES = ("auto", "cartesian", "spherical", "curvilinear")


def horizontal_geometry(
    f: xr.DataArray | xr.Dataset,
    dims: list[Hashable],
    geometry: str,
    radius: float,
) -> Geometry | None:
    """The non-cartesian geometry that applies to ``dims``, or None for cartesian.

    ``"auto"`` uses the sphere (or curvilinear grid) only when ``dims`` hold both
    of its horizontal dims; along one of them alone the derivative stays a plain
    coordinate derivative (per degree). An explicit ``"spherical"`` or
    ``"curvilinear"`` requires both.
    """
    if geometry not in GEOMETRIES:
        raise ValueError(f"unknown geometry {geometry!r}; use one of {GEOMETRIES}")
    if geometry == "cartesian" or (geometry == "auto" and len(dims) < 2):
        return None  # the sphere needs both horizontal dims; one dim is a plain derivative
    geo = detect_geometry(f, "auto" if geometry == "curvilinear" else geometry, radius=radius)
    if geo.kind == "cartesian":
        if geometry != "auto":
            raise ValueError(
                f"geometry={geometry!r} but no latitude/longitude found; name them "
                "(y_dim/x_dim) or use geometry='cartesian'"
            )
        return None
    if {geo.y_dim, geo.x_dim} <= set(dims):
        return geo
    if geometry != "auto":
        raise ValueError(
            f"geometry={geometry!r} differentiates along both horizontal dims "
            f"{[geo.y_dim, geo.x_dim]}; dims {dims} lack one of them"
        )
    return None


def horizontal(
    f: xr.DataArray | xr.Dataset,
    dims: list[Hashable],
    opts: Options,
    *,
    boundary: object,
    period: object,
    geometry: str,
    radius: float,
    poles: str,
    how: Mapping[str, object],
) -> Horizontal | None:
    """The :class:`Horizontal` operators for ``dims``, or None on a cartesian grid.

    ``boundary`` and ``period`` are the caller's (unresolved: a 360-degree
    longitude defaults to periodic on the sphere).
    """
    geo = horizontal_geometry(f, dims, geometry, radius)
    if geo is None:
        return None
    return Horizontal(
        geo,
        accuracy=opts.accuracy,
        boundary=boundary,
        fill_value=opts.fill_value,
        period=period,
        datetime_unit=opts.datetime_unit,
        radius=radius,
        poles=poles,
        how=how,
    )


def check_terms(
    f: xr.DataArray | xr.Dataset,
    dims: list[Hashable],
    horizontal: Sequence[Hashable] | None,
    what: str,
    datetime_unit: str | None = None,
) -> None:
    """Refuse an operator that adds terms along ``dims`` whose units differ.

    The ``horizontal`` dims of a sphere or curvilinear grid (``Horizontal.dims``,
    None on a cartesian grid) are per metre;
    every other dim is in its coordinate's units (a time in seconds or
    ``datetime_unit``; no units without a coordinate or ``units`` attribute).
    """
    units = {
        d: "m" if horizontal is not None and d in horizontal else coord_units(f, d, datetime_unit)
        for d in dims
    }
    note = "; the horizontal dims are per metre on the grid" if horizontal is not None else ""
    check_same_units(units, what, note)


def _split_boundary(boundary, horizontal: set) -> tuple[object, object]:
    if isinstance(boundary, Mapping):
        inside = {d: m for d, m in boundary.items() if d in horizontal} or None
        outside = {d: m for d, m in boundary.items() if d not in horizontal} or None
        return inside, outside
    return boundary, boundary


def _period_of(period, dim):
    return period.get(dim) if isinstance(period, Mapping) else period


class Horizontal:
    """The horizontal operators of one geometry with one call's options.

    ``how`` is the call's method and NaN options (a dict from
    :func:`fieldops._fields.how_options`, or None): the horizontal operators get
    it restricted to the horizontal dims, :meth:`diff` to its own dim.
    """

    def __init__(
        self,
        geo: Geometry,
        *,
        accuracy,
        boundary,
        fill_value,
        period,
        datetime_unit,
        radius,
        poles,
        how: Mapping[str, object] | None = None,
    ) -> None:
        self.geo = geo
        self.dims = (geo.y_dim, geo.x_dim)
        inside, self.other_boundary = _split_boundary(boundary, set(self.dims))
        self.accuracy, self.fill_value = accuracy, fill_value
        self.period, self.datetime_unit = period, datetime_unit
        # The grid's own options (what a frame takes), and the same plus the method
        # and NaN options of the horizontal dims (what the operator functions take).
        self.grid_kw = dict(accuracy=accuracy, boundary=inside, fill_value=fill_value)
        if geo.kind == "spherical":
            self.grid_kw.update(radius=radius, poles=poles)
        self.how = how
        self.horizontal_how = how_for(how, self.dims) if how is not None else None
        self.kw = {**self.grid_kw, **(self.horizontal_how or {})}

    def diff(self, f: xr.DataArray, dim: Hashable, order: int) -> xr.DataArray:
        """Plain derivative along a non-horizontal dim."""
        b = self.other_boundary
        if isinstance(b, Mapping):
            b = {d: m for d, m in b.items() if d == dim} or None
        return diff(
            f,
            dim,
            order,
            accuracy=self.accuracy,
            boundary=b,
            fill_value=self.fill_value,
            period=_period_of(self.period, dim),
            datetime_unit=self.datetime_unit,
            **how_for(self.how or {}, [dim]),
        )

    def grad(self, f: xr.DataArray) -> xr.DataArray:
        """Northward and eastward derivatives per metre, along ``component``."""
        if self.geo.kind == "spherical":
            return spherical.grad(f, *self.dims, **self.kw)
        return curvilinear.grad(f, self.geo, **self.kw)

    def frame(self, ref: xr.DataArray) -> spherical.Sphere | curvilinear.Curvilinear:
        """The grid frame of ``ref`` (eastward/northward derivatives, metric, poles)."""
        how = self.horizontal_how
        if self.geo.kind == "spherical":
            return spherical.Sphere(ref, *self.dims, **self.grid_kw, how=how)
        return curvilinear.Curvilinear(ref, self.geo, **self.grid_kw, how=how)

    def laplacian(self, f: xr.DataArray) -> xr.DataArray:
        if self.geo.kind == "spherical":
            return spherical.laplacian(f, *self.dims, **self.kw)
        return curvilinear.laplacian(f, self.geo, **self.kw)

    def div(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        if self.geo.kind == "spherical":
            return spherical.div(east, north, *self.dims, **self.kw)
        return curvilinear.div(east, north, self.geo, **self.kw)

    def curl(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        if self.geo.kind == "spherical":
            return spherical.curl(east, north, *self.dims, **self.kw)
        return curvilinear.curl(east, north, self.geo, **self.kw)


def grad(f: xr.DataArray, dims: list[Hashable], h: Horizontal) -> xr.DataArray:
    """Gradient with physical horizontal components, labelled by ``dims``."""
    g = h.grad(f)
    y, x = h.dims
    others = {d: h.diff(f, d, 1) for d in dims if d not in h.dims}
    units = {g.attrs.get("units")} | {p.attrs.get("units") for p in others.values()}
    if list(dims) == [y, x]:
        out = g.drop_vars("component")
    elif all(is_dask(p.data) for p in [g, *others.values()]):
        # One lazy blockwise layer, not isel (getitem) and concat (stack) layers.
        g_data = g.transpose("component", *f.dims).data
        data = stack_dask(
            [
                (g_data, 0) if d == y else (g_data, 1) if d == x else (others[d].data, None)
                for d in dims
            ]
        )
        out = xr.DataArray(data, dims=("component", *f.dims), coords=f.coords)
    else:
        north, east = g.isel(component=0, drop=True), g.isel(component=1, drop=True)
        parts = [north if d == y else east if d == x else others[d] for d in dims]
        out = xr.concat(
            parts,
            dim="component",
            coords="minimal",
            compat="override",
            join="override",
            combine_attrs="drop",
        )
    out = out.assign_coords(component=list(dims)).transpose("component", *f.dims)
    out.attrs = {
        "long_name": f"gradient of {f.attrs.get('long_name') or f.name} on the "
        f"{h.geo.kind} grid ({y}: northward, {x}: eastward, per metre)",
        # Machine-readable, for fieldops.to_dataset (eastward_/northward_ names).
        "component_directions": f"{y}: northward {x}: eastward",
    }
    if len(units) == 1 and None not in units:
        out.attrs["units"] = units.pop()
    return out.rename(f"grad_{f.name}" if f.name is not None else "grad")


def laplacian(f: xr.DataArray, dims: list[Hashable], h: Horizontal) -> xr.DataArray:
    """Horizontal Laplacian on the sphere/curvilinear grid plus the other dims'."""
    out = h.laplacian(f)
    out = _plus_other_dims(out, [h.diff(f, d, 2) for d in dims if d not in h.dims])
    return out.rename(f"del2_{f.name}" if f.name is not None else "del2")


def div(vec: xr.DataArray, dims: list[Hashable], h: Horizontal) -> xr.DataArray:
    """Divergence of a ``component`` vector field: flux form on the horizontal."""
    y, x = h.dims
    out = h.div(vec.sel(component=x, drop=True), vec.sel(component=y, drop=True))
    others = [h.diff(vec.sel(component=d, drop=True), d, 1) for d in dims if d not in h.dims]
    return _plus_other_dims(out, others)


def _plus_other_dims(out: xr.DataArray, extras: list[xr.DataArray]) -> xr.DataArray:
    """``out`` plus the other dims' terms; units kept only when they all agree."""
    for extra in extras:
        if extra.attrs.get("units") != out.attrs.get("units"):
            out.attrs.pop("units", None)
        out = (out + extra).assign_attrs(out.attrs)
    return out


def curl(vec: xr.DataArray, dims: list[Hashable], h: Horizontal) -> xr.DataArray:
    """Vertical component of the curl (relative vorticity) on the horizontal dims."""
    if len(dims) != 2:
        raise ValueError(
            f"on a {h.geo.kind} grid curl gives the vertical component over the two "
            f"horizontal dims {list(h.dims)}; got dims {dims}. Use geometry='cartesian' "
            "for a 3-D curl"
        )
    y, x = h.dims
    return h.curl(vec.sel(component=x, drop=True), vec.sel(component=y, drop=True))
