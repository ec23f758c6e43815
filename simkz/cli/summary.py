"""The short summary `simkz run` prints."""

from __future__ import annotations

from pathlib import Path

import click

from simkz.results.run import RunResult

__all__ = ["print_summary"]


def _people(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e5 else f"{x:,.0f}"


def print_summary(result: RunResult, folder: Path) -> None:
    s = result.summary
    sc, nat = s["scenario"], s["national"]
    click.echo(f"{sc['name']} on {sc['topology']}: {sc['start']} for {sc['duration_h']:g} h (seed {sc['seed']})")
    click.echo(f"  internet users          {_people(nat['internet_users_persons'])}")
    low, mean = nat["min_connectivity_index_pct"], nat["mean_connectivity_index_pct"]
    click.echo(f"  connectivity index      min {low:.1f}%  mean {mean:.1f}%")
    click.echo(f"  peak cut off entirely   {_people(nat['peak_cut_off_persons'])}")
    click.echo(f"  peak cut off abroad     {_people(nat['peak_cut_off_abroad_persons'])}")
    click.echo(f"  peak affected           {_people(nat['peak_affected_persons'])} (user equivalents)")
    click.echo(f"  user-hours lost         {nat['user_hours_lost'] / 1e6:,.1f} M")
    disrupted = [(k, v) for k, v in s["services"].items() if v["disrupted_hours"] > 0]
    if disrupted:
        click.echo("  services disrupted:")
        for key, v in sorted(disrupted, key=lambda kv: -kv[1]["disrupted_hours"]):
            via = " (via a dependency)" if v["disrupted_by_dependency_hours"] >= v["disrupted_hours"] else ""
            click.echo(f"    {key:<20} {v['disrupted_hours']:7.1f} h{via}")
    else:
        click.echo("  services disrupted:     none")
    for w in s.get("warnings", []):
        click.echo(f"  {w}")
    click.echo(f"results: {folder}")
