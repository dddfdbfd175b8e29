"""What is built on the vector-calculus operators.

Directional derivatives, magnitudes, Jacobian determinants, critical points, strain
and rotation rates, and explicit Laplacian diffusion.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops._fields import (
    COMPONENT,
    WRT,
    SlotSpec,
    as_vector,
    describe,
    dim_options,
    options,
    partials,
    power_units,
    scalar_dims,
    vector_call,
    vector_result,
)
from fieldops._validate import check_numeric, check_xarray
from fieldops.boundary import BoundarySpec
from fieldops.operators import Options, PeriodSpec, axis_stencil, derivative_attrs, map_dataset
from fieldops.stencils.fused import Copy
from fieldops.vector import grad, hessian_slots
from fieldops.vectorfield import jacobian


def directional(
    f: xr.DataArray | xr.Dataset,
    direction: Mapping[Hashable, float] | Sequence[float] | xr.DataArray,
    dims: Hashable | Sequence[Hashable] | None = None,
    *,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
) -> xr.DataArray | xr.Dataset:
    """Directional derivative ``grad(f) . u`` along the unit vector ``u`` of ``direction``.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    direction : mapping, sequence or DataArray
        A constant vector, ``{dim: value}`` or numbers in the order of ``dims``, or a
        vector field (DataArray with a ``component`` dim, broadcast against ``f``).
        Normalised to unit length (a zero vector gives NaN).
    dims : hashable or sequence of hashable, optional
        Dims of the direction; the mapping's keys or the ``component`` labels by
        default.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray or Dataset
        ``f``'s dims; named ``ddir_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> f = x + 2 * x.rename(x="y")
    >>> float(directional(f, {"x": 3.0, "y": 4.0}).sel(x=2, y=2))
    2.2
    """
    check_xarray(f)
    if isinstance(direction, xr.DataArray):
        if COMPONENT not in direction.dims or COMPONENT not in direction.coords:
            raise ValueError(
                f"direction must have a labelled {COMPONENT!r} dim, it has dims "
                f"{list(direction.dims)}"
            )
        labels = direction[COMPONENT].values.tolist()
        vec = direction
    elif isinstance(direction, Mapping):
        labels = list(direction)
        vec = xr.DataArray(
            np.asarray(list(direction.values()), dtype=float),
            dims=COMPONENT,
            coords={COMPONENT: labels},
        )
    else:
        values = np.asarray(direction, dtype=float)
        if dims is None:
            raise ValueError(
                "a direction given as numbers needs dims= to say which dims they point along"
            )
        labels = scalar_dims(f, dims)
        if values.shape != (len(labels),):
            raise ValueError(
                f"direction has {values.size} numbers but dims {labels} name {len(labels)}"
            )
        vec = xr.DataArray(values, dims=COMPONENT, coords={COMPONENT: labels})
    dims = labels if dims is None else scalar_dims(f, dims)
    if sorted(map(str, dims)) != sorted(map(str, labels)) or len(dims) != len(labels):
        raise ValueError(f"direction has components {labels} but dims are {dims}; make them match")
    vec = vec.sel({COMPONENT: dims})
    unit = vec / np.sqrt((vec**2).sum(COMPONENT, skipna=False))
    g = grad(
        f,
        dims,
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        period=period,
        datetime_unit=datetime_unit,
    )

    def dot(gv: xr.DataArray) -> xr.DataArray:
        u = unit.drop_vars(COMPONENT).astype(gv.dtype)  # float32 stays float32
        out = (gv * u).sum(COMPONENT, skipna=False)  # NaN stays NaN
        out = out.transpose(*gv.dims[1:], ...)
        out.name = "ddir_" + gv.name.removeprefix("grad_")
        out.attrs = dict(gv.attrs)
        out.attrs["long_name"] = gv.attrs["long_name"].replace("gradient", "directional derivative")
        return out

    if isinstance(g, xr.DataArray):
        return dot(g)
    return xr.Dataset(
        {
            (dot(v).name if COMPONENT in v.dims else k): (dot(v) if COMPONENT in v.dims else v)
            for k, v in g.data_vars.items()
        },
        attrs=dict(g.attrs),
    )


def _det(a: np.ndarray) -> np.ndarray:
    """numpy.linalg.det, quiet about NaN (points a fill boundary leaves undefined)."""
    with np.errstate(invalid="ignore"):
        return np.linalg.det(a)


def jacobian_determinant(
    F: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable] | None = None,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
) -> xr.DataArray:
    """Determinant of the square Jacobian over ``dims`` (components along the same dims).

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : sequence of hashable, optional
        Dims (each a component label); the component labels by default.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray
        The spatial dims; named ``det_jac_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> F = xr.concat([2 * x + 0 * y, 3 * y + 0 * x], dim="component")
    >>> float(jacobian_determinant(F.assign_coords(component=["x", "y"])).max())
    6.0
    """
    vec, dims, opts, labels = vector_call(
        F, components, dims, True, accuracy, boundary, fill_value, period, datetime_unit
    )
    vec = vec.sel({COMPONENT: dims})
    J = jacobian(
        vec,
        dims,
        accuracy=accuracy,
        boundary=boundary,
        fill_value=fill_value,
        period=period,
        datetime_unit=datetime_unit,
    )
    n = len(dims)
    stacked = J.transpose(*J.dims[2:], COMPONENT, WRT)
    if n == 1:
        det = stacked[..., 0, 0]
    elif n == 2:
        det = stacked[..., 0, 0] * stacked[..., 1, 1] - stacked[..., 0, 1] * stacked[..., 1, 0]
    elif n == 3:
        m = [[stacked[..., i, j] for j in range(3)] for i in range(3)]
        det = (
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        )
    else:
        det = xr.apply_ufunc(
            _det,
            stacked,
            input_core_dims=[[COMPONENT, WRT]],
            dask="parallelized",
            output_dtypes=[J.dtype],
        )
    det = det.drop_vars([COMPONENT, WRT], errors="ignore").transpose(*J.dims[2:])
    cu = [axis_stencil(vec, d, 1, dim_options(vec, d, opts))[1] for d in dims]
    det.attrs = derivative_attrs(vec, f"Jacobian determinant of {describe(vec)}", [None])
    units = power_units(vec.attrs.get("units"), n, cu)
    if units is not None:
        det.attrs["units"] = units
    det.name = f"det_jac_{vec.name}" if vec.name is not None else "det_jac"
    return det


def norm(
    F: xr.DataArray | xr.Dataset,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
) -> xr.DataArray:
    """Magnitude ``sqrt(sum of squared components)`` of a vector field.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.

    Returns
    -------
    DataArray
        The spatial dims, ``F``'s units; named ``norm_<name>``.

    Examples
    --------
    >>> F = xr.DataArray([3.0, 4.0], dims="component", coords={"component": ["x", "y"]})
    >>> float(norm(F))
    5.0
    """
    vec = as_vector(F, components)
    out = np.sqrt((vec**2).sum(COMPONENT, skipna=False))
    out = out.drop_vars([k for k in out.coords if COMPONENT in vec[k].dims], errors="ignore")
    attrs = {k: v for k, v in vec.attrs.items() if k not in ("long_name", "standard_name")}
    attrs["long_name"] = f"magnitude of {describe(vec)}"
    out.attrs = attrs
    out.name = f"norm_{vec.name}" if vec.name is not None else "norm"
    return out


def _rate(F, dims, components, sign, name, long_name, opts_args) -> xr.DataArray:
    vec, dims, opts, labels = vector_call(F, components, dims, True, *opts_args)
    n = len(dims)
    c = [labels.index(d) for d in dims]
    slots: list[SlotSpec] = []
    for i in range(n):
        for j in range(n):
            if i == j:
                slots.append([(c[i], 1.0, {dims[i]: 1})] if sign > 0 else [])
            elif i > j:
                slots.append(Copy(j * n + i, sign))
            else:
                slots.append([(c[i], 0.5, {dims[j]: 1}), (c[j], 0.5 * sign, {dims[i]: 1})])
    data, cu = partials(vec, slots, opts, slot_shape=(n, n))
    extra = ((COMPONENT, dims), (WRT, dims))
    return vector_result(vec, data, extra, name, long_name, [[cu[d]] for d in dims])


def strain_rate(
    F: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable] | None = None,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
) -> xr.DataArray:
    """Strain-rate tensor: the symmetric part ``(J + J^T) / 2`` of the Jacobian, one pass.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : sequence of hashable, optional
        Dims (each a component label); the component labels by default.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray
        Dims ``(component, wrt, *spatial)``, symmetric; named ``strain_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> F = xr.concat([y + 0 * x, 0 * (x + y)], dim="component")  # simple shear
    >>> S = strain_rate(F.assign_coords(component=["x", "y"]))
    >>> S.sel(x=2, y=2).values.tolist()
    [[0.0, 0.5], [0.5, 0.0]]
    """
    args = (accuracy, boundary, fill_value, period, datetime_unit)
    return _rate(F, dims, components, 1.0, "strain", "strain rate", args)


def rotation_rate(
    F: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable] | None = None,
    *,
    components: Mapping[Hashable, Hashable] | None = None,
    accuracy: int = 2,
    boundary: BoundarySpec | None = None,
    fill_value: float = np.nan,
    period: PeriodSpec = None,
    datetime_unit: str | None = None,
) -> xr.DataArray:
    """Rotation-rate tensor: the antisymmetric part ``(J - J^T) / 2`` of the Jacobian.

    Parameters
    ----------
    F : DataArray or Dataset
        Vector field: a DataArray with a ``component`` dim, or a Dataset with
        ``components``.
    dims : sequence of hashable, optional
        Dims (each a component label); the component labels by default.
    components : mapping, optional
        ``{dim: variable}`` when ``F`` is a Dataset.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray
        Dims ``(component, wrt, *spatial)``, antisymmetric with a zero diagonal;
        named ``rotation_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.arange(5.0), dims="x")
    >>> y = x.rename(x="y")
    >>> F = xr.concat([y + 0 * x, 0 * (x + y)], dim="component")  # simple shear
    >>> R = rotation_rate(F.assign_coords(component=["x", "y"]))
    >>> R.sel(x=2, y=2).values.tolist()
    [[0.0, 0.5], [-0.5, 0.0]]
    """
    args = (accuracy, boundary, fill_value, period, datetime_unit)
    return _rate(F, dims, components, -1.0, "rotation", "rotation rate", args)


CRITICAL_MEANINGS = ("none", "minimum", "maximum", "saddle", "degenerate")


def _classify(eig: np.ndarray, critical: np.ndarray, eig_tol: np.ndarray) -> np.ndarray:
    zero = np.abs(eig) <= eig_tol[..., None]
    pos = (eig > 0) & ~zero
    neg = (eig < 0) & ~zero
    code = np.where(zero.any(-1), 4, np.where(pos.all(-1), 1, np.where(neg.all(-1), 2, 3))).astype(
        np.int8
    )
    return np.where(critical, code, 0).astype(np.int8)


def _critical_da(f, dims, tol, rtol, opts) -> xr.DataArray:
    n = len(dims)
    slots = [[(0, 1.0, {d: 1})] for d in dims]
    slots += [s if isinstance(s, list) else s + n for s in hessian_slots(dims)]  # type: ignore
    data, _ = partials(f, slots, opts)
    g = xr.DataArray(data[:n], dims=(COMPONENT,) + f.dims)
    gnorm = np.sqrt((g**2).sum(COMPONENT, skipna=False))
    H = xr.DataArray(data[n:].reshape((n, n) + data.shape[1:]), dims=(COMPONENT, WRT) + f.dims)
    defined = np.isfinite(H).all([COMPONENT, WRT]) & np.isfinite(gnorm)
    eig = xr.apply_ufunc(
        np.linalg.eigvalsh,
        H.where(defined, 0.0).transpose(..., COMPONENT, WRT),
        input_core_dims=[[COMPONENT, WRT]],
        output_core_dims=[["eig"]],
        dask="parallelized",
        output_dtypes=[H.dtype],
        dask_gufunc_kwargs={"output_sizes": {"eig": n}},
    )
    gtol = rtol * gnorm.max() if tol is None else tol
    eig_tol = rtol * np.abs(eig).max()
    critical = (gnorm <= gtol) & defined
    codes = xr.apply_ufunc(
        _classify,
        eig,
        critical,
        eig_tol,
        input_core_dims=[["eig"], [], []],
        dask="parallelized",
        output_dtypes=[np.int8],
    ).transpose(*f.dims)
    return xr.DataArray(
        codes.data,
        dims=f.dims,
        coords=f.coords,
        name=f"critical_{f.name}" if f.name is not None else "critical",
        attrs={
            "long_name": f"critical points of {describe(f)}",
            "flag_values": np.arange(len(CRITICAL_MEANINGS), dtype=np.int8),
            "flag_meanings": " ".join(CRITICAL_MEANINGS),
        },
    )


def critical_points(
    f: xr.DataArray | xr.Dataset,
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
    """Where the gradient vanishes, classified by the Hessian's eigenvalues.

    A grid point is critical where ``|grad f| <= tol``. There the Hessian's
    eigenvalues say: all positive, a minimum (1); all negative, a maximum (2);
    mixed signs, a saddle (3); some zero (``|eigenvalue| <= rtol`` times the largest
    over the field), degenerate (4). Elsewhere, and where a ``fill`` boundary
    leaves the derivatives undefined, 0. Gradient and Hessian come from one pass.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    dims : hashable or sequence of hashable, optional
        Dims to differentiate along; all dims of ``f`` by default.
    tol : float, optional
        Largest gradient magnitude counted as zero, in the gradient's units;
        ``rtol`` times the largest gradient magnitude over the field by default.
    rtol : float, default 1e-6
        Relative tolerance of the defaults above.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray or Dataset
        int8 codes on ``f``'s grid, with CF ``flag_values`` and ``flag_meanings``
        (``none minimum maximum saddle degenerate``); named ``critical_<name>``.

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(-1, 1, 5), dims="x").assign_coords(x=lambda a: a)
    >>> y = x.rename(x="y")
    >>> cp = critical_points(x**2 - y**2)
    >>> int(cp.sel(x=0, y=0)), int((cp > 0).sum())
    (3, 1)
    """
    dims = scalar_dims(f, dims)
    if tol is not None and not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    if not (np.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol must be a number >= 0, got {rtol!r}")
    opts = options(f, dims, accuracy, boundary, fill_value, period, datetime_unit)
    if isinstance(f, xr.DataArray):
        check_numeric(f)
        return _critical_da(f, dims, tol, rtol, opts)
    return map_dataset(f, dims, lambda v: _critical_da(v, dims, tol, rtol, opts))


def stable_alpha(f: xr.DataArray | xr.Dataset, dims: list[Hashable], opts: Options) -> float:
    """Largest stable ``alpha`` of ``u + alpha * lap(u)`` (Gershgorin, interior rows).

    Examples
    --------
    >>> from fieldops.operators import resolve_options
    >>> f = xr.DataArray(np.zeros((5, 5)), dims=("y", "x"))
    >>> opts = resolve_options(f, ["y", "x"], accuracy=2, boundary=None, fill_value=np.nan,
    ...                        period=None, datetime_unit=None)
    >>> stable_alpha(f, ["y", "x"], opts)
    0.25
    """
    bound = 0.0
    for d in dims:
        st, _ = axis_stencil(f, d, 2, dim_options(f, d, opts))
        bound += float(np.abs(st.weights).sum(axis=0).max(initial=0.0))
    return 2.0 / bound if bound > 0 else np.inf


def _diffuse_da(f, dims, alpha, steps, opts) -> xr.DataArray:
    check_numeric(f)
    slot = [(0, 1.0, {})] + [(0, alpha, {d: 2}) for d in dims]
    u = f
    for _ in range(steps):
        data, _ = partials(u, [slot], opts, slot_shape=())
        u = xr.DataArray(data, dims=f.dims, coords=f.coords, name=f.name, attrs=f.attrs)
    attrs = dict(f.attrs)
    attrs["history"] = (
        f"{attrs['history']}\n" if "history" in attrs else ""
    ) + f"fieldops.diffuse(alpha={alpha}, steps={steps}, dims={dims})"
    return u.assign_attrs(attrs)


def diffuse(
    f: xr.DataArray | xr.Dataset,
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
    """Explicit Laplacian smoothing: ``steps`` times ``u <- u + alpha * lap(u)``.

    Each step is one fused pass. An ``alpha`` above the largest stable one
    (``2 / sum over dims of max_row sum |w|``, the Gershgorin bound of the interior
    second-derivative stencils: ``h**2 / 4`` on a uniform 2-D grid at accuracy 2)
    is refused. ``periodic`` keeps the mean exactly, ``mirror`` keeps the
    trapezoidal mean (zero flux through the edges); ``one_sided`` edges extrapolate.

    Parameters
    ----------
    f : DataArray or Dataset
        Scalar field. For a Dataset, each numeric variable that has all ``dims``.
    alpha : float
        Diffusion number, in the squared units of the coordinates (``D * dt``).
    steps : int, default 1
        Number of steps.
    dims : hashable or sequence of hashable, optional
        Dims to diffuse along; all dims of ``f`` by default.
    accuracy, boundary, fill_value, period, datetime_unit
        Stencil options, as in :func:`fieldops.diff`.

    Returns
    -------
    DataArray or Dataset
        Same dims, coords, name, units and chunks as ``f`` (float); ``history``
        records the call.

    Raises
    ------
    ValueError
        Negative or unstable ``alpha`` (the message gives the largest stable one),
        ``steps`` < 1.

    Examples
    --------
    >>> u = xr.DataArray([0.0, 0.0, 4.0, 0.0, 0.0], dims="x", name="u")
    >>> diffuse(u, 0.25, boundary="periodic").values.tolist()
    [0.0, 1.0, 2.0, 1.0, 0.0]
    """
    dims = scalar_dims(f, dims)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    opts = options(f, dims, accuracy, boundary, fill_value, period, datetime_unit)
    alpha = float(alpha)
    limit = stable_alpha(f, dims, opts)
    if not (np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"alpha must be a finite number >= 0 (a diffusion number), got {alpha}")
    if alpha > limit * (1 + 1e-12):
        raise ValueError(
            f"alpha={alpha:g} is unstable on this grid: the largest stable alpha along dims "
            f"{dims} at accuracy {opts.accuracy} is {limit:.6g}; use alpha <= {limit:.6g} "
            "and more steps"
        )
    if isinstance(f, xr.DataArray):
        return _diffuse_da(f, dims, alpha, steps, opts)
    return map_dataset(f, dims, lambda v: _diffuse_da(v, dims, alpha, steps, opts))
