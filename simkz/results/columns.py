"""Every column simkz writes, defined once: its unit, type and meaning.

Column names end in their unit: ``_pct`` percent, ``_gbps`` gigabits per second,
``_persons`` people, ``_h`` hours, ``_share`` a fraction in [0, 1], ``_flag`` 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["COLUMNS", "Column"]


@dataclass(frozen=True)
class Column:
    name: str
    unit: str
    kind: Literal["str", "float", "int"]
    description: str


COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column(
            "time",
            "ISO 8601",
            "str",
            "Sample instant (network_states.csv: the instant of the change), local time of the scenario with its "
            "UTC offset.",
        ),
        Column("elapsed_h", "h", "float", "Hours since the scenario start (of the sample, or of the change)."),
        Column("region", "-", "str", "Region key."),
        Column("operator", "-", "str", "Operator key."),
        Column("technology", "-", "str", "Access technology: fixed or mobile."),
        Column("service", "-", "str", "Service key."),
        Column("internet_users_persons", "persons", "float", "Internet users in the group."),
        Column(
            "connectivity_index_pct",
            "%",
            "float",
            "Served traffic as a percentage of the traffic the same hour carries with no action "
            "(comparable to NetBlocks/IODA/Cloudflare '% of ordinary levels').",
        ),
        Column("traffic_served_gbps", "Gbps", "float", "Traffic that arrives, summed over cohorts and services."),
        Column("traffic_baseline_gbps", "Gbps", "float", "Traffic the same hour carries with no action."),
        Column(
            "probing_responsive_pct",
            "%",
            "float",
            "Active probing (IODA-like): the ordinarily responsive /24 address blocks that still answer probes from "
            "abroad, as a percentage of an ordinary day (mobile blocks behind carrier-grade NAT weigh little).",
        ),
        Column(
            "bgp_visible_pct",
            "%",
            "float",
            "BGP visibility: the /24 address blocks whose routes are seen from abroad, as a percentage of all "
            "(falls only when routes are withdrawn or border links cut, not when access is cut behind the border).",
        ),
        Column(
            "affected_persons",
            "persons",
            "float",
            "Group rows: internet users who lose any of their ordinary traffic (every user of a degraded or "
            "filtered node, and those cut off). "
            "Service rows: users of the service times the share of its demand not served.",
        ),
        Column(
            "user_equivalents_lost_persons",
            "persons",
            "float",
            "Internet users times the share of their ordinary traffic lost: the users equivalent to the traffic "
            "lost (what user-hours lost and the cost methods use).",
        ),
        Column(
            "cut_off_persons",
            "persons",
            "float",
            "Users whose whole demand is lost: they reach no service at all, at home or abroad.",
        ),
        Column("cut_off_abroad_persons", "persons", "float", "Users who reach no service hosted abroad."),
        Column("services_disrupted_count", "services", "int", "Services disrupted at this instant."),
        Column(
            "served_share",
            "share",
            "float",
            "User-weighted effective share of the service's requests that work (network and dependencies), 0-1.",
        ),
        Column(
            "disrupted_flag",
            "0/1",
            "int",
            "1 while the service is disrupted: effective share below the threshold, a dependency disrupted, "
            "or a backlog still draining.",
        ),
        Column(
            "network_served_share",
            "share",
            "float",
            "User-weighted share of the service's demand the network delivers, before dependencies, 0-1.",
        ),
        Column("backlog_requests", "requests", "float", "Failed requests waiting to be retried."),
        Column("vpn_share", "share", "float", "Share of internet users with a working VPN, 0-1."),
        Column(
            "messaging_fallback_persons",
            "persons",
            "float",
            "Users who lost their messengers and fall back to calls and SMS (which kept working).",
        ),
        Column(
            "disabled_affected_persons",
            "persons",
            "float",
            "Persons with disabilities who lose any of their ordinary traffic.",
        ),
        Column("disabled_cut_off_persons", "persons", "float", "Persons with disabilities cut off entirely."),
        # failures.csv: one row per random failure (scenarios with random_failures)
        Column(
            "element",
            "-",
            "str",
            "A node or link (its key in the topology): the one that failed (failures.csv), or whose state changed "
            "(network_states.csv).",
        ),
        Column("element_type", "-", "str", "node or link."),
        Column(
            "element_kind",
            "-",
            "str",
            "The element's kind: access, core, gateway, ixp, datacenter or foreign (nodes); access, backbone, "
            "peering, transit or cross-border (links).",
        ),
        Column("failed_at", "ISO 8601", "str", "When it failed, local time of the scenario with its UTC offset."),
        Column(
            "repair_started_at",
            "ISO 8601",
            "str",
            "When a repair crew started on it; empty if it was still waiting for a crew at the end of the run.",
        ),
        Column("restored_at", "ISO 8601", "str", "When it was restored; empty if it was still down at the end."),
        Column("failed_elapsed_h", "h", "float", "Hours from the scenario start to the failure."),
        Column("crew_wait_h", "h", "float", "Hours it waited for a free crew (up to the end of the run)."),
        Column("repair_h", "h", "float", "Hours a crew worked on it (up to the end of the run)."),
        Column("down_h", "h", "float", "Hours it was down: the wait for a crew plus the repair (up to the end)."),
        Column("restored_flag", "0/1", "int", "1 if it was restored before the end of the run."),
        # phases.csv: one row per window of an action in force during the run
        Column(
            "label",
            "-",
            "str",
            "What the action stands for: its label in the scenario, or one made from its kind and selection "
            "(e.g. 'shutdown: gateway').",
        ),
        Column(
            "kind", "-", "str", "The action's kind: block, whitelist, degrade, shutdown, withdraw, restore or throttle."
        ),
        Column(
            "start",
            "ISO 8601",
            "str",
            "When the window starts (shifts applied, clipped to the run's start), local time with its UTC offset.",
        ),
        Column(
            "end",
            "ISO 8601",
            "str",
            "When the window ends (the run's end if it is still in force then), local time with its UTC offset.",
        ),
        Column("start_elapsed_h", "h", "float", "Hours from the scenario start to the window's start."),
        Column("end_elapsed_h", "h", "float", "Hours from the scenario start to the window's end."),
        Column("action", "index", "int", "The action's place in the scenario's actions list, from 0."),
        # network_states.csv: one row each time a node's or link's state changes
        Column(
            "state",
            "-",
            "str",
            "The element's state from this instant on. Nodes: up, down (shut down or failed), withdrawn (routes "
            "withdrawn), partial (a share of its users cut off), filtered (a block, whitelist or degrade acts at it); "
            "the first of these that holds, in the order down, withdrawn, partial, filtered. Links: up, down (cut or "
            "failed), throttled.",
        ),
        Column(
            "value",
            "share",
            "float",
            "0-1. partial: the share of the node's users still connected; throttled: the link's capacity factor; "
            "filtered: the share of the node's ordinary traffic (an ordinary day, no action, weighted by service) "
            "that its rules let pass, empty if no ordinary traffic crosses it. Empty for the other states.",
        ),
    )
}
