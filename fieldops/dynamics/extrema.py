"""Highs and lows as a table: :func:`extrema`, the way synopticians want them.

A point is a maximum when it is the largest of its ``footprint`` neighbourhood
along ``dims`` (and not in a flat neighbourhood); a plateau of equal maxima is
one extremum at its centre. Each isolated extremum is refined to sub-grid
position from the local quadratic model: gradient and Hessian by central
differences, offset ``-H^-1 g`` (kept when ``H`` has the extremum's sign and
the offset stays within one cell). A periodic longitude wraps (an extremum on
the seam is found once); on a global latitude/longitude grid the rows beyond a
pole are the rows across it (longitude turned by 180 degrees), and a pole row,
one point on the sphere, gives one extremum at the pole.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr

from fieldops import _attrs
from fieldops._validate import check_dim, check_numeric, check_xarray

KINDS = ("max", "min", "both")


def extrema(
    f: xr.DataArray,
    dims: Sequence[Hashable] | None = None,
    *,
    kind: str = "both",
    footprint: int | Mapping[Hashable, int] = 3,
    threshold: float | None = None,
    geometry: str = "auto",
) -> xr.Dataset:
    """Local maxima and/or minima of ``f`` over ``dims``, refined to sub-grid positions.

    Parameters
    ----------
    f : DataArray
        The field (other dims than ``dims`` are searched slice by slice).
    dims : sequence of hashable, optional
        Dims to search along; the horizontal dims of a latitude/longitude grid,
        else every dim.
    kind : {"max", "min", "both"}, default "both"
        Highs, lows or both.
    footprint : int or dict, default 3
        Odd number of points of the neighbourhood along each dim (a dict per
        dim): 5 ignores extrema closer than two points to a larger one.
    threshold : float, optional
        Least depth of an extremum: how far it stands above (below) the lowest
        (highest) value of its neighbourhood, in the units of ``f``.
    geometry : {"auto", "cartesian", "spherical", "curvilinear"}, default "auto"
        ``"cartesian"``: no periodic longitude nor poles.

    Returns
    -------
    Dataset
        Along the dim ``extremum``: one variable per dim of ``dims`` (the refined
        position, in the coordinate's units), one per other dim (its
        coordinate), ``value`` (the refined value) and ``kind`` ("max"/"min").
        ``.to_dataframe()`` makes it a table.

    Notes
    -----
    The table's length depends on the data, so Dask input is computed.

    Examples
    --------
    >>> x = np.linspace(-3.0, 3.0, 61)
    >>> f = xr.DataArray(np.exp(-((x[:, None] - 0.42) ** 2) - (x[None, :] + 1.03) ** 2),
    ...                  dims=("y", "x"), coords={"y": x, "x": x})
    >>> table = extrema(f, kind="max")
    >>> round(float(table.y[0]), 2), round(float(table.x[0]), 2), str(table.kind.values[0])
    (0.42, -1.03, 'max')
    """
    check_xarray(f)
    if not isinstance(f, xr.DataArray):
        raise TypeError("extrema takes a DataArray; for a Dataset pick a variable: ds['z']")
    check_numeric(f)
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {KINDS}")
    grid = _grid(f, dims, geometry)
    dims = grid["dims"]
    sizes = _footprints(footprint, dims)
    if threshold is not None and not (np.isfinite(float(threshold)) and float(threshold) >= 0):
        raise ValueError(f"threshold must be a number >= 0, got {threshold!r}")
    if grid["repeated"] is not None:
        f = f.isel({grid["repeated"]: slice(0, -1)})  # the repeated meridian once
    others = [d for d in f.dims if d not in dims]
    data = np.asarray(f.transpose(*others, *dims).values, dtype=np.float64)
    frames = []
    for which in ("max", "min") if kind == "both" else (kind,):
        # NaN cells are -inf to the filters: differences next to them are NaN, quietly
        with np.errstate(invalid="ignore"):
            frames.append(_find(data, f, others, dims, grid, sizes, which, threshold))
    table = {k: np.concatenate([t[k] for t in frames]) for k in frames[0]}
    out = {}
    for dim in [*others, *dims]:
        attrs = dict(f[dim].attrs) if dim in f.coords else {}
        out[dim] = xr.DataArray(table[dim], dims="extremum", attrs=attrs)
    value = xr.DataArray(
        table["value"],
        dims="extremum",
        name="value",
        attrs={"long_name": f"value at the extrema of {_describe(f)}"},
    )
    if "units" in f.attrs:
        value.attrs["units"] = f.attrs["units"]
    out["value"] = _attrs.apply(value, [f.attrs])  # the one attrs policy
    out["kind"] = xr.DataArray(table["kind"].astype("<U3"), dims="extremum")
    return xr.Dataset(out, attrs={"long_name": f"extrema of {_describe(f)}"})


def _describe(f: xr.DataArray) -> str:
    return str(f.attrs.get("long_name") or f.name or "the field")


def _grid(f: xr.DataArray, dims, geometry: str) -> dict:
    """Dims, periodic dims, the global latitude (pole padding) and a repeated meridian."""
    from fieldops.grids.frame import frame_for
    from fieldops.options import How, Where

    frame = None
    if geometry != "cartesian":
        probe = list(f.dims) if dims is None else list(dims)
        try:
            frame = frame_for(f, probe, Where(geometry=geometry), How())
        except ValueError:
            if geometry != "auto":
                raise
    info = {"periodic": set(), "pole": None, "repeated": None}
    if frame is not None and hasattr(frame, "periodic_lon"):
        lat_dim, lon_dim = frame.dims
        info["dims"] = list(dims) if dims is not None else [lat_dim, lon_dim]
        if frame.periodic_lon:
            info["periodic"].add(lon_dim)
            if frame.repeated_lon:
                info["repeated"] = lon_dim
            n = frame.lam.size - (1 if frame.repeated_lon else 0)
            if n % 2 == 0:
                info["pole"] = (lat_dim, lon_dim, np.asarray(frame.lat_deg))
    else:
        info["dims"] = list(f.dims) if dims is None else list(dims)
    for dim in info["dims"]:
        check_dim(f, dim)
    if len(set(info["dims"])) != len(info["dims"]):
        raise ValueError(f"dims {info['dims']} name a dim twice")
    return info


def _footprints(footprint, dims) -> dict:
    values = footprint if isinstance(footprint, Mapping) else dict.fromkeys(dims, footprint)
    extra = [d for d in values if d not in dims]
    if extra:
        raise ValueError(f"footprint names dim(s) {extra} not among dims {dims}")
    out = {}
    for dim in dims:
        size = values.get(dim, 3)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 3:
            raise ValueError(
                f"footprint of {dim!r} must be an odd number of points >= 3, got {size!r}"
            )
        if size % 2 == 0:
            raise ValueError(f"footprint of {dim!r} must be odd (centred), got {size}")
        out[dim] = int(size)
    return out


def _coordinate(f: xr.DataArray, dim: Hashable) -> np.ndarray:
    if dim in f.coords and f[dim].ndim == 1 and f[dim].dtype.kind in "iuf":
        return np.asarray(f[dim].values, dtype=np.float64)
    return np.arange(f.sizes[dim], dtype=np.float64)


def _pad(data, f, others, dims, grid, sizes):
    """``data`` and coordinates padded by half a footprint (and 1) along each dim."""
    coords, edges, pads = [], [], []
    for a, dim in enumerate(dims):
        axis = len(others) + a
        w = max(sizes[dim] // 2, 1)
        x = _coordinate(f, dim)
        n = x.size
        pole = grid["pole"]
        if dim in grid["periodic"]:
            period = 360.0 * np.sign(x[-1] - x[0]) if n > 1 else 360.0
            data = np.pad(
                data, [(w, w) if ax == axis else (0, 0) for ax in range(data.ndim)], "wrap"
            )
            k = np.arange(-w, n + w)
            x = x[k % n] + np.floor_divide(k, n) * period
            edges.append(False)
        elif pole is not None and dim == pole[0] and _global(pole[2]):
            data, x = _pad_poles(data, x, axis, len(others) + dims.index(pole[1]), w, pole[2])
            edges.append(False)
        else:
            data = np.pad(
                data, [(w, w) if ax == axis else (0, 0) for ax in range(data.ndim)], "edge"
            )
            step = np.diff(x[[0, 1]]) if n > 1 else np.array([1.0])
            step_end = np.diff(x[[-2, -1]]) if n > 1 else np.array([1.0])
            x = np.concatenate(
                [x[0] - step * np.arange(w, 0, -1), x, x[-1] + step_end * np.arange(1, w + 1)]
            )
            edges.append(True)
        coords.append(x)
        pads.append(w)
    return data, coords, edges, pads


def _global(lat: np.ndarray) -> bool:
    """True when both end rows are within one spacing of a pole."""
    if lat.size < 2:
        return False
    step = np.abs(np.diff(np.sort(lat)))
    lo, hi = np.min(lat), np.max(lat)
    return bool(90 + lo <= step[0] * (1 + 1e-9) and 90 - hi <= step[-1] * (1 + 1e-9))


def _pad_poles(data, lat, axis, lon_axis, w, lat_deg):
    """Rows across each pole: the same rows, longitude turned by 180 degrees."""
    n_lon = data.shape[lon_axis]

    def take(rows: np.ndarray) -> np.ndarray:
        return np.roll(np.take(data, rows, axis=axis), n_lon // 2, axis=lon_axis)

    n = lat.size
    first_pole = np.isclose(abs(lat[0]), 90.0)
    last_pole = np.isclose(abs(lat[-1]), 90.0)
    before = np.arange(w, 0, -1) if first_pole else np.arange(w - 1, -1, -1)
    after = n - 1 - (np.arange(1, w + 1) if last_pole else np.arange(0, w))
    s0, s1 = np.sign(lat[0]) or -1.0, np.sign(lat[-1]) or 1.0
    data = np.concatenate([take(before), data, take(after)], axis=axis)
    x = np.concatenate([2 * 90 * s0 - lat[before], lat, 2 * 90 * s1 - lat[after]])
    return data, x


def _find(data, f, others, dims, grid, sizes, which, threshold) -> dict:
    from scipy import ndimage

    sign = 1.0 if which == "max" else -1.0
    values = sign * data
    values = np.where(np.isnan(values), -np.inf, values)
    padded, coords, edges, pads = _pad(values, f, others, dims, grid, sizes)
    size = [1] * len(others) + [sizes[d] for d in dims]
    top = ndimage.maximum_filter(padded, size=size, mode="nearest")
    low = ndimage.minimum_filter(padded, size=size, mode="nearest")
    inner = tuple([slice(None)] * len(others) + [slice(p, -p) for p in pads])
    v, top, low = padded[inner], top[inner], low[inner]
    _pole_neighbourhoods(padded, top, low, others, dims, grid, pads)
    cand = (v == top) & (low < v) & np.isfinite(v)
    finite = data[np.isfinite(data)]
    # Depth below which an extremum is rounding (a far field of equal values): the
    # given threshold, else 1e-9 of the field's range.
    depth = float(threshold) if threshold is not None else 0.0
    if finite.size:
        depth = max(depth, 1e-9 * float(finite.max() - finite.min()))
    cand &= v - low > depth if threshold is None else v - low >= depth
    for a, edge in enumerate(edges):
        if edge:  # the boundary of a regional domain: no high or low there
            ax = len(others) + a
            cand[tuple(0 if k == ax else slice(None) for k in range(cand.ndim))] = False
            cand[tuple(-1 if k == ax else slice(None) for k in range(cand.ndim))] = False
    # Connected along ``dims`` only: other dims' slices are searched apart.
    structure = np.zeros([3] * cand.ndim, dtype=bool)
    structure[tuple([1] * len(others) + [slice(None)] * len(dims))] = True
    labels, count = ndimage.label(cand, structure=structure)
    labels = _merge_periodic(labels, others, dims, grid)
    idx = np.nonzero(cand)
    lab = labels[idx]
    uniq, inverse, counts = np.unique(lab, return_inverse=True, return_counts=True)
    table = {d: np.zeros(uniq.size) for d in [*others, *dims]}
    first = np.full(uniq.size, lab.size)  # a point of each component: its first
    np.minimum.at(first, inverse, np.arange(lab.size))
    for a, dim in enumerate(others):  # their own values (dates stay dates)
        labels_of = f[dim].values if dim in f.coords else np.arange(f.sizes[dim])
        table[dim] = labels_of[idx[a][first]]
    single = counts[inverse[first]] == 1
    offsets, gain = _refine(padded, [i[first] for i in idx], others, dims, pads, edges)
    offsets[:, ~single] = 0.0
    value = v[tuple(i[first] for i in idx)] + np.where(single, gain, 0.0)
    ring = np.zeros(uniq.size, dtype=bool)
    for a, dim in enumerate(dims):
        ax = len(others) + a
        pos = idx[ax].astype(np.float64)
        period = f.sizes[dim] if dim in grid["periodic"] else None
        centre, concentration = _centroid(pos, inverse, uniq.size, period)
        ring |= concentration < 0.5
        frac = np.where(single, pos[first] + np.nan_to_num(offsets[a]), centre) + pads[a]
        table[dim] = np.interp(frac, np.arange(coords[a].size), coords[a])
    _to_pole(table, grid, ring)
    _fold(table, f, grid, dims)
    table["value"] = sign * value
    table["kind"] = np.full(uniq.size, which)
    order = np.lexsort([-table["value"] * sign, *[table[d] for d in reversed(others)]])
    table = {k: np.asarray(t)[order] for k, t in table.items()}
    return _one_per_pole(table, others, grid)


def _one_per_pole(table: dict, others, grid) -> dict:
    """Keep the first (the most extreme) of the extrema on each pole of each slice."""
    pole = grid["pole"]
    if pole is None or pole[0] not in table:
        return table
    lat = table[pole[0]]
    keys = [tuple(table[d][i] for d in others) + (np.sign(lat[i]),) for i in range(lat.size)]
    seen, keep = set(), np.ones(lat.size, dtype=bool)
    for i in np.flatnonzero(np.isclose(np.abs(lat), 90.0)):
        keep[i] = keys[i] not in seen
        seen.add(keys[i])
    return {k: t[keep] for k, t in table.items()}


def _pole_neighbourhoods(padded, top, low, others, dims, grid, pads) -> None:
    """A pole row is one point: its neighbourhood is every meridian's rows next to it."""
    pole = grid["pole"]
    if pole is None or pole[0] not in dims or pole[1] not in dims or not _global(pole[2]):
        return
    lat_ax = len(others) + dims.index(pole[0])
    lon_ax = len(others) + dims.index(pole[1])
    w = pads[dims.index(pole[0])]
    lat = pole[2]
    for row in (0, lat.size - 1):
        if not np.isclose(abs(lat[row]), 90.0):
            continue
        rows = np.take(padded, np.arange(row, row + 2 * w + 1), axis=lat_ax)
        crop = [slice(None)] * padded.ndim
        crop[lon_ax] = slice(pads[dims.index(pole[1])], -pads[dims.index(pole[1])])
        rows = rows[tuple(crop)]
        at = tuple(row if k == lat_ax else slice(None) for k in range(top.ndim))
        lon_after = lon_ax - (1 if lon_ax > lat_ax else 0)  # once the row is taken
        for target, values in (
            (top, rows.max(axis=(lat_ax, lon_ax))),
            (low, rows.min(axis=(lat_ax, lon_ax))),
        ):
            target[at] = np.broadcast_to(np.expand_dims(values, lon_after), target[at].shape)


def _merge_periodic(labels, others, dims, grid):
    """Join the labels of components that meet across a periodic dim's seam."""
    for a, dim in enumerate(dims):
        if dim not in grid["periodic"]:
            continue
        ax = len(others) + a
        left, right = np.take(labels, 0, axis=ax), np.take(labels, -1, axis=ax)
        pairs = {
            (int(p), int(q)) for p, q in zip(left.ravel(), right.ravel()) if p and q and p != q
        }
        for p, q in sorted(pairs):
            lo, hi = min(p, q), max(p, q)
            labels[labels == hi] = lo
    return labels


def _centroid(pos, inverse, count, period):
    """Mean index per component (circular for a periodic dim), and how concentrated it is.

    The second value is the length of the mean unit vector (1 off a periodic dim):
    near 0 for a ring all round the circle, which has no centre in that dim.
    """
    weight = np.bincount(inverse, minlength=count)
    if period is None:
        return np.bincount(inverse, pos, minlength=count) / weight, np.ones(count)
    angle = 2 * np.pi * pos / period
    c = np.bincount(inverse, np.cos(angle), minlength=count)
    s = np.bincount(inverse, np.sin(angle), minlength=count)
    return np.mod(np.arctan2(s, c) / (2 * np.pi) * period, period), np.hypot(c, s) / weight


def _refine(padded, points, others, dims, pads, edges):
    """Sub-grid offsets ``-H^-1 g`` (index units, ``(ndims, m)``, NaN where rejected) and
    the rise of the quadratic model to its vertex, ``g . delta / 2`` (0 where rejected)."""
    nd, m = len(dims), points[0].size if points else 0
    base = [p.copy() for p in points]
    for a in range(nd):
        base[len(others) + a] = base[len(others) + a] + pads[a]

    def at(shift):
        index = list(base)
        for a, s in shift.items():
            index[len(others) + a] = index[len(others) + a] + s
        return padded[tuple(index)]

    f0 = at({})
    g = np.zeros((m, nd))
    h = np.zeros((m, nd, nd))
    for a in range(nd):
        fp, fm = at({a: 1}), at({a: -1})
        g[:, a] = (fp - fm) / 2
        h[:, a, a] = fp - 2 * f0 + fm
        for b in range(a):
            mixed = (
                at({a: 1, b: 1}) - at({a: 1, b: -1}) - at({a: -1, b: 1}) + at({a: -1, b: -1})
            ) / 4
            h[:, a, b] = h[:, b, a] = mixed
    for a in range(nd):
        if not edges[a]:
            continue
        n = padded.shape[len(others) + a] - 2 * pads[a]
        on_edge = (points[len(others) + a] == 0) | (points[len(others) + a] == n - 1)
        g[on_edge, a] = 0.0
        h[on_edge, a, :] = 0.0
        h[on_edge, :, a] = 0.0
        h[on_edge, a, a] = -1.0
    with np.errstate(all="ignore"):
        finite = np.all(np.isfinite(h), axis=(1, 2)) & np.all(np.isfinite(g), axis=1)
        h_ok = np.where(finite[:, None, None], h, -np.eye(nd))
        g_ok = np.where(finite[:, None], g, 0.0)
        # a maximum of the (sign-flipped) field: H negative definite
        definite = np.all(np.linalg.eigvalsh(h_ok) < 0, axis=1) & finite
        h_ok[~definite] = -np.eye(nd)
        delta = -np.linalg.solve(h_ok, g_ok[..., None])[..., 0]
    good = definite & np.all(np.abs(delta) <= 1.0, axis=1)
    delta[~good] = np.nan
    gain = np.where(good, 0.5 * np.sum(g_ok * np.nan_to_num(delta), axis=1), 0.0)
    return delta.T, gain


def _to_pole(table: dict, grid: dict, ring: np.ndarray) -> None:
    """A plateau ringing the end row of a global grid is the pole inside the ring."""
    pole = grid["pole"]
    if pole is None or pole[0] not in table or not ring.any():
        return
    lat = pole[2]
    for end in (lat[0], lat[-1]):
        on_end = ring & np.isclose(table[pole[0]], end)
        table[pole[0]][on_end] = 90.0 * np.sign(end)


def _fold(table, f, grid, dims):
    """Wrap periodic positions into the coordinate's range; fold latitudes past a pole."""
    pole = grid["pole"]
    if pole is not None:
        lat_dim, lon_dim, _ = pole
        if lat_dim in table and lon_dim in table:
            lat = table[lat_dim]
            over = np.abs(lat) > 90
            lat[over] = np.sign(lat[over]) * 180 - lat[over]
            table[lon_dim][over] += 180.0
            at_pole = np.isclose(np.abs(lat), 90.0)
            table[lon_dim][at_pole] = _coordinate(f, lon_dim)[0]  # one point: any meridian
    for dim in grid["periodic"]:
        x = _coordinate(f, dim)
        lo = min(x[0], x[-1])
        table[dim] = lo + np.mod(table[dim] - lo, 360.0)
