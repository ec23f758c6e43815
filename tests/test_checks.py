"""Named consistency checks of topology files."""

from __future__ import annotations

import pytest

from simkz.errors import InputError
from simkz.topology.load import load_topology
from tests.conftest import TOY, write_yaml


def variant(tmp_path, **over):
    return write_yaml(tmp_path / "t.yaml", {"extends": str(TOY), **over})


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        (
            {"links": {"x": {"ends": ["ix", "nowhere"], "capacity_gbps": 1, "kind": "peering"}}},
            "links.x.ends[1]: unknown endpoint",
        ),
        ({"nodes": {"lonely": {"kind": "ixp"}}}, "nodes.lonely: node has no link [check isolated-node]"),
        (
            {
                "nodes": {"island": {"kind": "ixp"}},
                "links": {
                    "north-b-mobile--b-core": None,
                    "i": {"ends": ["north-b-mobile", "island"], "capacity_gbps": 1, "kind": "access"},
                },
            },
            "nodes.north-b-mobile: access node has no path to any foreign node",
        ),
        ({"links": {"ix--dc": {"capacity_gbps": -5}}}, "links.ix--dc.capacity_gbps: capacity must be above zero"),
        ({"links": {"ix--dc": {"capacity_gbps": 0}}}, "capacity must be above zero"),
        ({"services": {"bank": {"hosts": []}}}, "services.bank.hosts: a service needs at least one host"),
        ({"services": {"egov-id": {"depends_on": ["egov"]}}}, "dependency cycle egov -> egov-id -> egov"),
        ({"nodes": {"north-a-fixed": {"operator": "telco-z"}}}, "nodes.north-a-fixed.operator: unknown operator"),
        (
            {"nodes": {"north-a-fixed": {"share": 0.5}}},
            "regions.north: shares of the region's access nodes must sum to 1",
        ),
        ({"services": {"video": {"traffic_share": 0.9}}}, "traffic shares of all services sum to more than 1"),
        (
            {"links": {"dup": {"ends": ["dc", "ix"], "capacity_gbps": 1, "kind": "peering"}}},
            "a second link between the same nodes",
        ),
    ],
)
def test_check_names_the_problem(tmp_path, override, needle):
    with pytest.raises(InputError) as info:
        load_topology(variant(tmp_path, **override))
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_unsourced_numbers_are_warnings(tmp_path):
    topo = load_topology(variant(tmp_path, regions={"north": {"assumption": None}}))
    assert any("regions.north: no source and no assumption" in w for w in topo.warnings)


def test_shipped_toy_has_no_warnings():
    assert load_topology(TOY).warnings == ()
