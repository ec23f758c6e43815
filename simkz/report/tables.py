"""The report's tables from ``summary.json``: by region, by technology and by service.

Every number cell carries the exact key path of its value in ``summary.json`` (``data-key``, a JSON list of keys)
and the value itself (``data-value``), so a reader, or a test, can check the page against the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simkz.report.formats import DASH, FORMATTERS, attr, esc, key_path, raw

__all__ = ["Column", "number_cell", "region_table", "service_table", "table", "technology_table"]


@dataclass(frozen=True)
class Column:
    """A column of numbers: its heading, the key of the value in each row's block, and its formatter's name."""

    title: str
    key: str
    kind: str


def number_cell(path: Sequence[str], value: Any, kind: str, tag: str = "td", css: str = "num") -> str:
    """A cell showing ``value`` formatted as ``kind``, with ``data-key`` (its ``summary.json`` path) and
    ``data-value`` (the exact value); a dash when the value is missing."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return f'<{tag} class="{css} na">{DASH}</{tag}>'
    return f"<{tag} {attr('class', css)} {attr('data-key', key_path(path))} {attr('data-value', raw(value))}>" + (
        f"{esc(FORMATTERS[kind](value))}</{tag}>"
    )


def table(
    caption: str,
    first: str,
    rows: Sequence[tuple[str, Sequence[str], Mapping[str, Any]]],
    columns: Sequence[Column],
    *,
    extra: Sequence[tuple[str, Sequence[str]]] = (),
) -> str:
    """A table: one row per ``(label, key path of the row's block, block)``, one column per :class:`Column`;
    ``extra`` adds text columns after the first: ``(heading, one text per row)``."""
    head = "".join(f'<th scope="col">{esc(t)}</th>' for t, _ in extra)
    head += "".join(f'<th scope="col" class="num">{esc(c.title)}</th>' for c in columns)
    body = []
    for n, (label, path, block) in enumerate(rows):
        cells = "".join(f'<td class="text">{esc(texts[n])}</td>' for _, texts in extra)
        cells += "".join(number_cell((*path, c.key), block.get(c.key), c.kind) for c in columns)
        body.append(f'<tr><th scope="row">{esc(label)}</th>{cells}</tr>')
    return (
        f'<div class="table-wrap"><table><caption>{esc(caption)}</caption>'
        f'<thead><tr><th scope="col">{esc(first)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


#: The columns of the region and technology tables.
GROUP_COLUMNS = (
    Column("internet users", "internet_users_persons", "persons"),
    Column("lowest index", "min_connectivity_index_pct", "pct"),
    Column("mean index", "mean_connectivity_index_pct", "pct"),
    Column("peak affected", "peak_affected_persons", "persons"),
    Column("peak cut off", "peak_cut_off_persons", "persons"),
    Column("user-hours lost", "user_hours_lost", "user_hours"),
)


def region_table(summary: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The regions of ``summary.json`` (``by_region``), by name (``names``: key to name, else the key)."""
    regions = summary.get("by_region") or {}
    rows = sorted(((names.get(k) or k, ("by_region", k), v) for k, v in regions.items()), key=lambda r: r[0])
    return table("By region (lowest and mean connectivity index over the run)", "region", rows, GROUP_COLUMNS)


def technology_table(summary: Mapping[str, Any]) -> str:
    """The access technologies of ``summary.json`` (``by_technology``)."""
    techs = summary.get("by_technology") or {}
    rows = [(k, ("by_technology", k), v) for k, v in sorted(techs.items())]
    return table("By access technology", "technology", rows, GROUP_COLUMNS)


#: The columns of the service table.
SERVICE_COLUMNS = (
    Column("disrupted", "disrupted_hours", "hours"),
    Column("via a dependency", "disrupted_by_dependency_hours", "hours"),
    Column("peak affected", "peak_affected_persons", "persons"),
    Column("user-hours affected", "affected_user_hours", "user_hours"),
    Column("lowest share served", "min_served_share", "share"),
)


def service_table(summary: Mapping[str, Any]) -> str:
    """The services of ``summary.json``, the longest disrupted first, with their longest backlog recovery."""
    services = summary.get("services") or {}
    order = sorted(services.items(), key=lambda kv: (-float(kv[1].get("disrupted_hours", 0.0)), kv[0]))
    rows = [(k, ("services", k), v) for k, v in order]
    kinds = [str(v.get("kind", "")) for _, v in order]
    where = ["abroad" if v.get("hosted_abroad") else "home" for _, v in order]
    body = table(
        "By service, the longest disrupted first (disrupted: the share of its requests that work fell below the "
        "run's threshold, a service it depends on was disrupted, or its backlog was still draining; hosted at home "
        "or abroad)",
        "service",
        rows,
        SERVICE_COLUMNS,
        extra=(("kind", kinds), ("hosted", where)),
    )
    backlog = [(k, v["backlog"]) for k, v in order if isinstance(v.get("backlog"), Mapping)]
    if not backlog:
        return body
    brows = [(k, ("services", k, "backlog"), b) for k, b in backlog]
    return body + table(
        "Backlogs: failed requests waiting to be retried once the network returns, and the longest time "
        "they took to drain",
        "service",
        brows,
        (
            Column("peak requests waiting", "peak_requests", "count"),
            Column("longest drain", "max_recovery_hours", "hours"),
            Column("returns cut short before it drained", "unrecovered", "count"),
        ),
    )
