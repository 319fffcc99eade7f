"""queue_feedback_identity (asylum/after_queue.py): decisions a share of the model's own queue after the cut.
The kernel's share option (numba equals numpy; the share of the queue decided), the hazard rebuilt by hand,
the random walk's draws, and the feedback in a run (more claims, more decisions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.asylum import after_data, after_queue
from crossings.asylum import process as pr
from crossings.asylum.after_data import AfterData
from crossings.asylum.simulate import day_keys
from crossings.scenario.asylum import AfterDataSpec

ROOT = Path(__file__).resolve().parents[1]
QUARTERLY = ROOT / "src" / "crossings" / "data" / "observed" / "uk_asylum_quarterly.csv"
CUT = dt.date(2022, 12, 31)
KEY = "asylum.destinations.uk"


def _params(share: float, cap: float = 5.0) -> np.ndarray:
    p = np.zeros(pr.N_PARAMS)
    p[pr.P_DEC_CAP], p[pr.P_DEC_SHARE], p[pr.P_GRANT], p[pr.P_WITHDRAW] = cap, share, 0.6, 0.1
    p[pr.P_APPEAL], p[pr.P_APP_CAP], p[pr.P_ALLOW], p[pr.P_SUPPORT] = 0.5, 3.0, 0.4, 0.5
    p[pr.P_OFF_TARGET] = p[pr.P_OFF_MAXHOLD] = p[pr.P_THIRD_MAXWAIT] = 10**6
    return p


def test_kernel_share_option_equals_reference_and_decides_the_share() -> None:
    rs = np.random.default_rng(5)  # test inputs only
    days = 120
    a, b = pr.Queues(days * 80 + 5000), pr.Queues(days * 80 + 5000)
    fa, fb = np.zeros((days, pr.N_FLOWS)), np.zeros((days, pr.N_FLOWS))
    due = 0.0  # the share times the queue after each day's arrivals, summed from day 30
    for t in range(days):
        p = _params(share=0.02 if t >= 30 else 0.0)
        newc = np.array([int(rs.integers(20, 80)), 0, 0], dtype=np.int64)
        due += 0.02 * (a.stock(pr.AWAIT) + int(newc[0])) if t >= 30 else 0.0
        pr.step(t, p, newc, day_keys(3, t), a, fa[t])
        pr.step(t, p, newc, day_keys(3, t), b, fb[t], reference=True)
    assert np.array_equal(fa, fb) and np.array_equal(a.state, b.state)
    assert (fa[:30, pr.F_DECISIONS] == 5).all()  # before: the capacity column, 5 a day
    dec = fa[30:, pr.F_DECISIONS].sum()  # after: the share of the queue (fractional credit carried, < 1 + 1)
    assert abs(dec - due) < 2.0 and dec > 3 * 5 * 90


def test_share_tracks_the_queue() -> None:
    """One queue, no arrivals, share s: the queue falls geometrically, Q_t = Q_0 (1 - s)^t within the credit."""
    qs = pr.Queues(20_000)
    flows = np.zeros(pr.N_FLOWS)
    pr.step(0, _params(0.0, cap=0.0), np.array([10_000, 0, 0], dtype=np.int64), day_keys(1, 0), qs, flows)
    q = 10_000.0
    for t in range(1, 60):
        pr.step(t, _params(0.03, cap=0.0), np.zeros(3, dtype=np.int64), day_keys(1, t), qs, flows)
        q *= 0.97
        assert abs(qs.stock(pr.AWAIT) - q) <= 2.0


def test_hazard_rebuilt_by_hand() -> None:
    q = pd.read_csv(QUARTERLY, parse_dates=["quarter_end"]).set_index("quarter_end")
    a, d = q["people_awaiting_initial_decision_AsyD03"], q["initial_decisions_people_AsyD02"]
    h = after_queue.hazards(after_data._quarters(CUT))
    want = d["2022-12-31"] / (92 * (a["2022-09-30"] + a["2022-12-31"]) / 2)
    assert h.loc["2022-12-31"] == pytest.approx(want)
    assert h.index[0] == pd.Timestamp("2010-09-30") and h.index[-1] == pd.Timestamp(CUT)


def test_hazard_path_random_walk_reproducible_and_widening() -> None:
    q = after_data._quarters(CUT)
    p1 = after_queue.hazard_path(q, 4, 1)
    assert p1 is not None and np.array_equal(p1, after_queue.hazard_path(q, 4, 1))
    paths = np.log([after_queue.hazard_path(q, 4, p) for p in range(1, 401)])  # type: ignore[arg-type]
    sd = paths.std(axis=0)
    assert sd[3] > 1.6 * sd[0]  # a random walk: the spread grows with the horizon
    last = np.log(after_queue.hazards(q).iloc[-1])
    assert abs(np.median(paths[:, 0]) - last) < 0.1  # driftless, from the cut's quarter
    assert after_queue.hazard_path(after_data._quarters(dt.date(2013, 12, 31)), 4, 1) is None  # < 16 quarters


def test_rule_sets_the_share_only_after_the_cut() -> None:
    start, end = dt.date(2022, 1, 1), dt.date(2023, 12, 31)
    n = (end - start).days + 1
    n_in = (CUT - start).days + 1
    ad = AfterData(AfterDataSpec(rule="queue_feedback_identity", data_until=CUT, path=2), KEY, start, n)
    s = ad.decision_share()
    assert (s[:n_in] == 0).all() and (s[n_in:] > 0).all()
    assert len(np.unique(s[n_in:])) == 4  # one hazard per quarter
    other = AfterData(AfterDataSpec(rule="recalibrated_identity", data_until=CUT, path=2), KEY, start, n)
    assert (other.decision_share() == 0).all()


def test_runs_deterministic_by_seed_and_band_widens() -> None:
    """A back-test run under queue_feedback_identity: the same seed gives the same backlog; over 6 members the
    spread of the backlog 4 quarters on exceeds the spread 1 quarter on."""
    from crossings.forecasting import asylum_backtest as ab

    origin = dt.date(2021, 6, 30)
    runs = np.array([ab.run_at_origin(origin, after_queue.RULE, k, k)["awaiting_decision"] for k in range(1, 7)])
    again = ab.run_at_origin(origin, after_queue.RULE, 1, 1)["awaiting_decision"]
    assert np.array_equal(runs[0], again)
    spread = runs.max(axis=0) - runs.min(axis=0)
    assert spread[3] > 2 * spread[0] > 0
