"""APNIC Labs' per-AS user estimates: how many internet users each AS serves, by country.

APNIC Labs publishes "Visible ASNs: Customer Populations (Est.)" (https://stats.labs.apnic.net/aspop; the
method: G. Huston, "How we measure: ISP user counts", https://www.potaroo.net/ispcol/2024-11/aspop.txt),
a table with the columns ``Rank``, ``AS``, ``AS Name``, ``CC``, ``Users (est.)``, ``% of country``,
``% of Internet`` and ``Samples`` (one row per AS and country: an AS with users in several countries has a
row for each). Saved as CSV with that header row, it is read here.

**Columns.** Required: ``AS`` (``AS9198`` or ``9198``), ``CC`` (ISO 3166-1 alpha-2, upper case) and
``Users (est.)`` (persons, ``1,234,567`` or ``1234567``). Optional, checked when present: ``Rank`` and
``Samples`` (whole numbers), ``AS Name`` (text), ``% of country`` and ``% of Internet`` (0-100). Header
names are matched without regard to case and spacing; the names of APNIC's JSON form (``AS-Name``,
``Users``, ``percent-of-cc``) are accepted too. Any other column is an error, as is a column given twice.

Lines starting with ``#`` are comments; blank lines are skipped; ``.gz`` and ``.bz2`` files are
decompressed. Refused, each with the file and line number: a row of another field count than the header,
an AS number that is not an integer or is outside 1 to 4294967295, a country code that is not two upper-case
letters, a negative or non-numeric user count, a bad optional value, and an AS given twice for one country.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from simkz.errors import InputError
from simkz.topology.aslevel.lines import parse_asn, read_lines, sha256_of

__all__ = ["COLUMNS", "UserRow", "UserTable", "check_country", "read_users"]

#: Column key -> header names accepted (lower case, single spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "rank": ("rank",),
    "asn": ("as", "asn"),
    "name": ("as name", "as-name", "asname"),
    "cc": ("cc", "country", "country code"),
    "users": ("users (est.)", "users (est)", "users", "estimated users"),
    "pct_country": ("% of country", "percent-of-cc", "% of cc"),
    "pct_internet": ("% of internet", "percent-of-internet"),
    "samples": ("samples",),
}
_REQUIRED = ("asn", "cc", "users")
_BY_NAME = {name: key for key, names in COLUMNS.items() for name in names}
_COUNTRY = re.compile(r"[A-Z]{2}")
#: A count: digits, optionally grouped in thousands by commas, optionally with a fraction.
_NUMBER = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


@dataclass(frozen=True)
class UserRow:
    """One row: an AS's estimated users in one country."""

    line: int
    asn: int
    cc: str
    users: float  #: persons
    name: str | None = None


@dataclass(frozen=True)
class UserTable:
    """The rows of a users table, in file order."""

    file: Path
    rows: tuple[UserRow, ...]
    sha256: str

    def of_country(self, cc: str) -> dict[int, UserRow]:
        """The rows of country ``cc``, by AS number."""
        return {r.asn: r for r in self.rows if r.cc == cc}


def check_country(text: str, file: Path | str | None, where: tuple[str | int, ...]) -> str:
    """``text`` if it is a country code (two upper-case letters); :class:`InputError` otherwise."""
    if _COUNTRY.fullmatch(text) is None:
        raise InputError(
            file, where, "not a country code", value=text, allowed="two upper-case letters (ISO 3166-1), e.g. KZ"
        )
    return text


def _header(path: Path, line: int, cells: list[str]) -> list[str]:
    keys = []
    for cell in cells:
        name = " ".join(cell.lower().split())
        key = _BY_NAME.get(name)
        if key is None:
            raise InputError(
                path,
                (f"line {line}",),
                "unknown column",
                value=cell,
                allowed=", ".join(n for names in COLUMNS.values() for n in names),
            )
        if key in keys:
            raise InputError(path, (f"line {line}",), "a column given twice", value=cell, allowed="each column once")
        keys.append(key)
    missing = [k for k in _REQUIRED if k not in keys]
    if missing:
        raise InputError(
            path,
            (f"line {line}",),
            f"no {COLUMNS[missing[0]][0]!r} column",
            value=cells,
            allowed="columns AS, CC and Users (est.), with any of Rank, AS Name, % of country, % of Internet, Samples",
        )
    return keys


def _number(path: Path, line: int, text: str, what: str, *, whole: bool = False, most: float = math.inf) -> float:
    """A non-negative number written as the table writes it (``1,234,567.8``)."""
    cleaned = text.strip()
    if cleaned.startswith("-") and _NUMBER.fullmatch(cleaned[1:]):
        raise InputError(path, (f"line {line}",), f"negative {what}", value=text, allowed="a number >= 0")
    if _NUMBER.fullmatch(cleaned) is None or (whole and "." in cleaned):
        kind = "a whole number" if whole else "a number"
        raise InputError(
            path, (f"line {line}",), f"{what} is not {kind}", value=text, allowed=f"{kind} >= 0, e.g. 1,234,567"
        )
    value = float(cleaned.replace(",", ""))
    if not value <= most:
        raise InputError(path, (f"line {line}",), f"{what} above {most:g}", value=text, allowed=f"0 to {most:g}")
    return value


def _row(path: Path, line: int, keys: list[str], cells: list[str]) -> UserRow:
    if len(cells) != len(keys):
        raise InputError(
            path,
            (f"line {line}",),
            f"{len(cells)} fields",
            value=cells,
            allowed=f"{len(keys)} fields, as the header has",
        )
    row = dict(zip(keys, cells, strict=True))
    asn_text = row["asn"].strip()
    if asn_text[:2].upper() == "AS":
        asn_text = asn_text[2:]
    asn = parse_asn(asn_text, path, line)
    cc = check_country(row["cc"].strip(), path, (f"line {line}",))
    users = _number(path, line, row["users"], "users")
    for key, what in (("rank", "rank"), ("samples", "samples")):
        if key in row:
            _number(path, line, row[key], what, whole=True)
    for key, what in (("pct_country", "% of country"), ("pct_internet", "% of Internet")):
        if key in row:
            _number(path, line, row[key], what, most=100.0)
    name = row.get("name", "").strip() or None
    return UserRow(line=line, asn=asn, cc=cc, users=users, name=name)


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The CSV records of the file with the number of the line each ends on (comments and blank lines dropped)."""
    current = [0]

    def lines() -> Iterator[str]:
        for number, text in read_lines(path):
            if text.startswith("#") or not text.strip():
                continue
            current[0] = number
            yield text

    try:
        for cells in csv.reader(lines(), strict=True):
            yield current[0], cells
    except csv.Error as exc:
        raise InputError(
            path, (f"line {current[0]}",), f"not CSV: {exc}", allowed="comma-separated values with a header row"
        ) from None


def read_users(path: Path | str) -> UserTable:
    """Read a users table in APNIC's layout (see the module docstring)."""
    path = Path(path)
    keys: list[str] | None = None
    rows: list[UserRow] = []
    seen: dict[tuple[int, str], int] = {}
    for line, cells in _records(path):
        if keys is None:
            keys = _header(path, line, cells)
            continue
        row = _row(path, line, keys, cells)
        first = seen.setdefault((row.asn, row.cc), line)
        if first != line:
            raise InputError(
                path,
                (f"line {line}",),
                f"AS{row.asn} is given for {row.cc} on line {first} too",
                value=row.asn,
                allowed="one row per AS and country",
            )
        rows.append(row)
    if keys is None:
        raise InputError(
            path,
            (),
            "no header row",
            allowed="a header: Rank,AS,AS Name,CC,Users (est.),% of country,% of Internet,Samples",
        )
    return UserTable(file=path, rows=tuple(rows), sha256=sha256_of(path))
