"""The returns_agreement lever (scenario/levers/returns_agreement.py): arrivals returned to the departure country
within a yearly capacity, never claiming; their cost; their effect on the realised probability of removal q."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.runs.runner import prepare, run_sea_and_asylum

UK = Path(__file__).resolve().parents[1] / "scenarios" / "uk_asylum.yaml"
LV = "asylum.destinations.uk.levers"
DEAL = {"start": "2023-03-01", "end": "2023-10-31", "country": "france", "eligible_share": 0.5,
        "capacity_per_year": 3650.0, "cost_per_return": 1000.0, "fixed_cost_per_year": 365.0e4}


def _run(lever: dict[str, Any] | None, **more: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """uk_asylum over 2023 (every arrival claims) with the deal `lever` and other levers `more` (by tag)."""
    levers = {**more, **({"returns_agreement": lever} if lever is not None else {})}
    over: dict[str, Any] = {"asylum.destinations.uk.inflows.claim_share": 1.0, LV: levers}
    sc = prepare(UK, start="2023-01-01", end="2023-12-31", overrides=over)
    _, out = run_sea_and_asylum(sc, 3)
    return out.daily, out.summary["destinations"]["uk"]


def _series(daily: pd.DataFrame, place: str, measure: str) -> np.ndarray:
    return daily[(daily["place"] == place) & (daily["measure"] == measure)]["simulated"].to_numpy()


def test_returns_within_capacity_instead_of_claims() -> None:
    base, _ = _run(None)
    daily, summ = _run(DEAL)
    ret = _series(daily, "france", "returns")
    dates = daily[(daily["place"] == "france") & (daily["measure"] == "returns")]["date"].to_numpy()
    active = (dates >= "2023-03-01") & (dates <= "2023-10-31")
    assert ret[~active].sum() == 0 and ret[active].sum() > 0
    # 3,650 a year = 10 places a day, unused ones kept 30 days: never more returned than places accrued so far
    assert np.all(np.cumsum(ret[active]) <= 10 * np.arange(1, active.sum() + 1))
    assert np.all(ret[active] <= 300)
    # capacity binds (half of ~80 arrivals a day are eligible, in spells of calm weather): most places are used
    assert summ["returns_agreement"]["capacity_used_share"] > 0.8
    # with every arrival claiming (claim_share 1), the returned are exactly the missing claims, day by day
    np.testing.assert_array_equal(_series(daily, "uk", "sea_arrivals"), _series(base, "uk", "sea_arrivals"))
    np.testing.assert_array_equal(_series(base, "uk", "claims") - _series(daily, "uk", "claims"), ret)


def test_cost_per_return_and_fixed_cost_reach_the_destination_total() -> None:
    daily, summ = _run(DEAL)
    ret = _series(daily, "france", "returns")
    cost = _series(daily, "france", "cost")
    active_days = 245  # 1 March to 31 October 2023
    assert abs(cost.sum() - (ret.sum() * 1000.0 + active_days * 1.0e4)) < 1e-3
    row = daily[(daily["place"] == "uk") & (daily["measure"] == "cost")]
    assert row["is_total"].all()
    np.testing.assert_allclose(row["simulated"].to_numpy(), _series(daily, "uk", "cost_support") + cost)
    assert summ["returns_agreement"]["cost"] == cost.sum()


def test_returns_raise_the_realised_q_that_deterrence_reads() -> None:
    det = {"deterrence": {"start": "2023-01-01", "d_max": 0.5, "k": 1.0, "window_days": 60, "lag_days": 0}}
    base, b = _run(None, **det)
    daily, d = _run(DEAL, **det)
    assert b["deterrence"]["max_q"] == 0.0
    q = _series(daily, "uk", "q")
    assert d["deterrence"]["max_q"] > 0.05 and q[-1] < q.max()  # rises with the deal, falls after it ends
    assert d["deterrence"]["mean_departure_multiplier"] < 1.0
    no_q, _ = _run({**DEAL, "count_in_q": False}, **det)
    assert _series(no_q, "uk", "q").max() == 0.0


def test_off_is_the_scenario_without_the_lever() -> None:
    base, _ = _run(None)
    off, _ = _run({**DEAL, "enabled": False})
    pd.testing.assert_frame_equal(base, off)
    none, _ = _run({**DEAL, "eligible_share": 0.0})
    assert _series(none, "france", "returns").sum() == 0
