"""Baselines and scores in crossings.analysis.forecast."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from crossings.analysis.forecast import mae, mape, random_walk, seasonal_naive, skill


def _months(start: str, n: int) -> list[str]:
    return [str(p) for p in pd.period_range(start, periods=n, freq="M")]


def test_seasonal_naive_is_same_month_a_year_earlier() -> None:
    months = _months("2022-01", 24)
    s = pd.Series(np.arange(24, dtype=float), index=months)
    f = seasonal_naive(s, _months("2023-01", 12) + ["2024-01"])
    np.testing.assert_array_equal(f.iloc[:12].to_numpy(), np.arange(12, dtype=float))
    assert f.loc["2024-01"] == 12.0  # Jan 2023
    assert math.isnan(seasonal_naive(s, ["2022-06"]).iloc[0])  # nothing a year before


def test_random_walk_multi_step_and_one_step() -> None:
    s = pd.Series([5.0, 7.0, 9.0, 11.0], index=_months("2023-10", 4))
    targets = ["2024-01", "2024-02"]
    np.testing.assert_array_equal(random_walk(s, targets, origin="2023-12").to_numpy(), [9.0, 9.0])
    one = random_walk(s, ["2023-12", "2024-01"])
    np.testing.assert_array_equal(one.to_numpy(), [7.0, 9.0])


def test_scores_by_hand() -> None:
    obs = pd.Series([100.0, 200.0, 0.0], index=["a", "b", "c"])
    pred = pd.Series([110.0, 150.0, 5.0], index=["a", "b", "c"])
    assert mae(obs, pred) == (10 + 50 + 5) / 3
    assert mape(obs, pred) == (10 + 25) / 2  # observed zero left out
    assert skill(5.0, 10.0) == 0.5
    assert skill(20.0, 10.0) == -1.0
    assert math.isnan(skill(1.0, 0.0))


def test_scores_align_on_index_and_ignore_nan() -> None:
    obs = pd.Series([100.0, 200.0, np.nan], index=["a", "b", "c"])
    pred = pd.Series([50.0, 100.0, 1.0, 9.0], index=["b", "a", "c", "d"])
    assert mae(obs, pred) == (0.0 + 150.0) / 2  # "a" matches by label, not position; "c"/"d" dropped
    assert mape(obs, pred) == (0.0 + 75.0) / 2


@given(st.lists(st.floats(1.0, 1e6), min_size=1, max_size=30))
def test_perfect_forecast_scores_zero(values: list[float]) -> None:
    s = pd.Series(values)
    assert mae(s, s) == 0.0
    assert mape(s, s) == 0.0
    assert mape(s, s * 2) == 100.0  # every month off by its own size (exact in floating point)
    assert mape(s, s * 0.5) == 50.0
