"""docs/validation.md: every figure in its tables is what the reference run gives."""

from __future__ import annotations

import re

import pytest

from simkz import Simulation, load_scenario
from tests.conftest import ROOT, SCENARIOS

DOC = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def result():
    return Simulation(load_scenario(SCENARIOS / "kz-jan-2022.yaml")).run().result


def table_rows(header_start: str) -> list[list[str]]:
    lines = DOC.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_phase_table(result):
    national = result.tables["national"]
    times = [t[:16] for t in national["time"]]
    rows = table_rows("| time | phase |")
    assert len(rows) >= 10
    for when, _phase, index, probing, bgp, cut, lost, disrupted in rows:
        i = times.index(when)
        assert float(index) == pytest.approx(national["connectivity_index_pct"][i], abs=0.05), when
        assert float(probing) == pytest.approx(national["probing_responsive_pct"][i], abs=0.05), when
        assert float(bgp) == pytest.approx(national["bgp_visible_pct"][i], abs=0.05), when
        assert float(cut) == pytest.approx(national["cut_off_persons"][i] / 1e6, abs=0.005), when
        assert float(lost) == pytest.approx(national["user_equivalents_lost_persons"][i] / 1e6, abs=0.005), when
        assert int(disrupted) == national["services_disrupted_count"][i], when


def test_score_table(result):
    from simkz.analysis.observations import load_observations
    from simkz.analysis.score import score_run

    score = score_run(result, load_observations(ROOT / "observations" / "kz-jan-2022.yaml"))
    rows = table_rows("| series | points |")
    assert len(rows) == len(score.series)
    for (_name, points, mae, agreement, correlation), s in zip(rows, score.series, strict=True):
        assert int(points) == s.points
        assert float(mae) == pytest.approx(s.mae_pct, abs=0.05)
        assert float(agreement) == pytest.approx(s.agreement, abs=0.005)
        if s.correlation is None:
            assert correlation == "n/a"
        else:
            assert float(correlation) == pytest.approx(s.correlation, abs=0.005)
    assert f"All {len(score.events)} events fall within their tolerances" in DOC
    assert all(e.passed for e in score.events)


def test_headline_table(result):
    s = result.summary
    nat, services = s["national"], s["services"]
    dis = s["persons_with_disabilities"]
    cost = {k: v["value"] / 1e6 for k, v in s["costs"]["methods"].items()}

    def drained(key: str) -> float:
        return services[key]["backlog"]["recoveries"][-1]["hours"]

    expected = {
        "internet users (million)": nat["internet_users_persons"] / 1e6,
        "peak users cut off entirely (million)": nat["peak_cut_off_persons"] / 1e6,
        "minimum connectivity index (%)": nat["min_connectivity_index_pct"],
        "mean connectivity index over the 8 days (%)": nat["mean_connectivity_index_pct"],
        "minimum probing (%)": nat["min_probing_responsive_pct"],
        "minimum BGP visibility (%)": nat["min_bgp_visible_pct"],
        "user-hours lost (million)": nat["user_hours_lost"] / 1e6,
        "cut-off user-hours (million)": nat["cut_off_user_hours"] / 1e6,
        "persons with disabilities online (thousand)": dis["internet_users_persons"] / 1e3,
        "persons with disabilities cut off at the peak (thousand)": dis["peak_cut_off_persons"] / 1e3,
        "WhatsApp disrupted (hours)": services["whatsapp"]["disrupted_hours"],
        "YouTube disrupted (hours)": services["youtube"]["disrupted_hours"],
        "Kaspi disrupted (hours)": services["kaspi"]["disrupted_hours"],
        "e-government disrupted (hours)": services["egov"]["disrupted_hours"],
        "card payments disrupted (hours)": services["card-payments"]["disrupted_hours"],
        "e-government backlog drained after the return (hours)": drained("egov"),
        "Kaspi backlog drained after the return (hours)": drained("kaspi"),
        "card payments backlog drained after the return (hours)": drained("card-payments"),
        "VPN share at the end (%)": 100 * s["circumvention"]["vpn_final_share"],
        "messaging fallback to calls and SMS at the peak (million)": s["circumvention"][
            "messaging_fallback_peak_persons"
        ]
        / 1e6,
        "cost, NetBlocks COST (million USD)": cost["netblocks-cost"],
        "cost, NetBlocks COST mobile-only (million USD)": cost["netblocks-cost-mobile-only"],
        "cost, NetBlocks COST app-only (million USD)": cost["netblocks-cost-app-only"],
        "cost, Deloitte high tier (million USD)": cost["deloitte"],
    }
    rows = dict(table_rows("| figure | value |"))
    assert set(rows) == set(expected)
    for name, value in expected.items():
        decimals = len(rows[name].split(".")[1]) if "." in rows[name] else 0
        assert float(rows[name]) == pytest.approx(value, abs=0.51 * 10**-decimals), name


def test_reproduce_command_names_the_scenario():
    assert re.search(r"^simkz run kz-jan-2022", DOC, flags=re.MULTILINE)
    assert re.search(r"^simkz score results/kz-jan-2022 --observed observations/kz-jan-2022.yaml", DOC, flags=re.M)


def test_uncertainty_table(tmp_path):
    import csv

    from click.testing import CliRunner

    from simkz.cli.main import cli

    out = tmp_path / "unc"
    args = ["run", "kz-jan-2022-uncertain", "--replications", "50", "--workers", "1", "--tables", "national"]
    res = CliRunner().invoke(cli, [*args, "--out", str(out), "--quiet"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    with (out / "summary_bands.csv").open(encoding="utf-8") as fh:
        bands = {row["metric"]: row for row in csv.DictReader(fh)}
    scale = {
        "minimum connectivity index (%)": ("national.min_connectivity_index_pct", 1.0),
        "mean connectivity index (%)": ("national.mean_connectivity_index_pct", 1.0),
        "user-hours lost (million)": ("national.user_hours_lost", 1e6),
        "VPN share at the end (%)": ("circumvention.vpn_final_share", 0.01),
        "messaging fallback at the peak (million)": ("circumvention.messaging_fallback_peak_persons", 1e6),
        "cost, NetBlocks COST (million USD)": ("costs.methods.netblocks-cost.value", 1e6),
        "cost, Deloitte high tier (million USD)": ("costs.methods.deloitte.value", 1e6),
    }
    rows = table_rows("| figure | mean | 5% | 95% |")
    assert {r[0] for r in rows} == set(scale)
    for name, mean, low, high in rows:
        key, div = scale[name]
        for text, column in ((mean, "mean"), (low, "q05"), (high, "q95")):
            decimals = len(text.split(".")[1]) if "." in text else 0
            assert float(text) == pytest.approx(float(bands[key][column]) / div, abs=0.51 * 10**-decimals), name
