"""The metric of a regular latitude/longitude grid: :class:`Sphere` (private module).

Public through :mod:`fieldops.spherical`, whose docstring describes the forms and
the pole policy.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops._fields import frame_options, is_plain
from fieldops._validate import align_mask, check_accuracy, check_numeric, check_xarray
from fieldops.boundary import BoundarySpec, resolve_boundary
from fieldops.core import apply_along, is_dask
from fieldops.curvilinear import finish
from fieldops.geometry import check_dim, validate_monotonic
from fieldops.grids import (
    EARTH_RADIUS,
    check_longitude,
    longitude_is_periodic,
    longitude_repeats_endpoint,
)
from fieldops.operators import Options, axis_stencil, partial_data
from fieldops.stencils.weights import AxisStencil, fornberg, is_uniform, scaled

POLE_POLICIES = ("limit", "nan")
_POLE_ATOL_DEG = 1e-5


def _check_poles(poles: object) -> str:
    if poles not in POLE_POLICIES:
        raise ValueError(f"unknown poles policy {poles!r}; use one of {POLE_POLICIES}")
    return str(poles)


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


# Stencils of the grids met lately, shared by the Sphere objects of successive
# calls: building one costs more than differentiating a 1-degree field. Keys hold the
# coordinate values, so a different grid never gets another's stencil.
_STENCILS: dict[tuple, AxisStencil] = {}
_STENCILS_KEPT = 64


def _shared_stencil(key: tuple, build) -> AxisStencil:
    found = _STENCILS.get(key)
    if found is None:
        if len(_STENCILS) >= _STENCILS_KEPT:
            _STENCILS.pop(next(iter(_STENCILS)))
        found = _STENCILS[key] = build()
    return found


class Sphere:
    """The metric of one regular latitude/longitude grid, ready to differentiate on.

    Parameters
    ----------
    ref : DataArray
        A field on the grid (only its coordinates are read).
    lat_dim, lon_dim : hashable
        Latitude and longitude dims, coordinates in degrees.
    accuracy : int
        Even accuracy order of every stencil.
    boundary : str or dict, optional
        Edge rule per dim; longitude defaults to ``periodic`` when it spans 360
        degrees, everything else to ``one_sided``. Latitude cannot be periodic.
    radius : float
        Sphere radius in metres.
    poles : {"limit", "nan"}
        Pole policy (see the module docstring).
    fill_value : float
        Value of edge rows under ``boundary="fill"``.
    how : dict, optional
        The method and NaN options of the call (``method``, ``window``,
        ``polyorder``, ``sigma``, ``nan_policy``, ``mask``; from
        :func:`fieldops._fields.how_options`). Plain finite differences that
        propagate NaN (or None) take the fused per-radian stencils; anything else
        is computed per degree on the field's own coordinates (``window`` and
        ``sigma`` in degrees) through :func:`fieldops.operators.partial_data` and
        converted to per radian.

    Notes
    -----
    A longitude whose last column repeats the first meridian (``0..360`` with
    both ends kept) is periodic over the unique columns; the repeated column
    gets the values of the first.

    Examples
    --------
    >>> da = xr.DataArray(np.zeros((3, 8)), dims=("lat", "lon"),
    ...                   coords={"lat": [-90.0, 0.0, 90.0], "lon": np.arange(0, 360, 45.0)})
    >>> s = Sphere(da, "lat", "lon")
    >>> s.boundary, s.pole_rows
    ({'lat': 'one_sided', 'lon': 'periodic'}, (0, 2))
    """

    def __init__(
        self,
        ref: xr.DataArray,
        lat_dim: Hashable,
        lon_dim: Hashable,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        radius: float = EARTH_RADIUS,
        poles: str = "limit",
        fill_value: float = np.nan,
        how: Mapping[str, object] | None = None,
    ) -> None:
        check_xarray(ref)
        if not isinstance(ref, xr.DataArray):
            raise TypeError(
                "spherical operators take DataArrays; pick a variable of the Dataset "
                "(ds['u']) or use the Dataset accessor's kinematics methods"
            )
        check_dim(ref, lat_dim)
        check_dim(ref, lon_dim)
        self.lat_dim, self.lon_dim = lat_dim, lon_dim
        self.accuracy = check_accuracy(accuracy)
        self.poles = _check_poles(poles)
        if not (np.isfinite(radius) and radius > 0):
            raise ValueError(f"radius must be a positive number of metres, got {radius!r}")
        self.radius = float(radius)
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
        self.boundary = resolve_boundary(boundary, [lat_dim, lon_dim], defaults=defaults)
        if self.boundary[lat_dim] == "periodic":
            raise ValueError(
                f"latitude dim {lat_dim!r} cannot be periodic; use 'one_sided' (default), "
                "'mirror' or 'fill' for it"
            )
        self.opts = Options(
            self.accuracy,
            self.boundary,
            float(fill_value),
            {lat_dim: None, lon_dim: 2 * np.pi},
            None,
        )
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
        if how is not None and not is_plain(how):
            self.how_opts, self.mask = frame_options(
                ref,
                [lat_dim, lon_dim],
                how,
                accuracy=self.accuracy,
                boundary=self.boundary,
                fill_value=fill_value,
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

    def east_north(self, b: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
        """Eastward (pole rows 0 until fixed) and northward derivatives per metre."""
        return self.east(b), self.north(b)

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
            shared = self._stencil_key(dim, order)

            def build() -> AxisStencil:
                grid = xr.DataArray(values, dims=(dim,), coords={dim: values})
                return axis_stencil(grid, dim, order, self.opts)[0]

            self._stencils[key] = _shared_stencil(shared, build)
        return self._stencils[key]

    def flux_stencil(self) -> AxisStencil:
        """The stencil of ``(b cos(phi))_phi / (R cos(phi))`` (0 on pole rows), one pass."""
        key = ("flux", self.lat_dim)
        if key not in self._stencils:
            base = self.stencil(self.lat_dim)
            shared = ("flux", self._stencil_key(self.lat_dim, 1), self.radius)
            self._stencils[key] = _shared_stencil(
                shared, lambda: scaled(base, self.cos, self.inv_cos / self.radius)
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

    def finish(
        self,
        res: xr.DataArray,
        like: xr.DataArray,
        name: str,
        long_name: str,
        denominators: list[str | None],
    ) -> xr.DataArray:
        """Put ``like``'s coords, dim order, chunks and attrs on a bare result."""
        return finish(res, like, name, long_name, denominators)


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
