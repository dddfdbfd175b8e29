"""Derivatives on a regular latitude/longitude grid of a sphere, poles included.

The operators are :func:`fieldops.grad`, :func:`fieldops.div`, :func:`fieldops.curl`
and :func:`fieldops.laplacian` (``geometry="auto"`` or ``"spherical"``) and the
kinematics; this module describes the forms that :class:`~fieldops.grids.sphere.Sphere`
computes.

With latitude ``phi`` and longitude ``lam`` in radians, radius ``R``:

* gradient: eastward ``f_lam / (R cos phi)``, northward ``f_phi / R`` (per metre);
* divergence: ``(u_lam + (v cos phi)_phi) / (R cos phi)`` (flux form);
* vertical vorticity: ``(v_lam - (u cos phi)_phi) / (R cos phi)`` (flux form);
* Laplacian: ``(f_phiphi - tan(phi) f_phi + f_lamlam / cos(phi)**2) / R**2``.

The cos/tan metric terms are analytic; only the fields are finite-differenced
(never map factors), with the per-axis stencils of :func:`fieldops.diff`.
Longitude is periodic by default when it spans 360 degrees, whatever its start,
direction or wrap point; latitude may be descending, non-uniform (Gaussian) and
float32.

Pole policy (``poles=``)
------------------------
Only rows *exactly on* a pole (|lat| = 90) are special: there ``cos(phi) = 0`` and
the metric terms are 0/0. Rows next to a pole need nothing special (the flux
form keeps their error bounded). Two policies:

``"limit"`` (default)
    The pole row gets the limit of the quantity at the pole. A scalar (divergence,
    vorticity, Laplacian) is one number per pole: the zonal means of the nearest
    ``accuracy // 2 + 1`` rows, extrapolated to the pole with an even polynomial in
    colatitude (a zonal mean of a smooth field is even in colatitude), so the
    pole value keeps the scheme's order. A direction-dependent quantity (the
    eastward derivative, deformation, advection terms) is the limit along each
    meridian: Lagrange extrapolation from the nearest ``accuracy + 1`` rows of the
    same meridian (the convention reanalyses use for winds on pole rows).
``"nan"``
    Pole rows of quantities that are singular there are NaN; everything else is
    unchanged. The northward derivative is always defined (one-sided along the
    meridian) and never NaN.
"""

from fieldops.grids.sphere import Sphere
from fieldops.options import POLE_POLICIES

__all__ = ["POLE_POLICIES", "Sphere"]
