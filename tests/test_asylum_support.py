"""Asylum support beyond the queues: the move-on period after decisions and the stock outside the queues."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.asylum import process as pr
from crossings.asylum.simulate import day_keys, run_asylum
from crossings.asylum.support import trailing_sum
from crossings.scenario.asylum import parse_asylum


@settings(max_examples=30, deadline=None)
@given(x=st.lists(st.integers(0, 50), min_size=1, max_size=60), days=st.integers(0, 70))
def test_trailing_sum_is_the_sum_of_the_last_days(x: list[int], days: int) -> None:
    a = np.array(x, dtype=float)
    want = [a[max(0, t - days + 1):t + 1].sum() if days > 0 else 0.0 for t in range(len(a))]
    np.testing.assert_array_equal(trailing_sum(a, days), want)


def test_supported_decision_flows_count_supported_people_only() -> None:
    """Everyone supported: supported grants/final refusals equal all grants/final refusals; nobody: zero."""
    for share, expect_all in ((1.0, True), (0.0, False)):
        qs = pr.Queues(5000)
        flows = np.zeros((60, pr.N_FLOWS))
        p = np.zeros(pr.N_PARAMS)
        p[[pr.P_DEC_CAP, pr.P_GRANT, pr.P_APPEAL, pr.P_APP_CAP, pr.P_ALLOW]] = [20, 0.5, 0.5, 5, 0.5]
        p[[pr.P_OFF_TARGET, pr.P_OFF_MAXHOLD, pr.P_THIRD_MAXWAIT]] = 10**6
        p[pr.P_SUPPORT] = share
        for t in range(60):
            pr.step(t, p, np.array([30, 0, 0], dtype=np.int64), day_keys(5, t), qs, flows[t])
        f = flows.sum(axis=0)
        granted = f[pr.F_GRANTS] + f[pr.F_APPEAL_GRANTS]
        final_refused = f[pr.F_REFUSALS] - f[pr.F_APPEALS_LODGED] + f[pr.F_APPEAL_DECISIONS] - f[pr.F_APPEAL_GRANTS]
        assert granted > 0 and final_refused > 0
        assert f[pr.F_SUPP_GRANTED] == (granted if expect_all else 0)
        assert f[pr.F_SUPP_REFUSED] == (final_refused if expect_all else 0)


def _run(move_on: dict[str, int], outside: float) -> dict[str, np.ndarray]:
    cfg = parse_asylum({"destinations": {"land": {
        "decision_capacity": 900.0, "grant_rate": 0.5, "appeal_probability": 0.5, "appeal_capacity_per_month": 200.0,
        "appeal_allow_rate": 0.3, "support_share": 1.0, "initial_awaiting": 2000, "dispersed_capacity": 1500.0,
        "support_move_on_days": move_on, "support_outside_queues": outside}}})
    n = 200
    sea = SimpleNamespace(start=dt.date(2024, 1, 1), n_days=n, routes=["r"], destination_of_route={"r": "land"},
                          arrivals={"r": np.full(n, 25.0)})
    d = run_asylum(cfg, sea, seed=4).daily
    return {str(m): g["simulated"].to_numpy() for m, g in d[d.place == "land"].groupby("measure")}


def test_support_is_waiting_plus_move_on_plus_outside_stock() -> None:
    x = _run({"granted": 28, "refused": 21}, 700.0)
    granted = x["grants"] + x["appeal_grants"]
    final_refused = x["refusals"] - x["appeals_lodged"] + x["appeal_decisions"] - x["appeal_grants"]
    move_on = trailing_sum(granted, 28) + trailing_sum(final_refused, 21)  # everyone supported (share 1)
    np.testing.assert_array_equal(x["in_support_move_on"], move_on)
    np.testing.assert_array_equal(x["in_support_outside_queues"], 700.0)
    np.testing.assert_array_equal(x["in_support"], x["awaiting_decision"] + x["appeals_waiting"] + move_on + 700.0)
    np.testing.assert_array_equal(x["in_hotels"], np.maximum(x["in_support"] - 1500.0, 0))


def test_no_move_on_and_no_outside_stock_leave_the_queues_unchanged() -> None:
    a, b = _run({}, 0.0), _run({"granted": 56, "refused": 21}, 300.0)
    assert (a["in_support_move_on"] == 0).all()
    np.testing.assert_array_equal(a["in_support"], a["awaiting_decision"] + a["appeals_waiting"])
    for m in ("awaiting_decision", "appeals_waiting", "grants", "removable"):  # support is a measure, not a state
        np.testing.assert_array_equal(a[m], b[m])
    assert (b["in_support"] > a["in_support"]).all()
