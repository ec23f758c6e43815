"""Time values in scenario files: durations, timezone-aware instants, dates and clock times.

Simulation time is measured in **seconds since the scenario start** (a float).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DURATION_UNITS",
    "format_duration",
    "parse_clock",
    "parse_date",
    "parse_duration",
    "parse_instant",
    "parse_zone",
]

#: Units accepted in durations, with their length in seconds.
DURATION_UNITS: dict[str, int] = {
    "s": 1,
    "min": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
}

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*(w|d|h|min|s)\s*)+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|min|s)")


def parse_duration(text: str) -> timedelta:
    """Parse ``8d``, ``90min``, ``5min``, ``1h30min`` or ``45s`` into a positive timedelta.

    Raises ``ValueError`` with the accepted form when the text is not a duration.
    """
    if not isinstance(text, str) or not _DURATION.match(text):
        raise ValueError("a duration is a number and a unit, e.g. 8d, 90min, 5min, 1h30min (units: w, d, h, min, s)")
    seconds = sum(float(n) * DURATION_UNITS[u] for n, u in _PART.findall(text))
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Format a duration in the largest unit that divides it: ``timedelta(minutes=90)`` -> ``90min``."""
    seconds = delta.total_seconds()
    for unit, size in sorted(DURATION_UNITS.items(), key=lambda kv: -kv[1]):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant that carries its UTC offset, e.g. ``2022-01-05T16:30+06:00``."""
    if not isinstance(text, str):
        raise ValueError("an instant is an ISO 8601 text with a UTC offset, e.g. 2022-01-05T16:30+06:00")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("an instant is an ISO 8601 text with a UTC offset, e.g. 2022-01-05T16:30+06:00") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("the time has no UTC offset; write it like 2022-01-05T16:30+06:00")
    return value


def parse_date(text: str) -> date:
    """Parse a calendar date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise ValueError("a date is written YYYY-MM-DD, e.g. 2022-01-07") from None


def parse_clock(text: str) -> time:
    """Parse a local clock time ``HH:MM`` (24 h)."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise ValueError('a clock time is written "HH:MM", e.g. "08:30"')
    hours, minutes = (int(p) for p in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError('a clock time is written "HH:MM" with HH 0-23 and MM 0-59')
    return time(hours, minutes)


def parse_zone(name: str) -> ZoneInfo:
    """Return the IANA time zone ``name`` (e.g. ``Asia/Almaty``)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone name, e.g. Asia/Almaty or UTC") from None
