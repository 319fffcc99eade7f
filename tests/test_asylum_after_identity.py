"""The stock-flow identity's residual as a term of each draw (asylum/after_identity.py): the residual rebuilt
by hand from the published file, the start gap, the bootstrap draws, and the identity rules' other claims."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.asylum import after_data, after_identity
from crossings.asylum.after_data import AfterData
from crossings.scenario.asylum import AfterDataSpec

ROOT = Path(__file__).resolve().parents[1]
QUARTERLY = ROOT / "src" / "crossings" / "data" / "observed" / "uk_asylum_quarterly.csv"
CUT = dt.date(2022, 12, 31)
START, END = dt.date(2018, 1, 1), dt.date(2023, 12, 31)
N = (END - START).days + 1
N_IN = (CUT - START).days + 1
KEY = "asylum.destinations.uk"


def _csv() -> pd.DataFrame:
    return pd.read_csv(QUARTERLY, parse_dates=["quarter_end"]).set_index("quarter_end")


def _ad(rule: str, path: int = 1) -> AfterData:
    return AfterData(AfterDataSpec(rule=rule, data_until=CUT, path=path), KEY, START, N)  # type: ignore[arg-type]


def test_residual_rebuilt_by_hand() -> None:
    q = _csv()
    res = after_identity.residuals(after_data._quarters(CUT))
    a, c, d = (q[k] for k in (after_identity.AWAITING, after_identity.CLAIMS, after_identity.DECISIONS))
    want = a["2022-12-31"] - (a["2022-09-30"] + c["2022-12-31"] - d["2022-12-31"])
    assert res.loc["2022-12-31", "r"] == pytest.approx(want) and want != 0
    assert res.loc["2022-12-31", "prev"] == a["2022-09-30"]
    assert res.index[0] == pd.Timestamp("2010-09-30") and res.index[-1] == pd.Timestamp(CUT)  # nothing after


def test_start_gap_is_published_minus_identity_queue() -> None:
    """The sum of residuals from the run's start equals A_cut - (A_before_start + sum C - sum D)."""
    q = _csv()
    inside = q.loc["2018-03-31":"2022-12-31"]
    want = (q.loc["2022-12-31", after_identity.AWAITING] - q.loc["2017-12-31", after_identity.AWAITING]
            - inside[after_identity.CLAIMS].sum() + inside[after_identity.DECISIONS].sum())
    got = after_identity.start_gap(after_data._quarters(CUT), START)
    assert got == pytest.approx(want) and abs(got) > 1000


def test_draws_reproducible_from_past_relative_residuals() -> None:
    q = after_data._quarters(CUT)
    res = after_identity.residuals(q)
    u = set(np.round(res["r"] / res["prev"], 12))
    a_cut = float(_csv().loc["2022-12-31", after_identity.AWAITING])
    d1 = after_identity.drawn(q, 6, 1)
    assert np.array_equal(d1, after_identity.drawn(q, 6, 1))
    assert not np.allclose(d1, after_identity.drawn(q, 6, 2))
    assert all(round(v / a_cut, 12) in u for v in d1)  # each a past relative residual times the queue at the cut
    many = np.array([after_identity.drawn(q, 1, p)[0] for p in range(300)]) / a_cut
    assert len(np.unique(many)) > 20  # the draws spread over the past residuals
    assert not after_identity.drawn(after_data._quarters(dt.date(2012, 12, 31)), 3, 1).any()  # < 16: none


def test_identity_rule_adds_the_terms_to_other_claims() -> None:
    """recalibrated_identity = stochastic_recalibrated's inputs, other claims + the identity's people per
    quarter (the same driver path), floored at 0."""
    base, ident = _ad("stochastic_recalibrated"), _ad("recalibrated_identity")
    assert np.array_equal(base.decision_capacity(), ident.decision_capacity())
    assert np.array_equal(base.grant_rate(), ident.grant_rate())
    b, i = base.other_claims(0.99), ident.other_claims(0.99)
    assert np.array_equal(b[:N_IN], i[:N_IN])  # inside the data: unchanged
    per_q = after_identity.per_quarter(after_data._quarters(CUT), START, 4, 1)
    added = np.add.reduceat(i[N_IN:] - b[N_IN:], [0, 90, 181, 273])
    floored = ident.summary()["extended"]["identity_residual"]["floored_people"]
    assert np.allclose(added, per_q, atol=floored + 1e-6)
    assert per_q[0] != 0 and (i >= 0).all()


def test_backlog_identity_decisions_are_backlog_rw() -> None:
    assert np.array_equal(_ad("backlog_feedback_rw").decision_capacity(),
                          _ad("backlog_rw_identity").decision_capacity())
