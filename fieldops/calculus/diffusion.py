"""Explicit Laplacian diffusion (smoothing), on cartesian grids and on the sphere."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops import _attrs
from fieldops._validate import check_numeric
from fieldops.calculus import physical
from fieldops.calculus.differentiate import map_dataset
from fieldops.calculus.fields import partials, scalar_dims
from fieldops.grids.frame import Frame
from fieldops.grids.partials import axis_stencil
from fieldops.options import EARTH_RADIUS, How, Options, PeriodSpec, Where
from fieldops.stencils.boundary import BoundarySpec
from fieldops.units import quantified


def stable_alpha(
    f: xr.DataArray | xr.Dataset, dims: list[Hashable], opts: Options, frame: Frame | None = None
) -> float:
    """Largest stable ``alpha`` of ``u + alpha * lap(u)`` (Gershgorin, interior rows).

    On a grid's frame (from :func:`fieldops.grids.frame.frame_for`) the horizontal
    rows are the frame's own Laplacian's (:meth:`~fieldops.grids.frame.Frame.laplacian_bound`):
    on a sphere those per square metre, whose zonal terms grow as
    ``1 / cos(latitude)**2`` towards the poles (the classic pole problem of
    explicit schemes: the rows next to a pole set the limit).

    Examples
    --------
    >>> from fieldops.options import How, resolve_how
    >>> f = xr.DataArray(np.zeros((5, 5)), dims=("y", "x"))
    >>> opts = resolve_how(f, ["y", "x"], How())
    >>> stable_alpha(f, ["y", "x"], opts)
    0.25
    """
    bound = 0.0
    others = list(dims)
    if frame is not None:
        horizontal = frame.laplacian_bound()
        if horizontal is None:
            raise ValueError(
                f"diffuse on a {frame.kind} grid is not supported (its stable step is not "
                "known); pass geometry='cartesian' to diffuse along the logical dims"
            )
        bound += horizontal
        others = [d for d in dims if d not in frame.dims]
    for d in others:
        st, _ = axis_stencil(f, d, 2, opts.for_dim(f, d))
        bound += float(np.abs(st.weights).sum(axis=0).max(initial=0.0))
    return 2.0 / bound if bound > 0 else np.inf


def _diffuse_da(f, dims, alpha, steps, opts, frame, how) -> xr.DataArray:
    check_numeric(f)
    u = f
    if frame is None:
        slot = [(0, 1.0, {})] + [(0, alpha, {d: 2}) for d in dims]
    for _ in range(steps):
        if frame is None:
            data, _ = partials(u, [slot], opts, slot_shape=())
        else:
            lap = physical.laplacian(u, dims, frame, how).transpose(*f.dims)
            data = u.data + lap.data * lap.dtype.type(alpha)
        u = xr.DataArray(data, dims=f.dims, coords=f.coords, name=f.name, attrs=f.attrs)
    attrs = dict(f.attrs)
    attrs["history"] = (
        f"{attrs['history']}\n" if "history" in attrs else ""
    ) + f"fieldops.diffuse(alpha={alpha}, steps={steps}, dims={dims})"
    return u.assign_attrs(attrs)


@quantified
@_attrs.same_quantity
def diffuse(
    f: xr.DataArray | xr.Dataset,
    alpha: float,
    steps: int = 1,
    dims: Hashable | Sequence[Hashable] | None = None,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
) -> xr.DataArray | xr.Dataset:
    """Explicit Laplacian smoothing: ``steps`` times ``u <- u + alpha * lap(u)``.

    Each step is one fused pass on a cartesian grid. An ``alpha`` above the largest
    stable one (``2 / sum over dims of max_row sum |w|``, the Gershgorin bound of the
    interior second-derivative stencils: ``h**2 / 4`` on a uniform 2-D grid at
    accuracy 2) is refused. ``periodic`` keeps the mean exactly, ``mirror`` keeps
    the trapezoidal mean (zero flux through the edges); ``one_sided`` edges
    extrapolate.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    alpha : float
        Diffusion number, in the squared units of the coordinates (``D * dt``); in
        square metres on a sphere.
    steps : int, default 1
        Number of steps.
    dims : hashable or sequence of hashable, optional
        Dims to diffuse along. By default the two horizontal dims when a
        latitude/longitude grid (spherical or curvilinear) is found, else every dim
        of ``f`` when their coordinates share units (else ``dims`` is required).
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.
    geometry, radius, poles : optional
        As in :func:`fieldops.laplacian`: on a latitude/longitude grid (``dims``
        holding both horizontal dims) each step uses the spherical Laplacian per
        square metre, and the stable ``alpha`` is set by the rows next to the poles,
        where the zonal spacing is smallest. Curvilinear grids are refused (pass
        ``geometry="cartesian"``).

    Returns
    -------
    DataArray or Dataset
        Same dims, coords, name, units and chunks as ``f`` (float); ``history``
        records the call.

    Raises
    ------
    ValueError
        Negative or unstable ``alpha`` (the message gives the largest stable one),
        ``steps`` < 1, a curvilinear grid.

    Examples
    --------
    >>> u = xr.DataArray([0.0, 0.0, 4.0, 0.0, 0.0], dims="x", name="u")
    >>> diffuse(u, 0.25, boundary="periodic").values.tolist()
    [0.0, 1.0, 2.0, 1.0, 0.0]
    """
    dims = scalar_dims(f, dims, datetime_unit=datetime_unit)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    how, where = How.pick(locals()), Where.pick(locals())
    opts, frame = physical.prepare(f, dims, how, where, adds="diffuse")
    alpha = float(alpha)
    limit = stable_alpha(f, dims, opts, frame)
    if not (np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"alpha must be a finite number >= 0 (a diffusion number), got {alpha}")
    if alpha > limit * (1 + 1e-12):
        raise ValueError(
            f"alpha={alpha:g} is unstable on this grid: the largest stable alpha along dims "
            f"{dims} at accuracy {opts.accuracy} is {limit:.6g}; use alpha <= {limit:.6g} "
            "and more steps"
        )
    if isinstance(f, xr.DataArray):
        return _diffuse_da(f, dims, alpha, steps, opts, frame, how)
    return map_dataset(
        f, dims, lambda v: _diffuse_da(v, dims, alpha, steps, opts, frame, how), drop=()
    )
