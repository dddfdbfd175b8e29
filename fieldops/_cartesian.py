"""The plain cartesian frame of the kinematics (private module).

Public as :class:`fieldops.curvilinear.Cartesian`: the interface of
:class:`fieldops.curvilinear.Curvilinear` for plain x/y grids.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._fields import frame_options, is_plain
from fieldops._validate import align_mask, check_numeric
from fieldops.boundary import BoundarySpec
from fieldops.geometry import check_dim, coordinate_values
from fieldops.grids import find_latlon
from fieldops.operators import partial_data, resolve_options


class Cartesian:
    """Derivatives along two plain dims: ``east`` is d/dx, ``north`` is d/dy.

    Coordinates with length units (``km``, ``m``, ...) give derivatives per
    metre; other units are kept as they are (``length_unit``). ``how`` holds
    the method and NaN options (:func:`fieldops._fields.how_options`), in the
    units of the coordinates.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x", attrs={"units": "km"})
    >>> f = xr.DataArray(np.arange(5.0)[None, :] * np.ones((4, 1)), dims=("y", "x"),
    ...                  coords={"x": x, "y": ("y", np.arange(4.0), {"units": "m"})})
    >>> c = Cartesian(f, "y", "x")
    >>> float(c.east(c.bare(f))[0, 0]), c.length_unit
    (0.001, 'm')
    """

    def __init__(
        self,
        ref: xr.DataArray,
        y_dim: Hashable,
        x_dim: Hashable,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        how: Mapping[str, object] | None = None,
    ) -> None:
        self.y_dim, self.x_dim = y_dim, x_dim
        self.mask: xr.DataArray | None = None
        if how is None or is_plain(how):
            self.opts = resolve_options(
                ref,
                [y_dim, x_dim],
                accuracy=accuracy,
                boundary=boundary,
                fill_value=fill_value,
                period=None,
                datetime_unit=None,
            )
        else:
            self.opts, self.mask = frame_options(
                ref,
                [y_dim, x_dim],
                how,
                accuracy=accuracy,
                boundary=boundary,
                fill_value=fill_value,
                period=None,
            )
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
        lat, _ = find_latlon(ref)
        self._lat = ref.coords[lat] if lat is not None and lat not in ref.dims else None

    def bare(self, da: xr.DataArray) -> xr.DataArray:
        """``da`` with its index coordinates only."""
        check_numeric(da)
        for dim in (self.y_dim, self.x_dim):
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

    def east_north(self, b: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
        """(d/dx, d/dy)."""
        return self.east(b), self.north(b)

    def tan_term(self, dtype: np.dtype) -> None:
        """No metric term on a plane."""
        return None

    def fix_poles(self, res: xr.DataArray, kind: str) -> xr.DataArray:
        """Nothing to fix on a plane."""
        return res

    def latitude(self) -> xr.DataArray | None:
        """A latitude coordinate (degrees) that is not a dim, when the data have one."""
        if self._lat is None:
            return None
        return xr.DataArray(self._lat.data, dims=self._lat.dims)
