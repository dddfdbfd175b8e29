"""CF parametric vertical coordinates: the height or pressure of every grid point.

A model level coordinate (``lev``, ``s_rho``) carries a ``standard_name`` from
appendix D of the CF conventions and a ``formula_terms`` attribute naming the
variables of its formula (``"a: hyam b: hybm p0: P0 ps: PS"``).
:func:`vertical_coordinate` reads both and builds the dimensional coordinate,
lazily (xarray arithmetic on the terms, so Dask terms stay Dask), with units.

The formulas (CF 1.11, appendix D; ``k`` the level, ``n`` time, ``j, i`` the
horizontal indices)::

    atmosphere_ln_pressure_coordinate     p = p0 exp(-lev)
    atmosphere_sigma_coordinate           p = ptop + sigma (ps - ptop)
    atmosphere_hybrid_sigma_pressure_coordinate
                                          p = a p0 + b ps   or   p = ap + b ps
    atmosphere_hybrid_height_coordinate   z = a + b orog
    ocean_sigma_coordinate                z = eta + sigma (depth + eta)
    ocean_s_coordinate                    z = eta (1 + s) + depth_c s + (depth - depth_c) C
        C = (1 - b) sinh(a s) / sinh(a)
            + b [tanh(a (s + 1/2)) / (2 tanh(a / 2)) - 1/2]
    ocean_s_coordinate_g1                 z = S + eta (1 + S / depth),
                                          S = depth_c s + (depth - depth_c) C
    ocean_s_coordinate_g2                 z = eta + (eta + depth) S,
                                          S = (depth_c s + depth C) / (depth_c + depth)
    ocean_sigma_z_coordinate              z = eta + sigma (min(depth_c, depth) + eta)
                                          for the first nsigma levels, z = zlev below

The ocean ``z`` is height (positive up, negative below the sea surface) in the
units of ``depth``; pressures are in the units of ``ps`` (``p0`` for the
ln-pressure coordinate); hybrid height in the units of ``a``. Terms in other
but convertible units are converted (``p0`` in hPa with ``ps`` in Pa).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import xarray as xr

from fieldops import units as _units

__all__ = [
    "FORMULAS",
    "describe_vertical",
    "find_level_coordinate",
    "parse_formula_terms",
    "vertical_coordinate",
]

PRESSURE, HEIGHT = "pressure", "height"

# standard name: (what it gives, the terms it needs, the optional ones)
FORMULAS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "atmosphere_ln_pressure_coordinate": (PRESSURE, ("p0", "lev"), ()),
    "atmosphere_sigma_coordinate": (PRESSURE, ("sigma", "ps", "ptop"), ()),
    "atmosphere_hybrid_sigma_pressure_coordinate": (PRESSURE, ("b", "ps"), ("a", "p0", "ap")),
    "atmosphere_hybrid_height_coordinate": (HEIGHT, ("a", "b", "orog"), ()),
    "ocean_sigma_coordinate": (HEIGHT, ("sigma", "eta", "depth"), ()),
    "ocean_s_coordinate": (HEIGHT, ("s", "eta", "depth", "a", "b", "depth_c"), ()),
    "ocean_s_coordinate_g1": (HEIGHT, ("s", "C", "eta", "depth", "depth_c"), ()),
    "ocean_s_coordinate_g2": (HEIGHT, ("s", "C", "eta", "depth", "depth_c"), ()),
    "ocean_sigma_z_coordinate": (
        HEIGHT,
        ("sigma", "eta", "depth", "depth_c", "nsigma", "zlev"),
        (),
    ),
}
_COMPUTED = {PRESSURE: "air_pressure", HEIGHT: "altitude"}
_FORMULA_TEXT = {
    "atmosphere_ln_pressure_coordinate": "p = p0 exp(-lev)",
    "atmosphere_sigma_coordinate": "p = ptop + sigma (ps - ptop)",
    "atmosphere_hybrid_sigma_pressure_coordinate": "p = a p0 + b ps  (or ap + b ps)",
    "atmosphere_hybrid_height_coordinate": "z = a + b orog",
    "ocean_sigma_coordinate": "z = eta + sigma (depth + eta)",
    "ocean_s_coordinate": "z = eta (1 + s) + depth_c s + (depth - depth_c) C(s; a, b)",
    "ocean_s_coordinate_g1": "z = S + eta (1 + S / depth), S = depth_c s + (depth - depth_c) C",
    "ocean_s_coordinate_g2": (
        "z = eta + (eta + depth) S, S = (depth_c s + depth C) / (depth_c + depth)"
    ),
    "ocean_sigma_z_coordinate": "z = eta + sigma (min(depth_c, depth) + eta); zlev below nsigma",
}


def parse_formula_terms(text: object, name: Hashable = "") -> dict[str, str]:
    """``"a: hyam b: hybm"`` as ``{"a": "hyam", "b": "hybm"}``.

    Examples
    --------
    >>> parse_formula_terms("a: hyam b: hybm p0: P0 ps: PS")
    {'a': 'hyam', 'b': 'hybm', 'p0': 'P0', 'ps': 'PS'}
    """
    words = str(text).replace(":", ": ").split()
    out: dict[str, str] = {}
    key = None
    for word in words:
        if word.endswith(":"):
            if key is not None:
                break
            key = word[:-1]
        elif key is not None:
            out[key] = word
            key = None
        else:
            key = "?"
            break
    if key is not None or not out:
        raise ValueError(
            f"formula_terms {text!r} of {name!r} cannot be read; CF writes it as "
            "'term: variable term: variable ...' (e.g. 'a: hyam b: hybm p0: P0 ps: PS')"
        )
    return out


def _variables(obj: xr.DataArray | xr.Dataset) -> Mapping[Hashable, xr.DataArray]:
    if isinstance(obj, xr.Dataset):
        return {**obj.coords, **obj.data_vars}
    return dict(obj.coords)


def find_level_coordinate(
    obj: xr.DataArray | xr.Dataset, var: Hashable | xr.DataArray | None = None
) -> xr.DataArray | None:
    """The coordinate with CF ``formula_terms`` on one of ``var``'s dims, or None.

    ``var`` names a variable of ``obj`` (or is a DataArray); None looks at every
    variable of ``obj`` (the first parametric coordinate found).

    Examples
    --------
    >>> lev = xr.DataArray([0.5, 0.9], dims="lev", attrs={
    ...     "standard_name": "atmosphere_sigma_coordinate",
    ...     "formula_terms": "sigma: lev ps: ps ptop: ptop"})
    >>> find_level_coordinate(xr.Dataset(coords={"lev": lev})).name
    'lev'
    """
    found = _variables(obj)
    if isinstance(var, xr.DataArray):
        dims = var.dims
        found = {**found, **dict(var.coords)}
    elif var is not None:
        if var not in found:
            raise ValueError(f"no variable {var!r}; the variables are {sorted(map(str, found))}")
        dims = found[var].dims
    else:
        dims = None
    for name, candidate in found.items():
        if "formula_terms" not in candidate.attrs:
            continue
        if candidate.attrs.get("standard_name") not in FORMULAS:
            continue
        if dims is None or (candidate.ndim == 1 and candidate.dims[0] in dims):
            return candidate.rename(name)
    return None


def vertical_coordinate(
    ds: xr.Dataset | xr.DataArray, var: Hashable | xr.DataArray | None = None
) -> xr.DataArray:
    """The height or pressure of every grid point of ``var``, from CF ``formula_terms``.

    Parameters
    ----------
    ds : Dataset or DataArray
        Holds the level coordinate and the variables its ``formula_terms`` name
        (as coordinates or data variables; a DataArray: as its coordinates).
    var : hashable or DataArray, optional
        The field whose levels are wanted (its level dim carries the coordinate);
        by default the first parametric vertical coordinate of ``ds``.

    Returns
    -------
    DataArray
        Pressure (``standard_name`` ``air_pressure``, ``positive: down``) or
        height (``altitude``, ``positive: up``; below sea level negative) on the
        dims of the terms, ordered like ``var``'s dims; lazy on Dask terms; with
        ``units``. The coordinate's ``computed_standard_name`` is used when given.

    Raises
    ------
    ValueError
        No parametric coordinate; ``formula_terms`` naming variables that are
        not there (named); a term missing from ``formula_terms``; terms whose
        units cannot be converted to one another (named, with their units).

    Examples
    --------
    >>> ds = xr.Dataset(
    ...     {"t": (("lev", "x"), np.zeros((2, 3)))},
    ...     coords={
    ...         "lev": ("lev", [0.5, 1.0], {"standard_name": "atmosphere_sigma_coordinate",
    ...                                     "formula_terms": "sigma: lev ps: ps ptop: ptop"}),
    ...         "ps": ("x", [1e5, 9e4, 8e4], {"units": "Pa"}),
    ...         "ptop": ((), 1e3, {"units": "Pa"}),
    ...     },
    ... )
    >>> p = vertical_coordinate(ds, "t")
    >>> p.dims, p.attrs["units"], float(p[0, 0])
    (('lev', 'x'), 'Pa', 50500.0)
    """
    level = find_level_coordinate(ds, var)
    if level is None:
        raise ValueError(
            "no parametric vertical coordinate found: none of the coordinates on the "
            f"dims of {getattr(var, 'name', var)!r} has a CF standard_name of appendix D "
            f"({', '.join(FORMULAS)}) and a formula_terms attribute; pass the height or "
            "pressure itself (e.g. vertical=ds.z_rho)"
        )
    name = level.attrs["standard_name"]
    kind, needed, optional = FORMULAS[name]
    terms = parse_formula_terms(level.attrs["formula_terms"], level.name)
    variables = _variables(ds)
    if isinstance(var, xr.DataArray):
        variables = {**variables, **dict(var.coords)}
    missing = {t: v for t, v in terms.items() if v not in variables}
    if missing:
        raise ValueError(
            f"formula_terms of {level.name!r} ({name}) names variable(s) that are not in the "
            f"data: {', '.join(f'{t}: {v!r}' for t, v in missing.items())}; open the file "
            "with them (a DataArray carries only its coordinates: pass the Dataset, or "
            "ds.set_coords([...]))"
        )
    absent = [t for t in needed if t not in terms]
    if name == "atmosphere_hybrid_sigma_pressure_coordinate" and not (
        "ap" in terms or {"a", "p0"} <= set(terms)
    ):
        absent.append("ap (or a and p0)")
    if absent:
        raise ValueError(
            f"formula_terms of {level.name!r} ({name}) lacks the term(s) {absent}; CF "
            f"defines it with {list(needed) + list(optional)}"
        )
    t = {k: variables[v] for k, v in terms.items()}
    out = _FORMULA[name](t, level.name)
    order = [d for d in (var.dims if isinstance(var, xr.DataArray) else ()) if d in out.dims]
    if not order and var is not None and not isinstance(var, xr.DataArray):
        order = [d for d in variables[var].dims if d in out.dims]
    out = out.transpose(*order, ...)
    standard = level.attrs.get("computed_standard_name", _COMPUTED[kind])
    attrs = {
        "standard_name": standard,
        "long_name": f"{'pressure' if kind == PRESSURE else 'height'} of the {level.name} "
        f"levels ({name})",
        "units": out.attrs.get("units"),
        "positive": "down" if kind == PRESSURE else "up",
        "axis": "Z",
    }
    return out.rename(_COMPUTED[kind]).assign_attrs({k: v for k, v in attrs.items() if v})


def describe_vertical(ds: xr.Dataset) -> list[str]:
    """Lines that say which parametric vertical coordinate ``ds`` has, for ``fieldops info``.

    Examples
    --------
    >>> lev = xr.DataArray([0.5, 0.9], dims="lev", attrs={
    ...     "standard_name": "atmosphere_sigma_coordinate",
    ...     "formula_terms": "sigma: lev ps: ps ptop: ptop"})
    >>> describe_vertical(xr.Dataset(coords={"lev": lev}))[1]
    '  lev: atmosphere_sigma_coordinate, p = ptop + sigma (ps - ptop)'
    """
    level = find_level_coordinate(ds)
    if level is None:
        return []
    name = level.attrs["standard_name"]
    lines = ["vertical coordinate:", f"  {level.name}: {name}, {_FORMULA_TEXT[name]}"]
    try:
        z = vertical_coordinate(ds)
    except ValueError as err:
        return [*lines, f"  not usable: {err}"]
    lines.append(
        f"  terms: {level.attrs['formula_terms']}; gives {z.attrs.get('standard_name')} in "
        f"{z.attrs.get('units', 'no units')} on {tuple(z.dims)} (--vertical "
        f"{'pressure' if z.attrs.get('positive') == 'down' else 'height'})"
    )
    return lines


# --------------------------------------------------------------------------- the formulas


def _plain(da: xr.DataArray) -> xr.DataArray:
    """``da`` without its coordinates along the level dim's name clashes (data and dims)."""
    return xr.DataArray(
        da.data, dims=da.dims, coords={d: da.coords[d] for d in da.dims if d in da.coords}
    )


def _in(t: Mapping[str, xr.DataArray], names: list[str], level: Hashable) -> list[xr.DataArray]:
    """The terms ``names``, in the units of the first, converted; refused when impossible."""
    units = {n: t[n].attrs.get("units") for n in names}
    target = next((u for u in units.values() if u), None)
    out = []
    for n in names:
        da = _plain(t[n])
        u = units[n]
        if target is not None and u and u != target:
            f = _units.factor(u, target)
            if f is None:
                raise ValueError(
                    f"the formula_terms of {level!r} add terms in units that cannot be "
                    f"converted: {', '.join(f'{k} in {v!r}' for k, v in units.items())}; "
                    "fix the units attribute(s)"
                )
            da = da * f
        out.append(da)
    out[0].attrs["units"] = target
    return out


def _dimensionless(t: Mapping[str, xr.DataArray], names: list[str], level: Hashable) -> list:
    out = []
    for n in names:
        u = t[n].attrs.get("units")
        if u not in (None, "", "1", "level", "layer", "sigma_level") and (
            _units.factor(u, "1") is None
        ):
            raise ValueError(
                f"term {n} of the formula_terms of {level!r} has units {u!r}; CF defines it "
                "as dimensionless: fix the units attribute"
            )
        out.append(_plain(t[n]) * (_units.factor(u, "1") or 1.0 if u else 1.0))
    return out


def _with_units(da: xr.DataArray, units: str | None) -> xr.DataArray:
    return da.assign_attrs(units=units) if units else da


def _ln_pressure(t, level):
    (p0,) = _in(t, ["p0"], level)
    (lev,) = _dimensionless(t, ["lev"], level)
    return _with_units(p0 * np.exp(-lev), p0.attrs.get("units"))


def _sigma(t, level):
    ps, ptop = _in(t, ["ps", "ptop"], level)
    (sigma,) = _dimensionless(t, ["sigma"], level)
    return _with_units(ptop + sigma * (ps - ptop), ps.attrs.get("units"))


def _hybrid_pressure(t, level):
    (b,) = _dimensionless(t, ["b"], level)
    if "ap" in t:
        ps, ap = _in(t, ["ps", "ap"], level)
        return _with_units(ap + b * ps, ps.attrs.get("units"))
    ps, p0 = _in(t, ["ps", "p0"], level)
    (a,) = _dimensionless(t, ["a"], level)
    return _with_units(a * p0 + b * ps, ps.attrs.get("units"))


def _hybrid_height(t, level):
    a, orog = _in(t, ["a", "orog"], level)
    (b,) = _dimensionless(t, ["b"], level)
    return _with_units(a + b * orog, a.attrs.get("units"))


def _ocean_sigma(t, level):
    depth, eta = _in(t, ["depth", "eta"], level)
    (sigma,) = _dimensionless(t, ["sigma"], level)
    return _with_units(eta + sigma * (depth + eta), depth.attrs.get("units"))


def _stretching(s, a, b):
    """C(s) of ocean_s_coordinate (Song and Haidvogel 1994)."""
    return (1 - b) * np.sinh(a * s) / np.sinh(a) + b * (
        np.tanh(a * (s + 0.5)) / (2 * np.tanh(0.5 * a)) - 0.5
    )


def _ocean_s(t, level):
    depth, eta, depth_c = _in(t, ["depth", "eta", "depth_c"], level)
    s, a, b = _dimensionless(t, ["s", "a", "b"], level)
    c = _stretching(s, a, b)
    z = eta * (1 + s) + depth_c * s + (depth - depth_c) * c
    return _with_units(z, depth.attrs.get("units"))


def _ocean_s_g1(t, level):
    depth, eta, depth_c = _in(t, ["depth", "eta", "depth_c"], level)
    s, c = _dimensionless(t, ["s", "C"], level)
    big_s = depth_c * s + (depth - depth_c) * c
    return _with_units(big_s + eta * (1 + big_s / depth), depth.attrs.get("units"))


def _ocean_s_g2(t, level):
    depth, eta, depth_c = _in(t, ["depth", "eta", "depth_c"], level)
    s, c = _dimensionless(t, ["s", "C"], level)
    big_s = (depth_c * s + depth * c) / (depth_c + depth)
    return _with_units(eta + (eta + depth) * big_s, depth.attrs.get("units"))


def _sigma_z(t, level):
    depth, eta, depth_c, zlev = _in(t, ["depth", "eta", "depth_c", "zlev"], level)
    (sigma,) = _dimensionless(t, ["sigma"], level)
    nsigma = int(np.asarray(t["nsigma"].values).item())
    if sigma.ndim != 1:
        raise ValueError(f"sigma of {level!r} must be 1-D along the level dim")
    dim = sigma.dims[0]
    # The first nsigma levels (in the order of the level dim) are sigma levels,
    # the others z levels (CF: "for k <= nsigma", k counted from 1).
    is_sigma = xr.DataArray(np.arange(sigma.sizes[dim]) < nsigma, dims=dim)
    upper = eta + sigma.fillna(0.0) * (np.minimum(depth_c, depth) + eta)
    z = xr.where(is_sigma, upper, zlev)
    return _with_units(z, depth.attrs.get("units"))


_FORMULA = {
    "atmosphere_ln_pressure_coordinate": _ln_pressure,
    "atmosphere_sigma_coordinate": _sigma,
    "atmosphere_hybrid_sigma_pressure_coordinate": _hybrid_pressure,
    "atmosphere_hybrid_height_coordinate": _hybrid_height,
    "ocean_sigma_coordinate": _ocean_sigma,
    "ocean_s_coordinate": _ocean_s,
    "ocean_s_coordinate_g1": _ocean_s_g1,
    "ocean_s_coordinate_g2": _ocean_s_g2,
    "ocean_sigma_z_coordinate": _sigma_z,
}
