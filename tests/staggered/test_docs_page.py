"""docs/staggered.md: its Python examples run and print what the page says."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "staggered.md"


def test_staggered_page_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)
    assert len(blocks) == 3
    for code in blocks:
        exec(compile(code, str(PAGE), "exec"), {})
    out = capsys.readouterr().out
    assert "staggered grid: nemo (C grid), coast no-slip" in out
    assert "('depthf', 'y', 'x') ['depthf', 'glamf', 'gphif'] s-1" in out
    lines = out.strip().splitlines()
    assert lines[-2] == "2e-05"
    assert lines[-1] == "True"  # the C-grid helmholtz: a rotational part without divergence
