"""Baselines and scores: exact where the answer is known."""

import numpy as np
import pandas as pd

from crossings.analysis.baselines import count_model_draws, ets_draws, random_walk_draws, seasonal_naive_draws
from crossings.analysis.scoring import crps, inside, score


def _series(values: np.ndarray, first: str = "2018-01") -> pd.Series:
    idx = pd.period_range(first, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.Series(values, index=idx)


def test_seasonal_naive_on_a_repeating_year_is_exact():
    year = np.array([10, 20, 40, 80, 160, 320, 640, 320, 160, 80, 40, 20], dtype=float)
    s = _series(np.tile(year, 4))
    d = seasonal_naive_draws(s, "2021-07", 12)
    want = np.roll(year, -6)  # July onwards
    assert np.allclose(d, want[None, :])


def test_random_walk_draws_hold_the_last_month_times_past_changes():
    s = _series(np.full(36, 500.0))
    d = random_walk_draws(s, "2021-01", 12)
    assert np.allclose(d, 500.0)
    s2 = _series(100.0 * 1.1 ** np.arange(36))
    d2 = random_walk_draws(s2, "2021-01", 3)
    assert np.median(d2[:, 2]) > np.median(d2[:, 0]) > s2.iloc[-1]


def test_count_model_draws_centre_on_the_level():
    rng = np.random.default_rng(0)
    s = _series(rng.poisson(1000, 60).astype(float))
    d = count_model_draws(s, "2023-01", 6, 4000, np.random.default_rng(1))
    assert abs(d.mean() / 1000 - 1.0) < 0.05


def test_ets_follows_a_flat_series():
    rng = np.random.default_rng(0)
    s = _series(1000 * np.exp(rng.normal(0, 0.05, 48)))
    d = ets_draws(s, "2022-01", 6, 500, seed=1)
    assert d.shape == (500, 6)
    assert 850 < np.median(d) < 1150


def test_scores():
    draws = np.linspace(0, 100, 1001)
    assert crps(50.0, np.full(10, 50.0)) == 0.0
    assert crps(50.0, draws) < crps(90.0, draws)
    assert inside(50.0, draws, 0.5) and not inside(80.0, draws, 0.5) and inside(80.0, draws, 0.9)
    sc = score(96.0, draws)
    assert sc["in_90"] == 0.0 and sc["in_50"] == 0.0 and abs(sc["ae"] - 46.0) < 1e-9
