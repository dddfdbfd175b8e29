"""Bad input: each gives a clear error naming the problem and the fix."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import fieldops


def _da(n=10, x=None, data=None, name="t"):
    x = np.arange(float(n)) if x is None else np.asarray(x)
    data = np.arange(float(x.size)) if data is None else data
    return xr.DataArray(data, dims="x", coords={"x": x}, name=name)


CASES = [
    ("unknown dim", lambda: fieldops.diff(_da(), "y"), ValueError, "'y' not found"),
    ("unknown dim lists dims", lambda: fieldops.diff(_da(), "y"), ValueError, "['x']"),
    ("too few points", lambda: fieldops.diff(_da(4), "x", accuracy=4), ValueError, "at least 5"),
    ("too few points names dim", lambda: fieldops.diff(_da(2), "x"), ValueError, "dim 'x' has 2"),
    (
        "non-monotonic",
        lambda: fieldops.diff(_da(x=[0.0, 1.0, 3.0, 2.0, 4.0]), "x"),
        ValueError,
        "index 3",
    ),
    (
        "repeated coordinate",
        lambda: fieldops.diff(_da(x=[0.0, 1.0, 1.0, 2.0]), "x"),
        ValueError,
        "repeats at index 2",
    ),
    (
        "NaN coordinate",
        lambda: fieldops.diff(_da(x=[0.0, np.nan, 2.0, 3.0]), "x"),
        ValueError,
        "non-finite value at index 1",
    ),
    ("odd accuracy", lambda: fieldops.diff(_da(), "x", accuracy=3), ValueError, "even integer"),
    ("zero accuracy", lambda: fieldops.diff(_da(), "x", accuracy=0), ValueError, "even integer"),
    ("negative accuracy", lambda: fieldops.diff(_da(), "x", accuracy=-2), ValueError, "even"),
    (
        "order zero",
        lambda: fieldops.diff(_da(), "x", 0),
        ValueError,
        "order must be an integer >= 1",
    ),
    ("fractional order", lambda: fieldops.diff(_da(), "x", 1.5), ValueError, "order must be"),
    (
        "unknown boundary",
        lambda: fieldops.diff(_da(), "x", boundary="wrap"),
        ValueError,
        "unknown boundary mode 'wrap'",
    ),
    (
        "boundary dict names other dim",
        lambda: fieldops.diff(_da(), "x", boundary={"y": "fill"}),
        ValueError,
        "not differentiated",
    ),
    (
        "string data",
        lambda: fieldops.diff(_da(data=np.array(list("abcdefghij"))), "x"),
        TypeError,
        "non-numeric dtype",
    ),
    (
        "object data",
        lambda: fieldops.diff(_da(data=np.array([None] * 10, dtype=object)), "x"),
        TypeError,
        "non-numeric",
    ),
    (
        "complex data",
        lambda: fieldops.diff(_da(data=np.ones(10, complex)), "x"),
        TypeError,
        ".real and .imag",
    ),
    (
        "string coordinate",
        lambda: fieldops.diff(_da(x=np.array(list("abcdefghij"))), "x"),
        TypeError,
        "non-numeric dtype",
    ),
    (
        "non-uniform periodic without period",
        lambda: fieldops.diff(_da(x=[0.0, 1.0, 3.0, 4.0, 6.0]), "x", boundary="periodic"),
        ValueError,
        "period=",
    ),
    (
        "period shorter than span",
        lambda: fieldops.diff(_da(), "x", boundary="periodic", period=3),
        ValueError,
        "must exceed",
    ),
    (
        "negative period",
        lambda: fieldops.diff(_da(), "x", boundary="periodic", period=-1),
        ValueError,
        "positive",
    ),
    (
        "datetime unit on numbers",
        lambda: fieldops.diff(_da(), "x", datetime_unit="D"),
        ValueError,
        "not a time",
    ),
    ("not xarray", lambda: fieldops.diff(np.arange(5.0), "x"), TypeError, "DataArray or Dataset"),
    (
        "dataset without the dim",
        lambda: fieldops.diff(xr.Dataset({"a": ("z", np.arange(9.0))}, coords={"x": [1]}), "x"),
        ValueError,
        "no numeric data variable",
    ),
]


@pytest.mark.parametrize(
    ("call", "exc", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)
    assert "numba" not in str(info.value).lower()
