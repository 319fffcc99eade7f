"""Offshore ship trips (issue 4): people reach the centre only on trip days, in the number collected over the
window; capacity, suspensions and every_days; nobody lost or counted twice; schema errors; the Italy fit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from crossings.asylum import process as pr
from crossings.asylum import results as res
from crossings.asylum.offshore import ship_masks
from crossings.asylum.simulate import _run_destination, run_asylum
from crossings.core.errors import InputError
from crossings.scenario.asylum import parse_asylum

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
START = dt.date(2024, 1, 1)
N_DAYS = 60
DAILY = 10  # arrivals a day


def _lever(**over: Any) -> dict[str, Any]:
    """Everyone is a candidate and nobody is screened out or decided: trip sizes are exact."""
    lv: dict[str, Any] = {"start": "2024-01-05", "own_ship_share": 1.0, "eligible_share": 1.0,
                          "screened_out_share": 0.0, "places": 1.0e6, "target_days": 1000,
                          "ship": {"trips": ["2024-01-15", "2024-02-10"], "collection_days": 4}}
    lv.update(over)
    return lv


def _cfg(lever: dict[str, Any], **dest: Any) -> Any:
    d: dict[str, Any] = {"decision_capacity": 0.0, "grant_rate": 0.5, "levers": {"offshore": lever}}
    d.update(dest)
    return parse_asylum({"destinations": {"land": d}})


def _sea(daily: float = DAILY) -> SimpleNamespace:
    arr = np.full(N_DAYS, float(daily))
    return SimpleNamespace(start=START, n_days=N_DAYS, routes=["r1"], destination_of_route={"r1": "land"},
                           arrivals={"r1": arr})


def _daily(cfg: Any, seed: int = 1, **kw: Any) -> pd.DataFrame:
    out = run_asylum(cfg, _sea(), seed=seed, **kw)
    d = out.daily
    land = d[d.place == "land"].pivot(index="date", columns="measure", values="simulated")
    centre = d[d.place == "offshore_centre"].pivot(index="date", columns="measure", values="simulated")
    return land.join(centre.rename(columns=lambda c: f"{c}_centre" if c in land.columns else c))


def test_trips_only_on_trip_days_with_everyone_collected() -> None:
    d = _daily(_cfg(_lever()))
    moved = d[d.transfers > 0]
    assert list(moved.index) == ["2024-01-15", "2024-02-10"]
    # 4 collection days x 10 arrivals, all candidates (shares 1, nobody screened out)
    assert list(moved.transfers) == [4 * DAILY, 4 * DAILY]
    # aboard people are not claimants until the trip day, then they all claim that day
    assert (d.loc["2024-01-11":"2024-01-14", "claims"] == 0).all()
    assert d.loc["2024-01-15", "claims"] == DAILY + 4 * DAILY
    assert d.loc["2024-01-16", "claims"] == DAILY
    assert d.loc["2024-02-10", "offshore_occupancy"] == 8 * DAILY
    assert d.claims.sum() == N_DAYS * DAILY


def test_capacity_sends_the_rest_to_the_mainland() -> None:
    d = _daily(_cfg(_lever(ship={"trips": ["2024-01-15"], "collection_days": 4, "capacity": 25})))
    assert d.loc["2024-01-15", "transfers"] == 25
    assert d.loc["2024-01-15", "claims"] == 5 * DAILY
    # no decisions: the mainland queue grows by today's arrivals plus the 15 the ship could not carry
    grow = d.awaiting_decision.diff()
    assert grow.loc["2024-01-15"] == DAILY + 4 * DAILY - 25
    assert d.transfers.sum() == 25


def test_trip_day_in_a_suspension_lands_everyone_on_the_mainland() -> None:
    lv = _lever(suspensions=[{"start": "2024-01-15", "end": "2024-01-16"}])
    d = _daily(_cfg(lv))
    assert d.loc[:"2024-01-31", "transfers"].sum() == 0
    assert d.loc["2024-01-15", "claims"] == 5 * DAILY
    assert d.awaiting_decision.diff().loc["2024-01-15"] == 5 * DAILY
    assert d.loc["2024-02-10", "transfers"] == 4 * DAILY  # the next trip is not affected


def test_collection_stops_during_a_suspension() -> None:
    # suspended 11-12 Jan: only 13-14 Jan are collection days for the 15 Jan trip
    lv = _lever(suspensions=[{"start": "2024-01-11", "end": "2024-01-12"}])
    d = _daily(_cfg(lv))
    assert d.loc["2024-01-15", "transfers"] == 2 * DAILY
    assert (d.loc["2024-01-11":"2024-01-12", "claims"] == DAILY).all()


def test_every_days_mode() -> None:
    lv = _lever(ship={"every_days": 14, "collection_days": 3})
    d = _daily(_cfg(lv))
    moved = d[d.transfers > 0]
    want = [str(dt.date(2024, 1, 5) + dt.timedelta(days=14 * k)) for k in (1, 2, 3, 4)]
    assert list(moved.index) == [w for w in want if w <= "2024-02-29"]
    assert (moved.transfers == 3 * DAILY).all()


def test_overlapping_windows_land_at_the_next_trip() -> None:
    # a trip every 2 days with 3 collection days: each day's pickups land at the first trip after them
    d = _daily(_cfg(_lever(ship={"every_days": 2, "collection_days": 3})))
    moved = d.loc["2024-01-09":"2024-02-27", "transfers"]
    assert (moved.iloc[::2] == 2 * DAILY).all() and (moved.iloc[1::2] == 0).all()


def test_trips_after_the_run_collect_nothing() -> None:
    d = _daily(_cfg(_lever(ship={"trips": ["2024-03-05"], "collection_days": 10})))
    assert d.transfers.sum() == 0
    assert d.claims.sum() == N_DAYS * DAILY


def _random_lever() -> dict[str, Any]:
    return _lever(own_ship_share=0.4, eligible_share=0.6, screened_out_share=0.3, places=25.0, target_days=6,
                  return_capacity_per_month=30.0, max_hold_days=5,
                  suspensions=[{"start": "2024-01-20", "end": "2024-01-22"}, {"start": "2024-02-20"}],
                  ship={"trips": ["2024-01-21", "2024-02-01", "2024-02-15"], "every_days": 9,
                        "collection_days": 6, "capacity": 20})


def test_everyone_in_exactly_one_state_every_day() -> None:
    cfg = _cfg(_random_lever(), decision_capacity=120.0, removal_capacity_per_month=20.0, abscond_rate_per_year=2.0,
               appeal_probability=0.5, appeal_capacity_per_month=40.0, appeal_allow_rate=0.3, initial_awaiting=50)
    dest = cfg.destinations["land"]
    run = _run_destination("land", dest, _sea(), START, N_DAYS, seed=4, reference=False)
    f, s = run.flows, run.stocks
    assert f[:, pr.F_TRANSFERS].sum() > 0 and run.aboard.max() > 0
    # every arrival is a claimant or still aboard
    np.testing.assert_array_equal(np.cumsum(run.arrivals), np.cumsum(f[:, pr.F_CLAIMS]) + run.aboard)
    assert run.aboard[-1] == 0
    ended = np.cumsum(f[:, [pr.F_GRANTS, pr.F_APPEAL_GRANTS, pr.F_OFF_GRANTS, pr.F_WITHDRAWALS, pr.F_REMOVALS,
                            pr.F_RETURNS, pr.F_ABSCONDED, pr.F_THIRD_REMOVED]].sum(axis=1))
    waiting = s[:, [res.S_AWAIT, res.S_APPEAL, res.S_REMOVABLE, res.S_OFFSHORE, res.S_THIRD_WAIT]].sum(axis=1)
    np.testing.assert_array_equal(50 + np.cumsum(f[:, pr.F_CLAIMS]), waiting + ended)
    assert (s[:, res.S_OFFSHORE] <= 25).all()


def test_ship_mode_deterministic_and_kernel_equals_reference() -> None:
    cfg = _cfg(_random_lever(), decision_capacity=60.0)
    a, b = run_asylum(cfg, _sea(), seed=7), run_asylum(cfg, _sea(), seed=7)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    ref = run_asylum(cfg, _sea(), seed=7, reference=True)
    pd.testing.assert_frame_equal(a.daily, ref.daily)
    c = run_asylum(cfg, _sea(), seed=8)
    assert not a.daily["simulated"].equals(c.daily["simulated"])


@pytest.mark.parametrize(("ship", "where"), [
    ({"trips": ["2024-01-15"], "collection_days": 0}, "ship.collection_days"),
    ({"collection_days": 3}, "ship"),
    ({"trips": [], "collection_days": 3}, "ship"),
    ({"trips": ["2024-01-15"], "collection_days": 3, "captain": "x"}, "ship.captain"),
    ({"trips": ["2024-01-15"], "collection_days": 3, "capacity": 0}, "ship.capacity"),
    ({"every_days": 0, "collection_days": 3}, "ship.every_days"),
    ({"trips": ["2024-01-02"], "collection_days": 3}, ""),  # before the lever start
])
def test_schema_errors_name_the_key(ship: dict[str, Any], where: str) -> None:
    with pytest.raises(InputError) as e:
        _cfg(_lever(ship=ship))
    assert e.value.where == ".".join(p for p in ("asylum.destinations.land.levers.offshore", where) if p)


def test_italy_own_ship_share_is_the_pooled_closed_form() -> None:
    """The YAML's own_ship_share = both trips' landed people / (eligible_share x observed arrivals in both
    windows), to 4 significant digits: the pooled (maximum-likelihood) fit, nothing else."""
    raw = yaml.safe_load((SCEN / "italy_albania.yaml").read_text())
    cfg = parse_asylum(raw["asylum"])
    lv = cfg.destinations["italy"].levers.offshore
    assert lv is not None and lv.ship is not None
    start, n = dt.date(2024, 1, 1), 366
    from crossings.asylum.inputs import observed_arrivals_daily, window_mask
    from crossings.core import observed

    arr = observed_arrivals_daily("italy_sea_arrivals_daily_unhcr", start, n)
    active = window_mask(start, n, lv.start, lv.end)
    for w in lv.suspensions:
        active &= ~window_mask(start, n, w.start, w.end)
    collect, land = ship_masks(lv, start, n, active)
    trips = np.flatnonzero(land)
    assert len(trips) == 2
    day = np.arange(n)
    windows = [collect & (day < trips[0]), collect & (day > trips[0]) & (day < trips[1])]
    assert [int(w.sum()) for w in windows] == [lv.ship.collection_days] * 2  # both windows fully open
    f = observed.load("policy_and_context_facts")
    landed = f[(f["topic"] == "Italy-Albania") & f["item"].str.startswith("transfer ")]["value"].astype(float)
    assert landed.sum() == 24  # 16 + 8
    fit = landed.sum() / (lv.eligible_share * sum(arr[w].sum() for w in windows))
    assert lv.own_ship_share == pytest.approx(float(f"{fit:.4g}"))
