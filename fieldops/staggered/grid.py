"""The staggered grid object: positions, metrics, and the operators as methods.

``fieldops.staggered_grid(ds)`` reads where a model's variables sit and its own
cell widths, areas and masks (:mod:`fieldops.staggered.conventions`); the
methods take DataArrays as the model wrote them and return results on the
points where the model's own operators put them, with the model's coordinates
for those points (NEMO ``glamf``/``gphif`` for a vorticity).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops.staggered import blocks
from fieldops.staggered.conventions import (
    LOCATION,
    POSITIONS,
    Layout,
    metric_keys_needed,
    model_names,
    read,
)
from fieldops.staggered.methods import OperatorMethods
from fieldops.stencils.dispatch import is_dask
from fieldops.stencils.weights import is_uniform

_SGRID_LOCATION = {"face": "T", "edge1": "U", "edge2": "V", "node": "F"}
_HINTS = "position='T'|'U'|'V'|'F', an SGRID attribute location='face'|'edge1'|'edge2'|'node'"


class StaggeredGrid(OperatorMethods):
    """A C (or B) grid read from a model's file: positions, metrics, masks, operators.

    Made by :func:`fieldops.staggered_grid`. Positions are ``T`` (cell centre),
    ``U`` (x face), ``V`` (y face) and ``F`` (corner).

    Examples
    --------
    >>> import fieldops
    >>> from fieldops.staggered.samples import nemo_mesh
    >>> grid = fieldops.staggered_grid(nemo_mesh(6, 5))
    >>> grid.convention, grid.dims["F"], grid.slip
    ('nemo', ('y', 'x'), 'no-slip')
    """

    def __init__(self, ds: xr.Dataset, layout: Layout) -> None:
        self._ds = ds
        self.layout = layout

    @property
    def convention(self) -> str:
        """Where the positions were read from: sgrid, xgcm, nemo, mom6, roms, mitgcm."""
        return self.layout.convention

    @property
    def dims(self) -> dict[str, tuple[str, str]]:
        """The (y, x) dims of each position."""
        return dict(self.layout.dims)

    @property
    def slip(self) -> str:
        """The coast condition of the vorticity by default (the model's own default)."""
        return self.layout.slip

    def metric(self, key: str) -> xr.DataArray:
        """A metric or mask by key (``dx_U``, ``area_F``, ``mask_T``), or a clear error."""
        try:
            return self.layout.metrics[key]
        except KeyError:
            names = ", ".join(model_names(self.convention, key)) or "none known"
            raise ValueError(
                f"this {self.convention} grid has no {key} "
                f"({metric_keys_needed().get(key, key)}); looked for {names}; pass it with "
                f"staggered_grid(ds, metrics={{{key!r}: ...}})"
            ) from None

    def describe(self) -> list[str]:
        """Lines for ``fieldops info``: axes, positions, metrics found.

        Examples
        --------
        >>> from fieldops.staggered.samples import nemo_mesh
        >>> lines = staggered_grid(nemo_mesh(6, 5)).describe()
        >>> lines[0]
        'staggered grid: nemo (C grid), coast no-slip'
        """
        lines = [f"staggered grid: {self.convention} (C grid), coast {self.slip}"]
        for a in self.layout.axes.values():
            per = ", periodic" if a.periodic else ""
            lines.append(
                f"  axis {a.name}: centres {a.centre} ({a.n}), faces {a.face} "
                f"({a.n_face}, {a.shift}){per}"
            )
        for pos in POSITIONS:
            coords = ", ".join(self.layout.coords.get(pos, [])) or "no coordinates"
            have = [k for k in self.layout.metrics if k.endswith("_" + pos)]
            lines.append(
                f"  {pos} points {self.layout.dims[pos]}: {coords}; metrics "
                f"{', '.join(sorted(have)) or 'none'}"
            )
        lines += [f"  assumed: {note}" for note in self.layout.notes]
        return lines

    def __repr__(self) -> str:
        return "<StaggeredGrid>\n" + "\n".join(self.describe())

    # ---------------------------------------------------------------- positions
    def position(self, f: xr.DataArray, *, position: str | None = None, role: str | None = None):
        """Where ``f`` sits (``T``, ``U``, ``V``, ``F``), from its dims, attributes or role.

        Dims decide when the model gives each position its own (MOM6, ROMS, MITgcm,
        xgcm); where positions share dims (NEMO ``y``, ``x``), ``position=``, an SGRID
        ``location`` attribute, a coordinate of the position (``glamu``), a NEMO vertical
        dim (``depthu``) or the operator's role (``u`` of a vorticity is on U) decide.
        """
        name = f.name or "the field"
        locs = {}
        for a in self.layout.axes.values():
            found = [(d, a.location(d)) for d in f.dims if a.location(d)]
            if len(found) != 1:
                raise ValueError(
                    f"{name} has dims {f.dims}; it needs exactly one dim of axis {a.name} "
                    f"({a.centre} or {a.face}) of this {self.convention} grid"
                )
            dim, loc = found[0]
            for ll in loc:
                want = a.n if ll == "c" else a.n_face
                if f.sizes[dim] != want:
                    loc = loc.replace(ll, "")
            if not loc:
                raise ValueError(
                    f"{name}: dim {dim} has {f.sizes[dim]} points, but axis {a.name} of this "
                    f"grid has {a.n} centres and {a.n_face} faces ({a.shift}): the field "
                    "comes from another grid or was sliced differently"
                )
            self._check_coordinate(f, dim, name)
            locs[a.name] = loc
        possible = [
            p for p in POSITIONS if LOCATION[p][0] in locs["X"] and LOCATION[p][1] in locs["Y"]
        ]
        if position is not None:
            if position not in possible:
                raise ValueError(
                    f"position={position!r} does not fit {name} (dims {f.dims}); "
                    f"it can sit at {possible}"
                )
            return position
        if len(possible) == 1:
            return possible[0]
        hinted = self._hint(f, possible)
        if hinted is not None:
            return hinted
        if role in possible:
            return role
        coords = ", ".join(c for p in possible for c in self.layout.coords.get(p, [])[:1])
        vert = ""
        if self.layout.vertical:
            vert = ", a vertical dim " + "/".join(self.layout.vertical[p] for p in possible)
        raise ValueError(
            f"cannot tell where {name} sits: its dims {f.dims} are shared by the "
            f"{', '.join(possible)} points of this {self.convention} grid. Pass {_HINTS}"
            f"{vert}, or a coordinate of its points ({coords or 'none in the grid'})"
        )

    def _hint(self, f: xr.DataArray, possible: list[str]) -> str | None:
        loc = _SGRID_LOCATION.get(f.attrs.get("location"))
        if loc in possible:
            return loc
        # A coordinate of one position only (a field carrying glamt and glamu tells nothing)
        by_coords = [p for p in possible if any(c in f.coords for c in self.layout.coords[p])]
        if len(by_coords) == 1:
            return by_coords[0]
        if self.layout.vertical:
            by_dims = [p for p in possible if self.layout.vertical[p] in f.dims]
            if len(by_dims) == 1:
                return by_dims[0]
        return None

    def _check_coordinate(self, f: xr.DataArray, dim: Hashable, name: str) -> None:
        if dim in f.coords and dim in self._ds.coords and f.coords[dim].ndim == 1:
            mine, theirs = self._ds[dim].values, f[dim].values
            if mine.shape == theirs.shape and not np.array_equal(mine, theirs):
                raise ValueError(
                    f"{name}'s coordinate {dim} differs from the grid's: it comes from "
                    "another grid (u and v must be on the grid the metrics describe)"
                )

    def _axis(self, axis: Hashable) -> str:
        for a in self.layout.axes.values():
            if axis == a.name or a.location(axis):
                return a.name
        raise ValueError(f"axis={axis!r} is neither 'X', 'Y' nor a dim of either")

    # ----------------------------------------------------------------- plumbing
    def _d0(self, axis: str, source_loc: str) -> int:
        """Offset of the first input row of output row k (see blocks.Ext)."""
        shift = self.layout.axes[axis].shift
        face_before = shift in ("left", "outer")  # face i sits at i - 1/2
        if source_loc == "c":  # centre -> face
            return -1 if face_before else 0
        return 0 if face_before else -1

    def _ext(self, axis: str, source_loc: str, weights, fill: float):
        """(axis, lo, hi, fill) of a two- or four-point stencil."""
        lo = self._d0(axis, source_loc) - (len(weights) // 2 - 1)
        return axis, lo, lo + len(weights), fill

    def _uniform(self, keys: Sequence[str], accuracy: int) -> None:
        if accuracy == 2:
            return
        if accuracy != 4:
            raise ValueError(f"accuracy={accuracy!r}: staggered operators offer 2 or 4")
        for key in keys:
            m = self.layout.metrics.get(key)
            if m is None or is_dask(m.data):
                continue  # a lazy metric is not loaded to check it
            values = np.asarray(m.values, dtype=float).ravel()
            values = values[np.isfinite(values) & (values > 0)]
            if values.size and not is_uniform(np.cumsum(values)):
                raise ValueError(
                    f"accuracy=4 needs uniform widths, but {key} varies "
                    f"({values.min():g} .. {values.max():g}); use accuracy=2"
                )

    def _run(self, kernel, out_pos: str, template: tuple, inputs: list, name: str):
        """Map every input's dims onto the output's and run ``kernel`` (numpy or Dask).

        ``template`` is ``(field, its position)``; ``inputs`` holds ``(obj, pos, ext)``
        with obj a DataArray field or a metric key, ext None or from :meth:`_ext`.
        """
        f, fpos = template
        out_dims, rename = self._out_dims(f, fpos, out_pos)
        ydim, xdim = self.layout.dims[out_pos]
        lx, ly = LOCATION[out_pos]
        ax, ay = self.layout.axes["X"], self.layout.axes["Y"]
        horizontal = {
            xdim: ax.n if lx == "c" else ax.n_face,
            ydim: ay.n if ly == "c" else ay.n_face,
        }
        out_shape = tuple(horizontal.get(d) or f.sizes[self._src(d, rename)] for d in out_dims)
        sizes = dict(zip(out_dims, out_shape))
        # The fields' dtype (float32 stays float32; integers become float64): metrics
        # are cast to it, so a float32 field is not promoted by float64 widths.
        fields = [obj.dtype for obj, _, _ in inputs if isinstance(obj, xr.DataArray)]
        dtype = np.result_type(*fields, np.float32)
        arrays, tokens = [], []
        for obj, pos, ext in inputs:
            tokens.append(None)
            if obj is None:
                arrays.append((None, (), None))
                continue
            var = self.metric(obj) if isinstance(obj, str) else obj
            var, where = self._where(var, pos, sizes, out_pos, rename, isinstance(obj, str))
            if var.dtype.kind in "iuf" and var.dtype != dtype:
                var = var.astype(dtype)
            if isinstance(obj, str):  # what the metric's blocks depend on
                tokens[-1] = (self._token(), obj, str(var.dtype), var.dims, var.shape, where)
            e = None
            if ext is not None:
                axis, lo, hi, fill = ext
                own = self._hdim(var, pos, axis)
                period = self.layout.axes[axis].n if self.layout.axes[axis].periodic else None
                e = blocks.Ext(var.dims.index(own), lo, hi, period, fill)
            arrays.append((var.data, where, e))
        chunks = self._out_chunks(arrays, out_shape)
        present = [a for a in arrays if a[0] is not None]
        slots = [a[0] is not None for a in arrays]

        def call(*exts, threads=1, _kernel=kernel, _slots=tuple(slots)):
            it = iter(exts)
            args = [next(it) if s else None for s in _slots]
            if not getattr(_kernel, "takes_rows", False):
                args = [blocks.materialize(a) for a in args]
            with np.errstate(divide="ignore", invalid="ignore"):
                if getattr(_kernel, "takes_rows", False):
                    return _kernel(*args, threads=threads)
                return _kernel(*args)

        call.takes_rows = getattr(kernel, "takes_rows", False)  # (see blocks._run_blocks)
        tokens = [t for a, t in zip(arrays, tokens) if a[0] is not None]
        data = blocks.run(call, present, out_shape, chunks, dtype, f"fieldops-{name}", tokens)
        return xr.DataArray(data, dims=out_dims, coords=self._coords(f, fpos, out_pos, rename))

    def _token(self) -> str:
        """A token for the grid's metrics, hashed once (see blocks._constants)."""
        if not hasattr(self, "_metrics_token"):
            from dask.tokenize import tokenize

            metrics = self.layout.metrics
            self._metrics_token = tokenize(sorted(metrics), *[m.data for m in metrics.values()])
        return self._metrics_token

    def _hdim(self, var: xr.DataArray, pos: str, axis: str) -> Hashable:
        a = self.layout.axes[axis]
        loc = LOCATION[pos][0 if axis == "X" else 1]
        for d in var.dims:
            if loc in (a.location(d) or ""):
                return d
        raise ValueError(f"{var.name} has no dim of axis {axis} at {pos} points ({var.dims})")

    def _out_dims(self, f: xr.DataArray, fpos: str, out_pos: str):
        rename = {}
        fy, fx = self._hdim(f, fpos, "Y"), self._hdim(f, fpos, "X")
        rename[fx], rename[fy] = self.layout.dims[out_pos][1], self.layout.dims[out_pos][0]
        vert = self.layout.vertical or {}
        for d in f.dims:
            if d in vert.values() and d not in rename:
                rename[d] = vert[out_pos]
        return tuple(rename.get(d, d) for d in f.dims), rename

    @staticmethod
    def _src(out_dim: Hashable, rename: Mapping) -> Hashable:
        return next((k for k, v in rename.items() if v == out_dim), out_dim)

    def _where(self, var, pos, sizes, out_pos, rename, metric: bool):
        """``var`` (a level picked, transposed) and the output axis of each of its dims.

        A dim of a field maps to the output dim it became; NEMO's vertical dims
        (``depthu``, ``depthv``) map to one another; a metric's other dim maps to the
        one output dim of its size (``mesh_mask``'s ``z`` to ``deptht``), and a 2-D
        field takes the surface level (index 0) of a 3-D mask.
        """
        out_dims = list(sizes)
        vert = set((self.layout.vertical or {}).values())
        other = [d for d in out_dims if d not in self.layout.dims[out_pos]]
        hdims = {a.name: self._hdim(var, pos, a.name) for a in self.layout.axes.values()}
        mapping, pick = {}, {}
        for d in var.dims:
            if d in hdims.values():
                axis = next(k for k, v in hdims.items() if v == d)
                mapping[d] = out_dims.index(self.layout.dims[out_pos][1 if axis == "X" else 0])
            elif rename.get(d, d) in other:
                mapping[d] = out_dims.index(rename.get(d, d))
            elif d in vert and [o for o in other if o in vert]:
                mapping[d] = out_dims.index(next(o for o in other if o in vert))
            elif metric:
                same = [o for o in other if sizes[o] == var.sizes[d]]
                if len(same) == 1:
                    mapping[d] = out_dims.index(same[0])
                elif not same:
                    pick[d] = 0
                else:
                    raise ValueError(
                        f"{var.name} has a dim {d!r} of size {var.sizes[d]}, matched by "
                        f"several dims of the field {same}; rename it to the field's"
                    )
            else:
                raise ValueError(
                    f"{var.name} has a dim {d!r} that the other field lacks (dims "
                    f"{tuple(out_dims)}): u and v must come from the same grid and levels"
                )
        if pick:
            var = var.isel(pick)
        order = sorted(mapping, key=mapping.get)
        return var.transpose(*order), tuple(mapping[d] for d in order)

    def _out_chunks(self, arrays, out_shape):
        lead = next((a for a in arrays if a[0] is not None and is_dask(a[0])), None)
        if lead is None:
            return None
        data, where, _ = lead
        chunks = [(n,) for n in out_shape]
        for k, w in enumerate(where):
            c = data.chunks[k]
            last = c[-1] + out_shape[w] - sum(c)
            if last > 0:
                chunks[w] = (*c[:-1], last)
            elif last == 0 and len(c) > 1:
                # the input's last chunk is only its extra face: no empty output block
                chunks[w] = c[:-1]
            else:
                chunks[w] = (out_shape[w],)
        return tuple(chunks)

    def _coords(self, f, fpos, out_pos, rename) -> dict:
        hdims = {self._hdim(f, fpos, "X"), self._hdim(f, fpos, "Y")}
        coords = {}
        for name, c in f.coords.items():
            if not set(c.dims) & hdims:
                coords[rename.get(name, name)] = (
                    c.variable
                    if name not in rename
                    else (
                        rename[name],
                        c.values,
                        c.attrs,
                    )
                )
        for name in self.layout.coords.get(out_pos, []):
            c = self._ds[name]
            c = c.isel({d: 0 for d in c.dims if d not in self.layout.dims[out_pos]}, drop=True)
            coords[name] = c.reset_coords(drop=True).variable
        for d in self.layout.dims[out_pos]:
            if d in self._ds.coords and d not in coords:
                coords[d] = self._ds[d].variable
        return coords


def staggered_grid(
    ds: xr.Dataset | xr.DataArray,
    *,
    convention: str = "auto",
    periodic: Hashable | Sequence[Hashable] | bool | None = None,
    metrics: Mapping[str, xr.DataArray] | None = None,
    slip: str | None = None,
) -> StaggeredGrid:
    """The staggered (Arakawa C/B) grid of a model's file, with its operators.

    Parameters
    ----------
    ds : Dataset or DataArray
        Holds the grid's coordinates and metrics: NEMO's ``mesh_mask``, MOM6's
        ``ocean_static``, a ROMS grid file, an MITgcm/xmitgcm grid, or any dataset
        with SGRID or xgcm/COMODO attributes (a DataArray's coordinates are used).
    convention : {"auto", "sgrid", "xgcm", "nemo", "mom6", "roms", "mitgcm"}
        Where to read positions from; ``"auto"`` tries SGRID, then xgcm/COMODO
        attributes, then the models' names. Metrics are read by the models' names.
    periodic : axis, dim, list of them, True (= ["X"]) or None
        The periodic axes (global grids: ``"X"``). Not read from the file.
    metrics : mapping, optional
        Overrides or additions by key ``"<kind>_<position>"``: kinds ``dx``, ``dy``,
        ``area``, ``mask``; positions ``T``, ``U``, ``V``, ``F`` (``{"area_F": ...}``).
    slip : {"no-slip", "free-slip"}, optional
        Coast condition of the vorticity; default the model's own.

    Returns
    -------
    StaggeredGrid
        With methods ``diff``, ``interp``, ``grad``, ``divergence``, ``vorticity``,
        ``laplacian``; ``describe()`` lists what was found.

    Raises
    ------
    ValueError
        When positions cannot be told (naming the attributes that would tell
        them), lengths match no padding, or a metric sits on the wrong points.

    Examples
    --------
    >>> import fieldops
    >>> from fieldops.staggered.samples import mom6_static
    >>> grid = fieldops.staggered_grid(mom6_static(4, 3))
    >>> grid.convention, grid.layout.axes["X"].shift, grid.slip
    ('mom6', 'outer', 'free-slip')
    """
    if isinstance(ds, xr.DataArray):
        ds = ds.coords.to_dataset()
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"staggered_grid takes a Dataset or DataArray, not {type(ds).__name__}")
    layout = read(ds, convention=convention, periodic=periodic, metrics=metrics, slip=slip)
    return StaggeredGrid(ds, layout)
