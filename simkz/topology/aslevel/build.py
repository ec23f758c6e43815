"""Build a simkz topology of one country from AS relationships and per-AS user estimates.

What :func:`build_as_level` makes of the two files (each choice is also written into the document, as
``assumption:`` text where it is one):

* **The country's ASes**: those the users table lists for the country (and any given as ``domestic``),
  which appear in the relationship file and are connected to some AS of another country. One node each
  (operator: that AS): a ``gateway`` if it has a link to a foreign AS (its ``border`` is the country of those
  neighbours when the users table names one country for all of them), else ``core``.
* **Users**: an AS with users gets an ``access`` node carrying them, joined to it by an access link on which
  the AS is the provider. Assumption: one region for the whole country, whose population is the sum of the
  estimates (internet penetration 1: the table gives no population), and one technology for all users
  (``fixed`` by default: the table does not split fixed and mobile).
* **Abroad**: every other AS connected to the country's (or only those within ``foreign_hops`` links of one,
  if asked) is a ``foreign`` node. A service ``abroad`` (all of a user's traffic) is hosted on the foreign
  ASes without a provider in the graph (the top of the hierarchy, CAIDA's clique among them), or on every
  foreign AS (``abroad="all"``): reaching abroad means reaching the top of the internet's hierarchy.
* **Links**: one per relationship between kept ASes, with ``relationship`` (``p2c`` with ends
  ``[provider, customer]``, or ``p2p``) and ``kind`` (``cross-border`` between the country and abroad, else
  ``transit`` for p2c and ``peering`` for p2p). Assumption: every link has the same capacity, by default twice
  the country's demand at the busiest hour, so none congests: AS-level data has no capacities, so the model
  measures reachability.
* **Demand**: assumption: 1 Mbps per user at the busiest hour with a typical residential daily curve.

Every AS of the country left out (not in the relationship file, or without a path abroad) is named in the
region's note, with its users.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from simkz.errors import InputError
from simkz.topology.aslevel.apnic import UserTable, check_country
from simkz.topology.aslevel.caida import PROVIDER_CUSTOMER, ASRelationships

__all__ = ["ASLevel", "ASLevelOptions", "build_as_level", "render_json"]

CAIDA_URL = "https://www.caida.org/catalog/datasets/as-relationships/"
APNIC_URL = "https://stats.labs.apnic.net/aspop"
#: A residential daily curve (local hours 0-23; trough about 04:00, peak 20:00-22:00), as kz-2022's fixed users.
HOURLY: tuple[float, ...] = (0.5, 0.35, 0.25, 0.2, 0.18, 0.2, 0.28, 0.38, 0.48, 0.55, 0.6, 0.63)
HOURLY += (0.66, 0.68, 0.7, 0.72, 0.76, 0.82, 0.9, 0.97, 1.0, 1.0, 0.93, 0.72)


@dataclass(frozen=True)
class ASLevelOptions:
    """Choices of :func:`build_as_level` (see the module docstring)."""

    foreign_hops: int | None = None  #: keep only foreign ASes within this many links of the country (None: all)
    abroad: Literal["top", "all"] = "top"  #: hosts of the service abroad: provider-free foreign ASes, or all
    routing: Literal["ecmp", "valley-free"] = "ecmp"
    capacity_gbps: float | None = None  #: every link, Gbps (None: twice the country's peak demand)
    tech: Literal["fixed", "mobile"] = "fixed"  #: technology of every user
    peak_mbps: float = 1.0  #: demand per user at the busiest hour, Mbps
    timezone: str = "UTC"  #: IANA zone of the country (its users' local hours)
    domestic: tuple[int, ...] = ()  #: more AS numbers of the country (without users unless the table has them)
    name: str | None = None  #: topology name (default as-level-<cc>)


@dataclass(frozen=True)
class ASLevel:
    """A built topology document and what it holds."""

    document: dict[str, Any]
    country: str
    domestic: int  #: ASes of the country in the topology
    with_users: int  #: of which with users
    border: int  #: of which with a foreign neighbour
    foreign: int  #: foreign ASes
    links: int  #: AS-to-AS links
    users: float  #: persons
    left_out: tuple[int, ...]  #: AS numbers of the country left out

    def summary(self) -> str:
        """One line: ASes, links, users, border ASes."""
        text = (
            f"{self.document['name']}: {self.domestic:,} ASes of {self.country} ({self.with_users:,} with users, "
            f"{self.border:,} border), {self.foreign:,} foreign ASes, {self.links:,} AS links, "
            f"{self.users:,.0f} users; routing {self.document['routing']}"
        )
        left = len(self.left_out)
        return text + (f"; {left:,} AS{'es' if left > 1 else ''} of {self.country} left out" if left else "")


@dataclass(frozen=True)
class _Graph:
    """The relationship file as integer indices into the sorted AS numbers."""

    asns: NDArray[np.int64]
    a: NDArray[np.int64]  #: index of each link's first AS (the provider of a p2c link)
    b: NDArray[np.int64]
    code: NDArray[np.int8]

    @classmethod
    def of(cls, rel: ASRelationships) -> _Graph:
        asns, inverse = np.unique(np.concatenate([rel.first, rel.second]), return_inverse=True)
        n = rel.first.shape[0]
        return cls(asns=asns, a=inverse[:n], b=inverse[n:], code=rel.code)


def _kept(graph: _Graph, domestic: NDArray[np.bool_], hops: int | None) -> NDArray[np.bool_]:
    """[AS] kept: in a connected component with an AS of the country and one abroad (and, with ``hops``, at
    most that many links from an AS of the country)."""
    n = graph.asns.shape[0]
    matrix = csr_matrix((np.ones(graph.a.shape[0]), (graph.a, graph.b)), shape=(n, n))
    _, label = connected_components(matrix, directed=False)
    with_home = np.bincount(label[domestic], minlength=label.max() + 1) > 0
    with_abroad = np.bincount(label[~domestic], minlength=label.max() + 1) > 0
    kept: NDArray[np.bool_] = with_home[label] & with_abroad[label]
    if hops is not None:
        reached = domestic & kept
        for _ in range(hops):
            reached = reached.copy()
            reached[graph.b[reached[graph.a]]] = True
            reached[graph.a[reached[graph.b]]] = True
        kept &= reached
    return kept


def _domestic_rows(users: UserTable, country: str, extra: tuple[int, ...]) -> dict[int, float]:
    """Users of each AS of the country (0 for the extra ones the table does not list)."""
    rows = {asn: row.users for asn, row in users.of_country(country).items()}
    for asn in extra:
        rows.setdefault(asn, 0.0)
    if not rows:
        raise InputError(users.file, (), f"no AS of {country} in the users table", allowed="a country of its CC column")
    return rows


def _countries(users: UserTable, country: str) -> dict[int, str]:
    """The country of each foreign AS the table lists (where it has most users)."""
    best: dict[int, tuple[float, str]] = {}
    for row in users.rows:
        if row.cc != country and (row.asn not in best or row.users > best[row.asn][0]):
            best[row.asn] = (row.users, row.cc)
    return {asn: cc for asn, (_, cc) in best.items()}


def build_as_level(
    relationships: ASRelationships, users: UserTable, country: str, options: ASLevelOptions | None = None
) -> ASLevel:
    """The topology document of ``country`` (see the module docstring); :class:`InputError` if the files hold no
    AS of the country with a path abroad, or no users for it."""
    options = options or ASLevelOptions()
    check_country(country, None, ("--country",))
    rows = _domestic_rows(users, country, options.domestic)
    graph = _Graph.of(relationships)
    domestic = np.isin(graph.asns, np.array(sorted(rows), dtype=np.int64))
    if not domestic.any():
        raise InputError(
            relationships.file, (), f"none of the {len(rows):,} ASes of {country} in the users table is in this file"
        )
    kept = _kept(graph, domestic, options.foreign_hops)
    if not (kept & domestic).any():
        raise InputError(relationships.file, (), f"no AS of {country} has a path to an AS of another country")
    home = [int(x) for x in graph.asns[kept & domestic]]
    total = sum(rows[a] for a in home)
    if not total > 0:
        raise InputError(users.file, (), f"the ASes of {country} with a path abroad have no users", value=home[:10])
    left_out = tuple(sorted(set(rows) - set(home)))
    parts = _Parts(graph, domestic, kept, country, options)
    document = _document(relationships, users, country, options, parts, rows, total, left_out)
    return ASLevel(
        document=document,
        country=country,
        domestic=len(home),
        with_users=sum(1 for a in home if rows[a] > 0),
        border=len(parts.border),
        foreign=int((kept & ~domestic).sum()),
        links=int(parts.link.sum()),
        users=total,
        left_out=left_out,
    )


class _Parts:
    """Which links are kept, which ASes are border ASes, and where the service abroad is hosted."""

    def __init__(
        self, graph: _Graph, domestic: NDArray[np.bool_], kept: NDArray[np.bool_], country: str, options: ASLevelOptions
    ) -> None:
        self.graph = graph
        self.domestic = domestic
        self.kept = kept
        self.link = kept[graph.a] & kept[graph.b]
        self.cross = self.link & (domestic[graph.a] != domestic[graph.b])
        a, b = graph.a[self.cross], graph.b[self.cross]
        home, away = np.where(domestic[a], a, b), np.where(domestic[a], b, a)  # the two ends of each cross link
        self.border: dict[int, list[int]] = {}
        for h, f in zip(graph.asns[home].tolist(), graph.asns[away].tolist(), strict=True):
            self.border.setdefault(h, []).append(f)
        has_provider = np.zeros(graph.asns.shape[0], dtype=bool)
        has_provider[graph.b[self.link & (graph.code == PROVIDER_CUSTOMER)]] = True
        abroad = kept & ~domestic
        top = abroad & ~has_provider if options.abroad == "top" else abroad
        self.hosts = [f"AS{a}" for a in graph.asns[top].tolist()]
        if not self.hosts:
            raise InputError(
                None,
                ("--abroad",),
                "no foreign AS without a provider to host the service abroad",
                value=options.abroad,
                allowed="all (every foreign AS hosts it)",
            )


def _document(
    rel: ASRelationships,
    users: UserTable,
    country: str,
    options: ASLevelOptions,
    parts: _Parts,
    rows: dict[int, float],
    total: float,
    left_out: tuple[int, ...],
) -> dict[str, Any]:
    region = country.lower()
    capacity = _capacity(options, total)
    names = {r.asn: r.name for r in users.rows if r.cc == country}
    home = [int(a) for a in parts.graph.asns[parts.kept & parts.domestic].tolist()]
    foreign = parts.graph.asns[parts.kept & ~parts.domestic].tolist()
    n_links = int(parts.link.sum())
    return {
        "name": options.name or f"as-level-{region}",
        "description": f"AS-level topology of {country}: {len(home):,} ASes of the country, {len(foreign):,} abroad, "
        f"{n_links:,} AS links (simkz build as-level from {rel.file.name} and {users.file.name})",
        "timezone": options.timezone,
        "routing": options.routing,
        "sources": _sources(rel, users, capacity),
        "regions": {region: _region(country, users, rows, total, left_out, options)},
        "operators": {
            f"AS{a}": {
                "name": names.get(a) or f"AS{a}",
                "asn": [a],
                "tech": [options.tech] if rows[a] > 0 else [],
                "source": "users",
            }
            for a in home
        },
        "nodes": _nodes(home, foreign, rows, total, region, options, _border_countries(parts, users, country)),
        "links": _links(parts, home, rows, capacity),
        "services": {"abroad": _abroad(parts, options)},
        "demand": {
            options.tech: {
                "peak_mbps": options.peak_mbps,
                "hourly": list(HOURLY),
                "assumption": f"{options.peak_mbps:g} Mbps per internet user at the busiest hour, an order of "
                "magnitude (links do not congest at the capacity assumed, so it sets only the traffic figures); "
                "hourly: a typical residential curve (trough about 04:00, peak 20:00-22:00 local time)",
            }
        },
    }


def _capacity(options: ASLevelOptions, total: float) -> float | int:
    """Every link's capacity, Gbps: as given, else twice the country's demand at the busiest hour (whole Gbps)."""
    if options.capacity_gbps is None:
        return max(1, math.ceil(2.0 * total * options.peak_mbps / 1000.0))
    return int(options.capacity_gbps) if options.capacity_gbps.is_integer() else options.capacity_gbps


def _sources(rel: ASRelationships, users: UserTable, capacity: float) -> dict[str, str]:
    layout = rel.layout + (
        f", sources {', '.join(f'{k} {v:,}' for k, v in rel.sources.items())}" if rel.sources else ""
    )
    return {
        "as-rel": f"{rel.file.name} (SHA-256 {rel.sha256}): The CAIDA AS Relationships Dataset, {CAIDA_URL} ({layout}; "
        f"{len(rel):,} links)",
        "users": f"{users.file.name} (SHA-256 {users.sha256}): APNIC Labs, Visible ASNs: Customer Populations (Est.), "
        f"{APNIC_URL} ({len(users.rows):,} rows)",
        "capacity": f"assumption: every link has {capacity:,} Gbps, twice what all the country's users offer at the "
        "busiest hour, so no link congests: AS-level data has no capacities, and the model measures reachability",
    }


def _region(
    country: str,
    users: UserTable,
    rows: dict[int, float],
    total: float,
    left_out: tuple[int, ...],
    options: ASLevelOptions,
) -> dict[str, Any]:
    lost = sum(rows[a] for a in left_out)
    note = f"{len(rows):,} ASes of {country} in {users.file.name}"
    if left_out:
        shown = ", ".join(f"AS{a}" for a in left_out[:20]) + (", ..." if len(left_out) > 20 else "")
        note += f"; left out (not in the relationship file, or no path abroad): {shown}, with {lost:,.0f} users"
    return {
        "name": country,
        "population": max(1, round(total)),
        "internet_penetration": 1.0,
        "source": "users",
        "assumption": "one region for the whole country; its residents are the internet users APNIC estimates for "
        f"its ASes (the table gives no population, so internet penetration is 1); every user is a {options.tech} "
        "user (the table does not split fixed and mobile) behind one access node per AS, a customer of that AS",
        "note": note,
    }


def _border_countries(parts: _Parts, users: UserTable, country: str) -> dict[int, tuple[str | None, str]]:
    """For each border AS: the country of its foreign neighbours if the table names one for all, and a note."""
    known = _countries(users, country)
    out: dict[int, tuple[str | None, str]] = {}
    for asn, neighbours in parts.border.items():
        counts = Counter(known.get(f, "unknown") for f in neighbours)
        note = "foreign neighbours: " + ", ".join(f"{cc} {n}" for cc, n in sorted(counts.items()))
        only = next(iter(counts)) if len(counts) == 1 and "unknown" not in counts else None
        out[asn] = (only, note)
    return out


def _nodes(
    home: list[int],
    foreign: list[int],
    rows: dict[int, float],
    total: float,
    region: str,
    options: ASLevelOptions,
    borders: dict[int, tuple[str | None, str]],
) -> dict[str, dict[str, Any]]:
    """The country's ASes (each followed by its access node, if it has users), then the foreign ASes."""
    nodes: dict[str, dict[str, Any]] = {}
    for asn in home:
        key = f"AS{asn}"
        node: dict[str, Any] = {"kind": "gateway" if asn in borders else "core", "operator": key}
        if asn in borders:
            country, note = borders[asn]
            node.update({"border": country, "note": note} if country else {"note": note})
        nodes[key] = node
        if rows[asn] > 0:
            nodes[f"{key}-users"] = {
                "kind": "access",
                "region": region,
                "operator": key,
                "tech": options.tech,
                "share": rows[asn] / total,
                "source": "users",
            }
    for asn in foreign:
        nodes[f"AS{asn}"] = {"kind": "foreign"}
    return nodes


def _links(parts: _Parts, home: list[int], rows: dict[int, float], capacity: float) -> dict[str, dict[str, Any]]:
    """One link per kept relationship (``ends: [provider, customer]`` for p2c), then the access links."""
    graph = parts.graph
    index = np.flatnonzero(parts.link)
    firsts, seconds = graph.asns[graph.a[index]].tolist(), graph.asns[graph.b[index]].tolist()
    codes, crosses = graph.code[index].tolist(), parts.cross[index].tolist()
    links: dict[str, dict[str, Any]] = {}
    for a, b, code, cross in zip(firsts, seconds, codes, crosses, strict=True):
        p2c = code == PROVIDER_CUSTOMER
        links[f"AS{a}-AS{b}"] = {
            "ends": [f"AS{a}", f"AS{b}"],
            "capacity_gbps": capacity,
            "kind": "cross-border" if cross else "transit" if p2c else "peering",
            "relationship": "p2c" if p2c else "p2p",
            "source": "as-rel; capacity",
        }
    for asn in home:
        if rows[asn] > 0:
            links[f"AS{asn}-users"] = {
                "ends": [f"AS{asn}", f"AS{asn}-users"],
                "capacity_gbps": capacity,
                "kind": "access",
                "relationship": "p2c",
                "source": "users; capacity",
            }
    return links


def _abroad(parts: _Parts, options: ASLevelOptions) -> dict[str, Any]:
    where = (
        "the foreign ASes without a provider in the graph (the top of the hierarchy: reaching abroad means reaching it)"
        if options.abroad == "top"
        else "every foreign AS (reaching abroad means reaching any AS of another country)"
    )
    return {
        "kind": "web",
        "name": "The internet abroad",
        "hosts": parts.hosts,
        "adoption": 1.0,
        "traffic_share": 1.0,
        "assumption": "all of every user's traffic goes abroad (AS-level data says nothing of domestic content), "
        f"to {where}",
    }


def render_json(document: dict[str, Any]) -> str:
    """The document as JSON text: one line per top-level key, and one per entry of its tables (nodes, links...)."""
    out = ["{"]
    keys = list(document)
    for i, key in enumerate(keys):
        value = document[key]
        end = "," if i < len(keys) - 1 else ""
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            entries = [
                f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()
            ]
            out.append(f"{json.dumps(key)}: {{\n" + ",\n".join(entries) + f"\n}}{end}")
        else:
            out.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{end}")
    out.append("}")
    return "\n".join(out) + "\n"
