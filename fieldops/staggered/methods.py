"""The operators of :class:`fieldops.staggered.grid.StaggeredGrid` (its public methods).

Each method finds where its inputs sit, picks the model's metrics for the points
involved, and runs one kernel of :mod:`fieldops.staggered.operators` (one Dask
layer, plus one edge layer per input that reads beyond its blocks).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial

import numpy as np
import xarray as xr

from fieldops import units as _units
from fieldops._attrs import DROPPED, common, keep_attrs
from fieldops.staggered import blocks, fused
from fieldops.staggered import operators as ops
from fieldops.staggered.conventions import LOCATION, SLIPS


def _toggle(pos: str, axis: str) -> str:
    lx, ly = LOCATION[pos]
    flip = {"c": "f", "f": "c"}
    loc = (flip[lx], ly) if axis == "X" else (lx, flip[ly])
    return {v: k for k, v in LOCATION.items()}[loc]


def _attrs(sources: list[xr.DataArray], long_name: str, units, same: bool) -> dict:
    kept = common([s.attrs for s in sources]) if keep_attrs() else {}
    if not same:
        kept = {k: v for k, v in kept.items() if k not in DROPPED}
    kept["long_name"] = long_name
    if units is not None:
        kept["units"] = units
    else:
        kept.pop("units", None)
    return kept


class OperatorMethods:
    """diff, interp, grad, divergence, vorticity, laplacian of a staggered grid."""

    def _width_units(self, key: str):
        return self.metric(key).attrs.get("units")

    def _mask_key(self, pos: str) -> str | None:
        """The metric key of the mask at ``pos`` points, None when the grid has none."""
        key = f"mask_{pos}"
        return key if key in self.layout.metrics else None

    def _finish(self, out, sources, name, long_name, units, same=False):
        out.name = name
        out.attrs = _attrs(sources, long_name, units, same)
        return out

    def diff(
        self,
        f: xr.DataArray,
        axis: Hashable,
        *,
        position: str | None = None,
        accuracy: int = 2,
        fill_value: float = np.nan,
    ) -> xr.DataArray:
        """Difference of ``f`` along ``axis`` over the model's width: centre <-> face.

        Parameters
        ----------
        f : DataArray
            On any position; its dims say where (or ``position=`` where they cannot).
        axis : {"X", "Y"} or a dim of that axis
        position : {"T", "U", "V", "F"}, optional
        accuracy : {2, 4}
            4 only on uniform widths.
        fill_value : float
            Value of ``f`` beyond a closed (non-periodic) edge.

        Returns
        -------
        DataArray
            On the points one half cell along ``axis`` (T -> U, U -> T, V -> F, ...),
            ``(f[i+1] - f[i]) / dx`` with ``dx`` the model's width there (``e1u``,
            ``dxCu``, ``dxC``, ``om_u``), NaN on land where the grid has a mask there.

        Examples
        --------
        >>> import fieldops
        >>> from fieldops.staggered.samples import nemo_mesh
        >>> mesh = nemo_mesh(6, 5)
        >>> grid = fieldops.staggered_grid(mesh)
        >>> t = 3.0 * mesh.glamt.squeeze("t", drop=True).rename("t")
        >>> dtdx = grid.diff(t, "X", position="T")
        >>> float(dtdx.isel(x=2, y=2)), sorted(dtdx.coords)
        (3.0, ['glamu', 'gphiu'])
        """
        a = self._axis(axis)
        pos = self.position(f, position=position, role=None)
        out = _toggle(pos, a)
        key = ("dx_" if a == "X" else "dy_") + out
        self._uniform([key], accuracy)
        w = ops.DIFF[accuracy]
        src = LOCATION[pos][0 if a == "X" else 1]
        mask = f"mask_{out}" if f"mask_{out}" in self.layout.metrics else None
        kernel = partial(ops.diff_kernel, axis=None, weights=w)
        res = self._run(
            _bind_axis(kernel, self, f, pos, out, a),
            out,
            (f, pos),
            [(f, pos, self._ext(a, src, w, fill_value)), (key, out, None), (mask, out, None)],
            "staggered-diff",
        )
        units = _units.combine(f.attrs.get("units"), [self._width_units(key)])
        name = f"d{f.name}_d{a.lower()}" if f.name is not None else None
        return self._finish(res, [f], name, f"d/d{a.lower()} of {f.name} at {out} points", units)

    def interp(
        self,
        f: xr.DataArray,
        axis: Hashable,
        *,
        position: str | None = None,
        accuracy: int = 2,
        fill_value: float = np.nan,
    ) -> xr.DataArray:
        """Mean of ``f`` to the points half a cell along ``axis`` (centre <-> face).

        Lengths ``n`` and ``n + 1`` (or ``n - 1``) are handled as the grid says;
        values beyond a closed edge are ``fill_value``. Same parameters as
        :meth:`diff`; the result is the same quantity (attrs kept).

        Examples
        --------
        >>> import fieldops
        >>> from fieldops.staggered.samples import nemo_mesh
        >>> mesh = nemo_mesh(6, 5)
        >>> grid = fieldops.staggered_grid(mesh)
        >>> t = mesh.glamt.squeeze("t", drop=True).rename("t")
        >>> bool((grid.interp(t, "X", position="T") == mesh.glamu.squeeze("t")).isel(x=2).all())
        True
        """
        a = self._axis(axis)
        pos = self.position(f, position=position, role=None)
        out = _toggle(pos, a)
        self._uniform(["dx_" + out if a == "X" else "dy_" + out], accuracy)
        w = ops.MEAN[accuracy]
        src = LOCATION[pos][0 if a == "X" else 1]
        mask = f"mask_{out}" if f"mask_{out}" in self.layout.metrics else None
        res = self._run(
            _bind_axis(partial(ops.interp_kernel, axis=None, weights=w), self, f, pos, out, a),
            out,
            (f, pos),
            [(f, pos, self._ext(a, src, w, fill_value)), (mask, out, None)],
            "staggered-interp",
        )
        long_name = f"{f.attrs.get('long_name', f.name)} at {out} points"
        return self._finish(res, [f], f.name, long_name, f.attrs.get("units"), same=True)

    def grad(self, f: xr.DataArray, *, accuracy: int = 2) -> tuple[xr.DataArray, xr.DataArray]:
        """Gradient of a centre (T) field: ``(df/dx at U, df/dy at V)``.

        Examples
        --------
        >>> import fieldops
        >>> from fieldops.staggered.samples import nemo_mesh
        >>> mesh = nemo_mesh(6, 5)
        >>> t = (2.0 * mesh.gphit).squeeze("t", drop=True).rename("t")
        >>> gx, gy = fieldops.staggered_grid(mesh).grad(t)
        >>> float(gx.isel(x=1, y=1)), float(gy.isel(x=1, y=1))
        (0.0, 2.0)
        """
        pos = self.position(f, role="T")
        if pos != "T":
            raise ValueError(f"grad takes a field at T points (centres); {f.name} is at {pos}")
        return (
            self.diff(f, "X", position="T", accuracy=accuracy),
            self.diff(f, "Y", position="T", accuracy=accuracy),
        )

    def _b_grid(self, u, v) -> bool:
        """True when u and v both sit at corners (a B grid: MOM5, POP, CICE)."""
        try:
            return self.position(u, role="U") == self.position(v, role="V") == "F"
        except ValueError:
            return False

    def _velocities(self, u, v):
        pu = self.position(u, role="U")
        pv = self.position(v, role="V")
        if (pu, pv) != ("U", "V"):
            raise ValueError(
                f"u sits at {pu} points and v at {pv}; a C-grid operator wants u on U "
                "(x faces) and v on V (y faces): pass position= or check u and v come from "
                "the same grid"
            )
        for d in set(u.dims) & set(v.dims):
            if u.sizes[d] != v.sizes[d]:
                raise ValueError(
                    f"u and v differ along {d!r} ({u.sizes[d]} vs {v.sizes[d]}): they come "
                    "from different grids or slices"
                )
        return pu, pv

    def divergence(self, u: xr.DataArray, v: xr.DataArray, *, accuracy: int = 2):
        """Flux-form divergence at T of u on U faces and v on V faces.

        ``(dy_U u[i] - dy_U u[i-1] + dx_V v[j] - dx_V v[j-1]) / area_T`` (NEMO
        ``hdiv``, MOM6 continuity, MITgcm, ROMS): zero flux through land faces
        and through closed domain edges; NaN at land T points.

        Examples
        --------
        >>> import fieldops
        >>> from fieldops.staggered.samples import nemo_mesh
        >>> mesh = nemo_mesh(6, 5)
        >>> u = mesh.glamu.squeeze("t", drop=True).rename("u") * 0 + 1.0
        >>> v = mesh.gphiv.squeeze("t", drop=True).rename("v") * 2.0
        >>> div = fieldops.staggered_grid(mesh).divergence(u, v)
        >>> float(div.isel(x=2, y=2))
        2.0
        """
        if self._b_grid(u, v):  # corner velocities: face means, then the C-grid fluxes
            return self.divergence(
                self.interp(u, "Y", position="F", fill_value=0.0),
                self.interp(v, "X", position="F", fill_value=0.0),
                accuracy=accuracy,
            )
        self._velocities(u, v)
        self._uniform(["dy_U", "dx_V", "area_T"], accuracy)
        w = ops.DIFF[accuracy]
        mu = self._mask_key("U")
        mv = self._mask_key("V")
        mt = self._mask_key("T")
        ex, ey = self._ext("X", "f", w, 0.0), self._ext("Y", "f", w, 0.0)
        ex1, ey1 = self._ext("X", "f", w, 1.0), self._ext("Y", "f", w, 1.0)
        exm, eym = self._ext("X", "f", w, False), self._ext("Y", "f", w, False)
        inputs = [
            (u, "U", ex),
            ("dy_U", "U", ex1),
            (v, "V", ey),
            ("dx_V", "V", ey1),
            ("area_T", "T", None),
            (mu, "U", exm),
            (mv, "V", eym),
            (mt, "T", None),
        ]
        kernel = _Axes(ops.divergence_kernel, self, u, "U", "T", weights=w)
        res = self._run(
            _Fused(fused.divergence, kernel, (0, 1, 5), (2, 3, 6), 4, 7)
            if accuracy == 2
            else kernel,
            "T",
            (u, "U"),
            inputs,
            "staggered-divergence",
        )
        units = _units.combine(u.attrs.get("units"), [self._width_units("dx_V")])
        return self._finish(res, [u, v], "divergence", "horizontal divergence at T points", units)

    def vorticity(
        self,
        u: xr.DataArray,
        v: xr.DataArray,
        *,
        slip: str | None = None,
        accuracy: int = 2,
    ) -> xr.DataArray:
        """Relative vorticity at F (corner) points: circulation over area (Stokes).

        ``(dy_V v[i+1] - dy_V v[i] - dx_U u[j+1] + dx_U u[j]) / area_F``, the
        scheme of NEMO (``e2v``, ``e1u``, ``e1e2f``), MOM6 (``dyCv``, ``dxCu``,
        ``areacello_bu``), MITgcm (``dyC``, ``dxC``, ``rAz``) and ROMS. Where the
        grid has U and V masks, land velocities count as zero and coastal corners
        (some faces wet) get the coast condition ``slip``: ``"no-slip"`` doubles the
        one-sided value (NEMO ``rn_shlat = 2``), ``"free-slip"`` gives 0; corners
        with no wet face are NaN. The default is the model's (NEMO, ROMS and
        MITgcm no-slip, MOM6 free-slip).

        On a B grid (u and v both at corners) the result is at T points: the
        circulation around each T cell of u and v averaged to the cell's faces,
        ``(d_i(dy_U avg_j v) - d_j(dx_V avg_i u)) / area_T``; its divergence is
        ``(d_i(dy_U avg_j u) + d_j(dx_V avg_i v)) / area_T`` (MOM5, CICE).

        Examples
        --------
        >>> import fieldops
        >>> from fieldops.staggered.samples import nemo_mesh
        >>> mesh = nemo_mesh(6, 5)
        >>> u = (-mesh.gphiu).squeeze("t", drop=True).rename("u")
        >>> v = mesh.glamv.squeeze("t", drop=True).rename("v")
        >>> zeta = fieldops.staggered_grid(mesh).vorticity(u, v)
        >>> float(zeta.isel(x=2, y=2)), sorted(zeta.coords)
        (2.0, ['glamf', 'gphif'])
        """
        slip = slip or self.slip
        if slip not in SLIPS:
            raise ValueError(f"slip={slip!r} is not one of {SLIPS}")
        if self._b_grid(u, v):
            # B grid: circulation around the T cell of the face means, at T points
            v_u = self.interp(v, "Y", position="F", fill_value=0.0)
            u_v = self.interp(u, "X", position="F", fill_value=0.0)
            out = self.divergence(v_u.rename("v_on_u"), -u_v.rename("u_on_v"), accuracy=accuracy)
            out.attrs["long_name"] = "relative vorticity at T points (B grid)"
            return out.rename("vorticity")
        self._velocities(u, v)
        self._uniform(["dx_U", "dy_V", "area_F"], accuracy)
        w = ops.DIFF[accuracy]
        mu = self._mask_key("U")
        mv = self._mask_key("V")
        inputs = [
            (u, "U", self._ext("Y", "c", w, 0.0)),
            ("dx_U", "U", self._ext("Y", "c", w, 1.0)),
            (v, "V", self._ext("X", "c", w, 0.0)),
            ("dy_V", "V", self._ext("X", "c", w, 1.0)),
            ("area_F", "F", None),
            (mu, "U", self._ext("Y", "c", w, False)),
            (mv, "V", self._ext("X", "c", w, False)),
        ]
        kernel = _Axes(ops.vorticity_kernel, self, u, "U", "F", weights=w, slip=slip)
        res = self._run(
            _Fused(fused.vorticity, kernel, (2, 3, 6), (0, 1, 5), 4, None, slip=slip)
            if accuracy == 2
            else kernel,
            "F",
            (u, "U"),
            inputs,
            "staggered-vorticity",
        )
        wu = self._width_units("dx_U")
        units = _units.combine(u.attrs.get("units"), [wu])
        return self._finish(res, [u, v], "vorticity", "relative vorticity at F points", units)

    def laplacian(self, f: xr.DataArray, *, accuracy: int = 2) -> xr.DataArray:
        """Flux-form Laplacian of a T field at T points (the models' harmonic diffusion).

        ``[d_i(dy_U / dx_U d_i f) + d_j(dx_V / dy_V d_j f)] / area_T`` with zero flux
        through land faces and closed domain edges (NEMO ``traldf_lap``). A face the
        file holds at the domain's edge with no centre beyond it (MOM6 symmetric
        memory, NEMO's last column) has no gradient: where the grid has no mask to
        call it land, the centres next to it are NaN (``fieldops.helmholtz(grid=)``
        takes its flux as zero).

        Examples
        --------
        >>> import fieldops
        >>> from fieldops.staggered.samples import nemo_mesh
        >>> mesh = nemo_mesh(7, 6)
        >>> t = (mesh.glamt**2).squeeze("t", drop=True).rename("t")
        >>> float(fieldops.staggered_grid(mesh).laplacian(t).isel(x=3, y=3))
        2.0
        """
        pos = self.position(f, role="T")
        if pos != "T":
            raise ValueError(f"laplacian takes a field at T points; {f.name} is at {pos}")
        self._uniform(["dx_U", "dy_U", "dx_V", "dy_V", "area_T"], accuracy)
        w = ops.DIFF[accuracy]
        mu = self._mask_key("U")
        mv = self._mask_key("V")
        mt = self._mask_key("T")
        gx, gy = self._ext("X", "f", w, 1.0), self._ext("Y", "f", w, 1.0)
        fx = self._compose("X", w, np.nan)
        fy = self._compose("Y", w, np.nan)
        inputs = [
            (f, "T", fx),
            (f, "T", fy),
            ("dx_U", "U", gx),
            ("dy_U", "U", gx),
            ("dx_V", "V", gy),
            ("dy_V", "V", gy),
            ("area_T", "T", None),
            (mu, "U", self._ext("X", "f", w, False)),
            (mv, "V", self._ext("Y", "f", w, False)),
            (mt, "T", None),
        ]
        res = self._run(
            _Axes(ops.laplacian_kernel, self, f, "T", "T", weights=w, inner=w),
            "T",
            (f, "T"),
            inputs,
            "staggered-laplacian",
        )
        wu = self._width_units("dx_U")
        units = _units.combine(f.attrs.get("units"), [wu, wu])
        return self._finish(res, [f], f"laplacian_{f.name}", "Laplacian at T points", units)

    def _compose(self, axis: str, w, fill):
        """Extension of a T field read by a face gradient and then a face difference."""
        _, lo1, hi1, _ = self._ext(axis, "f", w, fill)  # faces read by the T output
        _, lo2, hi2, _ = self._ext(axis, "c", w, fill)  # centres read by each face
        return axis, lo1 + lo2, hi1 + hi2 - 1, fill


class _Axes:
    """A kernel with the output axis numbers of X and Y bound at call time (picklable)."""

    def __init__(self, kernel, grid, f, fpos, out, **kwargs):
        dims, _ = grid._out_dims(f, fpos, out)
        ydim, xdim = grid.layout.dims[out]
        self.kernel = partial(kernel, axes=(dims.index(xdim), dims.index(ydim)), **kwargs)

    def __call__(self, *args):
        return self.kernel(*args)


class _Fused:
    """The one-pass Numba kernel where it applies (x, y the last dims), else ``numpy``.

    ``along_x``/``along_y``: argument numbers of (field, metric, mask) extended
    along x / y; ``area`` and ``tmask`` the others. Both give the same bits.
    """

    takes_rows = True

    def __init__(self, func, numpy, along_x, along_y, area, tmask, **kwargs):
        self.func, self.numpy = func, numpy
        self.along_x, self.along_y, self.area, self.tmask = along_x, along_y, area, tmask
        self.kwargs = kwargs

    def __call__(self, *args, threads=1):
        ax_x, ax_y = self.numpy.kernel.keywords["axes"]
        fits = ax_x == args[self.area].ndim - 1 and ax_y == ax_x - 1
        split = {}
        for numbers, axis in ((self.along_x, ax_x), (self.along_y, ax_y)):
            for k in numbers:
                split[k] = _rows(args[k], axis)
        maps_x = {split[k][1].tobytes() for k in self.along_x if split[k][0] is not None}
        maps_y = {split[k][1].tobytes() for k in self.along_y if split[k][0] is not None}
        arrays = [split[k][0] if k in split else args[k] for k in range(len(args))]
        fits = fits and len(maps_x) == len(maps_y) == 1 and _pre_fits(arrays)
        if fits:
            rx = split[self.along_x[0]][1]
            ry = split[self.along_y[0]][1]
            fx, mx, kx = (arrays[k] for k in self.along_x)
            fy, my, ky = (arrays[k] for k in self.along_y)
            tmask = () if self.tmask is None else (arrays[self.tmask],)
            dtype = np.result_type(fx.dtype, fy.dtype)
            if self.func is fused.vorticity:  # u along y, v along x
                out = self.func(
                    fy, ry, my, fx, rx, mx, arrays[self.area], ky, kx,
                    dtype=dtype, threads=threads, **self.kwargs,
                )  # fmt: skip
            else:
                out = self.func(
                    fx, rx, mx, fy, ry, my, arrays[self.area], kx, ky, *tmask,
                    dtype=dtype, threads=threads, **self.kwargs,
                )  # fmt: skip
            if out is not None:
                pre = max(
                    (a.shape[:-2] for a in arrays if a is not None),
                    key=lambda shape: int(np.prod(shape)),
                )
                return out.reshape((*pre, *out.shape[-2:]))
        return self.numpy(*[blocks.materialize(a) for a in args])


def _rows(x, axis):
    """(array, row map) of an extended input (an identity map for an extended block)."""
    if x is None:
        return None, None
    if isinstance(x, blocks.Rows):
        return x.array, x.rows
    return x, np.arange(x.shape[axis])


def _pre_fits(arrays) -> bool:
    """The dims before (y, x) of every array are all ones or the same as the largest."""
    pres = [a.shape[:-2] for a in arrays if a is not None]
    full = max(pres, key=lambda s: int(np.prod(s)))
    return all(p == full or int(np.prod(p)) == 1 for p in pres)


def _bind_axis(kernel, grid, f, pos, out, axis):
    dims, _ = grid._out_dims(f, pos, out)
    ydim, xdim = grid.layout.dims[out]
    number = dims.index(xdim if axis == "X" else ydim)
    return partial(kernel.func, **{**kernel.keywords, "axis": number})
