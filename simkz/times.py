"""Time values in scenario files: durations, timezone-aware instants, dates and clock times.

Simulation time is measured in **seconds since the scenario start** (a float).
Instants and dates lie between :data:`EARLIEST` and :data:`LATEST` (1970 to 2200,
UTC), so that no arithmetic on them can leave the range of ``datetime``;
durations are whole microseconds, longer than zero and at most :data:`MAX_DURATION`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DURATION_UNITS",
    "EARLIEST",
    "LATEST",
    "MAX_DURATION",
    "MAX_ZONE_NAME",
    "check_instant",
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

#: The earliest instant a file may name (UTC).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
#: The first instant after the range a file may name (UTC): instants are before it.
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
#: The longest duration accepted: the whole range of instants.
MAX_DURATION = LATEST - EARLIEST
#: The longest time zone name accepted, in characters (IANA names have at most about 30).
MAX_ZONE_NAME = 64
_RANGE_TEXT = "between 1970-01-01 and 2200-01-01 (UTC)"

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*(w|d|h|min|s)\s*)+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|min|s)")


def parse_duration(text: str) -> timedelta:
    """Parse ``8d``, ``90min``, ``5min``, ``1h30min`` or ``45s`` into a positive timedelta.

    Raises ``ValueError`` with the accepted form when the text is not a duration, when it rounds to
    zero microseconds, or when it is longer than :data:`MAX_DURATION`.
    """
    if not isinstance(text, str) or not _DURATION.match(text):
        raise ValueError("a duration is a number and a unit, e.g. 8d, 90min, 5min, 1h30min (units: w, d, h, min, s)")
    seconds = sum(float(n) * DURATION_UNITS[u] for n, u in _PART.findall(text))
    if not seconds <= MAX_DURATION.total_seconds():
        raise ValueError(f"a duration of at most {MAX_DURATION.days} days")
    delta = timedelta(seconds=seconds)
    if delta <= timedelta(0):
        raise ValueError("a duration longer than zero, in whole microseconds at least (e.g. 1s)")
    return delta


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
    check_instant(value)
    return value


def check_instant(value: datetime) -> None:
    """Raise ``ValueError`` unless the aware instant ``value`` lies between :data:`EARLIEST` and :data:`LATEST`."""
    try:
        inside = EARLIEST <= value < LATEST
    except OverflowError:  # an offset that takes year 1 or 9999 out of datetime's range
        inside = False
    if not inside:
        raise ValueError(f"an instant {_RANGE_TEXT}")


def parse_date(text: str) -> date:
    """Parse a calendar date ``YYYY-MM-DD``."""
    try:
        value = date.fromisoformat(str(text))
    except ValueError:
        raise ValueError("a date is written YYYY-MM-DD, e.g. 2022-01-07") from None
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError(f"a date {_RANGE_TEXT}")
    return value


def parse_clock(text: str) -> time:
    """Parse a local clock time ``HH:MM`` (24 h)."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise ValueError('a clock time is written "HH:MM", e.g. "08:30"')
    hours, minutes = (int(p) for p in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError('a clock time is written "HH:MM" with HH 0-23 and MM 0-59')
    return time(hours, minutes)


#: What a time zone name may look like: IANA names are parts of letters, digits, ``_``, ``+`` and ``-``
#: joined by ``/`` (``America/Argentina/Buenos_Aires``, ``Etc/GMT+5``); no dots, so no ``..``.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}")
_ZONE_HELP = "an IANA time zone name, e.g. Asia/Almaty or UTC"


def parse_zone(name: str) -> ZoneInfo:
    """Return the IANA time zone ``name`` (e.g. ``Asia/Almaty``).

    Raises ``ValueError`` for anything else: an unknown name, a continent or another folder of the
    zone database (``Asia``), a file of the database that is not a zone, a name longer than
    :data:`MAX_ZONE_NAME` characters, or one holding path separators other than ``/`` between parts.
    """
    if not isinstance(name, str) or len(name) > MAX_ZONE_NAME or not _ZONE_NAME.fullmatch(name):
        raise ValueError(_ZONE_HELP)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database, e.g. "Asia"
        raise ValueError(_ZONE_HELP) from None
