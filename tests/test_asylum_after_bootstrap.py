"""bootstrap_identity (asylum/after_bootstrap.py): decisions past the cut a random walk of their own past
quarterly changes (centred, drawn iid); every other input as recalibrated_identity."""

from __future__ import annotations

import datetime as dt

import numpy as np

from crossings.asylum import after_bootstrap, after_data
from crossings.asylum.after_data import AfterData
from crossings.scenario.asylum import AfterDataSpec

CUT = dt.date(2022, 12, 31)
START, END = dt.date(2018, 1, 1), dt.date(2023, 12, 31)
N = (END - START).days + 1
N_IN = (CUT - START).days + 1
KEY = "asylum.destinations.uk"
QDAYS = (90, 91, 92, 92)  # the quarters of 2023


def _ad(rule: str, path: int = 1) -> AfterData:
    return AfterData(AfterDataSpec(rule=rule, data_until=CUT, path=path), KEY, START, N)  # type: ignore[arg-type]


def _hist() -> np.ndarray:
    return after_data.flow_history(after_data.DECISIONS, CUT).to_numpy()


def test_steps_are_past_centred_changes() -> None:
    hist = _hist()
    d = np.log(hist[1:] / hist[:-1])
    centred = d - d.mean()
    assert np.isclose(after_bootstrap.changes(hist).mean(), 0.0) and abs(d.mean()) > 1e-4
    dec = _ad("bootstrap_identity", 5).decision_capacity()[N_IN:]
    per_q = dec[np.cumsum((0, *QDAYS[:-1]))]
    assert np.allclose(dec, np.repeat(per_q, QDAYS))  # one rate per quarter
    steps = np.diff(np.log(np.concatenate([[hist[-1]], per_q])))
    assert all(np.isclose(centred, s).any() for s in steps)  # each step one of the past changes
    assert np.array_equal(dec, after_bootstrap.decisions_path(hist, 4, 5)[[0] * 90 + [1] * 91 + [2] * 92 + [3] * 92])


def test_reproducible_by_path_and_widening() -> None:
    hist = _hist()
    a = after_bootstrap.decisions_path(hist, 4, 3)
    assert a is not None and np.array_equal(a, after_bootstrap.decisions_path(hist, 4, 3))
    assert not np.allclose(a, after_bootstrap.decisions_path(hist, 4, 4))
    logs = np.log([after_bootstrap.decisions_path(hist, 4, p) for p in range(400)])
    sd = logs.std(axis=0)
    assert sd[3] > 1.6 * sd[0]  # a random walk: sd grows about as sqrt(h) (2 at h=4)
    assert after_bootstrap.decisions_path(hist[:10], 4, 3) is None  # too few changes: the base rule


def test_other_inputs_as_recalibrated_identity() -> None:
    """Common random numbers: only the decisions differ from recalibrated_identity, and only after the cut."""
    b, r = _ad("bootstrap_identity", 2), _ad("recalibrated_identity", 2)
    db, dr = b.decision_capacity(), r.decision_capacity()
    assert np.array_equal(db[:N_IN], dr[:N_IN]) and not np.allclose(db[N_IN:], dr[N_IN:])
    assert np.array_equal(b.grant_rate(), r.grant_rate())
    assert np.array_equal(b.withdrawal_share(), r.withdrawal_share())
    assert np.array_equal(b.other_claims(0.99), r.other_claims(0.99))  # the identity's terms included
    assert not b.decision_share().any()
    s = b.summary()
    assert s["rule"] == "bootstrap_identity" and "identity_residual" in s["extended"]
