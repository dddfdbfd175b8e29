"""Spectral (FFT) derivatives along a periodic, uniformly sampled axis.

Exact to roundoff for band-limited fields. The transform needs the whole axis, so
on Dask the axis must be one chunk (``map_blocks``, no halo, nothing computed at
call time); a chunked axis is an error that says how to rechunk. NaN anywhere
along the axis spoils the whole line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fieldops.stencils.apply import float_dtype


@dataclass(frozen=True)
class SpectralOperator:
    """The ``order``-th derivative along an axis of ``n`` points spaced ``step``.

    ``step`` is signed: a descending coordinate gives the derivative with respect
    to the coordinate, as the stencils do.
    """

    n: int
    order: int
    step: float

    def multiplier(self) -> np.ndarray:
        """``(i k)^order`` for the ``rfft`` frequencies, Nyquist handled.

        For odd orders the Nyquist mode of an even ``n`` is dropped: its derivative
        is not representable by a real sampled signal.

        Examples
        --------
        >>> SpectralOperator(4, 1, np.pi / 2).multiplier()
        array([0.+0.j, 0.+1.j, 0.+0.j])
        """
        k = 2.0 * np.pi * np.fft.rfftfreq(self.n, d=abs(self.step)) * np.sign(self.step)
        mult = (1j * k) ** self.order
        if self.n % 2 == 0 and self.order % 2 == 1:
            mult[-1] = 0.0
        return mult

    def apply(self, data: np.ndarray, axis: int) -> np.ndarray:
        """Differentiate a numpy array along ``axis`` (computed in float64).

        Examples
        --------
        >>> x = np.arange(8) * 2 * np.pi / 8
        >>> op = SpectralOperator(8, 1, 2 * np.pi / 8)
        >>> np.allclose(op.apply(np.sin(x), 0), np.cos(x))
        True
        """
        dtype = float_dtype(np.asarray(data).dtype)
        axis = axis % np.ndim(data)
        spec = np.fft.rfft(np.asarray(data, dtype=np.float64), axis=axis)
        shape = [1] * spec.ndim
        shape[axis] = -1
        spec *= self.multiplier().reshape(shape)
        return np.fft.irfft(spec, n=self.n, axis=axis).astype(dtype, copy=False)


def apply_spectral(data: object, axis: int, op: SpectralOperator, *, dim: object = None) -> object:
    """Apply ``op`` along ``axis`` of a numpy or Dask array (lazy for Dask).

    Parameters
    ----------
    data : numpy.ndarray or dask.array.Array
        Input; on Dask the axis must be a single chunk.
    axis : int
        Axis to differentiate along.
    op : SpectralOperator
        The operator.
    dim : hashable, optional
        Name of the dim, for error messages.

    Returns
    -------
    numpy.ndarray or dask.array.Array
        Same shape and chunks; float32 stays float32.

    Raises
    ------
    ValueError
        When a Dask array is chunked along ``axis``.

    Examples
    --------
    >>> x = np.arange(16) * 2 * np.pi / 16
    >>> out = apply_spectral(np.cos(2 * x), 0, SpectralOperator(16, 2, x[1]))
    >>> np.allclose(out, -4 * np.cos(2 * x))
    True
    """
    axis = axis % np.ndim(data)
    if not type(data).__module__.startswith("dask."):
        return op.apply(np.asarray(data), axis)
    if len(data.chunks[axis]) > 1:
        name = repr(dim) if dim is not None else f"axis {axis}"
        raise ValueError(
            f"method='spectral' needs dim {name} in one Dask chunk, but it has "
            f"{len(data.chunks[axis])} chunks {data.chunks[axis]}; rechunk first, e.g. "
            f".chunk({{{name}: -1}})"
        )
    dtype = float_dtype(data.dtype)
    return data.map_blocks(
        op.apply, axis, dtype=dtype, meta=np.empty((0,) * data.ndim, dtype=dtype)
    )
