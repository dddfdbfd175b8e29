"""Derivatives of scattered samples: RBF fits differentiated analytically, and
the bridge between scattered points and grids."""

from fieldops.scattered.points import at, from_points
from fieldops.scattered.rbf import ScatteredDerivatives

__all__ = ["ScatteredDerivatives", "at", "from_points"]
