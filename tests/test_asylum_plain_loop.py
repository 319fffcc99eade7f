"""asylum/plain_loop.py: a destination's daily loop in one numba call when no lever acts inside it gives what the
Python loop gives (the same keys, draws and queue kernel), on the UK scenario and on a small one with safe-route
arrivals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crossings.asylum import plain_loop, simulate
from crossings.asylum.simulate import load_asylum_scenario, run_asylum
from crossings.scenario.asylum import parse_asylum

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "uk_asylum.yaml"


def _python_loop(monkeypatch: pytest.MonkeyPatch, cfg: Any, sea: Any, seed: int) -> Any:
    """The same run through the Python loop (with the numba queue step, as in the plain loop)."""
    with monkeypatch.context() as m:
        m.setattr(simulate, "_plain", lambda *a: False)
        m.setattr(plain_loop, "run_days", None)  # would fail if the plain loop were taken
        return run_asylum(cfg, sea, seed)


def _uk_sea(start: dt.date, n_days: int, daily: float) -> SimpleNamespace:
    arr = np.full(n_days, daily)
    return SimpleNamespace(start=start, n_days=n_days, routes=["channel"], destination_of_route={"channel": "uk"},
                           arrivals={"channel": arr})


def test_the_plain_loop_is_the_python_loop_on_the_uk_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, _ = load_asylum_scenario(SCENARIO)
    start = cfg.start or dt.date(2018, 1, 1)
    end = dt.date(2025, 12, 31)
    cfg = cfg.model_copy(update={"end": end})
    sea = _uk_sea(start, (end - start).days + 1, 80.0)
    fast = run_asylum(cfg, sea, seed=5)
    slow = _python_loop(monkeypatch, cfg, sea, seed=5)
    pd.testing.assert_frame_equal(fast.daily, slow.daily)
    assert fast.daily["simulated"].abs().sum() > 0


def test_the_plain_loop_is_the_python_loop_with_safe_route_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = parse_asylum({"destinations": {"land": {
        "decision_capacity": 2500.0, "grant_rate": 0.6, "appeal_probability": 0.5, "appeal_capacity_per_month": 600.0,
        "appeal_allow_rate": 0.4, "removal_capacity_per_month": 100.0, "abscond_rate_per_year": 0.5,
        "support_share": 0.8, "dispersed_capacity": 3000.0, "initial_awaiting": 5000,
        "inflows": {"claim_share": 0.9, "safe_route_claim_share": 0.7},
        "costs": {"hotel_per_night": 150.0, "dispersed_per_night": 60.0}}}})
    n = 365
    sea = SimpleNamespace(start=dt.date(2024, 1, 1), n_days=n, routes=["r1"], destination_of_route={"r1": "land"},
                          arrivals={"r1": np.full(n, 90.4)}, safe_route={"r1": np.full(n, 20.5)})
    fast = run_asylum(cfg, sea, seed=8)
    slow = _python_loop(monkeypatch, cfg, sea, seed=8)
    pd.testing.assert_frame_equal(fast.daily, slow.daily)
    claims = fast.summary["destinations"]["land"]
    assert claims["safe_route_claims"] > 0 and claims["claims"] > 0


def test_the_plain_loop_stops_where_the_agents_run_out() -> None:
    """A day whose new claims would not fit: the day is returned and nothing of it is done."""
    from crossings.asylum import process as pr

    n_days = 10
    qs = pr.Queues(50)
    P = np.zeros((n_days, pr.N_PARAMS))
    flows = np.zeros((n_days, pr.N_FLOWS))
    stocks = np.zeros((n_days, 9))
    keys = np.ones((n_days, pr.N_KEYS), dtype=np.uint64)
    bad = plain_loop.run_days(P, keys, np.ones(n_days, dtype=np.uint64), np.full(n_days, 20.0), np.ones(n_days),
                              np.zeros(n_days), 1.0, np.zeros(n_days, dtype=np.int64), *qs.arrays(), flows, stocks,
                              np.zeros(n_days), np.zeros(n_days))
    assert bad == 2 and qs.n[0] == 40 and flows[2].sum() == 0.0
