"""fieldops: derivatives of labelled n-dimensional fields along named dims.

Importing fieldops registers the ``.fieldops`` accessor on xarray objects.
"""

from fieldops import accessor as _accessor  # noqa: F401  (registers .fieldops)
from fieldops.io import open_dataset, process, write
from fieldops.operators import diff
from fieldops.sample import open_sample
from fieldops.stencils.apply import get_num_threads, set_num_threads

__all__ = [
    "diff",
    "get_num_threads",
    "open_dataset",
    "open_sample",
    "process",
    "set_num_threads",
    "write",
]
__version__ = "0.1.0"
