"""The ``fieldops`` command: parse, open, call, write (and ``info``, ``demo``)."""

from fieldops.cli.command import main

__all__ = ["main"]
