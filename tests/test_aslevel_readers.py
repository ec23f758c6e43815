"""The readers of CAIDA AS-relationship files and APNIC-layout users tables, and their refusals (exit 2, with the
file and the line number)."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from simkz.cli.main import cli
from simkz.errors import InputError
from simkz.topology.aslevel.apnic import read_users
from simkz.topology.aslevel.caida import PEERS, PROVIDER_CUSTOMER, read_relationships
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "aslevel"
SERIAL1 = FIXTURES / "valley.as-rel.txt"
SERIAL2 = FIXTURES / "valley.as-rel2.txt"
USERS = FIXTURES / "users.csv"


def links(rel) -> list[tuple[int, int, int]]:
    return list(zip(rel.first.tolist(), rel.second.tolist(), rel.code.tolist(), strict=True))


def test_serial_1_reads_every_link_in_file_order_with_the_clique():
    rel = read_relationships(SERIAL1)
    assert rel.layout == "serial-1"
    assert len(rel) == 11
    assert links(rel)[0] == (64496, 64497, PROVIDER_CUSTOMER)  # first line: 64496 is the provider of 64497
    assert links(rel)[-1] == (64502, 64505, PEERS)
    assert rel.clique == (64502, 64505)
    assert rel.sources == {} and rel.repeated == 0
    assert len(rel.sha256) == 64


def test_serial_2_gives_the_same_links_and_counts_sources_and_repeats():
    one, two = read_relationships(SERIAL1), read_relationships(SERIAL2)
    assert two.layout == "serial-2"
    assert links(two) == links(one)
    assert two.sources == {"bgp": 11, "mlp": 1}  # the repeated line counts as read
    assert two.repeated == 1


@pytest.mark.parametrize("opener", [gzip.open, bz2.open], ids=["gz", "bz2"])
def test_compressed_files_are_read_by_their_extension(tmp_path, opener):
    suffix = ".gz" if opener is gzip.open else ".bz2"
    path = tmp_path / f"valley.as-rel2.txt{suffix}"
    with opener(path, "wb") as out:
        out.write(SERIAL2.read_bytes())
    assert links(read_relationships(path)) == links(read_relationships(SERIAL2))


def test_a_file_that_is_not_what_its_extension_says_is_refused(tmp_path):
    path = tmp_path / "rel.txt.bz2"
    path.write_bytes(SERIAL1.read_bytes())
    with pytest.raises(InputError, match="cannot read the file"):
        read_relationships(path)


def test_users_table_reads_numbers_with_thousands_separators():
    table = read_users(USERS)
    kz = table.of_country("KZ")
    assert sorted(kz) == [64496, 64497, 64498, 64499, 64510]
    assert kz[64496].users == 600_000
    assert kz[64496].name == "EXAMPLE-TELECOM - Example Telecom"
    assert kz[64498].users == 0
    assert kz[64496].line == 5  # after three comment lines and the header
    assert {r.cc for r in table.rows} == {"KZ", "RU", "DE"}
    assert len(table.rows) == 9


def test_users_table_header_variants_and_plain_as_numbers(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("asn,  Country ,USERS\n9198,KZ,1234.5\n", encoding="utf-8")
    (row,) = read_users(path).rows
    assert (row.asn, row.cc, row.users) == (9198, "KZ", 1234.5)


HEADER = "Rank,AS,AS Name,CC,Users (est.),% of country,% of Internet,Samples\n"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("1|2|-1\n# comment\n3|4|-1|bgp\n", 3, "4 fields in a serial-1 file"),
        ("1|2\n", 1, "2 fields"),
        ("# clique\n1|x2|-1\n", 2, "the second AS number is not an integer"),
        ("1|2|-1\n 3|4|-1\n", 2, "the first AS number is not an integer"),
        ("1|2|-1\n0|4|-1\n", 2, "the first AS number out of range"),
        ("1|4294967296|0\n", 1, "the second AS number out of range"),
        ("1|2|-1\n2|3|1\n", 2, "unknown relationship code (got '1')"),
        ("1|2|-1\n3|4|2\n", 2, "unknown relationship code (got '2')"),
        ("1|2|-1\n\n7|7|0\n", 3, "an AS linked to itself"),
        ("1|2|-1\n2|1|-1\n", 2, "another relationship on line 1: AS1 provider of AS2"),
        ("1|2|0\n3|4|0\n2|1|-1\n", 3, "another relationship on line 1: AS1 and AS2 peers"),
        ("1|2|-1|bgp\n3|4|0|\n", 2, "bad source of the inference"),
        ("# inferred clique: 174 x\n1|2|0\n", 1, "a clique AS number is not an integer"),
    ],
)
def test_bad_relationship_files_exit_2_naming_the_line(tmp_path, text, line, needle):
    rel = tmp_path / "rel.txt"
    rel.write_text(text, encoding="utf-8")
    res = build(tmp_path, rel, USERS)
    assert_one_line(res, f"{rel}: line {line}: ", needle)
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("rows", "line", "needle"),
    [
        ("1,AS64496,A,KZ,100,1,1,1\n2,AS64497,B,KZ,200,1,1\n", 3, "7 fields"),
        ("1,AS64496,A,KZ,100,1,1,1\n2,ASX,B,KZ,200,1,1,1\n", 3, "AS number is not an integer"),
        ("1,AS0,A,KZ,100,1,1,1\n", 2, "AS number out of range"),
        ("1,AS4294967296,A,KZ,100,1,1,1\n", 2, "AS number out of range"),
        ("1,AS64496,A,KZ,-100,1,1,1\n", 2, "negative users"),
        ("1,AS64496,A,KZ,many,1,1,1\n", 2, "users is not a number"),
        ("1,AS64496,A,Kz,100,1,1,1\n", 2, "not a country code (got 'Kz')"),
        ("1,AS64496,A,KAZ,100,1,1,1\n", 2, "not a country code (got 'KAZ')"),
        ("1,AS64496,A,KZ,100,101,1,1\n", 2, "% of country above 100"),
        ("1,AS64496,A,KZ,100,1,1,1.5\n", 2, "samples is not a whole number"),
        ("1,AS64496,A,KZ,100,1,1,1\n\n# note\n2,AS64496,B,KZ,5,1,1,1\n", 5, "AS64496 is given for KZ on line 2 too"),
    ],
)
def test_bad_users_tables_exit_2_naming_the_line(tmp_path, rows, line, needle):
    users = tmp_path / "users.csv"
    users.write_text(HEADER + rows, encoding="utf-8")
    res = build(tmp_path, SERIAL1, users)
    assert_one_line(res, f"{users}: line {line}: ", needle)


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        ("AS,CC,Users (est.),Colour\n", "unknown column (got 'Colour')"),
        ("AS,CC,Users,users (est.)\n", "a column given twice"),
        ("AS,Users (est.)\n", "no 'cc' column"),
    ],
)
def test_bad_headers_exit_2(tmp_path, header, needle):
    users = tmp_path / "users.csv"
    users.write_text("# a comment first\n" + header, encoding="utf-8")
    assert_one_line(build(tmp_path, SERIAL1, users), f"{users}: line 2: ", needle)


def test_bad_country_option_exits_2(tmp_path):
    res = build(tmp_path, SERIAL1, USERS, country="K1")
    assert_one_line(res, "--country: not a country code (got 'K1')")


def test_a_country_without_ases_exits_2(tmp_path):
    assert_one_line(build(tmp_path, SERIAL1, USERS, country="FR"), f"{USERS}: (top level): no AS of FR")


def build(tmp_path: Path, rel: Path, users: Path, country: str = "KZ"):
    args = ["build", "as-level", "--relationships", str(rel), "--users", str(users), "--country", country]
    return CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "out.json")], catch_exceptions=False)


def assert_one_line(res, *needles: str) -> None:
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
