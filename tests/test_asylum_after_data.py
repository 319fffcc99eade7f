"""after_data: the stated rule for days after the observed UK quarterly data (error | hold_last_year)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crossings.asylum.after_data import AfterData
from crossings.asylum.simulate import run_asylum
from crossings.core.errors import InputError
from crossings.runs.runner import run_scenario
from crossings.scenario.asylum import parse_asylum

ROOT = Path(__file__).resolve().parents[1]
QUARTERLY = ROOT / "src" / "crossings" / "data" / "observed" / "uk_asylum_quarterly.csv"
BOATS = ROOT / "src" / "crossings" / "data" / "observed" / "uk_small_boats_daily.csv"
START, END = dt.date(2024, 7, 1), dt.date(2025, 6, 30)  # the quarterly data end on 2024-12-31
N = (END - START).days + 1
N_IN = (dt.date(2024, 12, 31) - START).days + 1
UK = {"inflows": {"observed_arrivals": "uk_small_boats_daily", "arrivals_from": "observed_then_sea",
                  "claim_share": 0.99, "other_claims": "observed_residual"},
      "initial_awaiting": "observed", "decision_capacity": "observed", "grant_rate": "observed",
      "withdrawal_share": "observed", "support_share": 0.57, "dispersed_capacity": "observed"}


def _last_year() -> pd.DataFrame:
    """The last 4 quarters of the data file, read here without the package's loaders."""
    q = pd.read_csv(QUARTERLY, parse_dates=["quarter_end"]).sort_values("quarter_end")
    last = q.tail(4).copy()
    last["days"] = [(e - (e - pd.offsets.QuarterEnd(1))).days for e in last["quarter_end"]]
    return last


def _sea(daily: float = 100.0) -> SimpleNamespace:
    arr = np.full(N, daily)
    return SimpleNamespace(start=START, n_days=N, routes=["france_uk"], destination_of_route={"france_uk": "uk"},
                           arrivals={"france_uk": arr}, departures={"france_uk": arr},
                           boats={"france_uk": arr / 50}, interceptions={"france_uk": 0 * arr},
                           deaths={"france_uk": 0 * arr}, rescued_by_destination={})


def _cfg(**dest: Any) -> Any:
    return parse_asylum({"destinations": {"uk": {**UK, **dest}}})


def _uk(out: Any, measure: str) -> np.ndarray:
    d = out.daily
    return d[(d.place == "uk") & (d.measure == measure)].sort_values("date")["simulated"].to_numpy()


def test_held_values_are_the_last_four_quarters_of_the_data_file() -> None:
    last = _last_year()
    assert str(last["quarter_end"].iloc[-1].date()) == "2024-12-31"
    ad = AfterData("hold_last_year", "asylum.destinations.uk", START, N)
    dec = last["initial_decisions_people_AsyD02"].sum() / last["days"].sum()
    g, r = last["initial_grants_people_AsyD02"].sum(), last["initial_refusals_people_AsyD02"].sum()
    wd = last["initial_withdrawals_people_AsyD02"].sum() / last["initial_decisions_people_AsyD02"].sum()
    tail = last.iloc[-1]
    disp = tail["people_in_receipt_of_asylum_support_AsyD11"] - tail["people_in_contingency_hotels_AsyD11"]
    for arr, want in ((ad.decision_capacity(), dec), (ad.grant_rate(), g / (g + r)),
                      (ad.withdrawal_share(), wd), (ad.dispersed_capacity(), disp)):
        np.testing.assert_allclose(arr[N_IN:], want, rtol=1e-12)
        assert not np.allclose(arr[:N_IN], want)  # inside the data: the quarter's own values
    # other claims: Asy_D01 claims minus 0.99 x small-boat arrivals over the same 4 quarters, per day
    boats = pd.read_csv(BOATS, parse_dates=["date"])
    in_year = boats["date"].between("2024-01-01", "2024-12-31")
    other = (last["asylum_claims_people_AsyD01"].sum() - 0.99 * boats.loc[in_year, "people_arrived"].sum()) / 366
    np.testing.assert_allclose(ad.other_claims(0.99)[N_IN:], other, rtol=1e-12)
    ext = ad.summary()["extended"]
    assert set(ext) == {"decision_capacity", "grant_rate", "withdrawal_share", "dispersed_capacity",
                        "inflows.other_claims"}
    assert all(e["from"] == "2025-01-01" and e["basis"].endswith("2024-12-31") for e in ext.values())
    assert ext["decision_capacity"]["held_value"] == pytest.approx(dec, rel=1e-12)


def test_a_run_beyond_the_data_holds_decisions_and_lists_what_it_extended() -> None:
    out = run_asylum(_cfg(after_data="hold_last_year"), _sea(), seed=1)
    last = _last_year()
    rate = last["initial_decisions_people_AsyD02"].sum() / last["days"].sum()
    dec = _uk(out, "decisions")
    # the backlog (~120,000) binds, so decisions are the held capacity (integer days, carry within 1)
    assert abs(dec[N_IN:].sum() - rate * (N - N_IN)) <= 1.0
    ext = out.summary["destinations"]["uk"]["after_data"]
    assert ext["rule"] == "hold_last_year" and "decision_capacity" in ext["extended"]


@pytest.mark.parametrize(("dest", "key"), [
    ({}, "asylum.destinations.uk.inflows.other_claims"),
    ({"inflows": {"other_claims": 3000.0}}, "asylum.destinations.uk.decision_capacity"),
    ({"inflows": {"other_claims": 3000.0}, "decision_capacity": 9000.0, "grant_rate": 0.5,
      "withdrawal_share": 0.1}, "asylum.destinations.uk.dispersed_capacity"),
])
def test_error_rule_fails_naming_the_key(dest: dict[str, Any], key: str) -> None:
    with pytest.raises(InputError) as err:
        run_asylum(_cfg(**dest), _sea(), seed=1)
    assert err.value.where == key
    assert "after_data: hold_last_year" in str(err.value)


def test_error_is_the_default() -> None:
    assert _cfg().destinations["uk"].after_data == "error"


def test_decision_capacity_lever_acts_on_the_held_capacity() -> None:
    base = run_asylum(_cfg(after_data="hold_last_year"), _sea(), seed=1)
    lever = {"decision_capacity": [{"start": "2025-01-01", "multiplier": 1.5}]}
    up = run_asylum(_cfg(after_data="hold_last_year", levers=lever), _sea(), seed=1)
    b, u = _uk(base, "decisions"), _uk(up, "decisions")
    np.testing.assert_array_equal(b[:N_IN], u[:N_IN])
    assert u[N_IN:].sum() == pytest.approx(1.5 * b[N_IN:].sum(), abs=2.0)
    assert _uk(up, "awaiting_decision")[-1] < _uk(base, "awaiting_decision")[-1] - 10_000


def test_decision_capacity_lever_acts_under_the_queue_share_rule() -> None:
    """queue_feedback_identity decides a share of the queue after the data: a multiplier scales the share, a
    per_month capacity replaces it."""
    rule = "queue_feedback_identity"
    base = run_asylum(_cfg(after_data=rule), _sea(), seed=1)
    up = run_asylum(_cfg(after_data=rule, levers={"decision_capacity": [{"start": "2025-01-01", "multiplier": 1.5}]}),
                    _sea(), seed=1)
    b, u = _uk(base, "decisions"), _uk(up, "decisions")
    np.testing.assert_array_equal(b[:N_IN], u[:N_IN])
    assert u[N_IN:N_IN + 7].sum() == pytest.approx(1.5 * b[N_IN:N_IN + 7].sum(), rel=0.02)  # the same queue, x1.5
    assert _uk(up, "awaiting_decision")[-1] < _uk(base, "awaiting_decision")[-1] - 10_000
    fixed = run_asylum(_cfg(after_data=rule, levers={"decision_capacity": [{"start": "2025-01-01",
                                                                            "per_month": 20_000}]}), _sea(), seed=1)
    f = _uk(fixed, "decisions")
    np.testing.assert_array_equal(b[:N_IN], f[:N_IN])
    assert f[N_IN:].sum() == pytest.approx(6 * 20_000, abs=2.0)  # January to June 2025 at the lever's capacity


def test_kernel_and_reference_identical_after_the_data() -> None:
    cfg = _cfg(after_data="hold_last_year")
    a = run_asylum(cfg, _sea(), seed=4)
    b = run_asylum(cfg, _sea(), seed=4, reference=True)
    pd.testing.assert_frame_equal(a.daily, b.daily)


def test_uk_asylum_within_the_data_is_unchanged_by_the_rule() -> None:
    scen = ROOT / "scenarios" / "uk_asylum.yaml"
    res = run_scenario(scen, seed=1)
    assert res.scenario.asylum.destinations["uk"].after_data == "backlog_feedback_rw"
    held = res.daily
    err = run_scenario(scen, seed=1, overrides={"asylum.destinations.uk.after_data": "error"}).daily
    pd.testing.assert_frame_equal(held, err)
    longer = run_scenario(scen, seed=1, end=dt.date(2025, 3, 31)).daily
    longer = longer[longer["date"] <= "2024-12-31"].reset_index(drop=True)
    pd.testing.assert_frame_equal(held, longer)


def test_the_residual_history_is_computed_once_and_each_caller_gets_its_own_copy() -> None:
    """after_data.residual_history is cached per (claim share, until): a caller that changes what it got does not
    change what the next caller gets, and a list of steps gives the same history as the equal constant."""
    from crossings.asylum.after_data import residual_history
    from crossings.scenario.fields import Step

    until = dt.date(2023, 12, 31)
    first = residual_history(0.9, until)
    kept = first.copy()
    first.iloc[:] = -1.0
    again = residual_history(0.9, until)
    pd.testing.assert_series_equal(again, kept)
    assert len(kept) >= 4 and (kept >= 0).all()
    steps = residual_history([Step(start=dt.date(2018, 1, 1), value=0.9)], until)
    pd.testing.assert_series_equal(steps, kept)
    assert not residual_history(0.5, until).equals(kept)  # the share is part of the key
