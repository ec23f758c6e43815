"""`simkz check` on malformed baselines and tolerances: exit 2 and one line naming the file, never an internal error.

Also the small things a new user hit: `simkz parameters` labels each source once; `schema` and `parameters`
take `--debug`.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from simkz import Simulation, load_scenario
from simkz.cli.main import cli
from simkz.results.columns import COLUMNS
from simkz.results.compare import TABLE_KEYS
from simkz.results.run import TABLES
from simkz.scenario.parameters import PARAMETERS
from tests.conftest import SCENARIOS

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One toy run (a gateway cut: numbers that move), saved with every table."""
    result = Simulation(load_scenario(SCENARIOS / "toy-gateway-failure.yaml")).run().result
    return result.save(tmp_path_factory.mktemp("check") / "run")


@pytest.fixture
def folders(tmp_path: Path, run_folder: Path) -> tuple[Path, Path]:
    """A private copy of the run (``new``) and a baseline made from it (``base``): they match."""
    new = Path(shutil.copytree(run_folder, tmp_path / "new"))
    base = tmp_path / "base"
    base.mkdir()
    for name in ("summary.json", "national.csv", "by_service.csv"):
        shutil.copy(run_folder / name, base / name)
    return new, base


def check(new: Path, base: Path, *options: str | Path) -> Result:
    return invoke("check", new, "--baseline", base, *options)


def one_line_error(res: Result, *needles: str) -> str:
    """The single stderr line of a bad-input exit, holding every needle."""
    assert res.exit_code == EXIT_BAD_INPUT, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("simkz: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def edit_lines(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    edit(lines)
    path.write_text("\n".join(lines), encoding="utf-8")


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    """Write ``value`` into ``column`` of 1-based ``line`` of a CSV file."""

    def edit(lines: list[str]) -> None:
        col = lines[0].split(",").index(column)
        cells = lines[line - 1].split(",")
        cells[col] = value
        lines[line - 1] = ",".join(cells)

    edit_lines(path, edit)


def test_matching_folders_pass(folders):
    new, base = folders
    res = check(new, base)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("ok:")


# --- malformed tables: exit 2, one line naming the file and the line -----------------------------------------


def test_truncated_table(folders):
    new, base = folders
    path = base / "national.csv"
    data = path.read_bytes()
    cut = data.index(b"\n", len(data) // 2) - 3  # in the middle of a row
    path.write_bytes(data[:cut])
    line = data[:cut].count(b"\n") + 1
    one_line_error(check(new, base), str(path), f"line {line}", "truncated")


def test_blank_line(folders):
    new, base = folders
    path = base / "national.csv"
    edit_lines(path, lambda lines: lines.insert(5, ""))
    one_line_error(check(new, base), str(path), "line 6", "blank line")


def test_row_with_too_few_cells(folders):
    new, base = folders
    path = base / "national.csv"
    edit_lines(path, lambda lines: lines.__setitem__(3, lines[3].rsplit(",", 1)[0]))
    width = len(path.read_text(encoding="utf-8").split("\n")[0].split(","))
    one_line_error(check(new, base), str(path), "line 4", f"row of {width - 1} cells under a header of {width}")


def test_row_with_too_many_cells(folders):
    new, base = folders
    path = base / "by_service.csv"
    edit_lines(path, lambda lines: lines.__setitem__(9, lines[9] + ",7"))
    width = len(path.read_text(encoding="utf-8").split("\n")[0].split(","))
    one_line_error(check(new, base), str(path), "line 10", f"row of {width + 1} cells")


def test_table_that_is_not_utf8(folders):
    new, base = folders
    path = base / "national.csv"
    data = path.read_bytes()
    at = data.index(b"\n", len(data) // 3) + 1  # the start of a line a third of the way in
    path.write_bytes(data[:at] + b"\xff\xfe" + data[at:])
    line = data[:at].count(b"\n") + 1
    assert line > 2
    one_line_error(check(new, base), str(path), f"line {line}", "not UTF-8")


def test_summary_that_is_not_utf8(folders):
    new, base = folders
    path = base / "summary.json"
    data = path.read_bytes()
    at = data.index(b'"', len(data) // 2)
    path.write_bytes(data[:at] + b"\xe9" + data[at:])
    line = data[:at].count(b"\n") + 1
    assert line > 1
    one_line_error(check(new, base), str(path), f"line {line}", "not UTF-8")


def test_summary_with_an_integer_too_long_to_read(folders):
    new, base = folders
    path = base / "summary.json"
    path.write_text('{"a": ' + "9" * 5001 + "}\n", encoding="utf-8")
    one_line_error(check(new, base), str(path), "invalid JSON")


def test_summary_nested_too_deeply(folders):
    new, base = folders
    path = base / "summary.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    one_line_error(check(new, base), str(path), "nested too deeply")


def test_deeply_nested_summary_values_are_compared(folders):
    """A value nested as deep as JSON reading allows: compared without exhausting the call stack, then shown."""
    new, base = folders
    deep = "[1, " * 900 + "2" + "]" * 900
    for folder in (new, base):
        text = (folder / "summary.json").read_text(encoding="utf-8").rstrip()
        (folder / "summary.json").write_text(text[:-1] + ', "deep": ' + deep + "}\n", encoding="utf-8")
    same = check(new, base)
    assert same.exit_code == 0, same.output
    text = (new / "summary.json").read_text(encoding="utf-8")
    (new / "summary.json").write_text(text.replace("2" + "]" * 900, "3" + "]" * 900), encoding="utf-8")
    moved = check(new, base)
    assert moved.exit_code == EXIT_MISMATCH, moved.output
    assert "summary.deep" in moved.stdout


def test_text_in_a_number_column(folders):
    new, base = folders
    path = base / "national.csv"
    set_cell(path, 7, "connectivity_index_pct", "about 75")
    one_line_error(check(new, base), str(path), "line 7, column connectivity_index_pct", "not a number", "about 75")


def test_fraction_in_a_whole_number_column(folders):
    new, base = folders
    path = base / "by_service.csv"
    set_cell(path, 12, "disrupted_flag", "0.5")
    one_line_error(check(new, base), str(path), "line 12, column disrupted_flag", "not a whole number")


def test_missing_key_column(folders):
    new, base = folders
    path = base / "by_service.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    col = lines[0].split(",").index("service")
    path.write_text(
        "\n".join(",".join(c for j, c in enumerate(x.split(",")) if j != col) if x else x for x in lines),
        encoding="utf-8",
    )
    one_line_error(check(new, base), str(path), "missing key column", "'service'")


def test_unknown_column_is_named(folders):
    new, base = folders
    path = base / "national.csv"
    edit_lines(path, lambda lines: lines.__setitem__(0, lines[0].replace("vpn_share", "vpn_shar")))
    one_line_error(check(new, base), str(path), "line 1", "unknown column", "vpn_shar")


def test_missing_baseline_summary(folders):
    new, base = folders
    (base / "summary.json").unlink()
    one_line_error(check(new, base), str(base / "summary.json"), "file not found", "simkz baseline update")


def test_missing_baseline_is_reported_once(folders, tmp_path):
    new, _ = folders
    res = check(new, tmp_path / "nowhere")
    line = one_line_error(res, str(tmp_path / "nowhere"), "baseline folder not found")
    assert res.output.count("not found") == 1, res.output
    assert line.count(str(tmp_path / "nowhere")) == 1


# --- tolerances: finite and at least 0, on the command line and in files ------------------------------------


@pytest.mark.parametrize(
    ("option", "value"), [("--rtol", "nan"), ("--atol", "inf"), ("--rtol", "-1e-9"), ("--atol", "-inf")]
)
def test_tolerance_option_that_is_not_a_finite_non_negative_number(folders, option, value):
    new, base = folders
    one_line_error(check(new, base, option, value), option, "finite number at or above 0")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("default: {rtol: .inf}", "default.rtol"),
        ("default: {atol: .nan}", "default.atol"),
        ("default: {atol: -0.5}", "default.atol"),
        ('metrics: {"summary.*": {rtol: .inf}}', "metrics.summary.*.rtol"),
        ('metrics: {"national.*": {atol: -1}}', "metrics.national.*.atol"),
    ],
)
def test_tolerance_file_that_is_not_finite_or_negative(folders, tmp_path, text, where):
    new, base = folders
    path = tmp_path / "tolerances.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    one_line_error(check(new, base, "--tolerances", path), str(path), where)


# --- what matches --------------------------------------------------------------------------------------------


def test_nan_in_the_baseline_matches_nan_in_the_new_run_only(folders):
    new, base = folders
    for folder in (new, base):
        set_cell(folder / "national.csv", 5, "connectivity_index_pct", "nan")
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        summary["national"]["min_connectivity_index_pct"] = float("nan")
        (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    same = check(new, base)
    assert same.exit_code == 0, same.output

    set_cell(new / "national.csv", 5, "connectivity_index_pct", "100")
    moved = check(new, base)
    assert moved.exit_code == EXIT_MISMATCH, moved.output
    row = next(x for x in moved.stdout.splitlines() if x.startswith("national.connectivity_index_pct["))
    assert row.split()[-5:] == ["nan", "100", "nan", "nan", "changed"], row
    assert "summary.national.min_connectivity_index_pct" not in moved.stdout


def test_column_mismatch_names_the_missing_and_the_extra_column(folders):
    new, base = folders

    def drop(path: Path, column: str) -> None:
        lines = path.read_text(encoding="utf-8").split("\n")
        col = lines[0].split(",").index(column)
        rows = [",".join(c for j, c in enumerate(x.split(",")) if j != col) if x else x for x in lines]
        path.write_text("\n".join(rows), encoding="utf-8")

    drop(base / "national.csv", "vpn_share")  # the new run has it: extra
    drop(new / "national.csv", "cut_off_persons")  # the baseline has it: missing
    set_cell(new / "national.csv", 30, "connectivity_index_pct", "1")  # the common columns are still compared
    res = check(new, base, "--max-rows", "0")
    assert res.exit_code == EXIT_MISMATCH, res.output
    rows = {x.split()[0]: x.split()[1:] for x in res.stdout.splitlines()[3:]}
    assert rows["national.vpn_share"] == ["(column)", "-", "present", "-", "-", "added"]
    assert rows["national.cut_off_persons"] == ["(column)", "present", "-", "-", "-", "removed"]
    assert any(m.startswith("national.connectivity_index_pct[") for m in rows)


def test_mangled_baselines_never_give_an_internal_error(folders):
    """Random damage to the baseline's files: exit 0, 1 or 2 (one line), never 3 and never a traceback."""
    new, base = folders
    originals = {p.name: p.read_bytes() for p in base.iterdir()}
    rng = random.Random(9)
    codes = set()
    for _ in range(150):
        name = rng.choice(sorted(originals))
        data = bytearray(originals[name])
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            how = rng.randrange(4)
            if how == 0:
                del data[at:]
            elif how == 1:
                data[at] = rng.randrange(256)
            elif how == 2:
                data[at:at] = rng.choice([b"\n", b",", b'"', b"nan", b"\x00", b"-", b"e999", b"[", b"{"])
            else:
                del data[at : at + rng.randint(1, 40)]
        for other, original in originals.items():
            (base / other).write_bytes(bytes(data) if other == name else original)
        res = check(new, base)
        codes.add(res.exit_code)
        assert res.exit_code in (0, EXIT_MISMATCH, EXIT_BAD_INPUT), res.output
        if res.exit_code == EXIT_BAD_INPUT:
            one_line_error(res, str(base))
    assert {EXIT_MISMATCH, EXIT_BAD_INPUT} <= codes  # the damage was seen, both as moved numbers and as bad files


def test_table_keys_are_the_key_columns_a_run_writes(run_folder):
    assert set(TABLE_KEYS) == set(TABLES)
    for name in TABLES:
        header = (run_folder / f"{name}.csv").read_text(encoding="utf-8").split("\n")[0].split(",")
        assert tuple(c for c in header if COLUMNS[c].kind == "str") == TABLE_KEYS[name], name


# --- small things a new user hit -----------------------------------------------------------------------------


def test_parameters_label_each_source_once():
    res = invoke("parameters")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    for p in PARAMETERS.values():
        start = next(i for i, x in enumerate(lines) if x.startswith(f"{p.name}  "))
        provenance = lines[start + 2].strip()
        label, _, text = provenance.partition(": ")
        assert label in ("source", "assumption"), provenance
        assert not text.startswith(("source:", "assumption:")), provenance


@pytest.mark.parametrize("command", [["schema"], ["schema", "--kind", "topology"], ["parameters"]])
def test_schema_and_parameters_take_debug(command):
    assert "--debug" in invoke(*command, "--help").stdout
    res = invoke(*command, "--debug")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip()
