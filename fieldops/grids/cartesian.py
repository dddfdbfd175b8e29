"""The plain cartesian frame: derivatives along two dims, per metre when they are lengths."""

from __future__ import annotations

from collections.abc import Hashable

import xarray as xr

from fieldops import units as _units
from fieldops._validate import align_mask, check_dim, check_numeric
from fieldops.grids.coords import coordinate_values
from fieldops.grids.detect import Geometry, find_latlon
from fieldops.grids.frame import Frame, midpoint_widths, register
from fieldops.grids.partials import partial_data
from fieldops.options import How, Where, frame_options, resolve_how


@register("cartesian")
class Cartesian(Frame):
    """Derivatives along two plain dims: ``east`` is d/dx, ``north`` is d/dy.

    Coordinates with length units (``km``, ``m``, ...) give derivatives per
    metre; other units are kept as they are (``length_unit``). ``how`` holds
    the method and NaN options, in the units of the coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> x = xr.DataArray(np.arange(5.0), dims="x", attrs={"units": "km"})
    >>> f = xr.DataArray(np.arange(5.0)[None, :] * np.ones((4, 1)), dims=("y", "x"),
    ...                  coords={"x": x, "y": ("y", np.arange(4.0), {"units": "m"})})
    >>> c = Cartesian(f, Geometry("cartesian", "y", "x", None, None, 1.0), Where(), How())
    >>> float(c.east(c.bare(f))[0, 0]), c.length_unit
    (0.001, 'm')
    """

    physical = False

    @classmethod
    def describe(cls, ds: xr.Dataset, geo: Geometry) -> list[str]:
        """Nothing to add: a plane is its coordinates."""
        return []

    def __init__(self, ref: xr.DataArray | xr.Dataset, geo: Geometry, where: Where, how: How):
        y_dim, x_dim = geo.y_dim, geo.x_dim
        self.dims = (y_dim, x_dim)
        self.mask: xr.DataArray | None = None
        if how.plain:
            plain = how.grid(self.dims)
            self.opts = resolve_how(ref, self.dims, plain)
        else:
            self.opts, self.mask = frame_options(ref, self.dims, how)
        self.pole_rows = ()
        ux = coordinate_values(ref, x_dim)[1]
        uy = coordinate_values(ref, y_dim)[1]
        fx, fy = _units.factor(ux, "m"), _units.factor(uy, "m")
        if fx is not None and fy is not None:
            self.scale = {x_dim: 1.0 / fx, y_dim: 1.0 / fy}
            self.length_unit: str | None = "m"
        else:
            self.scale = {x_dim: 1.0, y_dim: 1.0}
            self.length_unit = ux if ux == uy else None
        self._ref = ref[[]] if isinstance(ref, xr.Dataset) else ref.coords.to_dataset()
        lat, _ = find_latlon(ref)
        self._lat = ref.coords[lat] if lat is not None and lat not in ref.dims else None

    def bare(self, da: xr.DataArray) -> xr.DataArray:
        """``da`` with its index coordinates only."""
        check_numeric(da)
        for dim in self.dims:
            check_dim(da, dim)
        return xr.DataArray(
            da.data, dims=da.dims, coords={d: da.coords[d] for d in da.dims if d in da.coords}
        )

    def _d(self, b: xr.DataArray, dim: Hashable) -> xr.DataArray:
        if self.mask is not None:
            b = b.where(align_mask(b, self.mask))  # by label: aligned to ref
        data, _ = partial_data(b, {dim: 1}, self.opts)
        res = xr.DataArray(data, dims=b.dims)
        scale = self.scale[dim]
        return res if scale == 1.0 else res * res.dtype.type(scale)

    def east(self, b: xr.DataArray) -> xr.DataArray:
        """d/dx."""
        return self._d(b, self.x_dim)

    def north(self, b: xr.DataArray) -> xr.DataArray:
        """d/dy."""
        return self._d(b, self.y_dim)

    def latitude(self) -> xr.DataArray | None:
        """A latitude coordinate (degrees) that is not a dim, when the data have one."""
        if self._lat is None:
            return None
        return xr.DataArray(self._lat.data, dims=self._lat.dims)

    def cell_widths(self) -> dict[Hashable, xr.DataArray]:
        """Cell widths along ``y`` and ``x`` from the coordinates, in ``length_unit``."""
        out = {}
        for dim in self.dims:
            values = coordinate_values(self._ref, dim)[0]
            widths = midpoint_widths(values) / self.scale[dim]
            out[dim] = xr.DataArray(widths, dims=(dim,))
        return out
