"""Scoring a run against observations: the file format, the metrics on hand-computed numbers, the CLI."""

from __future__ import annotations

import copy
import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from simkz.analysis.observations import SIGNAL_COLUMNS, load_observations, observations_json_schema
from simkz.analysis.score import Score, format_score, load_run, score_run
from simkz.cli.main import cli
from simkz.errors import InputError, format_path
from simkz.results.columns import COLUMNS, Column
from simkz.results.run import TABLES, RunResult
from simkz.results.table import Table
from tests.conftest import ROOT, write_yaml

START = datetime.fromisoformat("2022-01-05T12:00+06:00")
EXAMPLE = ROOT / "tests" / "data" / "observations-example.yaml"
#: The simulated national traffic of the worked example (hourly from 12:00), as in docs/observations.md.
EXAMPLE_RUN = [100.0, 90.0, 30.0, 10.0, 20.0, 80.0]


def stamp(minutes: float) -> str:
    """The instant ``minutes`` after 12:00 on 5 January 2022, as a results table writes it."""
    return (START + timedelta(minutes=minutes)).isoformat(timespec="seconds")


def at(minutes: float) -> str:
    """The same instant as an observations file writes it."""
    return (START + timedelta(minutes=minutes)).isoformat(timespec="minutes")


def table(values: list[float], step_min: float = 60, column: str = "connectivity_index_pct", **keys: str) -> Table:
    """A one-group table: ``values`` on a grid of ``step_min`` minutes from 12:00, key columns set to ``keys``."""
    n = len(values)
    cols: dict[str, Any] = {
        "time": np.array([stamp(i * step_min) for i in range(n)]),
        "elapsed_h": np.arange(n) * step_min / 60.0,
    }
    cols.update({k: np.array([v] * n) for k, v in keys.items()})
    cols[column] = np.array(values, dtype=np.float64)
    return Table(cols)


def stack(*tables: Table) -> Table:
    """Tables of several groups as one tidy table, rows sorted by time then group (as simkz writes them)."""
    names = tables[0].names
    cols = {n: np.concatenate([t[n] for t in tables]) for n in names}
    order = np.argsort(cols["time"], kind="stable")
    return Table({n: v[order] for n, v in cols.items()})


def run(summary: dict[str, Any] | None = None, **tables: Table) -> RunResult:
    return RunResult(name="synthetic", tables=dict(tables), summary=summary or {})


def observations(tmp_path: Path, data: dict[str, Any]) -> Path:
    return write_yaml(tmp_path / "obs.yaml", data)


def series(points: list[tuple[float, float]] | list[tuple[float, float, str]], **fields: Any) -> dict[str, Any]:
    """A series dict; points as (minutes after 12:00, value[, phase])."""
    out: list[dict[str, Any]] = []
    for p in points:
        point: dict[str, Any] = {"at": at(p[0]), "value": p[1]}
        if len(p) > 2:
            point["phase"] = p[2]
        out.append(point)
    return {"signal": "traffic", "source": "ex", **fields, "points": out}


def event(minutes: float, direction: str, tolerance_min: float = 0, **fields: Any) -> dict[str, Any]:
    return {
        "label": f"{direction} at {minutes}",
        "at": at(minutes),
        "signal": "traffic",
        "direction": direction,
        "tolerance_min": tolerance_min,
        "source": "ex",
        **fields,
    }


def doc(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"name": "t", "sources": {"ex": "made-up values for a test"}}
    return {**base, **fields}


def score(tmp_path: Path, result: RunResult, **fields: Any) -> Score:
    return score_run(result, load_observations(observations(tmp_path, doc(**fields))))


# --- the worked example of docs/observations.md -------------------------------------------------


def test_worked_example_hand_computed():
    obs = load_observations(EXAMPLE)
    result = score_run(run(national=table(EXAMPLE_RUN)), obs)
    (s,) = result.series
    # in force at 12:30, 14:15, 15:45, 17:30: rows 12:00, 14:00, 15:00, 17:00 -> 100, 30, 10, 80; 19:00 is after the end
    sim, seen = np.array([100.0, 30.0, 10.0, 80.0]), np.array([95.0, 20.0, 10.0, 45.0])
    assert (s.points, s.skipped) == (4, 1)
    assert s.mae_pct == pytest.approx((5 + 10 + 0 + 35) / 4)
    assert s.agreement == pytest.approx(3 / 4)  # 80 up vs 45 down disagree
    assert s.correlation == pytest.approx(4450 / math.sqrt(5300 * 4325))
    assert s.correlation == pytest.approx(np.corrcoef(sim, seen)[0, 1])
    assert [(p.phase, p.points, p.mae_pct) for p in s.phases] == [("shutdown", 2, 5.0), ("restoration", 1, 35.0)]
    assert s.breaches == ("agreement 0.75 < 0.8",)
    down, up = result.events
    assert (down.simulated, down.error_min, down.passed) == (stamp(120), 20.0, True)
    assert (up.simulated, up.error_min, up.passed) == (stamp(300), 30.0, True)
    assert not result.passed
    assert result.failures() == ("series[0] traffic national: agreement 0.75 < 0.8",)


def test_worked_example_is_the_one_in_the_docs():
    text = (ROOT / "docs" / "observations.md").read_text(encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8").strip() in text
    example = RunResult("example", {"national": table(EXAMPLE_RUN)}, {})
    printed = format_score(score_run(example, load_observations(EXAMPLE)))
    for line in printed.splitlines():
        assert line.rstrip() in text, line


# --- metrics ------------------------------------------------------------------------------------


def test_value_in_force_is_the_last_row_at_or_before(tmp_path):
    result = run(national=table([10.0, 70.0], step_min=60))
    # 12:59 is still the 12:00 row; 13:00 is the 13:00 row
    s = score(tmp_path, result, series=[series([(59, 10.0), (60, 60.0)])]).series[0]
    assert s.mae_pct == pytest.approx((0 + 10) / 2)
    assert s.agreement == 1.0


def test_agreement_counts_the_threshold_as_up(tmp_path):
    result = run(national=table([50.0, 49.0, 80.0]))
    s = score(tmp_path, result, series=[series([(0, 60.0), (60, 40.0), (120, 50.0)], threshold_pct=50)]).series[0]
    # simulated 50 is up like observed 60; 49 and 40 are down; observed 50 is up like simulated 80
    assert s.agreement == 1.0
    low = score(tmp_path, result, series=[series([(0, 49.9), (60, 50.0)], threshold_pct=50)]).series[0]
    assert low.agreement == 0.0  # 50 up against 49.9 down, 49 down against 50 up


def test_correlation_needs_three_points_and_no_constant_side(tmp_path):
    result = run(national=table([100.0, 40.0, 10.0]))
    tol = {"tolerance": {"correlation": 0.99}}
    two = score(tmp_path, result, series=[series([(0, 90.0), (60, 50.0)], **tol)]).series[0]
    flat = score(tmp_path, result, series=[series([(0, 30.0), (60, 30.0), (120, 30.0)], **tol)]).series[0]
    three = score(tmp_path, result, series=[series([(0, 10.0), (60, 40.0), (120, 100.0)], **tol)]).series[0]
    assert two.correlation is None and flat.correlation is None
    assert two.passed and flat.passed  # never judged
    assert three.correlation == pytest.approx(np.corrcoef([100, 40, 10], [10, 40, 100])[0, 1])
    assert three.breaches == (f"correlation {three.correlation:.2f} < 0.99",)
    printed = format_score(score(tmp_path, result, series=[series([(0, 90.0), (60, 50.0)])]))
    assert "n/a" in printed


def test_tolerances_judge_each_key_and_series_override_defaults_key_by_key(tmp_path):
    result = run(national=table([100.0, 0.0]))
    defaults = {"tolerance": {"mae_pct": 5, "agreement": 1.0}}
    pts = [(0, 90.0), (60, 20.0)]  # errors 10 and 20: MAE 15; both on the same side
    strict = score(tmp_path, result, defaults=defaults, series=[series(pts)])
    assert not strict.passed
    assert strict.series[0].breaches == ("mae_pct 15.0 > 5",)
    loose = score(tmp_path, result, defaults=defaults, series=[series(pts, tolerance={"mae_pct": 15})])
    assert loose.passed  # 15 is not above 15
    assert loose.series[0].tolerance.agreement == 1.0  # kept from the defaults
    worse = score(tmp_path, result, defaults=defaults, series=[series([(0, 40.0), (60, 20.0)])])
    assert worse.series[0].breaches == ("mae_pct 40.0 > 5", "agreement 0.50 < 1")


def test_points_outside_the_span_are_skipped_and_counted(tmp_path):
    result = run(national=table([100.0, 20.0]))  # rows 12:00 and 13:00: the run ends at 14:00
    pts = [(-1, 100.0), (0, 100.0), (119, 20.0), (120, 0.0)]
    s = score(tmp_path, result, series=[series(pts)]).series[0]
    assert (s.points, s.skipped) == (2, 2)
    assert s.mae_pct == 0.0
    # the summary's end, when it gives one, is the end of the span
    longer = run({"scenario": {"end": stamp(180)}}, national=table([100.0, 20.0]))
    sc = score(tmp_path, longer, series=[series(pts)], events=[event(-30, "down")])
    assert (sc.series[0].points, sc.series[0].skipped) == (3, 1)
    assert sc.events[0].skipped and sc.events[0].passed
    printed = format_score(sc)
    assert "1 of 4 point(s), 1 of 1 event(s)" in printed


def test_phase_mae_uses_only_the_points_of_each_phase(tmp_path):
    result = run(national=table([100.0, 0.0, 0.0, 100.0]))
    pts = [(0, 90.0), (60, 4.0, "cut"), (120, 8.0, "cut"), (180, 70.0, "back")]
    s = score(tmp_path, result, series=[series(pts)]).series[0]
    assert {p.phase: (p.points, p.mae_pct) for p in s.phases} == {"cut": (2, 6.0), "back": (1, 30.0)}


# --- events -------------------------------------------------------------------------------------


def test_event_timing_error_on_a_step_series(tmp_path):
    # 5-minute grid: 100 until 13:25, 0 from 13:30 (row 18), 100 again from 15:00 (row 36)
    values = [100.0] * 18 + [0.0] * 18 + [100.0] * 12
    result = run(national=table(values, step_min=5))
    sc = score(
        tmp_path,
        result,
        events=[
            event(60 + 17, "down", tolerance_min=13),  # observed 13:17, simulated 13:30: +13 min
            event(180 + 7, "up", tolerance_min=10),  # observed 15:07, simulated 15:00: -7 min
            event(180 + 7, "down", tolerance_min=60),  # the nearest down crossing is 13:30: -97 min
        ],
    )
    down, up, far = sc.events
    assert (down.simulated, down.error_min, down.passed) == (stamp(90), 13.0, True)
    assert (up.simulated, up.error_min, up.passed) == (stamp(180), -7.0, True)
    assert (far.error_min, far.passed) == (-97.0, False)
    assert far.breach == "timing error -97 min beyond +-60 min"
    assert not sc.passed


def test_event_picks_the_nearest_crossing_and_needs_a_row_on_the_first_side(tmp_path):
    # starts below the threshold (no crossing at the start), up at 13:00, down at 14:00, up at 16:00
    result = run(national=table([10.0, 90.0, 20.0, 20.0, 95.0]))
    sc = score(tmp_path, result, events=[event(200, "up", 60), event(10, "up", 60), event(30, "down", 60)])
    late, early, down = sc.events
    assert late.simulated == stamp(240) and late.error_min == 40.0
    assert early.simulated == stamp(60) and early.error_min == 50.0
    assert down.simulated == stamp(120) and down.error_min == 90.0 and not down.passed


def test_event_without_a_simulated_crossing_fails(tmp_path):
    result = run(national=table([100.0, 100.0, 100.0]))
    (e,) = score(tmp_path, result, events=[event(30, "down", 600)]).events
    assert e.simulated is None and e.error_min is None
    assert not e.passed and e.breach == "no simulated down crossing of 50%"


# --- groups and signals -------------------------------------------------------------------------


def test_groups_pick_their_table_and_rows(tmp_path):
    by_region = stack(table([100.0, 10.0], region="a"), table([100.0, 80.0], region="b"))
    by_rt = stack(
        table([100.0, 5.0], region="a", technology="mobile"),
        table([100.0, 60.0], region="a", technology="fixed"),
    )
    result = run(national=table([0.0, 0.0]), by_region=by_region, by_region_technology=by_rt)
    sc = score(
        tmp_path,
        result,
        series=[
            series([(60, 80.0)], region="b"),
            series([(60, 60.0)], region="a", technology="fixed"),
            series([(60, 5.0)], region="a", technology="mobile"),
        ],
    )
    assert [s.mae_pct for s in sc.series] == [0.0, 0.0, 0.0]
    assert [s.table for s in sc.series] == ["by_region", "by_region_technology", "by_region_technology"]


def test_each_signal_reads_its_own_column(tmp_path, monkeypatch):
    for column in SIGNAL_COLUMNS.values():
        if column not in COLUMNS:  # the observatory columns may not be registered yet
            monkeypatch.setitem(COLUMNS, column, Column(column, "%", "float", "test column"))
    t = Table(
        {
            "time": np.array([stamp(0)]),
            "elapsed_h": np.array([0.0]),
            "connectivity_index_pct": np.array([10.0]),
            "probing_responsive_pct": np.array([20.0]),
            "bgp_visible_pct": np.array([30.0]),
        }
    )
    sc = score(tmp_path, run(national=t), series=[series([(0, 0.0)], signal=s) for s in ("traffic", "probing", "bgp")])
    assert [s.mae_pct for s in sc.series] == [10.0, 20.0, 30.0]


# --- bad input ----------------------------------------------------------------------------------

GOOD: dict[str, Any] = doc(
    defaults={"threshold_pct": 50, "tolerance": {"mae_pct": 15}},
    series=[{"signal": "traffic", "source": "ex", "points": [{"at": at(0), "value": 90}, {"at": at(60), "value": 9}]}],
    events=[event(30, "down", 60)],
)


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    keys: list[str | int] = [int(k) if k.isdigit() else k for k in path.split(".")]
    target: Any = data
    for k in keys[:-1]:
        target = target[k]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("key", "value", "where"),
    [
        ("series.0.source", _DELETE, "series[0].points[0].source"),
        ("series.0.source", "nowhere", "series[0].source"),
        ("series.0.points.1.source", "nowhere", "series[0].points[1].source"),
        ("events.0.source", "nowhere", "events[0].source"),
        ("events.0.source", _DELETE, "events[0].source"),
        ("series.0.points.1.at", "2022-01-05T13:00", "series[0].points[1].at"),
        ("series.0.points.1.at", "yesterday", "series[0].points[1].at"),
        ("events.0.at", "2022-01-05 13:00", "events[0].at"),
        ("series.0.points.1.at", at(-60), "series[0].points[1].at"),
        ("series.0.points", [], "series[0].points"),
        ("defaults.threshold_pct", 1000.5, "defaults.threshold_pct"),
        ("series.0.threshold_pct", -1, "series[0].threshold_pct"),
        ("events.0.threshold_pct", 2000, "events[0].threshold_pct"),
        ("defaults.tolerance.mae_pct", -0.1, "defaults.tolerance.mae_pct"),
        ("series.0.tolerance", {"agreement": 1.5}, "series[0].tolerance.agreement"),
        ("series.0.tolerance", {"correlation": -1.2}, "series[0].tolerance.correlation"),
        ("events.0.tolerance_min", -5, "events[0].tolerance_min"),
        ("events.0.direction", "sideways", "events[0].direction"),
        ("series.0.signal", "telescope", "series[0].signal"),
        ("series.0.technology", "satellite", "series[0].technology"),
        ("series.0.colour", "red", "series[0].colour"),
        ("series.0.points.0.phase", 5, "series[0].points[0].phase"),
        ("series.0.operator", "kazakhtelecom", "series[0].operator"),
    ],
)
def test_bad_observations_name_the_key_path(tmp_path, key, value, where):
    data = copy.deepcopy(GOOD)
    if key == "series.0.operator":
        data["series"][0]["region"] = "almaty-city"
    _set(data, key, value)
    path = observations(tmp_path, data)
    with pytest.raises(InputError) as info:
        load_observations(path)
    assert format_path(info.value.path) == where
    assert info.value.file == str(path)
    assert f": {where}: " in str(info.value)


def test_the_good_file_loads(tmp_path):
    obs = load_observations(observations(tmp_path, GOOD))
    assert obs.series[0].threshold_pct == 50 and obs.events[0].threshold_pct == 50
    assert obs.series[0].points[0].source == "ex"
    assert obs.citation("ex") == "made-up values for a test"


def test_a_file_with_nothing_to_score_is_refused(tmp_path):
    with pytest.raises(InputError, match="nothing to score"):
        load_observations(observations(tmp_path, doc()))


def test_a_url_is_a_source_and_a_point_source_overrides_its_series(tmp_path):
    data = copy.deepcopy(GOOD)
    data["series"][0]["points"][1]["source"] = "https://example.org/figure-1"
    obs = load_observations(observations(tmp_path, data))
    assert [p.source for p in obs.series[0].points] == ["ex", "https://example.org/figure-1"]


@pytest.mark.parametrize(
    ("fields", "where", "shown"),
    [
        ({"region": "nowhere"}, "series[0].region", "a, b"),
        ({"operator": "op-x"}, "series[0]", "by_region"),
        ({"region": "a", "technology": "mobile"}, "series[0]", "by_region"),
        ({"signal": "probing"}, "series[0].signal", "traffic"),
    ],
)
def test_results_lacking_what_a_series_needs(tmp_path, fields, where, shown):
    by_region = stack(table([100.0], region="a"), table([90.0], region="b"))
    result = run(national=table([100.0]), by_region=by_region)
    path = observations(tmp_path, doc(series=[series([(0, 50.0)], **fields)]))
    with pytest.raises(InputError) as info:
        score_run(result, load_observations(path))
    assert format_path(info.value.path) == where
    assert info.value.file == str(path)
    assert shown in str(info.value)


def test_results_lacking_what_an_event_needs(tmp_path):
    result = run(national=table([100.0]), by_technology=table([100.0], technology="fixed"))
    path = observations(tmp_path, doc(events=[event(0, "down", technology="mobile")]))
    with pytest.raises(InputError) as info:
        score_run(result, load_observations(path))
    assert format_path(info.value.path) == "events[0].technology"
    assert "fixed" in str(info.value)


def test_schema_is_json_schema():
    schema = observations_json_schema()
    assert schema["title"] == "simkz observations"
    assert {"name", "sources", "defaults", "series", "events"} <= set(schema["properties"])
    point = schema["$defs"]["PointSpec"]["properties"]
    assert point["at"]["format"] == "date-time"
    json.dumps(schema)


# --- results folders and the command line --------------------------------------------------------


def save_run(folder: Path, national: list[float], extra: dict[str, Table] | None = None) -> Path:
    """A results folder of a synthetic run: every table simkz writes, plus ``extra`` tables."""
    tables = {}
    for name in TABLES:
        keys = {} if name == "national" else {k: f"{k}-1" for k in name.removeprefix("by_").split("_")}
        tables[name] = table(national, **keys)
    summary = {"scenario": {"name": "synthetic", "end": stamp(60 * len(national))}}
    RunResult("synthetic", tables, summary).save(folder)
    for name, t in (extra or {}).items():
        t.write_csv(folder / f"{name}.csv")
    return folder


def test_load_run_reads_a_table_the_observations_need(tmp_path):
    rt = table([100.0, 20.0], region="r", technology="mobile")
    folder = save_run(tmp_path / "run", [100.0, 100.0], {"by_region_technology": rt})
    path = observations(tmp_path, doc(series=[series([(60, 20.0)], region="r", technology="mobile")]))
    obs = load_observations(path)
    assert score_run(load_run(folder, obs), obs).series[0].mae_pct == 0.0
    (folder / "by_region_technology.csv").unlink()
    with pytest.raises(InputError, match="by_region_technology"):
        score_run(load_run(folder, obs), obs)


def test_cli_exit_codes_and_json(tmp_path):
    folder = save_run(tmp_path / "run", [100.0, 10.0, 90.0])
    pts = [(0, 95.0), (60, 5.0), (120, 85.0)]  # MAE 5
    ok = write_yaml(tmp_path / "ok.yaml", doc(series=[series(pts, tolerance={"mae_pct": 6})]))
    bad = write_yaml(tmp_path / "bad.yaml", doc(series=[series(pts, tolerance={"mae_pct": 4})]))
    broken = write_yaml(tmp_path / "broken.yaml", doc(series=[series(pts, source="nowhere")]))
    runner = CliRunner()
    out = tmp_path / "out" / "score.json"

    passed = runner.invoke(cli, ["score", str(folder), "--observed", str(ok), "--out", str(out)])
    assert passed.exit_code == 0, passed.output
    assert "passed: every tolerance holds" in passed.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["passed"] is True and data["series"][0]["mae_pct"] == 5.0
    assert [p.name for p in out.parent.iterdir()] == ["score.json"]  # no temporary file left

    failed = runner.invoke(cli, ["score", str(folder), "--observed", str(bad), "--out", str(out)])
    assert failed.exit_code == 1, failed.output
    assert "series[0] traffic national: mae_pct 5.0 > 4" in failed.output
    assert json.loads(out.read_text(encoding="utf-8"))["passed"] is False

    refused = runner.invoke(cli, ["score", str(folder), "--observed", str(broken)])
    assert refused.exit_code == 2, refused.output
    assert "series[0].source: unknown source" in refused.output
    missing = runner.invoke(cli, ["score", str(tmp_path / "nowhere"), "--observed", str(ok)])
    assert missing.exit_code == 2, missing.output
