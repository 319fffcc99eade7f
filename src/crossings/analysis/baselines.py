"""Probabilistic baselines for a monthly count series, each from data before the origin only.

- Seasonal naive: the same month a year earlier, with the empirical distribution of its own past errors
  (log(y_t + 10) - log(y_(t-12) + 10) for every month t before the origin) around it.
- Random walk: the last observed month, with the empirical distribution of its past h-step errors
  (log(y_t + 10) - log(y_(t-h) + 10)) for horizon h.
- Poisson-Gamma count model (analysis/count_model.py): its h-step predictive law (level Gamma discounted h
  times, then Poisson in units of phi), sampled.
- ETS (statsmodels ETSModel: additive error, damped additive trend, additive 12-month season, on
  log(y + 10)), simulated paths.
Errors are taken on the log scale (offset OFFSET, as in the fit) because the counts move by factors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from crossings.analysis.count_model import fit_poisson_gamma

OFFSET = 10.0


def _before(series: pd.Series, origin: str) -> pd.Series:
    """The series' months strictly before `origin` ("YYYY-MM"), as a monthly PeriodIndex without gaps."""
    s = pd.Series(series.to_numpy(dtype=float), index=pd.PeriodIndex(list(series.index), freq="M")).sort_index()
    end = pd.Period(origin, freq="M") - 1
    s = s[s.index <= end]
    return s.reindex(pd.period_range(s.index.min(), end, freq="M")) if len(s) else s


def _log(x: np.ndarray) -> np.ndarray:
    return np.log(np.asarray(x, dtype=float) + OFFSET)


def _from_log(z: np.ndarray) -> np.ndarray:
    return np.maximum(np.exp(z) - OFFSET, 0.0)


def seasonal_naive_draws(series: pd.Series, origin: str, horizon: int) -> np.ndarray:
    """[errors, horizon] draws: value 12 months before each target month times its past error factors."""
    s = _before(series, origin)
    z = _log(s.to_numpy())
    err = (z[12:] - z[:-12])
    err = err[np.isfinite(err)]
    out = np.empty((max(len(err), 1), horizon))
    for h in range(1, horizon + 1):
        base = z[len(z) - 12 + (h - 1) % 12]  # the same calendar month, last year (h <= 12)
        out[:, h - 1] = _from_log(base + (err if len(err) else np.zeros(1)))
    return out


def random_walk_draws(series: pd.Series, origin: str, horizon: int) -> np.ndarray:
    """[errors, horizon] draws: the last month before the origin times its past h-step error factors."""
    s = _before(series, origin)
    z = _log(s.to_numpy())
    last = z[-1]
    cols = []
    for h in range(1, horizon + 1):
        e = z[h:] - z[:-h]
        cols.append(_from_log(last + e[np.isfinite(e)]))
    n = min(len(c) for c in cols)
    # equal numbers of draws per column: the most recent n errors of each horizon
    return np.stack([c[-n:] for c in cols], axis=1)


def count_model_draws(series: pd.Series, origin: str, horizon: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """[n, horizon] draws of the Poisson-Gamma model fitted on the months before the origin."""
    last = str(pd.Period(origin, freq="M") - 1)
    m = fit_poisson_gamma(series, last)
    months = pd.period_range(pd.Period(origin, freq="M"), periods=horizon, freq="M").month.to_numpy()
    out = np.empty((n, horizon))
    a_u = m.a / m.scale  # shape in counted units
    for h in range(1, horizon + 1):
        w = m.discount ** h
        level = rng.gamma(a_u * w, 1.0 / (m.b * w), size=n)
        out[:, h - 1] = m.scale * rng.poisson(level * m.seasonal[months[h - 1] - 1])
    return out


def ets_draws(series: pd.Series, origin: str, horizon: int, n: int, seed: int) -> np.ndarray:
    """[n, horizon] simulated paths of a damped-trend seasonal ETS on log(y + OFFSET) (no season with < 2
    years of data)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    s = _before(series, origin).interpolate(limit_direction="both")
    y = pd.Series(_log(s.to_numpy()), index=pd.date_range(str(s.index[0]), periods=len(s), freq="MS"))
    seasonal = "add" if len(y) >= 24 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(y, error="add", trend="add", damped_trend=True, seasonal=seasonal,
                         seasonal_periods=12 if seasonal else None)
        res = model.fit(disp=False)
        sim = res.simulate(nsimulations=horizon, repetitions=n, anchor="end", rng=np.random.default_rng(seed))
    return _from_log(np.asarray(sim, dtype=float).T)
