"""Every option is validated once (fieldops.options): the same error text from every
entry point, and the objects the public functions build from their keywords."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.grids.frame import Frame, frame_for
from fieldops.options import (
    GEOMETRIES,
    NAN_POLICIES,
    POLE_POLICIES,
    How,
    Where,
    resolve_how,
)


def _sphere() -> xr.Dataset:
    lat = np.linspace(-80, 80, 17)
    lon = np.arange(0, 360, 20.0)
    p, lam = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    coords = {"lat": lat, "lon": lon}
    return xr.Dataset(
        {
            "u": (("lat", "lon"), np.cos(p) * np.sin(lam), {"units": "m s-1"}),
            "v": (("lat", "lon"), np.sin(p) * np.cos(lam), {"units": "m s-1"}),
        },
        coords=coords,
    )


def _vector(ds: xr.Dataset) -> xr.DataArray:
    return xr.concat([ds.v, ds.u], dim=xr.Variable("component", ["lat", "lon"]))


# Each entry point with one way to call it on the sample; ``kw`` are the bad options.
ENTRY_POINTS = {
    "diff": lambda ds, kw: fieldops.diff(ds.u, "lat", **kw),
    "grad": lambda ds, kw: fieldops.grad(ds.u, ["lat", "lon"], **kw),
    "laplacian": lambda ds, kw: fieldops.laplacian(ds.u, ["lat", "lon"], **kw),
    "hessian": lambda ds, kw: fieldops.hessian(ds.u, ["lat", "lon"], **kw),
    "div": lambda ds, kw: fieldops.div(_vector(ds), **kw),
    "curl": lambda ds, kw: fieldops.curl(_vector(ds), **kw),
    "jacobian": lambda ds, kw: fieldops.jacobian(_vector(ds), **kw),
    "vorticity": lambda ds, kw: fieldops.vorticity(ds.u, ds.v, **kw),
    "divergence": lambda ds, kw: fieldops.divergence(ds.u, ds.v, **kw),
    "deformation": lambda ds, kw: fieldops.deformation(ds.u, ds.v, **kw),
    "accessor.grad": lambda ds, kw: ds.u.fieldops.grad(["lat", "lon"], **kw),
    "accessor.vorticity": lambda ds, kw: ds.fieldops.vorticity(u="u", v="v", **kw),
}
KINEMATICS = ("vorticity", "divergence", "deformation", "accessor.vorticity")

BAD = [
    ("accuracy", 3, ValueError),
    ("boundary", "bogus", ValueError),
    ("nan_policy", "bogus", ValueError),
    ("poles", "bogus", ValueError),
    ("geometry", "bogus", ValueError),
    ("radius", -1.0, ValueError),
]


def _takes(name: str, option: str) -> bool:
    """Whether the public function behind ``name`` has the keyword ``option``."""
    func = getattr(fieldops, name.split(".")[-1])
    return option in inspect.signature(func).parameters


@pytest.mark.parametrize(("option", "value", "error"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_option_gives_the_same_message_from_every_entry_point(option, value, error):
    ds = _sphere()
    messages = {}
    for name, call in ENTRY_POINTS.items():
        if not _takes(name, option):
            continue
        with pytest.raises(error) as info:
            call(ds, {option: value})
        messages[name] = str(info.value)
    assert len(messages) >= 4, messages  # the option really is shared
    assert len(set(messages.values())) == 1, messages
    # the message names the option's bad value
    assert repr(value) in next(iter(messages.values())) or str(value) in next(
        iter(messages.values())
    )


def test_bad_poles_is_refused_on_a_plane_too():
    # Validation does not depend on the grid: a typo is caught even where the
    # option would not be used (it was silently ignored on cartesian grids).
    x = np.arange(6.0)
    u = xr.DataArray(np.outer(x, x), dims=("y", "x"), coords={"y": x, "x": x})
    with pytest.raises(ValueError, match="unknown poles policy 'bogus'"):
        fieldops.vorticity(u, u, poles="bogus")
    with pytest.raises(ValueError, match="unknown poles policy 'bogus'"):
        fieldops.grad(u, poles="bogus")


def test_where_is_validated_when_made():
    with pytest.raises(ValueError, match="unknown geometry 'plane'"):
        Where(geometry="plane")
    with pytest.raises(ValueError, match="radius must be a positive number"):
        Where(radius=0.0)
    with pytest.raises(ValueError, match="unknown poles policy"):
        Where(poles="clip")
    assert Where().geometry == "auto" and Where().radius == fieldops.EARTH_RADIUS


def test_how_pick_takes_the_keywords_of_a_public_function():
    def public(f, dims=None, *, accuracy=2, boundary=None, method="savgol", window=5):
        return How.pick(locals())

    how = public(None, accuracy=4, boundary={"x": "periodic"})
    assert (how.accuracy, how.boundary, how.method, how.window) == (
        4,
        {"x": "periodic"},
        "savgol",
        5,
    )
    assert how.nan_policy == "propagate" and how.mask is None  # defaults of the rest
    assert not how.plain and How().plain


def test_how_restrict_keeps_each_dims_own_choices():
    how = How(
        boundary={"lon": "periodic", "level": "mirror"},
        period={"lon": 360.0},
        method={"lon": "spectral", "level": "savgol"},
        window={"level": 5},
    )
    lon = how.restrict(["lon"])
    assert lon.boundary == {"lon": "periodic"} and lon.period == {"lon": 360.0}
    assert lon.method == {"lon": "spectral"} and lon.window == {}
    level = how.restrict(["level"])
    assert level.boundary == {"level": "mirror"} and level.period is None


def test_resolve_how_resolves_per_dim():
    da = xr.DataArray(np.zeros((5, 8)), dims=("y", "x"))
    opts = resolve_how(
        da, ["y", "x"], How(boundary={"x": "periodic"}, method={"y": "savgol"}, window="3 points")
    )
    assert opts.boundary == {"y": "one_sided", "x": "periodic"}
    assert opts.method_of("y").method == "savgol"
    assert opts.method_of("x").method == "finite_difference"
    assert resolve_how(da, ["x"], How(), boundary_defaults={"x": "periodic"}).boundary == {
        "x": "periodic"
    }


def test_the_cli_offers_the_library_choices():
    from click.testing import CliRunner

    from fieldops.cli.command import main

    out = CliRunner().invoke(main, ["vorticity", "--help"]).output
    for choices in (POLE_POLICIES, NAN_POLICIES, GEOMETRIES):
        assert "|".join(choices) in out


def test_frame_for_picks_the_registered_frame():
    ds = _sphere()
    frame = frame_for(ds.u, ["lat", "lon"], Where(), How())
    assert isinstance(frame, Frame) and frame.kind == "spherical"
    assert frame.dims == ("lat", "lon")
    assert frame_for(ds.u, ["lat", "lon"], Where(geometry="cartesian"), How()) is None
    plane = frame_for(ds.u.rename(lat="y", lon="x").drop_vars(["y", "x"]), None, Where(), How())
    assert plane.kind == "cartesian" and plane.dims == ("y", "x")


def test_cell_widths_and_areas_sum_to_the_sphere():
    # A global grid with pole rows: the areas add up to 4 pi R**2 (to the
    # midpoint rule's accuracy in latitude).
    lat = np.linspace(-90, 90, 181)
    lon = np.arange(0, 360, 1.0)
    da = xr.DataArray(
        np.zeros((lat.size, lon.size)), dims=("lat", "lon"), coords={"lat": lat, "lon": lon}
    )
    frame = frame_for(da, None, Where(radius=1.0), How())
    widths = frame.cell_widths()
    np.testing.assert_allclose(widths["lat"].values[1:-1], np.deg2rad(1.0), rtol=1e-12)
    assert widths["lat"].values[0] == pytest.approx(np.deg2rad(0.5))
    total = float(frame.cell_areas().sum())
    assert total == pytest.approx(4 * np.pi, rel=1e-3)


def test_cell_widths_on_a_plane_in_metres():
    x = xr.DataArray(np.array([0.0, 1.0, 3.0, 6.0]), dims="x", attrs={"units": "km"})
    y = xr.DataArray(np.array([0.0, 2.0, 4.0]), dims="y", attrs={"units": "m"})
    da = xr.DataArray(np.zeros((3, 4)), dims=("y", "x"), coords={"x": x, "y": y})
    frame = frame_for(da, None, Where(geometry="cartesian"), How())
    widths = frame.cell_widths()
    np.testing.assert_allclose(widths["x"].values, [500.0, 1500.0, 2500.0, 1500.0])
    np.testing.assert_allclose(widths["y"].values, [1.0, 2.0, 1.0])
    assert float(frame.cell_areas().sum()) == pytest.approx(6000.0 * 4.0)


def test_cell_widths_on_a_curvilinear_grid_match_the_sphere():
    # A regular grid seen as curvilinear: metres per index step are R dphi and
    # R cos(phi) dlam, as on the sphere.
    lat1 = np.linspace(-60, 60, 25)
    lon1 = np.linspace(-40, 80, 31)
    lon2, lat2 = np.meshgrid(lon1, lat1)
    da = xr.DataArray(
        np.zeros(lat2.shape),
        dims=("y", "x"),
        coords={"nav_lat": (("y", "x"), lat2), "nav_lon": (("y", "x"), lon2)},
    )
    frame = frame_for(da, None, Where(), How())
    assert frame.kind == "curvilinear"
    widths = frame.cell_widths()
    R = fieldops.EARTH_RADIUS
    np.testing.assert_allclose(widths["y"].values, R * np.deg2rad(5.0), rtol=1e-12)
    expected_x = R * np.cos(np.deg2rad(lat2)) * np.deg2rad(4.0)
    np.testing.assert_allclose(widths["x"].values, expected_x, rtol=1e-9)
