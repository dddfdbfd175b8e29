"""The Helmholtz decomposition of a horizontal wind: streamfunction, velocity potential, parts.

``laplacian(psi) = curl(u, v)`` and ``laplacian(chi) = div(u, v)`` are solved with
:func:`fieldops.solve_poisson` (the same discrete operators as fieldops'), then

    u_rot = -d psi/dy,  v_rot = d psi/dx,   u_div = d chi/dx,  v_div = d chi/dy,
    u_harm = u - u_rot - u_div,             v_harm = v - v_rot - v_div

with the grid's own first derivatives (eastward/northward per metre). Because the
derivatives along the two dims commute, ``div(u_rot, v_rot)`` and
``curl(u_div, v_div)`` vanish to roundoff, and ``u == u_rot + u_div + u_harm``
exactly. On a full sphere the remainder ``u_harm`` has no harmonic content (the
sphere carries no harmonic vector field); it is the discretisation remainder
(``curl grad`` differs from the Laplacian's second-derivative stencils) and
shrinks at the accuracy's order. On a limited area it is the harmonic part of
the wind, which depends on the boundary conditions chosen (Lynch 1989; Li, Chao
and McWilliams 2006): by default ``psi = 0`` on the boundary (the rotational wind
does not cross it) and ``d chi/dn = 0`` (the divergent wind does not cross it),
so every flow through the boundary is in the harmonic part.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_numeric, check_same_grid, check_xarray
from fieldops.grids.detect import EARTH_RADIUS
from fieldops.grids.frame import Frame, frame_for
from fieldops.options import How, Where
from fieldops.solvers.problem import Problem, full_sphere, problem, rechunk_message, run
from fieldops.stencils.dispatch import is_dask

if TYPE_CHECKING:
    from fieldops.staggered.grid import StaggeredGrid

STANDARD_NAMES = {
    "streamfunction": "atmosphere_horizontal_streamfunction",
    "velocity_potential": "atmosphere_horizontal_velocity_potential",
}
_DEFAULT = ("dirichlet", "neumann")


def _conditions(boundary, dims) -> tuple[tuple[str, str], tuple[Hashable, ...]]:
    """(streamfunction, velocity potential) conditions on a limited area, periodic dims.

    ``boundary`` is None, a condition, a pair of them, or a mapping whose keys are
    dims (value ``"periodic"``: a grid index that wraps, e.g. the i of a global ocean
    grid) and, optionally, ``"streamfunction"``/``"velocity_potential"``.
    """
    periodic: tuple[Hashable, ...] = ()
    given = boundary
    if isinstance(boundary, Mapping):
        spec = dict(boundary)
        pair = (
            spec.pop("streamfunction", _DEFAULT[0]),
            spec.pop("velocity_potential", _DEFAULT[1]),
        )
        for dim, mode in spec.items():
            if dim not in dims or mode != "periodic":
                raise ValueError(
                    f"boundary={boundary!r}: a mapping names horizontal dims {list(dims)} that "
                    f"wrap ('periodic') and/or 'streamfunction'/'velocity_potential' "
                    f"conditions; got {dim!r}: {mode!r}"
                )
        periodic = tuple(spec)
        boundary = pair
    if boundary is None:
        return _DEFAULT, periodic
    pair = (boundary, boundary) if isinstance(boundary, str) else tuple(boundary)
    allowed = ("dirichlet", "neumann", "periodic")
    if len(pair) != 2 or any(b not in allowed for b in pair):
        raise ValueError(
            f"boundary must be one of {allowed}, a pair of them (streamfunction, "
            f"velocity potential) or a mapping {{dim: 'periodic', ...}}; got {given!r}"
        )
    return pair, periodic  # type: ignore[return-value]


def _omit_mask(u: xr.DataArray, v: xr.DataArray, dims) -> xr.DataArray:
    """The cells where both winds are finite on every slice (nan_policy='omit')."""
    if is_dask(u.data) or is_dask(v.data):
        raise ValueError(
            "nan_policy='omit' reads the domain from the NaN of u and v, which would compute "
            "Dask arrays; pass mask= (a 2-D boolean DataArray, True where valid) instead"
        )
    finite = np.isfinite(u) & np.isfinite(v)
    others = [d for d in finite.dims if d not in dims]
    every, some = finite.all(others), finite.any(others)
    if bool((every != some).any()):
        raise ValueError(
            "u/v have NaN in different places on different slices; the domain must be one per "
            "grid: pass mask= (True where valid on every slice)"
        )
    return every


def _parts(
    u: xr.DataArray,
    v: xr.DataArray,
    want: tuple[str, ...],
    boundary,
    accuracy: int,
    mask: xr.DataArray | None,
    nan_policy: str,
    geometry: str,
    radius: float,
    poles: str,
    x_dim: Hashable | None,
    y_dim: Hashable | None,
    solver: str,
    grid: StaggeredGrid | None = None,
) -> xr.Dataset:
    """Solve for the potentials in ``want`` and, for the full split, the wind parts."""
    if grid is not None:
        return _staggered(grid, u, v, want, locals())
    from fieldops.kinematics.winds import _divergence, _vorticity

    check_xarray(u)
    check_xarray(v)
    for w in (u, v):
        if not isinstance(w, xr.DataArray):
            raise TypeError("u and v must be DataArrays")
        check_numeric(w)
    where = Where(geometry=geometry, radius=radius, poles=poles, x_dim=x_dim, y_dim=y_dim)
    frame0 = frame_for(u, None, where, How(accuracy=accuracy))
    dims = frame0.dims
    check_same_grid(u, v, list(u.dims))
    for w, name in ((u, "u"), (v, "v")):
        split = [d for d in dims if is_dask(w.data) and len(w.chunksizes[d]) > 1]
        if split:
            raise ValueError(rechunk_message(name, w, dims, split))
    if nan_policy == "omit":
        omit = _omit_mask(u, v, dims)
        mask = omit if mask is None else mask & omit
    elif nan_policy != "propagate":
        raise ValueError(f"nan_policy must be 'propagate' or 'omit'; got {nan_policy!r}")
    conds, wraps = _conditions(boundary, dims)
    periodic = frame0.periodic_lon
    closed = full_sphere(frame0)
    stencil_boundary = "periodic" if conds == ("periodic", "periodic") and not periodic else None
    if wraps and stencil_boundary is None:
        stencil_boundary = {d: "periodic" for d in wraps}
    if mask is None and stencil_boundary is None:
        frame = frame0  # the same options: one frame
    else:
        frame = frame_for(
            u, None, where, How(accuracy=accuracy, boundary=stencil_boundary, mask=mask)
        )
    # The right-hand sides on that frame (the kinematics' own forms, not a frame each).
    sources = {"streamfunction": _vorticity, "velocity_potential": _divergence}
    out = {}
    for name, cond in zip(("streamfunction", "velocity_potential"), conds):
        if name not in want:
            continue
        rhs = sources[name](frame, u, v, "auto")
        prob = problem(
            rhs,
            list(dims),
            boundary=None if closed else _per_dim(cond, dims, frame0, wraps),
            coast="dirichlet" if cond == "periodic" else cond,
            mask=mask,
            nan_policy="propagate",
            accuracy=accuracy,
            geometry=geometry,
            radius=radius,
            poles=poles,
            solver=solver,
        )
        # The discrete integral of the curl/divergence is not exactly zero (nor the
        # net flux through a limited area's edge): the constant removed goes to the
        # harmonic part, and is no user error, so no warning here.
        pot = run(rhs, prob, None, warn=False, accuracy=accuracy)
        pot = _in_metres(pot, frame)
        out[name] = _finish(pot, name, u, prob.describe())
    ds = xr.Dataset(out)
    if len(want) == 2:
        y, x = dims
        psi, chi = out["streamfunction"], out["velocity_potential"]
        pn, pe = frame.grad(frame.bare(psi))
        cn, ce = frame.grad(frame.bare(chi))
        parts = {"u_rot": -pn, "v_rot": pe, "u_div": ce, "v_div": cn}
        ds = ds.assign(
            _wind_parts(
                u, v, parts, lambda val, like, key: frame.finish(val, like, key, key, ["m"])
            )
        )
    closed = closed and mask is None
    ds.attrs = {
        "helmholtz_boundary": (
            "none: a full sphere (u_harm, v_harm: the discretisation remainder)"
            if closed
            else f"streamfunction: {_words(conds[0])}; velocity_potential: {_words(conds[1])}; "
            + "".join(f"{d}: periodic; " for d in wraps)
            + "u_harm, v_harm: the harmonic rest (the flow through the boundary, a mean flow)"
        ),
        "helmholtz_accuracy": accuracy,
    }
    return ds


_FIXED_BY_GRID = {
    "boundary": None,
    "accuracy": 2,
    "mask": None,
    "nan_policy": "propagate",
    "geometry": "auto",
    "x_dim": None,
    "y_dim": None,
}


def _staggered(grid, u, v, want: tuple[str, ...], given: dict) -> xr.Dataset:
    """The decomposition on a staggered C grid (``grid=``; see :mod:`fieldops.solvers.cgrid`)."""
    from fieldops.solvers.cgrid import BOUNDARY_WORDS, div_wind, face_means, problems, rot_wind
    from fieldops.solvers.iterative import check_solver
    from fieldops.staggered.grid import StaggeredGrid

    if not isinstance(grid, StaggeredGrid):
        raise TypeError(
            f"grid must be a StaggeredGrid (fieldops.staggered_grid(ds)); got {type(grid).__name__}"
        )
    fixed = [k for k, default in _FIXED_BY_GRID.items() if given[k] != default]
    if fixed:
        raise ValueError(
            f"with grid= the staggered grid fixes {fixed}: its masks are the domain, psi = 0 "
            "on coasts and closed edges, no flux through them for chi, the models' "
            "second-order operators; drop those options"
        )
    for w in (u, v):
        check_xarray(w)
        if not isinstance(w, xr.DataArray):
            raise TypeError("u and v must be DataArrays (for a Dataset: ds.fieldops.helmholtz)")
    pu, pv = grid.position(u, role="U"), grid.position(v, role="V")
    if (pu, pv) != ("U", "V"):
        raise ValueError(
            f"helmholtz on a staggered grid takes u on U faces and v on V faces (a C grid); "
            f"u is at {pu} and v at {pv} points (a B grid: interpolate them to the faces "
            "first with grid.interp)"
        )
    for w, name, pos in ((u, "u", "U"), (v, "v", "V")):
        hdims = grid.dims[pos]
        split = [d for d in hdims if is_dask(w.data) and len(w.chunksizes[d]) > 1]
        if split:
            raise ValueError(rechunk_message(name, w, hdims, split))
    solvers = problems(grid, check_solver(given["solver"]))
    sources = {
        "streamfunction": ("F", grid.vorticity),
        "velocity_potential": ("T", grid.divergence),
    }
    out = {}
    for name in want:
        pos, source = sources[name]
        prob = Problem(grid.dims[pos], {}, "", None, solvers[pos], False, True)
        pot = run(source(u, v), prob, None, warn=False, accuracy=2)
        out[name] = _finish(pot, name, u, BOUNDARY_WORDS)
    psi = out.get("streamfunction")
    if psi is not None:
        # psi = 0 on a coast's corners (solved as such); NaN where no face around is wet
        wet_u, wet_v = face_means(grid)
        out["streamfunction"] = psi.fillna(0.0).where((wet_u > 0) | (wet_v > 0))
        out["streamfunction"].attrs = psi.attrs
    ds = xr.Dataset(out)
    if len(want) == 2:
        u_rot, v_rot = rot_wind(grid, psi.fillna(0.0))
        u_div, v_div = div_wind(grid, out["velocity_potential"])
        parts = {"u_rot": u_rot, "v_rot": v_rot, "u_div": u_div, "v_div": v_div}
        ds = ds.assign(_wind_parts(u, v, parts, lambda val, like, key: val.transpose(*like.dims)))
    ds.attrs = {"helmholtz_boundary": BOUNDARY_WORDS, "helmholtz_accuracy": 2}
    return ds


def _words(cond: str) -> str:
    return cond if cond == "periodic" else f"{cond} (0)"


def _per_dim(cond: str, dims, frame: Frame, wraps: tuple[Hashable, ...] = ()) -> dict:
    """The solver's condition per dim: a periodic longitude (or index) stays periodic."""
    out = {d: ("periodic" if d in wraps else cond) for d in dims}
    if frame.periodic_lon:
        out[frame.x_dim] = "periodic"
    return out


def _in_metres(pot: xr.DataArray, frame: Frame) -> xr.DataArray:
    """A plane's potential per metre: its Laplacian was per coordinate unit squared."""
    scale = getattr(frame, "scale", None)
    if not scale or frame.physical:
        return pot
    sy, sx = (scale[d] for d in frame.dims)
    if sy == sx == 1.0:
        return pot
    return (pot / pot.dtype.type(sy * sx)).assign_attrs(pot.attrs)


def _finish(pot: xr.DataArray, name: str, u: xr.DataArray, described: str) -> xr.DataArray:
    attrs = {
        "long_name": name.replace("_", " "),
        "standard_name": STANDARD_NAMES[name],
        "poisson_boundary": described,
        "poisson_solver": pot.attrs.get("poisson_solver"),
    }
    units = _units.product(u.attrs.get("units"), "m")
    if units is not None:
        attrs["units"] = units
    out = pot.rename(name)
    out.attrs = attrs
    return out


_WORDS = {
    "u_rot": "eastward wind, rotational part",
    "v_rot": "northward wind, rotational part",
    "u_div": "eastward wind, divergent part",
    "v_div": "northward wind, divergent part",
    "u_harm": "eastward wind, harmonic remainder",
    "v_harm": "northward wind, harmonic remainder",
}


def _wind_parts(u: xr.DataArray, v: xr.DataArray, parts: dict, place) -> dict:
    """The rotational and divergent winds, placed like ``u``/``v`` (``place(val, like,
    key)``), named and with units, and the harmonic rest that makes the sum exact."""
    out = {}
    for key, val in parts.items():
        like = u if key[0] == "u" else v
        out[key] = _component(place(val, like, key), like, key)
    out["u_harm"] = _component(u - out["u_rot"] - out["u_div"], u, "u_harm")
    out["v_harm"] = _component(v - out["v_rot"] - out["v_div"], v, "v_harm")
    return out


def _component(val: xr.DataArray, like: xr.DataArray, key: str) -> xr.DataArray:
    attrs = {"long_name": _WORDS[key]}
    if "units" in like.attrs:
        attrs["units"] = like.attrs["units"]
    out = val.rename(key)
    out.attrs = attrs
    return out


@_units.quantified
def helmholtz(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    boundary: str | Sequence[str] | None = None,
    accuracy: int = 2,
    mask: xr.DataArray | None = None,
    nan_policy: str = "propagate",
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
    solver: str = "direct",
    grid: StaggeredGrid | None = None,
) -> xr.Dataset:
    """Helmholtz decomposition of the wind ``(u, v)``: potentials and wind parts.

    Parameters
    ----------
    u, v : DataArray
        Eastward and northward wind (along x and y on a plane), on one grid.
    boundary : str, (str, str) or dict, optional
        Conditions of (streamfunction, velocity potential) on a limited area's edge
        and on coasts: ``"dirichlet"`` (0), ``"neumann"`` (zero normal derivative) or
        ``"periodic"`` (a doubly periodic plane). Default ``("dirichlet",
        "neumann")``: neither the rotational nor the divergent wind crosses the
        boundary, so all flow through it is in ``u_harm, v_harm``. A dict marks
        grid dims that wrap, e.g. ``{"i": "periodic"}`` for the i index of a global
        ocean grid (a regular longitude wraps by itself), and may carry the pair as
        ``"streamfunction"`` and ``"velocity_potential"`` entries. Ignored on a
        full sphere (no boundary). Written into the result's attrs.
    accuracy : int, default 2
        Accuracy order of every operator (curl, div, Laplacian, gradient).
    mask : DataArray of bool, optional
        True where the domain is (2-D, aligned by label): land outside is NaN.
    nan_policy : {"propagate", "omit"}
        ``"omit"``: cells where ``u`` or ``v`` is NaN (the same on every slice) are
        outside the domain.
    geometry, radius, poles, x_dim, y_dim
        As in :func:`fieldops.vorticity`.
    solver : {"direct", "iterative"}, default "direct"
        As in :func:`fieldops.solve_poisson`: ``"iterative"`` (multigrid, needs
        pyamg) for bounded or masked grids too big to factor.
    grid : StaggeredGrid, optional
        A C grid (:func:`fieldops.staggered_grid`) on which ``u`` sits on U faces
        and ``v`` on V faces, as the model wrote them: ``psi`` comes back at F
        (corner) points and ``chi`` at T (centre) points, the parts on U and V,
        all from the model's own operators and metrics (docs/solvers.md, "On a
        staggered C grid"). The grid's masks are the domain and its conditions are
        fixed (psi = 0 on coasts and closed edges, no flux through them for chi),
        so ``boundary``, ``mask``, ``nan_policy``, ``geometry``, ``x_dim``/``y_dim``
        and ``accuracy`` other than 2 are refused with it.

    Returns
    -------
    Dataset
        ``streamfunction`` and ``velocity_potential`` (``m2 s-1`` for winds in
        ``m s-1``; CF standard names), ``u_rot, v_rot, u_div, v_div`` and
        ``u_harm, v_harm`` (the wind's units), with ``u == u_rot + u_div + u_harm``
        exactly and ``div(u_rot, v_rot) == curl(u_div, v_div) == 0`` to roundoff
        (away from masks, where one-sided stencils do not commute; on curvilinear
        grids, whose chain-rule coefficients vary in space, to truncation error).

    Examples
    --------
    >>> import fieldops
    >>> ds = fieldops.open_sample().isel(month=0, level=1)
    >>> parts = helmholtz(ds.u, ds.v)
    >>> parts.streamfunction.attrs["units"], parts.streamfunction.attrs["standard_name"]
    ('m2 s-1', 'atmosphere_horizontal_streamfunction')
    >>> bool(abs(parts.u_rot + parts.u_div + parts.u_harm - ds.u).max() < 1e-12)
    True

    On a C grid, as a model wrote it (here a NEMO ``mesh_mask``):

    >>> from fieldops.staggered.samples import nemo_mesh
    >>> grid = fieldops.staggered_grid(nemo_mesh(8, 6))
    >>> rng = np.random.default_rng(0)
    >>> uc = grid.metric("dx_U").copy(data=rng.standard_normal((6, 8))).rename("u")
    >>> vc = grid.metric("dx_V").copy(data=rng.standard_normal((6, 8))).rename("v")
    >>> cparts = helmholtz(uc, vc, grid=grid)
    >>> sorted(streamfunction(uc, vc, grid=grid).coords)  # psi at F (corner) points
    ['glamf', 'gphif']
    >>> bool(abs(grid.divergence(cparts.u_rot, cparts.v_rot)).max() < 1e-15)
    True
    """
    return _parts(
        u,
        v,
        ("streamfunction", "velocity_potential"),
        boundary,
        accuracy,
        mask,
        nan_policy,
        geometry,
        radius,
        poles,
        x_dim,
        y_dim,
        solver,
        grid,
    )


@_units.quantified
def streamfunction(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    boundary: str | Sequence[str] | None = None,
    accuracy: int = 2,
    mask: xr.DataArray | None = None,
    nan_policy: str = "propagate",
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
    solver: str = "direct",
    grid: StaggeredGrid | None = None,
) -> xr.DataArray:
    """Streamfunction ``psi`` of the wind: ``laplacian(psi) == vorticity(u, v)``.

    The ``streamfunction`` of :func:`helmholtz` alone (one solve); same parameters
    (``boundary``: a str, or a pair whose first entry is used).

    Examples
    --------
    >>> import fieldops
    >>> ds = fieldops.open_sample().isel(month=0, level=1)
    >>> psi = streamfunction(ds.u, ds.v)
    >>> zeta = fieldops.vorticity(ds.u, ds.v)
    >>> bool(abs(fieldops.laplacian(psi) - zeta).max() < 1e-5 * abs(zeta).max())
    True
    """
    return _parts(
        u, v, ("streamfunction",), boundary, accuracy, mask, nan_policy, geometry, radius,
        poles, x_dim, y_dim, solver, grid,
    )["streamfunction"]  # fmt: skip


@_units.quantified
def velocity_potential(
    u: xr.DataArray,
    v: xr.DataArray,
    *,
    boundary: str | Sequence[str] | None = None,
    accuracy: int = 2,
    mask: xr.DataArray | None = None,
    nan_policy: str = "propagate",
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
    x_dim: Hashable | None = None,
    y_dim: Hashable | None = None,
    solver: str = "direct",
    grid: StaggeredGrid | None = None,
) -> xr.DataArray:
    """Velocity potential ``chi`` of the wind: ``laplacian(chi) == divergence(u, v)``.

    The ``velocity_potential`` of :func:`helmholtz` alone (one solve); same
    parameters (``boundary``: a str, or a pair whose second entry is used).

    Examples
    --------
    >>> import fieldops
    >>> ds = fieldops.open_sample().isel(month=0, level=1)
    >>> chi = velocity_potential(ds.u, ds.v)
    >>> chi.attrs["standard_name"]
    'atmosphere_horizontal_velocity_potential'
    """
    return _parts(
        u, v, ("velocity_potential",), boundary, accuracy, mask, nan_policy, geometry, radius,
        poles, x_dim, y_dim, solver, grid,
    )["velocity_potential"]  # fmt: skip
