"""Where a model's variables sit, and its cell widths, areas and masks, read from the file.

Positions are read, in this order, from SGRID (a ``grid_topology`` variable), from
xgcm/COMODO attributes (``axis`` and ``c_grid_axis_shift`` on 1-D coordinates), and
from the names the models write: NEMO (``mesh_mask``), MOM6 (``ocean_static``),
ROMS (grid file), MITgcm (``XC``/``XG`` with xmitgcm dims or raw ``X``/``Xp1``).
Metrics and masks are then looked up by each model's names whatever gave the
positions. Every position is one of

``T`` (centre, centre), ``U`` (x face, y centre), ``V`` (x centre, y face), ``F``
(x face, y face: the corner, MOM6 ``q``, ROMS ``psi``, MITgcm ``z``).

An axis's faces sit ``left`` (face ``i`` at ``i - 1/2``, ``n`` faces: MITgcm),
``right`` (``i + 1/2``, ``n`` faces: NEMO, MOM6 non-symmetric), ``outer`` (``n + 1``
faces: MOM6 symmetric, raw MITgcm ``Xp1``) or ``inner`` (``n - 1``: ROMS).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

POSITIONS = ("T", "U", "V", "F")
# Where each position sits along (X, Y): "c" centre, "f" face.
LOCATION = {"T": ("c", "c"), "U": ("f", "c"), "V": ("c", "f"), "F": ("f", "f")}
AT = {v: k for k, v in LOCATION.items()}
KINDS = ("dx", "dy", "area", "mask")
CONVENTIONS = ("auto", "sgrid", "xgcm", "nemo", "mom6", "roms", "mitgcm")
SLIPS = ("no-slip", "free-slip")

# Each model's names: metrics "<kind>_<position>", coordinates per position,
# and the lateral boundary condition its reference setup uses.
MODELS = {
    "nemo": {
        "detect": ("e1t", "glamt", "tmask"),
        "dims": {p: ("y", "x") for p in POSITIONS},
        "shift": ("right", "right"),
        "metrics": {
            **{f"dx_{p}": [f"e1{p.lower()}"] for p in POSITIONS},
            **{f"dy_{p}": [f"e2{p.lower()}"] for p in POSITIONS},
            "area_T": ["e1e2t"],
            "area_F": ["e1e2f"],
            "area_U": ["e1e2u"],
            "area_V": ["e1e2v"],
            **{f"mask_{p}": [f"{p.lower()}mask"] for p in "TUV"},
        },
        "coords": {p: [f"glam{p.lower()}", f"gphi{p.lower()}"] for p in POSITIONS},
        # namelist_ref &namlbc: rn_shlat = 2 (no-slip)
        "slip": "no-slip",
        "vertical": {"T": "deptht", "U": "depthu", "V": "depthv", "F": "depthf"},
    },
    "mom6": {
        "detect": ("xh", "xq", "yh", "yq"),
        "dims": {"T": ("yh", "xh"), "U": ("yh", "xq"), "V": ("yq", "xh"), "F": ("yq", "xq")},
        "shift": None,  # right (n faces) or outer (symmetric memory, n + 1)
        "metrics": {
            "dx_T": ["dxt"],
            "dy_T": ["dyt"],
            "dx_U": ["dxCu"],
            "dy_U": ["dyCu"],
            "dx_V": ["dxCv"],
            "dy_V": ["dyCv"],
            "dx_F": ["dxBu"],
            "dy_F": ["dyBu"],
            "area_T": ["areacello", "area_t"],
            "area_U": ["areacello_cu"],
            "area_V": ["areacello_cv"],
            "area_F": ["areacello_bu", "area_q"],
            "mask_T": ["wet"],
            "mask_U": ["wet_u"],
            "mask_V": ["wet_v"],
        },
        "coords": {
            "T": ["geolon", "geolat"],
            "U": ["geolon_u", "geolat_u"],
            "V": ["geolon_v", "geolat_v"],
            "F": ["geolon_c", "geolat_c"],
        },
        "slip": "free-slip",  # MOM_input NOSLIP = False
    },
    "roms": {
        "detect": ("xi_rho", "eta_rho"),
        "dims": {
            "T": ("eta_rho", "xi_rho"),
            "U": ("eta_u", "xi_u"),
            "V": ("eta_v", "xi_v"),
            "F": ("eta_psi", "xi_psi"),
        },
        "shift": ("inner", "inner"),
        "metrics": {  # only pm, pn at rho points are written: the rest as ROMS metrics.F
            "mask_T": ["mask_rho"],
            "mask_U": ["mask_u"],
            "mask_V": ["mask_v"],
        },
        "coords": {
            p: [f"{c}_{n}" for c in ("lon", "lat", "x", "y")]
            for p, n in (("T", "rho"), ("U", "u"), ("V", "v"), ("F", "psi"))
        },
        "slip": "no-slip",  # ocean.in GAMMA2 = 1 (no-slip)
    },
    "mitgcm": {
        "detect": ("XC", "XG", "rA"),
        "dims": None,  # from XC (centres) and XG (corners)
        "shift": None,  # left (xmitgcm i_g) or outer (raw Xp1)
        "metrics": {
            "dx_T": ["dxF"],
            "dy_T": ["dyF"],
            "dx_U": ["dxC"],
            "dy_U": ["dyG"],
            "dx_V": ["dxG"],
            "dy_V": ["dyC"],
            "dx_F": ["dxV"],
            "dy_F": ["dyU"],
            "area_T": ["rA"],
            "area_U": ["rAw"],
            "area_V": ["rAs"],
            "area_F": ["rAz"],
            "mask_T": ["maskC", "hFacC"],
            "mask_U": ["maskW", "hFacW"],
            "mask_V": ["maskS", "hFacS"],
        },
        "coords": {"T": ["XC", "YC"], "F": ["XG", "YG"]},
        "slip": "no-slip",  # data: no_slip_sides = .TRUE.
    },
}


@dataclass(frozen=True)
class Axis:
    """One horizontal axis: its centre and face dims, where the faces sit, its period."""

    name: str
    centre: str
    face: str
    shift: str
    n: int
    periodic: bool = False
    aliases: tuple[tuple[str, str], ...] = ()  # (other dim name, "c" or "f")

    @property
    def n_face(self) -> int:
        return self.n + {"left": 0, "right": 0, "outer": 1, "inner": -1}[self.shift]

    def location(self, dim: Hashable) -> str | None:
        """``"c"``/``"f"`` for a dim of this axis, ``"cf"`` when both share it, else None."""
        found = ("c" if dim == self.centre else "") + ("f" if dim == self.face else "")
        found += "".join(loc for name, loc in self.aliases if name == dim and loc not in found)
        return found or None


@dataclass
class Layout:
    """What was read from a dataset: positions, metrics, masks, coordinates."""

    convention: str
    axes: dict[str, Axis]
    dims: dict[str, tuple[str, str]]
    metrics: dict[str, xr.DataArray] = field(default_factory=dict)
    coords: dict[str, list[str]] = field(default_factory=dict)
    slip: str = "no-slip"
    vertical: dict[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def _shift_of(n_centre: int, n_face: int, same: str, where: str) -> str:
    """The face shift from lengths: ``same`` when equal, outer/inner for n + 1 / n - 1."""
    if n_face == n_centre:
        return same
    if n_face == n_centre + 1:
        return "outer"
    if n_face == n_centre - 1:
        return "inner"
    raise ValueError(
        f"{where}: {n_face} faces for {n_centre} centres match no padding (faces must "
        "number n (left/right), n + 1 (outer) or n - 1 (inner)); check the dims or slice "
        "the dataset consistently"
    )


def _sgrid(ds: xr.Dataset) -> tuple[dict, dict, dict] | None:
    tops = [v for v in ds.variables if ds[v].attrs.get("cf_role") == "grid_topology"]
    if not tops:
        return None
    attrs = ds[tops[0]].attrs
    pair = r"(\w+)\s*:\s*(\w+)(?:\s*\(padding:\s*(\w+)\))?"
    faces = re.findall(pair, attrs.get("face_dimensions", ""))
    if len(faces) < 2:
        raise ValueError(
            f"SGRID variable {tops[0]!r} needs face_dimensions like 'xi_rho: xi_psi "
            "(padding: both) eta_rho: eta_psi (padding: both)'"
        )
    padding = {"none": "outer", "both": "inner", "low": "right", "high": "left"}
    axes, dims = {}, {"T": (faces[1][0], faces[0][0]), "F": (faces[1][1], faces[0][1])}
    for name, (centre, node, pad) in zip(("X", "Y"), faces[:2]):
        if pad not in padding:
            raise ValueError(f"SGRID padding {pad!r} of {centre} is not one of {list(padding)}")
        axes[name] = dict(centre=centre, face=node, shift=padding[pad], aliases=[])
    for pos, key in (("U", "edge1_dimensions"), ("V", "edge2_dimensions")):
        edge = re.findall(pair, attrs.get(key, ""))
        if len(edge) >= 2:
            for name, (dim, _, pad) in zip(("X", "Y"), edge[:2]):
                axes[name]["aliases"].append((dim, "c" if pad else "f"))
            dims[pos] = (edge[1][0], edge[0][0])
    coords = {}
    for pos, key in (("T", "face"), ("F", "node"), ("U", "edge1"), ("V", "edge2")):
        coords[pos] = attrs.get(f"{key}_coordinates", "").split()
    return axes, dims, coords


def _xgcm(ds: xr.Dataset) -> tuple[dict, dict] | None:
    found: dict[str, dict] = {}
    for name, coord in ds.coords.items():
        axis = coord.attrs.get("axis")
        if axis not in ("X", "Y") or coord.ndim != 1 or coord.dims[0] != name:
            continue
        shift = float(coord.attrs.get("c_grid_axis_shift", 0.0))
        found.setdefault(axis, {})["c" if shift == 0 else "f"] = (name, shift)
    if set(found) != {"X", "Y"} or any(set(v) != {"c", "f"} for v in found.values()):
        return None
    axes = {}
    for name, v in found.items():
        centre, face = v["c"][0], v["f"][0]
        same = "left" if v["f"][1] < 0 else "right"
        shift = _shift_of(ds.sizes[centre], ds.sizes[face], same, f"axis {name}")
        axes[name] = dict(centre=centre, face=face, shift=shift, aliases=[])
    x, y = axes["X"], axes["Y"]
    dims = {
        p: (y["centre" if ly == "c" else "face"], x["centre" if lx == "c" else "face"])
        for p, (lx, ly) in LOCATION.items()
    }
    return axes, dims


def _model(ds: xr.Dataset, wanted: str | None) -> str | None:
    names = set(ds.variables) | set(ds.dims)
    for model in MODELS if wanted is None else [wanted]:
        if model == "mitgcm" and "XC" in ds.variables and ds["XC"].ndim < 2:
            continue  # 1-D XC, XG: index coordinates (xgcm's examples), not an MITgcm grid
        if any(n in names for n in MODELS[model]["detect"]):
            return model
    return None


def _coordinate_widths(ds: xr.Dataset, axes: dict, dims: dict) -> dict[str, xr.DataArray]:
    """Widths from 1-D coordinates in length units (xgcm-style grids without metrics).

    The width at a centre is the distance between its two faces, at a face the
    distance between its two centres; a point at an end of the axis with a
    neighbour missing takes its neighbour's width. Degrees give nothing (no guess
    of a radius): such grids need their metrics.
    """
    out = {}
    for name, a in axes.items():
        coords = [ds.coords.get(d) for d in (a["centre"], a["face"])]
        if any(c is None or c.ndim != 1 or c.dtype.kind not in "iuf" for c in coords):
            return {}
        if "degree" in str(coords[0].attrs.get("units", "")):
            return {}
        xc, xf = (np.asarray(c.values, float) for c in coords)
        if xc.size < 3 or xf.size < 2:
            return {}
        d_f, d_c = np.diff(xf), np.diff(xc)
        # (ends padded before, after) of the widths at centres and at faces
        pads = {"left": (0, 1, 1, 0), "right": (1, 0, 0, 1), "outer": (0, 0, 1, 1)}
        cb, ca, fb, fa = pads.get(a["shift"], (1, 1, 0, 0))  # inner: centres padded
        at_c = np.concatenate([d_f[:1]] * cb + [d_f] + [d_f[-1:]] * ca)
        at_f = np.concatenate([d_c[:1]] * fb + [d_c] + [d_c[-1:]] * fa)
        kind = "dx" if name == "X" else "dy"
        for pos, (lx, ly) in LOCATION.items():
            loc = lx if name == "X" else ly
            values = at_c if loc == "c" else at_f
            dim = dims[pos][1 if name == "X" else 0]
            out[f"{kind}_{pos}"] = xr.DataArray(values, dims=dim, attrs=coords[0].attrs)
    return {k: v.broadcast_like(_template(ds, dims[k[-1]])) for k, v in out.items()}


def _template(ds: xr.Dataset, dims: tuple[str, str]) -> xr.DataArray:
    return xr.DataArray(np.zeros((ds.sizes[dims[0]], ds.sizes[dims[1]])), dims=dims)


def _model_positions(ds: xr.Dataset, model: str) -> tuple[dict, dict]:
    spec = MODELS[model]
    if model == "nemo":
        ref = next(ds[n] for n in spec["detect"] if n in ds.variables)
        ydim, xdim = [d for d in ref.dims if ds.sizes[d] > 1][-2:]
        dims = {p: (ydim, xdim) for p in POSITIONS}
    elif model == "mitgcm":
        for name in ("XC", "XG"):
            if name not in ds.variables:
                raise ValueError(f"MITgcm grid needs {name} (found {sorted(ds.variables)[:8]}...)")
        (yc, xc), (yg, xg) = ds["XC"].dims[-2:], ds["XG"].dims[-2:]
        dims = {"T": (yc, xc), "U": (yc, xg), "V": (yg, xc), "F": (yg, xg)}
    else:
        dims = spec["dims"]
    missing = sorted({d for pair in dims.values() for d in pair} - set(ds.dims))
    if missing:
        raise ValueError(f"{model} grid: dims {missing} not in the dataset ({list(ds.dims)})")
    axes = {}
    for k, name in ((1, "X"), (0, "Y")):
        centre, face = dims["T"][k], dims["F"][k]
        same = {"nemo": "right", "mom6": "right", "roms": "right", "mitgcm": "left"}[model]
        shift = _shift_of(ds.sizes[centre], ds.sizes[face], same, f"{model} axis {name}")
        other = dims["V" if name == "X" else "U"][k], dims["U" if name == "X" else "V"][k]
        aliases = [(other[0], "c"), (other[1], "f")]
        axes[name] = dict(centre=centre, face=face, shift=shift, aliases=aliases)
    return axes, dims


def _squeeze(var: xr.DataArray, dims: tuple[str, str]) -> xr.DataArray:
    """A metric without its size-1 extra dims (NEMO's ``t``); other extra dims are kept."""
    extra = [d for d in var.dims if d not in dims and var.sizes[d] == 1]
    var = var.isel({d: 0 for d in extra}, drop=True)
    return var.reset_coords(drop=True)


def _roms_metrics(ds: xr.Dataset, dims: dict) -> dict[str, xr.DataArray]:
    """ROMS metrics.F: om_u = 2/(pm(i-1)+pm(i)), on_v = 2/(pn(j-1)+pn(j)), psi averages."""
    if "pm" not in ds or "pn" not in ds:
        return {}
    yc, xc = dims["T"]
    pm, pn = _squeeze(ds["pm"], dims["T"]), _squeeze(ds["pn"], dims["T"])

    def mean(a: xr.DataArray, dim: str) -> xr.DataArray:
        return (a.isel({dim: slice(None, -1)}) + a.isel({dim: slice(1, None)}).data) / 2

    def at(a: xr.DataArray, pos: str) -> xr.DataArray:
        return a.rename({yc: "__y", xc: "__x"}).rename({"__y": dims[pos][0], "__x": dims[pos][1]})

    pm_u, pn_u = at(mean(pm, xc), "U"), at(mean(pn, xc), "U")
    pm_v, pn_v = at(mean(pm, yc), "V"), at(mean(pn, yc), "V")
    pm_f, pn_f = at(mean(mean(pm, xc), yc), "F"), at(mean(mean(pn, xc), yc), "F")
    out = {"dx_T": 1 / pm, "dy_T": 1 / pn, "area_T": 1 / (pm * pn)}
    out |= {"dx_U": 1 / pm_u, "dy_U": 1 / pn_u, "dx_V": 1 / pm_v, "dy_V": 1 / pn_v}
    out |= {"dx_F": 1 / pm_f, "dy_F": 1 / pn_f, "area_F": 1 / (pm_f * pn_f)}
    return {k: a.assign_attrs(units="m" if k[0] == "d" else "m2") for k, a in out.items()}


def read(
    ds: xr.Dataset,
    convention: str = "auto",
    periodic: object = None,
    metrics: Mapping[str, xr.DataArray] | None = None,
    slip: str | None = None,
) -> Layout:
    """The :class:`Layout` of ``ds`` (see the module docstring for the order of sources).

    Examples
    --------
    >>> x = xr.DataArray([0.0, 1, 2, 3], dims="x", attrs={"axis": "X"})
    >>> xg = xr.DataArray([-0.5, 0.5, 1.5, 2.5], dims="xg", attrs={
    ...     "axis": "X", "c_grid_axis_shift": -0.5})
    >>> y = xr.DataArray([0.0, 1, 2], dims="y", attrs={"axis": "Y"})
    >>> yg = xr.DataArray([-0.5, 0.5, 1.5, 2.5], dims="yg", attrs={
    ...     "axis": "Y", "c_grid_axis_shift": -0.5})
    >>> lay = read(xr.Dataset(coords={"x": x, "xg": xg, "y": y, "yg": yg}))
    >>> lay.convention, lay.axes["X"].shift, lay.axes["Y"].shift, lay.dims["F"]
    ('xgcm', 'left', 'outer', ('yg', 'xg'))
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention={convention!r} is not one of {CONVENTIONS}")
    if slip is not None and slip not in SLIPS:
        raise ValueError(f"slip={slip!r} is not one of {SLIPS}")
    coords: dict[str, list[str]] = {}
    found = None
    name = convention
    if convention in ("auto", "sgrid"):
        sg = _sgrid(ds)
        if sg is not None:
            axes, dims, coords = sg
            found, name = (axes, dims), "sgrid"
    if found is None and convention in ("auto", "xgcm"):
        xg = _xgcm(ds)
        if xg is not None:
            found, name = xg, "xgcm"
    model = _model(ds, None if convention in ("auto", "sgrid", "xgcm") else convention)
    if found is None and model is not None:
        found, name = _model_positions(ds, model), model
    if found is None:
        raise ValueError(
            "cannot tell the staggered positions of this dataset: found no SGRID "
            "grid_topology variable, no 1-D coordinates with attributes axis='X'/'Y' and "
            "c_grid_axis_shift (xgcm/COMODO), and none of the names of NEMO (e1t, glamt), "
            "MOM6 (xh, xq, yh, yq), ROMS (xi_rho, eta_rho) or MITgcm (XC, XG, rA); "
            "add those attributes or pass convention="
        )
    axes_spec, dims = found
    for pos in POSITIONS:  # SGRID may name no edges: build them from the axes
        if pos not in dims:
            lx, ly = LOCATION[pos]
            x, y = axes_spec["X"], axes_spec["Y"]
            dims[pos] = (y["centre" if ly == "c" else "face"], x["centre" if lx == "c" else "face"])
    periodic_axes = _periodic(periodic, axes_spec)
    axes = {
        n: Axis(
            name=n,
            centre=a["centre"],
            face=a["face"],
            shift=a["shift"],
            n=ds.sizes[a["centre"]],
            periodic=n in periodic_axes,
            aliases=tuple(a["aliases"]),
        )
        for n, a in axes_spec.items()
    }
    for a in axes.values():
        if a.periodic and a.shift == "inner":
            raise ValueError(
                f"axis {a.name} has n - 1 faces ({a.face}), which no periodic grid has; "
                "drop it from periodic="
            )
    _refuse_north_fold(ds, model, axes, dims)
    layout = Layout(name, axes, dims)
    spec = MODELS.get(model, {}) if model else {}
    layout.slip = slip or spec.get("slip", "no-slip")
    layout.vertical = spec.get("vertical")
    layout.coords = {p: [c for c in coords.get(p, []) if c in ds.variables] for p in POSITIONS}
    for pos, names in spec.get("coords", {}).items():
        layout.coords[pos] += [
            c for c in names if c in ds.variables and c not in layout.coords[pos]
        ]
    found_metrics = {}
    if model == "roms":
        found_metrics |= _roms_metrics(ds, dims)
    if model is None:
        derived = _coordinate_widths(ds, axes_spec, dims)
        if derived:
            layout.notes.append("widths from the 1-D coordinates (no metric variables)")
        found_metrics |= derived
    for key, names in spec.get("metrics", {}).items():
        for n in names:
            if n in ds.variables:
                found_metrics[key] = _squeeze(ds[n], dims[key.split("_")[1]])
                break
    for key, value in (metrics or {}).items():
        kind, _, pos = key.partition("_")
        if kind not in KINDS or pos not in POSITIONS:
            raise ValueError(f"metrics key {key!r} is not '<kind>_<position>' (e.g. 'dx_U')")
        found_metrics[key] = value
    for pos in POSITIONS:
        area, dx, dy = f"area_{pos}", f"dx_{pos}", f"dy_{pos}"
        if area not in found_metrics and dx in found_metrics and dy in found_metrics:
            found_metrics[area] = found_metrics[dx] * found_metrics[dy]
            layout.notes.append(f"{area} = {dx} * {dy} (no area variable)")
    for key, var in found_metrics.items():
        want = dims[key.split("_")[1]]
        if not set(want) <= set(var.dims):
            raise ValueError(
                f"metric {key} has dims {var.dims}, but {key.split('_')[1]} points of this "
                f"{name} grid have dims {want}: it belongs to another position or grid"
            )
        if key.startswith("mask"):
            var = var > 0  # hFac, wet: any water is wet
        layout.metrics[key] = var
    return layout


def _refuse_north_fold(ds: xr.Dataset, model: str | None, axes: dict, dims: dict) -> None:
    """Refuse a tripolar grid whose top row folds onto itself (ORCA, MOM6 tripolar).

    Across the fold, row ``ny - 1`` continues into row ``ny - 3`` (T fold) or
    ``ny - 2`` (F fold) read backwards, with u and v changing sign: no closed or
    periodic edge gives that, and nothing here exchanges it yet.
    """
    if not axes["X"].periodic or model not in ("nemo", "mom6"):
        return
    names = {"nemo": ("glamt", "gphit"), "mom6": ("geolon", "geolat")}[model]
    if not all(n in ds.variables for n in names):
        return
    ydim = dims["T"][0]
    if ds.sizes[ydim] < 4:
        return
    # only the top three rows are read (loaded, if the grid is lazy)
    top = {ydim: slice(-3, None)}
    lon, lat = (np.asarray(_squeeze(ds[n], dims["T"]).isel(top).values, float) for n in names)
    if lon.ndim != 2:
        return
    for k in (2, 3):
        for roll in range(-2, 3):
            back_lon = np.roll(lon[-k, ::-1], roll)
            back_lat = np.roll(lat[-k, ::-1], roll)
            same_lon = np.abs((lon[-1] - back_lon + 180.0) % 360.0 - 180.0) < 1e-6
            if same_lon.all() and np.allclose(lat[-1], back_lat, atol=1e-6):
                raise ValueError(
                    f"this {model} grid is tripolar: its top row folds onto row "
                    f"{ds.sizes[ydim] - k} read backwards (the north fold), which fieldops "
                    "does not exchange; drop the fold rows (ds.isel("
                    f"{dims['T'][0]}=slice(None, -{k}))) from the grid and the fields, and "
                    "the top becomes a closed edge"
                )


def _periodic(periodic: object, axes: dict) -> set[str]:
    if periodic is None or periodic is False:
        return set()
    if periodic is True:
        return {"X"}
    items = [periodic] if isinstance(periodic, str) else list(periodic)
    out = set()
    for item in items:
        for name, a in axes.items():
            if item == name or item in (a["centre"], a["face"]):
                out.add(name)
                break
        else:
            raise ValueError(f"periodic={item!r} names no axis (X, Y) nor one of their dims")
    return out


def metric_keys_needed() -> dict[str, str]:
    """What each metric key means (for messages and ``fieldops info``).

    Examples
    --------
    >>> metric_keys_needed()["dx_U"]
    'x-width at U points (between T points)'
    """
    return {
        "dx_T": "x-width at T points (between U faces)",
        "dy_T": "y-width at T points (between V faces)",
        "dx_U": "x-width at U points (between T points)",
        "dy_U": "y-width at U points (the U face's length)",
        "dx_V": "x-width at V points (the V face's length)",
        "dy_V": "y-width at V points (between T points)",
        "dx_F": "x-width at F points (between V points)",
        "dy_F": "y-width at F points (between U points)",
        "area_T": "cell area at T points",
        "area_F": "cell area at F (corner) points",
        "mask_T": "wet mask at T points",
        "mask_U": "wet mask at U points",
        "mask_V": "wet mask at V points",
    }


def model_names(convention: str, key: str) -> list[str]:
    """The variable names a model uses for ``key`` (for error messages)."""
    out = []
    for model, spec in MODELS.items():
        if convention in ("auto", "xgcm", "sgrid", model):
            out += [f"{n} ({model})" for n in spec["metrics"].get(key, [])]
    return out
