"""`simkz validate` agrees with `simkz run`: a scenario that loads runs without an internal error.

Hypothesis generates scenarios over the toy topology, good and bad: instants near and beyond the
accepted range, durations and steps of every size, parameters with any number or distribution,
actions of every kind with names the topology has or lacks, windows in any order. Whatever loads
(what `simkz validate` accepts) must run to the end raising nothing but a
:class:`~simkz.errors.SimkzError`; whatever does not load must say so with an
:class:`~simkz.errors.InputError` naming the file.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simkz import Simulation, load_scenario
from simkz.errors import InputError, SimkzError
from simkz.scenario.load import Scenario
from simkz.scenario.parameters import PARAMETERS

TOY = Path(__file__).resolve().parents[1] / "topologies" / "toy.yaml"


def mostly(good: st.SearchStrategy[Any], wild: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Values from ``good`` nine times in ten, else from ``wild``: many scenarios load, many do not."""
    return st.sampled_from([False] * 9 + [True]).flatmap(lambda w: wild if w else good)


NUMBERS = mostly(
    st.one_of(st.floats(0.0, 1.0), st.sampled_from([0, 1, 0.5, 1e-300])),
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(-0.5, 1.5),
        st.integers(-(10**30), 10**30),
        st.sampled_from([-0.0, 1e308, -1]),
    ),
)
INSTANTS = mostly(
    st.builds(
        lambda day, hour, minute, offset: f"2022-01-{day:02d}T{hour:02d}:{minute:02d}{offset}",
        st.integers(4, 7),
        st.integers(0, 23),
        st.sampled_from([0, 15, 30, 59]),
        st.sampled_from(["+06:00", "+05:00", "Z", "-12:00", "+14:00", "+05:45"]),
    ),
    st.sampled_from(
        [
            "1970-01-01T00:00+00:00",
            "2199-12-31T23:00+00:00",
            "0001-01-01T00:00+06:00",
            "9999-12-31T23:00-06:00",
            "2022-01-05T14:00",
            "2022-02-30T00:00+06:00",
            "soon",
        ]
    ),
)
DATES = mostly(
    st.sampled_from(["2022-01-04", "2022-01-05", "2022-01-06", "2022-01-07"]),
    st.sampled_from(["2021-12-31", "1970-01-01", "9999-12-31", "bad"]),
)
CLOCKS = mostly(st.sampled_from(["00:00", "08:30", "12:00", "23:59", "06:15"]), st.sampled_from(["24:00", "8:5", 510]))
#: (duration, step) pairs: every accepted one runs in well under a second on the toy topology.
HORIZONS = mostly(
    st.tuples(
        st.sampled_from(["1h", "6h", "12h", "1d", "3d", "90min", "1h30min"]),
        st.sampled_from(["5min", "15min", "1h", "7h"]),
    ),
    st.one_of(
        st.tuples(st.sampled_from(["1s", "10s", "1h"]), st.sampled_from(["1s", "2s", "0.5s", "0.0000001s"])),
        st.tuples(
            st.sampled_from(["0s", "99999999999999999999w", "52143w", "100w", "5d", "1d", "-1h", "12 hours", 12]),
            st.sampled_from(["1s", "15min", "1d", "2d"]),
        ),
    ),
)
NAMES = {
    "operators": ["telco-a", "telco-b"],
    "regions": ["north", "south"],
    "tech": ["fixed", "mobile"],
    "kind": ["access", "core", "gateway", "ixp", "datacenter", "foreign"],
    "nodes": ["gw-1", "gw-2", "abroad", "dc", "north-a-fixed", "south-b-mobile"],
    "controlled_by": ["central-management"],
    "links": ["gw-1--abroad", "ix--dc", "a-core--gw-1"],
}
#: Names the toy topology lacks.
UNKNOWN = st.sampled_from(["telco-c", "east", "5g", "router", "nowhere", "nobody", "no-link"])


def names(key: str) -> st.SearchStrategy[Any]:
    return st.one_of(st.just("all"), st.lists(mostly(st.sampled_from(NAMES[key]), UNKNOWN), min_size=1, max_size=3))


SERVICES = st.lists(
    mostly(st.sampled_from(["chat", "video", "search", "egov", "egov-id", "bank"]), st.just("whatsapp")),
    min_size=1,
    max_size=3,
)


@st.composite
def selectors(draw: st.DrawFn, links: bool = True) -> dict[str, Any]:
    keys = [k for k in NAMES if links or k != "links"]
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=3))
    out: dict[str, Any] = {}
    for key in chosen:
        out[key] = draw(names(key))
    if draw(st.integers(0, 4)) == 0:
        out["except"] = {"operators": draw(names("operators"))}
    return out


@st.composite
def actions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["block", "whitelist", "degrade", "shutdown", "withdraw", "restore", "throttle"]))
    body: dict[str, Any]
    if kind in ("block", "whitelist"):
        body = {"services": draw(SERVICES)}
        if draw(st.booleans()):
            body["at"] = draw(selectors(links=draw(st.integers(0, 9)) == 0))
        if draw(st.booleans()):
            body["effectiveness"] = draw(NUMBERS)
    else:
        body = draw(selectors())
        if kind == "degrade":
            body["pass"] = draw(NUMBERS)
        elif kind == "throttle":
            body["factor"] = draw(NUMBERS)
        elif kind == "shutdown" and draw(st.booleans()):
            body["share"] = draw(NUMBERS)
        elif kind == "restore" and draw(st.booleans()):
            kinds = ["shutdown", "block", "whitelist", "throttle", "degrade", "withdraw"]
            body["lift"] = draw(st.lists(mostly(st.sampled_from(kinds), st.just("everything")), max_size=3))
    action: dict[str, Any] = {kind: body}
    timing = draw(st.integers(0, 3))
    if timing == 1:
        action["at"] = draw(INSTANTS)
        if draw(st.booleans()):
            action["until"] = draw(INSTANTS)
    elif timing == 2:
        action["windows"] = draw(st.lists(st.lists(INSTANTS, min_size=2, max_size=2), max_size=3))
    elif timing == 3:
        action["daily"] = {"from": draw(CLOCKS), "to": draw(CLOCKS)}
        action["between"] = [draw(DATES), draw(DATES)]
    if draw(st.integers(0, 4)) == 0:
        action["label"] = draw(mostly(st.text(st.characters(categories=["L", "N", "Zs"]), max_size=20), st.text()))
    return action


def distributions() -> st.SearchStrategy[Any]:
    return st.one_of(
        NUMBERS,
        st.builds(lambda a, b: {"dist": "uniform", "low": a, "high": b}, NUMBERS, NUMBERS),
        st.builds(lambda a, m, b: {"dist": "triangular", "low": a, "mode": m, "high": b}, NUMBERS, NUMBERS, NUMBERS),
        st.builds(
            lambda m, s, a, b: {"dist": "normal", "mean": m, "sd": s, "low": a, "high": b},
            NUMBERS,
            NUMBERS,
            NUMBERS,
            NUMBERS,
        ),
        st.builds(lambda m, s: {"dist": "normal", "mean": m, "sd": s}, NUMBERS, NUMBERS),
        st.just([0.1, 0.2]),
        st.just({"dist": "beta"}),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    duration, step = draw(HORIZONS)
    if draw(st.booleans()):
        step = draw(st.sampled_from(["5min", "15min", "1h"]))
    data: dict[str, Any] = {
        "name": "agree",
        "topology": str(TOY),
        "start": draw(INSTANTS),
        "duration": duration,
        "step": step,
        "seed": draw(mostly(st.integers(0, 2**64), st.integers(-5, -1))),
    }
    if draw(st.booleans()):
        data["timezone"] = draw(
            st.sampled_from(["Asia/Almaty", "UTC", "Etc/GMT+5", "Asia/Kathmandu", "Asia", "Nope/X"])
        )
    names = mostly(st.sampled_from(list(PARAMETERS)), st.just("unknown_parameter"))
    data["parameters"] = draw(st.dictionaries(names, distributions(), max_size=3))
    data["actions"] = draw(st.lists(actions(), max_size=5))
    return data


class _Dumper(yaml.SafeDumper):
    """Writes repeated values in full: the reader refuses anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _check_refusal(exc: InputError, path: Path) -> None:
    assert exc.file == str(path) or exc.file == str(TOY), exc.file
    assert exc.problem
    assert "\n" not in exc.one_line()


def _load_and_run(data: dict[str, Any]) -> Scenario | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            _check_refusal(exc, path)
            return None
        try:
            result = Simulation(scenario).run().result
        except SimkzError:
            return scenario
        national = result.tables["national"]
        assert all(math.isfinite(v) for v in national["connectivity_index_pct"])
        return scenario


AGREE = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _property(examples: int) -> None:
    """Run the property on ``examples`` scenarios; it must meet both outcomes, or it tests little."""
    loaded: list[bool] = []

    @settings(AGREE, max_examples=examples)
    @given(scenarios())
    def check(data: dict[str, Any]) -> None:
        loaded.append(_load_and_run(data) is not None)

    check()
    assert any(loaded), "no generated scenario loaded"
    assert not all(loaded), "every generated scenario loaded"


def test_what_validates_runs_without_an_internal_error():
    _property(60)


@pytest.mark.slow
def test_what_validates_runs_without_an_internal_error_many():
    _property(1000)
