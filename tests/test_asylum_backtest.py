"""A reduced UK asylum back-test (forecast/asylum_backtest.py): one origin, two quarters, two stochastic
members; the full one is scripts/make_asylum_forecasting.py (docs/asylum_forecasting.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.forecasting import asylum_backtest as ab

ROOT = Path(__file__).resolve().parents[1]
QUARTERLY = ROOT / "src" / "crossings" / "data" / "observed" / "uk_asylum_quarterly.csv"
ORIGIN = dt.date(2023, 3, 31)


def test_origins_span_2019_to_the_last_with_four_quarters_after() -> None:
    o = ab.origins()
    assert o[0] == dt.date(2019, 3, 31) and o[-1] == dt.date(2023, 12, 31) and len(o) == 20


def test_arrivals_after_the_origin_are_last_years() -> None:
    start = dt.date(2022, 1, 1)
    n = (dt.date(2023, 9, 30) - start).days + 1
    arr = ab.arrivals_to(ORIGIN, start, n)
    k = (ORIGIN - start).days + 1
    assert np.array_equal(arr[k:], arr[k - 365:n - 365]) and arr[:k].sum() > 0


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return ab.backtest([ORIGIN], horizon=2, n_members=2)


def test_scores_against_the_observed_file(table: pd.DataFrame) -> None:
    q = pd.read_csv(QUARTERLY, parse_dates=["quarter_end"]).set_index("quarter_end")
    col = "people_awaiting_initial_decision_AsyD03"
    aw = table[table["measure"] == "awaiting_decision"]
    assert set(aw["method"]) == {*ab.RULES, *ab.MIXTURES, ab.BASELINE}
    base = aw[aw["method"] == ab.BASELINE].set_index("horizon")
    for h, target in ((1, "2023-06-30"), (2, "2023-09-30")):
        assert base.loc[h, "observed"] == q.loc[target, col]
        assert base.loc[h, "crps"] == pytest.approx(abs(q.loc[target, col] - q.loc["2023-03-31", col]))
    det = aw[~aw["method"].isin((*ab.STOCHASTIC, *ab.MIXTURES))]
    assert (det["members"] == 1).all() and np.allclose(det["crps"], det["ae"])  # one member: CRPS = |error|
    st = aw[aw["method"].isin(ab.STOCHASTIC)]
    assert (st["members"] == 2).all() and (st["p95"] > st["p05"]).all()
    for name, rules in ab.MIXTURES.items():
        mix = aw[aw["method"] == name].set_index("horizon")  # both rules' members pooled, equal weights
        assert (mix["members"] == 2 * len(rules)).all()
        for h in (1, 2):
            parts = st[(st["horizon"] == h) & st["method"].isin(rules)]
            assert parts["p05"].min() <= mix.loc[h, "median"] <= parts["p95"].max()
    # the model, fed with data to the origin, is within 25% of the observed backlog one quarter on
    assert (aw[(aw["horizon"] == 1) & (aw["method"] != ab.BASELINE)]["ae"] < 0.25 * base.loc[1, "observed"]).all()


def test_hotels_scored_and_cost_forecast_only(table: pd.DataFrame) -> None:
    assert len(table[table["measure"] == "in_hotels"]) == 2 * (len(ab.RULES) + len(ab.MIXTURES) + 1)  # + baseline
    cost = table[table["measure"] == "cost"]
    assert len(cost) == 2 * len(ab.RULES) and cost["observed"].isna().all() and (cost["median"] > 0).all()
    assert ab.best_rule(table) in ab.RULES


def test_a_larger_ensemble_runs_only_the_members_a_stored_one_lacks(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Member k is (seed k, path k) whatever the ensemble's size: a 3-member back-test over a stored 2-member
    one runs member 3 only and equals a 3-member back-test from scratch; mix_identity is taken from its two
    members' runs of the same paths."""
    rules = ("recalibrated_identity", "backlog_rw_identity", "mix_identity")
    fresh = ab.backtest([ORIGIN], horizon=1, n_members=3, rules=rules)
    ab.backtest([ORIGIN], horizon=1, n_members=2, store=tmp_path, rules=rules)
    ran: list[tuple[str, int]] = []
    real = ab.run_at_origin

    def counted(origin, rule, seed, path, horizon=ab.HORIZON, *args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append((rule, seed))
        return real(origin, rule, seed, path, horizon, *args, **kwargs)

    monkeypatch.setattr(ab, "run_at_origin", counted)
    grown = ab.backtest([ORIGIN], horizon=1, n_members=3, store=tmp_path, rules=rules)
    assert ran == [("recalibrated_identity", 3), ("backlog_rw_identity", 3)]
    pd.testing.assert_frame_equal(grown, fresh)
    assert set(grown["method"]) == {*rules, ab.MIXTURE_IDENTITY, ab.BASELINE}
    assert (grown.loc[grown["measure"] == "awaiting_decision", "members"].max()) == 6  # the pool of two rules
    monkeypatch.setattr(ab, "run_at_origin", real)
    alone = ab.backtest([ORIGIN], horizon=1, n_members=3, rules=("mix_identity",))  # run, not taken
    pd.testing.assert_frame_equal(alone[alone["method"] == "mix_identity"].reset_index(drop=True),
                                  grown[grown["method"] == "mix_identity"].reset_index(drop=True))
