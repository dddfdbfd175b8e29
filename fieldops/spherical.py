"""Derivatives on a regular latitude/longitude grid of a sphere, poles included.

With latitude ``phi`` and longitude ``lam`` in radians, radius ``R``:

* gradient: eastward ``f_lam / (R cos phi)``, northward ``f_phi / R`` (per metre);
* divergence: ``(u_lam + (v cos phi)_phi) / (R cos phi)`` (flux form);
* vertical vorticity: ``(v_lam - (u cos phi)_phi) / (R cos phi)`` (flux form);
* Laplacian: ``(f_phiphi - tan(phi) f_phi + f_lamlam / cos(phi)**2) / R**2``.

The cos/tan metric terms are analytic; only the fields are finite-differenced
(never map factors), with the per-axis stencils of :func:`fieldops.diff`.
Longitude is periodic by default when it spans 360 degrees, whatever its start,
direction or wrap point; latitude may be descending, non-uniform (Gaussian) and
float32.

Pole policy (``poles=``)
------------------------
Only rows *exactly on* a pole (|lat| = 90) are special: there ``cos(phi) = 0`` and
the metric terms are 0/0. Rows next to a pole need nothing special (the flux
form keeps their error bounded). Two policies:

``"limit"`` (default)
    The pole row gets the limit of the quantity at the pole. A scalar (divergence,
    vorticity, Laplacian) is one number per pole: the zonal means of the nearest
    ``accuracy // 2 + 1`` rows, extrapolated to the pole with an even polynomial in
    colatitude (a zonal mean of a smooth field is even in colatitude), so the
    pole value keeps the scheme's order. A direction-dependent quantity (the
    eastward derivative, deformation, advection terms) is the limit along each
    meridian: Lagrange extrapolation from the nearest ``accuracy + 1`` rows of the
    same meridian (the convention reanalyses use for winds on pole rows).
``"nan"``
    Pole rows of quantities that are singular there are NaN; everything else is
    unchanged. The northward derivative is always defined (one-sided along the
    meridian) and never NaN.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops._validate import check_accuracy, check_numeric, check_same_grid, check_xarray
from fieldops.boundary import BoundarySpec, resolve_boundary
from fieldops.core import apply_along
from fieldops.curvilinear import finish
from fieldops.geometry import check_dim
from fieldops.grids import EARTH_RADIUS, longitude_is_periodic
from fieldops.operators import Options, axis_stencil
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.weights import AxisStencil, fornberg, is_uniform

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
        lon = np.unwrap(_degrees(ref, lon_dim, "longitude"), period=360.0)
        self.periodic_lon = longitude_is_periodic(lon)
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
        self.phi = np.deg2rad(self.lat_deg)
        self.lam = np.deg2rad(lon)
        self.sizes = {lat_dim: self.phi.size, lon_dim: self.lam.size}
        self._grid = xr.Dataset(coords={lat_dim: self.phi, lon_dim: self.lam})
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

    def stencil(self, dim: Hashable, order: int = 1) -> AxisStencil:
        """The stencil of d^order/d dim^order in radians (built once per Sphere)."""
        key = (dim, order)
        if key not in self._stencils:
            self._stencils[key] = axis_stencil(self._grid, dim, order, self.opts)[0]
        return self._stencils[key]

    def d_data(self, data, axis: int, dim: Hashable, order: int = 1):
        """Derivative per radian of a numpy or Dask array along ``axis`` (= ``dim``)."""
        return apply_along(data, axis, self.stencil(dim, order), fill_value=self.opts.fill_value)

    def d(self, da: xr.DataArray, dim: Hashable, order: int = 1) -> xr.DataArray:
        """Derivative per radian along ``dim`` (bare result: dims, no coords)."""
        b = self.bare(da)
        return xr.DataArray(self.d_data(b.data, b.get_axis_num(dim), dim, order), dims=b.dims)

    def north(self, da: xr.DataArray) -> xr.DataArray:
        """Northward derivative per metre (defined on pole rows too)."""
        return self.d(da, self.lat_dim) * (1.0 / self.radius)

    def east(self, da: xr.DataArray) -> xr.DataArray:
        """Eastward derivative per metre; pole rows are 0 until :meth:`fix_poles`."""
        res = self.d(da, self.lon_dim)
        return res * self.metric(self.inv_cos / self.radius, res.dtype)

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
                    row = row.mean(self.lon_dim, skipna=False)
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
                    row = row.mean(axis=lon_in_row, keepdims=True)
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


def _describe(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "the data")


def _common_dtype(*arrays: xr.DataArray) -> np.dtype:
    return float_dtype(np.result_type(*[a.dtype for a in arrays]))


def grad(
    f: xr.DataArray,
    lat_dim: Hashable,
    lon_dim: Hashable,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    fill_value: float = np.nan,
) -> xr.DataArray:
    """Gradient on the sphere: northward and eastward derivatives per metre.

    Parameters
    ----------
    f : DataArray
        Field with latitude and longitude dims (coordinates in degrees).
    lat_dim, lon_dim : hashable
        The latitude and longitude dims.
    accuracy : int, default 2
        Even accuracy order of the stencils.
    boundary : str or dict, optional
        Edge rule per dim (longitude periodic by default when it spans 360 degrees).
    radius : float, default 6 371 008.8
        Sphere radius in metres.
    poles : {"limit", "nan"}, default "limit"
        Pole policy for the eastward component (see :mod:`fieldops.spherical`).
    fill_value : float, default NaN
        Edge value under ``boundary="fill"``.

    Returns
    -------
    DataArray
        ``f``'s dims plus a leading ``component`` dim labelled
        ``[lat_dim, lon_dim]`` (northward, eastward); units of ``f`` per metre.

    Examples
    --------
    >>> lat = np.linspace(-90, 90, 37); lon = np.arange(0, 360, 5.0)
    >>> f = xr.DataArray(np.sin(np.deg2rad(lat))[:, None] + 0 * lon, dims=("lat", "lon"),
    ...                  coords={"lat": lat, "lon": lon}, attrs={"units": "K"})
    >>> g = grad(f, "lat", "lon", accuracy=4)
    >>> g.component.values.tolist(), g.attrs["units"]
    (['lat', 'lon'], 'K m-1')
    >>> bool(abs(g.sel(component="lat", lat=0, lon=0) * EARTH_RADIUS - 1) < 1e-5)
    True
    """
    s = Sphere(
        f,
        lat_dim,
        lon_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
        fill_value=fill_value,
    )
    bare = s.bare(f)
    north = s.north(bare)
    east = s.fix_poles(s.east(bare), "meridian")
    comps = xr.concat([north, east], dim="component").transpose("component", *f.dims)
    like = f.expand_dims(component=[lat_dim, lon_dim])
    return s.finish(
        comps,
        like,
        f"grad_{f.name}" if f.name is not None else "grad",
        f"gradient of {_describe(f)} on the sphere (northward, eastward)",
        ["m"],
    )


def flux_form(s: Sphere, a: xr.DataArray, b: xr.DataArray, sign: float) -> xr.DataArray:
    """``(a_lam + sign * (b cos phi)_phi) / (R cos phi)``, pole rows by the pole policy.

    ``a, b = east, north`` with ``sign=+1`` is the divergence; ``a, b = north,
    east`` with ``sign=-1`` is the vertical vorticity. Bare result (dims only).
    On numpy data the sum and the metric factor are applied in place: four
    passes over the data in all (``b cos``, two stencils, one combine).
    """
    dtype = _common_dtype(a, b)
    b = b.transpose(*a.dims)
    lat_ax = a.get_axis_num(s.lat_dim)
    shape = [-1 if ax == lat_ax else 1 for ax in range(a.ndim)]
    cos = s.cos.astype(dtype).reshape(shape)
    weight = (s.inv_cos / s.radius).astype(dtype).reshape(shape)
    eager = isinstance(a.data, np.ndarray) and isinstance(b.data, np.ndarray)
    a, b = s.bare(a), s.bare(b)
    lon_ax = a.get_axis_num(s.lon_dim)
    if eager:
        b_cos = np.multiply(b.data, cos, dtype=dtype)
        out = s.d_data(a.data, lon_ax, s.lon_dim)
        _combine(out, s.d_data(b_cos, lat_ax, s.lat_dim), weight, sign)
        return s.fix_poles(xr.DataArray(out, dims=a.dims), "scalar")
    b_cos = b.data.astype(dtype) * cos
    da_lam = s.d_data(a.data, lon_ax, s.lon_dim)
    db_phi = s.d_data(b_cos, lat_ax, s.lat_dim)
    total = da_lam + db_phi if sign > 0 else da_lam - db_phi
    return s.fix_poles(xr.DataArray(total * weight, dims=a.dims), "scalar")


def _combine(out: np.ndarray, other: np.ndarray, weight: np.ndarray, sign: float) -> None:
    """``out = (out + sign * other) * weight`` in place."""
    if sign > 0:
        np.add(out, other, out=out)
    else:
        np.subtract(out, other, out=out)
    np.multiply(out, weight, out=out)


def _vector_op(
    east: xr.DataArray,
    north: xr.DataArray,
    lat_dim: Hashable,
    lon_dim: Hashable,
    sign: float,
    opts: dict,
) -> tuple[xr.DataArray, Sphere]:
    check_same_grid(east, north, [lat_dim, lon_dim])
    s = Sphere(east, lat_dim, lon_dim, **opts)
    a, b = (east, north) if sign > 0 else (north, east)
    return flux_form(s, a, b, sign), s


def div(
    east: xr.DataArray,
    north: xr.DataArray,
    lat_dim: Hashable,
    lon_dim: Hashable,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    fill_value: float = np.nan,
) -> xr.DataArray:
    """Horizontal divergence on the sphere, flux form with the cos(latitude) metric.

    ``(d east/d lam + d(north cos phi)/d phi) / (R cos phi)``.

    Parameters
    ----------
    east, north : DataArray
        Eastward and northward components on the same grid.
    lat_dim, lon_dim : hashable
        The latitude and longitude dims.
    accuracy, boundary, radius, poles, fill_value
        As for :func:`grad`; pole rows get the pole limit (one value per pole).

    Returns
    -------
    DataArray
        Named ``div``, units of the components per metre.

    Examples
    --------
    >>> lat = np.linspace(-90, 90, 181); lon = np.arange(0, 360, 1.0)
    >>> u = xr.DataArray(10 * np.cos(np.deg2rad(lat))[:, None] + 0 * lon, dims=("lat", "lon"),
    ...                  coords={"lat": lat, "lon": lon}, attrs={"units": "m s-1"})
    >>> d = div(u, 0 * u, "lat", "lon")
    >>> float(abs(d).max()) < 1e-18, d.attrs["units"]
    (True, 's-1')
    """
    opts = dict(
        accuracy=accuracy, boundary=boundary, radius=radius, poles=poles, fill_value=fill_value
    )
    res, s = _vector_op(east, north, lat_dim, lon_dim, 1.0, opts)
    return s.finish(res, east, "div", "divergence on the sphere", ["m"])


def curl(
    east: xr.DataArray,
    north: xr.DataArray,
    lat_dim: Hashable,
    lon_dim: Hashable,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    fill_value: float = np.nan,
) -> xr.DataArray:
    """Vertical component of the curl on the sphere (relative vorticity), flux form.

    ``(d north/d lam - d(east cos phi)/d phi) / (R cos phi)``.

    Parameters
    ----------
    east, north : DataArray
        Eastward and northward components on the same grid.
    lat_dim, lon_dim : hashable
        The latitude and longitude dims.
    accuracy, boundary, radius, poles, fill_value
        As for :func:`grad`; pole rows get the pole limit (one value per pole).

    Returns
    -------
    DataArray
        Named ``curl``, units of the components per metre.

    Examples
    --------
    >>> lat = np.linspace(-90, 90, 181); lon = np.arange(0, 360, 1.0)
    >>> u = xr.DataArray(10 * np.cos(np.deg2rad(lat))[:, None] + 0 * lon, dims=("lat", "lon"),
    ...                  coords={"lat": lat, "lon": lon})
    >>> z = curl(u, 0 * u, "lat", "lon")
    >>> bool(abs(z.sel(lat=90) * EARTH_RADIUS / 20 - 1).max() < 1e-3)
    True
    """
    opts = dict(
        accuracy=accuracy, boundary=boundary, radius=radius, poles=poles, fill_value=fill_value
    )
    res, s = _vector_op(east, north, lat_dim, lon_dim, -1.0, opts)
    return s.finish(res, east, "curl", "vertical component of the curl on the sphere", ["m"])


def laplacian(
    f: xr.DataArray,
    lat_dim: Hashable,
    lon_dim: Hashable,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    fill_value: float = np.nan,
) -> xr.DataArray:
    """Laplacian on the sphere: ``(f_phiphi - tan(phi) f_phi + f_lamlam / cos(phi)**2) / R**2``.

    Parameters
    ----------
    f : DataArray
        Field with latitude and longitude dims (coordinates in degrees).
    lat_dim, lon_dim : hashable
        The latitude and longitude dims.
    accuracy, boundary, radius, poles, fill_value
        As for :func:`grad`; pole rows get the pole limit (one value per pole).

    Returns
    -------
    DataArray
        Units of ``f`` per square metre.

    Examples
    --------
    >>> lat = np.linspace(-90, 90, 91); lon = np.arange(0, 360, 2.0)
    >>> y10 = xr.DataArray(np.sin(np.deg2rad(lat))[:, None] + 0 * lon, dims=("lat", "lon"),
    ...                    coords={"lat": lat, "lon": lon})
    >>> lap = laplacian(y10, "lat", "lon", accuracy=4, radius=1.0)
    >>> bool(abs(lap + 2 * y10).max() < 1e-5)
    True
    """
    s = Sphere(
        f,
        lat_dim,
        lon_dim,
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
        fill_value=fill_value,
    )
    bare = s.bare(f)
    f_pp = s.d(bare, lat_dim, 2)
    f_p = s.d(bare, lat_dim, 1)
    f_ll = s.d(bare, lon_dim, 2)
    dtype = f_pp.dtype
    r2 = s.radius**2
    res = (
        f_pp * dtype.type(1 / r2)
        - f_p * s.metric(s.tan / r2, dtype)
        + f_ll * s.metric(s.inv_cos**2 / r2, dtype)
    )
    res = s.fix_poles(res, "scalar")
    name = f"lap_{f.name}" if f.name is not None else "laplacian"
    return s.finish(res, f, name, f"Laplacian of {_describe(f)} on the sphere", ["m", "m"])
