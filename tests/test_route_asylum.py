"""The route system feeding the UK asylum system (runs/route_asylum.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crossings.core.errors import InputError
from crossings.core.observed import load
from crossings.runs.route_asylum import coupled_run, observed_arrivals_run, stock_at_quarter_ends

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
EUROPE, UK = SCEN / "europe.yaml", SCEN / "uk_asylum.yaml"


@pytest.fixture(scope="module")
def fed():
    return coupled_run(EUROPE, UK, seed=1, engine="meanfield")


def _annual(monthly: pd.DataFrame, place: str, measure: str) -> pd.Series:
    x = monthly[(monthly.place == place) & (monthly.measure == measure)]
    return x.assign(year=x.month.str[:4].astype(int)).groupby("year").simulated.sum()


def test_in_sample_arrivals_reproduce_the_asylum_run_on_observed_arrivals(fed) -> None:
    """Tolerance (stated in docs/europe_onward.md): people awaiting a decision and in support within 3% at every
    quarter end 2018-2024, the annual cost within 2%, and the UK's small-boat arrivals within 15% of the Home
    Office's in 2019-2024 (the leg's shares are yearly: months and 2018's handful are not fitted one by one)."""
    ref = observed_arrivals_run(UK, seed=1)
    for measure in ("awaiting_decision", "in_support"):
        a, b = stock_at_quarter_ends(fed.asylum.monthly, measure), stock_at_quarter_ends(ref.monthly, measure)
        assert len(a) == 28 and (a / b - 1.0).abs().max() < 0.03, measure
    cost = _annual(fed.asylum.monthly, "uk", "cost") / _annual(ref.monthly, "uk", "cost") - 1.0
    assert cost.abs().max() < 0.02
    ob = load("uk_small_boats_monthly").assign(year=lambda d: d.month.str[:4].astype(int))
    ob = ob.groupby("year").people_arrived.sum()
    sim = _annual(fed.monthly, "uk", "arrivals")
    for y in range(2019, 2025):
        assert sim[y] == pytest.approx(ob[y], rel=0.15), y


def test_the_coupled_run_takes_arrivals_from_the_route_system_not_the_home_office(fed) -> None:
    """Not a copy of the observed run: its arrivals follow the leg (the Home Office's 2018 total is 299)."""
    assert all(d.inflows.arrivals_from == "sea" for d in fed.scenario.asylum.destinations.values())
    sea = _annual(fed.asylum.monthly, "uk", "sea_arrivals")
    assert abs(sea[2018] - 299) > 100
    leg = _annual(fed.monthly, "northern_france", "onward_persons")
    assert leg[2022] > 30_000 and leg[2018] < 2_000


def test_a_route_lever_moves_the_asylum_system_in_its_direction(fed) -> None:
    """The EU-Tunisia MoU lowered the central Mediterranean's utility (fitted): without it more people cross,
    more reach northern France and the UK, and the backlog, hotels and cost grow; nothing moves before it."""
    off = coupled_run(EUROPE, UK, seed=1, overrides={"levers.eu_tunisia_mou.enabled": False}, engine="meanfield")
    d_leg = _annual(off.monthly, "northern_france", "onward_persons") - _annual(fed.monthly, "northern_france",
                                                                                 "onward_persons")
    d_arr = _annual(off.monthly, "uk", "arrivals") - _annual(fed.monthly, "uk", "arrivals")
    assert d_leg[2024] > 1_000 and d_arr[2024] > 1_000 and abs(d_arr[2022]) < 1e-6
    for measure in ("awaiting_decision", "in_hotels"):
        diff = stock_at_quarter_ends(off.asylum.monthly, measure) - stock_at_quarter_ends(fed.asylum.monthly,
                                                                                          measure)
        assert diff["2024-12"] > 500 and diff["2023-06"] == 0.0, measure
    assert (_annual(off.asylum.monthly, "uk", "cost") - _annual(fed.asylum.monthly, "uk", "cost"))[2024] > 0.0


def test_an_unknown_lever_is_refused() -> None:
    with pytest.raises(InputError, match="no such lever"):
        coupled_run(EUROPE, UK, overrides={"levers.nowhere.enabled": False}, engine="meanfield")


def test_same_seed_same_coupled_agent_run() -> None:
    a = coupled_run(EUROPE, UK, seed=3)
    b = coupled_run(EUROPE, UK, seed=3)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    assert (a.reach > 0).all()


IT = SCEN / "italy_albania.yaml"


def _italy(monthly: pd.DataFrame, measure: str) -> pd.Series:
    return monthly[(monthly.place == "italy") & (monthly.measure == measure)].set_index("month").simulated


def test_italy_fed_by_the_central_mediterranean_reproduces_its_observed_arrivals_run() -> None:
    """Tolerance (docs/europe_onward.md): people in reception within 5% at every month end of 2024 and 2024's
    arrivals within 5% of UNHCR's (Frontex's central Mediterranean route also counts Malta's few landings)."""
    from crossings.runs.route_asylum import coupled_route_run

    fed = coupled_route_run(EUROPE, IT, engine="meanfield")
    ref = observed_arrivals_run(IT, seed=1)
    rel = _italy(fed.asylum.monthly, "in_support") / _italy(ref.monthly, "in_support") - 1.0
    assert len(rel) == 12 and rel.abs().max() < 0.05
    got, want = _italy(fed.asylum.monthly, "sea_arrivals").sum(), _italy(ref.monthly, "sea_arrivals").sum()
    assert got == pytest.approx(want, rel=0.05) and got != want
    off = coupled_route_run(EUROPE, IT, overrides={"levers.eu_tunisia_mou.enabled": False}, engine="meanfield")
    more = _italy(off.asylum.monthly, "in_support") - _italy(fed.asylum.monthly, "in_support")
    assert (more > 0).all() and more["2024-12"] > 10_000  # without the deal, more people in reception


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crossings.runs.route_asylum import main

    out = tmp_path / "out"
    rc = main([str(EUROPE), str(UK), "--out", str(out),
               "--engine", "meanfield", "--set", "levers.no_such_lever.enabled=false"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and "levers.no_such_lever" in err and "no such lever" in err
    assert not out.exists()
    assert main([str(EUROPE), str(UK), "--out",
                 str(out), "--set", "nokeyvalue"]) == 2
    assert not out.exists()


def test_crossings_couple_writes_the_coupled_tables_with_a_manifest(tmp_path: Path) -> None:
    import json

    from crossings.cli import main as cli

    out = tmp_path / "coupled"
    assert cli(["couple", str(EUROPE), str(UK), "--engine", "meanfield", "--out", str(out)]) == 0
    monthly = pd.read_csv(out / "monthly.csv")
    assert {"northern_france", "uk"} <= set(monthly.place)
    manifest = json.loads((out / "manifest.json").read_text())
    assert "onward leg" in json.dumps(manifest) and manifest["seed"] == 1
    assert cli(["couple", str(EUROPE), str(UK), "--out", str(tmp_path / "bad"), "--set",
                "levers.no_such_lever.enabled=false"]) == 2
    assert not (tmp_path / "bad").exists()
