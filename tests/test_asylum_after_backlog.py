"""backlog_feedback (asylum/after_backlog.py): decisions past the cut = clearance share x workload, the share's
logit an AR(1) fitted by ML. That it sees nothing after the cut is checked with every rule in
test_asylum_after_rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from crossings.asylum import after_backlog as ab
from crossings.asylum import after_data, after_rules
from crossings.asylum.after_data import AfterData
from crossings.scenario.asylum import AfterDataSpec

KEY = "asylum.destinations.uk"


def _table(cut: dt.date) -> pd.DataFrame:
    return after_data._quarters(cut)


def test_clearance_share_is_decisions_over_queue_plus_claims() -> None:
    s = ab.clearance_shares(_table(dt.date(2024, 12, 31)))
    # 2023 Q4: 59,086 decisions / (165,411 waiting at the end of Q3 + 22,478 claims), from the data file
    assert s[pd.Timestamp("2023-12-31")] == pytest.approx(59086 / (165411 + 22478))
    assert s.index[0] == pd.Timestamp("2010-09-30")  # Asy_D03 starts 2010 Q2: the first share needs the one before
    assert ((s > 0) & (s < 1)).all()


def test_ar1_fit_recovers_a_known_process() -> None:
    """Maximum likelihood on a long simulated AR(1) (numpy's generator: a fixture, not model randomness)."""
    g = np.random.default_rng(5)
    mu, phi, sd, n = -1.0, 0.7, 0.3, 600
    y = np.empty(n)
    y[0] = mu
    for t in range(1, n):
        y[t] = mu + phi * (y[t - 1] - mu) + sd * g.standard_normal()
    f = ab.fit_clearance(tuple(y))
    assert f.mu == pytest.approx(mu, abs=0.08) and f.phi == pytest.approx(phi, abs=0.07)
    assert np.sqrt(f.sigma2) == pytest.approx(sd, rel=0.1) and f.last == y[-1] and f.n == n


def test_decisions_follow_the_queue_at_the_cut() -> None:
    """Doubling the observed backlog at the cut scales the first quarter's decisions by (2A + C) / (A + C),
    with C the rule's own claims path: the throughput responds to the queue."""
    q = _table(dt.date(2022, 12, 31))
    q2 = q.copy()
    q2.loc[q2.index[-1], ab.AWAITING] *= 2
    a = float(q[ab.AWAITING].iloc[-1])
    c = after_rules.stochastic(q[ab.CLAIMS].dropna().to_numpy(dtype=float), "flow", 4, f"{ab.NAME}.claims", 3)[0]
    d1, d2 = ab.decisions_path(q, 4, 3), ab.decisions_path(q2, 4, 3)
    assert d1 is not None and d2 is not None
    assert d2[0] / d1[0] == pytest.approx((2 * a + c) / (a + c), rel=1e-9)


def test_the_queue_never_goes_negative_and_decisions_are_per_day() -> None:
    q = _table(dt.date(2023, 12, 31))
    a0 = float(q[ab.AWAITING].iloc[-1])
    days = np.array([91, 91, 92, 92])  # 2024 Q1 (leap year) to Q4
    claims = q[ab.CLAIMS].dropna().to_numpy(dtype=float)
    for p in range(50):
        d = ab.decisions_path(q, 4, p)
        assert d is not None
        c = after_rules.stochastic(claims, "flow", 4, f"{ab.NAME}.claims", p)
        assert np.all(np.cumsum(d * days) < a0 + np.cumsum(c))


def test_deterministic_by_path_and_bands_widen_with_the_horizon() -> None:
    q = _table(dt.date(2021, 12, 31))
    a, b = ab.decisions_path(q, 4, 7), ab.decisions_path(q, 4, 7)
    assert a is not None and b is not None and np.array_equal(a, b)
    other = ab.decisions_path(q, 4, 8)
    assert other is not None and not np.allclose(a, other)
    z = np.log(np.array([ab.decisions_path(q, 4, p) for p in range(400)]))
    width = np.quantile(z, 0.95, axis=0) - np.quantile(z, 0.05, axis=0)
    assert np.all(np.diff(width) > 0) and width[3] > 1.5 * width[0]


def test_random_walk_variant_steps_the_last_logit_share_by_its_root_mean_squared_change() -> None:
    """backlog_feedback_rw's first quarter, rebuilt by hand: logistic(y_T + sd * e_1) x (A_T + C_1), sd the
    root mean squared quarterly change of the logit shares to the cut, e_1 the clearance stream's first
    normal; the same normals as the AR(1) rule (common random numbers)."""
    cut = dt.date(2022, 6, 30)
    q = _table(cut)
    s = ab.clearance_shares(q).to_numpy()
    y = np.log(s / (1 - s))
    sd = float(np.sqrt(np.mean(np.diff(y) ** 2)))
    e1 = after_rules.normals(f"{ab.NAME}.clearance", 5, 4)[0]
    c1 = after_rules.stochastic(q[ab.CLAIMS].dropna().to_numpy(dtype=float), "flow", 4, f"{ab.NAME}.claims", 5)[0]
    share = 1 / (1 + np.exp(-(y[-1] + sd * e1)))
    d = ab.decisions_path(q, 4, 5, random_walk=True)
    assert d is not None
    assert d[0] * 92 == pytest.approx(share * (float(q[ab.AWAITING].iloc[-1]) + c1), rel=1e-9)  # Q3: 92 days
    z = np.log(np.array([ab.decisions_path(q, 4, p, random_walk=True) for p in range(300)]))
    ar = np.log(np.array([ab.decisions_path(q, 4, p) for p in range(300)]))
    width = np.quantile(z, 0.95, axis=0) - np.quantile(z, 0.05, axis=0)
    assert width[3] > np.quantile(ar[:, 3], 0.95) - np.quantile(ar[:, 3], 0.05)  # no pull back: wider at a year


def _ad(rule: str, cut: dt.date, start: dt.date, end: dt.date) -> AfterData:
    spec = AfterDataSpec(rule=rule, data_until=cut, path=2)  # type: ignore[arg-type]
    return AfterData(spec, KEY, start, (end - start).days + 1)


def test_rule_sets_decisions_and_leaves_the_other_inputs_to_the_recalibrated_rule() -> None:
    cut, start, end = dt.date(2022, 12, 31), dt.date(2022, 1, 1), dt.date(2023, 12, 31)
    fb, rc = _ad(ab.RULE, cut, start, end), _ad("stochastic_recalibrated", cut, start, end)
    n_in = (cut - start).days + 1
    dec = fb.decision_capacity()
    expect = ab.decisions_path(_table(cut), 4, 2)
    assert expect is not None and np.allclose(dec[n_in:n_in + 90], expect[0])
    assert np.array_equal(dec[:n_in], rc.decision_capacity()[:n_in])
    assert not np.allclose(dec[n_in:], rc.decision_capacity()[n_in:])
    for name in ("grant_rate", "withdrawal_share", "dispersed_capacity"):
        assert np.array_equal(getattr(fb, name)(), getattr(rc, name)())
    assert fb.summary()["rule"] == ab.RULE and "decision_capacity" in fb.summary()["extended"]


def test_too_few_clearance_shares_fall_back_to_the_recalibrated_rule() -> None:
    cut = dt.date(2013, 12, 31)  # shares 2010 Q3 - 2013 Q4: 14 < MIN_QUARTERS
    assert len(ab.clearance_shares(_table(cut))) < ab.MIN_QUARTERS and ab.decisions_path(_table(cut), 4, 1) is None
    start, end = dt.date(2013, 1, 1), dt.date(2014, 12, 31)
    assert np.array_equal(_ad(ab.RULE, cut, start, end).decision_capacity(),
                          _ad("stochastic_recalibrated", cut, start, end).decision_capacity())
