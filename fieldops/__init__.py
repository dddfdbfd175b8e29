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
from fieldops.dynamics.extrema import extrema
from fieldops.dynamics.fronts import frontogenesis, q_vector
from fieldops.dynamics.pv import (
    ertel_potential_vorticity,
    isentropic_potential_vorticity,
    potential_vorticity_baroclinic,
    thermal_wind,
)
from fieldops.grids.detect import EARTH_RADIUS, detect_geometry
from fieldops.integrals.cumulative import cumulative_integrate
from fieldops.integrals.definite import integrate, mass_integrate
from fieldops.io.files import open_dataset, process, write
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
from fieldops.mappings.winds import to_earth_relative, to_grid_relative
from fieldops.sample import open_sample
from fieldops.scattered.points import at, from_points
from fieldops.scattered.rbf import ScatteredDerivatives
from fieldops.solvers.helmholtz import helmholtz, streamfunction, velocity_potential
from fieldops.solvers.poisson import solve_poisson

# staggered model grids (issue 17)
from fieldops.staggered.grid import StaggeredGrid, staggered_grid
from fieldops.stencils.apply import get_num_threads, set_num_threads
from fieldops.vertical.formula_terms import vertical_coordinate
from fieldops.vertical.interp import interp_vertical

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
    "to_earth_relative",
    "to_grid_relative",
    "total_deformation",
    "vorticity",
    "write",
    # model levels (issue 16)
    "interp_vertical",
    "vertical_coordinate",
    # integrals and dynamics (issue 19)
    "cumulative_integrate",
    "integrate",
    "mass_integrate",
    "frontogenesis",
    "q_vector",
    "potential_vorticity_baroclinic",
    "thermal_wind",
    "extrema",
    "ertel_potential_vorticity",
    "isentropic_potential_vorticity",
    # staggered model grids (issue 17)
    "StaggeredGrid",
    "staggered_grid",
    # Inverse operators (issue 15)
    "helmholtz",
    "solve_poisson",
    "streamfunction",
    "velocity_potential",
]
__version__ = "0.1.0"
