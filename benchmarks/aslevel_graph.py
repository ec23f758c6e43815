"""Synthetic whole-internet AS graphs for the scale benchmarks.

``python benchmarks/aslevel_graph.py OUT_DIR [--ases 75000] [--links 500000] [--seed 1] [--country ZZ]``
writes into OUT_DIR (names start with ``--name``, default ``as<ASES>``):

* ``NAME.as-rel2.txt``: the AS relationships in CAIDA's serial-2 layout (``provider|customer|-1|source`` and
  ``peer|peer|0|source``, ``#`` comments, ``# inferred clique: ...``);
* ``NAME.users.csv``: per-AS internet users of one country in the layout of APNIC's "Visible ASNs: Customer
  Populations (Est.)" table (Rank, AS, AS Name, CC, Users (est.), % of Country, % of Internet, Samples);
* ``NAME.json``: the simkz topology of that country, built from the two files by ``simkz build as-level``;
* ``NAME-day.yaml``: a one-day scenario on it: the country's border ASes shut down for six hours.

Nothing here is measured: the graph is drawn at random to have the size and the shape of the internet's AS
graph, so that the benchmarks time simkz on inputs of the real size.

* **Size.** assumption: 75,000 ASes and 500,000 links by default, the order of CAIDA's serial-2 file of
  2024 (https://publicdata.caida.org/datasets/as-relationships/serial-2/: about 75,000 ASes and 500,000
  links with the multilateral-peering links).
* **Shape.** A clique of ``--tier1`` ASes peering with each other (the top of the hierarchy, as CAIDA's
  "inferred clique"); then every other AS buys transit from ``m`` providers picked by preferential
  attachment (with probability proportional to their degree, plus a uniform tenth), so the degrees follow a
  power law (Barabási and Albert, "Emergence of scaling in random networks", Science 286, 1999); ``m`` is
  drawn per AS from a lognormal distribution (assumption: many single-homed stubs, a few ASes with dozens
  of providers). The links that remain up to ``--links`` are peering links between ASes picked half by
  degree, half uniformly among ASes with two or more links (assumption: peering at exchange points).
  Each provider-to-customer link is then oriented from the end of higher degree to the end of lower
  degree (the provider is the larger network; ties: the older AS).
* **The country** (``--country``, default ``ZZ``, a code ISO 3166 leaves to users, so that no real country
  is implied): ``--border`` national transit ASes that buy transit abroad (2 to 4 providers among the 300
  foreign ASes of highest degree) and peer with each other; ``--domestic`` ASes without users (hosting,
  content) that buy transit from them; ``--users-ases`` access ASes with users, each a customer of one to
  three domestic providers (border ASes four times as often as the others), a share ``--direct-abroad`` of
  them also customers of a foreign AS, and a third of them peering at a national exchange. Users: ``--users``
  internet users in all (assumption: 15 million), split over the access ASes by a Pareto law (shape 1.2:
  a few ASes hold most users, as in national markets).

Every draw comes from one ``numpy`` generator seeded by ``--seed``: the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

#: Relationship codes of CAIDA's files.
P2C, P2P = -1, 0
#: AS numbers drawn from 1-64,495 and 131,072-399,999 (avoiding 23,456, AS_TRANS, and the documentation and
#: private ranges 64,496-131,071 of RFC 5398, RFC 6996 and RFC 7300).
_ASN_RANGES = ((1, 64_495), (131_072, 399_999))
_AS_TRANS = 23_456
#: Power-law exponent of the peering degrees. assumption: 2.3, near the 2.1-2.2 measured for the whole AS graph
#: (Faloutsos, Faloutsos and Faloutsos, "On power-law relationships of the Internet topology", SIGCOMM 1999),
#: a little steeper so that the largest AS has some 10,000 links rather than 20,000.
PEERING_EXPONENT = 2.3


@dataclass(frozen=True)
class ASGraph:
    """An AS graph: links ``a[i] - b[i]`` with ``rel[i]`` (-1: ``a`` is the provider of ``b``; 0: peers)."""

    asn: NDArray[np.int64]  #: [AS] AS number of each AS (index = AS)
    a: NDArray[np.int64]
    b: NDArray[np.int64]
    rel: NDArray[np.int8]
    source: NDArray[np.str_]  #: bgp or mlp (multilateral peering), per link
    clique: NDArray[np.int64]  #: AS indices of the tier-1 clique
    country: NDArray[np.int64]  #: AS indices of the country's ASes
    users: NDArray[np.float64]  #: [AS] internet users (0 outside the country's access ASes), persons
    border: NDArray[np.int64]  #: AS indices of the national transit ASes


@dataclass(frozen=True)
class Shape:
    """What to draw (see the module docstring)."""

    ases: int = 75_000
    links: int = 500_000
    tier1: int = 16
    peering_share: float = 0.4  #: share of the links that are peering links (the rest are provider-customer)
    border: int = 6
    domestic: int = 60
    users_ases: int = 300
    direct_abroad: float = 0.05
    users: float = 15e6
    country: str = "ZZ"
    seed: int = 1


def _providers_per_as(rng: np.random.Generator, count: int, mean: float) -> NDArray[np.int64]:
    """How many providers each new AS buys transit from: lognormal, at least 1, at most 60."""
    sigma = 1.2
    mu = np.log(max(mean - 0.5, 0.6)) - sigma**2 / 2
    drawn = np.rint(rng.lognormal(mu, sigma, count)).astype(np.int64)
    return np.clip(drawn, 1, 60)


def _attach(rng: np.random.Generator, n: int, tier1: int, mean_providers: float) -> tuple[list[int], list[int]]:
    """Preferential attachment: ASes ``tier1 .. n-1`` each pick providers among the ASes before them."""
    m = _providers_per_as(rng, n, mean_providers)
    ends = np.empty(2 * int(m.sum()) + tier1 * tier1, dtype=np.int64)  # each AS once per link end
    filled = 0
    for i in range(tier1):
        ends[filled : filled + tier1 - 1] = i
        filled += tier1 - 1
    customers: list[int] = []
    providers: list[int] = []
    uniform = rng.random(int(m.sum()) + n) < 0.02
    draws = rng.random(int(m.sum()) + n)
    at = 0
    for i in range(tier1, n):
        k = min(int(m[i]), i)
        picks = np.where(uniform[at : at + k], draws[at : at + k] * i, ends[(draws[at : at + k] * filled).astype(int)])
        at += k
        chosen = np.unique(picks.astype(np.int64))
        providers.extend(chosen.tolist())
        customers.extend([i] * chosen.size)
        ends[filled : filled + chosen.size] = chosen
        ends[filled + chosen.size : filled + 2 * chosen.size] = i
        filled += 2 * chosen.size
    return providers, customers


def _pair_keys(a: NDArray[np.int64], b: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """One integer per unordered pair."""
    return np.minimum(a, b) * n + np.maximum(a, b)


def _peerings(
    rng: np.random.Generator, degree: NDArray[np.int64], taken: NDArray[np.int64], count: int, n: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``count`` new peering links, both ends drawn with weight ``rank ** (-1 / (PEERING_EXPONENT - 1))`` by rank of
    degree (a Chung-Lu graph: the peering degrees follow a power law of that exponent; the ASes that are already
    large peer most), no pair twice."""
    ranked = np.argsort(-degree[: degree.size], kind="stable")
    weight = np.arange(1, ranked.size + 1, dtype=np.float64) ** (-1.0 / (PEERING_EXPONENT - 1.0))
    p = weight / weight.sum()
    out_a: list[NDArray[np.int64]] = []
    out_b: list[NDArray[np.int64]] = []
    have = np.unique(taken)
    while count > 0:
        draw = 2 * count + 1000
        a, b = ranked[rng.choice(ranked.size, draw, p=p)], ranked[rng.choice(ranked.size, draw, p=p)]
        keys = _pair_keys(a, b, n)
        ok = (a != b) & ~np.isin(keys, have)
        _, first = np.unique(keys[ok], return_index=True)
        order = np.sort(first)[:count]  # in the order drawn
        a, b = a[ok][order], b[ok][order]
        out_a.append(a)
        out_b.append(b)
        have = np.union1d(have, _pair_keys(a, b, n))
        count -= a.size
    return np.concatenate(out_a), np.concatenate(out_b)


def _world(
    rng: np.random.Generator, shape: Shape, n_foreign: int, links: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int8]]:
    """The foreign ASes' links: the clique, provider-customer links, peering links (a, b, rel)."""
    clique_a, clique_b = np.triu_indices(shape.tier1, 1)
    p2c_links = int((links - clique_a.size) * (1.0 - shape.peering_share))
    providers, customers = _attach(rng, n_foreign, shape.tier1, p2c_links / max(n_foreign - shape.tier1, 1))
    a = np.concatenate([clique_a, np.array(providers, dtype=np.int64)])
    b = np.concatenate([clique_b, np.array(customers, dtype=np.int64)])
    degree = np.bincount(np.concatenate([a, b]), minlength=n_foreign)
    peer_a, peer_b = _peerings(rng, degree, _pair_keys(a, b, shape.ases), links - a.size, shape.ases)
    rel = np.concatenate([np.full(clique_a.size, P2P), np.full(len(providers), P2C), np.full(peer_a.size, P2P)]).astype(
        np.int8
    )
    return np.concatenate([a, peer_a]), np.concatenate([b, peer_b]), rel


def _country(
    rng: np.random.Generator, shape: Shape, n_foreign: int, degree: NDArray[np.int64]
) -> list[tuple[int, ...]]:
    """The country's links (provider, customer, rel) among ASes ``n_foreign ..`` and to foreign providers."""
    border = np.arange(n_foreign, n_foreign + shape.border)
    domestic = np.arange(border[-1] + 1, border[-1] + 1 + shape.domestic)
    access = np.arange(domestic[-1] + 1, domestic[-1] + 1 + shape.users_ases)
    big_foreign = np.argsort(-degree[:n_foreign], kind="stable")[:300]
    links: list[tuple[int, ...]] = []
    for x in border:  # transit abroad
        for p in rng.choice(big_foreign, int(rng.integers(2, 5)), replace=False):
            links.append((int(p), int(x), P2C))
    for i, x in enumerate(border):  # national peering among the transit ASes
        links.extend((int(x), int(y), P2P) for y in border[i + 1 :])
    weights = 1.0 / np.arange(1, shape.border + 1)  # a few border ASes carry most customers
    for x in domestic:
        for p in rng.choice(border, int(rng.integers(1, 3)), replace=False, p=weights / weights.sum()):
            links.append((int(p), int(x), P2C))
    upstream = np.concatenate([border, domestic])
    pick = np.concatenate([4.0 * weights / weights.sum(), np.full(domestic.size, 1.0 / domestic.size)])
    for x in access:
        for p in rng.choice(upstream, int(rng.integers(1, 4)), replace=False, p=pick / pick.sum()):
            links.append((int(p), int(x), P2C))
        if rng.random() < shape.direct_abroad:
            links.append((int(rng.choice(big_foreign)), int(x), P2C))
    ixp = rng.choice(access, access.size // 3, replace=False)
    for _ in range(ixp.size):
        x, y = rng.choice(ixp, 2, replace=False)
        links.append((int(min(x, y)), int(max(x, y)), P2P))
    return sorted(set(links))


def generate(shape: Shape) -> ASGraph:
    """Draw an AS graph and its country (see the module docstring)."""
    rng = np.random.default_rng(shape.seed)
    n_country = shape.border + shape.domestic + shape.users_ases
    n_foreign = shape.ases - n_country
    estimate = shape.border * 5 + shape.domestic * 2 + shape.users_ases * 2.5  # the country's links, roughly
    a, b, rel = _world(rng, shape, n_foreign, shape.links - int(estimate))
    degree = np.bincount(np.concatenate([a, b]), minlength=shape.ases)
    own = _country(rng, shape, n_foreign, degree)  # every link has a domestic end: none is a world link
    a = np.concatenate([a, np.array([t[0] for t in own], dtype=np.int64)])
    b = np.concatenate([b, np.array([t[1] for t in own], dtype=np.int64)])
    rel = np.concatenate([rel, np.array([t[2] for t in own], dtype=np.int8)])
    a, b, rel = _trim_or_fill(rng, a, b, rel, shape.links, n_foreign, shape.tier1, shape.ases)
    a, b = _orient(a, b, rel, shape.ases, n_foreign)
    users = np.zeros(shape.ases)
    access = np.arange(shape.ases - shape.users_ases, shape.ases)
    share = rng.pareto(1.2, access.size) + 1.0
    users[access] = np.round(shape.users * share / share.sum())
    source = np.where((rel == P2P) & (rng.random(rel.size) < 0.6), "mlp", "bgp")
    return ASGraph(
        asn=_asns(rng, shape.ases),
        a=a,
        b=b,
        rel=rel,
        source=source,
        clique=np.arange(shape.tier1),
        country=np.arange(n_foreign, shape.ases),
        users=users,
        border=np.arange(n_foreign, n_foreign + shape.border),
    )


def _trim_or_fill(
    rng: np.random.Generator,
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    rel: NDArray[np.int8],
    links: int,
    n_foreign: int,
    tier1: int,
    n: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int8]]:
    """Exactly ``links`` links: drop or add foreign peering links (never the clique's or the country's)."""
    if a.size > links:
        foreign_peering = np.flatnonzero(
            (rel == P2P) & (a < n_foreign) & (b < n_foreign) & ((a >= tier1) | (b >= tier1))
        )
        drop = rng.choice(foreign_peering, a.size - links, replace=False)
        keep = np.ones(a.size, dtype=bool)
        keep[drop] = False
        return a[keep], b[keep], rel[keep]
    if a.size < links:
        degree = np.bincount(np.concatenate([a, b]), minlength=n_foreign)[:n_foreign]
        pa, pb = _peerings(rng, degree, _pair_keys(a, b, n), links - a.size, n)
        return np.concatenate([a, pa]), np.concatenate([b, pb]), np.concatenate([rel, np.full(pa.size, P2P, np.int8)])
    return a, b, rel


def _orient(
    a: NDArray[np.int64], b: NDArray[np.int64], rel: NDArray[np.int8], n: int, n_foreign: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Provider first on every provider-customer link between foreign ASes: the end of higher degree (ties: the
    older AS). The country's links keep the roles they were drawn with (it buys transit abroad)."""
    degree = np.bincount(np.concatenate([a, b]), minlength=n)
    swap = (rel == P2C) & (a < n_foreign) & (b < n_foreign)
    swap &= (degree[b] > degree[a]) | ((degree[b] == degree[a]) & (b < a))
    return np.where(swap, b, a), np.where(swap, a, b)


def _asns(rng: np.random.Generator, count: int) -> NDArray[np.int64]:
    """``count`` distinct public AS numbers."""
    pool = np.concatenate([np.arange(lo, hi + 1) for lo, hi in _ASN_RANGES])
    pool = pool[pool != _AS_TRANS]
    return np.asarray(rng.choice(pool, count, replace=False), dtype=np.int64)


def write_relationships(graph: ASGraph, path: Path, shape: Shape) -> None:
    """CAIDA serial-2: ``a|b|rel|source``, sorted by the first AS then the second."""
    a, b = graph.asn[graph.a], graph.asn[graph.b]
    order = np.lexsort((b, a))
    clique = " ".join(str(x) for x in sorted(graph.asn[graph.clique].tolist()))
    head = [
        f"# synthetic AS relationships (simkz benchmarks/aslevel_graph.py, seed {shape.seed}): not measured data",
        f"# {graph.asn.size} ASes, {graph.a.size} links",
        f"# inferred clique: {clique}",
        "# input clique: " + clique,
    ]
    body = [
        f"{x}|{y}|{r}|{s}"
        for x, y, r, s in zip(
            a[order].tolist(), b[order].tolist(), graph.rel[order].tolist(), graph.source[order].tolist(), strict=True
        )
    ]
    path.write_text("\n".join(head + body) + "\n", encoding="utf-8")


def write_users(graph: ASGraph, path: Path, shape: Shape) -> None:
    """APNIC's per-AS users table (CSV with a header): the country's ASes with users, most users first."""
    with_users = np.flatnonzero(graph.users > 0)
    order = with_users[np.argsort(-graph.users[with_users], kind="stable")]
    total = graph.users[order].sum()
    world = 5.5e9  # assumption: internet users in the world, for the "% of Internet" column only
    rows = ["Rank,AS,AS Name,CC,Users (est.),% of Country,% of Internet,Samples"]
    for rank, i in enumerate(order.tolist(), start=1):
        users = graph.users[i]
        rows.append(
            f"{rank},{graph.asn[i]},SYNTHETIC-AS{graph.asn[i]},{shape.country},{users:.0f},"
            f"{100 * users / total:.2f},{100 * users / world:.4f},{max(1, int(users // 500))}"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def write_scenario(path: Path, topology: Path) -> None:
    """A one-day scenario: the border ASes (the gateways of the topology) shut down from 08:00 to 14:00 UTC."""
    lines = [
        f"name: {path.stem}",
        'description: "Synthetic: the border ASes of the country shut down for six hours of one day."',
        f"topology: {topology.name}",
        "start: 2024-03-04T00:00+00:00",
        "duration: 1d",
        "step: 15min",
        "actions:",
        "  - at: 2024-03-04T08:00+00:00",
        "    until: 2024-03-04T14:00+00:00",
        "    label: border ASes shut down",
        "    shutdown: {kind: gateway}",
        "    assumption: synthetic event for the scale benchmark",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_topology_file(graph: ASGraph, relationships: Path, users: Path, country: str, out: Path) -> str:
    """``simkz build as-level`` on the two files (the country's ASes without users named with ``--domestic-as``);
    its one-line summary."""
    command = [sys.executable, "-m", "simkz", "build", "as-level", "--relationships", str(relationships)]
    command += ["--users", str(users), "--country", country, "-o", str(out)]
    for asn in graph.asn[graph.country[graph.users[graph.country] == 0]].tolist():
        command += ["--domestic-as", str(asn)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write into")
    parser.add_argument("--ases", type=int, default=Shape.ases)
    parser.add_argument("--links", type=int, default=Shape.links)
    parser.add_argument("--seed", type=int, default=Shape.seed)
    parser.add_argument("--country", default=Shape.country)
    parser.add_argument("--users-ases", type=int, default=Shape.users_ases)
    parser.add_argument("--name", default=None, help="file name stem [default: as<ASES>]")
    args = parser.parse_args(argv)
    shape = Shape(ases=args.ases, links=args.links, seed=args.seed, country=args.country, users_ases=args.users_ases)
    name = args.name or f"as{args.ases}"
    args.out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    graph = generate(shape)
    rel_path, users_path = args.out / f"{name}.as-rel2.txt", args.out / f"{name}.users.csv"
    write_relationships(graph, rel_path, shape)
    write_users(graph, users_path, shape)
    drawn = time.perf_counter() - began
    topology = args.out / f"{name}.json"
    built = build_topology_file(graph, rel_path, users_path, shape.country, topology)
    write_scenario(args.out / f"{name}-day.yaml", topology)
    summary = describe(graph)
    print(
        f"{name}: {summary['ases']:,} ASes, {summary['links']:,} links ({summary['p2p_share']:.0%} peering), "
        f"max degree {summary['max_degree']:,}; drawn and written in {drawn:.1f} s\n{built}"
    )


def describe(graph: ASGraph) -> dict[str, float]:
    """Sizes and shape of a graph, for printing and tests."""
    degree = np.bincount(np.concatenate([graph.a, graph.b]), minlength=graph.asn.size)
    return {
        "ases": int(graph.asn.size),
        "links": int(graph.a.size),
        "p2p_share": float((graph.rel == P2P).mean()),
        "max_degree": int(degree.max()),
        "median_degree": float(np.median(degree)),
        "country_ases": int(graph.country.size),
        "users": float(graph.users.sum()),
    }


if __name__ == "__main__":
    main()
