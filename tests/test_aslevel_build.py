"""`simkz build as-level`: the topology a relationship file and a users table give for one country."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from simkz.cli.main import cli
from simkz.topology.aslevel.apnic import read_users
from simkz.topology.aslevel.build import ASLevelOptions, build_as_level
from simkz.topology.aslevel.caida import read_relationships
from simkz.topology.load import load_topology
from tests.test_aslevel_readers import SERIAL1, SERIAL2, USERS

HOME = {"AS64496", "AS64497", "AS64498", "AS64499"}
FOREIGN = {"AS64500", "AS64501", "AS64502", "AS64503", "AS64505", "AS64506"}


def built(rel=SERIAL1, **options):
    return build_as_level(read_relationships(rel), read_users(USERS), "KZ", ASLevelOptions(**options))


def test_nodes_are_the_countrys_ases_their_users_and_the_foreign_ases():
    doc = built().document
    nodes = doc["nodes"]
    kinds = {k: n["kind"] for k, n in nodes.items()}
    assert {k for k, kind in kinds.items() if kind == "foreign"} == FOREIGN
    assert {k for k, kind in kinds.items() if kind in ("core", "gateway")} == HOME
    # border ASes (a foreign neighbour) are gateways with the neighbours' country from the users table;
    # AS64498 is the customer of one foreign AS and the provider of another
    assert {k for k, kind in kinds.items() if kind == "gateway"} == {"AS64497", "AS64498"}
    assert nodes["AS64497"]["border"] == "RU" and nodes["AS64497"]["note"] == "foreign neighbours: RU 1"
    assert nodes["AS64498"]["border"] == "DE" and nodes["AS64498"]["note"] == "foreign neighbours: DE 2"
    # an access node per AS with users, none for AS64498 (0 users); AS64510 is in no relationship: left out
    access = {k: n for k, n in nodes.items() if n["kind"] == "access"}
    assert set(access) == {"AS64496-users", "AS64497-users", "AS64499-users"}
    assert {k: n["share"] for k, n in access.items()} == pytest.approx(
        {"AS64496-users": 0.6, "AS64497-users": 0.3, "AS64499-users": 0.1}
    )
    assert all(n["operator"] == k.removesuffix("-users") and n["region"] == "kz" for k, n in access.items())
    assert doc["operators"]["AS64496"] == {
        "name": "EXAMPLE-TELECOM - Example Telecom",
        "asn": [64496],
        "tech": ["fixed"],
        "source": "users",
    }
    assert "AS64510" in doc["regions"]["kz"]["note"] and "1,000 users" in doc["regions"]["kz"]["note"]


def test_links_carry_relationship_kind_and_provider_first():
    links = built().document["links"]
    assert len(links) == 11 + 3  # the file's links and one access link per AS with users
    assert links["AS64500-AS64497"] == {
        "ends": ["AS64500", "AS64497"],
        "capacity_gbps": 2000,  # twice 1,000,000 users x 1 Mbps
        "kind": "cross-border",
        "relationship": "p2c",
        "source": "as-rel; capacity",
    }
    kinds = {k: (v["kind"], v["relationship"]) for k, v in links.items()}
    assert kinds["AS64496-AS64497"] == ("transit", "p2c")
    assert kinds["AS64497-AS64499"] == ("peering", "p2p")
    assert kinds["AS64502-AS64505"] == ("peering", "p2p")
    assert kinds["AS64503-AS64498"] == kinds["AS64498-AS64506"] == ("cross-border", "p2c")
    assert links["AS64496-users"]["ends"] == ["AS64496", "AS64496-users"]  # the AS provides for its users
    assert {v["kind"] for v in links.values()} == {"transit", "peering", "cross-border", "access"}


def test_summary_counts_and_the_service_abroad():
    result = built(routing="valley-free")
    assert (result.domestic, result.with_users, result.border, result.foreign) == (4, 3, 2, 6)
    assert (result.links, result.users, result.left_out) == (11, 1_000_000, (64510,))
    assert result.summary().startswith("as-level-kz: 4 ASes of KZ (3 with users, 2 border), 6 foreign ASes")
    service = result.document["services"]["abroad"]
    assert service["hosts"] == ["AS64502", "AS64505"]  # the foreign ASes without a provider
    assert result.document["routing"] == "valley-free"


def test_every_assumption_and_source_is_written_down():
    doc = built().document
    assert doc["sources"]["capacity"].startswith("assumption:")
    assert SERIAL1.name in doc["sources"]["as-rel"] and "serial-1" in doc["sources"]["as-rel"]
    assert read_relationships(SERIAL1).sha256 in doc["sources"]["as-rel"]
    assert USERS.name in doc["sources"]["users"] and "stats.labs.apnic.net" in doc["sources"]["users"]
    assert "one region" in doc["regions"]["kz"]["assumption"]
    assert doc["services"]["abroad"]["assumption"] and doc["demand"]["fixed"]["assumption"]
    text = json.dumps(doc)
    assert str(SERIAL1.parent) not in text  # file names only, never the folders they were read from


def test_serial_1_and_serial_2_give_the_same_topology_but_for_the_sources():
    one, two = built(SERIAL1).document, built(SERIAL2).document
    assert "serial-2" in two["sources"]["as-rel"] and "mlp 1" in two["sources"]["as-rel"]
    for doc in (one, two):
        doc.pop("sources")
        doc.pop("description")
    assert one == two


def test_foreign_hops_keeps_only_the_near_ases_and_their_top():
    doc = built(foreign_hops=1).document
    foreign = {k for k, n in doc["nodes"].items() if n["kind"] == "foreign"}
    assert foreign == {"AS64500", "AS64503", "AS64506"}  # the neighbours of the country's ASes
    assert doc["services"]["abroad"]["hosts"] == ["AS64500", "AS64503"]  # their providers are not kept; AS64506 has one
    assert all(set(link["ends"]) <= set(doc["nodes"]) for link in doc["links"].values())


def test_abroad_all_hosts_on_every_foreign_as():
    assert set(built(abroad="all").document["services"]["abroad"]["hosts"]) == FOREIGN


def test_cli_writes_a_topology_that_loads_and_prints_one_line(tmp_path):
    out = tmp_path / "kz.json"
    args = ["build", "as-level", "--relationships", str(SERIAL2), "--users", str(USERS), "--country", "kz"]
    res = CliRunner().invoke(cli, [*args, "-o", str(out), "--routing", "valley-free"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    (line,) = res.stdout.strip().splitlines()
    assert line == (
        f"wrote {out}: as-level-kz: 4 ASes of KZ (3 with users, 2 border), 6 foreign ASes, 11 AS links, "
        "1,000,000 users; routing valley-free; 1 AS of KZ left out"
    )
    topo = load_topology(out)
    assert topo.routing == "valley-free"
    assert sum(c.users for c in topo.cohorts) == pytest.approx(1_000_000)
    assert topo.graph.edges["AS64498", "AS64496"]["provider"] == "AS64498"
    assert topo.warnings == ()  # every record says its source or assumption
    res = CliRunner().invoke(cli, ["validate", str(out)], catch_exceptions=False)
    assert res.exit_code == 0 and res.stdout.startswith(f"ok: {out} (topology)")


def test_cli_writes_yaml_too_and_refuses_other_types(tmp_path):
    args = ["build", "as-level", "--relationships", str(SERIAL1), "--users", str(USERS), "--country", "KZ"]
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "kz.yaml")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert yaml.safe_load((tmp_path / "kz.yaml").read_text(encoding="utf-8")) == built().document
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "kz.txt")], catch_exceptions=False)
    assert res.exit_code == 2 and "--out: unknown file type" in res.stderr
    assert not (tmp_path / "kz.txt").exists()


def test_default_output_is_named_after_the_country(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["build", "as-level", "--relationships", str(SERIAL1), "--users", str(USERS), "--country", "KZ"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert json.loads((tmp_path / "as-level-kz.json").read_text(encoding="utf-8")) == built().document
