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

import numpy as np

_EXPONENT = re.compile(r"(?<=[A-Za-z_])(\^|\*\*)?(-?\d+)\b")
# A number standing alone is a scale factor (CF's canonical salinity unit ``1e-3``);
# pint would read the ``e`` of ``1e-3`` as the elementary charge.
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# Celsius spelled the UDUNITS way with a space (``deg C``: pint reads degree * coulomb).
_CELSIUS = re.compile(r"\b(?:deg|degree|degrees)[ _]?(?:C|Celsius|celsius)\b")
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
# Words pint reads as something no geoscience file means by them: ``ppt`` (parts
# per thousand, not pico-pints).
_OPERATORS = ("**", "^", "/", "*")
_AMBIGUOUS = frozenset({"ppt"})
# Offset temperatures: a derivative (a difference) of degC is in kelvin.
_OFFSET = {"degree_Celsius": "kelvin"}
_CF_SYMBOL = {"deg": "degree", "delta_degC": "K", "°C": "degC", "%": "percent"}


@lru_cache(maxsize=1)
def registry():
    """The shared pint registry (created once, on first use)."""
    import pint

    return pint.UnitRegistry(cache_folder=":auto:")


@lru_cache(maxsize=1)
def _constants() -> frozenset[str]:
    """Names of pint's physical constants, which no unit attribute means.

    pint defines them as units (``e`` elementary charge, ``sigma`` Stefan-Boltzmann,
    ``c``, ``k``, ``R``...): a coordinate named ``sigma`` with ``units="sigma"`` would
    otherwise give a derivative "per Stefan-Boltzmann constant". Read from pint's
    own constants file, so that the list follows pint.
    """
    from pathlib import Path

    import pint

    names = set()
    path = Path(pint.__file__).with_name("constants_en.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        head = line.split("#", 1)[0]
        if "=" in head and not head.startswith((" ", "@")):
            names.add(head.split("=", 1)[0].strip())
    # Units that the constants file also defines and files do use.
    return frozenset(names - {"standard_atmosphere"})


def normalise(text: str) -> str:
    """A CF/UDUNITS unit string spelled for pint's parser.

    Examples
    --------
    >>> normalise("m s-1")
    'm s**-1'
    """
    return " ".join(_normalise_word(w) for w in _words(text))


def _words(text: str) -> list[str]:
    return [_ALIASES.get(w, w) for w in _CELSIUS.sub("degC", text.replace("·", " ")).split()]


def _normalise_word(word: str) -> str:
    return word if _NUMBER.match(word) else _EXPONENT.sub(r"**\2", word)


def _parse(text: object):
    """The pint quantity (scale times units) a unit string means, or None.

    None for what cannot be read safely: not a string, empty (an empty ``units``
    says nothing), unknown to pint, a physical constant, an ambiguous word.
    Offset temperatures are read as their differences (``degC`` as ``K``): every
    caller derives units of derivatives.
    """
    if not isinstance(text, str):
        return None
    return _parse_cached(text.strip())


@lru_cache(maxsize=512)
def _parse_cached(text: str):
    ureg = registry()
    scale, words = 1.0, []
    for word in _words(text):
        # ``K / km ** 2`` (pint's own spelling): a number after an operator is pint's.
        if _NUMBER.match(word) and not (words and words[-1] in _OPERATORS):
            scale *= float(word)
        elif word in _AMBIGUOUS:
            return None
        else:
            words.append(_normalise_word(word))
    if not text:
        return None
    try:
        units = ureg.parse_units(" ".join(words)) if words else ureg.dimensionless
    except Exception:  # pint raises many types for unreadable strings
        return None
    names = dict(units._units)
    if any(name in _constants() for name in names):
        return None
    if not ureg.Quantity(1.0, units)._is_multiplicative:
        if len(names) != 1 or next(iter(names.values())) != 1 or next(iter(names)) not in _OFFSET:
            return None  # degF, or degC times something: not safe to read
        units = ureg.parse_units(_OFFSET[next(iter(names))])
    return ureg.Quantity(scale, units)


def _is_offset(text: object) -> bool:
    """True for an offset temperature (``degC``), which has no conversion factor."""
    return isinstance(text, str) and _is_offset_text(text)


@lru_cache(maxsize=512)
def _is_offset_text(text: str) -> bool:
    # Cached as _parse is: factor() asks twice a call, with the same few strings.
    try:
        units = registry().parse_units(normalise(text))
    except Exception:  # unreadable: not an offset unit either
        return False
    return not registry().Quantity(1.0, units)._is_multiplicative


def _format_scale(scale: float) -> str:
    exponent = np.log10(abs(scale)) if scale else 0.0
    if scale > 0 and abs(exponent - round(exponent)) < 1e-9 and abs(exponent) >= 3:
        return f"1e{round(exponent)}"
    return f"{scale:.6g}"


def format_cf(units) -> str:
    """Write pint units the CF way: ``K m-1``, ``m2 s-2``; ``1`` for dimensionless.

    A quantity's magnitude is written as a leading scale factor (``1e-3 m-1``).

    Examples
    --------
    >>> format_cf(registry().parse_units("m/s**2"))
    'm s-2'
    >>> format_cf(registry().Quantity(1e-3, "1/m"))
    '1e-3 m-1'
    """
    ureg = registry()
    scale = 1.0
    if hasattr(units, "magnitude"):
        scale, units = float(units.magnitude), units.units
    items = sorted(dict(units._units).items(), key=lambda kv: (kv[1] < 0,))
    parts = []
    for name, power in items:
        symbol = ureg.get_symbol(name)
        symbol = _CF_SYMBOL.get(symbol, symbol)
        power = int(power) if float(power).is_integer() else power
        parts.append(symbol if power == 1 else f"{symbol}{power}")
    if not np.isclose(scale, 1.0, rtol=1e-12, atol=0.0):
        parts.insert(0, _format_scale(scale))
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
        CF-style units of the derivative; None when a unit cannot be read safely
        (unknown, empty, a pint constant such as ``sigma``), never a guess.

    Examples
    --------
    >>> combine("K", ["m"])
    'K m-1'
    >>> combine("m s**-1", ["m"])
    's-1'
    >>> combine("1e-3", ["m"])
    '1e-3 m-1'
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


def power(numerator: object, exponent: int, denominators: list[object]) -> str | None:
    """Units of ``numerator**exponent / prod(denominators)``, or None when any is unknown.

    Examples
    --------
    >>> power("m s-1", 2, ["m", "m"])
    's-2'
    """
    if not isinstance(numerator, str) or any(not isinstance(d, str) for d in denominators):
        return None
    return _power(numerator, exponent, tuple(denominators))


@lru_cache(maxsize=512)
def _power(numerator: str, exponent: int, denominators: tuple[str, ...]) -> str | None:
    parsed = [_parse(u) for u in [numerator, *denominators]]
    if any(p is None for p in parsed):
        return None
    result = parsed[0] ** exponent
    for p in parsed[1:]:
        result = result / p
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
    if not isinstance(source, str) or _is_offset(source) or _is_offset(target):
        return None  # an offset (degC to K) is not a factor
    src, dst = _parse(source), _parse(target)
    if src is None or dst is None:
        return None
    try:
        return float(src.to(dst).magnitude)
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
    return _product(parts)


@lru_cache(maxsize=512)
def _product(parts: tuple[str, ...]) -> str | None:
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

    Data and coordinates alike (pint-xarray's ``quantify`` puts the index
    coordinates' units in a ``PintIndex``, which pandas cannot read); each
    becomes its magnitude with a ``units`` attribute. Returns the plain object and
    the quantities' registry (None when nothing was quantified). Anything else
    comes back as it is.
    """
    import xarray as xr

    if not isinstance(obj, (xr.DataArray, xr.Dataset)):
        return obj, None
    coords = [n for n, v in obj.coords.variables.items() if is_quantity(v.data)]
    reg = None
    if coords:
        plain = {n: _plain_variable(obj.coords.variables[n]) for n in coords}
        reg = obj.coords.variables[coords[0]].data._REGISTRY
        # Dropped first: assigning over a PintIndex would keep it; a plain dim
        # coordinate gets a plain pandas index back.
        obj = obj.drop_vars(coords).assign_coords(plain)
    if isinstance(obj, xr.Dataset):
        quantities = [name for name, da in obj.data_vars.items() if is_quantity(da.data)]
        if quantities:
            obj = obj.copy()
            for name in quantities:
                obj[name], reg = dequantify(obj[name])
        return obj, reg
    if is_quantity(obj.data):
        q = obj.data
        reg = q._REGISTRY
        obj = obj.copy(data=q.magnitude)
        obj.attrs["units"] = format_cf(q.units)
    return obj, reg


def _plain_variable(var):
    """A quantified Variable as its magnitude, with its units as an attribute."""
    import xarray as xr

    q = var.data
    return xr.Variable(var.dims, q.magnitude, {**var.attrs, "units": format_cf(q.units)})


def _quantified_coords(obj: object):
    """The quantified coordinates of ``obj`` (with their indexes), or None."""
    import xarray as xr

    if not isinstance(obj, (xr.DataArray, xr.Dataset)):
        return None
    names = [n for n, v in obj.coords.variables.items() if is_quantity(v.data)]
    if not names:
        return None
    return xr.Coordinates(
        {n: obj.coords.variables[n] for n in names},
        indexes={n: obj.xindexes[n] for n in names if n in obj.xindexes},
    )


def _restore_coords(obj: object, coords) -> object:
    """``obj`` with the quantified ``coords`` of the input back where it has them."""
    import xarray as xr

    if coords is None or not isinstance(obj, (xr.DataArray, xr.Dataset)):
        return obj
    names = [
        n
        for n in coords.variables
        if n in obj.coords
        and obj.coords[n].dims == coords.variables[n].dims
        and obj.coords[n].shape == coords.variables[n].shape
    ]
    if not names:
        return obj
    keep = xr.Coordinates(
        {n: coords.variables[n] for n in names},
        indexes={n: coords.xindexes[n] for n in names if n in coords.xindexes},
    )
    return obj.drop_vars(names).assign_coords(keep)


def requantify(obj: object, ureg) -> object:
    """Results with a ``units`` attribute as pint quantities of ``ureg``.

    A scale factor in the units (``1e-3 m-1``) goes into the magnitude: a pint
    unit has none. Units that cannot be read safely stay an attribute.
    """
    import xarray as xr

    if isinstance(obj, xr.Dataset):
        out = obj.copy()
        for name, da in obj.data_vars.items():
            out[name] = requantify(da, ureg)
        return out
    if not isinstance(obj, xr.DataArray):
        return obj
    parsed = _parse(obj.attrs.get("units"))
    if parsed is None:
        return obj
    attrs = {k: v for k, v in obj.attrs.items() if k != "units"}
    scale = float(parsed.magnitude)
    data = obj.data * scale if scale != 1.0 else obj.data
    data = ureg.Quantity(data, ureg.parse_units(str(parsed.units)))
    return xr.DataArray(data, dims=obj.dims, coords=obj.coords, name=obj.name, attrs=attrs)


def quantified(func):
    """Let ``func`` take pint-quantified xarray objects and give them back quantified.

    Quantities in the arguments (pint-xarray's ``quantify``, data and coordinates)
    are read through their units (``units`` attributes, which the operators derive
    from); when any was quantified, each result variable with ``units`` comes back
    as a quantity of the same registry, and the quantified coordinates of the
    input are put back on the result. Without pint data nothing changes. The
    result's attrs follow the one policy of :mod:`fieldops._attrs`.
    """
    import functools

    from fieldops import _attrs

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003 (the signature is func's)
        regs = []
        coords = []

        def plain(obj: object) -> object:
            quantified_coords = _quantified_coords(obj)
            out, reg = dequantify(obj)
            if reg is not None:
                regs.append(reg)
                coords.append(quantified_coords)
            return out

        args = tuple(plain(a) for a in args)
        kwargs = {k: plain(v) for k, v in kwargs.items()}
        result = func(*args, **kwargs)
        # The one attribute policy (fieldops._attrs), applied where every public
        # operator passes.
        drop = getattr(func, "_fieldops_drop", _attrs.DROPPED)
        result = _attrs.finish(func, args, kwargs, result, drop=drop)
        if not regs:
            return result
        return _restore_coords(requantify(result, regs[0]), coords[0])

    return wrapper
