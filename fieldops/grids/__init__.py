"""What a dim means physically: detection of the grid (CF attributes, then names),
its coordinates, and the frames that differentiate on it (cartesian, sphere,
curvilinear)."""

from fieldops.grids.detect import (
    EARTH_RADIUS,
    Geometry,
    detect_geometry,
    find_latlon,
    longitude_is_periodic,
    longitude_repeats_endpoint,
    vertical_sign,
)

__all__ = [
    "EARTH_RADIUS",
    "Geometry",
    "detect_geometry",
    "find_latlon",
    "longitude_is_periodic",
    "longitude_repeats_endpoint",
    "vertical_sign",
]
