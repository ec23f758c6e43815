"""docs/analysis.md: every figure of its kz-2022 against kz-decentralised table is what a fresh run gives."""

from __future__ import annotations

import pytest

from simkz.analysis.structure import analyze_structure
from simkz.analysis.structure.pairs import DEFAULT_PAIRS_SAMPLE, EXACT_PAIRS_MAX_ELEMENTS
from simkz.analysis.structure.report import comparison_table, format_value
from simkz.topology.load import load_topology
from tests.conftest import ROOT, TOPOLOGIES

DOC = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
HEADER = "| metric | unit | kz-2022 | kz-decentralised |"


def doc_rows() -> list[list[str]]:
    lines = DOC.splitlines()
    start = lines.index(HEADER)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def table():
    analyses = [analyze_structure(load_topology(TOPOLOGIES / f"{n}.yaml")) for n in ("kz-2022", "kz-decentralised")]
    names, rows = comparison_table(analyses)
    assert names == ["kz-2022", "kz-decentralised"]
    return {(metric, unit): [format_value(unit, v) for v in values] for metric, unit, values in rows}


def test_every_figure_of_the_comparison_table_is_current(table):
    rows = doc_rows()
    assert len(rows) >= 15
    for metric, unit, *cells in rows:
        assert (metric, unit) in table, metric
        assert cells == table[(metric, unit)], metric


def test_the_commands_the_doc_shows_exist():
    for option in ("--out", "--top", "--pairs-sample", "--seed", "--debug"):
        assert option in DOC
    assert f"{EXACT_PAIRS_MAX_ELEMENTS:,} elements" in DOC  # the threshold of exact pairs
    assert f"(default\n{DEFAULT_PAIRS_SAMPLE:,})" in DOC or f"(default {DEFAULT_PAIRS_SAMPLE:,})" in DOC
