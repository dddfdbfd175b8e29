"""``solve_poisson``: ``f`` with ``fieldops.laplacian(f) == rhs``, on every grid."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np  # noqa: F401  (the example uses it)
import xarray as xr

from fieldops import units as _units
from fieldops._validate import check_numeric, check_xarray
from fieldops.grids.detect import EARTH_RADIUS
from fieldops.solvers.problem import problem, run


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
    solver: str = "direct",
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
    solver : {"direct", "iterative"}, default "direct"
        How a bounded, masked or curvilinear domain is solved: ``"direct"`` factors
        the operator once (SuperLU) and reuses it; ``"iterative"`` (for grids too big
        to factor; needs pyamg) runs GMRES preconditioned by algebraic multigrid to a
        relative residual of 1e-10, in memory that grows like the grid. A complete
        global grid always takes the FFT solver, which needs no factorisation.

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
        solver=solver,
    )
    return run(rhs, prob, boundary_values, warn=True, accuracy=accuracy)
