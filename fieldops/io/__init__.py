"""Files in and out: lazy, storage-aligned opening (:mod:`fieldops.io.sources`),
atomic, streaming writes (:mod:`fieldops.io.atomic`) and the open-apply-write
chain the ``fieldops`` command runs (:mod:`fieldops.io.files`)."""

from fieldops.io.atomic import add_history
from fieldops.io.files import (
    TARGET_CHUNK_BYTES,
    aligned_chunks,
    open_dataset,
    process,
    storage_chunks,
    write,
)
from fieldops.io.sources import ChunkDimError

__all__ = [
    "TARGET_CHUNK_BYTES",
    "ChunkDimError",
    "add_history",
    "aligned_chunks",
    "open_dataset",
    "process",
    "storage_chunks",
    "write",
]
