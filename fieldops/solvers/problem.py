"""One Poisson problem on one grid: its operators probed, its solver built once and cached.

:func:`problem` turns a call's options into a :class:`Problem`: the horizontal dims,
the boundary condition per dim, the domain, and a solver
(:class:`~fieldops.solvers.sphere.SphereSolver` on complete global latitude/longitude
grids, :class:`~fieldops.solvers.sparse.SparseSolver` elsewhere), cached by grid,
mask and options so that every later call on the same grid (and every time/level
slice) reuses the factorisation.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from fieldops._validate import align_mask
from fieldops.grids.coords import coordinate_values
from fieldops.grids.frame import Frame, frame_for, midpoint_widths
from fieldops.options import How, Where

CONDITIONS = ("periodic", "dirichlet", "neumann")
_CACHE: OrderedDict[str, object] = OrderedDict()
_CACHE_SIZE = 8


@dataclass(frozen=True)
class Problem:
    """What :func:`fieldops.solve_poisson` solves: dims, conditions, domain, solver."""

    dims: tuple[Hashable, Hashable]
    bc: dict[Hashable, str]
    coast: str
    valid: np.ndarray | None
    solver: object
    direct: bool
    physical: bool  # per metre on the Earth (a frame's), not per coordinate unit

    def describe(self) -> str:
        """The conditions in words, for the result's attrs."""
        parts = []
        for dim, cond in self.bc.items():
            parts.append(f"{dim}: {'closed (sphere)' if cond == 'none' else cond}")
        if self.valid is not None:
            parts.append(f"mask edges: {self.coast}")
        return "; ".join(parts)


def template(rhs: xr.DataArray, dims: Sequence[Hashable]) -> xr.DataArray:
    """A 2-D field on ``rhs``'s horizontal grid (its coordinates on ``dims`` only)."""
    coords = {k: v for k, v in rhs.coords.items() if v.dims and set(v.dims) <= set(dims)}
    shape = tuple(rhs.sizes[d] for d in dims)
    return xr.DataArray(np.zeros(shape), dims=tuple(dims), coords=coords)


def _conditions(
    boundary: str | Mapping[Hashable, str] | None,
    dims: tuple[Hashable, Hashable],
    frame: Frame | None,
) -> dict[Hashable, str]:
    """The condition per dim: periodic longitude and a closed latitude on a full sphere."""
    periodic_lon = frame is not None and getattr(frame, "periodic_lon", False)
    defaults = {d: "dirichlet" for d in dims}
    if periodic_lon:
        defaults[frame.x_dim] = "periodic"
        if full_sphere(frame):
            defaults[frame.y_dim] = "none"
    if boundary is None:
        return defaults
    given = dict(boundary) if isinstance(boundary, Mapping) else {d: boundary for d in dims}
    unknown = set(given) - set(dims)
    if unknown:
        raise ValueError(f"boundary names dims {sorted(map(str, unknown))} not in {list(dims)}")
    out = dict(defaults)
    for dim, cond in given.items():
        if cond not in CONDITIONS:
            raise ValueError(
                f"boundary {cond!r} for dim {dim!r} is not one of {CONDITIONS} "
                "(a full sphere's latitude needs none: leave it out)"
            )
        if defaults[dim] == "none":
            if isinstance(boundary, Mapping):
                raise ValueError(
                    f"latitude {dim!r} spans a full sphere (longitude is periodic): it has no "
                    "boundary; leave it out of boundary="
                )
            continue
        out[dim] = cond
    return out


def full_sphere(frame: Frame | None) -> bool:
    """Periodic longitude and latitudes reaching both poles (within one step of each).

    A latitude band (say 60S-60N) is a periodic channel with two boundaries instead.
    """
    if frame is None or not getattr(frame, "periodic_lon", False):
        return False
    lat = np.sort(np.asarray(frame.lat_deg, dtype=np.float64))
    step = np.abs(np.diff(lat)).max() if lat.size > 1 else 180.0
    return bool(90.0 - lat[-1] <= step + 1e-9 and lat[0] + 90.0 <= step + 1e-9)


def _areas(frame: Frame | None, tmpl: xr.DataArray, dims, periodic) -> np.ndarray:
    """Cell areas (for the zero-mean condition); a periodic dim has no half-width ends."""
    if frame is not None and frame.physical:
        return np.asarray(frame.cell_areas().transpose(*dims).values, dtype=np.float64)
    widths = []
    for d, per in zip(dims, periodic):
        values = coordinate_values(tmpl, d)[0]
        w = midpoint_widths(values)
        if per and values.size > 1:
            w = np.full(values.size, abs(values[-1] - values[0]) / (values.size - 1))
        widths.append(w)
    return widths[0][:, None] * widths[1][None, :]


def _valid(
    rhs: xr.DataArray,
    tmpl: xr.DataArray,
    dims: tuple[Hashable, Hashable],
    mask: xr.DataArray | None,
    nan_policy: str,
) -> np.ndarray | None:
    """The domain (None: every cell), from ``mask`` or the NaN of ``rhs``."""
    if nan_policy not in ("propagate", "omit"):
        raise ValueError(f"nan_policy must be 'propagate' or 'omit'; got {nan_policy!r}")
    valid = None
    if mask is not None:
        m = align_mask(tmpl, mask)
        extra = [d for d in m.dims if d not in dims]
        if extra:
            raise ValueError(
                f"mask has dims {extra} besides {list(dims)}: one domain per grid is "
                "factored once; pass a 2-D mask"
            )
        valid = np.asarray(m.transpose(*dims).values, dtype=bool)
    if nan_policy == "omit":
        if not isinstance(rhs.data, np.ndarray):
            raise ValueError(
                "nan_policy='omit' reads the domain from the NaN of rhs, which would compute "
                "a Dask array; pass mask= (a 2-D boolean DataArray, True where valid) instead"
            )
        finite = np.isfinite(rhs.transpose(..., *dims).values).reshape(-1, *tmpl.shape)
        if not (finite == finite[:1]).all():
            raise ValueError(
                "rhs has NaN in different places on different slices; the domain must be one "
                "per grid: pass mask= (True where valid on every slice)"
            )
        nan_valid = finite[0]
        valid = nan_valid if valid is None else valid & nan_valid
    if valid is not None and valid.all():
        return None
    if valid is not None and not valid.any():
        raise ValueError("the mask leaves no valid cell to solve on")
    return valid


def problem(
    rhs: xr.DataArray,
    dims: Sequence[Hashable] | None,
    *,
    boundary,
    coast: str,
    mask: xr.DataArray | None,
    nan_policy: str,
    accuracy: int,
    geometry: str,
    radius: float,
    poles: str,
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
) -> Problem:
    """The (cached) problem of solving ``laplacian(f, dims) = rhs`` with these options."""
    from fieldops.calculus.derivative import diff
    from fieldops.calculus.scalar import laplacian

    if coast not in ("dirichlet", "neumann"):
        raise ValueError(f"coast must be 'dirichlet' or 'neumann'; got {coast!r}")
    how = How(accuracy=accuracy)
    where = Where(geometry=geometry, radius=radius, poles=poles, x_dim=x_dim, y_dim=y_dim)
    if dims is not None:
        dims = [dims] if isinstance(dims, str) else list(dims)
        if len(dims) != 2:
            raise ValueError(f"solve_poisson solves on two dims; got dims={dims}")
        for d in dims:
            if d not in rhs.dims:
                raise ValueError(f"dim {d!r} is not a dim of rhs {list(rhs.dims)}")
    frame = frame_for(rhs, dims, where, how)
    hdims = tuple(frame.dims) if frame is not None else tuple(dims)
    if getattr(frame, "repeated_lon", False):
        lon = frame.x_dim
        raise ValueError(
            f"longitude {lon!r} repeats its first column at the end; solve without it: "
            f"rhs.isel({lon}=slice(0, -1))"
        )
    if frame is not None and dims is not None and set(dims) != set(hdims):
        raise ValueError(f"dims {dims} are not the grid's horizontal dims {list(hdims)}")
    tmpl = template(rhs, hdims)
    need = 2 * accuracy + 1
    for d in hdims:
        if tmpl.sizes[d] < need:
            raise ValueError(
                f"dim {d!r} has {tmpl.sizes[d]} points; accuracy={accuracy} needs at least {need}"
            )
    bc = _conditions(boundary, hdims, frame)
    valid = _valid(rhs, tmpl, hdims, mask, nan_policy)
    kind = frame.kind if frame is not None else "cartesian"
    # (the coast condition matters only where there is a coast)
    key = _key(tmpl, hdims, kind, bc, coast if valid is not None else "", valid, accuracy,
               radius, poles)  # fmt: skip
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    periodic = tuple(bc[d] == "periodic" for d in hdims)
    lap_boundary = {d: "periodic" for d in hdims if bc[d] == "periodic"} or None
    mask_da = None if valid is None else xr.DataArray(valid, dims=hdims, coords=tmpl.coords)
    opts = {"accuracy": accuracy, "boundary": lap_boundary, "mask": mask_da}
    geo = {"geometry": geometry, "radius": radius, "poles": poles}
    probe = tmpl.expand_dims(probe=1)

    def lap(a: np.ndarray) -> np.ndarray:
        field = probe.isel(probe=[0] * a.shape[0]).copy(data=a)
        return laplacian(field, dims=list(hdims), **opts, **geo).transpose("probe", *hdims).values

    def along(dim):
        def d(a: np.ndarray) -> np.ndarray:
            field = probe.isel(probe=[0] * a.shape[0]).copy(data=a)
            one = {**opts, "boundary": "periodic" if bc[dim] == "periodic" else None}
            return diff(field, dim, **one).transpose("probe", *hdims).values

        return d

    pole_rows = getattr(frame, "pole_rows", ()) if periodic[1] else ()
    pole_weights = {p: frame._pole_weights(p, "scalar")[:2] for p in pole_rows}
    areas = _areas(frame, tmpl, hdims, periodic)
    uniform = _uniform_lon(frame)
    direct = valid is None and bc[hdims[0]] == "none" and periodic[1] and uniform
    if direct:
        from fieldops.solvers.sphere import SphereSolver

        nlon = tmpl.shape[1]
        narrow, few = None, 0
        if nlon > 16 and nlon % 16 == 0:
            few = 16  # the latitude operator is the same on 16 evenly spaced longitudes
            thin = tmpl.isel({hdims[1]: slice(None, None, nlon // few)}).expand_dims(probe=1)

            def narrow(a: np.ndarray) -> np.ndarray:
                field = thin.isel(probe=[0] * a.shape[0]).copy(data=a)
                out = laplacian(field, dims=list(hdims), **opts, **geo)
                return out.transpose("probe", *hdims).values

        solver = SphereSolver(
            lap, tmpl.shape, 2 * accuracy, areas.sum(axis=1), pole_weights, narrow, few
        )
    else:
        from fieldops.solvers.sparse import SparseSolver

        grid_valid = np.ones(tmpl.shape, bool) if valid is None else valid
        solver = SparseSolver(
            lap,
            (along(hdims[0]), along(hdims[1])),
            tmpl.shape,
            periodic,
            tuple(bc[d] for d in hdims),
            coast,
            grid_valid,
            areas,
            pole_weights,
            # How far the Laplacian reads (the frame's to say); a first derivative,
            # one-sided at an edge, reaches accuracy points.
            accuracy + 1 if frame is None else frame.laplacian_reach(accuracy),
            accuracy,
        )
    if not direct:
        solver.key = key
    out = Problem(hdims, bc, coast, valid, solver, direct, frame is not None and frame.physical)
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


def _uniform_lon(frame: Frame | None) -> bool:
    """Whether the longitude steps are equal (the DFT diagonalises the stencil)."""
    lam = getattr(frame, "lam", None)
    if lam is None or getattr(frame, "repeated_lon", False):
        return False
    step = np.diff(lam)
    return bool(np.allclose(step, step[0], rtol=1e-9, atol=0))


def _key(tmpl, dims, kind, bc, coast, valid, accuracy, radius, poles) -> str:
    h = hashlib.sha1()
    for name, coord in sorted(tmpl.coords.items(), key=lambda kv: str(kv[0])):
        h.update(str(name).encode())
        h.update(str(coord.dims).encode())
        h.update(np.ascontiguousarray(coord.values).tobytes())
    h.update(repr((dims, kind, sorted(map(str, bc.items())), coast)).encode())
    h.update(repr((accuracy, float(radius), poles, tmpl.shape)).encode())
    if valid is not None:
        h.update(np.packbits(valid).tobytes())
    return h.hexdigest()
