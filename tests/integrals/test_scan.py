"""The threaded in-place scan gives numpy's cumsum, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from fieldops.integrals.scan import cumsum_inplace


@pytest.mark.parametrize(
    ("shape", "axis"),
    [((700, 600), 0), ((700, 600), 1), ((3, 300, 400), 1), ((7, 3, 2000), 2), ((5,), 0)],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bits_of_numpy_cumsum(shape, axis, dtype):
    a = np.random.default_rng(0).normal(size=shape).astype(dtype)
    expected = np.cumsum(a, axis=axis)
    got = cumsum_inplace(a.copy(), axis)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == dtype


def test_non_contiguous_falls_back_to_numpy():
    a = np.random.default_rng(1).normal(size=(40, 30))
    view = a.T  # not C-contiguous
    np.testing.assert_array_equal(cumsum_inplace(view.copy(order="F"), 0), np.cumsum(view, 0))
