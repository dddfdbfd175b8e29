"""fieldops: derivatives of labelled n-dimensional fields along named dims.

Importing fieldops registers the ``.fieldops`` accessor on xarray objects.
"""

from fieldops import accessor as _accessor  # noqa: F401  (registers .fieldops)
from fieldops.calculus.critical import critical_points
from fieldops.calculus.derivative import diff
from fieldops.calculus.derived import (
    directional,
    jacobian_determinant,
    norm,
    rotation_rate,
    strain_rate,
)
from fieldops.calculus.diffusion import diffuse
from fieldops.calculus.scalar import grad, hessian, laplacian
from fieldops.calculus.vector import curl, div, jacobian
from fieldops.components import to_dataset
from fieldops.grids.detect import EARTH_RADIUS, detect_geometry
from fieldops.io import open_dataset, process, write
from fieldops.kinematics.winds import (
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
from fieldops.sample import open_sample
from fieldops.scattered.points import at, from_points
from fieldops.scattered.rbf import ScatteredDerivatives
from fieldops.solvers import helmholtz, solve_poisson, streamfunction, velocity_potential
from fieldops.stencils.apply import get_num_threads, set_num_threads

__all__ = [
    "EARTH_RADIUS",
    "ScatteredDerivatives",
    "absolute_vorticity",
    "advection",
    "at",
    "critical_points",
    "curl",
    "deformation",
    "detect_geometry",
    "diff",
    "diffuse",
    "directional",
    "div",
    "divergence",
    "from_points",
    "geostrophic_wind",
    "get_num_threads",
    "grad",
    "hessian",
    "jacobian",
    "jacobian_determinant",
    "laplacian",
    "norm",
    "open_dataset",
    "open_sample",
    "process",
    "rotation_rate",
    "set_num_threads",
    "shearing_deformation",
    "strain_rate",
    "stretching_deformation",
    "to_dataset",
    "total_deformation",
    "vorticity",
    "write",
    # Inverse operators (issue 15)
    "helmholtz",
    "solve_poisson",
    "streamfunction",
    "velocity_potential",
]
__version__ = "0.1.0"
