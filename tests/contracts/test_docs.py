"""The documentation builds without warnings and its figure scripts run."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_mkdocs_builds_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "api" / "index.html").exists()
    assert "fieldops.diff" in (tmp_path / "site" / "api" / "index.html").read_text()
    for notebook in ("quickstart", "sphere", "noisy_derivatives"):  # the gallery, rendered
        assert "<img" in (tmp_path / "site" / "gallery" / notebook / "index.html").read_text()


def test_convergence_script_measures_the_claimed_orders(tmp_path):
    pytest.importorskip("matplotlib")
    main = runpy.run_path(str(ROOT / "docs" / "scripts" / "convergence.py"))["main"]
    rows = main(tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 10_000
    for order, accuracy, grid, interior, edge, _ in rows:
        if order == 1:
            assert interior > accuracy - 0.5, (order, accuracy, grid)
            assert edge > accuracy - 1.0, (order, accuracy, grid)  # pre-asymptotic at 8


def test_boundary_figure(tmp_path):
    pytest.importorskip("matplotlib")
    main = runpy.run_path(str(ROOT / "docs" / "scripts" / "boundary_figure.py"))["main"]
    assert main(tmp_path / "b.png").stat().st_size > 10_000


# Pages whose Python examples are self-contained (dask.md's need the reader's files
# and cluster).
RUNNABLE_PAGES = ["index.md", "api.md", "geometry.md", "accuracy-methods.md"]


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_python_examples_run(page, tmp_path):
    import re

    text = (ROOT / "docs" / page).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, page
    for block in blocks:
        proc = subprocess.run(
            [sys.executable, "-c", block],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, f"{page}:\n{block}\n{proc.stderr}"


def test_api_page_documents_every_public_name():
    # A public function the API page forgets is invisible on the documentation site.
    import fieldops

    page = (ROOT / "docs" / "api.md").read_text()
    documented = set(re.findall(r"^::: fieldops\.(\w+)\s*$", page, flags=re.M))
    documented |= {"EARTH_RADIUS"} if "fieldops.EARTH_RADIUS" in page else set()
    missing = sorted(set(fieldops.__all__) - documented)
    assert not missing, f"docs/api.md lacks '::: fieldops.<name>' for {missing}"
