"""CAIDA AS-relationship files: which AS is the provider of which, and which are peers.

Layouts (CAIDA, "AS Relationships" dataset, https://www.caida.org/catalog/datasets/as-relationships/; the
READMEs at https://publicdata.caida.org/datasets/as-relationships/README.txt and
https://data.caida.org/datasets/as-relationships/serial-2/README.txt):

* **serial-1** (``YYYYMMDD.as-rel.txt``), one link per line::

      <provider-as>|<customer-as>|-1
      <peer-as>|<peer-as>|0

* **serial-2** (``YYYYMMDD.as-rel2.txt``) adds the source of the inference (``bgp``: BGP paths; ``mlp``:
  multi-lateral peering at exchange points)::

      <provider-as>|<customer-as>|-1|<source>
      <peer-as>|<peer-as>|0|<source>

Lines starting with ``#`` are comments; ``# inferred clique: AS AS ...`` (the ASes CAIDA takes for the top
of the hierarchy) and ``# input clique: ...`` are kept. Blank lines are skipped. A file named ``*.gz`` or
``*.bz2`` is decompressed (CAIDA publishes ``.bz2``).

Refused, each with the file and line number: a line of another field count than the file's first link
line (3: serial-1, 4: serial-2), an AS number that is not decimal digits or is outside 1 to 4294967295, a
relationship code other than ``-1`` and ``0`` (older files used ``1`` and ``2`` for sibling links: not read),
an empty or odd source, an AS linked to itself, and a pair given twice with different relationships. A pair
given twice the same way is counted (:attr:`ASRelationships.repeated`) and read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.topology.aslevel.lines import parse_asn, read_lines, sha256_of

__all__ = ["MAX_RELATIONSHIPS", "PEERS", "PROVIDER_CUSTOMER", "ASRelationships", "read_relationships"]

#: The relationship codes of the files: the first AS is the provider of the second; the two are peers.
PROVIDER_CUSTOMER, PEERS = -1, 0
#: Most links read from one file (a limit, far above the links of any AS graph; it bounds the memory used).
MAX_RELATIONSHIPS = 20_000_000

_LAYOUTS = {3: "serial-1", 4: "serial-2"}
_SOURCE = re.compile(r"[A-Za-z0-9_.,+-]{1,32}")
_CLIQUE = re.compile(r"#\s*(inferred|input) clique:(.*)")
_CODES = {"-1": PROVIDER_CUSTOMER, "0": PEERS}
_CODE_ALLOWED = "-1 (the first AS is the provider of the second) or 0 (peers)"


@dataclass(frozen=True)
class ASRelationships:
    """The links of an AS-relationship file, in file order (each pair once)."""

    file: Path
    layout: str  #: serial-1 or serial-2
    first: NDArray[np.int64]  #: first AS of each link (the provider of a p2c link)
    second: NDArray[np.int64]  #: second AS
    code: NDArray[np.int8]  #: -1: the first is the provider of the second; 0: peers
    sha256: str
    clique: tuple[int, ...] = ()  #: the clique a ``# inferred clique:`` comment names
    sources: dict[str, int] = field(default_factory=dict)  #: serial-2: links per source
    repeated: int = 0  #: lines that repeated a link already read, the same way

    def __len__(self) -> int:
        return int(self.first.shape[0])


class _Reader:
    """State of one pass over a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fields = 0
        self.first: list[int] = []
        self.second: list[int] = []
        self.code: list[int] = []
        self.seen: dict[tuple[int, int], tuple[int, int]] = {}  # (low AS, high AS) -> (line, link index)
        self.sources: dict[str, int] = {}
        self.clique: tuple[int, ...] = ()
        self.repeated = 0

    def error(
        self, line: int, problem: str, value: object = InputError._MISSING, allowed: str | None = None
    ) -> InputError:
        return InputError(self.path, (f"line {line}",), problem, value=value, allowed=allowed)

    def comment(self, number: int, text: str) -> None:
        found = _CLIQUE.match(text)
        if found is not None:
            self.clique = tuple(parse_asn(t, self.path, number, "a clique AS number") for t in found.group(2).split())

    def link(self, number: int, text: str) -> None:
        parts = text.split("|")
        if not self.fields:
            if len(parts) not in _LAYOUTS:
                raise self.error(
                    number, f"{len(parts)} fields", text, "a|b|rel (serial-1) or a|b|rel|source (serial-2)"
                )
            self.fields = len(parts)
        elif len(parts) != self.fields:
            layout = _LAYOUTS[self.fields]
            raise self.error(
                number,
                f"{len(parts)} fields in a {layout} file",
                text,
                f"{self.fields} fields, as the first link line has",
            )
        a = parse_asn(parts[0], self.path, number, "the first AS number")
        b = parse_asn(parts[1], self.path, number, "the second AS number")
        code = _CODES.get(parts[2])
        if code is None:
            raise self.error(number, "unknown relationship code", parts[2], _CODE_ALLOWED)
        if a == b:
            raise self.error(number, "an AS linked to itself", text, "two different AS numbers")
        if self.fields == 4:
            self._source(number, parts[3])
        self._add(number, a, b, code)

    def _source(self, number: int, source: str) -> None:
        if _SOURCE.fullmatch(source) is None:
            raise self.error(number, "bad source of the inference", source, "a word such as bgp or mlp")
        self.sources[source] = self.sources.get(source, 0) + 1

    def _add(self, number: int, a: int, b: int, code: int) -> None:
        pair = (a, b) if a < b else (b, a)
        before = self.seen.get(pair)
        if before is None:
            if len(self.first) >= MAX_RELATIONSHIPS:
                raise self.error(number, "too many links", allowed=f"at most {MAX_RELATIONSHIPS:,}")
            self.seen[pair] = (number, len(self.first))
            self.first.append(a)
            self.second.append(b)
            self.code.append(code)
            return
        line, i = before
        old = (self.first[i], self.second[i], self.code[i])
        if _same(old, (a, b, code)):
            self.repeated += 1
            return
        raise self.error(
            number,
            f"AS{a} and AS{b} were given another relationship on line {line}: {_describe(*old)}",
            f"{a}|{b}|{code}",
            "each pair once, or again with the same relationship",
        )


def _same(x: tuple[int, int, int], y: tuple[int, int, int]) -> bool:
    if x[2] != y[2]:
        return False
    return x[:2] == y[:2] if x[2] == PROVIDER_CUSTOMER else True


def _describe(a: int, b: int, code: int) -> str:
    return f"AS{a} provider of AS{b}" if code == PROVIDER_CUSTOMER else f"AS{a} and AS{b} peers"


def read_relationships(path: Path | str) -> ASRelationships:
    """Read a CAIDA serial-1 or serial-2 AS-relationship file (plain, ``.gz`` or ``.bz2``)."""
    path = Path(path)
    reader = _Reader(path)
    for number, text in read_lines(path):
        if text.startswith("#"):
            reader.comment(number, text)
        elif text.strip():
            reader.link(number, text)
    if not reader.first:
        raise InputError(path, (), "no AS link in the file", allowed="lines a|b|rel or a|b|rel|source")
    return ASRelationships(
        file=path,
        layout=_LAYOUTS[reader.fields],
        first=np.array(reader.first, dtype=np.int64),
        second=np.array(reader.second, dtype=np.int64),
        code=np.array(reader.code, dtype=np.int8),
        sha256=sha256_of(path),
        clique=reader.clique,
        sources=dict(sorted(reader.sources.items())),
        repeated=reader.repeated,
    )
