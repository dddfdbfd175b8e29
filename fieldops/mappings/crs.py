"""Read a CF ``grid_mapping`` variable: the projection, the Earth, and lon/lat <-> x/y.

A variable says which grid mapping it is on with its ``grid_mapping`` attribute
(``"crs"``, or the extended form ``"crs: x y"``), naming a variable whose
attributes describe the mapping (``grid_mapping_name`` and its parameters) and
the Earth (``earth_radius``, or ``semi_major_axis`` with ``semi_minor_axis`` or
``inverse_flattening``). xarray's ``decode_coords="all"`` (and
:func:`fieldops.open_dataset`) put that variable among the coordinates of every
variable that names it; a Dataset holds it anyway. pyproj does the projection
arithmetic (:class:`pyproj.CRS.from_cf`, :class:`pyproj.Transformer`,
:meth:`pyproj.Proj.get_factors`).

The Earth of the file becomes the default ``radius``: a sphere of radius
``earth_radius``; an ellipsoid (``semi_minor_axis`` or ``inverse_flattening``
given) becomes, for the spherical metric terms, the sphere of its mean radius
``(2a + b) / 3`` (the IUGG R1, 6 371 008.8 m for WGS 84, fieldops' default), while
pyproj computes the map factors and true latitudes of a projected grid on the
ellipsoid itself. A ``radius=`` given to an operator (other than the default) wins.

Stands below :mod:`fieldops.grids` (which detects mapped grids with it): imports
numpy, xarray and pyproj only, plus the stencil cache.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from fieldops.stencils.cache import shared

__all__ = ["KNOWN", "GridMapping", "find_mapping", "read_mapping", "require_pyproj"]

# grid_mapping_name -> the kind of grid fieldops makes of it.
KNOWN = {
    "rotated_latitude_longitude": "rotated",
    "lambert_conformal_conic": "projected",
    "polar_stereographic": "projected",
    "stereographic": "projected",
    "mercator": "projected",
    "transverse_mercator": "projected",
    "lambert_azimuthal_equal_area": "projected",
    "latitude_longitude": "latlon",
}
# Projections whose map factor is the same in every direction (h == k): the metric
# on x/y is (dx**2 + dy**2) / m**2 and components along x/y are orthonormal.
CONFORMAL = {
    "lambert_conformal_conic",
    "polar_stereographic",
    "stereographic",
    "mercator",
    "transverse_mercator",
}


def require_pyproj():
    """Import pyproj, or say how to install it."""
    try:
        import pyproj
    except ImportError:  # pragma: no cover  (installed with the proj extra)
        raise ImportError(
            "grid mappings need pyproj: pip install 'fieldops-xr[proj]' (or pip install pyproj)"
        ) from None
    return pyproj


@dataclass(frozen=True, eq=False)
class GridMapping:
    """A CF grid mapping, read by :func:`read_mapping`.

    Attributes
    ----------
    name : str
        The ``grid_mapping_name``.
    variable : hashable
        The name of the variable that holds it.
    attrs : dict
        Its attributes.
    kind : {"rotated", "projected", "latlon"}
        What grid it makes.
    radius : float or None
        The sphere of the file's Earth in metres (the mean radius of an
        ellipsoid), None when the file does not say.
    axes : tuple of float or None
        ``(a, b)``, the semi-axes of the file's Earth in metres, None when not given.
    crs : pyproj.CRS
    """

    name: str
    variable: Hashable
    attrs: dict
    kind: str
    radius: float | None
    axes: tuple[float, float] | None
    crs: Any

    @property
    def conformal(self) -> bool:
        """True when the map factor is the same in every direction."""
        return self.name in CONFORMAL

    @property
    def key(self) -> str:
        """A string that identifies the mapping (for caches)."""
        return self.__dict__.get("_key") or self.__dict__.setdefault("_key", self.crs.to_wkt())

    def _geodetic(self):
        pyproj = require_pyproj()
        e = self.crs.ellipsoid
        return pyproj.CRS.from_dict(
            {"proj": "longlat", "a": e.semi_major_metre, "b": e.semi_minor_metre}
        )

    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """True longitude and latitude (degrees) of grid points ``x``, ``y``.

        Metres on a projected grid, rotated longitude/latitude (degrees) on a
        rotated-pole grid.

        Examples
        --------
        >>> m = read_mapping(xr.DataArray(0, attrs={
        ...     "grid_mapping_name": "rotated_latitude_longitude",
        ...     "grid_north_pole_latitude": 39.25, "grid_north_pole_longitude": -162.0}), "p")
        >>> [round(float(v), 6) for v in m.to_lonlat(np.array(0.0), np.array(0.0))]
        [18.0, 50.75]
        """
        t = _transformer(self.key, forward=False, mapping=self)
        lon, lat = t.transform(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        return np.asarray(lon), np.asarray(lat)

    def from_lonlat(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grid coordinates of true longitudes and latitudes (degrees)."""
        t = _transformer(self.key, forward=True, mapping=self)
        x, y = t.transform(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        return np.asarray(x), np.asarray(y)

    def factors(self, lon: np.ndarray, lat: np.ndarray):
        """pyproj's :meth:`~pyproj.Proj.get_factors` at true ``lon``, ``lat`` (projected only)."""
        pyproj = require_pyproj()
        return pyproj.Proj(self.crs).get_factors(lon, lat)

    def describe(self) -> list[str]:
        """Lines for ``fieldops info``: the mapping, its parameters and the Earth."""
        skip = {"grid_mapping_name", "crs_wkt", "spatial_ref", "proj4", "proj4text"}
        params = ", ".join(f"{k}={_short(v)}" for k, v in self.attrs.items() if k not in skip)
        lines = [f"  grid mapping: {self.name} (variable {self.variable!r})"]
        if params:
            lines.append(f"    {params}")
        lines.append(f"    Earth: {self.earth_text()}")
        return lines

    def earth_text(self) -> str:
        """The file's Earth in words."""
        if self.axes is None:
            return "not given (radius= of the call, default 6 371 008.8 m)"
        a, b = self.axes
        if a == b:
            return f"sphere of radius {a:.1f} m"
        return (
            f"ellipsoid a={a:.1f} m, b={b:.4f} m (spherical terms use its mean radius "
            f"{self.radius:.1f} m; pyproj works on the ellipsoid)"
        )


def _short(value: object) -> str:
    if isinstance(value, np.ndarray):
        return str([float(v) for v in value.ravel()])
    return str(value)


def _transformer(key: str, *, forward: bool, mapping: GridMapping):
    pyproj = require_pyproj()

    def build():
        geo = mapping._geodetic()
        src, dst = (geo, mapping.crs) if forward else (mapping.crs, geo)
        return pyproj.Transformer.from_crs(src, dst, always_xy=True)

    return shared(("mapping-transformer", key, forward), build)


def _earth(attrs: Mapping) -> tuple[float | None, tuple[float, float] | None]:
    """(sphere radius, (a, b)) of the CF Earth attributes; (None, None) when absent."""

    def num(name: str) -> float | None:
        if name not in attrs:
            return None
        return float(np.asarray(attrs[name]).ravel()[0])

    r = num("earth_radius")
    if r is not None:
        return r, (r, r)
    a = num("semi_major_axis")
    if a is None:
        return None, None
    b = num("semi_minor_axis")
    if b is None:
        inv_f = num("inverse_flattening")
        b = a if not inv_f else a * (1 - 1 / inv_f)
    return (2 * a + b) / 3, (a, b)


def read_mapping(var: xr.DataArray, name: Hashable) -> GridMapping | None:
    """The :class:`GridMapping` of grid-mapping variable ``var`` (named ``name``).

    Returns None, with a warning that names it, for a ``grid_mapping_name``
    fieldops does not read.

    Raises
    ------
    ValueError
        Parameters pyproj rejects (its message, with the variable), or no
        ``grid_mapping_name``.

    Examples
    --------
    >>> crs = xr.DataArray(0, attrs={"grid_mapping_name": "polar_stereographic",
    ...     "straight_vertical_longitude_from_pole": -45.0,
    ...     "latitude_of_projection_origin": 90.0, "standard_parallel": 70.0,
    ...     "earth_radius": 6371229.0})
    >>> m = read_mapping(crs, "crs")
    >>> m.kind, m.radius, m.conformal
    ('projected', 6371229.0, True)
    """
    attrs = dict(var.attrs)
    gmn = attrs.get("grid_mapping_name")
    if gmn is None:
        raise ValueError(
            f"grid mapping variable {name!r} has no grid_mapping_name attribute; CF needs one "
            f"(e.g. 'lambert_conformal_conic'); its attributes: {sorted(attrs)}"
        )
    gmn = str(gmn)
    kind = KNOWN.get(gmn)
    if kind is None:
        warnings.warn(
            f"grid mapping {gmn!r} (variable {name!r}) is not one fieldops reads (it reads "
            f"{sorted(KNOWN)}); it is ignored: derivatives are taken on the coordinates as "
            "they are (the 2-D latitude/longitude when present, else a plane in the x/y "
            "units), and winds are taken as they come",
            UserWarning,
            stacklevel=4,
        )
        return None
    radius, axes = _earth(attrs)
    pyproj = require_pyproj()

    def build():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # pyproj's notes on PROJ strings
                return pyproj.CRS.from_cf(attrs)
        except (pyproj.exceptions.CRSError, ValueError, TypeError, KeyError) as err:
            raise ValueError(
                f"grid mapping variable {name!r} ({gmn}): pyproj rejects its parameters: "
                f"{err}. Fix its attributes (CF names, numbers in degrees and metres): "
                f"{ {k: _short(v) for k, v in attrs.items()} }"
            ) from None

    crs = shared(("mapping-crs", repr(sorted((k, _short(v)) for k, v in attrs.items()))), build)
    return GridMapping(gmn, name, attrs, kind, radius, axes, crs)


def _mapping_names(obj: xr.DataArray | xr.Dataset) -> list[tuple[Hashable, str]]:
    """(variable, mapping variable name) for every variable that names a grid mapping."""
    variables = [obj] if isinstance(obj, xr.DataArray) else list(obj.data_vars.values())
    out = []
    for var in variables:
        gm = var.attrs.get("grid_mapping", var.encoding.get("grid_mapping"))
        if not gm:
            continue
        text = str(gm).strip()
        # CF's extended form "crs: x y crs2: lat lon": the first mapping is the grid's.
        first = text.split()[0]
        out.append((var.name, first[:-1] if first.endswith(":") else first))
    return out


def find_mapping(obj: xr.DataArray | xr.Dataset, *, warn: bool = True) -> GridMapping | None:
    """The grid mapping of ``obj``, or None.

    The variable a ``grid_mapping`` attribute names, among a DataArray's
    coordinates or a Dataset's variables; else a coordinate that carries a
    ``grid_mapping_name``. A ``grid_mapping`` naming a variable that is not
    there gives a warning that says how to keep it (unless ``warn=False``).

    Examples
    --------
    >>> crs = xr.DataArray(0, attrs={"grid_mapping_name": "latitude_longitude",
    ...                              "earth_radius": 6371229.0})
    >>> da = xr.DataArray(np.zeros(2), dims="x", coords={"crs": crs},
    ...                   attrs={"grid_mapping": "crs"})
    >>> find_mapping(da).radius
    6371229.0
    """
    holder = obj.coords if isinstance(obj, xr.DataArray) else obj.variables
    names = _mapping_names(obj)
    for _, gm in names:
        if gm in holder:
            return read_mapping(holder[gm], gm)
    variables = holder.variables if isinstance(obj, xr.DataArray) else holder
    for key, var in variables.items():
        if var.ndim == 0 and "grid_mapping_name" in var.attrs:
            return read_mapping(holder[key], key)
    if names and warn:
        who, gm = names[0]
        who = "the data" if who is None else repr(who)
        warnings.warn(
            f"{who} names grid_mapping {gm!r}, but that variable is not among its "
            f"coordinates, so its grid mapping (and Earth) is not used: open the file with "
            f"fieldops.open_dataset or xr.open_dataset(..., decode_coords='all'), or keep it "
            f"with da.assign_coords({gm}=ds[{gm!r}]), or pass the Dataset",
            UserWarning,
            stacklevel=5,
        )
    return None
