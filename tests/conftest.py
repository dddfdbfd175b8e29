"""Shared fixtures: a Dask scheduler that refuses to compute."""

from __future__ import annotations

import dask
import pytest


class ComputeForbidden(RuntimeError):
    """Raised when a library call computes a Dask graph."""


def _refuse(*args, **kwargs):
    raise ComputeForbidden("a fieldops call computed a Dask graph")


@pytest.fixture
def no_compute():
    """Inside this fixture, any Dask compute raises ComputeForbidden."""
    with dask.config.set(scheduler=_refuse):
        yield
