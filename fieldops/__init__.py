"""fieldops: derivatives of labelled n-dimensional fields along named dims.

Importing fieldops registers the ``.fieldops`` accessor on xarray objects.
"""

from fieldops import accessor as _accessor  # noqa: F401  (registers .fieldops)
from fieldops.operators import diff
from fieldops.points import at, from_points
from fieldops.sample import open_sample
from fieldops.scattered import ScatteredDerivatives
from fieldops.stencils.apply import get_num_threads, set_num_threads

__all__ = [
    "ScatteredDerivatives",
    "at",
    "diff",
    "from_points",
    "get_num_threads",
    "open_sample",
    "set_num_threads",
]
__version__ = "0.1.0"
