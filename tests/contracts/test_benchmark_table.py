"""The benchmark table is consistent (no timing here: benchmarks/ times, tests check)."""

from __future__ import annotations

import pytest

cases_mod = pytest.importorskip("benchmarks.cases")
data_mod = pytest.importorskip("benchmarks.data")


def test_every_case_names_known_data_and_contenders():
    names = set()
    for case in cases_mod.CASES:
        assert case.name not in names, f"duplicate case {case.name!r}"
        names.add(case.name)
        if case.kind == "timed":
            assert case.data in data_mod.FACTORIES, case.name
            for key in case.extra_data:
                assert key in data_mod.FACTORIES, case.name
        for target in case.targets:
            if target.ref is not None:
                assert target.ref in case.peers, f"{case.name}: target on unknown {target.ref!r}"


def test_each_issue_7_group_has_rows():
    groups = {case.group for case in cases_mod.CASES}
    for group in (
        "first derivative",
        "second derivative",
        "non-uniform",
        "dask",
        "operators",
        "sphere",
        "overhead",
        "cold start",
    ):
        assert group in groups
