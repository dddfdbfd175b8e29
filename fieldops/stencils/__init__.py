"""Pure numerics on numpy arrays: finite-difference weights and Numba kernels."""
