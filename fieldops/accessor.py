"""The ``.fieldops`` accessor on DataArray and Dataset: a table, no logic.

Every method is the public function of the same name with the object as its first
argument: ``da.fieldops.grad(dims)`` is ``fieldops.grad(da, dims)``. The methods
are made from the functions (same signature less the first parameter, same
docstring), so the two can never drift apart. The kinematics of winds (``vorticity``
and the like) take several fields, so they are Dataset methods that name variables,
``ds.fieldops.vorticity(u="u", v="v")``, and are not on DataArrays; a DataArray
has ``geostrophic_wind`` of itself.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable

import xarray as xr

# Each module by its full path: the accessor is a table of the functions, and
# needs none of the packages' re-exports.
import fieldops.calculus.critical as critical
import fieldops.calculus.derivative as derivative_module
import fieldops.calculus.derived as derived
import fieldops.calculus.diffusion as diffusion
import fieldops.calculus.scalar as scalar
import fieldops.calculus.vector as vector
import fieldops.components as components
import fieldops.dynamics.fronts as fronts
import fieldops.dynamics.pv as pv
import fieldops.integrals.cumulative as cumulative_module
import fieldops.integrals.definite as definite_module
import fieldops.kinematics.winds as kinematics
import fieldops.mappings.winds as mapping_winds
import fieldops.scattered.points as points
import fieldops.staggered.grid as staggered
import fieldops.vertical.formula_terms as formula_terms
import fieldops.vertical.interp as interp
from fieldops.dynamics.extrema import extrema as find_extrema

# (functions, not modules: fieldops.solvers re-exports a function named helmholtz)
from fieldops.solvers.helmholtz import helmholtz as _helmholtz
from fieldops.solvers.helmholtz import streamfunction as _streamfunction
from fieldops.solvers.helmholtz import velocity_potential as _velocity_potential
from fieldops.solvers.poisson import solve_poisson as _solve_poisson


def _method(func: Callable) -> Callable:
    """``func(obj, ...)`` as a method ``obj.fieldops.<name>(...)``."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())

    @functools.wraps(func)
    def method(self: FieldopsAccessor, *args, **kwargs):
        return func(self._obj, *args, **kwargs)

    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = signature.replace(parameters=[self_param, *params[1:]])
    method.__doc__ = (
        f"``fieldops.{func.__name__}`` of this object (see that function).\n\n"
        + inspect.cleandoc(func.__doc__ or "")
    )
    return method


def _dataset_method(func: Callable, **variables: Hashable | None) -> Callable:
    """``func(ds[a], ds[b], ...)`` as ``ds.fieldops.<name>(a=..., b=...)``.

    ``variables`` names the parameters that take fields and their default
    variable names (None: no default). The method takes names (or DataArrays).
    """
    signature = inspect.signature(func)
    params = []
    for p in signature.parameters.values():
        if p.name in variables:
            default = variables[p.name]
            p = p.replace(
                annotation="Hashable",
                default=inspect.Parameter.empty if default is None else default,
            )
        params.append(p)

    @functools.wraps(func)
    def method(self: FieldopsAccessor, *args, **kwargs):
        bound = inspect.signature(method).bind(self, *args, **kwargs)
        bound.apply_defaults()
        call = dict(bound.arguments)
        call.pop("self")
        for name in variables:
            call[name] = kinematics.variable(self._obj, call[name], func.__name__)
        return func(**call)

    method.names_variables = True  # what tests use to tell the Dataset-only methods
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = signature.replace(parameters=[self_param, *params])
    method.__doc__ = (
        f"``fieldops.{func.__name__}`` of variables of this Dataset, given by name "
        f"({', '.join(variables)}); see that function.\n\n" + inspect.cleandoc(func.__doc__ or "")
    )
    return method


class FieldopsAccessor:
    """Differential operators on labelled fields: see the functions of :mod:`fieldops`.

    Examples
    --------
    >>> import numpy as np, fieldops
    >>> da = xr.DataArray(np.arange(5.0) ** 2, dims="x")
    >>> da.fieldops.diff("x").values
    array([0., 2., 4., 6., 8.])
    """

    def __init__(self, obj: xr.DataArray | xr.Dataset) -> None:
        self._obj = obj

    diff = _method(derivative_module.diff)
    grad = _method(scalar.grad)
    div = _method(vector.div)
    curl = _method(vector.curl)
    laplacian = _method(scalar.laplacian)
    hessian = _method(scalar.hessian)
    jacobian = _method(vector.jacobian)
    jacobian_determinant = _method(derived.jacobian_determinant)
    directional = _method(derived.directional)
    norm = _method(derived.norm)
    critical_points = _method(critical.critical_points)
    strain_rate = _method(derived.strain_rate)
    rotation_rate = _method(derived.rotation_rate)
    diffuse = _method(diffusion.diffuse)
    at = _method(points.at)
    to_dataset = _method(components.to_dataset)
    # model levels (issue 16)
    vertical_coordinate = _method(formula_terms.vertical_coordinate)
    interp_vertical = _method(interp.interp_vertical)

    geostrophic_wind = _method(kinematics.geostrophic_wind)

    # integrals and dynamics (issue 19)
    integrate = _method(definite_module.integrate)
    cumulative_integrate = _method(cumulative_module.cumulative_integrate)
    mass_integrate = _method(definite_module.mass_integrate)
    thermal_wind = _method(pv.thermal_wind)
    extrema = _method(find_extrema)
    # staggered model grids (issue 17): the grid of this object's coordinates/variables
    staggered_grid = _method(staggered.staggered_grid)
    # Inverse operators (issue 15)
    solve_poisson = _method(_solve_poisson)

    def __getattr__(self, name: str):
        # Only called for names the class lacks: explain the Dataset-only ones.
        if name in _DATASET_ONLY:
            raise AttributeError(
                f".fieldops.{name} is a Dataset method (it names variables, e.g. "
                f"ds.fieldops.{name}(u='u', v='v')); on DataArrays call "
                f"fieldops.{name}(...) with them"
            )
        raise AttributeError(f"'.fieldops' has no attribute {name!r}")


class DatasetFieldopsAccessor(FieldopsAccessor):
    """``.fieldops`` of a Dataset: the DataArray methods plus those naming variables."""

    vorticity = _dataset_method(kinematics.vorticity, u="u", v="v")
    absolute_vorticity = _dataset_method(kinematics.absolute_vorticity, u="u", v="v")
    divergence = _dataset_method(kinematics.divergence, u="u", v="v")
    advection = _dataset_method(kinematics.advection, scalar=None, u="u", v="v")
    deformation = _dataset_method(kinematics.deformation, u="u", v="v")
    stretching_deformation = _dataset_method(kinematics.stretching_deformation, u="u", v="v")
    shearing_deformation = _dataset_method(kinematics.shearing_deformation, u="u", v="v")
    total_deformation = _dataset_method(kinematics.total_deformation, u="u", v="v")
    geostrophic_wind = _dataset_method(kinematics.geostrophic_wind, field=None)
    to_earth_relative = _dataset_method(mapping_winds.to_earth_relative, u="u", v="v")
    to_grid_relative = _dataset_method(mapping_winds.to_grid_relative, u="u", v="v")

    # dynamics (issue 19): the fields by name, pressure as a DataArray (ds.level)
    frontogenesis = _dataset_method(fronts.frontogenesis, potential_temperature=None, u="u", v="v")
    q_vector = _dataset_method(fronts.q_vector, u=None, v=None, temperature=None)
    potential_vorticity_baroclinic = _dataset_method(
        pv.potential_vorticity_baroclinic, potential_temperature=None, u="u", v="v"
    )
    ertel_potential_vorticity = _dataset_method(
        pv.ertel_potential_vorticity, potential_temperature=None, u="u", v="v"
    )
    isentropic_potential_vorticity = _dataset_method(
        pv.isentropic_potential_vorticity, pressure=None, u="u", v="v"
    )

    # Inverse operators (issue 15)
    helmholtz = _dataset_method(_helmholtz, u="u", v="v")
    streamfunction = _dataset_method(_streamfunction, u="u", v="v")
    velocity_potential = _dataset_method(_velocity_potential, u="u", v="v")


_DATASET_ONLY = {
    name
    for name, value in vars(DatasetFieldopsAccessor).items()
    if getattr(value, "names_variables", False) and not hasattr(FieldopsAccessor, name)
}

xr.register_dataarray_accessor("fieldops")(FieldopsAccessor)
xr.register_dataset_accessor("fieldops")(DatasetFieldopsAccessor)
