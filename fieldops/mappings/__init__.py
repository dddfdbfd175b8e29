"""CF grid mappings: rotated-pole and projected grids, the file's Earth, wind frames.

:mod:`~fieldops.mappings.crs` reads a CF ``grid_mapping`` variable into a
:class:`~fieldops.mappings.crs.GridMapping` (pyproj does the projection
arithmetic); it stands below ``grids/``, which detects the mapped grids.
:mod:`~fieldops.mappings.rotated` and :mod:`~fieldops.mappings.projected` are the
frames of those grids, registered with :func:`fieldops.grids.frame.register`;
:mod:`~fieldops.mappings.winds` turns winds between grid and true north.
"""
