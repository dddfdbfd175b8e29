"""One :class:`Frame` base for every grid, and :func:`frame_for`, the one factory.

A frame answers what every operator asks of a grid: eastward/northward (or x/y)
derivatives per unit length of bare fields (dims only, no coordinates), the
metric terms, the pole rows, and the horizontal operators built on them (grad,
div, curl, laplacian, jacobian, hessian), plus the metric data a solver needs
(cell widths and areas). :class:`~fieldops.grids.cartesian.Cartesian`,
:class:`~fieldops.grids.sphere.Sphere` and
:class:`~fieldops.grids.curvilinear.Curvilinear` are siblings that override
what differs. A new kind of grid is one module with a ``Frame`` subclass
decorated by :func:`register`, named in ``_MODULES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Hashable, Sequence

import numpy as np
import xarray as xr

from fieldops._validate import check_dim, check_numeric
from fieldops.grids.detect import Geometry, detect_geometry
from fieldops.grids.results import finish
from fieldops.options import How, Where
from fieldops.stencils.apply import float_dtype

Entries = dict[tuple[Hashable, Hashable], xr.DataArray]

_REGISTRY: dict[str, type[Frame]] = {}
# The modules that register the built-in frames (imported when first needed, so
# that each frame module can import this one).
_MODULES = (
    "fieldops.grids.cartesian",
    "fieldops.grids.sphere",
    "fieldops.grids.curvilinear",
    "fieldops.vertical.correction",  # model levels (issue 16)
    # Rotated-pole and projected grids (CF grid mappings).
    "fieldops.mappings.rotated",
    "fieldops.mappings.projected",
)


def register(kind: str) -> Callable[[type[Frame]], type[Frame]]:
    """Class decorator: the frame of grids that :func:`detect_geometry` calls ``kind``."""

    def decorate(cls: type[Frame]) -> type[Frame]:
        cls.kind = kind
        _REGISTRY[kind] = cls
        return cls

    return decorate


def frame_class(kind: str) -> type[Frame]:
    """The registered frame of grid ``kind``."""
    if kind not in _REGISTRY:  # a frame module imported alone registers only its own
        for module in _MODULES:
            importlib.import_module(module)
    return _REGISTRY[kind]


def frame_for(
    field: xr.DataArray | xr.Dataset,
    dims: Sequence[Hashable] | None,
    where: Where,
    how: How,
) -> Frame | None:
    """The frame that differentiates ``field`` along ``dims``: the one factory.

    ``dims=None`` (the kinematics): the frame of the detected grid's horizontal
    dims, cartesian included (x/y from ``where``, attributes, names or the last
    two dims). Given ``dims`` (the vector operators): a sphere or curvilinear
    frame when ``dims`` hold both of its horizontal dims, else None (plain
    derivatives along the coordinates as they are); ``"auto"`` along one
    horizontal dim alone stays a plain coordinate derivative (per degree).

    Examples
    --------
    >>> da = xr.DataArray(np.zeros((3, 8)), dims=("lat", "lon"),
    ...                   coords={"lat": [-45.0, 0.0, 45.0], "lon": np.arange(0, 360, 45.0)})
    >>> type(frame_for(da, ["lat", "lon"], Where(), How())).__name__
    'Sphere'
    >>> frame_for(da, ["lat"], Where(), How()) is None
    True
    """
    if dims is None:
        geometry = where.geometry
        detect = "auto" if geometry == "curvilinear" else geometry
        geo = detect_geometry(
            field, detect, y_dim=where.y_dim, x_dim=where.x_dim, radius=where.radius
        )
        geo = _as_curvilinear(geo, geometry)
        if geometry == "curvilinear" and geo.kind != "curvilinear":
            raise ValueError(
                "geometry='curvilinear' but no 2-D latitude/longitude coordinates were found "
                f"(the grid looks {geo.kind}); use geometry='auto'"
            )
    else:
        geo = locate(field, dims, where)
        if geo is None and where.vertical is None:
            return None
    frame = None if geo is None else frame_class(geo.kind)(field, geo, where, how)
    if where.vertical is not None:  # model levels (issue 16): at constant height or pressure
        return frame_class("terrain").over(field, dims, frame, where, how)
    return frame


def locate(
    field: xr.DataArray | xr.Dataset, dims: Sequence[Hashable], where: Where
) -> Geometry | None:
    """The non-cartesian grid whose two horizontal dims ``dims`` hold, or None.

    See :func:`frame_for`.
    """
    geometry = where.geometry
    dims = list(dims)
    if geometry == "cartesian" or (geometry == "auto" and len(dims) < 2):
        return None  # the sphere needs both horizontal dims; one dim is a plain derivative
    geo = detect_geometry(
        field, "auto" if geometry == "curvilinear" else geometry, radius=where.radius
    )
    geo = _as_curvilinear(geo, geometry)
    if geo.kind == "cartesian":
        if geometry != "auto":
            raise ValueError(
                f"geometry={geometry!r} but no latitude/longitude found; name them "
                "(y_dim/x_dim) or use geometry='cartesian'"
            )
        return None
    if {geo.y_dim, geo.x_dim} <= set(dims):
        return geo
    if geometry != "auto":
        raise ValueError(
            f"geometry={geometry!r} differentiates along both horizontal dims "
            f"{[geo.y_dim, geo.x_dim]}; dims {dims} lack one of them"
        )
    return None


def _as_curvilinear(geo: Geometry, geometry: str) -> Geometry:
    """A projected grid's 2-D latitude/longitude route when ``geometry="curvilinear"``."""
    if geometry == "curvilinear" and geo.kind.startswith("projected") and geo.lat is not None:
        return Geometry("curvilinear", geo.y_dim, geo.x_dim, geo.lat, geo.lon, geo.radius)
    return geo


class Frame:
    """Derivatives on the two horizontal dims of one grid, with one call's options.

    Subclasses set ``dims`` (northward/y dim, eastward/x dim) and implement
    :meth:`east` and :meth:`north`; the operators below are the general
    (chain-rule) forms, which a subclass overrides where its grid has a better
    one (the sphere's flux forms). Every method takes and returns *bare*
    DataArrays (dims only); :meth:`finish` puts a field's coordinates back.
    """

    kind = "frame"
    place = "on a plane"  # for a long_name: "divergence on the sphere"
    physical = True  # components are eastward/northward per metre
    length_unit: str | None = "m"
    dims: tuple[Hashable, Hashable]
    pole_rows: tuple[int, ...] = ()
    # A periodic zonal (x) dim, as a global longitude; and whether its last column
    # repeats the first (a 0..360 longitude).
    periodic_lon: bool = False
    repeated_lon: bool = False
    # What the (y, x) components point along, for component_directions attrs.
    directions: tuple[str, str] = ("northward", "eastward")

    def __init__(self, ref: xr.DataArray | xr.Dataset, geo: Geometry, where: Where, how: How):
        raise NotImplementedError  # pragma: no cover  (each grid builds its own metric)

    @classmethod
    def grid_angle(
        cls, ref: xr.DataArray, geo: Geometry
    ) -> tuple[xr.DataArray, xr.DataArray, str] | None:
        """``cos``, ``sin`` of the angle from true east to the grid's +x axis.

        Bare DataArrays on the grid's dims, and where they came from; None when
        the grid does not say which way it points (its axes are east and north,
        or nothing tells). See :mod:`fieldops.grids.orientation`.
        """
        return None

    @classmethod
    def describe(cls, ds: xr.Dataset, geo: Geometry) -> list[str]:
        """Lines that say what the grid is, for ``fieldops info``."""
        return [
            f"  latitude: {geo.lat} (dim {geo.y_dim})",
            f"  longitude: {geo.lon} (dim {geo.x_dim})",
            f"  radius: {geo.radius:g} m",
        ]

    # -- building blocks --------------------------------------------------------
    @property
    def y_dim(self) -> Hashable:
        """The northward (y) dim."""
        return self.dims[0]

    @property
    def x_dim(self) -> Hashable:
        """The eastward (x) dim."""
        return self.dims[1]

    def words(self) -> str:
        """What the frame's components are, for a ``long_name``."""
        y, x = self.dims
        return f"on the {self.kind} grid ({y}: northward, {x}: eastward, per metre)"

    def bare(self, da: xr.DataArray) -> xr.DataArray:
        """``da``'s data on its dims only (no coordinates to align or copy)."""
        check_numeric(da)
        for dim in self.dims:
            check_dim(da, dim)
        return xr.DataArray(da.data, dims=da.dims)

    def east(self, b: xr.DataArray) -> xr.DataArray:
        """Eastward (x) derivative per unit length."""
        raise NotImplementedError  # pragma: no cover

    def north(self, b: xr.DataArray) -> xr.DataArray:
        """Northward (y) derivative per unit length."""
        raise NotImplementedError  # pragma: no cover

    def east_north(self, b: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
        """Eastward and northward derivatives."""
        return self.east(b), self.north(b)

    def tan_term(self, dtype: np.dtype) -> xr.DataArray | None:
        """``tan(latitude) / R``, the metric term of the vector operators (None on a plane)."""
        return None

    def curvature(self, dtype: np.dtype) -> tuple[xr.DataArray | None, xr.DataArray | None]:
        """``(k_x, k_y)``: the metric terms of the vector operators, per length (None: 0).

        With ``E``, ``N`` the eastward and northward derivatives, the divergence is
        ``E u + N v - k_x u - k_y v`` and the curl ``E v - N u - k_x v + k_y u``:
        ``(0, tan(latitude) / R)`` on a sphere, the map factor's gradient on a
        conformal map, nothing on a plane. Every generic form below uses it, so a
        frame wrapping another (model levels) keeps the wrapped one's terms.
        """
        return None, self.tan_term(dtype)

    def fix_poles(self, res: xr.DataArray, kind: str) -> xr.DataArray:
        """Set pole rows by the pole policy (nothing to do without pole rows)."""
        return res

    def latitude(self) -> xr.DataArray | None:
        """Latitude in degrees, when the grid has one."""
        return None

    def frame_attrs(self) -> dict[str, str]:
        """Attrs that say which frame a result's vector components are in (none: east/north)."""
        return {}

    # Put ``like``'s coords, dim order, chunks and attrs (units derived) on a bare result.
    finish = staticmethod(finish)

    # -- operators (bare in, bare out) -----------------------------------------
    def grad(self, b: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
        """(northward, eastward) derivatives; the eastward one by the meridian limit on poles."""
        east, north = self.east_north(b)
        return north, self.fix_poles(east, "meridian")

    def grad_stacked(self, b: xr.DataArray) -> xr.DataArray | None:
        """Both components along a leading ``component`` dim in one lazy kernel, or None.

        A frame with a one-kernel Dask gradient returns it here (fewer graph
        layers than two derivatives and a concat); None means use :meth:`grad`.
        """
        return None

    def div(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        """Horizontal divergence ``d east/dE + d north/dN - north tan(lat)/R``."""
        return self._rot_div(east, north, 1.0)

    def curl(self, east: xr.DataArray, north: xr.DataArray) -> xr.DataArray:
        """Vertical curl ``d north/dE - d east/dN + east tan(lat)/R``."""
        return self._rot_div(east, north, -1.0)

    def _rot_div(self, east: xr.DataArray, north: xr.DataArray, sign: float) -> xr.DataArray:
        dt = float_dtype(np.result_type(east.dtype, north.dtype))
        bu = self.bare(east).astype(dt, copy=False)
        bv = self.bare(north).astype(dt, copy=False)
        kx, ky = self.curvature(dt)
        if sign > 0:
            res = self.east(bu) + self.north(bv)
            res = res if ky is None else res - bv * ky
            return res if kx is None else res - bu * kx
        res = self.east(bv) - self.north(bu)
        res = res if ky is None else res + bu * ky
        return res if kx is None else res - bv * kx

    def laplacian(self, b: xr.DataArray) -> xr.DataArray:
        """The divergence of the gradient (two first-derivative passes)."""
        e, n = self.east_north(b)
        res = self.east(e) + self.north(n)
        kx, ky = self.curvature(n.dtype)
        res = res if ky is None else res - n * ky
        return res if kx is None else res - e * kx

    def covariant_gradient(
        self, east: xr.DataArray, north: xr.DataArray
    ) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray, xr.DataArray]:
        """``(du/dE, du/dN, dv/dE, dv/dN)`` of bare components, metric terms included.

        Pole rows are left as they come (the callers fix their results' once).
        """
        dt = float_dtype(np.result_type(east.dtype, north.dtype))
        u, v = east.astype(dt, copy=False), north.astype(dt, copy=False)
        ue, un = self.east_north(u)
        ve, vn = self.east_north(v)
        kx, ky = self.curvature(dt)
        if ky is not None:
            ue = ue - v * ky
            ve = ve + u * ky
        if kx is not None:
            un = un + v * kx
            vn = vn - u * kx
        return ue, un, ve, vn

    def deform(self, east: xr.DataArray, north: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
        """Stretching and shearing deformation of bare components, pole rows by the policy."""
        dt = float_dtype(np.result_type(east.dtype, north.dtype))
        u, v = east.astype(dt, copy=False), north.astype(dt, copy=False)
        ue, un = self.east_north(u)
        ve, vn = self.east_north(v)
        kx, ky = self.curvature(dt)
        stretch, shear = ue - vn, ve + un
        if ky is not None:
            stretch = stretch - v * ky
            shear = shear + u * ky
        if kx is not None:
            stretch = stretch + u * kx
            shear = shear + v * kx
        return self.fix_poles(stretch, "meridian"), self.fix_poles(shear, "meridian")

    def jacobian(self, east: xr.DataArray, north: xr.DataArray) -> Entries:
        """The covariant Jacobian of bare eastward/northward components.

        Every entry takes the limit along each meridian on pole rows, as
        fieldops.deformation does, so that the deformations are exactly
        combinations of these entries there too.
        """
        y, x = self.dims
        ue, un, ve, vn = self.covariant_gradient(east, north)
        entries = {(x, x): ue, (x, y): un, (y, x): ve, (y, y): vn}
        return {key: self.fix_poles(value, "meridian") for key, value in entries.items()}

    def hessian(self, b: xr.DataArray) -> Entries:
        """The covariant Hessian of bare ``b``: the Jacobian of the gradient, symmetrised."""
        y, x = self.dims
        ge, gn = self.east_north(b)
        jac = self.jacobian(ge, gn)
        mixed = (jac[(x, y)] + jac[(y, x)]) * jac[(x, y)].dtype.type(0.5)
        return {(x, x): jac[(x, x)], (y, y): jac[(y, y)], (x, y): mixed, (y, x): mixed}

    # -- metric data (for solvers) ---------------------------------------------
    def uniform_zonal(self) -> bool:
        """Whether the x dim is periodic with equal steps (a DFT diagonalises its stencils)."""
        return False

    def pole_limit(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and weights of the limit that sets a scalar's pole row ``p``."""
        raise ValueError(f"a {type(self).__name__} frame has no pole rows (asked for row {p})")

    def laplacian_reach(self, accuracy: int) -> int:
        """How many points from the edge the frame's Laplacian reads (for a solver's probes).

        A second-derivative stencil, one-sided at an edge or a coast, reaches
        ``accuracy + 1``; frames whose Laplacian is a divergence of a gradient
        (the curvilinear chain rule) override this.
        """
        return accuracy + 1

    def cell_widths(self) -> dict[Hashable, xr.DataArray]:
        """Width of each cell along each horizontal dim, in ``length_unit``.

        The distance between the midpoints of a point's neighbours (half that
        at an edge): ``1 / (d position / d index)`` integrated over one index.
        """
        raise NotImplementedError  # pragma: no cover

    def laplacian_bound(self) -> float | None:
        """Largest absolute row sum of the discrete horizontal Laplacian (Gershgorin), or
        None when the grid does not know it (an explicit scheme's stable step)."""
        return None

    def cell_areas(self) -> xr.DataArray:
        """Area of each cell, in ``length_unit`` squared (product of the widths)."""
        widths = self.cell_widths()
        y, x = self.dims
        return widths[y] * widths[x]


def midpoint_widths(positions: np.ndarray) -> np.ndarray:
    """Cell widths of 1-D ``positions``: between the midpoints to the neighbours.

    Examples
    --------
    >>> midpoint_widths(np.array([0.0, 1.0, 3.0])).tolist()
    [0.5, 1.5, 1.0]
    """
    p = np.asarray(positions, dtype=np.float64)
    if p.size < 2:
        return np.zeros_like(p)
    mid = (p[1:] + p[:-1]) / 2
    edges = np.concatenate([p[:1], mid, p[-1:]])
    return np.abs(np.diff(edges))
