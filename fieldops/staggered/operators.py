"""The discrete operators of C-grid ocean models, on extended numpy blocks (private).

Each kernel gets its inputs extended (:mod:`fieldops.staggered.blocks`) and
returns the output block; the same function serves numpy and every Dask block.
The schemes are those the models document (second order, flux form); ``i`` counts
along x, ``j`` along y, with NEMO's indexing (faces at ``i + 1/2``):

- difference, centre to face: ``(f[i+1] - f[i]) / dx_U`` (NEMO ``e1u``, MOM6
  ``dxCu``, MITgcm ``dxC``, ROMS ``1/pm`` averaged to u: ``om_u``).
- average: ``(f[i] + f[i+1]) / 2`` (every model's plain two-point mean).
- divergence at T: ``(dy_U u[i] - dy_U u[i-1] + dx_V v[j] - dx_V v[j-1]) / area_T``
  (NEMO ``e2u u``, ``e1v v``, ``e1e2t``; MOM6 ``dyCu``, ``dxCv``, ``areacello``;
  MITgcm ``dyG``, ``dxG``, ``rA``; ROMS ``on_u``, ``om_v``, ``1/(pm pn)``).
- vorticity at F: ``(dy_V v[i+1] - dy_V v[i] - dx_U u[j+1] + dx_U u[j]) / area_F``
  (NEMO ``e2v``, ``e1u``, ``e1e2f``; MOM6 ``dyCv``, ``dxCu``, ``areacello_bu``;
  MITgcm ``dyC``, ``dxC``, ``rAz``; ROMS ``on_v``, ``om_u``, psi-averaged
  ``pm pn``), the circulation around the corner's cell over its area (Stokes).
  At coastal corners (some but not all four faces wet) land velocities are zero
  and the result is multiplied by 2 for no-slip (NEMO ``fmask = rn_shlat = 2``,
  a ghost velocity ``-u`` behind the coast) or by 0 for free-slip; corners with
  no wet face are NaN.
- Laplacian at T: ``[d_i(dy_U/dx_U d_i f) + d_j(dx_V/dy_V d_j f)] / area_T``
  with zero flux through land faces (NEMO ``traldf`` lap, MITgcm ``gmredi`` off).

Accuracy 4 (uniform widths): differences ``(27 (f[i+1] - f[i]) - (f[i+2] -
f[i-1])) / 24`` and averages ``(9 (f[i] + f[i+1]) - (f[i-1] + f[i+2])) / 16``.
"""

from __future__ import annotations

import numpy as np

DIFF = {2: (-1.0, 1.0), 4: (1 / 24, -27 / 24, 27 / 24, -1 / 24)}
MEAN = {2: (0.5, 0.5), 4: (-1 / 16, 9 / 16, 9 / 16, -1 / 16)}


def stencil(ext: np.ndarray, axis: int, weights: tuple[float, ...]) -> np.ndarray:
    """``sum_m w[m] ext[k + m]`` along ``axis`` (one output row per window).

    Examples
    --------
    >>> stencil(np.array([0.0, 1.0, 4.0, 9.0]), 0, DIFF[2])
    array([1., 3., 5.])
    """
    n = ext.shape[axis] - len(weights) + 1

    def rows(m: int) -> np.ndarray:
        return ext[(slice(None),) * axis + (slice(m, m + n),)]

    if weights == DIFF[2]:  # the common case, in one pass and bit-equal to f[i+1] - f[i]
        return rows(1) - rows(0)
    if weights == MEAN[2]:
        return (rows(0) + rows(1)) * 0.5
    out = rows(0) * weights[0]
    for m, w in enumerate(weights[1:], start=1):
        out = out + rows(m) * w
    return out


def diff_kernel(f, width, mask=None, *, axis, weights):
    """Difference along ``axis`` over the width at the output points, NaN on land."""
    out = stencil(f, axis, weights) / width
    return out if mask is None else np.where(mask, out, np.nan)


def interp_kernel(f, mask=None, *, axis, weights):
    """Two- (or four-) point mean along ``axis``, NaN on land."""
    out = stencil(f, axis, weights)
    return out if mask is None else np.where(mask, out, np.nan)


def _flux(vel, metric, mask):
    flux = vel * metric
    return flux if mask is None else np.where(mask, flux, 0.0)


def divergence_kernel(u, dy_u, v, dx_v, area, mask_u, mask_v, mask_t, *, axes, weights):
    """Flux-form divergence at T of u at U and v at V (land fluxes zero)."""
    ax_x, ax_y = axes
    out = stencil(_flux(u, dy_u, mask_u), ax_x, weights)
    out += stencil(_flux(v, dx_v, mask_v), ax_y, weights)
    out /= area
    return out if mask_t is None else np.where(mask_t, out, np.nan)


def _trim(mask: np.ndarray, axis: int, edge: int) -> np.ndarray:
    """``mask`` as small integers, less ``edge`` rows at both ends along ``axis``."""
    mask = mask.astype(np.int8)
    if edge == 0:
        return mask
    return mask[(slice(None),) * axis + (slice(edge, mask.shape[axis] - edge),)]


def vorticity_kernel(u, dx_u, v, dy_v, area, mask_u, mask_v, *, axes, weights, slip):
    """Circulation of (u, v) around each corner over its area, with the coast rule."""
    ax_x, ax_y = axes
    out = stencil(_flux(v, dy_v, mask_v), ax_x, weights)
    out -= stencil(_flux(u, dx_u, mask_u), ax_y, weights)
    out /= area
    if mask_u is None or mask_v is None:
        return out
    # Wet faces around each corner: the two V faces along x, the two U faces along y.
    # (the two faces next to the corner: the middle of a four-point stencil)
    edge = (len(weights) - 2) // 2
    wet = stencil(_trim(mask_v, ax_x, edge), ax_x, (1, 1))
    wet = wet + stencil(_trim(mask_u, ax_y, edge), ax_y, (1, 1))
    if slip == "no-slip":
        out = np.where(wet == 4, out, 2.0 * out)
    else:
        out = np.where(wet == 4, out, 0.0)
    return np.where(wet == 0, np.nan, out)


def laplacian_kernel(
    fx, fy, dx_u, dy_u, dx_v, dy_v, area, mask_u, mask_v, mask_t, *, axes, weights, inner
):
    """Flux-form Laplacian at T: divergence of the masked gradient fluxes."""
    ax_x, ax_y = axes
    flux_x = _flux(stencil(fx, ax_x, inner) / dx_u, dy_u, mask_u)
    flux_y = _flux(stencil(fy, ax_y, inner) / dy_v, dx_v, mask_v)
    out = stencil(flux_x, ax_x, weights) + stencil(flux_y, ax_y, weights)
    out /= area
    return out if mask_t is None else np.where(mask_t, out, np.nan)
