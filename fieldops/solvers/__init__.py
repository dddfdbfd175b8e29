"""Inverse operators: Poisson solves and the Helmholtz decomposition (see docs/solvers.md)."""

from fieldops.solvers.poisson import solve_poisson

__all__ = ["solve_poisson"]
