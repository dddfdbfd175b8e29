"""The CF ``positive`` attribute: the sign of "up" in the 3-D curl."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.grids.detect import vertical_sign

OMEGA = 0.5


def rotation(axis: str, vertical: str, attrs: dict) -> xr.DataArray:
    """Rigid rotation ``Omega x r`` about the east or the up axis, on (x, y, vertical).

    ``vertical`` increases upward (height ``z``) or downward (depth ``d = -z``); the
    components are along the coordinates (the vertical one along increasing ``vertical``).
    """
    c = np.linspace(-1.0, 1.0, 9)
    x, y, v = np.meshgrid(c, c, c, indexing="ij")
    down = attrs.get("positive", "").lower() == "down" or "Pa" in attrs.get("units", "")
    z = -v if down else v
    if axis == "up":  # Omega = (0, 0, w): velocity (-w y, w x, 0)
        comps = [-OMEGA * y, OMEGA * x, 0 * x]
    else:  # Omega = (w, 0, 0): velocity (0, -w z, w y)
        comps = [0 * x, -OMEGA * z, OMEGA * y]
    if down:
        comps[2] = -comps[2]
    # x and y share the vertical's units: curl never adds terms of different units
    same = {"units": attrs["units"]} if "units" in attrs else {}
    coords = {
        "x": xr.DataArray(c, dims="x", attrs=same),
        "y": xr.DataArray(c, dims="y", attrs=same),
        vertical: xr.DataArray(c, dims=vertical, attrs=attrs),
    }
    return xr.DataArray(
        np.stack(comps),
        dims=("component", "x", "y", vertical),
        coords={**coords, "component": ["x", "y", vertical]},
    )


@pytest.mark.parametrize(
    "vertical,attrs",
    [
        ("z", {}),
        ("z", {"positive": "up"}),
        ("depth", {"positive": "down"}),
        ("depth", {"positive": "DOWN"}),
        ("plev", {"units": "hPa"}),
    ],
)
@pytest.mark.parametrize("axis", ["up", "east"])
def test_curl_of_a_rigid_rotation_is_twice_omega_whichever_way_up(vertical, attrs, axis):
    F = rotation(axis, vertical, attrs)
    curl = fieldops.curl(F, ["x", "y", vertical])
    down = vertical_sign(F, vertical) < 0
    expected = {"x": 0.0, "y": 0.0, vertical: 0.0}
    if axis == "up":
        expected[vertical] = -2 * OMEGA if down else 2 * OMEGA  # up is -vertical when down
    else:
        expected["x"] = 2 * OMEGA
    for comp, value in expected.items():
        np.testing.assert_allclose(curl.sel(component=comp), value, atol=1e-12)


def test_curl_without_vertical_attributes_is_unchanged_and_bad_positive_is_named():
    F = rotation("up", "z", {})
    np.testing.assert_allclose(
        fieldops.curl(F, ["x", "y", "z"]).sel(component="z"),
        fieldops.curl(F, ["x", "y", "z"], geometry="cartesian").sel(component="z"),
    )
    bad = rotation("up", "z", {}).assign_coords(z=lambda a: a.z.assign_attrs(positive="upward"))
    with pytest.raises(ValueError, match=r"'z' has positive='upward'.*'up' or 'down'"):
        fieldops.curl(bad, ["x", "y", "z"])


def test_vertical_sign_reads_positive_and_pressure_units():
    ds = xr.Dataset(
        coords={
            "lev": ("lev", [1.0, 2.0], {"positive": "up"}),
            "depth": ("depth", [1.0, 2.0], {"positive": "down"}),
            "p": ("p", [1000.0, 500.0], {"units": "Pa"}),
            "x": ("x", [1.0, 2.0], {"units": "m"}),
        }
    )
    assert [vertical_sign(ds, d) for d in ("lev", "depth", "p", "x", "missing")] == [
        1,
        -1,
        -1,
        1,
        1,
    ]
