"""The frames of projected grids: :class:`Projected` (conformal) and the general one.

A projected grid has 1-D x/y coordinates in metres on the map (WRF, HRRR, NAM,
polar stereographic sea-ice and satellite products) and a CF ``grid_mapping``.
A metre on the map is ``1 / m`` metres on the Earth, ``m`` the map factor. On a
conformal map (Lambert conformal conic, polar stereographic, Mercator,
transverse Mercator) ``m`` is the same in every direction, the metric is
``(dx**2 + dy**2) / m**2``, and with components along the grid's x/y axes
(grid-relative, orthonormal on the Earth)::

    grad f   = m (f_x, f_y)
    div u    = m**2 ((u/m)_x + (v/m)_y)
    curl u   = m**2 ((v/m)_x - (u/m)_y)
    lap f    = m**2 (f_xx + f_yy)

and the covariant Jacobian ``[[m u_x - v m_y, m u_y + v m_x], [m v_x + u m_y,
m v_y - u m_x]]`` (orthogonal coordinates with scale factor ``1/m``). ``m`` comes
from WRF's ``MAPFAC_M`` (``MAPFAC_U``/``MAPFAC_V`` on those staggers) when the
data carry it, else from pyproj (:meth:`pyproj.Proj.get_factors`); with both, or
with 2-D latitude/longitude, they are checked against each other (a warning says
by how much they disagree). Map factors and true latitudes are built once per
grid and cached. A map that is not conformal (Lambert azimuthal equal area) is
differentiated by the chain rule through the true latitude/longitude that pyproj
gives (:class:`ProjectedCurvilinear`, components true east/north).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Hashable

import numpy as np
import xarray as xr

from fieldops.grids.cartesian import Cartesian
from fieldops.grids.coords import coordinate_values
from fieldops.grids.curvilinear import Curvilinear, latlon_angle
from fieldops.grids.detect import _MAPFAC, Geometry
from fieldops.grids.frame import register
from fieldops.grids.partials import partial_data, partials
from fieldops.grids.results import COMPONENT
from fieldops.mappings.rotated import check_latlon, mapping_angle, mapping_latlon
from fieldops.options import How, Where, frame_options, resolve_how
from fieldops.stencils.apply import float_dtype
from fieldops.stencils.cache import shared
from fieldops.stencils.scale import scale_inplace

# Map factors from two sources further apart than this (relative) are reported.
_MAPFAC_RTOL = 1e-3


@functools.lru_cache(maxsize=64)
def _metres(units: str | None) -> float:
    from fieldops import units as _units

    factor = None if units is None else _units.factor(units, "m")
    return 1.0 if factor is None else float(factor)


def metres_per_unit(ref, dim: Hashable) -> float:
    """Metres per unit of ``dim``'s coordinate (no units: the CRS's metres)."""
    units = ref.coords.variables[dim].attrs.get("units") if dim in ref.coords else None
    return _metres(None if units is None else str(units))


def grid_metres(ref, geo: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """The 1-D y and x coordinates of a projected grid in metres."""
    return tuple(
        np.asarray(coordinate_values(ref, d)[0], dtype=np.float64) * metres_per_unit(ref, d)
        for d in (geo.y_dim, geo.x_dim)
    )


def pyproj_factors(geo: Geometry, y: np.ndarray, x: np.ndarray) -> dict[str, np.ndarray]:
    """pyproj's map factor (parallel scale), meridional scale and meridian convergence, cached."""
    mapping = geo.mapping
    key = ("mapping-factors", mapping.key, y.tobytes(), x.tobytes())

    def build():
        lat, lon = mapping_latlon(geo, y, x)
        f = mapping.factors(lon, lat)
        out = {
            "m": np.asarray(f.parallel_scale, dtype=np.float64),
            "h": np.asarray(f.meridional_scale, dtype=np.float64),
            "convergence": np.asarray(f.meridian_convergence, dtype=np.float64),
        }
        for a in out.values():
            a.setflags(write=False)
        return out

    return shared(key, build)


def _mapfac(ref, geo: Geometry) -> tuple[Hashable, np.ndarray] | None:
    """WRF's map factor on the grid's dims (first time of a ``Time`` dim), or None."""
    holder = ref.coords if isinstance(ref, xr.DataArray) else ref.variables
    for name in _MAPFAC:
        if name not in holder:
            continue
        var = holder[name]
        extra = [d for d in var.dims if d not in (geo.y_dim, geo.x_dim)]
        if len(var.dims) - len(extra) != 2:
            continue
        var = var.isel({d: 0 for d in extra}).transpose(geo.y_dim, geo.x_dim)
        return name, np.asarray(var.values, dtype=np.float64)
    return None


@register("projected")
class Projected(Cartesian):
    """Derivatives per metre on the Earth on a conformal projected grid.

    Components are along the grid's x/y axes (grid-relative): ``north`` is the
    derivative along +y, ``east`` along +x, per metre on the Earth.

    Examples
    --------
    >>> from fieldops.mappings.crs import read_mapping
    >>> crs = read_mapping(xr.DataArray(0, attrs={"grid_mapping_name": "polar_stereographic",
    ...     "straight_vertical_longitude_from_pole": 0.0, "latitude_of_projection_origin": 90.0,
    ...     "scale_factor_at_projection_origin": 1.0, "earth_radius": 6371229.0}), "crs")
    >>> x = np.linspace(-3e6, 3e6, 61)
    >>> f = xr.DataArray(np.zeros((61, 61)), dims=("y", "x"), coords={"x": x, "y": x})
    >>> p = Projected(f, Geometry("projected", "y", "x", radius=6371229.0, mapping=crs),
    ...               Where(), How())
    >>> round(float(p.map_factor[30, 30]), 6)  # 1 at the pole
    1.0
    """

    physical = True
    length_unit = "m"
    place = "on the projected grid"
    directions = ("grid_northward", "grid_eastward")

    @classmethod
    def grid_angle(
        cls, ref: xr.DataArray, geo: Geometry
    ) -> tuple[xr.DataArray, xr.DataArray, str] | None:
        """The angle of +x from true east: the grid mapping's, else the 2-D lat/lon's."""
        if geo.mapping is not None:
            return mapping_angle(geo, *grid_metres(ref, geo), 1.0)
        if geo.lat is not None:
            return *latlon_angle(ref, geo), "2-D latitude/longitude"
        return None

    def __init__(self, ref: xr.DataArray | xr.Dataset, geo: Geometry, where: Where, how: How):
        # Cartesian's options and mask, without its unit parsing (the scale is set below):
        # this frame is built on every call, its metric only once per grid.
        self.dims = (geo.y_dim, geo.x_dim)
        self.mask = None
        if how.plain:
            self.opts = resolve_how(ref, self.dims, how.grid(self.dims))
        else:
            self.opts, self.mask = frame_options(ref, self.dims, how)
        self._coords = {d: ref.coords[d] for d in self.dims if d in ref.coords}
        y, x = grid_metres(ref, geo)
        # Map metres, whatever the coordinates' length units (no units: the CRS's metres).
        self.scale = {d: 1.0 / metres_per_unit(ref, d) for d in self.dims}
        self.length_unit = "m"
        self.mapping = geo.mapping
        self.source = "pyproj"
        m, lat = None, None
        if self.mapping is not None:
            factors = pyproj_factors(geo, y, x)
            m = factors["m"]
            lat, lon = mapping_latlon(geo, y, x)
            if geo.lat is not None:
                file = (ref.coords[geo.lat], ref.coords[geo.lon])
                check_latlon(lat, lon, *file, self.mapping, "the mapping's are used")
        wrf = _mapfac(ref, geo)
        if wrf is not None:
            name, values = wrf
            if m is not None:
                gap = float(np.nanmax(np.abs(values / m - 1.0), initial=0.0))
                if gap > _MAPFAC_RTOL:
                    warnings.warn(
                        f"{name} and the map factor of grid mapping {self.mapping.variable!r} "
                        f"({self.mapping.name}) disagree by up to {gap:.3g} (relative); "
                        f"{name} is used",
                        UserWarning,
                        stacklevel=2,
                    )
            m, self.source = values, name
        if lat is None and geo.lat is not None:
            lat = np.asarray(ref.coords[geo.lat].transpose(*self.dims).values, dtype=np.float64)
        self.map_factor = m
        # pyproj's map factors are the grid's: their dtype casts are cached with them.
        self._key = (
            None if self.source != "pyproj" else (self.mapping.key, y.tobytes(), x.tobytes())
        )
        self._lat_true = None if lat is None else xr.DataArray(lat, dims=self.dims)
        self._m_grad: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def _ref(self) -> xr.Dataset:
        """The grid's dim coordinates (what Cartesian keeps of ``ref``)."""
        return xr.Dataset(coords=self._coords)

    @classmethod
    def describe(cls, ds: xr.Dataset, geo: Geometry) -> list[str]:
        """The x/y dims, the mapping and where the map factors come from."""
        lines = [f"  x: {geo.x_dim}, y: {geo.y_dim} (metres on the map)"]
        if geo.mapping is not None:
            lines += geo.mapping.describe()
        wrf = [k for k in _MAPFAC if k in ds.variables]
        lines.append(f"  map factors: {wrf[0] if wrf else 'pyproj (Proj.get_factors)'}")
        lines.append("  components: grid-relative (along x/y), per metre on the Earth")
        return lines

    def _on_grid(self, b: xr.DataArray) -> xr.DataArray:
        """``b`` with the grid's x/y coordinates (a bare intermediate has none)."""
        missing = {d: self._coords[d] for d in self.dims if d not in b.coords and d in self._coords}
        return b.assign_coords(missing) if missing else b

    def _d(self, b: xr.DataArray, dim: Hashable) -> xr.DataArray:
        """Per map metre, on the grid's coordinates."""
        return super()._d(self._on_grid(b), dim)

    # -- metric ------------------------------------------------------------------
    def _m(self, dtype: np.dtype, power: int = 1) -> xr.DataArray:
        """``m**power`` in ``dtype`` over the grid's dims (built once per grid)."""
        key = ("m", np.dtype(dtype).str, power)
        cache = self.__dict__.setdefault("_mcache", {})
        if key not in cache:

            def build() -> np.ndarray:
                out = (self.map_factor**power).astype(dtype)
                out.setflags(write=False)
                return out

            data = build() if self._key is None else shared(("mapfac", *self._key, *key), build)
            cache[key] = xr.DataArray(data, dims=self.dims)
        return cache[key]

    def _grad_m(self) -> tuple[np.ndarray, np.ndarray]:
        """(m_x, m_y) per map metre, with the fields' stencils."""
        if self._m_grad is None:
            b = xr.DataArray(self.map_factor, dims=self.dims)
            self._m_grad = (self._d(b, self.x_dim).values, self._d(b, self.y_dim).values)
        return self._m_grad

    def _scaled(self, res: xr.DataArray) -> xr.DataArray:
        """``res * m``; in place on numpy results (one pass, no temporary)."""
        m = self._m(res.dtype)
        if isinstance(res.data, np.ndarray) and res.data.flags.writeable:
            order = [res.dims.index(d) for d in self.dims]
            mb = m.data.T if order[0] > order[1] else m.data
            shape = [res.sizes[d] if d in self.dims else 1 for d in res.dims]
            np.multiply(res.data, mb.reshape(shape), out=res.data)
            return res
        return res * m

    def grad_stacked(self, b: xr.DataArray) -> xr.DataArray | None:
        """(along +y, along +x) in one fused pass, times the map factor (in place on numpy).

        None (use :meth:`grad`) under a mask or NaN policy.
        """
        if self.mask is not None or self.opts.omit:
            return None
        y, x = self.dims
        b = self._on_grid(b)
        data, _ = partials(b, [[(0, 1.0, {y: 1})], [(0, 1.0, {x: 1})]], self.opts)
        dims = (COMPONENT, *b.dims)
        ax = [b.dims.index(d) + 1 for d in self.dims]
        shape = [1] * data.ndim
        shape[ax[0]], shape[ax[1]] = self.map_factor.shape
        if ax[0] > ax[1]:
            shape[ax[0]], shape[ax[1]] = shape[ax[1]], shape[ax[0]]
        out = []
        for dim in self.dims:
            m = self._m_scaled(data.dtype, dim)
            m = m.T if ax[0] > ax[1] else m
            out.append(m.reshape(shape[1:]))
        if isinstance(data, np.ndarray):
            last_two = list(b.dims[-2:]) == list(self.dims) and data.flags.c_contiguous
            same = self._m_scaled(data.dtype, y) is self._m_scaled(data.dtype, x)
            if last_two and same:
                scale_inplace(data, self._m_scaled(data.dtype, y))  # one pass, both components
            else:
                for k in range(2):
                    np.multiply(data[k], out[k], out=data[k])
            return xr.DataArray(data, dims=dims)
        import dask.array as dsa

        scale = dsa.stack([dsa.from_array(o) for o in out])  # tiny next to the field: kept whole
        return xr.DataArray(data * scale, dims=dims)

    def _m_scaled(self, dtype: np.dtype, dim: Hashable) -> np.ndarray:
        """``m`` times the metres-per-unit factor of ``dim``, in ``dtype`` (cached)."""
        scale = self.scale[dim]
        m = self._m(dtype).data
        if scale == 1.0:
            return m  # the same object for both dims: one pass scales both components
        cache = self.__dict__.setdefault("_mcache", {})
        key = ("scaled", np.dtype(dtype).str, scale)  # one array when both dims share units
        if key not in cache:
            cache[key] = (m * dtype.type(scale)).astype(dtype)
        return cache[key]

    def east(self, b: xr.DataArray) -> xr.DataArray:
        """Derivative along +x per metre on the Earth."""
        return self._scaled(self._d(b, self.x_dim))

    def north(self, b: xr.DataArray) -> xr.DataArray:
        """Derivative along +y per metre on the Earth."""
        return self._scaled(self._d(b, self.y_dim))

    def div(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        """``m**2 ((u/m)_x + (v/m)_y)``."""
        return self._flux(east, north, 1.0)

    def curl(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        """``m**2 ((v/m)_x - (u/m)_y)``."""
        return self._flux(east, north, -1.0)

    def _flux(self, east: xr.DataArray, north: xr.DataArray, sign: float) -> xr.DataArray:
        dt = float_dtype(np.result_type(east.dtype, north.dtype))
        fused = self._flux_fused(east, north.transpose(*east.dims), sign, dt)
        if fused is not None:
            return fused
        inv = self._m(dt, -1)
        bu = self.bare(east).astype(dt, copy=False) * inv
        bv = self.bare(north).astype(dt, copy=False) * inv
        if sign > 0:
            res = self._d(bu, self.x_dim) + self._d(bv, self.y_dim)
        else:
            res = self._d(bv, self.x_dim) - self._d(bu, self.y_dim)
        return res * self._m(dt, 2)

    def _flux_fused(self, east, north, sign: float, dt: np.dtype) -> xr.DataArray | None:
        """:meth:`_flux` on numpy data with x/y last: ``u/m``, ``v/m`` into one stacked
        array, both derivatives summed in one fused pass, ``m**2`` applied in place."""
        numpy = isinstance(east.data, np.ndarray) and isinstance(north.data, np.ndarray)
        if not numpy or self.mask is not None or self.opts.omit:
            return None
        if list(east.dims[-2:]) != list(self.dims):
            return None
        y, x = self.dims
        inv = self._m(dt, -1).data
        src = np.empty((2, *east.shape), dtype=dt)
        np.multiply(east.data, inv, out=src[0], casting="unsafe")
        np.multiply(north.data, inv, out=src[1], casting="unsafe")
        field = xr.DataArray(src, dims=(COMPONENT, *east.dims), coords=self._coords)
        sx, sy = self.scale[x], self.scale[y]
        if sign > 0:
            slot = [(0, sx, {x: 1}), (1, sy, {y: 1})]
        else:
            slot = [(1, sx, {x: 1}), (0, -sy, {y: 1})]
        data, _ = partials(field, [slot], self.opts)
        data = np.ascontiguousarray(data)
        scale_inplace(data, self._m(dt, 2).data)
        return xr.DataArray(data[0], dims=east.dims)

    def laplacian(self, b: xr.DataArray) -> xr.DataArray:
        """``m**2 (f_xx + f_yy)`` with second-derivative stencils."""
        if self.mask is not None:
            b = b.where(self.mask)
        b = self._on_grid(b)
        parts = []
        for dim in self.dims:
            data, _ = partial_data(b, {dim: 2}, self.opts)
            scale = self.scale[dim] ** 2
            res = xr.DataArray(data, dims=b.dims)
            parts.append(res if scale == 1.0 else res * res.dtype.type(scale))
        total = parts[0] + parts[1]
        return total * self._m(total.dtype, 2)

    def curvature(self, dtype: np.dtype) -> tuple[xr.DataArray, xr.DataArray]:
        """The map factor's gradient ``(m_x, m_y)``: the metric terms of a conformal map."""
        return tuple(xr.DataArray(a.astype(dtype), dims=self.dims) for a in self._grad_m())

    def latitude(self) -> xr.DataArray | None:
        """The true latitude in degrees, 2-D (from the mapping or the file)."""
        return self._lat_true

    def cell_widths(self) -> dict[Hashable, xr.DataArray]:
        """Metres on the Earth: the map widths divided by the map factor."""
        widths = super().cell_widths()
        m = xr.DataArray(self.map_factor, dims=self.dims)
        return {d: widths[d] / m for d in self.dims}

    def words(self) -> str:
        """Grid-relative components per metre on the Earth."""
        y, x = self.dims
        return f"on the projected grid ({y}: along +y, {x}: along +x, per metre on the Earth)"

    def frame_attrs(self) -> dict[str, str]:
        """Components point along the grid's x/y axes."""
        return {
            "component_frame": f"grid-relative: along the projected grid's +x ({self.x_dim}) "
            f"and +y ({self.y_dim}); fieldops.to_earth_relative turns them to true east/north"
        }


@register("projected_curvilinear")
class ProjectedCurvilinear(Curvilinear):
    """A projected grid that is not conformal: the chain rule through pyproj's lat/lon.

    Components are true eastward/northward, as on any curvilinear grid.
    """

    place = "on a projected (curvilinear) grid"

    grid_angle = Projected.grid_angle  # the same rule: the mapping says the angle

    def __init__(self, ref: xr.DataArray | xr.Dataset, geo: Geometry, where: Where, how: How):
        y, x = grid_metres(ref, geo)
        lat, lon = mapping_latlon(geo, y, x)
        dims = (geo.y_dim, geo.x_dim)
        if geo.lat is not None:
            check_latlon(
                lat, lon, ref.coords[geo.lat], ref.coords[geo.lon], geo.mapping, "pyproj's are used"
            )
        names = ("__fieldops_lat", "__fieldops_lon")
        grid = xr.Dataset(coords={d: ref.coords[d] for d in dims if d in ref.coords})
        grid = grid.assign_coords({names[0]: (dims, lat), names[1]: (dims, lon)})
        inner = Geometry("curvilinear", geo.y_dim, geo.x_dim, *names, geo.radius, geo.mapping)
        super().__init__(grid, inner, where, how)
        self.mapping = geo.mapping

    @classmethod
    def describe(cls, ds: xr.Dataset, geo: Geometry) -> list[str]:
        """The x/y dims and the mapping."""
        lines = [f"  x: {geo.x_dim}, y: {geo.y_dim} (metres on the map)"]
        lines += geo.mapping.describe()
        lines.append("  not conformal: chain rule through pyproj's latitude/longitude")
        lines.append("  components: true east/north")
        return lines
