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

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops._fields import how_options
from fieldops._sphere import POLE_POLICIES, Sphere
from fieldops._validate import check_same_grid
from fieldops.boundary import BoundarySpec
from fieldops.core import apply_along, is_dask
from fieldops.grids import EARTH_RADIUS
from fieldops.operators import MethodArg, ScaleArg
from fieldops.stencils.apply import float_dtype

__all__ = ["POLE_POLICIES", "Sphere", "curl", "div", "flux_form", "grad", "laplacian"]


def _describe(da: xr.DataArray) -> str:
    return str(da.attrs.get("long_name") or da.name or "the data")


def _common_dtype(*arrays: xr.DataArray) -> np.dtype:
    return float_dtype(np.result_type(*[a.dtype for a in arrays]))


def _one_kernel(s: Sphere, *arrays: xr.DataArray) -> bool:
    """True for the lazy one-kernel Dask graphs of :mod:`fieldops._sphere_dask`.

    Plain finite differences on Dask data, no repeated longitude endpoint.
    """
    return s.how_opts is None and not s.wrap_seam and all(is_dask(a.data) for a in arrays)


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
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
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
    method : str or dict, default "finite_difference"
        ``"savgol"``, ``"gaussian"`` or ``"spectral"`` as in :func:`fieldops.diff`,
        one for both dims or a dict per dim, e.g. ``{"lon": "spectral", "lat":
        "savgol"}`` (spectral needs a periodic longitude; latitude is never
        periodic).
    window, sigma : str or float or dict, optional
        savgol window (``"5 points"`` or ``"3.0 wide"``: degrees) and gaussian standard
        deviation (degrees), one value or a dict per dim.
    polyorder : int or dict, optional
        savgol polynomial degree.
    nan_policy : {"propagate", "omit"}, default "propagate"
        ``"omit"``: NaN cells (land, gaps) are domain boundaries, as in
        :func:`fieldops.diff`. A pole row takes its value from the rows next
        to it, so it is NaN when they hold a NaN.
    mask : DataArray of bool, optional
        True where the data are valid; False cells are treated as NaN (implies
        ``nan_policy="omit"``).

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
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
    )
    bare = s.bare(f)
    if _one_kernel(s, bare):
        from fieldops import _sphere_dask

        lat_ax, lon_ax = bare.get_axis_num(lat_dim), bare.get_axis_num(lon_dim)
        data = _sphere_dask.grad(s, bare.data, lat_ax, lon_ax)
        comps = xr.DataArray(data, dims=("component", *bare.dims))
    else:
        north = s.north(bare)
        east = s.fix_poles(s.east(bare), "meridian")
        comps = xr.concat([north, east], dim="component")
    comps = comps.transpose("component", *f.dims)
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
    The metric factors of the ``b`` term are folded into its stencil; on numpy
    data the sum is formed in place: three passes over the data in all.
    """
    dtype = _common_dtype(a, b)
    b = b.transpose(*a.dims)
    if s.how_opts is not None:
        b_cos = s.bare(b).astype(dtype) * s.metric(s.cos, dtype)
        da_lam, db_phi = s.d(a, s.lon_dim), s.d(b_cos, s.lat_dim)
        total = da_lam + db_phi if sign > 0 else da_lam - db_phi
        return s.fix_poles(total * s.metric(s.inv_cos / s.radius, dtype), "scalar")
    lat_ax = a.get_axis_num(s.lat_dim)
    if _one_kernel(s, a, b):
        from fieldops import _sphere_dask

        a, b = s.bare(a), s.bare(b)
        lon_ax = a.get_axis_num(s.lon_dim)
        data = _sphere_dask.flux(s, a.data, b.data, sign, lat_ax, lon_ax)
        return xr.DataArray(data, dims=a.dims)
    shape = [-1 if ax == lat_ax else 1 for ax in range(a.ndim)]
    weight = (s.inv_cos / s.radius).astype(dtype).reshape(shape)
    eager = isinstance(a.data, np.ndarray) and isinstance(b.data, np.ndarray)
    a, b = s.bare(a), s.bare(b)
    lon_ax = a.get_axis_num(s.lon_dim)
    b_data = b.data.astype(dtype, copy=False)
    # cos(phi) and 1 / (R cos(phi)) are folded into the latitude stencil's weights:
    # the b term is one pass over b, not a product, a stencil and a product.
    db_phi = apply_along(b_data, lat_ax, s.flux_stencil(), fill_value=s.opts.fill_value)
    if eager:
        out = s.d_data(a.data, lon_ax, s.lon_dim)
        _combine(out, db_phi, weight, sign)
        return s.fix_poles(xr.DataArray(out, dims=a.dims), "scalar")
    da_lam = s.d_data(a.data, lon_ax, s.lon_dim) * weight
    total = da_lam + db_phi if sign > 0 else da_lam - db_phi
    return s.fix_poles(xr.DataArray(total, dims=a.dims), "scalar")


def _combine(out: np.ndarray, other: np.ndarray, weight: np.ndarray, sign: float) -> None:
    """``out = out * weight + sign * other`` in place."""
    np.multiply(out, weight, out=out)
    if sign > 0:
        np.add(out, other, out=out)
    else:
        np.subtract(out, other, out=out)


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
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
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
    method, window, polyorder, sigma, nan_policy, mask
        As for :func:`grad`.

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
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
        fill_value=fill_value,
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
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
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
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
    method, window, polyorder, sigma, nan_policy, mask
        As for :func:`grad`.

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
        accuracy=accuracy,
        boundary=boundary,
        radius=radius,
        poles=poles,
        fill_value=fill_value,
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
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
    method: MethodArg = "finite_difference",
    window: ScaleArg = None,
    polyorder: int | Mapping[Hashable, int] | None = None,
    sigma: ScaleArg = None,
    nan_policy: str = "propagate",
    mask: xr.DataArray | None = None,
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
    method, window, polyorder, sigma, nan_policy, mask
        As for :func:`grad`.

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
        how=how_options(method, window, polyorder, sigma, nan_policy, mask),
    )
    bare = s.bare(f)
    name = f"lap_{f.name}" if f.name is not None else "laplacian"
    long_name = f"Laplacian of {_describe(f)} on the sphere"
    if _one_kernel(s, bare):
        from fieldops import _sphere_dask

        lat_ax, lon_ax = bare.get_axis_num(lat_dim), bare.get_axis_num(lon_dim)
        data = _sphere_dask.laplacian(s, bare.data, lat_ax, lon_ax)
        return s.finish(xr.DataArray(data, dims=bare.dims), f, name, long_name, ["m", "m"])
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
    return s.finish(res, f, name, long_name, ["m", "m"])
