"""The ``.fieldops`` accessor on DataArray and Dataset: one line per method, no logic."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops import operators
from fieldops import points as _points
from fieldops.boundary import BoundarySpec
from fieldops.operators import MethodArg, PeriodSpec, ScaleArg


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
        method: MethodArg = "finite_difference",
        window: ScaleArg = None,
        polyorder: int | None = None,
        sigma: ScaleArg = None,
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
            method=method,
            window=window,
            polyorder=polyorder,
            sigma=sigma,
        )

    def at(
        self, points: object, *, dims: Sequence[Hashable] | None = None, method: str = "linear"
    ) -> xr.DataArray | xr.Dataset:
        """This field at arbitrary points: :func:`fieldops.at` of this object.

        Examples
        --------
        >>> import fieldops
        >>> da = xr.DataArray(np.arange(5.0) ** 2, dims="x")
        >>> da.fieldops.diff("x").fieldops.at(np.array([[1.5], [2.0]])).values
        array([3., 4.])
        """
        return _points.at(self._obj, points, dims=dims, method=method)


xr.register_dataarray_accessor("fieldops")(FieldopsAccessor)
xr.register_dataset_accessor("fieldops")(FieldopsAccessor)
