"""Area weights of the horizontal grids: ``sum(f * weights)`` is the area integral in m2.

- Sphere (regular latitude/longitude): in latitude, the polynomial through the
  ``accuracy + 2`` nearest rows integrated against ``cos(latitude)`` exactly
  (product integration, :func:`fieldops.integrals.weights.definite_weights`),
  so that the weights of a band sum to ``sin(north) - sin(south)`` to rounding;
  a periodic longitude is the whole circle (the periodic trapezoid rule,
  spectrally accurate, a repeated endpoint column weighted 0), another is
  integrated between its ends at the same accuracy. On a global grid (periodic
  longitude) whose end rows lie within one spacing of a pole, the caps up to the
  poles are integrated too (from the edge rows' polynomial): the area of the
  sphere is ``4 pi R**2`` to rounding whether or not the grid has pole rows.
- Curvilinear (2-D latitude/longitude): ``|det J|`` (the frame's Jacobian of
  the map from the logical indices to eastward/northward metres) integrated
  over the indices with the same 1-D rule (a periodic logical dim: all weights 1).

Other grids (a projected or staggered frame from another issue) plug in with
:func:`area_rule`, or fall back to their frame's ``cell_areas``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import numpy as np
import xarray as xr

from fieldops.integrals.weights import check_points, definite_weights
from fieldops.stencils.cache import shared


def area_weights(frame, accuracy: int) -> list[xr.DataArray]:
    """Weights on the frame's two horizontal dims whose product is in m2 (bare: dims only).

    A list of factors: on the sphere one per dim (the sum over a 721x1440 grid is
    then one contraction with two short vectors, no 2-D weight array), elsewhere
    one 2-D array.

    Examples
    --------
    >>> from fieldops.grids.frame import frame_for
    >>> from fieldops.options import How, Where
    >>> lat, lon = np.arange(-89.0, 90.0, 2.0), np.arange(0.0, 360.0, 2.0)
    >>> da = xr.DataArray(np.zeros((lat.size, lon.size)), dims=("lat", "lon"),
    ...                   coords={"lat": lat, "lon": lon})
    >>> wlat, wlon = area_weights(frame_for(da, ["lat", "lon"], Where(radius=1.0), How()), 2)
    >>> bool(abs(float(wlat.sum() * wlon.sum()) / (4 * np.pi) - 1) < 1e-14)
    True
    """
    rule = _RULES.get(frame.kind)
    if rule is not None:
        return rule(frame, accuracy)
    areas = frame.cell_areas()  # a frame without a rule of its own: its cells
    return [xr.DataArray(getattr(areas, "data", areas), dims=frame.dims)]


_RULES: dict[str, Callable[..., list[xr.DataArray]]] = {}


def area_rule(kind: str) -> Callable:
    """Register the area weights of the frames of grid ``kind`` (as ``grids.frame.register``).

    The table is keyed by the frame's own ``kind``: a new grid adds its rule here
    (or falls back to its ``cell_areas``), and nothing else tests the grid kind.
    """

    def decorate(func: Callable[..., list]) -> Callable[..., list]:
        _RULES[kind] = func
        return func

    return decorate


@area_rule("spherical")
def _sphere(frame, accuracy: int) -> list[xr.DataArray]:
    lat_dim, lon_dim = frame.dims
    phi, lam = np.asarray(frame.phi), np.asarray(frame.lam)
    key = (
        "area-sphere", phi.tobytes(), lam.tobytes(), accuracy,
        bool(frame.periodic_lon), bool(frame.repeated_lon),
    )  # fmt: skip
    wlat, wlon = shared(key, lambda: _sphere_weights(frame, phi, lam, accuracy))
    r2 = frame.radius**2
    return [xr.DataArray(r2 * wlat, dims=(lat_dim,)), xr.DataArray(wlon, dims=(lon_dim,))]


def _sphere_weights(frame, phi, lam, accuracy: int) -> tuple[np.ndarray, np.ndarray]:
    """Latitude weights per unit radius squared and per radian, longitude weights (rad)."""
    lat_dim, lon_dim = frame.dims
    check_points(phi.size, accuracy, lat_dim)
    lower, upper = float(phi.min()), float(phi.max())
    if frame.periodic_lon and phi.size > 1:
        # Caps to the poles when the end rows are within one spacing of them.
        step = np.abs(np.diff(np.sort(phi)))
        if np.pi / 2 + lower <= step[0] * (1 + 1e-9):
            lower = -np.pi / 2
        if np.pi / 2 - upper <= step[-1] * (1 + 1e-9):
            upper = np.pi / 2
    wlat = np.abs(definite_weights(phi, accuracy, lower=lower, upper=upper, weight=np.cos))
    return wlat, _longitude_weights(frame, lam, accuracy, lon_dim)


def _longitude_weights(frame, lam: np.ndarray, accuracy: int, lon_dim: Hashable) -> np.ndarray:
    if not frame.periodic_lon:
        check_points(lam.size, accuracy, lon_dim)
        return np.abs(definite_weights(lam, accuracy))
    n = lam.size - 1 if frame.repeated_lon else lam.size
    unique = lam[:n]
    gaps = np.diff(np.concatenate([unique, [unique[0] + 2 * np.pi * np.sign(lam[-1] - lam[0])]]))
    gaps = np.abs(gaps)
    # Periodic trapezoid: each column owns half of the gaps to its neighbours
    # (2 pi / n on a uniform circle), so the weights sum to 2 pi exactly.
    w = 0.5 * (gaps + np.roll(gaps, 1))
    w *= 2 * np.pi / w.sum()
    return np.concatenate([w, [0.0]]) if frame.repeated_lon else w


@area_rule("curvilinear")
def _curvilinear(frame, accuracy: int) -> list[xr.DataArray]:
    y, x = frame.dims
    det = frame.index_area()
    weights = []
    for dim in (y, x):
        n = det.sizes[dim]
        if frame.opts.boundary.get(dim) == "periodic":
            weights.append(np.ones(n))
        else:
            check_points(n, accuracy, dim)
            weights.append(definite_weights(np.arange(n, dtype=np.float64), accuracy))
    wy = xr.DataArray(weights[0], dims=(y,))
    wx = xr.DataArray(weights[1], dims=(x,))
    return [xr.DataArray((det * wy * wx).transpose(y, x).data, dims=(y, x))]
