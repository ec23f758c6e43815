"""How the report writes numbers for people: persons, percentages, hours, money.

Every formatter takes the raw value of ``summary.json`` and returns short text; the raw value itself goes into
the page beside it (``data-value``), so nothing is lost to rounding.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

__all__ = [
    "DASH",
    "FORMATTERS",
    "MINUS",
    "attr",
    "esc",
    "fmt_hours",
    "fmt_pct",
    "fmt_persons",
    "fmt_share",
    "fmt_usd",
    "fmt_user_hours",
    "json_script",
    "key_path",
    "local_time",
    "raw",
    "utc_offset",
]


#: The sign of a negative difference, and the mark of a missing value.
MINUS, DASH = "\u2212", "\u2013"


def esc(text: object) -> str:
    """``text`` escaped for HTML content and attribute values (quotes included)."""
    return html.escape(str(text), quote=True)


def attr(name: str, value: object) -> str:
    """One attribute, ``name="value"``, the value escaped."""
    return f'{name}="{esc(value)}"'


def fmt_persons(value: float) -> str:
    """Persons: ``17.44 M`` from a hundred thousand up, else with thousands separators."""
    v = float(value)
    return f"{v / 1e6:,.2f} M" if abs(v) >= 1e5 else f"{v:,.0f}"


def fmt_user_hours(value: float) -> str:
    """User-hours (or person-hours): ``2,180.3 M`` from a hundred thousand up, else with separators."""
    v = float(value)
    return f"{v / 1e6:,.1f} M" if abs(v) >= 1e5 else f"{v:,.0f}"


def fmt_pct(value: float) -> str:
    """A percentage, one decimal: ``36.5 %``."""
    return f"{float(value):.1f} %"


def fmt_share(value: float) -> str:
    """A share 0-1 as a percentage, one decimal: ``0.39`` gives ``39.0 %``."""
    return fmt_pct(100.0 * float(value))


def fmt_hours(value: float) -> str:
    """Hours, one decimal: ``164.2 h``."""
    return f"{float(value):,.1f} h"


def fmt_usd(value: float) -> str:
    """US dollars: ``1.23 bn USD`` from a billion, ``80.4 M USD`` from a million, else with separators."""
    v = float(value)
    if abs(v) >= 1e9:
        return f"{v / 1e9:,.2f} bn USD"
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.1f} M USD"
    return f"{v:,.0f} USD"


#: The formatter of each kind of figure, by the name the tables use.
FORMATTERS: dict[str, Callable[[float], str]] = {
    "persons": fmt_persons,
    "count": fmt_persons,
    "user_hours": fmt_user_hours,
    "pct": fmt_pct,
    "share": fmt_share,
    "hours": fmt_hours,
    "usd": fmt_usd,
}


def utc_offset(iso: str) -> str:
    """The UTC offset of an ISO 8601 time as a reader writes it: ``UTC+06:00``."""
    offset = datetime.fromisoformat(iso).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "local time"


def local_time(iso: str, *, short: bool = False) -> str:
    """An ISO 8601 time with offset as a reader writes it: ``Tue 4 Jan 2022 12:00 (UTC+06:00)``; ``short``:
    ``Tue 4 Jan 12:00`` (the year and the offset said elsewhere)."""
    t = datetime.fromisoformat(iso)
    if short:
        return f"{t:%a} {t.day} {t:%b %H:%M}"
    return f"{t:%a} {t.day} {t:%b %Y %H:%M} ({utc_offset(iso)})"


def key_path(path: Sequence[str]) -> str:
    """A ``summary.json`` key path as the page stores it in ``data-key``: a JSON list of keys."""
    return json.dumps(list(path), ensure_ascii=False)


def raw(value: Any) -> str:
    """A number exactly as ``summary.json`` holds it (JSON text, so ``float(raw)`` gives the same value)."""
    return json.dumps(value)


def json_script(data: Any, *, ident: str | None = None, css: str | None = None) -> str:
    """``data`` in a ``<script type="application/json">`` element, safe inside HTML (``<``, ``>``, ``&`` escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    attrs = "".join(f" {attr(n, v)}" for n, v in (("id", ident), ("class", css)) if v)
    return f'<script type="application/json"{attrs}>{text}</script>'
