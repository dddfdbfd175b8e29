"""What ``fieldops info`` tells about a dataset: dims, chunks, geometry, operators."""

from __future__ import annotations

import xarray as xr

from fieldops import units as _units
from fieldops.grids.coords import coordinate_values
from fieldops.grids.detect import (
    detect_geometry,
    vertical_sign,
)
from fieldops.grids.frame import frame_class
from fieldops.stencils.weights import is_uniform


def _coordinate_line(ds: xr.Dataset, dim) -> str:
    if dim not in ds.coords:
        return "no coordinate (unit spacing)"
    try:
        values, units = coordinate_values(ds, dim)
    except (TypeError, ValueError) as err:
        return f"not usable: {err}"
    if values.size < 2:
        return f"one value {values[0]:g}{_vertical_text(ds, dim)}"
    order = "ascending" if values[-1] > values[0] else "descending"
    spacing = (
        f"uniform step {abs(values[1] - values[0]):g}" if is_uniform(values) else "non-uniform"
    )
    span = f"{values[0]:g} .. {values[-1]:g}" + (f" {units}" if units else "")
    return f"{span}, {order}, {spacing}{_vertical_text(ds, dim)}"


def _vertical_text(ds: xr.Dataset, dim) -> str:
    """How a vertical coordinate points (CF ``positive``, or pressure units)."""
    attrs = ds.coords[dim].attrs
    if "positive" not in attrs and _units.factor(attrs.get("units"), "Pa") is None:
        return ""
    try:
        up = vertical_sign(ds, dim) > 0
    except ValueError as err:
        return f"; vertical, {err}"
    return "; vertical, values increase " + ("upward" if up else "downward (3-D curl reoriented)")


def _staggered_lines(ds: xr.Dataset) -> list[str]:
    """``StaggeredGrid.describe()`` when the dataset is a model's staggered grid."""
    from fieldops.staggered.grid import staggered_grid

    try:
        return staggered_grid(ds).describe()
    except (TypeError, ValueError):
        return []


def describe(ds: xr.Dataset, *, title: str = "") -> str:
    """A human-readable summary of ``ds`` for ``fieldops info``.

    Parameters
    ----------
    ds : Dataset
        Usually opened lazily with :func:`fieldops.open_dataset`.
    title : str
        First line (the file names).

    Returns
    -------
    str
        Dims with sizes, chunks and coordinates; the detected geometry (which dims
        are latitude/longitude, whether longitude is periodic); the variables with
        units; and the operators that apply.

    Examples
    --------
    >>> import fieldops
    >>> text = describe(fieldops.open_sample())
    >>> "periodic (spans 360 degrees)" in text and "vorticity" in text
    True
    """
    lines = [title] if title else []
    lines.append("dims:")
    for dim, size in ds.sizes.items():
        chunks = ds.chunks.get(dim) if ds.chunks else None
        chunk_text = f", chunks {sorted(set(chunks))}" if chunks else ""
        lines.append(f"  {dim}: {size}{chunk_text}; {_coordinate_line(ds, dim)}")
    try:
        geo = detect_geometry(ds, "auto")
    except (TypeError, ValueError) as err:
        geo = None
        lines.append(f"geometry: cartesian (no usable latitude/longitude: {err})")
    if geo is not None:
        lines.append(f"geometry: {geo.kind}")
        lines += frame_class(geo.kind).describe(ds, geo)
    # model levels (issue 16): the parametric vertical coordinate and its formula
    from fieldops.vertical.formula_terms import describe_vertical

    lines += describe_vertical(ds)
    # staggered model grids (issue 17): the positions and metrics found, if any
    lines += _staggered_lines(ds)
    lines.append("variables:")
    numeric = []
    for name, var in ds.data_vars.items():
        units = var.attrs.get("units", "no units")
        lines.append(f"  {name}{tuple(var.dims)} {var.dtype}, {units}")
        if var.dtype.kind in "fiub":
            numeric.append(name)
    lines.append("operators:")
    if numeric:
        lines.append(
            f"  diff, grad, laplacian, hessian along any of {list(ds.dims)} "
            f"for {', '.join(map(str, numeric))}"
        )
    have = set(ds.data_vars)
    if geo is not None and frame_class(geo.kind).physical and {"u", "v"} <= have:
        lines.append("  vorticity, divergence of the winds u, v (also deformation, advection,")
        lines.append("  geostrophic_wind in the library)")
    elif {"u", "v"} <= have:
        lines.append("  vorticity, divergence of u, v (cartesian)")
    lines.append("  div, curl of a vector field named with --component DIM=VAR")
    return "\n".join(lines)
