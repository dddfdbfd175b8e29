"""The peers, each as ``peer(data, ...) -> thunk``: set-up outside the clock, the call inside.

Imports are local so that a missing peer skips its rows instead of the run.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

Thunk = Callable[[], object]


def numpy_gradient(d: dict, dim: str, coord: np.ndarray | None = None) -> Thunk:
    """``numpy.gradient`` along one dim (2nd order, edge_order=2, as fieldops)."""
    arr, axis = d["np"], d["dims"].index(dim)
    spacing = d["dx"][dim] if coord is None else coord
    return lambda: np.gradient(arr, spacing, axis=axis, edge_order=2)


def numpy_gradient_all(d: dict, dims: tuple[str, ...]) -> Thunk:
    """``numpy.gradient`` along several dims in one call (a list of arrays)."""
    arr = d["np"]
    axes = tuple(d["dims"].index(x) for x in dims)
    spacing = [d["dx"][x] for x in dims]
    return lambda: np.gradient(arr, *spacing, axis=axes, edge_order=2)


def numpy_gradient_twice(d: dict, dim1: str, dim2: str) -> Thunk:
    """A second derivative the way numpy users write it: gradient of the gradient."""
    arr = d["np"]
    a1, a2 = d["dims"].index(dim1), d["dims"].index(dim2)
    h1, h2 = d["dx"][dim1], d["dx"][dim2]
    return lambda: np.gradient(np.gradient(arr, h1, axis=a1), h2, axis=a2)


def xarray_differentiate(d: dict, dim: str, da=None) -> Thunk:
    """``DataArray.differentiate`` (numpy.gradient underneath; Dask computed)."""
    da = d["da"] if da is None else da
    if da.chunks:
        return lambda: da.differentiate(dim).compute()
    return lambda: da.differentiate(dim)


def dask_gradient(d: dict, dim: str) -> Thunk:
    """``dask.array.gradient`` on the chunked data, computed."""
    import dask.array

    arr = d["da"].data
    axis, h = d["dims"].index(dim), d["dx"][dim]
    return lambda: dask.array.gradient(arr, h, axis=axis).compute()


def xgcm_derivative(d: dict, dim: str) -> Thunk:
    """xgcm ``Grid.derivative`` (center to left, 2-point) with the spacing as a metric."""
    import xarray as xr
    import xgcm

    da = d["da"]
    n, h = da.sizes[dim], d["dx"][dim]
    ds = da.to_dataset()
    ds = ds.assign_coords({dim + "_g": (dim + "_g", da[dim].values - h / 2)})
    ds["d" + dim] = xr.DataArray(np.full(n, h), dims=dim + "_g")
    ds = ds.set_coords("d" + dim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = xgcm.Grid(
            ds,
            coords={"A": {"center": dim, "left": dim + "_g"}},
            metrics={("A",): ["d" + dim]},
            padding="extend",
            autoparse_metadata=False,
        )
    field = ds[da.name]
    if da.chunks:
        return lambda: grid.derivative(field, "A").compute()
    return lambda: grid.derivative(field, "A")


def findiff_op(d: dict, orders: dict[str, int], acc: int, coords: dict | None = None) -> Thunk:
    """findiff's partial derivative ``orders`` (e.g. ``{"x": 1, "y": 1}``) at accuracy ``acc``."""
    from findiff import Diff

    arr = d["np"]
    op = None
    for dim, order in orders.items():
        grid = (coords or {}).get(dim, d["dx"][dim])
        term = Diff(d["dims"].index(dim), grid, acc=acc) ** order
        op = term if op is None else op * term
    return lambda: op(arr)


def findiff_each(d: dict, dims: tuple[str, ...], acc: int) -> Thunk:
    """findiff's first derivative along each of ``dims`` (a gradient)."""
    ops = [findiff_op(d, {dim: 1}, acc) for dim in dims]
    return lambda: [op() for op in ops]


def findiff_sum(d: dict, dims: tuple[str, ...], acc: int) -> Thunk:
    """findiff's Laplacian as a sum of second derivatives."""
    from findiff import Diff

    arr = d["np"]
    op = None
    for dim in dims:
        term = Diff(d["dims"].index(dim), d["dx"][dim], acc=acc) ** 2
        op = term if op is None else op + term
    return lambda: op(arr)


def findiff_hessian(d: dict, dims: tuple[str, ...], acc: int) -> Thunk:
    """The distinct second partials of a Hessian, one findiff operator each."""
    from findiff import Diff

    arr = d["np"]
    ops = []
    for i, a in enumerate(dims):
        for b in dims[i:]:
            da_ = Diff(d["dims"].index(a), d["dx"][a], acc=acc)
            db_ = Diff(d["dims"].index(b), d["dx"][b], acc=acc)
            ops.append(da_**2 if a == b else da_ * db_)
    return lambda: [op(arr) for op in ops]


def scipy_laplace(d: dict) -> Thunk:
    """``scipy.ndimage.laplace`` (unit spacing, [1, -2, 1] per axis, reflected edges)."""
    from scipy import ndimage

    arr = d["np"]
    return lambda: ndimage.laplace(arr)


def _metpy():
    warnings.filterwarnings("ignore", module="metpy")
    import metpy.calc
    from metpy.units import units

    return metpy.calc, units


def metpy_laplacian(d: dict) -> Thunk:
    """MetPy ``laplacian`` on a pint array with the spacings as deltas."""
    calc, units = _metpy()
    arr = d["np"] * units.K
    deltas = [d["dx"][x] * units.m for x in d["dims"]]
    return lambda: calc.laplacian(arr, deltas=deltas)


def metpy_cartesian(d: dict, name: str) -> Thunk:
    """MetPy ``vorticity``/``divergence`` of (u, v) = (f, f) on the plane, pint arrays."""
    calc, units = _metpy()
    u = d["np"] * units("m/s")
    dx, dy = d["dx"]["x"] * units.m, d["dx"]["y"] * units.m
    func = getattr(calc, name)
    return lambda: func(u, u, dx=dx, dy=dy)


def metpy_sphere(d: dict, name: str) -> Thunk:
    """MetPy ``vorticity``/``divergence`` of the xarray winds on the sphere (map factors)."""
    calc, _ = _metpy()
    ds = d["ds"]
    func = getattr(calc, name)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return func(ds.u, ds.v)

    return run


def numpy_flux_vorticity(d: dict) -> Thunk:
    """Spherical vorticity in flux form with numpy.gradient (what a user writes by hand)."""
    ds = d["ds"]
    u, v = ds.u.values, ds.v.values
    lat = np.deg2rad(ds.latitude.values)
    lon = np.deg2rad(ds.longitude.values)
    radius = 6371008.8
    coslat = np.cos(lat)[:, None]

    def run():
        dv = np.gradient(v, lon, axis=1)
        ducos = np.gradient(u * coslat, lat, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (dv - ducos) / (radius * coslat)

    return run
