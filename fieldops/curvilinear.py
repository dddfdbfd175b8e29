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

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops._cartesian import Cartesian
from fieldops._fields import frame_options, how_options, is_plain
from fieldops._validate import align_mask, check_numeric
from fieldops.boundary import BoundarySpec
from fieldops.geometry import check_dim
from fieldops.grids import Geometry
from fieldops.operators import (
    MethodArg,
    Options,
    ScaleArg,
    derivative_attrs,
    partial_data,
    resolve_options,
)
from fieldops.stencils.apply import float_dtype

__all__ = [
    "Cartesian",
    "Curvilinear",
    "curl",
    "div",
    "finish",
    "grad",
    "laplacian",
    "unwrap_degrees",
]


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


def finish(
    res: xr.DataArray,
    like: xr.DataArray,
    name: str,
    long_name: str,
    denominators: list[str | None],
) -> xr.DataArray:
    """Put ``like``'s coords, dim order, chunks and attrs (units derived) on a bare result."""
    res = res.transpose(*like.dims)
    if like.chunks is not None and res.chunks is not None and res.chunks != like.chunks:
        res = res.chunk(dict(zip(like.dims, like.chunks)))
    return xr.DataArray(
        res.data,
        dims=like.dims,
        coords=like.coords,
        name=name,
        attrs=derivative_attrs(like, long_name, denominators),
    )


class Curvilinear:
    """Eastward/northward derivatives per metre on a grid with 2-D latitude/longitude.

    Parameters
    ----------
    ref : DataArray
        A field on the grid, carrying the 2-D coordinates.
    geo : Geometry
        From :func:`fieldops.grids.detect_geometry` (``kind="curvilinear"``).
    accuracy : int
        Even accuracy order of the stencils along the logical dims.
    boundary : str or dict, optional
        Edge rule per logical dim (``one_sided`` by default; ``periodic`` for a
        global ocean grid's zonal index).
    fill_value : float
        Edge value under ``boundary="fill"``.
    how : dict, optional
        The method and NaN options (:func:`fieldops._fields.how_options`) of the
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
    >>> from fieldops.grids import EARTH_RADIUS
    >>> geo = Geometry("curvilinear", "j", "i", "lat", "lon", EARTH_RADIUS)
    >>> c = Curvilinear(f, geo)
    >>> fe, fn = c.east_north(c.bare(f))
    >>> bool(abs(fn * EARTH_RADIUS * np.pi / 180 - 1).max() < 1e-9), bool(abs(fe).max() < 1e-15)
    (True, True)
    """

    length_unit = "m"

    def __init__(
        self,
        ref: xr.DataArray,
        geo: Geometry,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        how: Mapping[str, object] | None = None,
    ) -> None:
        self.y_dim, self.x_dim = geo.y_dim, geo.x_dim
        self.radius = geo.radius
        self.pole_rows = ()
        self.opts = resolve_options(
            ref,
            [self.y_dim, self.x_dim],
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=None,
            datetime_unit=None,
        )
        self.field_opts, self.mask = self.opts, None
        if how is not None and not is_plain(how):
            self.field_opts, self.mask = frame_options(
                ref,
                [self.y_dim, self.x_dim],
                how,
                accuracy=accuracy,
                boundary=boundary,
                fill_value=fill_value,
                period=None,
            )
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
        (ex, nx), (ey, ny) = jac[self.x_dim], jac[self.y_dim]
        det = ex * ny - ey * nx
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

    def bare(self, da: xr.DataArray) -> xr.DataArray:
        """``da``'s data on its dims only (index spacing along the logical dims)."""
        check_numeric(da)
        for dim in (self.y_dim, self.x_dim):
            check_dim(da, dim)
        return xr.DataArray(da.data, dims=da.dims)

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

    def fix_poles(self, res: xr.DataArray, kind: str) -> xr.DataArray:
        """Pole points are already NaN."""
        return res

    def latitude(self) -> xr.DataArray:
        """The 2-D latitude in degrees."""
        return self._lat


def grad(
    f: xr.DataArray,
    geo: Geometry,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
) -> xr.DataArray:
    """Northward and eastward derivatives per metre of ``f`` on a curvilinear grid.

    Parameters
    ----------
    f : DataArray
        Field on the logical dims of ``geo``, with the 2-D coordinates.
    geo : Geometry
        A curvilinear geometry from :func:`fieldops.grids.detect_geometry`.
    accuracy, boundary, fill_value
        As for :class:`Curvilinear`.
    method, window, polyorder, sigma : optional
        How to differentiate the field along the logical dims, as in
        :func:`fieldops.diff` (``window``/``sigma`` in index units, or in the
        logical dims' coordinate units); one value or a dict per logical dim.
    nan_policy, mask : optional
        ``nan_policy="omit"`` or a boolean ``mask`` (True where valid) make NaN
        or masked cells (land) domain boundaries, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray
        ``f``'s dims plus a leading ``component`` dim labelled by the latitude
        and longitude coordinate names (northward, eastward), units per metre.

    Examples
    --------
    >>> from fieldops.grids import detect_geometry
    >>> j, i = np.meshgrid(np.arange(10.0), np.arange(12.0), indexing="ij")
    >>> ds = xr.Dataset(coords={"lat": (("j", "i"), 0.5 * j + 0.2 * i),
    ...                         "lon": (("j", "i"), 0.5 * i - 0.2 * j)})
    >>> f = xr.DataArray(np.ones((10, 12)), dims=("j", "i"), coords=ds.coords)
    >>> grad(f, detect_geometry(f)).component.values.tolist()
    ['lat', 'lon']
    """
    c = Curvilinear(
        f,
        geo,
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
    )
    east, north = c.east_north(c.bare(f))
    comps = xr.concat([north, east], dim="component").transpose("component", *f.dims)
    like = f.expand_dims(component=[geo.lat, geo.lon])
    name = f"grad_{f.name}" if f.name is not None else "grad"
    long_name = (
        f"gradient of {f.attrs.get('long_name') or f.name or 'the data'} (northward, eastward)"
    )
    return finish(comps, like, name, long_name, ["m"])


def _vector(east: xr.DataArray, north: xr.DataArray, geo: Geometry, sign: float, opts: dict):
    for dim in (geo.y_dim, geo.x_dim):
        check_dim(east, dim)
        check_dim(north, dim)
    if east.dims != north.dims or east.shape != north.shape:
        raise ValueError(
            f"the two components have different dims or shapes: {east.dims} {east.shape} and "
            f"{north.dims} {north.shape}"
        )
    c = Curvilinear(east, geo, **opts)
    dt = float_dtype(np.result_type(east.dtype, north.dtype))
    be, bn = c.bare(east).astype(dt, copy=False), c.bare(north).astype(dt, copy=False)
    tan = c.tan_term(dt)
    if sign > 0:
        return c.east(be) + c.north(bn) - bn * tan
    return c.east(bn) - c.north(be) + be * tan


def div(
    east: xr.DataArray,
    north: xr.DataArray,
    geo: Geometry,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
) -> xr.DataArray:
    """Horizontal divergence ``d east/dE + d north/dN - north tan(lat)/R`` on a curvilinear grid.

    Parameters
    ----------
    east, north : DataArray
        True eastward and northward components on the logical dims of ``geo``.
    geo : Geometry
        A curvilinear geometry from :func:`fieldops.grids.detect_geometry`.
    accuracy, boundary, fill_value
        As for :class:`Curvilinear`.
    method, window, polyorder, sigma : optional
        How to differentiate the field along the logical dims, as in
        :func:`fieldops.diff` (``window``/``sigma`` in index units, or in the
        logical dims' coordinate units); one value or a dict per logical dim.
    nan_policy, mask : optional
        ``nan_policy="omit"`` or a boolean ``mask`` (True where valid) make NaN
        or masked cells (land) domain boundaries, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray
        Named ``div``, units of the components per metre.

    Examples
    --------
    >>> from fieldops.grids import detect_geometry
    >>> j, i = np.meshgrid(np.arange(10.0), np.arange(12.0), indexing="ij")
    >>> lat = 10 + 0.5 * j + 0.2 * i
    >>> u = xr.DataArray(np.cos(np.deg2rad(lat)), dims=("j", "i"),
    ...                  coords={"lat": (("j", "i"), lat), "lon": (("j", "i"), 0.5 * i - 0.2 * j)})
    >>> bool(abs(div(u, 0 * u, detect_geometry(u))).max() * 6.4e6 < 1e-5)
    True
    """
    opts = dict(
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
    )
    res = _vector(east, north, geo, 1.0, opts)
    return finish(res, east, "div", "divergence on a curvilinear grid", ["m"])


def curl(
    east: xr.DataArray,
    north: xr.DataArray,
    geo: Geometry,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
) -> xr.DataArray:
    """Vertical curl ``d north/dE - d east/dN + east tan(lat)/R`` on a curvilinear grid.

    Parameters
    ----------
    east, north : DataArray
        True eastward and northward components on the logical dims of ``geo``.
    geo : Geometry
        A curvilinear geometry from :func:`fieldops.grids.detect_geometry`.
    accuracy, boundary, fill_value
        As for :class:`Curvilinear`.
    method, window, polyorder, sigma : optional
        How to differentiate the field along the logical dims, as in
        :func:`fieldops.diff` (``window``/``sigma`` in index units, or in the
        logical dims' coordinate units); one value or a dict per logical dim.
    nan_policy, mask : optional
        ``nan_policy="omit"`` or a boolean ``mask`` (True where valid) make NaN
        or masked cells (land) domain boundaries, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray
        Named ``curl``, units of the components per metre.

    Examples
    --------
    >>> from fieldops.grids import detect_geometry, EARTH_RADIUS
    >>> j, i = np.meshgrid(np.arange(10.0), np.arange(12.0), indexing="ij")
    >>> lat = 10 + 0.5 * j + 0.2 * i
    >>> u = xr.DataArray(np.cos(np.deg2rad(lat)), dims=("j", "i"),
    ...                  coords={"lat": (("j", "i"), lat), "lon": (("j", "i"), 0.5 * i - 0.2 * j)})
    >>> z = curl(u, 0 * u, detect_geometry(u)) * EARTH_RADIUS / 2
    >>> bool(abs(z - np.sin(np.deg2rad(lat))).max() < 1e-4)
    True
    """
    opts = dict(
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
    )
    res = _vector(east, north, geo, -1.0, opts)
    return finish(res, east, "curl", "vertical curl on a curvilinear grid", ["m"])


def laplacian(
    f: xr.DataArray,
    geo: Geometry,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
) -> xr.DataArray:
    """Laplacian on a curvilinear grid, as the divergence of the gradient.

    Two first-derivative passes through the chain rule (a stencil twice as wide
    as a second-derivative one): of the scheme's order in the interior, one
    order less on the rows within the stencil's reach of an edge.

    Parameters
    ----------
    f : DataArray
        Field on the logical dims of ``geo``.
    geo : Geometry
        A curvilinear geometry from :func:`fieldops.grids.detect_geometry`.
    accuracy, boundary, fill_value
        As for :class:`Curvilinear`.
    method, window, polyorder, sigma : optional
        How to differentiate the field along the logical dims, as in
        :func:`fieldops.diff` (``window``/``sigma`` in index units, or in the
        logical dims' coordinate units); one value or a dict per logical dim.
    nan_policy, mask : optional
        ``nan_policy="omit"`` or a boolean ``mask`` (True where valid) make NaN
        or masked cells (land) domain boundaries, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray
        Units of ``f`` per square metre.

    Examples
    --------
    >>> from fieldops.grids import detect_geometry, EARTH_RADIUS
    >>> j, i = np.meshgrid(np.arange(40.0), np.arange(50.0), indexing="ij")
    >>> lat = 10 + 0.5 * j + 0.2 * i
    >>> y10 = xr.DataArray(np.sin(np.deg2rad(lat)), dims=("j", "i"),
    ...     coords={"lat": (("j", "i"), lat), "lon": (("j", "i"), 0.5 * i - 0.2 * j)})
    >>> lap = laplacian(y10, detect_geometry(y10), accuracy=4) * EARTH_RADIUS**2
    >>> bool(abs(lap + 2 * y10).max() < 1e-4)
    True
    """
    c = Curvilinear(
        f,
        geo,
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
    )
    e, n = c.east_north(c.bare(f))
    res = c.east(e) + c.north(n) - n * c.tan_term(n.dtype)
    name = f"lap_{f.name}" if f.name is not None else "laplacian"
    long_name = f"Laplacian of {f.attrs.get('long_name') or f.name or 'the data'}"
    return finish(res, f, name, long_name, ["m", "m"])
