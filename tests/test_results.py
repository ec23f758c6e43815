"""The results folder: round trip through RunResult.load, atomic writes, self-description."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simkz import RunResult, Simulation, load_scenario
from simkz.results.columns import COLUMNS
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def result():
    return Simulation(load_scenario(SCENARIOS / "toy-partial-restoration.yaml")).run().result


def test_round_trip(tmp_path, result):
    folder = result.save(tmp_path / "r")
    back = RunResult.load(folder)
    assert back.name == result.name
    assert back.summary == json.loads(json.dumps(result.summary))
    for name, table in result.tables.items():
        loaded = back.tables[name]
        assert loaded.names == table.names
        for col in table.names:
            if COLUMNS[col].kind == "str":
                assert list(loaded[col]) == list(table[col])
            else:
                np.testing.assert_allclose(loaded[col], table[col], rtol=1e-9)


def test_every_column_is_documented_with_its_unit(tmp_path, result):
    folder = result.save(tmp_path / "r")
    doc = json.loads((folder / "columns.json").read_text())
    for table in result.tables.values():
        for col in table.names:
            assert doc[col]["unit"] and doc[col]["description"]


def test_failed_write_leaves_nothing(tmp_path, result):
    def boom(folder):
        (folder / "half.png").write_bytes(b"x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        result.save(tmp_path / "r", extras=[boom])
    assert list(tmp_path.iterdir()) == []


def test_failed_rewrite_keeps_the_old_folder(tmp_path, result):
    folder = result.save(tmp_path / "r")
    before = (folder / "summary.json").read_bytes()

    def boom(_):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        result.save(folder, extras=[boom])
    assert (folder / "summary.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_load_reports_a_missing_national_table_and_reads_older_folders(tmp_path, result):
    from simkz.errors import InputError

    folder = result.save(tmp_path / "r")
    # a folder of an older version, without a newer table, still loads
    (folder / "by_region_technology.csv").unlink()
    assert sorted(RunResult.load(folder).tables) == sorted(set(result.tables) - {"by_region_technology"})
    (folder / "national.csv").unlink()
    with pytest.raises(InputError, match=r"national\.csv"):
        RunResult.load(folder)
