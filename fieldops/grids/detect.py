"""Which grid a field lives on: cartesian, spherical (1-D latitude/longitude) or curvilinear.

Detection reads the coordinates themselves, never a third-party convention library:

1. CF attributes: ``standard_name`` (``latitude``/``longitude``), ``units``
   (``degrees_north``, ``degrees_east`` and their spellings), ``axis`` (``Y``/``X``
   together with degree units);
2. then common names (``lat``, ``latitude``, ``nav_lat``, ``XLAT``, ``lon``,
   ``longitude``, ``nav_lon``, ``XLONG``, ... case-insensitive).

1-D latitude and longitude coordinates, each along its own dim, make a
*spherical* grid; 2-D ones on the same two logical dims make a *curvilinear*
grid; anything else is *cartesian*. Rotated-pole ``grid_latitude`` /
``grid_longitude`` (or a ``rotated_latitude_longitude`` grid mapping) make a
*rotated* grid, and projected x/y with a CF ``grid_mapping`` (or WRF's
``MAPFAC_M``) a *projected* one (:mod:`fieldops.mappings`).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from fieldops._validate import check_xarray
from fieldops.mappings.crs import GridMapping, find_mapping
from fieldops.options import EARTH_RADIUS
from fieldops.stencils.weights import is_uniform

# What detect_geometry is asked for (a curvilinear grid is found by "auto"; the
# geometries the operators take are fieldops.options.GEOMETRIES).
_DETECTABLE = ("auto", "cartesian", "spherical")

_LAT_UNITS = {
    "degrees_north",
    "degree_north",
    "degree_n",
    "degrees_n",
    "degreen",
    "degreesn",
}
_RADIANS = {"rad", "radian", "radians"}
_LON_UNITS = {"degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese"}
_DEGREES = (
    {"degrees", "degree", "deg", "degrees_north", "degrees_east", "°"} | _LAT_UNITS | _LON_UNITS
)
_LAT_NAMES = (
    "latitude",
    "lat",
    "lats",
    "nav_lat",
    "xlat",
    "xlat_m",
    "lat_rho",
    "geolat",
    "tlat",
    "ulat",
    "lat2d",
    "gphit",
)
_LON_NAMES = (
    "longitude",
    "lon",
    "lons",
    "long",
    "nav_lon",
    "xlong",
    "xlong_m",
    "lon_rho",
    "geolon",
    "tlong",
    "tlon",
    "ulong",
    "lon2d",
    "glamt",
)
_X_NAMES = ("x", "xc", "x_rho", "easting", "projection_x_coordinate")
_Y_NAMES = ("y", "yc", "y_rho", "northing", "projection_y_coordinate")
# Rotated-pole and projected grids (fieldops.mappings).
_ROTATED_STD = ("grid_latitude", "grid_longitude")
_ROTATED_NAMES = (("rlat", "grid_latitude", "rlatitude"), ("rlon", "grid_longitude", "rlongitude"))
_MAPFAC = ("MAPFAC_M", "MAPFAC_U", "MAPFAC_V")


@dataclass(frozen=True)
class Geometry:
    """The grid of a field, as found by :func:`detect_geometry`.

    Attributes
    ----------
    kind : {"cartesian", "spherical", "curvilinear"}
        ``spherical``: 1-D latitude/longitude dims; ``curvilinear``: 2-D
        latitude/longitude coordinates on logical dims.
    y_dim, x_dim : hashable
        The northward/eastward dims (``latitude``/``longitude`` on a spherical
        grid, the logical dims of a curvilinear one, the y/x dims of a cartesian one).
    lat, lon : hashable or None
        Names of the latitude/longitude coordinates (None on a cartesian grid).
    radius : float
        Sphere radius in metres.
    """

    kind: str
    y_dim: Hashable
    x_dim: Hashable
    lat: Hashable | None = None
    lon: Hashable | None = None
    radius: float = EARTH_RADIUS
    # The CF grid mapping of a rotated or projected grid (fieldops.mappings).
    mapping: GridMapping | None = field(default=None, repr=False, compare=False)


def _units_of(var: xr.DataArray) -> str:
    return str(var.attrs.get("units", "")).strip().lower().replace(" ", "_")


def _is_lat(name: Hashable, var: xr.DataArray, by_name: bool) -> bool:
    std = str(var.attrs.get("standard_name", "")).lower()
    if std == "latitude" or _units_of(var) in _LAT_UNITS:
        return True
    if std in _ROTATED_STD:
        return False  # a rotated-pole latitude is not a true one
    if str(var.attrs.get("axis", "")).upper() == "Y" and _units_of(var) in _DEGREES:
        return True
    return by_name and str(name).lower() in _LAT_NAMES


def _is_lon(name: Hashable, var: xr.DataArray, by_name: bool) -> bool:
    std = str(var.attrs.get("standard_name", "")).lower()
    if std == "longitude" or _units_of(var) in _LON_UNITS:
        return True
    if std in _ROTATED_STD:
        return False
    if str(var.attrs.get("axis", "")).upper() == "X" and _units_of(var) in _DEGREES:
        return True
    return by_name and str(name).lower() in _LON_NAMES


def _find(obj: xr.DataArray | xr.Dataset, test) -> Hashable | None:
    """The coordinate ``test`` accepts: by attributes first, then by name; 1-D dim coords first."""
    coords = obj.coords
    variables = coords.variables  # not DataArrays: detection runs on every call
    for by_name in (False, True):
        hits = [k for k, v in variables.items() if v.ndim in (1, 2) and test(k, v, by_name)]
        if hits:
            hits.sort(key=lambda k: (coords[k].ndim, k not in obj.dims))
            return hits[0]
    return None


def find_latlon(obj: xr.DataArray | xr.Dataset) -> tuple[Hashable | None, Hashable | None]:
    """Names of the latitude and longitude coordinates of ``obj`` (None where not found).

    Examples
    --------
    >>> da = xr.DataArray(np.zeros((3, 4)), dims=("yy", "xx"),
    ...     coords={"yy": ("yy", [0.0, 1, 2], {"units": "degrees_north"}),
    ...             "xx": ("xx", [0.0, 1, 2, 3], {"standard_name": "longitude"})})
    >>> find_latlon(da)
    ('yy', 'xx')
    """
    return _find(obj, _is_lat), _find(obj, _is_lon)


def _cartesian_dims(
    obj: xr.DataArray | xr.Dataset, y_dim: Hashable | None, x_dim: Hashable | None
) -> tuple[Hashable, Hashable]:
    dims = list(obj.dims)

    def pick(axis: str, names: tuple[str, ...]) -> Hashable | None:
        for d in dims:
            c = obj.coords.get(d)
            if c is not None and str(c.attrs.get("axis", "")).upper() == axis:
                return d
        for d in dims:
            c = obj.coords.get(d)
            std = str(c.attrs.get("standard_name", "")) if c is not None else ""
            if str(d).lower() in names or std in names:
                return d
        return None

    y = y_dim if y_dim is not None else pick("Y", _Y_NAMES)
    x = x_dim if x_dim is not None else pick("X", _X_NAMES)
    if x is None or y is None:
        if len(dims) < 2:
            raise ValueError(
                f"need two dims for a horizontal operator, the data have {dims}; pass x_dim= "
                "and y_dim="
            )
        y = y if y is not None else dims[-2]
        x = x if x is not None else dims[-1]
    return y, x


def vertical_sign(obj: xr.DataArray | xr.Dataset, dim: Hashable) -> int:
    """+1 when ``dim``'s coordinate increases upward (or is not vertical), -1 downward.

    Read from the CF ``positive`` attribute (``"up"``/``"down"``, any case); a
    pressure coordinate without one increases downward, as CF says.

    Examples
    --------
    >>> depth = xr.DataArray([0.0, 10.0], dims="depth", attrs={"positive": "down"})
    >>> vertical_sign(xr.Dataset(coords={"depth": depth}), "depth")
    -1
    >>> plev = xr.Dataset(coords={"plev": ("plev", [1000.0, 850.0], {"units": "hPa"})})
    >>> vertical_sign(plev, "plev")
    -1
    """
    from fieldops import units as _units

    if dim not in obj.coords:
        return 1
    attrs = obj.coords[dim].attrs
    positive = attrs.get("positive")
    if positive is None:
        return -1 if _units.factor(attrs.get("units"), "Pa") is not None else 1
    value = str(positive).strip().lower()
    if value not in ("up", "down"):
        raise ValueError(
            f"coordinate {dim!r} has positive={positive!r}; CF allows 'up' or 'down' "
            "(the direction in which its values increase): fix the attribute"
        )
    return 1 if value == "up" else -1


def detect_geometry(
    obj: xr.DataArray | xr.Dataset,
    geometry: str = "auto",
    *,
    y_dim: Hashable | None = None,
    x_dim: Hashable | None = None,
    radius: float = EARTH_RADIUS,
) -> Geometry:
    """Find the grid of ``obj``: cartesian, spherical or curvilinear.

    Parameters
    ----------
    obj : DataArray or Dataset
        The field (its coordinates are read, never its data).
    geometry : {"auto", "cartesian", "spherical"}, default "auto"
        ``"auto"`` is spherical (or curvilinear, for 2-D coordinates) when
        latitude and longitude coordinates are found, cartesian otherwise;
        ``"spherical"`` raises when they are not found.
    y_dim, x_dim : hashable, optional
        The northward/eastward dims of a cartesian grid; found from ``axis``
        attributes and names (``y``/``x``), else the last two dims.
    radius : float, default 6 371 008.8
        Sphere radius in metres (mean Earth radius).

    Returns
    -------
    Geometry

    Raises
    ------
    ValueError
        Unknown ``geometry``, ``"spherical"`` without latitude/longitude, a
        non-positive radius, latitudes outside [-90, 90].

    Examples
    --------
    >>> ds = xr.Dataset(coords={"lat": [-45.0, 0.0, 45.0], "lon": [0.0, 90.0, 180.0, 270.0]})
    >>> detect_geometry(ds)
    Geometry(kind='spherical', y_dim='lat', x_dim='lon', lat='lat', lon='lon', radius=6371008.8)
    >>> detect_geometry(ds, "cartesian", y_dim="lat", x_dim="lon").kind
    'cartesian'
    """
    check_xarray(obj)
    if geometry not in _DETECTABLE:
        raise ValueError(f"unknown geometry {geometry!r}; use one of {_DETECTABLE}")
    if not (np.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be a positive number of metres, got {radius!r}")
    for name, d in (("y_dim", y_dim), ("x_dim", x_dim)):
        if d is not None and d not in obj.dims:
            raise ValueError(f"{name}={d!r} is not a dim; the dims are {list(obj.dims)}")
    if geometry == "cartesian":
        y, x = _cartesian_dims(obj, y_dim, x_dim)
        return Geometry("cartesian", y, x, radius=radius)
    mapping = find_mapping(obj, warn=False)
    radius = file_radius(mapping, radius)
    if geometry == "auto":
        mapped = mapped_geometry(obj, mapping, y_dim=y_dim, x_dim=x_dim, radius=radius)
        if mapped is not None:
            return _dangling(obj, mapped)
    lat, lon = find_latlon(obj)
    found = lat is not None and lon is not None
    geo = _spherical_geometry(obj, lat, lon, radius) if found else None
    if geo is None:
        if geometry == "spherical":
            raise ValueError(
                "geometry='spherical' but no latitude/longitude coordinates were found "
                f"(coordinates: {list(obj.coords)}); give them units 'degrees_north'/"
                "'degrees_east' or standard_name 'latitude'/'longitude', or use "
                "geometry='cartesian'"
            )
        y, x = _cartesian_dims(obj, y_dim, x_dim)
        return _dangling(obj, Geometry("cartesian", y, x, radius=radius))
    return _dangling(obj, geo)


def _dangling(obj, geo: Geometry) -> Geometry:
    """``geo``; warn when a ``grid_mapping`` names a missing variable and it could matter.

    On a true latitude/longitude grid only the Earth's radius would be lost, so
    the warning is for the other grids (where the mapping decides the metric).
    """
    if geo.mapping is None and geo.kind != "spherical":
        find_mapping(obj, warn=True)
    return geo


def file_radius(mapping: GridMapping | None, radius: float) -> float:
    """The file's Earth as the radius, unless the call gave its own (not the default)."""
    if mapping is None or mapping.radius is None or radius != EARTH_RADIUS:
        return radius
    return float(mapping.radius)


def _one_d(obj, name: Hashable | None) -> bool:
    return name is not None and name in obj.coords and obj.coords[name].ndim == 1


def _rotated_coords(obj, mapping: GridMapping | None) -> tuple[Hashable, Hashable] | None:
    """The 1-D rotated latitude and longitude coordinates, or None."""
    found = []
    for std, names in zip(_ROTATED_STD, _ROTATED_NAMES):
        hits = [  # Variables, not DataArrays: this runs on every call
            k
            for k, v in obj.coords.variables.items()
            if v.ndim == 1 and str(v.attrs.get("standard_name", "")).lower() == std
        ]
        if not hits and mapping is not None and mapping.kind == "rotated":
            hits = [k for k in obj.coords if _one_d(obj, k) and str(k).lower() in names]
        found.append(hits[0] if hits else None)
    y, x = found
    if y is None or x is None or obj.coords[y].dims == obj.coords[x].dims:
        return None
    return y, x


def mapped_geometry(
    obj: xr.DataArray | xr.Dataset,
    mapping: GridMapping | None,
    *,
    y_dim: Hashable | None = None,
    x_dim: Hashable | None = None,
    radius: float = EARTH_RADIUS,
) -> Geometry | None:
    """A rotated-pole or projected grid of ``obj``, or None.

    ``rotated``: 1-D ``grid_latitude``/``grid_longitude`` coordinates (by
    ``standard_name``, or ``rlat``/``rlon`` with a ``rotated_latitude_longitude``
    mapping); the mapping, when there is one, gives the true latitude.
    ``projected``: a projected CF grid mapping (or WRF's ``MAPFAC_M``) and 1-D
    x/y coordinates in lengths; ``projected_curvilinear`` for a mapping that is
    not conformal (Lambert azimuthal equal area). ``lat``/``lon`` name 2-D
    latitude/longitude coordinates when the data have them (checked against
    the mapping).

    Examples
    --------
    >>> ds = xr.Dataset(coords={
    ...     "rlat": ("rlat", [0.0, 1.0], {"standard_name": "grid_latitude"}),
    ...     "rlon": ("rlon", [0.0, 1.0, 2.0], {"standard_name": "grid_longitude"})})
    >>> mapped_geometry(ds, None)
    Geometry(kind='rotated', y_dim='rlat', x_dim='rlon', lat='rlat', lon='rlon', radius=6371008.8)
    """
    kind = None if mapping is None else mapping.kind
    rotated = _rotated_coords(obj, mapping)
    if rotated is not None:
        y, x = rotated
        ydim, xdim = obj.coords[y].dims[0], obj.coords[x].dims[0]
        return Geometry("rotated", ydim, xdim, y, x, float(radius), mapping)
    mapfac = [k for k in _MAPFAC if k in obj.coords or k in getattr(obj, "data_vars", {})]
    if kind != "projected" and not mapfac:
        return None
    y, x = _cartesian_dims(obj, y_dim, x_dim)
    lengths = all(_one_d(obj, d) and _is_length(obj.coords[d]) for d in (y, x))
    if kind != "projected" and not lengths:
        return None  # WRF without x/y in metres: its 2-D latitude/longitude are used
    lat, lon = find_latlon(obj)
    two_d = lat is not None and lon is not None and _pair_kind(obj, lat, lon) == "curvilinear"
    lat, lon = (lat, lon) if two_d and set(obj.coords[lat].dims) == {y, x} else (None, None)
    name = "projected" if mapping is None or mapping.conformal else "projected_curvilinear"
    return Geometry(name, y, x, lat, lon, float(radius), mapping)


def _is_length(coord: xr.DataArray) -> bool:
    from fieldops import units as _units

    units = coord.attrs.get("units")
    return units is None or _units.factor(units, "m") is not None


def _pair_kind(obj, lat: Hashable, lon: Hashable) -> str | None:
    """``"spherical"`` or ``"curvilinear"`` when ``lat``/``lon`` make a horizontal grid."""
    clat, clon = obj.coords[lat], obj.coords[lon]
    if clat.ndim == 1 and clon.ndim == 1 and clat.dims != clon.dims:
        return "spherical"
    if clat.ndim == 2 and clon.ndim == 2 and set(clat.dims) == set(clon.dims):
        return "curvilinear"
    return None


def horizontal_dims(obj: xr.DataArray | xr.Dataset) -> tuple[Hashable, Hashable] | None:
    """The (northward, eastward) dims of a latitude/longitude grid of ``obj``, or None.

    Found as :func:`detect_geometry` finds a spherical or curvilinear grid, without
    checking the coordinates' values (the operators check them when they use the grid).
    This is the default ``dims`` of the vector operators.

    Examples
    --------
    >>> ds = xr.Dataset(coords={"time": [0, 1], "lat": [-45.0, 45.0], "lon": [0.0, 90.0]})
    >>> horizontal_dims(ds)
    ('lat', 'lon')
    >>> horizontal_dims(xr.Dataset(coords={"x": [0.0, 1.0]})) is None
    True
    """
    mapped = mapped_geometry(obj, find_mapping(obj, warn=False))
    if mapped is not None:
        return mapped.y_dim, mapped.x_dim
    lat, lon = find_latlon(obj)
    if lat is None or lon is None:
        return None
    kind = _pair_kind(obj, lat, lon)
    if kind == "spherical":
        return obj.coords[lat].dims[0], obj.coords[lon].dims[0]
    if kind == "curvilinear":
        y, x = obj.coords[lat].dims
        return y, x
    return None


def _spherical_geometry(obj, lat: Hashable, lon: Hashable, radius: float) -> Geometry | None:
    clat, clon = obj.coords[lat], obj.coords[lon]
    for what, c in (("latitude", clat), ("longitude", clon)):
        if _units_of(c) in _RADIANS:
            raise ValueError(
                f"{what} coordinate {c.name!r} has units {c.attrs['units']!r}; fieldops needs "
                f"degrees: convert it with np.rad2deg and set units 'degrees_"
                f"{'north' if what == 'latitude' else 'east'}' (or pass geometry='cartesian')"
            )
    kind = _pair_kind(obj, lat, lon)
    if kind is not None and (clat.chunks is None and clon.chunks is None):
        _check_not_radians(clat, clon)
    if clat.ndim == 1 and clon.ndim == 1 and clat.dims != clon.dims:
        _check_latitudes(clat)
        return Geometry("spherical", clat.dims[0], clon.dims[0], lat, lon, float(radius))
    if clat.ndim == 2 and clon.ndim == 2 and set(clat.dims) == set(clon.dims):
        if clat.chunks is None:  # a lazy coordinate is not read (nothing computes here)
            _check_latitudes(clat)
        y, x = clat.dims
        return Geometry("curvilinear", y, x, lat, lon, float(radius))
    return None


def _check_not_radians(clat: xr.DataArray, clon: xr.DataArray) -> None:
    """Refuse latitude/longitude without units whose values fit in radians.

    Read as degrees they would give derivatives 57 times too large; a grid in
    degrees that small (within 1.6 degrees of the equator, under 6.3 degrees
    wide) says so with its ``units``.
    """
    if "units" in clat.attrs or "units" in clon.attrs:
        return
    la = np.asarray(clat.values, dtype=np.float64)
    lo = np.asarray(clon.values, dtype=np.float64)
    if not (la.size > 1 and lo.size > 1 and np.isfinite(la).any() and np.isfinite(lo).any()):
        return
    if np.nanmax(np.abs(la)) <= np.pi / 2 + 1e-9 and np.nanmax(lo) - np.nanmin(lo) <= 2 * np.pi:
        raise ValueError(
            f"latitude {clat.name!r} and longitude {clon.name!r} have no units and their "
            f"values fit in radians (|lat| <= pi/2, longitude span <= 2 pi); fieldops reads "
            "degrees. If they are degrees, say so: .assign_coords with attrs units="
            "'degrees_north'/'degrees_east'; if radians, convert them with np.rad2deg "
            "(or pass geometry='cartesian')"
        )


def check_longitude(raw_degrees: np.ndarray, name: Hashable) -> np.ndarray:
    """The longitude unwrapped, refused unless it crosses the seam at most once.

    An ordered longitude is monotonic but for one jump of about 360 degrees
    where it wraps (at 180 or 360) and spans at most 360 degrees; a scrambled
    one, once "unwrapped", would span more than once round the globe.

    Examples
    --------
    >>> check_longitude(np.array([170.0, 180.0, -170.0]), "lon")
    array([170., 180., 190.])
    """
    raw = np.asarray(raw_degrees, dtype=np.float64)
    lon = np.unwrap(raw, period=360.0)
    if lon.size < 2:
        return lon
    wraps = np.flatnonzero(np.abs(np.diff(lon) - np.diff(raw)) > 1e-9)
    span = abs(lon[-1] - lon[0])
    steps = np.diff(lon)
    monotonic = bool(np.all(steps > 0) or np.all(steps < 0))
    if len(wraps) > 1 or span > 360.0 + 1e-6 or not monotonic:
        raise ValueError(
            f"longitude {name!r} is not ordered: unwrapped (wrapping {len(wraps)} time(s)) "
            f"it would span {span:.6g} degrees, with a largest gap of "
            f"{np.abs(steps).max():.6g} degrees{'' if monotonic else ', changing direction'}; "
            f"a longitude increases (or decreases) and wraps at most once: sort it "
            f"(e.g. .sortby({name!r}))"
        )
    return lon


def _check_latitudes(clat: xr.DataArray) -> None:
    values = np.asarray(clat.values, dtype=np.float64)
    if values.size and (np.nanmax(np.abs(values)) > 90.0 + 1e-4):
        raise ValueError(
            f"latitude coordinate {clat.name!r} has values beyond +-90 degrees "
            f"(max |lat| = {np.nanmax(np.abs(values))}); is it in radians? Convert it to "
            "degrees_north"
        )


def longitude_is_periodic(lon_degrees: np.ndarray) -> bool:
    """True when a longitude (degrees) is uniform and its ``n`` steps span 360 degrees.

    Whatever its start (-180 or 0), direction or wrap point.

    Examples
    --------
    >>> longitude_is_periodic(np.arange(-180, 180, 1.5)), longitude_is_periodic(np.arange(0, 90.0))
    (True, False)
    """
    lon = np.unwrap(np.asarray(lon_degrees, dtype=np.float64), period=360.0)
    if lon.size <= 2:
        return False
    step = (lon[-1] - lon[0]) / (lon.size - 1)
    return bool(is_uniform(lon) and abs(abs(step) * lon.size - 360.0) < 1e-3 * abs(step))


def longitude_repeats_endpoint(lon_degrees: np.ndarray) -> bool:
    """True when the last longitude is the first meridian again (0..360 with 360 kept).

    The columns before the last are then a periodic longitude
    (:func:`longitude_is_periodic`) and the last one repeats the first.

    Examples
    --------
    >>> longitude_repeats_endpoint(np.arange(0, 360.1, 1.0))
    True
    >>> longitude_repeats_endpoint(np.arange(0, 360, 1.0))
    False
    """
    lon = np.unwrap(np.asarray(lon_degrees, dtype=np.float64), period=360.0)
    if lon.size <= 3:
        return False
    step = (lon[-2] - lon[0]) / (lon.size - 2)
    # The cheap test first: most longitudes do not end where they start.
    if not abs(abs(lon[-1] - lon[0]) - 360.0) < 1e-3 * abs(step):
        return False
    return longitude_is_periodic(lon[:-1])
