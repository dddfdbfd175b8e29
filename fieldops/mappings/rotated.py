"""The frame of a rotated-pole grid (CF ``rotated_latitude_longitude``): :class:`Rotated`.

A rotated-pole grid (EURO-CORDEX, the Met Office UM, COSMO, ICON-LAM) is a regular
latitude/longitude grid on a sphere whose pole has been moved. Its metric is the
sphere's in the rotated coordinates, so derivatives are those of
:class:`~fieldops.grids.sphere.Sphere` on ``rlat``/``rlon``, and their components
point along the *rotated* east and north (grid-relative; attrs say so). What
needs the true latitude (the Coriolis parameter of ``absolute_vorticity`` and
``geostrophic_wind``, and the latter's equatorial band) takes it from the grid
mapping, or from the file's 2-D latitude when there is no mapping.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from fieldops.grids.detect import Geometry
from fieldops.grids.frame import register
from fieldops.grids.sphere import Sphere
from fieldops.options import How, Where
from fieldops.stencils.cache import shared

# 2-D latitudes further than this from the mapping's are reported (about 100 m).
_LAT_TOL_DEG = 1e-3


def _true_latlon_2d(ref, geo: Geometry) -> tuple[xr.DataArray, xr.DataArray] | None:
    """A 2-D true latitude/longitude coordinate of ``ref`` on the grid's dims, or None."""
    lat = lon = None
    for name, c in ref.coords.items():
        if c.ndim != 2 or set(c.dims) != {geo.y_dim, geo.x_dim}:
            continue
        std, units = str(c.attrs.get("standard_name", "")), str(c.attrs.get("units", ""))
        low = str(name).lower()
        if lat is None and (std == "latitude" or units == "degrees_north" or low == "lat"):
            lat = c
        if lon is None and (std == "longitude" or units == "degrees_east" or low == "lon"):
            lon = c
    if lat is None or lon is None:
        return None
    dims = (geo.y_dim, geo.x_dim)
    return (
        xr.DataArray(lat.data, dims=lat.dims).transpose(*dims),
        xr.DataArray(lon.data, dims=lon.dims).transpose(*dims),
    )


def mapping_latlon(geo: Geometry, y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True (latitude, longitude) in degrees on the (y, x) grid of a mapping, cached."""
    mapping = geo.mapping
    key = ("mapping-latlon", mapping.key, y.tobytes(), x.tobytes())

    def build():
        xx, yy = np.meshgrid(x, y)
        lon, lat = mapping.to_lonlat(xx, yy)
        lat.setflags(write=False)
        lon.setflags(write=False)
        return lat, lon

    return shared(key, build)


def check_latlon(
    lat: np.ndarray, lon: np.ndarray, file_lat, file_lon, mapping, where: str
) -> float | None:
    """Warn when the file's 2-D latitude/longitude disagree with the mapping's; the gap."""
    if file_lat.chunks is not None:
        return None  # a lazy coordinate is not read (nothing computes at call time)
    flat = np.asarray(file_lat.values, dtype=np.float64)
    flon = np.asarray(file_lon.values, dtype=np.float64)
    dlat = np.abs(flat - lat)
    dlon = np.abs((flon - lon + 180.0) % 360.0 - 180.0) * np.cos(np.deg2rad(lat))
    gap = float(np.nanmax(np.maximum(dlat, dlon), initial=0.0))
    if gap > _LAT_TOL_DEG:
        warnings.warn(
            f"the 2-D latitude/longitude of the data disagree with grid mapping "
            f"{mapping.variable!r} ({mapping.name}) by up to {gap:.3g} degrees "
            f"({gap * 111.2:.3g} km); {where}. Check the mapping's parameters (or drop it "
            "to use the 2-D coordinates)",
            UserWarning,
            stacklevel=2,
        )
    return gap


def mapping_angle(
    geo: Geometry, y: np.ndarray, x: np.ndarray, step: float
) -> tuple[xr.DataArray, xr.DataArray, str]:
    """cos, sin of the angle of +x from true east on a mapped (y, x) grid, cached.

    ``step``: the half-width of the central difference along x, in the grid's
    coordinate units (1e-5 degrees on a rotated grid: exact to ~1e-10 rad).
    """
    mapping = geo.mapping
    key = ("mapping-angle", mapping.key, y.tobytes(), x.tobytes())

    def build():
        xx, yy = np.meshgrid(x, y)
        lon1, lat1 = mapping.to_lonlat(xx + step, yy)
        lon0, lat0 = mapping.to_lonlat(xx - step, yy)
        lat, _ = mapping_latlon(geo, y, x)
        dlon = (lon1 - lon0 + 180.0) % 360.0 - 180.0
        alpha = np.arctan2(lat1 - lat0, dlon * np.cos(np.deg2rad(lat)))
        return np.cos(alpha), np.sin(alpha)

    cos, sin = shared(key, build)
    dims = (geo.y_dim, geo.x_dim)
    return xr.DataArray(cos, dims=dims), xr.DataArray(sin, dims=dims), "grid mapping"


@register("rotated")
class Rotated(Sphere):
    """The sphere frame in rotated coordinates, with the true latitude for Coriolis.

    Parameters
    ----------
    ref, geo, where, how
        As for :class:`~fieldops.grids.sphere.Sphere`; ``geo.mapping`` is the
        ``rotated_latitude_longitude`` mapping (None when the data only say
        ``standard_name: grid_latitude``: then the true latitude comes from a
        2-D latitude coordinate, or is unknown).

    Examples
    --------
    >>> import fieldops
    >>> from fieldops.mappings.crs import read_mapping
    >>> pole = read_mapping(xr.DataArray(0, attrs={
    ...     "grid_mapping_name": "rotated_latitude_longitude",
    ...     "grid_north_pole_latitude": 39.25, "grid_north_pole_longitude": -162.0}), "p")
    >>> da = xr.DataArray(np.zeros((3, 4)), dims=("rlat", "rlon"),
    ...                   coords={"rlat": [-1.0, 0.0, 1.0], "rlon": [-1.0, 0.0, 1.0, 2.0]})
    >>> geo = Geometry("rotated", "rlat", "rlon", "rlat", "rlon", 6371229.0, pole)
    >>> r = Rotated(da, geo, Where(), How())
    >>> round(float(r.latitude()[1, 1]), 6), r.radius
    (50.75, 6371229.0)
    """

    place = "on the rotated-pole sphere"
    directions = ("grid_northward", "grid_eastward")

    @classmethod
    def grid_angle(
        cls, ref: xr.DataArray, geo: Geometry
    ) -> tuple[xr.DataArray, xr.DataArray, str] | None:
        """The angle of +x (rotated east) from true east, from the grid mapping."""
        if geo.mapping is None:
            return None
        y = np.asarray(ref[geo.y_dim].values, dtype=np.float64)
        x = np.asarray(ref[geo.x_dim].values, dtype=np.float64)
        return mapping_angle(geo, y, x, 1e-5)

    def __init__(self, ref: xr.DataArray | xr.Dataset, geo: Geometry, where: Where, how: How):
        super().__init__(ref, geo, where, how)
        self.mapping = geo.mapping
        self._lat_true: xr.DataArray | None = None
        dims = (self.lat_dim, self.lon_dim)
        file = _true_latlon_2d(ref, geo)
        if self.mapping is not None:
            lat, lon = mapping_latlon(geo, self.lat_deg, self.lon_deg)
            if file is not None:
                check_latlon(lat, lon, *file, self.mapping, "the mapping's are used")
            self._lat_true = xr.DataArray(lat, dims=dims)
        elif file is not None:
            self._lat_true = file[0].astype(np.float64)

    @classmethod
    def describe(cls, ds: xr.Dataset, geo: Geometry) -> list[str]:
        """The sphere's lines (rotated coordinates) and the mapping."""
        lines = super().describe(ds, geo)
        lines[0] = lines[0].replace("latitude", "rotated latitude", 1)
        lines[1] = lines[1].replace("longitude", "rotated longitude", 1)
        if geo.mapping is not None:
            lines += geo.mapping.describe()
        else:
            lines.append(
                "  grid mapping: none (standard_name grid_latitude): the true latitude comes "
                "from a 2-D latitude coordinate, if any"
            )
        lines.append("  components: grid-relative (rotated east/north)")
        return lines

    def latitude(self) -> xr.DataArray:
        """The true latitude in degrees, 2-D over the rotated dims."""
        if self._lat_true is None:
            raise ValueError(
                f"rotated-pole grid ({self.lat_dim}, {self.lon_dim}) without its grid mapping "
                "variable or a 2-D latitude: the true latitude (for the Coriolis parameter) is "
                "unknown. Keep the rotated_latitude_longitude variable (fieldops.open_dataset, "
                "or da.assign_coords(rotated_pole=ds.rotated_pole)), or pass coriolis= (s-1)"
            )
        return self._lat_true

    def words(self) -> str:
        """Rotated east/north components, per metre."""
        y, x = self.dims
        return (
            f"on the rotated-pole grid ({y}: rotated northward, {x}: rotated eastward, per metre)"
        )

    def frame_attrs(self) -> dict[str, str]:
        """Components point along the rotated grid's east and north."""
        return {
            "component_frame": "grid-relative: along the rotated-pole grid's east/north "
            f"({self.lon_dim}, {self.lat_dim}); fieldops.to_earth_relative turns them to "
            "true east/north"
        }
