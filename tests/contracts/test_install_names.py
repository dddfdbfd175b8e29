"""Install lines in the docs, README and examples install this project, not a namesake.

The name ``fieldops`` on the package index belongs to an unrelated project; this
distribution is ``fieldops-xr`` (imported as ``fieldops``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The [project] name (a regex: tomllib is Python >= 3.11 only).
DIST = re.search(r'^name = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)

SOURCES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    *sorted((ROOT / "docs").rglob("*.ipynb")),
    *sorted((ROOT / "docs").rglob("*.py")),
    *sorted((ROOT / "examples").rglob("*")),
    *sorted((ROOT / "benchmarks").rglob("*.md")),
    *sorted((ROOT / "benchmarks").rglob("*.py")),
    ROOT / ".ci" / "run",
]


def _requirements(line: str) -> list[str]:
    """Distribution names that the ``pip install`` commands of one line would fetch."""
    names = []
    for match in re.finditer(r"pip install\s+([^`#;&|)\n]*)", line):
        words = match.group(1).replace("\\", " ").split()
        skip_next = False
        for word in words:
            word = word.strip("\"'")
            if skip_next:  # the value of -r/-c/-d/--target ...: not a requirement
                skip_next = False
                continue
            if word in ("-r", "-c", "-d", "-t", "--target", "--index-url", "-i", "-f"):
                skip_next = True
                continue
            if not word or word.startswith(("-", ".", "/", "$")) or "://" in word:
                continue  # options, local paths (".[demo]", -e .)
            name = re.split(r"[\[<>=!~;@ ]", word, maxsplit=1)[0]
            if name:
                names.append(re.sub(r"[-_.]+", "-", name).lower())
    return names


def test_distribution_name_is_not_the_taken_one():
    assert re.sub(r"[-_.]+", "-", DIST).lower() != "fieldops"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pip install fieldops            # or, from a clone", ["fieldops"]),
        ("needs matplotlib (`pip install fieldops[demo]`); it", ["fieldops"]),
        ('pip install "Fieldops[test,bench]>=0.1"', ["fieldops"]),
        ('pip install -e ".[demo]" && fieldops demo', []),
        ("pip install -U metpy xgcm", ["metpy", "xgcm"]),
    ],
)
def test_requirement_parser(line, expected):
    assert _requirements(line) == expected


def test_no_install_line_fetches_the_unrelated_fieldops():
    offenders = []
    for path in SOURCES:
        if not path.is_file() or path.suffix in (".nc", ".png"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            names = _requirements(line)
            if "fieldops" in names:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
            # Any other name of ours must be the real one.
            offenders += [
                f"{path.relative_to(ROOT)}:{number}: {name} is not {DIST}"
                for name in names
                if name.startswith(("fieldops", "xfieldops")) and name != DIST
            ]
    assert not offenders, (
        f"'pip install fieldops' fetches an unrelated project; this one is {DIST!r}:\n"
        + "\n".join(offenders)
    )


def test_readme_commands_install_from_the_clone():
    text = (ROOT / "README.md").read_text()
    assert 'pip install -e ".[demo]" && fieldops demo' in text
    assert 'pip install -e ".[test]" && python -m pytest -q' in text
    assert 'pip install -e ".[test]" && python -m pytest -q' in (ROOT / ".ci" / "run").read_text()
