"""Dynamics on any frame: fronts, Q-vectors, potential vorticity, thermal wind, extrema.

Definitions and sign conventions follow MetPy's (so a user can switch); the
grids are the kinematics' (:func:`fieldops.grids.frame.frame_for`): cartesian,
latitude/longitude with bounded pole rows and periodic longitude, curvilinear.
"""

from fieldops.dynamics.extrema import extrema
from fieldops.dynamics.fronts import frontogenesis, q_vector
from fieldops.dynamics.pv import (
    ertel_potential_vorticity,
    isentropic_potential_vorticity,
    potential_vorticity_baroclinic,
    thermal_wind,
)

__all__ = [
    "ertel_potential_vorticity",
    "extrema",
    "frontogenesis",
    "isentropic_potential_vorticity",
    "potential_vorticity_baroclinic",
    "q_vector",
    "thermal_wind",
]
