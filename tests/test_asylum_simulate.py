"""Whole asylum runs: the UK must-show numbers, determinism, sea input, offshore suspensions, deterrence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crossings.asylum.deterrence import d_of_q
from crossings.asylum.simulate import run_asylum, run_asylum_scenario
from crossings.scenario.asylum import parse_asylum

SCEN = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(scope="module")
def uk() -> pd.DataFrame:
    return run_asylum_scenario(SCEN / "uk_asylum.yaml", seed=1).monthly


def _quarter_ends(m: pd.DataFrame, measure: str) -> pd.DataFrame:
    x = m[(m.place == "uk") & (m.measure == measure) & m.observed.notna()]
    return x[x.month.between("2018-01", "2024-12")]


# The three UK "must-show" tests below are IN-SAMPLE accounting checks, not forecasts or validation:
# uk_asylum.yaml feeds the observed quarterly claims (Asy_D01), initial decisions, grant rates and
# withdrawals (Asy_D02) and the dispersed-accommodation capacity (Asy_D11) in as inputs, and its
# support_share and support_outside_queues were fitted to Asy_D11 over all 28 quarter-ends 2018-2024
# (asylum_validation.py --fit-support; the held-out fit to 2022 is in docs/asylum_validation.md).
# So they show only that the queue bookkeeping reproduces the Home Office stocks
# given those observed flows; they say nothing about out-of-sample skill.
def test_uk_backlog_within_15pct_every_quarter(uk: pd.DataFrame) -> None:
    x = _quarter_ends(uk, "awaiting_decision")
    assert len(x) == 28
    err = (x.simulated / x.observed - 1).abs()
    assert (err < 0.15).all(), x.assign(err=err)


def test_uk_june_2023_peak_within_10pct(uk: pd.DataFrame) -> None:
    x = _quarter_ends(uk, "awaiting_decision").set_index("month")
    obs, sim = x["observed"].to_dict(), x["simulated"].to_dict()
    assert obs["2023-06"] == 175457
    assert abs(sim["2023-06"] / 175457 - 1) < 0.10


def test_uk_hotels_end_2023_and_2024_within_20pct(uk: pd.DataFrame) -> None:
    x = _quarter_ends(uk, "in_hotels").set_index("month")
    obs, sim = x["observed"].to_dict(), x["simulated"].to_dict()
    for month in ("2023-12", "2024-12"):
        assert abs(sim[month] / obs[month] - 1) < 0.20


def _small_config(extra_levers: dict[str, Any] | None = None, **dest: Any) -> Any:
    d = {"decision_capacity": 2500.0, "grant_rate": 0.6, "appeal_probability": 0.5,
         "appeal_capacity_per_month": 600.0, "appeal_allow_rate": 0.4, "removal_capacity_per_month": 100.0,
         "abscond_rate_per_year": 0.5, "support_share": 0.8, "dispersed_capacity": 3000.0,
         "initial_awaiting": 5000, "costs": {"hotel_per_night": 150.0, "dispersed_per_night": 60.0},
         "levers": extra_levers or {}}
    d.update(dest)
    return parse_asylum({"destinations": {"land": d}})


def _sea(daily: float, n_days: int = 365, rescued: float | None = None) -> SimpleNamespace:
    arr = np.full(n_days, daily)
    ns = SimpleNamespace(start=dt.date(2024, 1, 1), n_days=n_days, routes=["r1"],
                         destination_of_route={"r1": "land"}, arrivals={"r1": arr},
                         departures={"r1": arr}, boats={"r1": arr / 40}, interceptions={"r1": 0 * arr},
                         deaths={"r1": 0 * arr}, rescued_by_destination={})
    if rescued is not None:
        ns.rescued_by_destination = {"r1": np.full(n_days, rescued)}
    return ns


def test_same_seed_identical_and_sea_drives_claims() -> None:
    cfg = _small_config()
    a = run_asylum(cfg, _sea(80.0), seed=3)
    b = run_asylum(cfg, _sea(80.0), seed=3)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    assert a.summary["destinations"]["land"]["sea_arrivals"] == 80 * 365
    assert a.summary["destinations"]["land"]["claims"] == 80 * 365
    c = run_asylum(cfg, _sea(80.0), seed=4)
    assert not a.daily["simulated"].equals(c.daily["simulated"])


def test_kernel_and_reference_runs_identical() -> None:
    levers = {"offshore": {"start": "2024-03-01", "eligible_share": 0.5, "own_ship_share": 0.8, "places": 200,
                           "target_days": 14, "cap_by_sea_rescued": True,
                           "return_capacity_per_month": 60, "suspensions": [{"start": "2024-06-01",
                                                                              "end": "2024-06-20"}]},
              "third_country": {"start": "2024-02-01", "eligible_share": 0.2, "capacity_per_year": 500},
              "deterrence": {"start": "2024-02-01", "d_max": 0.5, "k": 1.0}}
    cfg = _small_config(levers)
    a = run_asylum(cfg, _sea(90.0, rescued=40.0), seed=9)
    b = run_asylum(cfg, _sea(90.0, rescued=40.0), seed=9, reference=True)
    pd.testing.assert_frame_equal(a.daily, b.daily)


def test_cumulative_cost_is_sum_of_daily_costs() -> None:
    out = run_asylum(_small_config(), _sea(50.0), seed=2)
    d = out.daily
    total = d[(d.measure == "cost")]["simulated"].sum()
    assert out.summary["destinations"]["land"]["cumulative_cost"] == pytest.approx(total)
    hotels = d[(d.measure == "in_hotels")]["simulated"].to_numpy()
    supp = d[(d.measure == "in_support")]["simulated"].to_numpy()
    np.testing.assert_allclose(hotels, np.maximum(supp - 3000.0, 0))


def test_italy_albania_suspensions_stop_transfers_and_empty_centre() -> None:
    out = run_asylum_scenario(SCEN / "italy_albania.yaml", seed=1)
    d = out.daily[out.daily.place == "albania_centre"].pivot(index="date", columns="measure", values="simulated")
    assert d.loc[:"2024-10-10", "transfers"].sum() == 0  # nothing before the centres opened
    assert d.loc["2024-10-18":"2024-11-07", "transfers"].sum() == 0
    assert d.loc["2024-11-11":, "transfers"].sum() == 0
    assert (d.loc["2024-10-18":"2024-11-07", "offshore_occupancy"] == 0).all()
    assert (d.loc["2024-11-11":, "offshore_occupancy"] == 0).all()
    assert d.loc["2024-10-11":"2024-10-17", "transfers"].sum() > 0


def _det_levers(capacity: float) -> dict[str, Any]:
    return {"third_country": {"start": "2022-01-01", "eligible_share": 1.0, "capacity_per_year": capacity,
                              "max_wait_days": 1000},
            "deterrence": {"start": "2022-01-01", "d_max": 0.6, "k": 3.0, "window_days": 30, "lag_days": 10}}


def _standalone(capacity: float, seed: int) -> tuple[float, float, float]:
    """UK small-boat arrivals 2022 (observed), every arrival claims and is eligible for removal."""
    cfg = parse_asylum({"start": "2022-01-01", "end": "2022-12-31", "destinations": {"land": {
        "decision_capacity": 2500.0, "grant_rate": 0.6, "inflows": {"observed_arrivals": "uk_small_boats_daily"},
        "levers": _det_levers(capacity)}}})
    out = run_asylum(cfg, None, seed=seed)
    d = out.daily[(out.daily.place == "land") & (out.daily.date >= "2022-03-01")]
    late = d.pivot(index="date", columns="measure", values="simulated")
    obs = d[d.measure == "sea_arrivals"]["observed"].sum()
    return float(late["sea_arrivals"].sum()), float(obs), float(late["q"].mean())


def test_deterrence_equals_d_max_when_q_is_one() -> None:
    sim, obs, q = _standalone(1e7, seed=1)
    assert q > 0.99
    # binomial thinning of ~40,000 arrivals: sd of the ratio about 0.003
    assert sim / obs == pytest.approx(1 - 0.6, abs=0.015)
    assert d_of_q(1.0, 0.6, 3.0) == pytest.approx(0.6)


def test_deterrence_within_noise_when_q_near_zero() -> None:
    sim, obs, q = _standalone(300.0, seed=1)
    assert q < 0.03
    assert abs(sim - obs) < 3 * np.sqrt(obs)  # within Poisson-scale noise of the crossings


def test_with_sea_model_multiplier_is_returned_not_applied() -> None:
    """With a sea outcome the runner feeds 1 - D(q) back to the sea; arrivals here are not thinned again."""
    out = run_asylum(_small_config(_det_levers(1e7)), _sea(200.0), seed=1)
    mult = out.departure_multiplier["land"]
    assert mult.shape == (365,) and (mult > 0).all() and (mult <= 1).all()
    assert mult[0] == 1.0
    np.testing.assert_allclose(mult[60:], 1 - 0.6)
    assert out.summary["destinations"]["land"]["sea_arrivals"] == 200 * 365


def test_kernel_and_reference_runs_use_the_offshore_centre() -> None:
    levers = {"offshore": {"start": "2024-03-01", "eligible_share": 0.5, "own_ship_share": 0.8, "places": 200,
                           "target_days": 14}}
    cfg, sea = _small_config(levers), _sea(90.0, rescued=40.0)
    out = run_asylum(cfg, sea, seed=9)
    off = out.summary["destinations"]["land"]["offshore"]
    assert off["transfers"] > 0 and off["grants"] + off["refusals"] > 0
    ref = run_asylum(cfg, sea, seed=9, reference=True)  # the numpy reference step, same draws
    pd.testing.assert_frame_equal(out.daily, ref.daily)
    assert ref.summary == out.summary


def test_asylum_window_inside_a_longer_sea_run() -> None:
    cfg = parse_asylum({"start": "2024-03-01", "end": "2024-05-31", "destinations": {"land": {
        "decision_capacity": 100.0, "grant_rate": 0.5,
        "levers": {"deterrence": {"start": "2024-03-01", "d_max": 0.5, "k": 1.0}}}}})
    out = run_asylum(cfg, _sea(10.0), seed=1)
    assert out.daily["date"].min() == "2024-03-01" and out.daily["date"].max() == "2024-05-31"
    assert out.departure_multiplier["land"].shape == (365,)
    assert out.summary["destinations"]["land"]["sea_arrivals"] == 10 * 92


def test_standalone_outputs_written(tmp_path: Path) -> None:
    from crossings.asylum.simulate import write_asylum_outputs

    out = run_asylum(_small_config(), _sea(20.0, n_days=60), seed=1)
    scen = tmp_path / "s.yaml"
    scen.write_text("asylum: {}\n")
    files = write_asylum_outputs(out, tmp_path / "out", scen, 1, 0.1)
    names = {f.name for f in files}
    assert {"daily.csv", "monthly.csv", "manifest.json"} <= names
    m = pd.read_csv(tmp_path / "out" / "monthly.csv")
    assert list(m.columns) == ["month", "place", "place_kind", "is_total", "measure", "unit", "simulated", "observed"]


def test_the_run_refuses_to_write_past_its_preallocated_agents(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernels write without bounds checks: a day that would create more agents than preallocated stops
    the run with an error instead of corrupting memory (a safe-route run once did, before the fix)."""
    from crossings.asylum import process
    from crossings.asylum import simulate as sim

    real = process.Queues
    monkeypatch.setattr(sim.process, "Queues", lambda capacity: real(5000 + 100))  # the initial 5,000 fit
    with pytest.raises(RuntimeError, match="preallocated"):
        run_asylum(_small_config(), _sea(80.0), seed=1)


def test_a_runs_series_are_its_daily_tables_columns_without_the_table() -> None:
    """AsylumOutcome.series(place, measure) is the daily table's `simulated` column of that place and measure, for
    the destination and the places of its levers; with tables=False the table is built only when asked for."""
    levers = {"offshore": {"start": "2024-03-01", "eligible_share": 0.5, "own_ship_share": 0.8, "places": 200,
                           "target_days": 14},
              "third_country": {"start": "2024-02-01", "eligible_share": 0.2, "capacity_per_year": 500}}
    cfg = _small_config(levers)
    lean = run_asylum(cfg, _sea(90.0, rescued=40.0), seed=9, tables=False)
    assert "daily" not in vars(lean)  # not built yet
    full = run_asylum(cfg, _sea(90.0, rescued=40.0), seed=9)
    pairs = full.daily[["place", "measure"]].drop_duplicates().itertuples(index=False)
    n = 0
    for place, measure in pairs:
        col = full.daily[(full.daily.place == place) & (full.daily.measure == measure)]["simulated"].to_numpy()
        np.testing.assert_array_equal(lean.series(place, measure), col)
        n += 1
    assert n > 25 and {"land"} < set(full.daily.place)
    pd.testing.assert_frame_equal(lean.daily, full.daily)
    with pytest.raises(KeyError):
        lean.series("land", "no_such_measure")
