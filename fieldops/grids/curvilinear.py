"""Eastward/northward derivatives on curvilinear grids, and the plain cartesian frame.

A curvilinear grid has 2-D latitude/longitude coordinate variables on two
logical dims (ocean and regional model grids). A field is differentiated along
the logical dims (index spacing), and the chain rule through the Jacobian of
the map from logical indices to local eastward/northward distance gives the
physical derivatives::

    E_i = R cos(phi) dlam/di,  N_i = R dphi/di     (and the same for j)
    [f_i, f_j] = [[E_i, N_i], [E_j, N_j]] @ [f_E, f_N]

Longitude is unwrapped along each logical dim before it is differentiated
(lazily for Dask coordinates), so a grid crossing the dateline (or the 0/360
seam) needs nothing from the user. The
Jacobian is differentiated with the same stencils as the field, so the result
is of the scheme's accuracy. Wind components are taken as true eastward and
northward (rotate grid-relative winds first). Points exactly on a pole are NaN.

:class:`Cartesian` is the same interface for plain x/y grids: derivatives along
the dims, converted to per metre when the coordinates carry length units.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops._validate import align_mask
from fieldops.grids.cartesian import Cartesian
from fieldops.grids.detect import Geometry
from fieldops.grids.frame import Frame, register
from fieldops.grids.partials import partial_data
from fieldops.grids.results import finish
from fieldops.options import How, Options, Where, frame_options, resolve_how
from fieldops.stencils.apply import float_dtype

__all__ = ["Cartesian", "Curvilinear", "finish", "unwrap_degrees"]


def unwrap_degrees(values, axis: int):
    """``numpy.unwrap(values, period=360, axis=axis)`` for numpy or Dask arrays (lazy).

    Written with ``diff``/``cumsum`` so that numpy and Dask give the same numbers.

    Examples
    --------
    >>> unwrap_degrees(np.array([170.0, 179.0, -172.0, -160.0]), 0)
    array([170., 179., 188., 200.])
    """
    if type(values).__module__.startswith("dask."):
        import dask.array as xp
    else:
        xp = np
    dd = xp.diff(values, axis=axis)
    ddmod = xp.mod(dd + 180.0, 360.0) - 180.0
    ddmod = xp.where((ddmod == -180.0) & (dd > 0), 180.0, ddmod)
    correct = xp.where(xp.abs(dd) < 180.0, 0.0, ddmod - dd)
    zero = xp.zeros_like(xp.take(values, [0], axis=axis))
    out = values + xp.concatenate([zero, xp.cumsum(correct, axis=axis)], axis=axis)
    return out if xp is np else out.rechunk(values.chunks)


@register("curvilinear")
class Curvilinear(Frame):
    """Eastward/northward derivatives per metre on a grid with 2-D latitude/longitude.

    Parameters
    ----------
    ref : DataArray
        A field on the grid, carrying the 2-D coordinates.
    geo : Geometry
        From :func:`fieldops.grids.detect_geometry` (``kind="curvilinear"``).
    where : Where
        Where the field lives (the radius is ``geo``'s).
    how : How
        How to differentiate: accuracy, edge rule per logical dim (``one_sided``
        by default; ``periodic`` for a global ocean grid's zonal index), fill
        value, and the method and NaN options of the
        fields' derivatives along the logical dims (``window``/``sigma`` in index
        units unless the logical dims have coordinates). The grid's Jacobian is
        always differentiated by finite differences: the coordinates are smooth
        and NaN-free, and a smoothing (or periodic spectral) derivative of an
        unwrapped longitude would be wrong.

    Examples
    --------
    >>> j, i = np.meshgrid(np.arange(20.0), np.arange(30.0), indexing="ij")
    >>> lat, lon = 10 + 0.5 * j + 0.1 * i, 0.4 * i - 0.1 * j
    >>> f = xr.DataArray(lat, dims=("j", "i"),
    ...                  coords={"lat": (("j", "i"), lat), "lon": (("j", "i"), lon)})
    >>> from fieldops.grids.detect import EARTH_RADIUS
    >>> from fieldops.options import How, Where
    >>> geo = Geometry("curvilinear", "j", "i", "lat", "lon", EARTH_RADIUS)
    >>> c = Curvilinear(f, geo, Where(), How())
    >>> fe, fn = c.east_north(c.bare(f))
    >>> bool(abs(fn * EARTH_RADIUS * np.pi / 180 - 1).max() < 1e-9), bool(abs(fe).max() < 1e-15)
    (True, True)
    """

    length_unit = "m"
    place = "on a curvilinear grid"

    def __init__(self, ref: xr.DataArray | xr.Dataset, geo: Geometry, where: Where, how: How):
        self.dims = (geo.y_dim, geo.x_dim)
        self.radius = geo.radius
        plain = how.grid(self.dims)
        self.opts = resolve_how(ref, self.dims, plain)
        self.field_opts, self.mask = self.opts, None
        if not how.plain:
            self.field_opts, self.mask = frame_options(ref, self.dims, how)
        lat = ref.coords[geo.lat]
        lon = ref.coords[geo.lon]
        self._lat = xr.DataArray(lat.data, dims=lat.dims).astype(np.float64)
        phi = np.deg2rad(self._lat)
        lon = xr.DataArray(lon.data, dims=lon.dims).astype(np.float64)
        cos = np.cos(phi)
        r = self.radius
        jac = {}
        for dim in (self.x_dim, self.y_dim):
            jac[dim] = (r * cos * self._lon_derivative(lon, dim), r * self._raw(phi, dim))
        self._jac = jac
        (ex, nx), (ey, ny) = jac[self.x_dim], jac[self.y_dim]
        det = ex * ny - ey * nx
        self._det = det
        ok = (np.abs(det) > 0) & (cos > 1e-12)
        safe = xr.where(ok, det, 1.0)
        nan = np.nan
        # f_E = (f_x N_y - f_y N_x) / det, f_N = (E_x f_y - E_y f_x) / det
        self._coef = {
            "ex": xr.where(ok, ny / safe, nan),
            "ey": xr.where(ok, -nx / safe, nan),
            "nx": xr.where(ok, -ey / safe, nan),
            "ny": xr.where(ok, ex / safe, nan),
        }
        self._tan = xr.where(ok, np.tan(phi) / r, nan)

    def index_area(self) -> xr.DataArray:
        """Area on the Earth per unit cell of the logical (index) dims: ``|det J|``, m2."""
        return abs(self._det)

    def laplacian_reach(self, accuracy: int) -> int:
        """A divergence of a gradient (the chain rule) reaches ``2 * accuracy`` points."""
        return 2 * accuracy

    @classmethod
    def grid_angle(
        cls, ref: xr.DataArray, geo: Geometry
    ) -> tuple[xr.DataArray, xr.DataArray, str] | None:
        """The angle of +x from east, from the 2-D latitude/longitude along the x dim."""
        return *latlon_angle(ref, geo), "2-D latitude/longitude"

    def _lon_derivative(self, lon: xr.DataArray, dim: Hashable) -> xr.DataArray:
        """d(longitude)/d(dim) in radians, continuous across the 0/360 or dateline seam.

        Along a periodic dim (a global grid's zonal index) the stencil also reaches
        from the last column to the first, where an unwrapped longitude jumps by its
        winding (360 degrees once round the globe): the winding's ramp is taken out,
        the periodic rest differentiated, and its slope added back.
        """
        axis = lon.get_axis_num(dim)
        unwrapped = unwrap_degrees(lon.data, axis)
        if self.opts.boundary.get(dim) != "periodic":
            return self._raw(np.deg2rad(lon.copy(data=unwrapped)), dim)
        xp = np if isinstance(unwrapped, np.ndarray) else __import__("dask.array").array
        n = lon.sizes[dim]
        first = xp.take(unwrapped, [0], axis=axis)
        last = xp.take(unwrapped, [n - 1], axis=axis)
        winding = last - first + (xp.mod(first - last + 180.0, 360.0) - 180.0)
        index = np.arange(n, dtype=np.float64).reshape(
            [-1 if a == axis else 1 for a in range(lon.ndim)]
        )
        rest = lon.copy(data=unwrapped - winding * (index / n))
        slope = xr.DataArray(
            np.deg2rad(xp.squeeze(winding, axis=axis) / n), dims=[d for d in lon.dims if d != dim]
        )
        return self._raw(np.deg2rad(rest), dim) + slope

    def _raw(self, da: xr.DataArray, dim: Hashable, opts: Options | None = None) -> xr.DataArray:
        data, _ = partial_data(da, {dim: 1}, self.opts if opts is None else opts)
        return xr.DataArray(data, dims=da.dims)

    def _c(self, key: str, dtype: np.dtype) -> xr.DataArray:
        return self._coef[key].astype(dtype)

    def east_north(self, b: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
        """Eastward and northward derivatives per metre."""
        if self.mask is not None:
            b = b.where(align_mask(b, self.mask))  # by label: aligned to ref
        fx = self._raw(b, self.x_dim, self.field_opts)
        fy = self._raw(b, self.y_dim, self.field_opts)
        dt = float_dtype(fx.dtype)
        east = fx * self._c("ex", dt) + fy * self._c("ey", dt)
        north = fx * self._c("nx", dt) + fy * self._c("ny", dt)
        return east, north

    def east(self, b: xr.DataArray) -> xr.DataArray:
        """Eastward derivative per metre."""
        return self.east_north(b)[0]

    def north(self, b: xr.DataArray) -> xr.DataArray:
        """Northward derivative per metre."""
        return self.east_north(b)[1]

    def tan_term(self, dtype: np.dtype) -> xr.DataArray:
        """``tan(lat) / R`` on the grid (NaN on a pole point)."""
        return self._tan.astype(dtype)

    def latitude(self) -> xr.DataArray:
        """The 2-D latitude in degrees."""
        return self._lat

    def cell_widths(self) -> dict[Hashable, xr.DataArray]:
        """Metres per index step along each logical dim (norm of the grid's Jacobian)."""
        return {dim: np.hypot(e, n) for dim, (e, n) in self._jac.items()}


def latlon_angle(ref: xr.DataArray, geo: Geometry) -> tuple[xr.DataArray, xr.DataArray]:
    """cos, sin of the angle of +x from east, from 2-D latitude/longitude."""
    lat = ref.coords[geo.lat].astype(np.float64)
    lon = ref.coords[geo.lon].astype(np.float64)
    axis = lat.get_axis_num(geo.x_dim)
    la, lo = np.asarray(lat.values), np.unwrap(np.asarray(lon.values), period=360.0, axis=axis)
    dlat = np.gradient(la, axis=axis)
    dlon = np.gradient(lo, axis=axis) * np.cos(np.deg2rad(la))
    alpha = np.arctan2(dlat, dlon)
    return xr.DataArray(np.cos(alpha), dims=lat.dims), xr.DataArray(np.sin(alpha), dims=lat.dims)
