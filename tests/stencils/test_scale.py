"""The in-place map-factor pass: numpy's broadcasting product, on one thread or several."""

from __future__ import annotations

import numpy as np
import pytest

import fieldops
from fieldops.stencils.scale import scale_inplace


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
def test_scale_inplace_is_the_broadcast_product(dtype, threads):
    rng = np.random.default_rng(0)
    data = rng.normal(size=(2, 3, 190, 170)).astype(dtype)  # big enough for the threads
    factor = rng.uniform(0.9, 1.2, size=(190, 170))
    expected = data * factor.astype(dtype)
    before = fieldops.get_num_threads()
    fieldops.set_num_threads(threads)
    try:
        scale_inplace(data, factor)
    finally:
        fieldops.set_num_threads(before)
    np.testing.assert_array_equal(data, expected)
