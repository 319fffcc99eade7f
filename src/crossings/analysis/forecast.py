"""Statistical baselines for monthly series and the scores that compare a forecast with them.

Series are pandas Series indexed by month strings "YYYY-MM" (the tidy results' `month` column). A model is
only worth something out of sample if it beats these: the seasonal naive forecast (same month a year
earlier) and the random walk (last observed month).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def _period(months: Sequence[str] | pd.Index) -> pd.PeriodIndex:
    return pd.PeriodIndex(list(months), freq="M")


def _lookup(series: pd.Series, periods: pd.PeriodIndex) -> pd.Series:
    by_period = pd.Series(series.to_numpy(dtype=float), index=_period(series.index))
    return by_period.reindex(periods)


def seasonal_naive(series: pd.Series, targets: Sequence[str]) -> pd.Series:
    """Forecast each target month by the observed value 12 months earlier (NaN where that is missing)."""
    values = _lookup(series, _period(targets) - 12).to_numpy()
    return pd.Series(values, index=list(targets), name="seasonal_naive")


def random_walk(series: pd.Series, targets: Sequence[str], origin: str | None = None) -> pd.Series:
    """Random-walk forecast.

    With `origin` ("YYYY-MM", the last month known when forecasting) every target gets the value at the
    origin: a true multi-step out-of-sample forecast. Without it, each target gets the previous month's
    observed value (one step ahead, a weaker test because it uses data inside the forecast period).
    """
    if origin is not None:
        value = _lookup(series, _period([origin])).iloc[0]
        return pd.Series(np.full(len(targets), value, dtype=float), index=list(targets), name="random_walk")
    values = _lookup(series, _period(targets) - 1).to_numpy()
    return pd.Series(values, index=list(targets), name="random_walk")


def _aligned(observed: pd.Series, predicted: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    both = pd.concat([observed.rename("o"), predicted.rename("p")], axis=1, join="inner").dropna()
    return both["o"].to_numpy(dtype=float), both["p"].to_numpy(dtype=float)


def mae(observed: pd.Series, predicted: pd.Series) -> float:
    """Mean absolute error over the months present (and not NaN) in both series."""
    o, p = _aligned(observed, predicted)
    return float(np.mean(np.abs(p - o))) if len(o) else float("nan")


def mape(observed: pd.Series, predicted: pd.Series) -> float:
    """Mean absolute percentage error, in percent. Months with an observed zero are left out (undefined)."""
    o, p = _aligned(observed, predicted)
    keep = o != 0
    if not keep.any():
        return float("nan")
    return float(100.0 * np.mean(np.abs(p[keep] - o[keep]) / np.abs(o[keep])))


def skill(model_score: float, baseline_score: float) -> float:
    """Skill score 1 - model/baseline for an error score: 1 is perfect, 0 no better than the baseline,
    negative worse than it."""
    if baseline_score == 0 or not np.isfinite(baseline_score):
        return float("nan")
    return 1.0 - model_score / baseline_score
