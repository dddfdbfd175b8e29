"""Small synthetic grid files in each model's documented names (for tests, docs, demos).

Every sample is a Cartesian C grid in metres, uniform or stretched along each
axis by ``X(xi) = dx (xi + s n / (2 pi) sin(2 pi xi / n))`` (``s = stretch``,
periodic in ``xi`` with period ``n``), with centres at ``xi = i`` and faces half a
cell away. Every width is the exact distance between the two neighbouring points
it spans, so the flux-form operators are exact on linear fields. Horizontal
coordinates are metres where the models write degrees (``glamt``, ``geolon``).
An optional T mask (True = water) gives U/V masks (both neighbours wet) and F
masks (all four).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

_SHIFT = {"left": -0.5, "outer": -0.5, "right": 0.5, "inner": 0.5}
_FACES = {"left": 0, "right": 0, "outer": 1, "inner": -1}


def mapping(xi, n: int, step: float, stretch: float) -> np.ndarray:
    """``X(xi)``: the stretched coordinate of index position ``xi``.

    Examples
    --------
    >>> mapping(np.array([0.0, 1.0]), 4, 10.0, 0.0)
    array([ 0., 10.])
    """
    xi = np.asarray(xi, dtype=float)
    return step * (xi + stretch * n / (2 * np.pi) * np.sin(2 * np.pi * xi / n))


class Axis1D:
    """Index positions, coordinates and widths of centres and faces along one axis."""

    def __init__(self, n: int, shift: str, step: float, stretch: float) -> None:
        self.n, self.shift, self.step, self.stretch = n, shift, step, stretch
        self.xi_c = np.arange(n, dtype=float)
        self.xi_f = np.arange(n + _FACES[shift], dtype=float) + _SHIFT[shift]

    def x(self, loc: str) -> np.ndarray:
        return mapping(self.xi_c if loc == "c" else self.xi_f, self.n, self.step, self.stretch)

    def width(self, loc: str) -> np.ndarray:
        xi = self.xi_c if loc == "c" else self.xi_f
        return mapping(xi + 0.5, self.n, self.step, self.stretch) - mapping(
            xi - 0.5, self.n, self.step, self.stretch
        )

    def neighbours(self, loc: str) -> list[np.ndarray]:
        """Centre indices next to each point (one for a centre, two for a face)."""
        if loc == "c":
            return [np.arange(self.n)]
        return [np.floor(self.xi_f).astype(int), np.ceil(self.xi_f).astype(int)]


def _mask(tmask: np.ndarray, ax: Axis1D, ay: Axis1D, pos: str, periodic: bool) -> np.ndarray:
    """Wet where every centre around the point is wet (beyond the edges: land)."""
    lx, ly = {"T": "cc", "U": "fc", "V": "cf", "F": "ff"}[pos]
    out = np.ones(
        (ay.xi_c.size if ly == "c" else ay.xi_f.size, ax.xi_c.size if lx == "c" else ax.xi_f.size),
        bool,
    )
    for jy in ay.neighbours(ly):
        for ix in ax.neighbours(lx):
            ok_x = (ix >= 0) & (ix < ax.n)
            ix_w = ix % ax.n if periodic else np.clip(ix, 0, ax.n - 1)
            ok_x = np.ones_like(ok_x) if periodic else ok_x
            ok_y = (jy >= 0) & (jy < ay.n)
            sub = tmask[np.clip(jy, 0, ay.n - 1)][:, ix_w]
            out &= sub & ok_y[:, None] & ok_x[None, :]
    return out


def _fields(nx, ny, shift_x, shift_y, dx, dy, stretch, mask, periodic):
    ax = Axis1D(nx, shift_x, dx, stretch)
    ay = Axis1D(ny, shift_y, dy, stretch)
    tmask = np.ones((ny, nx), bool) if mask is None else np.asarray(mask, bool)
    out = {}
    for pos, (lx, ly) in {"T": "cc", "U": "fc", "V": "cf", "F": "ff"}.items():
        X, Y = np.meshgrid(ax.x(lx), ay.x(ly))
        WX, WY = np.meshgrid(ax.width(lx), ay.width(ly))
        out[pos] = {
            "x": X,
            "y": Y,
            "dx": WX,
            "dy": WY,
            "mask": _mask(tmask, ax, ay, pos, periodic),
        }
    return ax, ay, out


def nemo_mesh(nx, ny, *, dx=1000.0, dy=1000.0, stretch=0.0, mask=None, nz=1, periodic=False):
    """A NEMO ``mesh_mask``: ``glamt``..``gphif``, ``e1t``..``e2f``, ``tmask``..``fmask``.

    Dims ``(t, z, y, x)`` as NEMO writes them (``t`` of size 1); faces at ``i + 1/2``.

    Examples
    --------
    >>> sorted(nemo_mesh(4, 3).data_vars)[:4]
    ['e1f', 'e1t', 'e1u', 'e1v']
    """
    _, _, f = _fields(nx, ny, "right", "right", dx, dy, stretch, mask, periodic)
    ds = xr.Dataset()
    for pos, v in f.items():
        p = pos.lower()
        ds[f"glam{p}"] = (("t", "y", "x"), v["x"][None], {"units": "m"})
        ds[f"gphi{p}"] = (("t", "y", "x"), v["y"][None], {"units": "m"})
        ds[f"e1{p}"] = (("t", "y", "x"), v["dx"][None], {"units": "m"})
        ds[f"e2{p}"] = (("t", "y", "x"), v["dy"][None], {"units": "m"})
        m = np.broadcast_to(v["mask"], (nz, *v["mask"].shape))
        ds[f"{p}mask"] = (("t", "z", "y", "x"), m[None].astype(np.int8))
    return ds.set_coords([c for c in ds.data_vars if c.startswith(("glam", "gphi"))])


def mom6_static(nx, ny, *, dx=1000.0, dy=1000.0, stretch=0.0, mask=None, symmetric=True):
    """A MOM6 ``ocean_static``: ``xh``/``xq``/``yh``/``yq``, ``dxCu``, ``dyCv``, ``areacello``...

    Symmetric memory (``xq`` has ``n + 1`` points) or not (``n``, at ``i + 1/2``).

    Examples
    --------
    >>> ds = mom6_static(4, 3)
    >>> ds.sizes["xq"], ds.sizes["xh"]
    (5, 4)
    """
    shift = "outer" if symmetric else "right"
    ax, ay, f = _fields(nx, ny, shift, shift, dx, dy, stretch, mask, False)
    dims = {"T": ("yh", "xh"), "U": ("yh", "xq"), "V": ("yq", "xh"), "F": ("yq", "xq")}
    coords = {"xh": ax.x("c"), "xq": ax.x("f"), "yh": ay.x("c"), "yq": ay.x("f")}
    ds = xr.Dataset(coords={k: (k, v, {"units": "m"}) for k, v in coords.items()})
    names = {
        "T": ("geolon", "geolat", "dxt", "dyt", "areacello", "wet"),
        "U": ("geolon_u", "geolat_u", "dxCu", "dyCu", "areacello_cu", "wet_u"),
        "V": ("geolon_v", "geolat_v", "dxCv", "dyCv", "areacello_cv", "wet_v"),
        "F": ("geolon_c", "geolat_c", "dxBu", "dyBu", "areacello_bu", "wet_c"),
    }
    for pos, (lon, lat, ddx, ddy, area, wet) in names.items():
        v, d = f[pos], dims[pos]
        ds.coords[lon], ds.coords[lat] = (d, v["x"]), (d, v["y"])
        ds[ddx], ds[ddy] = (d, v["dx"], {"units": "m"}), (d, v["dy"], {"units": "m"})
        # MOM6 writes cell areas masked (0 on land) at T points only
        wet_area = v["mask"] if pos == "T" else True
        ds[area] = (d, np.where(wet_area, v["dx"] * v["dy"], 0.0), {"units": "m2"})
        ds[wet] = (d, v["mask"].astype(float))
    return ds


def roms_grid(nx, ny, *, dx=1000.0, dy=1000.0, mask=None, sgrid=False):
    """A ROMS grid: ``xi_rho``.. ``eta_psi`` dims, ``pm``, ``pn``, ``mask_rho``..``mask_psi``.

    With ``sgrid=True`` also the SGRID ``grid`` topology variable ROMS writes.

    Examples
    --------
    >>> ds = roms_grid(5, 4)
    >>> ds.sizes["xi_u"], ds.sizes["eta_v"], float(ds.pm[0, 0])
    (4, 3, 0.001)
    """
    _, _, f = _fields(nx, ny, "inner", "inner", dx, dy, 0.0, mask, False)
    dims = {
        "T": ("eta_rho", "xi_rho"),
        "U": ("eta_u", "xi_u"),
        "V": ("eta_v", "xi_v"),
        "F": ("eta_psi", "xi_psi"),
    }
    names = {"T": "rho", "U": "u", "V": "v", "F": "psi"}
    ds = xr.Dataset()
    for pos, d in dims.items():
        v = f[pos]
        ds.coords[f"x_{names[pos]}"] = (d, v["x"], {"units": "m"})
        ds.coords[f"y_{names[pos]}"] = (d, v["y"], {"units": "m"})
        ds[f"mask_{names[pos]}"] = (d, v["mask"].astype(float))
    ds["pm"] = (dims["T"], 1 / f["T"]["dx"], {"units": "m-1"})
    ds["pn"] = (dims["T"], 1 / f["T"]["dy"], {"units": "m-1"})
    if sgrid:
        ds["grid"] = (
            (),
            0,
            {
                "cf_role": "grid_topology",
                "topology_dimension": 2,
                "node_dimensions": "xi_psi eta_psi",
                "face_dimensions": "xi_rho: xi_psi (padding: both) "
                "eta_rho: eta_psi (padding: both)",
                "edge1_dimensions": "xi_u: xi_psi eta_u: eta_psi (padding: both)",
                "edge2_dimensions": "xi_v: xi_psi (padding: both) eta_v: eta_psi",
                "face_coordinates": "x_rho y_rho",
                "node_coordinates": "x_psi y_psi",
                "edge1_coordinates": "x_u y_u",
                "edge2_coordinates": "x_v y_v",
            },
        )
    return ds


def mitgcm_grid(
    nx, ny, *, dx=1000.0, dy=1000.0, stretch=0.0, mask=None, nz=1, xmitgcm=True, periodic=False
):
    """An MITgcm grid: ``XC``/``XG``, ``dxC``, ``dyG``, ``rA``, ``rAz``, ``hFacC``...

    ``xmitgcm=True``: dims ``i``, ``i_g`` (``c_grid_axis_shift = -0.5``), ``j``,
    ``j_g``, ``k`` with the axis attributes xgcm reads; else the raw netCDF dims
    ``X``, ``Xp1`` (``n + 1`` corners), ``Y``, ``Yp1``.

    Examples
    --------
    >>> ds = mitgcm_grid(4, 3)
    >>> ds.i_g.attrs["c_grid_axis_shift"], ds.sizes["i_g"]
    (-0.5, 4)
    """
    shift = "left" if xmitgcm else "outer"
    ax, ay, f = _fields(nx, ny, shift, shift, dx, dy, stretch, mask, periodic)
    if xmitgcm:
        xc, xg, yc, yg = "i", "i_g", "j", "j_g"
    else:
        xc, xg, yc, yg = "X", "Xp1", "Y", "Yp1"
    dims = {"T": (yc, xc), "U": (yc, xg), "V": (yg, xc), "F": (yg, xg)}
    ds = xr.Dataset()
    if xmitgcm:
        ds.coords[xc] = (xc, np.arange(nx), {"axis": "X"})
        ds.coords[xg] = (xg, np.arange(nx), {"axis": "X", "c_grid_axis_shift": -0.5})
        ds.coords[yc] = (yc, np.arange(ny), {"axis": "Y"})
        ds.coords[yg] = (yg, np.arange(ny), {"axis": "Y", "c_grid_axis_shift": -0.5})
    T, U, V, F = (f[p] for p in "TUVF")
    ds.coords["XC"], ds.coords["YC"] = (dims["T"], T["x"]), (dims["T"], T["y"])
    ds.coords["XG"], ds.coords["YG"] = (dims["F"], F["x"]), (dims["F"], F["y"])
    metrics = {
        "dxF": ("T", "dx"), "dyF": ("T", "dy"), "dxC": ("U", "dx"), "dyG": ("U", "dy"),
        "dxG": ("V", "dx"), "dyC": ("V", "dy"), "dxV": ("F", "dx"), "dyU": ("F", "dy"),
    }  # fmt: skip
    for name, (pos, kind) in metrics.items():
        ds.coords[name] = (dims[pos], f[pos][kind], {"units": "m"})
    for name, pos in {"rA": "T", "rAw": "U", "rAs": "V", "rAz": "F"}.items():
        ds.coords[name] = (dims[pos], f[pos]["dx"] * f[pos]["dy"], {"units": "m2"})
    for name, pos in {"hFacC": "T", "hFacW": "U", "hFacS": "V"}.items():
        m = np.broadcast_to(f[pos]["mask"], (nz, *f[pos]["mask"].shape)).astype(float)
        ds.coords[name] = (("k", *dims[pos]), m)
    return ds
