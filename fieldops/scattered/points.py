"""Between scattered points and labelled grids: :func:`from_points` and :func:`at`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr
from scipy.spatial import cKDTree

from fieldops._validate import check_xarray
from fieldops.grids.coords import validate_monotonic
from fieldops.scattered.rbf import MAX_POINTS, ScatteredDerivatives, as_points

INTERP_METHODS = ("linear", "nearest", "cubic")
POINTS_DIM = "points"


def _labelled(points: Mapping, what: str) -> tuple[list[Hashable], np.ndarray]:
    dims = list(points.keys())
    cols = [np.asarray(getattr(points[d], "values", points[d]), dtype=np.float64) for d in dims]
    if not dims or any(c.ndim != 1 for c in cols) or len({c.size for c in cols}) > 1:
        raise ValueError(f"{what} given as a mapping need 1-D arrays of one length per dim")
    return dims, np.stack(cols, axis=1)


def from_points(
    points: object,
    values: object,
    dims: Sequence[Hashable] = ("x", "y"),
    *,
    shape: int | Sequence[int] = 100,
    smoothing: float | str = 0.0,
    kernel: str = "cubic",
    degree: int = 2,
    max_distance: float | None = None,
    name: Hashable | None = None,
    max_points: int = MAX_POINTS,
) -> xr.DataArray:
    """Grid scattered samples over their bounding box with a radial-basis-function fit.

    Parameters
    ----------
    points : array_like or mapping
        ``(n, d)`` coordinates, columns in the order of ``dims``; or
        ``{dim: (n,) array}`` (then ``dims`` is taken from its keys).
    values : array_like
        ``(n,)`` samples.
    dims : sequence of hashable, default ("x", "y")
        Names of the ``d`` dims of the result.
    shape : int or sequence of int, default 100
        Grid points per dim (one number for all dims).
    smoothing : float or "gcv", default 0.0
        0 interpolates; larger smooths; ``"gcv"`` picks it by generalised
        cross-validation (see :class:`~fieldops.scattered.ScatteredDerivatives`).
    kernel : {"cubic", "quintic"}, default "cubic"
        Polyharmonic kernel.
    degree : int, default 2
        Degree of the polynomial part (quadratics are reproduced exactly).
    max_distance : float, optional
        Grid points farther than this from every sample are NaN. By default three
        times the median distance between a sample and its nearest neighbour;
        ``numpy.inf`` keeps everything.
    name : hashable, optional
        Name of the result.
    max_points : int, default 5000
        Refuse more samples than this (the fit's memory grows as ``n**2``; see
        :class:`~fieldops.scattered.ScatteredDerivatives`).

    Returns
    -------
    DataArray
        Dims ``dims``, evenly spaced coordinates from each dim's minimum to its
        maximum, float64, NaN where masked; attrs record the fit.

    Raises
    ------
    ValueError
        Shapes that do not match, a ``shape`` below 2, non-finite input.

    Examples
    --------
    >>> pts = np.random.default_rng(0).uniform(-1, 1, size=(300, 2))
    >>> grid = from_points(pts, pts[:, 0] * pts[:, 1], shape=(5, 4))
    >>> grid.dims, grid.shape
    (('x', 'y'), (5, 4))
    >>> float(abs(grid - grid.x * grid.y).max()) < 1e-9  # quadratics are exact
    True
    """
    if isinstance(points, Mapping):
        dims, pts = _labelled(points, "points")
    else:
        dims = list(dims)
        pts = as_points(points)
        if pts.shape[1] != len(dims):
            raise ValueError(
                f"points have {pts.shape[1]} coordinates each but dims={tuple(dims)} names "
                f"{len(dims)}; pass dims with one name per column"
            )
    if np.iscomplexobj(values):
        raise TypeError("values are complex; grid their .real and .imag separately")
    vals = np.asarray(values, dtype=np.float64)
    if vals.shape != (pts.shape[0],):
        raise ValueError(
            f"values must have shape ({pts.shape[0]},) to match {pts.shape[0]} points, "
            f"got {vals.shape}"
        )
    sizes = [shape] * len(dims) if np.ndim(shape) == 0 else list(shape)
    if len(sizes) != len(dims) or any(int(s) != s or s < 2 for s in sizes):
        raise ValueError(f"shape must be one int >= 2 or one per dim {tuple(dims)}, got {shape!r}")
    fit = ScatteredDerivatives(smoothing, kernel=kernel, degree=degree, max_points=max_points)
    fit = fit.fit(pts, vals)
    axes = [np.linspace(pts[:, k].min(), pts[:, k].max(), int(s)) for k, s in enumerate(sizes)]
    mesh = np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)
    grid = fit(mesh)
    tree = cKDTree(pts)
    if max_distance is None:
        nearest, _ = tree.query(pts, k=2)
        max_distance = 3.0 * float(np.median(nearest[:, 1]))
    if not max_distance > 0:
        raise ValueError(f"max_distance must be positive, got {max_distance!r}")
    if np.isfinite(max_distance):
        dist, _ = tree.query(mesh, distance_upper_bound=max_distance)
        grid[~np.isfinite(dist)] = np.nan
    attrs = {
        "long_name": f"{kernel} RBF fit of {pts.shape[0]} scattered samples",
        "smoothing": float(fit.smoothing_),
        "max_distance": float(max_distance),
    }
    return xr.DataArray(
        grid.reshape([int(s) for s in sizes]),
        dims=dims,
        coords={d: a for d, a in zip(dims, axes)},
        name=name,
        attrs=attrs,
    )


def at(
    field: xr.DataArray | xr.Dataset,
    points: object,
    *,
    dims: Sequence[Hashable] | None = None,
    method: str = "linear",
) -> xr.DataArray | xr.Dataset:
    """Evaluate a gridded field (a derivative included) at arbitrary points.

    Parameters
    ----------
    field : DataArray or Dataset
        Any field with 1-D coordinates along the dims queried (lazy Dask stays lazy).
    points : array_like or mapping
        ``(n, d)`` coordinates whose columns follow ``dims``; or labelled
        coordinates ``{dim: (n,) array}`` (a dict, a Dataset or DataArrays).
    dims : sequence of hashable, optional
        Dims the columns of an array ``points`` follow; by default all of
        ``field``'s dims in order.
    method : {"linear", "nearest", "cubic"}, default "linear"
        Interpolation between grid points (``DataArray.interp``).

    Returns
    -------
    DataArray or Dataset
        A new dim ``points`` (length ``n``) replaces the queried dims; the other
        dims are kept; the query coordinates are coordinates along ``points``.
        Points outside the grid give NaN.

    Raises
    ------
    ValueError
        Unknown dims, a column count that does not match ``dims``, an unknown
        ``method``.

    Examples
    --------
    >>> x = np.linspace(0.0, 1.0, 11)
    >>> f = xr.DataArray(2 * x[:, None] + x[None, :], dims=("x", "y"), coords={"x": x, "y": x})
    >>> at(f, np.array([[0.25, 0.5], [1.0, 0.0]])).values
    array([1., 2.])
    >>> at(f, {"x": [0.5], "y": [0.5]}).values
    array([1.5])
    """
    check_xarray(field)
    if method not in INTERP_METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {INTERP_METHODS}")
    if isinstance(points, (Mapping, xr.Dataset)):
        qdims, pts = _labelled(points, "points")
        if dims is not None and list(dims) != qdims:
            raise ValueError(f"dims={tuple(dims)} disagree with the labelled points {qdims}")
    else:
        qdims = list(field.dims) if dims is None else list(dims)
        pts = as_points(points, ndim=len(qdims) if len(qdims) == 1 else None)
        if pts.shape[1] != len(qdims):
            raise ValueError(
                f"points have {pts.shape[1]} coordinates each but the dims queried are "
                f"{tuple(qdims)}; pass dims= naming one dim per column"
            )
    missing = [d for d in qdims if d not in field.dims]
    if missing:
        raise ValueError(f"dim(s) {missing} not found; the field's dims are {list(field.dims)}")
    if isinstance(field, xr.DataArray) and field.dtype.kind not in "iufc":
        raise TypeError(
            f"variable {field.name!r} has dtype {field.dtype}; at() interpolates numbers only"
        )
    if POINTS_DIM in field.dims:
        raise ValueError(f"the field already has a dim {POINTS_DIM!r}; rename it first")
    indexers = {d: xr.DataArray(pts[:, k], dims=POINTS_DIM) for k, d in enumerate(qdims)}
    for d in qdims:
        if field.sizes[d] == 0:
            raise ValueError(f"dim {d!r} has no points; there is nothing to interpolate")
        if d not in field.coords:
            field = field.assign_coords({d: np.arange(field.sizes[d], dtype=np.float64)})
        coord = field.coords[d]
        if coord.dtype.kind not in "iuf":
            raise TypeError(
                f"coordinate {d!r} has dtype {coord.dtype}; at() takes numeric coordinates: "
                "convert it to numbers first (e.g. seconds since a reference time)"
            )
        if coord.ndim == 1:
            validate_monotonic(np.asarray(coord.values), d)
    if pts.shape[0] == 0:  # nothing to ask: an empty answer of the right shape
        return field.isel({d: xr.DataArray(np.zeros(0, int), dims=POINTS_DIM) for d in qdims})
    return field.interp(indexers, method=method)
