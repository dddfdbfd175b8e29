"""The ``.fieldops`` accessor on DataArray and Dataset: one line per method, no logic."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops import derived, operators, vector
from fieldops.boundary import BoundarySpec
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

    def grad(
        self,
        dims: Hashable | Sequence[Hashable] | None = None,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray | xr.Dataset:
        """Gradient as a vector field: :func:`fieldops.grad` of this object.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> f.fieldops.grad().sel(x=2, y=0).values.tolist()
        [4.0, 0.0]
        """
        return vector.grad(
            self._obj,
            dims,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def laplacian(
        self,
        dims: Hashable | Sequence[Hashable] | None = None,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray | xr.Dataset:
        """Laplacian: :func:`fieldops.laplacian` of this object.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> float(f.fieldops.laplacian().sel(x=2, y=2))
        2.0
        """
        return vector.laplacian(
            self._obj,
            dims,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def hessian(
        self,
        dims: Hashable | Sequence[Hashable] | None = None,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray | xr.Dataset:
        """Hessian ``(component, wrt)``: :func:`fieldops.hessian` of this object.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> f.fieldops.hessian().sel(x=2, y=2).values.tolist()
        [[2.0, 0.0], [0.0, 0.0]]
        """
        return vector.hessian(
            self._obj,
            dims,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def directional(
        self,
        direction: Mapping[Hashable, float] | Sequence[float] | xr.DataArray,
        dims: Hashable | Sequence[Hashable] | None = None,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray | xr.Dataset:
        """Directional derivative: :func:`fieldops.directional` of this object.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> float(f.fieldops.directional({"x": 1.0, "y": 0.0}).sel(x=2, y=0))
        4.0
        """
        return derived.directional(
            self._obj,
            direction,
            dims,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def critical_points(
        self,
        dims: Hashable | Sequence[Hashable] | None = None,
        *,
        tol: float | None = None,
        rtol: float = 1e-6,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray | xr.Dataset:
        """Critical points, classified: :func:`fieldops.critical_points` of this object.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> int(f.fieldops.critical_points("x").sel(x=0, y=0))
        1
        """
        return derived.critical_points(
            self._obj,
            dims,
            tol=tol,
            rtol=rtol,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def diffuse(
        self,
        alpha: float,
        steps: int = 1,
        dims: Hashable | Sequence[Hashable] | None = None,
        *,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray | xr.Dataset:
        """Explicit Laplacian smoothing: :func:`fieldops.diffuse` of this object.

        Examples
        --------
        >>> import fieldops
        >>> u = xr.DataArray([0.0, 0.0, 4.0, 0.0, 0.0], dims="x")
        >>> u.fieldops.diffuse(0.25, boundary="periodic").values.tolist()
        [0.0, 1.0, 2.0, 1.0, 0.0]
        """
        return derived.diffuse(
            self._obj,
            alpha,
            steps,
            dims,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def div(
        self,
        dims: Sequence[Hashable] | None = None,
        *,
        components: Mapping[Hashable, Hashable] | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray:
        """Divergence of this vector field: :func:`fieldops.div`.

        On a Dataset pass ``components={dim: variable}``.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> F = fieldops.grad(f)
        >>> float(F.fieldops.div().sel(x=2, y=2))
        2.0
        """
        return vector.div(
            self._obj,
            dims,
            components=components,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def curl(
        self,
        dims: Sequence[Hashable] | None = None,
        *,
        components: Mapping[Hashable, Hashable] | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray:
        """Curl of this vector field: :func:`fieldops.curl`.

        On a Dataset pass ``components={dim: variable}``.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> F = fieldops.grad(f)
        >>> float(F.fieldops.curl().sel(x=2, y=2))
        0.0
        """
        return vector.curl(
            self._obj,
            dims,
            components=components,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def jacobian(
        self,
        dims: Hashable | Sequence[Hashable] | None = None,
        *,
        components: Mapping[Hashable, Hashable] | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray:
        """Jacobian ``(component, wrt)`` of this vector field: :func:`fieldops.jacobian`.

        On a Dataset pass ``components={dim: variable}``.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> F = fieldops.grad(f)
        >>> F.fieldops.jacobian().sel(x=2, y=2).values.tolist()
        [[2.0, 0.0], [0.0, 0.0]]
        """
        return vector.jacobian(
            self._obj,
            dims,
            components=components,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def jacobian_determinant(
        self,
        dims: Sequence[Hashable] | None = None,
        *,
        components: Mapping[Hashable, Hashable] | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray:
        """Jacobian determinant: :func:`fieldops.jacobian_determinant`.

        On a Dataset pass ``components={dim: variable}``.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> F = fieldops.grad(f)
        >>> float(F.fieldops.jacobian_determinant().sel(x=2, y=2))
        0.0
        """
        return derived.jacobian_determinant(
            self._obj,
            dims,
            components=components,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def strain_rate(
        self,
        dims: Sequence[Hashable] | None = None,
        *,
        components: Mapping[Hashable, Hashable] | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray:
        """Strain-rate tensor: :func:`fieldops.strain_rate`.

        On a Dataset pass ``components={dim: variable}``.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> F = fieldops.grad(f)
        >>> F.fieldops.strain_rate().sel(x=2, y=2).values.tolist()
        [[2.0, 0.0], [0.0, 0.0]]
        """
        return derived.strain_rate(
            self._obj,
            dims,
            components=components,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def rotation_rate(
        self,
        dims: Sequence[Hashable] | None = None,
        *,
        components: Mapping[Hashable, Hashable] | None = None,
        accuracy: int = 2,
        boundary: BoundarySpec | None = None,
        fill_value: float = np.nan,
        period: PeriodSpec = None,
        datetime_unit: str | None = None,
    ) -> xr.DataArray:
        """Rotation-rate tensor: :func:`fieldops.rotation_rate`.

        On a Dataset pass ``components={dim: variable}``.

        Examples
        --------
        >>> import fieldops
        >>> x = xr.DataArray(np.arange(5.0), dims="x")
        >>> f = x**2 + 0 * x.rename(x="y")
        >>> F = fieldops.grad(f)
        >>> F.fieldops.rotation_rate().sel(x=2, y=2).values.tolist()
        [[0.0, 0.0], [0.0, 0.0]]
        """
        return derived.rotation_rate(
            self._obj,
            dims,
            components=components,
            accuracy=accuracy,
            boundary=boundary,
            fill_value=fill_value,
            period=period,
            datetime_unit=datetime_unit,
        )

    def norm(self, *, components: Mapping[Hashable, Hashable] | None = None) -> xr.DataArray:
        """Magnitude of this vector field: :func:`fieldops.norm`.

        Examples
        --------
        >>> import fieldops
        >>> F = xr.DataArray([3.0, 4.0], dims="component", coords={"component": ["x", "y"]})
        >>> float(F.fieldops.norm())
        5.0
        """
        return derived.norm(self._obj, components=components)


xr.register_dataarray_accessor("fieldops")(FieldopsAccessor)
xr.register_dataset_accessor("fieldops")(FieldopsAccessor)
