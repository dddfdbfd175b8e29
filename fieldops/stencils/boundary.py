"""Boundary modes: one vocabulary for every operator.

``one_sided`` (default)
    Edge rows use one-sided stencils of the same accuracy order.
``periodic``
    The axis wraps around; the period is given or inferred from uniform spacing.
``fill``
    Rows the centered stencil cannot reach get ``fill_value`` (NaN by default).
``mirror``
    Even reflection about the edge point: zero normal derivative (Neumann).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

from fieldops.stencils.weights import BOUNDARY_MODES

BoundarySpec = str | Mapping[Hashable, str]
DEFAULT_BOUNDARY = "one_sided"


def _check_mode(mode: object, dim: Hashable) -> str:
    if not isinstance(mode, str) or mode not in BOUNDARY_MODES:
        raise ValueError(
            f"unknown boundary mode {mode!r} for dim {dim!r}; "
            f"use one of {', '.join(repr(m) for m in BOUNDARY_MODES)}"
        )
    return mode


def resolve_boundary(
    boundary: BoundarySpec | None,
    dims: Iterable[Hashable],
    *,
    defaults: Mapping[Hashable, str] | None = None,
) -> dict[Hashable, str]:
    """Turn ``boundary`` (one mode, or a dict per dim) into a mode for each dim.

    Parameters
    ----------
    boundary : str, mapping or None
        One mode for all ``dims``, or ``{dim: mode}``; dims left out (all of them
        when None) get ``defaults[dim]`` if given, else ``"one_sided"``.
    dims : iterable of hashable
        The dims being differentiated.
    defaults : mapping, optional
        Per-dim defaults (geometry makes a 360-degree longitude periodic).

    Returns
    -------
    dict
        ``{dim: mode}`` for every dim in ``dims``.

    Raises
    ------
    ValueError
        For an unknown mode, or a dict naming a dim that is not differentiated.

    Examples
    --------
    >>> resolve_boundary({"x": "periodic"}, ["x", "y"])
    {'x': 'periodic', 'y': 'one_sided'}
    """
    dims = list(dims)
    defaults = dict(defaults or {})
    if boundary is None:
        boundary = {}
    if isinstance(boundary, Mapping):
        extra = [d for d in boundary if d not in dims]
        if extra:
            raise ValueError(
                f"boundary names dim(s) {extra} that are not differentiated; "
                f"the dims differentiated are {dims}"
            )
        return {d: _check_mode(boundary.get(d, defaults.get(d, DEFAULT_BOUNDARY)), d) for d in dims}
    return {d: _check_mode(boundary, d) for d in dims}
