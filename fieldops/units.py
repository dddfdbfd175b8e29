"""Units of derived quantities, through pint, written in CF/UDUNITS style.

Unit strings in files come in several spellings (``m s-1``, ``m s**-1``,
``m/s``, ``m**2 s**-2``, ``degrees_north``); they are normalised for pint, the
algebra is pint's, and the result is written the CF way (``K m-1``). A string
pint cannot read gives a result without units, never an error. pint's registry
is loaded on first use (~0.3 s), so an import of fieldops does not pay for it.
"""

from __future__ import annotations

import re
from functools import lru_cache

_EXPONENT = re.compile(r"(?<=[A-Za-z_])(\^|\*\*)?(-?\d+)\b")
_ALIASES = {
    "degrees_north": "degree",
    "degree_north": "degree",
    "degrees_N": "degree",
    "degreesN": "degree",
    "degrees_east": "degree",
    "degree_east": "degree",
    "degrees_E": "degree",
    "degreesE": "degree",
    "degrees": "degree",
}
_CF_SYMBOL = {"deg": "degree", "delta_degC": "K"}


@lru_cache(maxsize=1)
def registry():
    """The shared pint registry (created once, on first use)."""
    import pint

    return pint.UnitRegistry(cache_folder=":auto:")


def normalise(text: str) -> str:
    """A CF/UDUNITS unit string spelled for pint's parser.

    Examples
    --------
    >>> normalise("m s-1")
    'm s**-1'
    """
    words = [_ALIASES.get(w, w) for w in text.replace("·", " ").split()]
    return " ".join(_EXPONENT.sub(r"**\2", w) for w in words)


@lru_cache(maxsize=512)
def _parse(text: str):
    ureg = registry()
    try:
        return (
            ureg.parse_units(normalise(text))
            if text.strip() not in ("1", "")
            else ureg.dimensionless
        )
    except Exception:  # pint raises many types for unreadable strings
        return None


def format_cf(units) -> str:
    """Write pint units the CF way: ``K m-1``, ``m2 s-2``; ``1`` for dimensionless.

    Examples
    --------
    >>> format_cf(registry().parse_units("m/s**2"))
    'm s-2'
    """
    ureg = registry()
    items = sorted(dict(units._units).items(), key=lambda kv: (kv[1] < 0,))
    parts = []
    for name, power in items:
        symbol = ureg.get_symbol(name)
        symbol = _CF_SYMBOL.get(symbol, symbol)
        power = int(power) if float(power).is_integer() else power
        parts.append(symbol if power == 1 else f"{symbol}{power}")
    return " ".join(parts) or "1"


def combine(numerator: object, denominators: list[object]) -> str | None:
    """Units of ``numerator / (d1 * d2 * ...)``, or None when any is unknown.

    Parameters
    ----------
    numerator : str or None
        Units of the differentiated data.
    denominators : list of str or None
        Units of each coordinate differentiated along (repeat for higher orders).

    Returns
    -------
    str or None
        CF-style units of the derivative.

    Examples
    --------
    >>> combine("K", ["m"])
    'K m-1'
    >>> combine("m s**-1", ["m"])
    's-1'
    >>> combine("K", ["furlongs_per_blorp"]) is None
    True
    """
    if not isinstance(numerator, str) or any(not isinstance(d, str) for d in denominators):
        return None
    return _combine(numerator, tuple(denominators))


@lru_cache(maxsize=512)
def _combine(numerator: str, denominators: tuple[str, ...]) -> str | None:
    # Cached: pint's unit algebra costs ~100 us a call, the same few pairs recur.
    result = _parse(numerator)
    if result is None:
        return None
    for den in denominators:
        parsed = _parse(den)
        if parsed is None:
            return None
        result = result / parsed
    return format_cf(result)


def factor(source: object, target: str) -> float | None:
    """The number that converts values in ``source`` units to ``target`` units.

    None when either is unknown or they measure different things.

    Examples
    --------
    >>> factor("km", "m")
    1000.0
    >>> round(factor("knots", "m s-1"), 6)
    0.514444
    >>> factor("K", "m") is None
    True
    """
    if not isinstance(source, str):
        return None
    src, dst = _parse(source), _parse(target)
    if src is None or dst is None:
        return None
    ureg = registry()
    try:
        return float(ureg.Quantity(1.0, src).to(dst).magnitude)
    except Exception:  # DimensionalityError and friends
        return None


def product(*parts: object) -> str | None:
    """CF-style units of a product, or None when any is unknown.

    Examples
    --------
    >>> product("K m-1", "m s**-1")
    'K s-1'
    """
    if any(not isinstance(p, str) for p in parts):
        return None
    parsed = [_parse(p) for p in parts]
    if any(p is None for p in parsed):
        return None
    result = parsed[0]
    for p in parsed[1:]:
        result = result * p
    return format_cf(result)


# --------------------------------------------------------------------------- pint data


def is_quantity(data: object) -> bool:
    """True for pint quantities (what pint-xarray's ``quantify`` puts in ``.data``)."""
    return hasattr(data, "magnitude") and hasattr(data, "units") and hasattr(data, "_REGISTRY")


def dequantify(obj: object) -> tuple[object, object]:
    """A pint-quantified DataArray (or Dataset) as plain data with ``units`` attributes.

    Returns the plain object and the quantities' registry (None when nothing was
    quantified). Anything else comes back as it is.
    """
    import xarray as xr

    if isinstance(obj, xr.Dataset):
        quantities = [name for name, da in obj.data_vars.items() if is_quantity(da.data)]
        if not quantities:
            return obj, None
        out = obj.copy()
        for name in quantities:
            out[name], reg = dequantify(obj[name])
        return out, reg
    if isinstance(obj, xr.DataArray) and is_quantity(obj.data):
        q = obj.data
        out = obj.copy(data=q.magnitude)
        out.attrs["units"] = format_cf(q.units)
        return out, q._REGISTRY
    return obj, None


def requantify(obj: object, ureg) -> object:
    """Results with a ``units`` attribute as pint quantities of ``ureg``."""
    import xarray as xr

    if isinstance(obj, xr.Dataset):
        out = obj.copy()
        for name, da in obj.data_vars.items():
            out[name] = requantify(da, ureg)
        return out
    if not isinstance(obj, xr.DataArray) or obj.attrs.get("units") is None:
        return obj
    attrs = {k: v for k, v in obj.attrs.items() if k != "units"}
    data = ureg.Quantity(obj.data, ureg.parse_units(normalise(obj.attrs["units"])))
    return xr.DataArray(data, dims=obj.dims, coords=obj.coords, name=obj.name, attrs=attrs)


def quantified(func):
    """Let ``func`` take pint-quantified xarray objects and give them back quantified.

    Quantities in the arguments (pint-xarray's ``quantify``) are read through their
    units (``units`` attributes, which the operators derive from); when any was
    quantified, each result variable with ``units`` comes back as a quantity of the
    same registry. Without pint data nothing changes.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003 (the signature is func's)
        regs = []

        def plain(obj: object) -> object:
            out, reg = dequantify(obj)
            if reg is not None:
                regs.append(reg)
            return out

        args = tuple(plain(a) for a in args)
        kwargs = {k: plain(v) for k, v in kwargs.items()}
        result = func(*args, **kwargs)
        return requantify(result, regs[0]) if regs else result

    return wrapper
