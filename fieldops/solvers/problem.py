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
import warnings
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import align_mask
from fieldops.grids.coords import coordinate_values
from fieldops.grids.frame import Frame, frame_for, midpoint_widths
from fieldops.options import How, Where
from fieldops.solvers.iterative import check_solver
from fieldops.stencils.dispatch import is_dask

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
    periodic_lon = frame is not None and frame.periodic_lon
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
    if frame is None or not frame.periodic_lon:
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
    solver: str = "direct",
) -> Problem:
    """The (cached) problem of solving ``laplacian(f, dims) = rhs`` with these options."""
    from fieldops.calculus.differentiate import differentiate
    from fieldops.calculus.scalar import laplacian

    if coast not in ("dirichlet", "neumann"):
        raise ValueError(f"coast must be 'dirichlet' or 'neumann'; got {coast!r}")
    check_solver(solver)
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
    if frame is not None and frame.repeated_lon:
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
               radius, poles, solver)  # fmt: skip
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
            return differentiate(field, dim, 1, How(**one)).transpose("probe", *hdims).values

        return d

    pole_rows = frame.pole_rows if frame is not None and periodic[1] else ()
    pole_weights = {p: frame.pole_limit(p) for p in pole_rows}
    areas = _areas(frame, tmpl, hdims, periodic)
    uniform = frame is not None and frame.uniform_zonal()
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
            key=key,
            solver=solver,
        )
    out = Problem(hdims, bc, coast, valid, solver, direct, frame is not None and frame.physical)
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


def _key(tmpl, dims, kind, bc, coast, valid, accuracy, radius, poles, solver) -> str:
    h = hashlib.sha1()
    for name, coord in sorted(tmpl.coords.items(), key=lambda kv: str(kv[0])):
        h.update(str(name).encode())
        h.update(str(coord.dims).encode())
        h.update(np.ascontiguousarray(coord.values).tobytes())
    h.update(repr((dims, kind, sorted(map(str, bc.items())), coast)).encode())
    h.update(repr((accuracy, float(radius), poles, tmpl.shape, solver)).encode())
    if valid is not None:
        h.update(np.packbits(valid).tobytes())
    return h.hexdigest()


# A constant removed from rhs (the compatibility condition of a full sphere, a periodic
# plane or a Neumann piece) larger than this fraction of max |rhs| is warned about;
# smaller ones are the discrete integral's truncation error (e.g. ~3e-6 for the
# flux-form vorticity of the bundled sample) and are removed silently.
MEAN_TOLERANCE = 1e-3


def run(
    rhs: xr.DataArray,
    prob: Problem,
    boundary_values: float | xr.DataArray | None,
    *,
    warn: bool,
    accuracy: int,
) -> xr.DataArray:
    """Apply ``prob``'s solver over every slice of ``rhs`` (lazily on Dask)."""
    y, x = prob.dims
    if is_dask(rhs.data):
        split = [d for d in (y, x) if len(rhs.chunksizes[d]) > 1]
        if split:
            raise ValueError(rechunk_message("rhs", rhs, (y, x), split))
    dtype = np.result_type(rhs.dtype, np.float32)
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    g = boundary_values
    args = [rhs]
    core = [[y, x]]
    if isinstance(g, xr.DataArray):
        if not {y, x} <= set(g.dims):
            g = g.broadcast_like(rhs[{d: 0 for d in rhs.dims if d not in (y, x)}])
        args.append(g)
        core.append([y, x])
        g = None
    elif g is not None:
        g = float(g)
    result = xr.apply_ufunc(
        _solve_block,
        *args,
        input_core_dims=core,
        output_core_dims=[[y, x]],
        dask="parallelized",
        output_dtypes=[dtype],
        kwargs={"solver": prob.solver, "scalar": g, "warn": warn, "dtype": dtype},
        keep_attrs=False,
    )
    result = result.transpose(*rhs.dims).assign_coords(rhs.coords)
    result.attrs = _attrs(rhs, prob, accuracy)
    return result.rename(f"poisson_{rhs.name}" if rhs.name is not None else "poisson")


def rechunk_message(name: str, da: xr.DataArray, dims, split) -> str:
    """What to do about horizontal dims split into several chunks (and its memory)."""
    y, x = dims
    others = [d for d in da.dims if d not in dims]
    per_chunk = da.dtype.itemsize * da.sizes[y] * da.sizes[x]
    for d in others:
        per_chunk *= max(da.chunksizes[d])
    message = (
        f"the horizontal dims {split} of {name} are split into several Dask chunks; a "
        f"Poisson solve needs each slice whole: {name}.chunk({{{y!r}: -1, {x!r}: -1}}) "
        f"(other dims keep their chunks; that makes chunks of {per_chunk / 2**20:.0f} MiB"
    )
    if per_chunk > 512 * 2**20 and others:
        return message + (
            f", too big: chunk the other dims smaller too, e.g. {name}.chunk({{{y!r}: -1, "
            f"{x!r}: -1, {others[0]!r}: 1}}))"
        )
    return message + ")"


def _solve_block(data, g=None, *, solver, scalar, warn, dtype):
    """Solve every ``(..., ny, nx)`` slice of one block (numpy in, numpy out)."""
    shape = data.shape
    batch = np.asarray(data, dtype=np.float64).reshape(-1, *shape[-2:])
    if g is not None:
        gb = np.broadcast_to(np.asarray(g, dtype=np.float64), shape).reshape(batch.shape)
    elif scalar is not None:
        gb = np.full(batch.shape[-2:], scalar)
    else:
        gb = None
    out, removed = solver.solve(batch, gb)
    if warn and removed.size:
        scale = np.nanmax(np.abs(batch), initial=0.0)
        worst = float(np.abs(removed).max())
        if worst > MEAN_TOLERANCE * scale:
            warnings.warn(
                f"rhs does not integrate to the boundary flux (a full sphere or periodic plane: "
                f"its mean is not zero): solved after removing a constant of up to {worst:.3g} "
                f"({worst / scale:.2g} of max|rhs|) from rhs on each piece of the domain",
                UserWarning,
                stacklevel=2,
            )
    return out.reshape(shape).astype(dtype, copy=False)


_SOLVER_WORDS = {
    "sphere": "direct: FFT along longitude, one banded system per zonal wavenumber",
    "direct": "sparse LU (SuperLU) of the probed Laplacian, factored once",
    "iterative": "GMRES preconditioned by smoothed-aggregation multigrid (pyamg) of the "
    "probed Laplacian, relative residual 1e-10",
}


def _attrs(rhs: xr.DataArray, prob: Problem, accuracy: int) -> dict:
    """Units (``rhs``'s times length squared), what was assumed, how it was solved."""
    if prob.physical:
        lengths = ["m", "m"]
    else:
        lengths = [coordinate_values(rhs, d)[1] for d in prob.dims]
    attrs = {
        "long_name": f"solution f of laplacian(f) = {rhs.attrs.get('long_name') or rhs.name}",
        "poisson_boundary": prob.describe(),
        "poisson_solver": _SOLVER_WORDS[
            "sphere" if prob.direct else getattr(prob.solver, "solver", "direct")
        ],
        "poisson_accuracy": accuracy,
    }
    units = _units.product(rhs.attrs.get("units"), *lengths) if all(lengths) else None
    if units is not None:
        attrs["units"] = units
    return attrs
