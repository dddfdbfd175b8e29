"""fieldops: derivatives of labelled n-dimensional fields along named dims.

Importing fieldops registers the ``.fieldops`` accessor on xarray objects.
"""

from fieldops import accessor as _accessor  # noqa: F401  (registers .fieldops)
from fieldops.grids import EARTH_RADIUS, detect_geometry
from fieldops.kinematics import (
    absolute_vorticity,
    advection,
    deformation,
    divergence,
    geostrophic_wind,
    shearing_deformation,
    stretching_deformation,
    total_deformation,
    vorticity,
)
from fieldops.operators import diff
from fieldops.sample import open_sample
from fieldops.stencils.apply import get_num_threads, set_num_threads

__all__ = [
    "EARTH_RADIUS",
    "absolute_vorticity",
    "advection",
    "deformation",
    "detect_geometry",
    "diff",
    "divergence",
    "geostrophic_wind",
    "get_num_threads",
    "open_sample",
    "set_num_threads",
    "shearing_deformation",
    "stretching_deformation",
    "total_deformation",
    "vorticity",
]
__version__ = "0.1.0"
