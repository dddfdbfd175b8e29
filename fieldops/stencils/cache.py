"""The one stencil cache: stencils of the grids met lately, shared across calls.

Building a stencil (Fornberg weights for every edge row, a Savitzky-Golay fit, a
metric folded into weights) can cost more than differentiating a small field, and
successive calls on one grid need the same ones. Keys hold the coordinate values
(as bytes), so a different grid never gets another's stencil; the least recently
used are dropped beyond ``KEPT``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

KEPT = 256
_STENCILS: OrderedDict[Hashable, object] = OrderedDict()
_LOCK = threading.Lock()


def shared(key: Hashable, build: Callable[[], T]) -> T:
    """The cached value of ``key``, built by ``build()`` when absent.

    Examples
    --------
    >>> shared(("example", 1), lambda: [1, 2]) is shared(("example", 1), lambda: [3])
    True
    """
    with _LOCK:
        found = _STENCILS.get(key)
        if found is not None:
            _STENCILS.move_to_end(key)
            return found  # type: ignore[return-value]
    value = build()  # outside the lock: other threads keep differentiating
    with _LOCK:
        _STENCILS[key] = value
        while len(_STENCILS) > KEPT:
            _STENCILS.popitem(last=False)
    return value


def clear() -> None:
    """Empty the cache (tests, or memory)."""
    with _LOCK:
        _STENCILS.clear()
