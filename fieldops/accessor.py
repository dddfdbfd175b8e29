"""The ``.fieldops`` accessor on DataArray and Dataset: one line per method, no logic."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops import kinematics, operators
from fieldops.boundary import BoundarySpec
from fieldops.grids import EARTH_RADIUS
from fieldops.operators import PeriodSpec


class FieldopsAccessor:
    """Differential operators on labelled fields; see the functions of :mod:`fieldops`."""

    def __init__(self, obj: xr.DataArray | xr.Dataset) -> None:
        self._obj = obj

    def diff(
        self,
        dim: Hashable,
        order: int = 1,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray | xr.Dataset:
        """Derivative along ``dim``: :func:`fieldops.diff` of this object.

        Examples
        --------
        >>> import fieldops
        >>> da = xr.DataArray(np.arange(5.0) ** 2, dims="x")
        >>> da.fieldops.diff("x").values
        array([0., 2., 4., 6., 8.])
        """
        return operators.diff(
            self._obj,
            dim,
            order,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def vorticity(
        self,
        u: Hashable = "u",
        v: Hashable = "v",
        *,
        geometry: str = "auto",
        x_dim: Hashable | None = None,
        y_dim: Hashable | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        radius: float = EARTH_RADIUS,
        poles: str = "limit",
    ) -> xr.DataArray:
        """Relative vorticity of winds ``u``, ``v``: :func:`fieldops.vorticity`.

        Examples
        --------
        >>> import fieldops
        >>> ds = fieldops.open_sample()
        >>> ds.fieldops.vorticity(u="u", v="v").attrs["units"]
        's-1'
        """
        return kinematics.vorticity(
            kinematics.variable(self._obj, u, "vorticity"),
            kinematics.variable(self._obj, v, "vorticity"),
            geometry=geometry,
            x_dim=x_dim,
            y_dim=y_dim,
            accuracy=accuracy,
            boundary=boundary,
            radius=radius,
            poles=poles,
        )

    def absolute_vorticity(
        self,
        u: Hashable = "u",
        v: Hashable = "v",
        *,
        coriolis: float | xr.DataArray | None = None,
        geometry: str = "auto",
        x_dim: Hashable | None = None,
        y_dim: Hashable | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        radius: float = EARTH_RADIUS,
        poles: str = "limit",
    ) -> xr.DataArray:
        """Absolute vorticity of winds ``u``, ``v``: :func:`fieldops.absolute_vorticity`.

        Examples
        --------
        >>> import fieldops
        >>> ds = fieldops.open_sample()
        >>> ds.fieldops.absolute_vorticity(u="u", v="v").attrs["units"]
        's-1'
        """
        return kinematics.absolute_vorticity(
            kinematics.variable(self._obj, u, "absolute_vorticity"),
            kinematics.variable(self._obj, v, "absolute_vorticity"),
            coriolis=coriolis,
            geometry=geometry,
            x_dim=x_dim,
            y_dim=y_dim,
            accuracy=accuracy,
            boundary=boundary,
            radius=radius,
            poles=poles,
        )

    def divergence(
        self,
        u: Hashable = "u",
        v: Hashable = "v",
        *,
        geometry: str = "auto",
        x_dim: Hashable | None = None,
        y_dim: Hashable | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        radius: float = EARTH_RADIUS,
        poles: str = "limit",
    ) -> xr.DataArray:
        """Horizontal divergence of winds ``u``, ``v``: :func:`fieldops.divergence`.

        Examples
        --------
        >>> import fieldops
        >>> ds = fieldops.open_sample()
        >>> ds.fieldops.divergence(u="u", v="v").attrs["units"]
        's-1'
        """
        return kinematics.divergence(
            kinematics.variable(self._obj, u, "divergence"),
            kinematics.variable(self._obj, v, "divergence"),
            geometry=geometry,
            x_dim=x_dim,
            y_dim=y_dim,
            accuracy=accuracy,
            boundary=boundary,
            radius=radius,
            poles=poles,
        )

    def advection(
        self,
        scalar: Hashable,
        u: Hashable = "u",
        v: Hashable = "v",
        *,
        geometry: str = "auto",
        x_dim: Hashable | None = None,
        y_dim: Hashable | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        radius: float = EARTH_RADIUS,
        poles: str = "limit",
    ) -> xr.DataArray:
        """Advection of variable ``scalar`` by winds ``u``, ``v``: :func:`fieldops.advection`.

        Examples
        --------
        >>> import fieldops
        >>> ds = fieldops.open_sample()
        >>> ds.fieldops.advection("z", u="u", v="v").attrs["units"]
        'm2 s-3'
        """
        return kinematics.advection(
            kinematics.variable(self._obj, scalar, "advection"),
            kinematics.variable(self._obj, u, "advection"),
            kinematics.variable(self._obj, v, "advection"),
            geometry=geometry,
            x_dim=x_dim,
            y_dim=y_dim,
            accuracy=accuracy,
            boundary=boundary,
            radius=radius,
            poles=poles,
        )

    def deformation(
        self,
        u: Hashable = "u",
        v: Hashable = "v",
        *,
        geometry: str = "auto",
        x_dim: Hashable | None = None,
        y_dim: Hashable | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        radius: float = EARTH_RADIUS,
        poles: str = "limit",
    ) -> xr.Dataset:
        """Stretching, shearing and total deformation: :func:`fieldops.deformation`.

        Examples
        --------
        >>> import fieldops
        >>> sorted(fieldops.open_sample().fieldops.deformation().data_vars)
        ['shearing_deformation', 'stretching_deformation', 'total_deformation']
        """
        return kinematics.deformation(
            kinematics.variable(self._obj, u, "deformation"),
            kinematics.variable(self._obj, v, "deformation"),
            geometry=geometry,
            x_dim=x_dim,
            y_dim=y_dim,
            accuracy=accuracy,
            boundary=boundary,
            radius=radius,
            poles=poles,
        )

    def geostrophic_wind(
        self,
        field: Hashable = "z",
        *,
        kind: str = "auto",
        min_latitude: float = 5.0,
        coriolis: float | xr.DataArray | None = None,
        geometry: str = "auto",
        x_dim: Hashable | None = None,
        y_dim: Hashable | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        radius: float = EARTH_RADIUS,
        poles: str = "limit",
    ) -> xr.Dataset:
        """Geostrophic wind from variable ``field``: :func:`fieldops.geostrophic_wind`.

        Examples
        --------
        >>> import fieldops
        >>> sorted(fieldops.open_sample().fieldops.geostrophic_wind("z").data_vars)
        ['ug', 'vg']
        """
        return kinematics.geostrophic_wind(
            kinematics.variable(self._obj, field, "geostrophic_wind"),
            kind=kind,
            min_latitude=min_latitude,
            coriolis=coriolis,
            geometry=geometry,
            x_dim=x_dim,
            y_dim=y_dim,
            accuracy=accuracy,
            boundary=boundary,
            radius=radius,
            poles=poles,
        )


xr.register_dataarray_accessor("fieldops")(FieldopsAccessor)
xr.register_dataset_accessor("fieldops")(FieldopsAccessor)
