"""fieldops staggered operators agree with xgcm (Grid.diff, Grid.interp, the vorticity recipe).

One small synthetic file per convention, in the model's documented names; xgcm is
given the same axes by hand (it cannot tell NEMO's u from T by dims, so the NEMO
fields are renamed for it). Masks are dropped: xgcm has none.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops
from fieldops.staggered import samples

xgcm = pytest.importorskip("xgcm")

POS = {"T": "cc", "U": "fc", "V": "cf", "F": "ff"}


def _nemo():
    ds = samples.nemo_mesh(9, 7, stretch=0.3).drop_vars(["tmask", "umask", "vmask", "fmask"])
    xg = xr.Dataset(
        coords={
            "x_c": np.arange(9.0),
            "x_f": np.arange(9.0) + 0.5,
            "y_c": np.arange(7.0),
            "y_f": np.arange(7.0) + 0.5,
        }
    )
    coords = {"X": {"center": "x_c", "right": "x_f"}, "Y": {"center": "y_c", "right": "y_f"}}

    def field(pos, values):
        return xr.DataArray(values, dims=("y", "x"))

    def to_xgcm(da, pos):
        lx, ly = POS[pos]
        return da.rename(x=f"x_{lx}", y=f"y_{ly}")

    def metric(name):
        return ds[name].squeeze("t", drop=True).reset_coords(drop=True)

    names = {"dx_U": "e1u", "dy_U": "e2u", "dx_V": "e1v", "dy_V": "e2v"}
    area = {"T": metric("e1t") * metric("e2t"), "F": metric("e1f") * metric("e2f")}
    return (
        ds,
        xgcm.Grid(xg, coords=coords, autoparse_metadata=False),
        field,
        to_xgcm,
        (lambda key: metric(names[key]) if key in names else area[key[-1]]),
    )


def _model(ds, dims, xg_coords, xg_rename, metric_names, drop):
    ds = ds.drop_vars([v for v in drop if v in ds.variables])
    sizes = {new: ds.sizes[old] for old, new in xg_rename.items()}
    xg = xr.Dataset(coords={d: np.arange(n) for d, n in sizes.items()})

    def field(pos, values):
        return xr.DataArray(values, dims=dims[pos])

    def to_xgcm(da, pos):
        return da.rename({d: xg_rename.get(d, d) for d in da.dims}).drop_vars(
            list(da.coords), errors="ignore"
        )

    def metric(key):
        return ds[metric_names[key]].reset_coords(drop=True)

    return ds, xgcm.Grid(xg, coords=xg_coords, autoparse_metadata=False), field, to_xgcm, metric


def _mom6(symmetric):
    ds = samples.mom6_static(9, 7, stretch=0.3, symmetric=symmetric)
    face = "outer" if symmetric else "right"
    dims = {"T": ("yh", "xh"), "U": ("yh", "xq"), "V": ("yq", "xh"), "F": ("yq", "xq")}
    coords = {"X": {"center": "xh", face: "xq"}, "Y": {"center": "yh", face: "yq"}}
    rename = {d: d for d in ("xh", "xq", "yh", "yq")}
    names = {
        "dx_U": "dxCu", "dy_U": "dyCu", "dx_V": "dxCv", "dy_V": "dyCv",
        "area_T": "areacello", "area_F": "areacello_bu",
    }  # fmt: skip
    return _model(ds, dims, coords, rename, names, ["wet", "wet_u", "wet_v", "wet_c"])


def _roms(sgrid):
    ds = samples.roms_grid(9, 7, sgrid=sgrid)
    dims = {
        "T": ("eta_rho", "xi_rho"),
        "U": ("eta_u", "xi_u"),
        "V": ("eta_v", "xi_v"),
        "F": ("eta_psi", "xi_psi"),
    }
    coords = {"X": {"center": "xr", "inner": "xu"}, "Y": {"center": "er", "inner": "ev"}}
    rename = {
        "xi_rho": "xr", "xi_v": "xr", "xi_u": "xu", "xi_psi": "xu",
        "eta_rho": "er", "eta_u": "er", "eta_v": "ev", "eta_psi": "ev",
    }  # fmt: skip
    pm, pn = ds.pm.values, ds.pn.values
    extra = {
        "dx_U": ("U", 2 / (pm[:, 1:] + pm[:, :-1])),
        "dy_U": ("U", 2 / (pn[:, 1:] + pn[:, :-1])),
        "dx_V": ("V", 2 / (pm[1:] + pm[:-1])),
        "dy_V": ("V", 2 / (pn[1:] + pn[:-1])),
        "area_T": ("T", 1 / (pm * pn)),
    }
    for key, (pos, values) in extra.items():
        ds[key] = (dims[pos], values)
    pm_f = (pm[1:, 1:] + pm[1:, :-1] + pm[:-1, 1:] + pm[:-1, :-1]) / 4
    pn_f = (pn[1:, 1:] + pn[1:, :-1] + pn[:-1, 1:] + pn[:-1, :-1]) / 4
    ds["area_F"] = (dims["F"], 1 / (pm_f * pn_f))
    names = {k: k for k in (*extra, "area_F")}
    masks = ["mask_rho", "mask_u", "mask_v", "mask_psi"]
    out = _model(ds, dims, coords, rename, names, masks)
    return (out[0].drop_vars(list(names)), *out[1:])


def _mitgcm(xmitgcm):
    ds = samples.mitgcm_grid(9, 7, stretch=0.3, xmitgcm=xmitgcm)
    if xmitgcm:
        c = ("j", "i", "j_g", "i_g")
        coords = {"X": {"center": "i", "left": "i_g"}, "Y": {"center": "j", "left": "j_g"}}
    else:
        c = ("Y", "X", "Yp1", "Xp1")
        coords = {"X": {"center": "X", "outer": "Xp1"}, "Y": {"center": "Y", "outer": "Yp1"}}
    yc, xc, yg, xg = c
    dims = {"T": (yc, xc), "U": (yc, xg), "V": (yg, xc), "F": (yg, xg)}
    names = {
        "dx_U": "dxC", "dy_U": "dyG", "dx_V": "dxG", "dy_V": "dyC", "area_T": "rA", "area_F": "rAz"
    }  # fmt: skip
    return _model(ds, dims, coords, {d: d for d in c}, names, ["hFacC", "hFacW", "hFacS"])


CASES = {
    "nemo": _nemo,
    "mom6-symmetric": lambda: _mom6(True),
    "mom6-non-symmetric": lambda: _mom6(False),
    "roms": lambda: _roms(False),
    "sgrid-roms": lambda: _roms(True),
    "mitgcm-xmitgcm": lambda: _mitgcm(True),
    "mitgcm-raw": lambda: _mitgcm(False),
}


def _fields(field, grid):
    rng = np.random.default_rng(7)
    shapes = {}
    for pos in "TUV":
        ydim, xdim = grid.dims[pos]
        a = {"X": grid.layout.axes["X"], "Y": grid.layout.axes["Y"]}
        ny = a["Y"].n if POS[pos][1] == "c" else a["Y"].n_face
        nx = a["X"].n if POS[pos][0] == "c" else a["X"].n_face
        shapes[pos] = (ny, nx)
    t = field("T", rng.normal(size=shapes["T"])).rename("t")
    u = field("U", rng.normal(size=shapes["U"])).rename("u")
    v = field("V", rng.normal(size=shapes["V"])).rename("v")
    return t, u, v


def _same(ours, theirs, to_xgcm, pos):
    theirs = theirs.transpose(*to_xgcm(ours, pos).dims)
    np.testing.assert_allclose(ours.values, theirs.values, rtol=1e-13, atol=0, equal_nan=True)
    assert np.isfinite(ours.values).sum() > ours.size // 2


@pytest.mark.parametrize("case", sorted(CASES))
def test_diff_and_interp_equal_xgcm(case):
    ds, xg, field, to_xgcm, metric = CASES[case]()
    grid = fieldops.staggered_grid(ds)
    t, u, v = _fields(field, grid)
    nan = {"padding": "fill", "fill_value": np.nan}
    ours = grid.diff(t, "X", position="T")
    theirs = xg.diff(to_xgcm(t, "T"), "X", **nan) / to_xgcm(metric("dx_U"), "U")
    _same(ours, theirs, to_xgcm, "U")
    ours = grid.interp(t, "Y", position="T")
    _same(ours, xg.interp(to_xgcm(t, "T"), "Y", **nan), to_xgcm, "V")
    ours = grid.interp(u, "X", position="U")  # face -> centre, lengths n, n + 1, n - 1
    _same(ours, xg.interp(to_xgcm(u, "U"), "X", **nan), to_xgcm, "T")
    ours = grid.diff(v, "Y", position="V")
    theirs = xg.diff(to_xgcm(v, "V"), "Y", **nan) / to_xgcm(grid.metric("dy_T"), "T")
    _same(ours, theirs, to_xgcm, "T")


@pytest.mark.parametrize("case", sorted(CASES))
def test_vorticity_and_divergence_equal_the_xgcm_recipes(case):
    ds, xg, field, to_xgcm, metric = CASES[case]()
    grid = fieldops.staggered_grid(ds)
    _, u, v = _fields(field, grid)
    zero = {"padding": "fill", "fill_value": 0.0}
    xu, xv = to_xgcm(u, "U"), to_xgcm(v, "V")
    m = {k: to_xgcm(metric(k), k[-1]) for k in ("dx_U", "dy_U", "dx_V", "dy_V")}
    recipe = (xg.diff(xv * m["dy_V"], "X", **zero) - xg.diff(xu * m["dx_U"], "Y", **zero)) / (
        to_xgcm(metric("area_F"), "F")
    )
    _same(grid.vorticity(u, v), recipe, to_xgcm, "F")
    recipe = (xg.diff(xu * m["dy_U"], "X", **zero) + xg.diff(xv * m["dx_V"], "Y", **zero)) / (
        to_xgcm(metric("area_T"), "T")
    )
    _same(grid.divergence(u, v), recipe, to_xgcm, "T")


def test_xgcms_own_example_grid_with_comodo_attributes():
    from xgcm.test.datasets import datasets

    ds = datasets["2d_left"].copy()  # xgcm's example: XC, XG, YC, YG, no metrics
    for name, axis, shift in [("XC", "X", 0), ("XG", "X", -0.5), ("YC", "Y", 0), ("YG", "Y", -0.5)]:
        ds[name].attrs = {"axis": axis, **({"c_grid_axis_shift": shift} if shift else {})}
    grid = fieldops.staggered_grid(ds)  # widths from the coordinates
    assert grid.convention == "xgcm" and "widths from the 1-D coordinates" in grid.layout.notes[0]
    coords = {"X": {"center": "XC", "left": "XG"}, "Y": {"center": "YC", "left": "YG"}}
    xg = xgcm.Grid(ds, coords=coords, autoparse_metadata=False)
    nan = {"padding": "fill", "fill_value": np.nan}
    dx_u = xg.diff(ds.XC, "X", padding="extend")  # XC[i] - XC[i-1]: 0 at the wall
    ours = grid.diff(ds.data_c, "X")
    theirs = (xg.diff(ds.data_c, "X", **nan) / dx_u).transpose(*ours.dims)
    np.testing.assert_allclose(ours.values[:, 1:], theirs.values[:, 1:], rtol=1e-13)
    ours = grid.interp(ds.data_g, "Y", position="F")
    theirs = xg.interp(ds.data_g, "Y", **nan).transpose(*ours.dims)
    np.testing.assert_allclose(ours.values, theirs.values, rtol=1e-14, equal_nan=True)
    # the vorticity recipe with the same widths, at corners off the walls
    rng = np.random.default_rng(2)
    u = xr.DataArray(rng.normal(size=(200, 100)), dims=("YC", "XG"), name="u")
    v = xr.DataArray(rng.normal(size=(200, 100)), dims=("YG", "XC"), name="v")
    dy_v = xg.diff(ds.YC, "Y", padding="extend")
    zero = {"padding": "fill", "fill_value": 0.0}
    recipe = xg.diff(v * dy_v, "X", **zero) - xg.diff(u * dx_u, "Y", **zero)
    recipe = (recipe / (dx_u.rename(XG="XG") * dy_v)).transpose("YG", "XG")
    zeta = grid.vorticity(u, v)
    np.testing.assert_allclose(zeta.values[1:, 1:], recipe.values[1:, 1:], rtol=1e-12)
