"""The Bayesian count baseline (Poisson-Gamma local level with seasonal factors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossings.analysis.count_model import (
    _filter,
    fit_poisson_gamma,
    poisson_gamma_forecast,
    seasonal_factors,
)

TARGETS = [f"2024-{m:02d}" for m in range(1, 13)]


def _series(values: np.ndarray, start: str = "2019-01") -> pd.Series:
    months = pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.Series(values.astype(float), index=list(months))


def _seasonal_poisson(level: float, seed: int) -> tuple[pd.Series, np.ndarray]:
    pattern = 1.0 + 0.6 * np.cos(2 * np.pi * (np.arange(12) - 6) / 12)
    pattern /= pattern.mean()
    rng = np.random.default_rng(seed)  # test data only; the model itself draws nothing
    return _series(rng.poisson(level * np.tile(pattern, 6))), pattern


def test_seasonal_factors_recover_a_known_pattern_and_have_mean_one() -> None:
    s, pattern = _seasonal_poisson(5000.0, 1)
    f = seasonal_factors(pd.Series(s.to_numpy(), index=pd.PeriodIndex(list(s.index), freq="M")))
    assert f.mean() == pytest.approx(1.0)
    np.testing.assert_allclose(f, pattern, rtol=0.03)


def test_no_discount_gives_the_mean_of_the_data() -> None:
    """w = 1 and flat seasons: the level's posterior mean is the sample mean (vague prior)."""
    y = np.array([10.0, 20.0, 30.0, 40.0])
    a, b, _ = _filter(y, np.ones(4), 1.0, 1.0)
    assert a / b == pytest.approx(25.0, rel=1e-3)


def test_stationary_series_forecast_near_the_level_with_a_slow_discount() -> None:
    s, pattern = _seasonal_poisson(2000.0, 2)
    m = fit_poisson_gamma(s[s.index <= "2023-12"], "2023-12")
    f = poisson_gamma_forecast(s, TARGETS, "2023-12")
    np.testing.assert_allclose(f.to_numpy() / m.seasonal, m.a / m.b)  # one level, times the season
    assert m.a / m.b == pytest.approx(2000.0, rel=0.05)


def test_a_level_shift_is_followed_faster_than_a_stationary_series() -> None:
    steady, _ = _seasonal_poisson(2000.0, 3)
    shifted = steady.copy()
    shifted[shifted.index >= "2022-01"] *= 4.0
    assert fit_poisson_gamma(shifted, "2023-12").discount <= fit_poisson_gamma(steady, "2023-12").discount
    f = poisson_gamma_forecast(shifted, TARGETS, "2023-12")
    assert f.mean() > 2.5 * 2000.0  # the new level, not the old one


def test_only_data_up_to_the_origin_are_read() -> None:
    s, _ = _seasonal_poisson(1000.0, 4)
    later = s.copy()
    later[later.index > "2023-12"] = 10 ** 6
    pd.testing.assert_series_equal(poisson_gamma_forecast(s, TARGETS, "2023-12"),
                                   poisson_gamma_forecast(later, TARGETS, "2023-12"))
