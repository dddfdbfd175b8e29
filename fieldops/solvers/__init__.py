"""Inverse operators: Poisson solves and the Helmholtz decomposition (see docs/solvers.md)."""

from fieldops.solvers.helmholtz import helmholtz, streamfunction, velocity_potential
from fieldops.solvers.poisson import solve_poisson

__all__ = ["helmholtz", "solve_poisson", "streamfunction", "velocity_potential"]
