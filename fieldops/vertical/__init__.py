"""Model levels: CF parametric vertical coordinates, vertical interpolation, and
horizontal derivatives at constant height or pressure (issue 16)."""
