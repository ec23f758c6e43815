"""The short summary `simkz run` prints: headline figures, services, costs by method, groups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from simkz.results.run import RunResult

__all__ = ["format_figure", "print_summary"]


def format_figure(value: float) -> str:
    """A figure for a printed table: millions as ``12.34 M``, thousands with separators, else 4 digits."""
    v = float(value)
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.2f} M"
    if abs(v) >= 1e3:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _people(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e5 else f"{x:,.0f}"


def _usd(x: float) -> str:
    return f"{x / 1e9:,.2f} bn USD" if x >= 1e9 else f"{x / 1e6:,.1f} M USD"


def _services(services: dict[str, Any]) -> None:
    disrupted = [(k, v) for k, v in services.items() if v["disrupted_hours"] > 0]
    if not disrupted:
        click.echo("  services disrupted:     none")
        return
    click.echo("  services disrupted (hours; recovery after the network returned):")
    for key, v in sorted(disrupted, key=lambda kv: (-kv[1]["disrupted_hours"], kv[0])):
        notes = []
        if v["disrupted_by_dependency_hours"] > 0:
            notes.append(f"{v['disrupted_by_dependency_hours']:.1f} h via a dependency")
        backlog = v.get("backlog")
        if backlog and backlog["recoveries"]:
            done = [r["hours"] for r in backlog["recoveries"] if r["hours"] is not None]
            if done:
                notes.append(f"backlog drained in up to {max(done):.1f} h")
            if backlog["unrecovered"]:
                notes.append(f"{backlog['unrecovered']} return(s) cut short before the backlog drained")
        suffix = f"  ({'; '.join(notes)})" if notes else ""
        click.echo(f"    {key:<20} {v['disrupted_hours']:7.1f} h{suffix}")


def _costs(costs: dict[str, Any] | None) -> None:
    if not costs:
        click.echo("  cost: no cost parameters for this topology")
        return
    low, high = costs["range"]["low"], costs["range"]["high"]
    click.echo(f"  cost, by method ({_usd(low)} to {_usd(high)}; each method's figure, never one number):")
    for entry in costs["methods"].values():
        per_point = entry.get("per_point_of_share")
        suffix = f" ({_usd(per_point)} per point of internet share of GDP)" if per_point is not None else ""
        click.echo(f"    {_usd(entry['value']):>16}  {entry['method']}{suffix}")
    for key, reason in costs.get("dropped", {}).items():
        click.echo(f"    dropped {key}: {reason.split('. ')[0]} (summary.json costs.dropped says why)")


def print_summary(result: RunResult, folder: Path) -> None:
    s = result.summary
    sc, nat = s["scenario"], s["national"]
    click.echo(f"{sc['name']} on {sc['topology']}: {sc['start']} for {sc['duration_h']:g} h (seed {sc['seed']})")
    click.echo(f"  internet users          {_people(nat['internet_users_persons'])}")
    low, mean = nat["min_connectivity_index_pct"], nat["mean_connectivity_index_pct"]
    click.echo(f"  connectivity index      min {low:.1f}%  mean {mean:.1f}%")
    click.echo(f"  peak cut off entirely   {_people(nat['peak_cut_off_persons'])}")
    click.echo(f"  peak cut off abroad     {_people(nat['peak_cut_off_abroad_persons'])}")
    probing, bgp = nat["min_probing_responsive_pct"], nat["min_bgp_visible_pct"]
    click.echo(f"  probing (IODA-like)     min {probing:.1f}%  BGP visible min {bgp:.1f}%")
    click.echo(f"  peak affected           {_people(nat['peak_affected_persons'])} (lose any traffic)")
    click.echo(f"  peak traffic lost       {_people(nat['peak_user_equivalents_lost_persons'])} (user equivalents)")
    click.echo(f"  user-hours lost         {nat['user_hours_lost'] / 1e6:,.1f} M (user equivalents)")
    dis = s["persons_with_disabilities"]
    click.echo(
        f"  persons with disabilities: {_people(dis['internet_users_persons'])} online, "
        f"peak cut off {_people(dis['peak_cut_off_persons'])}, user-hours lost {dis['user_hours_lost'] / 1e6:,.1f} M"
    )
    circ = s["circumvention"]
    click.echo(
        f"  VPN share               {circ['vpn_initial_share']:.0%} -> {circ['vpn_final_share']:.0%}; "
        f"messaging fallback to calls/SMS: peak {_people(circ['messaging_fallback_peak_persons'])}"
    )
    _services(s["services"])
    _costs(s.get("costs"))
    click.echo("  by region, operator, technology, region and technology: see summary.json and the by_*.csv tables")
    for w in s.get("warnings", []):
        click.echo(f"  {w}")
    click.echo(f"results: {folder}")
