"""The scenario file format (``scenarios/*.yaml``), as typed models.

A scenario is a timed list of actions on a topology. Times are ISO 8601 with
a UTC offset; durations are like ``8d``, ``90min``, ``5min``. Unknown keys are
errors and values are strict (see :mod:`simkz.inputs`); pairs (``between``, ``windows``
entries) are YAML lists. :func:`scenario_json_schema` exports the JSON Schema (``simkz schema``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WrapValidator, model_validator

from simkz.inputs import Pair, StrictModel, json_schema
from simkz.scenario.distributions import Distribution, UncertainShare, within
from simkz.scenario.failures import RandomFailuresSpec
from simkz.scenario.parameters import parameters_json_schema

__all__ = [
    "ACTION_KINDS",
    "MAX_SHIFT_MIN",
    "POLICY_KINDS",
    "ActionSpec",
    "BlockSpec",
    "DailySpec",
    "DegradeSpec",
    "RestoreSpec",
    "ScenarioFile",
    "SelectorSpec",
    "ThrottleSpec",
    "WhitelistSpec",
    "WithdrawSpec",
    "scenario_json_schema",
]

ACTION_KINDS = ("block", "whitelist", "degrade", "shutdown", "withdraw", "restore", "throttle")
#: Actions that act on traffic through nodes (policy), at any selected node.
POLICY_KINDS = ("block", "whitelist", "degrade")
Liftable = Literal["shutdown", "throttle", "degrade", "withdraw", "block", "whitelist"]
_DEFAULT_LIFT: tuple[Liftable, ...] = ("shutdown", "throttle", "degrade", "withdraw")
#: The largest shift of an action's timing, either way, in minutes (366 days).
MAX_SHIFT_MIN = 366 * 24 * 60
#: Minutes (a number or a distribution) within +-MAX_SHIFT_MIN.
ShiftMinutes = Annotated[
    Annotated[float, Field(ge=-MAX_SHIFT_MIN, le=MAX_SHIFT_MIN)] | Distribution,
    WrapValidator(within(-MAX_SHIFT_MIN, MAX_SHIFT_MIN, "minutes")),
]
_UNCERTAIN = " A number or a distribution (see `dist`), drawn once per run."


def _listify(value: Any) -> Any:
    """Accept ``x`` as shorthand for ``[x]``."""
    return [value] if isinstance(value, str) else value


Names = Annotated[list[str] | Literal["all"], BeforeValidator(lambda v: v if v == "all" else _listify(v))]


class _SelectorFields(StrictModel):
    operators: Names | None = Field(None, description="Operator keys, or `all`.")
    regions: Names | None = Field(None, description="Region keys, or `all` (every node that has a region).")
    tech: Names | None = Field(None, description="Technologies: mobile, fixed.")
    kind: Names | None = Field(None, description="Node kinds: access, core, gateway, ixp, datacenter, foreign.")
    nodes: Names | None = Field(None, description="Node keys.")
    controlled_by: Names | None = Field(None, description="Controllers of control points, e.g. central-management.")
    links: Names | None = Field(None, description="Link keys (selected in addition to the nodes).")


class ExceptSpec(_SelectorFields):
    """Nodes and links to leave out of a selection."""


class SelectorSpec(_SelectorFields):
    """Which nodes and links an action touches.

    Node criteria (operators, regions, tech, kind, nodes, controlled_by) must all hold
    (AND across keys, OR within a list); ``links`` adds links by name. An empty
    selector selects every node and link.
    """

    except_: ExceptSpec | None = Field(None, alias="except", description="What to leave out, same keys.")


def _control_points() -> SelectorSpec:
    return SelectorSpec.model_validate({"controlled_by": "all"})


_AT = "Where: the selected nodes, any kind (default: every control point, i.e. every node with controlled_by)."


class BlockSpec(StrictModel):
    """Filter services at the selected nodes: a blocked flow passes each one with probability 1 - effectiveness."""

    services: Annotated[list[str], BeforeValidator(_listify), Field(min_length=1)] = Field(description="Service keys.")
    at: SelectorSpec = Field(default_factory=_control_points, description=_AT)
    effectiveness: UncertainShare = Field(
        1.0, description="Share of the blocked traffic that is stopped, 0-1." + _UNCERTAIN
    )


class WhitelistSpec(StrictModel):
    """Only the listed services pass the selected nodes; others pass with 1 - effectiveness."""

    services: Annotated[list[str], BeforeValidator(_listify)] = Field(description="Service keys that pass.")
    at: SelectorSpec = Field(default_factory=_control_points, description=_AT)
    effectiveness: UncertainShare = Field(1.0, description="Share of other traffic that is stopped, 0-1." + _UNCERTAIN)


class ShutdownSpec(SelectorSpec):
    """Take the selected nodes and links down; with ``share`` below 1, cut off that share of the users of the
    selected access nodes (some cell sites or lines off) and leave the rest untouched."""

    share: UncertainShare = Field(
        1.0,
        description="Share of the selected access nodes' users cut off entirely, 0-1 (default 1: the nodes go down). "
        "Below 1 (or a distribution that can draw below 1) the selection may hold access nodes only." + _UNCERTAIN,
    )


class DegradeSpec(SelectorSpec):
    """Throttling by policy: every flow through the selected nodes keeps ``pass`` of its traffic, whatever the
    capacity (unlike ``throttle``, which cuts capacity and bites only where demand exceeds it)."""

    pass_: UncertainShare = Field(
        alias="pass", description="Share of every flow through the selected nodes that passes, 0-1." + _UNCERTAIN
    )


class WithdrawSpec(SelectorSpec):
    """Withdraw the routes of the selected access nodes' address blocks from the global routing table: they are no
    longer seen from abroad (BGP visibility falls), and their users reach nothing hosted abroad."""


class ThrottleSpec(SelectorSpec):
    """Multiply the capacity of the selected links (and of every link of the selected nodes)."""

    factor: UncertainShare = Field(description="Capacity factor, 0-1 (0.5 halves the capacity)." + _UNCERTAIN)


class RestoreSpec(SelectorSpec):
    """Undo earlier actions on the selection, fully or for some kinds of action only."""

    lift: Annotated[list[Liftable], BeforeValidator(_listify)] = Field(
        default_factory=lambda: list(_DEFAULT_LIFT),
        description="Which kinds of action to undo: shutdown, throttle, degrade, withdraw, block, whitelist "
        "(default: shutdown, throttle, degrade, withdraw).",
    )
    services: Annotated[list[str], BeforeValidator(_listify)] | None = Field(
        None, description="With lift block/whitelist: only these services (default all)."
    )


class DailySpec(StrictModel):
    """A daily window in the scenario's time zone, e.g. from 08:30 to 12:00."""

    from_: str = Field(alias="from", description='Local clock time "HH:MM".')
    to: str = Field(description='Local clock time "HH:MM"; earlier than from means the next day.')


class ActionSpec(StrictModel):
    """One entry of ``actions``: exactly one of the action kinds (block, whitelist, degrade, shutdown, withdraw,
    restore, throttle), plus when."""

    at: str | None = Field(None, description="Instant it starts (ISO 8601 with offset); default: the scenario start.")
    until: str | None = Field(None, description="Instant it ends; default: never.")
    windows: list[Pair[str]] | None = Field(None, description="One-off windows [[start, end], ...].")
    daily: DailySpec | None = Field(None, description="A daily window; needs `between`.")
    between: Pair[str] | None = Field(None, description="First and last date (inclusive) of a daily window.")
    shift_min: ShiftMinutes = Field(
        0.0,
        description="Minutes added to every instant of the timing (at, until, windows, daily windows; at defaults "
        f"to the start), within +-{MAX_SHIFT_MIN}: e.g. {{dist: uniform, low: -60, high: 60}} for a start known "
        "to the hour." + _UNCERTAIN,
    )
    label: str | None = Field(None, description="What this action stands for, for readers and figures.")
    source: str | None = Field(None, description="Where the event is documented.")
    assumption: str | None = Field(None, description="What is assumed about it.")
    note: str | None = Field(
        None, description="Free text for readers, e.g. where sources disagree and which was followed."
    )
    block: BlockSpec | None = None
    whitelist: WhitelistSpec | None = None
    degrade: DegradeSpec | None = None
    shutdown: ShutdownSpec | None = None
    withdraw: WithdrawSpec | None = None
    restore: RestoreSpec | None = None
    throttle: ThrottleSpec | None = None

    @model_validator(mode="after")
    def _one_kind_and_timing(self) -> ActionSpec:
        given = [k for k in ACTION_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"an action needs exactly one of {', '.join(ACTION_KINDS)}; it has "
                + (", ".join(given) if given else "none")
            )
        if self.windows is not None and (self.at or self.until or self.daily):
            raise ValueError("windows cannot be combined with at, until or daily")
        if (self.daily is None) != (self.between is None):
            raise ValueError("daily and between go together")
        if self.daily is not None and (self.at or self.until):
            raise ValueError("daily cannot be combined with at or until")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ACTION_KINDS if getattr(self, k) is not None)


class ScenarioFile(StrictModel):
    """A whole scenario file."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",  # simkz.results.paths.NAME_PATTERN (a test keeps them equal)
        description="Short identifier; names the results folder: 1 to 100 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit.",
    )
    description: str = Field("", description="One line for `simkz list`.")
    extends: str | None = Field(
        None,
        description="Base file this one is merged over: a path relative to this file, or a shipped scenario name. "
        "In this file, `key+: [...]` appends to the base's list and `key=: value` replaces the base's value.",
    )
    topology: str = Field(description="Topology file (relative to this file) or the name of a shipped topology.")
    start: str = Field(description="Start instant, ISO 8601 with offset.")
    duration: str = Field(description="Length, e.g. 8d, 36h, 90min.")
    step: str = Field("5min", description="Sampling step of the time series, e.g. 5min.")
    seed: Annotated[int, Field(ge=0)] = Field(0, description="Seed of the run's random generator.")
    timezone: str | None = Field(None, description="IANA zone of daily windows and dates; default: the topology's.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Model parameters; see `simkz parameters`.")
    sources: dict[str, str] = Field(default_factory=dict, description="Citations that actions name by key.")
    actions: list[ActionSpec] = Field(default_factory=list, description="What happens, in order.")
    random_failures: RandomFailuresSpec | None = Field(
        None,
        description="Random failures of the topology's nodes and links, repaired by a limited number of crews: "
        "present (`{}` will do) switches them on, with the topology's `reliability:` rates and crews; its keys "
        "override them.",
    )
    sweep: dict[str, Annotated[list[Any], Field(min_length=1)]] | None = Field(
        None,
        description="Values to sweep, by key path (`parameters.vpn_adoption_per_day: [0.02, 0.05, 0.1]`, "
        "`actions[3].degrade.pass: [0.4, 0.6]`): `simkz sweep FILE` runs the grid of every key path's values; "
        "`simkz run` runs the scenario once without them, and says so.",
    )


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (``parameters`` with every parameter, its range and distributions)."""
    schema = json_schema(ScenarioFile, "simkz scenario")
    parameters = parameters_json_schema()
    schema.setdefault("$defs", {}).update(parameters.pop("$defs", {}))
    parameters["description"] = schema["properties"]["parameters"].get("description", "")
    schema["properties"]["parameters"] = parameters
    return schema
