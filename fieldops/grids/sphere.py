"""The frame of a regular latitude/longitude grid: :class:`Sphere`.

:mod:`fieldops.grids.spherical` describes the forms (flux forms of div and curl,
the Laplacian's metric terms) and the pole policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops._validate import align_mask, check_dim, check_numeric
from fieldops.grids.coords import validate_monotonic
from fieldops.grids.detect import (
    Geometry,
    check_longitude,
    longitude_is_periodic,
    longitude_repeats_endpoint,
)
from fieldops.grids.frame import Entries, Frame, midpoint_widths, register
from fieldops.grids.partials import axis_stencil, partial_data
from fieldops.options import How, Options, Where, frame_options, resolve_how
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.cache import shared
from fieldops.stencils.dispatch import apply_along, is_dask
from fieldops.stencils.weights import AxisStencil, fornberg, is_uniform, scaled

_POLE_ATOL_DEG = 1e-5


def _degrees(da: xr.DataArray, dim: Hashable, what: str) -> np.ndarray:
    """The 1-D coordinate of ``dim`` in float64 degrees, float32 noise snapped away."""
    if dim not in da.coords:
        raise ValueError(
            f"{what} dim {dim!r} has no coordinate; spherical derivatives need its values "
            "in degrees"
        )
    coord = da.coords[dim]
    if coord.ndim != 1 or coord.dtype.kind not in "iuf":
        raise ValueError(f"{what} coordinate {dim!r} must be 1-D and numeric (degrees)")
    raw = np.asarray(coord.values)
    values = raw.astype(np.float64)
    if values.size > 2 and is_uniform(raw) and np.all(np.isfinite(values)):
        values = np.linspace(values[0], values[-1], values.size)
    return values


@register("spherical")
class Sphere(Frame):
    """The metric of one regular latitude/longitude grid, ready to differentiate on.

    Parameters
    ----------
    ref : DataArray or Dataset
        A field on the grid (only its coordinates are read).
    geo : Geometry
        The detected grid (``kind="spherical"``): latitude and longitude dims,
        coordinates in degrees.
    where : Where
        Radius (metres) and pole policy (see :mod:`fieldops.grids.spherical`).
    how : How
        Accuracy; edge rule per dim (longitude defaults to ``periodic`` when it
        spans 360 degrees, everything else to ``one_sided``; latitude cannot be
        periodic); fill value. Plain finite differences that propagate NaN take
        the fused per-radian stencils; any other method or NaN policy is
        computed per degree on the field's own coordinates (``window`` and
        ``sigma`` in degrees) through :func:`fieldops.grids.partials.partial_data`
        and converted to per radian.

    Notes
    -----
    A longitude whose last column repeats the first meridian (``0..360`` with
    both ends kept) is periodic over the unique columns; the repeated column
    gets the values of the first.

    Examples
    --------
    >>> da = xr.DataArray(np.zeros((3, 8)), dims=("lat", "lon"),
    ...                   coords={"lat": [-90.0, 0.0, 90.0], "lon": np.arange(0, 360, 45.0)})
    >>> geo = Geometry("spherical", "lat", "lon", "lat", "lon", 6.4e6)
    >>> s = Sphere(da, geo, Where(), How())
    >>> s.boundary, s.pole_rows
    ({'lat': 'one_sided', 'lon': 'periodic'}, (0, 2))
    """

    def __init__(self, ref: xr.DataArray | xr.Dataset, geo: Geometry, where: Where, how: How):
        lat_dim, lon_dim = geo.y_dim, geo.x_dim
        for dim in (lat_dim, lon_dim):
            check_dim(ref, dim)
        self.dims = (lat_dim, lon_dim)
        self.lat_dim, self.lon_dim = lat_dim, lon_dim
        self.poles = where.poles
        self.radius = float(geo.radius)  # the call's radius, or the file's Earth
        lat = _degrees(ref, lat_dim, "latitude")
        if np.nanmax(np.abs(lat)) > 90.0 + _POLE_ATOL_DEG:
            raise ValueError(
                f"latitude {lat_dim!r} has values beyond +-90 degrees; convert it to degrees"
            )
        validate_monotonic(lat, lat_dim)  # here, in degrees: the stencils see radians
        lon = check_longitude(_degrees(ref, lon_dim, "longitude"), lon_dim)
        validate_monotonic(lon, lon_dim)
        self.repeated_lon = False
        self.periodic_lon = longitude_is_periodic(lon)
        if not self.periodic_lon:
            self.repeated_lon = self.periodic_lon = longitude_repeats_endpoint(lon)
        defaults = {lon_dim: "periodic"} if self.periodic_lon else {}
        grid_how = how.grid(self.dims)
        plain = resolve_how(ref, self.dims, grid_how, boundary_defaults=defaults)
        self.accuracy, self.boundary = plain.accuracy, plain.boundary
        if self.boundary[lat_dim] == "periodic":
            raise ValueError(
                f"latitude dim {lat_dim!r} cannot be periodic; use 'one_sided' (default), "
                "'mirror' or 'fill' for it"
            )
        self.opts = dataclasses.replace(plain, period={lat_dim: None, lon_dim: 2 * np.pi})
        self.lat_deg = np.clip(lat, -90.0, 90.0)
        self.lon_deg = lon
        self.phi = np.deg2rad(self.lat_deg)
        self.lam = np.deg2rad(lon)
        self.sizes = {lat_dim: self.phi.size, lon_dim: self.lam.size}
        # A repeated endpoint is differentiated over the unique columns only (a
        # periodic stencil must not see the same meridian twice).
        self.wrap_seam = self.repeated_lon and self.boundary[lon_dim] == "periodic"
        unique = slice(0, -1) if self.wrap_seam else slice(None)
        # Radian coordinates for the stencils, wrapped in xarray only when first used
        # (building a Dataset costs more than a small grid's whole derivative).
        self._radians = {lat_dim: self.phi, lon_dim: self.lam[unique]}
        self.how_opts: Options | None = None
        self.mask: xr.DataArray | None = None
        if not how.plain:
            self.how_opts, self.mask = frame_options(
                ref,
                self.dims,
                how.replace(boundary=self.boundary),
                period={lat_dim: None, lon_dim: 360.0 if self.periodic_lon else None},
            )
            if self.how_opts.method_of(lat_dim).method == "spectral":
                raise ValueError(
                    f"method='spectral' needs a periodic dim, and latitude {lat_dim!r} is not; "
                    f"use it along longitude only, e.g. method={{{lon_dim!r}: 'spectral', "
                    f"{lat_dim!r}: 'savgol'}} (with window=), or another method"
                )
        self._stencils: dict = {}
        pole = np.abs(np.abs(self.lat_deg) - 90.0) < _POLE_ATOL_DEG
        self.pole_rows = tuple(int(i) for i in np.flatnonzero(pole))
        cos = np.where(pole, 0.0, np.cos(self.phi))
        self.cos = cos
        self.inv_cos = np.divide(1.0, cos, out=np.zeros_like(cos), where=~pole)
        self.tan = np.where(pole, 0.0, np.tan(np.where(pole, 0.0, self.phi)))

    # -- building blocks -------------------------------------------------------
    length_unit = "m"
    place = "on the sphere"

    @classmethod
    def describe(cls, ds: xr.Dataset, geo: Geometry) -> list[str]:
        """Latitude, longitude (periodic or not) and radius."""
        lines = super().describe(ds, geo)
        lon = np.asarray(ds[geo.lon].values, dtype=np.float64)
        periodic = ": not periodic"
        if longitude_is_periodic(lon):
            periodic = ": periodic (spans 360 degrees)"
        elif longitude_repeats_endpoint(lon):
            periodic = ": periodic (spans 360 degrees; the last column repeats the first)"
        lines[1] += periodic
        return lines

    def tan_term(self, dtype: np.dtype) -> xr.DataArray:
        """``tan(phi) / R`` over latitude (0 on pole rows, fixed later by the pole policy)."""
        return self.metric(self.tan / self.radius, dtype)

    def latitude(self) -> xr.DataArray:
        """Latitude in degrees, over the latitude dim."""
        return xr.DataArray(self.lat_deg, dims=(self.lat_dim,))

    def metric(self, values: np.ndarray, dtype: np.dtype) -> xr.DataArray:
        """A 1-D array over latitude, in the dtype of the result."""
        return xr.DataArray(values.astype(dtype), dims=(self.lat_dim,))

    def bare(self, da: xr.DataArray) -> xr.DataArray:
        """``da``'s data on its dims only (no coordinates to align or copy)."""
        check_numeric(da)
        for dim in (self.lat_dim, self.lon_dim):
            check_dim(da, dim)
            if da.sizes[dim] != self.sizes[dim]:
                raise ValueError(
                    f"dim {dim!r} has {da.sizes[dim]} points here but {self.sizes[dim]} in the "
                    "grid; the fields must share one grid"
                )
        return xr.DataArray(da.data, dims=da.dims)

    def _stencil_key(self, dim: Hashable, order: int) -> tuple:
        """What a stencil along ``dim`` depends on: values, order, accuracy, edges."""
        mode, period = self.opts.boundary[dim], self.opts.period[dim]
        return (self._radians[dim].tobytes(), order, self.accuracy, mode, period)

    def stencil(self, dim: Hashable, order: int = 1) -> AxisStencil:
        """The stencil of d^order/d dim^order in radians (built once per grid)."""
        key = (dim, order)
        if key not in self._stencils:
            values = self._radians[dim]
            cache_key = ("sphere", *self._stencil_key(dim, order))

            def build() -> AxisStencil:
                grid = xr.DataArray(values, dims=(dim,), coords={dim: values})
                return axis_stencil(grid, dim, order, self.opts)[0]

            self._stencils[key] = shared(cache_key, build)
        return self._stencils[key]

    def flux_stencil(self) -> AxisStencil:
        """The stencil of ``(b cos(phi))_phi / (R cos(phi))`` (0 on pole rows), one pass."""
        key = ("flux", self.lat_dim)
        if key not in self._stencils:
            base = self.stencil(self.lat_dim)
            cache_key = ("sphere-flux", self._stencil_key(self.lat_dim, 1), self.radius)
            self._stencils[key] = shared(
                cache_key, lambda: scaled(base, self.cos, self.inv_cos / self.radius)
            )
        return self._stencils[key]

    def d_data(self, data, axis: int, dim: Hashable, order: int = 1):
        """Derivative per radian of a numpy or Dask array along ``axis`` (= ``dim``).

        Plain finite differences only (the fast path); :meth:`d` also honours ``how``.
        """
        if dim == self.lon_dim and self.wrap_seam:
            inner = apply_along(
                _take(data, axis, slice(0, -1)),
                axis,
                self.stencil(dim, order),
                fill_value=self.opts.fill_value,
            )
            return _close_seam(inner, axis, data)
        return apply_along(data, axis, self.stencil(dim, order), fill_value=self.opts.fill_value)

    def d(self, da: xr.DataArray, dim: Hashable, order: int = 1) -> xr.DataArray:
        """Derivative per radian along ``dim`` (bare result: dims, no coords)."""
        b = self.bare(da)
        if self.how_opts is not None:
            return self._d_how(b, dim, order)
        return xr.DataArray(self.d_data(b.data, b.get_axis_num(dim), dim, order), dims=b.dims)

    def _d_how(self, b: xr.DataArray, dim: Hashable, order: int) -> xr.DataArray:
        """:meth:`d` under the method and NaN options: per degree, then per radian."""
        if self.mask is not None:
            b = b.where(align_mask(b, self.mask))  # by label: aligned to ref
        # The field's own coordinates in degrees: window= and sigma= mean what
        # the user sees; the longitude unwrapped so that it is monotonic.
        field = b.assign_coords({self.lat_dim: self.lat_deg, self.lon_dim: self.lon_deg})
        seam = dim == self.lon_dim and self.wrap_seam
        if seam:
            field = field.isel({self.lon_dim: slice(0, -1)})
        data, _ = partial_data(field, {dim: order}, self.how_opts)
        if seam:
            data = _close_seam(data, b.get_axis_num(dim), b.data)
        per_radian = data * data.dtype.type((180.0 / np.pi) ** order)
        return xr.DataArray(per_radian, dims=b.dims)

    def _one_kernel(self, *arrays: xr.DataArray) -> bool:
        """True for the lazy one-kernel Dask graphs of :mod:`fieldops.grids.sphere_dask`.

        Plain finite differences on Dask data, no repeated longitude endpoint.
        """
        return self.how_opts is None and not self.wrap_seam and all(is_dask(a.data) for a in arrays)

    def grad_stacked(self, b: xr.DataArray) -> xr.DataArray | None:
        """(northward, eastward) along a leading ``component`` dim, in one Dask kernel.

        None where :meth:`grad` is the way (numpy data, a method, a repeated seam).
        """
        b = self.bare(b)
        if not self._one_kernel(b):
            return None
        from fieldops.grids import sphere_dask

        lat_ax, lon_ax = b.get_axis_num(self.lat_dim), b.get_axis_num(self.lon_dim)
        data = sphere_dask.grad(self, b.data, lat_ax, lon_ax)
        return xr.DataArray(data, dims=("component", *b.dims))

    def north(self, da: xr.DataArray) -> xr.DataArray:
        """Northward derivative per metre (defined on pole rows too)."""
        return self.d(da, self.lat_dim) * (1.0 / self.radius)

    def east(self, da: xr.DataArray) -> xr.DataArray:
        """Eastward derivative per metre; pole rows are 0 until :meth:`fix_poles`."""
        res = self.d(da, self.lon_dim)
        return res * self.metric(self.inv_cos / self.radius, res.dtype)

    @property
    def _unique_lon(self) -> slice:
        """The longitude columns of a zonal mean (a repeated endpoint counted once)."""
        return slice(0, -1) if self.repeated_lon else slice(None)

    def uniform_zonal(self) -> bool:
        """A periodic longitude of equal steps, without a repeated endpoint."""
        if self.repeated_lon or not self.periodic_lon:
            return False
        step = np.diff(self.lam)
        return bool(np.allclose(step, step[0], rtol=1e-9, atol=0))

    def pole_limit(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and weights of a scalar's pole limit (zonal means, even polynomial)."""
        rows, weights, _ = self._pole_weights(p, "scalar")
        return rows, weights

    def _pole_weights(self, p: int, kind: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """Rows, weights and whether zonal means are used, for pole row ``p``."""
        n = self.phi.size
        step = 1 if p == 0 else -1
        scalar = kind == "scalar" and self.periodic_lon
        k = self.accuracy // 2 + 1 if scalar else self.accuracy + 1
        rows = p + step * np.arange(1, k + 1)
        rows = rows[(rows >= 0) & (rows < n) & ~np.isin(rows, self.pole_rows)]
        if scalar:
            theta = np.pi / 2 - np.abs(self.phi[rows])
            vander = theta[:, None] ** (2 * np.arange(rows.size))[None, :]
            weights = np.linalg.solve(vander.T, np.eye(rows.size)[0])
        else:
            weights = fornberg(self.phi[p], self.phi[rows], 0)
        return rows, weights, scalar

    def fix_poles(self, res: xr.DataArray, kind: str) -> xr.DataArray:
        """Set the pole rows of ``res`` by the pole policy.

        ``kind="scalar"``: one value per pole from the zonal means of the nearest
        rows; ``kind="meridian"``: the limit along each meridian. A numpy
        result is changed in place (callers pass arrays they own).
        """
        if not self.pole_rows:
            return res
        if isinstance(res.data, np.ndarray):
            self._fix_poles_numpy(
                res.data, res.get_axis_num(self.lat_dim), res.get_axis_num(self.lon_dim), kind
            )
            return res
        res = res.copy(deep=False)
        for p in self.pole_rows:
            if self.poles == "nan":
                res[{self.lat_dim: p}] = np.nan
                continue
            rows, weights, scalar = self._pole_weights(p, kind)
            value = None
            for w, r in zip(weights, rows):
                row = res.isel({self.lat_dim: int(r)})
                if scalar:
                    row = row.isel({self.lon_dim: self._unique_lon}).mean(
                        self.lon_dim, skipna=False
                    )
                # float64 weights, as in the numpy path: the same rounding on both.
                term = row * np.float64(w)
                value = term if value is None else value + term
            res[{self.lat_dim: p}] = value.astype(res.dtype)
        return res

    def _fix_poles_numpy(self, data: np.ndarray, lat_ax: int, lon_ax: int, kind: str) -> None:
        def at(row: int) -> tuple:
            return tuple(row if ax == lat_ax else slice(None) for ax in range(data.ndim))

        for p in self.pole_rows:
            if self.poles == "nan":
                data[at(p)] = np.nan
                continue
            rows, weights, scalar = self._pole_weights(p, kind)
            lon_in_row = lon_ax - (lon_ax > lat_ax)
            value = 0.0
            for w, r in zip(weights, rows):
                row = data[at(int(r))]
                if scalar:
                    row = zonal_mean(row, lon_in_row, self._unique_lon)
                value = value + row * w
            data[at(p)] = value

    # -- operators --------------------------------------------------------------
    def flux_form(self, a: xr.DataArray, b: xr.DataArray, sign: float) -> xr.DataArray:
        """``(a_lam + sign * (b cos phi)_phi) / (R cos phi)``, pole rows by the pole policy.

        ``a, b = east, north`` with ``sign=+1`` is the divergence; ``a, b = north,
        east`` with ``sign=-1`` is the vertical vorticity. Bare result (dims only).
        The metric factors of the ``b`` term are folded into its stencil; on numpy
        data the sum is formed in place: three passes over the data in all.
        """
        dtype = float_dtype(np.result_type(a.dtype, b.dtype))
        b = b.transpose(*a.dims)
        if self.how_opts is not None:
            b_cos = self.bare(b).astype(dtype) * self.metric(self.cos, dtype)
            da_lam, db_phi = self.d(a, self.lon_dim), self.d(b_cos, self.lat_dim)
            total = da_lam + db_phi if sign > 0 else da_lam - db_phi
            return self.fix_poles(total * self.metric(self.inv_cos / self.radius, dtype), "scalar")
        lat_ax = a.get_axis_num(self.lat_dim)
        if self._one_kernel(a, b):
            from fieldops.grids import sphere_dask

            a, b = self.bare(a), self.bare(b)
            lon_ax = a.get_axis_num(self.lon_dim)
            data = sphere_dask.flux(self, a.data, b.data, sign, lat_ax, lon_ax)
            return xr.DataArray(data, dims=a.dims)
        shape = [-1 if ax == lat_ax else 1 for ax in range(a.ndim)]
        weight = (self.inv_cos / self.radius).astype(dtype).reshape(shape)
        eager = isinstance(a.data, np.ndarray) and isinstance(b.data, np.ndarray)
        a, b = self.bare(a), self.bare(b)
        lon_ax = a.get_axis_num(self.lon_dim)
        b_data = b.data.astype(dtype, copy=False)
        # cos(phi) and 1 / (R cos(phi)) are folded into the latitude stencil's weights:
        # the b term is one pass over b, not a product, a stencil and a product.
        db_phi = apply_along(b_data, lat_ax, self.flux_stencil(), fill_value=self.opts.fill_value)
        if eager:
            out = self.d_data(a.data, lon_ax, self.lon_dim)
            _combine(out, db_phi, weight, sign)
            return self.fix_poles(xr.DataArray(out, dims=a.dims), "scalar")
        da_lam = self.d_data(a.data, lon_ax, self.lon_dim) * weight
        total = da_lam + db_phi if sign > 0 else da_lam - db_phi
        return self.fix_poles(xr.DataArray(total, dims=a.dims), "scalar")

    def div(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        """Divergence in flux form, ``(u_lam + (v cos phi)_phi) / (R cos phi)``."""
        return self.flux_form(east, north, 1.0)

    def curl(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        """Vertical vorticity in flux form, ``(v_lam - (u cos phi)_phi) / (R cos phi)``."""
        return self.flux_form(north, east, -1.0)

    def laplacian(self, b: xr.DataArray) -> xr.DataArray:
        """``(f_phiphi - tan(phi) f_phi + f_lamlam / cos(phi)**2) / R**2``, poles by the policy."""
        b = self.bare(b)
        if self._one_kernel(b):
            from fieldops.grids import sphere_dask

            lat_ax, lon_ax = b.get_axis_num(self.lat_dim), b.get_axis_num(self.lon_dim)
            data = sphere_dask.laplacian(self, b.data, lat_ax, lon_ax)
            return xr.DataArray(data, dims=b.dims)
        f_pp = self.d(b, self.lat_dim, 2)
        f_p = self.d(b, self.lat_dim, 1)
        f_ll = self.d(b, self.lon_dim, 2)
        dtype = f_pp.dtype
        r2 = self.radius**2
        res = (
            f_pp * dtype.type(1 / r2)
            - f_p * self.metric(self.tan / r2, dtype)
            + f_ll * self.metric(self.inv_cos**2 / r2, dtype)
        )
        return self.fix_poles(res, "scalar")

    def hessian(self, b: xr.DataArray) -> Entries:
        """The covariant Hessian: second-derivative stencils plus the metric terms."""
        y, x = self.lat_dim, self.lon_dim
        dt = float_dtype(b.dtype)
        r2 = self.radius**2
        f_p, f_pp = self.d(b, y, 1), self.d(b, y, 2)
        f_l, f_ll = self.d(b, x, 1), self.d(b, x, 2)
        f_lp = self.d(f_l, y, 1)
        nn = f_pp * dt.type(1 / r2)
        ee = f_ll * self.metric(self.inv_cos**2 / r2, dt) - f_p * self.metric(self.tan / r2, dt)
        en = (f_lp + f_l * self.metric(self.tan, dt)) * self.metric(self.inv_cos / r2, dt)
        en = self.fix_poles(en, "meridian")
        return {(y, y): nn, (x, x): self.fix_poles(ee, "meridian"), (y, x): en, (x, y): en}

    # -- metric data ------------------------------------------------------------
    def laplacian_bound(self) -> float:
        """Largest absolute row sum of :meth:`laplacian`'s rows, per square metre.

        Interior rows only; the zonal terms grow as ``1 / cos(latitude)**2``, so
        the rows next to a pole set the bound.
        """
        y, x = self.dims
        rows = (
            _row_sums(self.stencil(y, 2))
            + np.abs(self.tan) * _row_sums(self.stencil(y, 1))
            + self.inv_cos**2 * np.nanmax(_row_sums(self.stencil(x, 2)))
        ) / self.radius**2
        return float(np.nanmax(rows, initial=0.0))

    def cell_widths(self) -> dict[Hashable, xr.DataArray]:
        """Metres: ``R dphi`` along latitude, ``R cos(phi) dlam`` along longitude.

        Examples
        --------
        >>> da = xr.DataArray(np.zeros((3, 4)), dims=("lat", "lon"),
        ...                   coords={"lat": [-60.0, 0.0, 60.0], "lon": [0.0, 90, 180, 270]})
        >>> geo = Geometry("spherical", "lat", "lon", "lat", "lon", 1.0)
        >>> w = Sphere(da, geo, Where(radius=1.0), How()).cell_widths()
        >>> round(float(w["lon"][1, 0]), 6), round(float(w["lat"][1]), 6)
        (1.570796, 1.047198)
        """
        dphi = midpoint_widths(self.phi)
        if self.periodic_lon:
            step = np.abs(np.diff(self.lam[self._unique_lon]))
            dlam = np.full(self.lam.size, float(np.mean(step)) if step.size else 0.0)
        else:
            dlam = midpoint_widths(self.lam)
        lat = xr.DataArray(self.radius * dphi, dims=(self.lat_dim,))
        lon = xr.DataArray(
            self.radius * self.cos[:, None] * dlam[None, :], dims=(self.lat_dim, self.lon_dim)
        )
        return {self.lat_dim: lat, self.lon_dim: lon}


def _row_sums(st: AxisStencil) -> np.ndarray:
    """Sum of |weights| of each interior row (NaN on edge rows)."""
    out = np.full(st.n, np.nan)
    out[st.lo : st.n - st.hi] = np.abs(st.weights).sum(axis=0)
    return out


def _combine(out: np.ndarray, other: np.ndarray, weight: np.ndarray, sign: float) -> None:
    """``out = out * weight + sign * other`` in place."""
    np.multiply(out, weight, out=out)
    if sign > 0:
        np.add(out, other, out=out)
    else:
        np.subtract(out, other, out=out)


def _take(data, axis: int, index: slice):
    """``data[..., index, ...]`` along ``axis``."""
    return data[tuple(index if ax == axis else slice(None) for ax in range(data.ndim))]


def zonal_mean(row: np.ndarray, lon_axis: int, unique: slice) -> np.ndarray:
    """Mean of ``row`` over its ``unique`` longitudes, longitude kept (length 1).

    Summed along a contiguous copy with longitude last: numpy's summation order
    otherwise depends on the layout and the sizes of the other dims, and Dask
    blocks must give the numpy path's bits.
    """
    zonal = np.ascontiguousarray(np.moveaxis(_take(row, lon_axis, unique), lon_axis, -1))
    return np.moveaxis(zonal.mean(axis=-1, keepdims=True), -1, lon_axis)


def _close_seam(inner, axis: int, full):
    """``inner`` (the unique longitude columns) with the first column repeated at the end.

    On Dask the result gets ``full``'s chunks back along ``axis``.
    """
    first = _take(inner, axis, slice(0, 1))
    if is_dask(inner):
        import dask.array as dsa

        out = dsa.concatenate([inner, first], axis=axis)
        if is_dask(full):
            out = out.rechunk({axis: full.chunks[axis]})
        return out
    return np.concatenate([inner, first], axis=axis)
