"""``solve_poisson``: ``f`` with ``fieldops.laplacian(f) == rhs``, on every grid."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_numeric, check_xarray
from fieldops.grids.coords import coordinate_values
from fieldops.grids.detect import EARTH_RADIUS
from fieldops.solvers.problem import Problem, problem
from fieldops.stencils.dispatch import is_dask

# A constant removed from rhs (the compatibility condition of a full sphere, a periodic
# plane or a Neumann piece) larger than this fraction of max |rhs| is warned about;
# smaller ones are the discrete integral's truncation error (e.g. ~3e-6 for the
# flux-form vorticity of the bundled sample) and are removed silently.
MEAN_TOLERANCE = 1e-3


@_units.quantified
def solve_poisson(
    rhs: xr.DataArray,
    dims: Sequence[Hashable] | None = None,
    *,
    boundary: str | Mapping[Hashable, str] | None = None,
    boundary_values: float | xr.DataArray | None = None,
    coast: str = "dirichlet",
    mask: xr.DataArray | None = None,
    nan_policy: str = "propagate",
    accuracy: int = 2,
    geometry: str = "auto",
    radius: float = EARTH_RADIUS,
    poles: str = "limit",
) -> xr.DataArray:
    """Solve ``laplacian(f, dims) == rhs`` with fieldops' own discrete Laplacian.

    The result satisfies ``fieldops.laplacian(f, dims, accuracy=accuracy, ...)
    == rhs`` to roundoff at every point where an equation is the Laplacian's
    (everywhere on a full sphere or periodic plane; inside the boundary ring
    elsewhere). See docs/solvers.md.

    Parameters
    ----------
    rhs : DataArray
        Right-hand side; any other dims (time, level) are solved slice by slice
        with one factorisation.
    dims : pair of hashable, optional
        The two dims of the Laplacian; by default the grid's horizontal dims.
    boundary : str or dict, optional
        Condition per dim: ``"periodic"``, ``"dirichlet"`` (``f = boundary_values``,
        0 by default) or ``"neumann"`` (outward derivative along the dim, in the
        units of :func:`fieldops.diff`, ``= boundary_values``). Default: periodic
        longitude and no boundary at all (a closed latitude) on a full sphere;
        ``"dirichlet"`` on every other dim.
    boundary_values : float or DataArray, optional
        The dirichlet values or neumann fluxes, read on the boundary cells only.
    coast : {"dirichlet", "neumann"}, default "dirichlet"
        Condition on valid cells next to masked ones. Dirichlet by default: it is
        always solvable (no compatibility condition, no constant), and for a
        streamfunction it makes each coast a streamline (no flow through it).
    mask : DataArray of bool, optional
        True where the domain is (2-D, aligned by label); outside, the result is NaN.
    nan_policy : {"propagate", "omit"}
        ``"omit"``: NaN cells of ``rhs`` (the same on every slice) are outside the
        domain. Otherwise non-finite ``rhs`` inside the domain is an error.
    accuracy : {2, 4, ...}
        Accuracy order of the Laplacian inverted.
    geometry, radius, poles
        As in :func:`fieldops.laplacian`.

    Returns
    -------
    DataArray
        ``f``, like ``rhs`` (dims, coords, chunks, dtype), units ``rhs``'s times
        metres squared. Where the solution is fixed only up to a constant (a full
        sphere, a periodic plane, a neumann domain) each piece of the domain has
        zero area-weighted mean, and a constant is removed from ``rhs`` on it: a
        constant larger than 1e-3 of ``max|rhs|`` (an ``rhs`` without zero mean, a
        neumann flux that does not balance it) is removed with a warning. A domain
        split by the mask is solved piece by piece.

    Raises
    ------
    ValueError
        Non-finite ``rhs`` inside the domain; a grid too small for the accuracy;
        horizontal dims split into several Dask chunks (rechunk them to one).

    Examples
    --------
    >>> import fieldops
    >>> lat = np.linspace(-90, 90, 37); lon = np.arange(0, 360, 5.0)
    >>> f = xr.DataArray(np.cos(np.deg2rad(lat))[:, None] * np.cos(np.deg2rad(lon)),
    ...                  dims=("lat", "lon"), coords={"lat": lat, "lon": lon})
    >>> g = solve_poisson(fieldops.laplacian(f))
    >>> bool(abs(fieldops.laplacian(g) - fieldops.laplacian(f)).max() < 1e-24)
    True
    """
    check_xarray(rhs)
    if not isinstance(rhs, xr.DataArray):
        raise TypeError("solve_poisson takes a DataArray (for a Dataset, solve each variable)")
    check_numeric(rhs)
    prob = problem(
        rhs,
        dims,
        boundary=boundary,
        coast=coast,
        mask=mask,
        nan_policy=nan_policy,
        accuracy=accuracy,
        geometry=geometry,
        radius=radius,
        poles=poles,
    )
    return run(rhs, prob, boundary_values, warn=True, accuracy=accuracy)


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


def _attrs(rhs: xr.DataArray, prob: Problem, accuracy: int) -> dict:
    """Units (``rhs``'s times length squared), what was assumed, how it was solved."""
    if prob.physical:
        lengths = ["m", "m"]
    else:
        lengths = [coordinate_values(rhs, d)[1] for d in prob.dims]
    attrs = {
        "long_name": f"solution f of laplacian(f) = {rhs.attrs.get('long_name') or rhs.name}",
        "poisson_boundary": prob.describe(),
        "poisson_solver": (
            "direct: FFT along longitude, one banded system per zonal wavenumber"
            if prob.direct
            else "sparse LU (SuperLU) of the probed Laplacian, factored once"
        ),
        "poisson_accuracy": accuracy,
    }
    units = _units.product(rhs.attrs.get("units"), *lengths) if all(lengths) else None
    if units is not None:
        attrs["units"] = units
    return attrs
