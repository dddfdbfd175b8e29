"""A vector (or tensor) result as a Dataset of named component variables.

``g.to_dataset(dim="component")`` cannot work on a vector result: its component
labels are the names of its dims, and a variable may not share a name with a
dim. :func:`to_dataset` names the variables instead: ``eastward_<name>`` and
``northward_<name>`` for the physical components on a sphere or curvilinear grid
(the directions the result's ``component_directions`` attribute gives), and
``<name>_<label>`` for the others.
"""

from __future__ import annotations

from collections.abc import Hashable

import xarray as xr

from fieldops.calculus.fields import COMPONENT, as_vector

DIRECTIONS_ATTR = "component_directions"


def directions(vector: xr.DataArray) -> dict[Hashable, str]:
    """``{label: direction}`` read from a vector's ``component_directions`` attribute.

    The attribute is CF-like ``"lat: northward lon: eastward"``, as the physical
    operators write it; labels without a direction are left out.

    Examples
    --------
    >>> import numpy as np
    >>> v = xr.DataArray(np.zeros((2, 1)), dims=("component", "x"),
    ...                  attrs={"component_directions": "lat: northward lon: eastward"})
    >>> directions(v)
    {'lat': 'northward', 'lon': 'eastward'}
    """
    text = vector.attrs.get(DIRECTIONS_ATTR)
    if not isinstance(text, str):
        return {}
    words = text.replace(":", ": ").split()
    out: dict[Hashable, str] = {}
    for key, value in zip(words[::2], words[1::2]):
        out[key.rstrip(":")] = value
    return out


def to_dataset(vector: xr.DataArray, *, name: Hashable | None = None) -> xr.Dataset:
    """A vector field's components as the variables of a Dataset.

    Parameters
    ----------
    vector : DataArray
        A vector (or tensor) field with a ``component`` dim labelled by the dims
        its components point along: a result of :func:`fieldops.grad`,
        :func:`fieldops.hessian`, :func:`fieldops.jacobian`, ...
    name : hashable, optional
        Stem of the variable names; the vector's name (``grad_t``) by default,
        ``"vector"`` when it has none.

    Returns
    -------
    Dataset
        One variable per component, without the ``component`` dim: named
        ``eastward_<name>``/``northward_<name>`` for the physical components on a
        sphere or curvilinear grid, ``<name>_<label>`` for the others (a vertical
        dim, a cartesian grid). Each keeps the vector's attrs (``units``, kept
        attributes); its ``long_name`` says which component it is. Lazy and
        chunked like the input on Dask.

    Raises
    ------
    TypeError
        Not a DataArray (a Dataset already has variables).
    ValueError
        No labelled ``component`` dim, or two components that would get one name.

    Examples
    --------
    >>> import numpy as np, fieldops
    >>> lat = np.linspace(-60.0, 60.0, 5)
    >>> lon = np.arange(0.0, 360.0, 45.0)
    >>> t = xr.DataArray(np.cos(np.deg2rad(lat))[:, None] + 0 * lon, name="t",
    ...                  dims=("lat", "lon"), coords={"lat": lat, "lon": lon},
    ...                  attrs={"units": "K"})
    >>> ds = fieldops.to_dataset(fieldops.grad(t))
    >>> list(ds.data_vars), ds["eastward_grad_t"].attrs["units"]
    (['northward_grad_t', 'eastward_grad_t'], 'K m-1')
    >>> x = xr.DataArray(np.arange(4.0), dims="x", coords={"x": np.arange(4.0)})
    >>> list(fieldops.to_dataset(fieldops.grad((x**2).rename("f"))).data_vars)
    ['grad_f_x']
    """
    if not isinstance(vector, xr.DataArray):
        raise TypeError(
            f"to_dataset takes a vector DataArray (with a {COMPONENT!r} dim, e.g. "
            f"fieldops.grad(t)), got {type(vector).__name__}"
        )
    vec = as_vector(vector, None)
    stem = name if name is not None else vector.name if vector.name is not None else "vector"
    found = directions(vec)
    long_name = vec.attrs.get("long_name")
    attrs = {k: v for k, v in vec.attrs.items() if k != DIRECTIONS_ATTR}
    out: dict[Hashable, xr.DataArray] = {}
    for label in vec[COMPONENT].values.tolist():
        direction = found.get(label)
        var_name = f"{direction}_{stem}" if direction else f"{stem}_{label}"
        if var_name in out:
            raise ValueError(
                f"two components would both be named {var_name!r}; pass name= or relabel "
                f"the {COMPONENT!r} dim"
            )
        var = vec.sel({COMPONENT: label}, drop=True).drop_attrs(deep=False)
        which = f"{direction} ({label})" if direction else repr(label)
        var.attrs = {
            **attrs,
            "long_name": f"{which} component of {long_name or stem}",
        }
        out[var_name] = var.rename(var_name)
    return xr.Dataset(out)
