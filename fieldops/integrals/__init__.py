"""Integrals of any accuracy: definite, cumulative (lazy scans on Dask), area and mass-weighted.

:mod:`~fieldops.integrals.weights` turns the Fornberg machinery of
:mod:`fieldops.stencils.weights` into quadrature weights; :mod:`.cumulative`
runs them as a stencil plus a scan; :mod:`.definite` as a weighted sum, with
the grids' area weights of :mod:`.area`.
"""

from fieldops.integrals.cumulative import cumulative_integrate
from fieldops.integrals.definite import integrate, mass_integrate

__all__ = ["cumulative_integrate", "integrate", "mass_integrate"]
