"""Staggered model grids (Arakawa C and B): positions, the model's metrics, operators.

``fieldops.staggered_grid(ds)`` reads SGRID, xgcm/COMODO attributes or the names of
NEMO, MOM6, ROMS and MITgcm (:mod:`~fieldops.staggered.conventions`) and returns a
:class:`~fieldops.staggered.grid.StaggeredGrid` whose methods (``diff``, ``interp``,
``grad``, ``divergence``, ``vorticity``, ``laplacian``) are the models' own
flux-form operators (:mod:`~fieldops.staggered.operators`), lazy on Dask
(:mod:`~fieldops.staggered.blocks`).
"""
