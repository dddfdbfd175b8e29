"""Kinematics of horizontal wind fields on spherical, cartesian and curvilinear grids."""

from fieldops.kinematics.winds import *  # noqa: F403
from fieldops.kinematics.winds import __all__, __doc__  # noqa: F401
