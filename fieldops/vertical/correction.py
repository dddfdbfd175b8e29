"""Horizontal derivatives at constant height or pressure on model levels.

On terrain-following levels (sigma, s, hybrid) a derivative along a model level
``s`` is not the derivative at constant height ``z``: the level tilts over
orography. The chain rule turns one into the other::

    df/dx|_z = df/dx|_s - (df/ds) (dz/dx|_s) / (dz/ds)

(and the same with pressure for ``z``). :class:`Terrain` is a frame that wraps
the grid's own frame (cartesian, sphere, curvilinear): its ``east`` and
``north`` are the corrected derivatives, with the slopes ``(dz/dx|_s)/(dz/ds)``
computed once per call from the vertical coordinate, so every operator built on
them (grad, div, curl, laplacian, hessian, jacobian, the kinematics: the
general forms of :class:`~fieldops.grids.frame.Frame`) is at constant ``z``.
``dz/ds`` and ``df/ds`` are differences along the level dim by index, at the
call's accuracy (one-sided at the top and bottom levels), so the corrected
derivative keeps the scheme's order. On Dask the level derivative has a halo
along the level dim like any other, so every dim may be chunked.

:func:`frame_for` builds it when the call's :class:`~fieldops.options.Where`
has ``vertical``: the one place the option is applied.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops.grids.cartesian import Cartesian
from fieldops.grids.detect import Geometry
from fieldops.grids.frame import Frame, register
from fieldops.grids.partials import partial_data
from fieldops.grids.results import derivative_attrs, like
from fieldops.options import How, Options, Where, resolve_how
from fieldops.vertical.kernel import _correct_rows, _slope_rows, fused_pair
from fieldops.vertical.resolve import check_monotonic, kind_of, resolve_vertical


def _level_options(b: xr.DataArray, level_dim: Hashable, accuracy: int) -> Options:
    """Plain differences along the level dim: by index, one-sided at the ends."""
    return resolve_how(b, [level_dim], How(accuracy=accuracy, boundary="one_sided"))


def level_derivative(b: xr.DataArray, level_dim: Hashable, opts: Options) -> xr.DataArray:
    """d/ds of bare ``b`` along ``level_dim`` by index (``s`` = the level number)."""
    bare = xr.DataArray(b.data, dims=b.dims)
    data, _ = partial_data(bare, {level_dim: 1}, opts)
    return xr.DataArray(data, dims=b.dims)


@register("terrain")
class Terrain(Frame):
    """A horizontal frame whose derivatives are taken at constant height or pressure.

    Built by :meth:`over` (from :func:`~fieldops.grids.frame.frame_for`), not by
    the registry's constructor.

    Examples
    --------
    >>> x = xr.DataArray(np.linspace(0, 1000, 11), dims="x", attrs={"units": "m"})
    >>> y = xr.DataArray(np.linspace(0, 1000, 5), dims="y", attrs={"units": "m"})
    >>> s = xr.DataArray(np.linspace(0, 1, 6), dims="lev")
    >>> z = s * 1000 + 0.1 * x + 0 * y          # levels tilt with x
    >>> f = 2 * z                               # a function of height only
    >>> t = Terrain.over(f, ["y", "x"], None, Where(vertical=z), How())
    >>> float(abs(t.east(t.bare(f))).max()) < 1e-12
    True
    """

    def __init__(self, ref, geo, where, how):  # pragma: no cover
        raise TypeError("build a Terrain frame with Terrain.over(field, dims, inner, where, how)")

    @classmethod
    def over(
        cls,
        field: xr.DataArray | xr.Dataset,
        dims: Sequence[Hashable] | None,
        inner: Frame | None,
        where: Where,
        how: How,
    ) -> Terrain:
        """The frame ``inner`` (None: a cartesian one over ``dims``) at constant vertical."""
        if inner is None:
            inner = _cartesian(field, dims, where, how)
        z, level_dim = resolve_vertical(
            field, where.vertical, level_dim=where.level_dim, exclude=list(inner.dims)
        )
        self = object.__new__(cls)
        self.inner = inner
        self.dims = inner.dims
        self.kind = inner.kind
        self.physical = inner.physical
        self.length_unit = inner.length_unit
        self.pole_rows = inner.pole_rows
        self.directions = inner.directions
        self.level_dim = level_dim
        self._what = kind_of(z) or "vertical coordinate"
        self.place = f"{inner.place} at constant {self._what}"
        check_monotonic(z, level_dim)
        missing = {d: field.sizes[d] for d in inner.dims if d not in z.dims}
        zb = xr.DataArray(z.data, dims=z.dims).expand_dims(missing)  # flat: slope zero there
        # The field's index coordinates: the inner frame differentiates z as it does f.
        index = {d: field.coords[d] for d in zb.dims if d in field.coords}
        zb = inner.bare(zb.assign_coords({d: c for d, c in index.items() if c.dims == (d,)}))
        self._opts = _level_options(zb, level_dim, how.accuracy)
        dzds = level_derivative(zb, level_dim, self._opts)
        east, north = inner.east_north(zb)
        # The slopes of the levels, once per call: dz/dx|_s / dz/ds.
        fast = _same_numpy(east, north, dzds)
        if fast:
            se, sn = fused_pair(_slope_rows, *(a.data for a in (east, north, dzds)))
            self._slope_east = xr.DataArray(se, dims=east.dims)
            self._slope_north = xr.DataArray(sn, dims=east.dims)
        else:
            self._slope_east = east / dzds
            self._slope_north = north / dzds
        return self

    def bare(self, da: xr.DataArray) -> xr.DataArray:
        """``da`` as the wrapped frame takes it (which checks the horizontal dims)."""
        if self.level_dim not in da.dims:
            raise ValueError(
                f"a derivative at constant height or pressure needs the level dim "
                f"{self.level_dim!r}; {da.name!r} has dims {list(da.dims)}"
            )
        return self.inner.bare(da)

    def _ds(self, b: xr.DataArray) -> xr.DataArray:
        return level_derivative(b, self.level_dim, self._opts)

    def east(self, b: xr.DataArray) -> xr.DataArray:
        """Eastward (x) derivative at constant height or pressure."""
        return self.inner.east(b) - self._ds(b) * self._slope_east.astype(b.dtype, copy=False)

    def north(self, b: xr.DataArray) -> xr.DataArray:
        """Northward (y) derivative at constant height or pressure."""
        return self.inner.north(b) - self._ds(b) * self._slope_north.astype(b.dtype, copy=False)

    def east_north(self, b: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
        """Both, sharing one level derivative of ``b``."""
        e, n = self.inner.east_north(b)
        ds = self._ds(b)
        se, sn = self._slope_east, self._slope_north
        if _same_numpy(e, n, ds, se, sn):  # one threaded pass, no temporaries
            oe, on = fused_pair(_correct_rows, *(a.data for a in (e, n, ds, se, sn)))
            return xr.DataArray(oe, dims=e.dims), xr.DataArray(on, dims=e.dims)
        dt = b.dtype if np.issubdtype(b.dtype, np.floating) else np.float64
        return (
            e - ds * self._slope_east.astype(dt, copy=False),
            n - ds * self._slope_north.astype(dt, copy=False),
        )

    def curvature(self, dtype: np.dtype) -> tuple[xr.DataArray | None, xr.DataArray | None]:
        """The wrapped frame's metric terms (levels do not change them)."""
        return self.inner.curvature(dtype)

    def frame_attrs(self) -> dict[str, str]:
        """The wrapped frame's: the components point as its do."""
        return self.inner.frame_attrs()

    def laplacian_reach(self, accuracy: int) -> int:
        """The Laplacian here is the divergence of the corrected gradient: two passes."""
        return 2 * accuracy

    def fix_poles(self, res: xr.DataArray, kind: str) -> xr.DataArray:
        """The wrapped frame's pole policy."""
        return self.inner.fix_poles(res, kind)

    def latitude(self) -> xr.DataArray | None:
        """The wrapped frame's latitude."""
        return self.inner.latitude()

    def cell_widths(self) -> dict[Hashable, xr.DataArray]:
        """The wrapped frame's cell widths."""
        return self.inner.cell_widths()

    def words(self) -> str:
        """What the components are, for a ``long_name``."""
        return f"{self.inner.words()} at constant {self._what}"


def _same_numpy(*arrays: xr.DataArray) -> bool:
    """True when the bare ``arrays`` are numpy, C-contiguous, of one dims order and shape
    (the fused kernels' case; anything else goes through xarray's broadcasting)."""
    first = arrays[0]
    return all(
        isinstance(a.data, np.ndarray)
        and a.dims == first.dims
        and a.shape == first.shape
        and a.data.flags.c_contiguous
        for a in arrays
    )


def _cartesian(field, dims, where: Where, how: How) -> Cartesian:
    """The cartesian frame over the two dims of ``dims`` that are not the level dim."""
    z_dims = getattr(where.vertical, "dims", ())
    level = where.level_dim
    horizontal = [d for d in (dims or []) if d != level]
    if len(horizontal) != 2:
        raise ValueError(
            f"vertical= on a cartesian grid needs the two horizontal dims (got dims "
            f"{list(dims or [])}); for one dim (a section) use "
            "fieldops.diff(f, dim, vertical=...)"
            + (f"; the vertical coordinate's dims are {list(z_dims)}" if z_dims else "")
        )
    y, x = horizontal
    return Cartesian(field, Geometry("cartesian", y, x, None, None, where.radius), where, how)


# --------------------------------------------------------------------------- diff


def constant_level_diff(
    da: xr.DataArray, dim: Hashable, order: int, how: How, where: Where
) -> xr.DataArray:
    """:func:`fieldops.diff` with ``vertical=``: d/dz along the level dim, else at constant z.

    Along the level dim, ``(df/ds) / (dz/ds)``, in the units of the field per
    unit of the coordinate. Along another dim, ``df/dd|_s - (df/ds)(dz/dd|_s)/(dz/ds)``
    in the units of plain ``diff``.
    """
    if order != 1:
        raise ValueError(f"diff with vertical= gives first derivatives only; got order={order}")
    try:
        z, level_dim = resolve_vertical(da, where.vertical, level_dim=where.level_dim)
    except ValueError:
        if where.level_dim is not None:
            raise
        z, level_dim = resolve_vertical(da, where.vertical, exclude=[dim])
    check_monotonic(z, level_dim)
    zb = xr.DataArray(z.data, dims=z.dims)
    if dim not in zb.dims and dim != level_dim:
        zb = zb.expand_dims({dim: da.sizes[dim]})
    opts = _level_options(zb, level_dim, how.accuracy)
    dzds = level_derivative(zb, level_dim, opts)
    dfds = level_derivative(xr.DataArray(da.data, dims=da.dims), level_dim, opts)
    if dim == level_dim:
        res = dfds / dzds.astype(dfds.dtype, copy=False)
        zname = z.name or "z"
        attrs = derivative_attrs(
            da, f"derivative of {da.attrs.get('long_name') or da.name} with respect to "
            f"{zname}", [z.attrs.get("units")]
        )  # fmt: skip
        name = f"d{da.name if da.name is not None else ''}_d{zname}"
    else:
        plain = resolve_how(da, [dim], how.restrict([dim]))
        data, units = partial_data(da, {dim: 1}, plain)
        along = xr.DataArray(data, dims=da.dims)
        zb_c = zb.assign_coords({dim: da.coords[dim]}) if dim in da.coords else zb
        zplain = resolve_how(zb_c, [dim], how.grid([dim]))
        dzdd, _ = partial_data(zb_c, {dim: 1}, zplain)
        slope = xr.DataArray(dzdd, dims=zb.dims) / dzds
        res = along - dfds * slope.astype(dfds.dtype, copy=False)
        attrs = derivative_attrs(
            da, f"derivative of {da.attrs.get('long_name') or da.name} with respect to {dim} "
            f"at constant {kind_of(z) or 'vertical coordinate'}", units
        )  # fmt: skip
        name = f"d{da.name if da.name is not None else ''}_d{dim}"
    res = res.transpose(*da.dims)
    data = res.data
    if da.chunks is not None and res.chunks != da.chunks:
        data = res.chunk(dict(zip(da.dims, da.chunks))).data
    return like(da, data, name, attrs)
