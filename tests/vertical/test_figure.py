"""The docs figure of the model-levels section is made by its script."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_seamount_figure(tmp_path):
    pytest.importorskip("matplotlib")
    main = runpy.run_path(str(ROOT / "docs" / "scripts" / "vertical_figure.py"))["main"]
    assert main(tmp_path / "s.png").stat().st_size > 10_000
