"""A Bayesian count baseline for monthly series: the Poisson-Gamma local-level model with seasonal factors
(Harvey, A. C. & Fernandes, C. 1989, "Time series models for count or qualitative observations", Journal of
Business & Economic Statistics 7(4): 407-417).

y_t ~ Poisson(level_t x s_month(t)); the level has a Gamma(a, b) posterior that is discounted by w each month
(a, b <- w a, w b: old months count for less, so the level can drift) and updated by each observation
(a += y_t, b += s_month(t)). The one-step predictive law is negative binomial, and the multi-step forecast
of month m is a / b x s_m (the level is a martingale: it persists at its latest estimate). Seasonal factors:
the mean over the last SEASON_YEARS complete years before the origin of each month's count divided by its
year's monthly mean, normalised to mean 1. Crossings come in boats and surges, so monthly counts are far
more variable than Poisson: the model counts in units of phi people (y / phi is the Poisson count; the
density of y is that of y / phi over phi), a quasi-Poisson scale. The discount w and phi are the pair on
DISCOUNTS x SCALES with the highest sum of one-step log predictive densities over those years after a
BURN_IN (empirical Bayes; with phi = 1 alone the best w was the grid's lowest, 0.05: the Poisson law is too
narrow for these counts). Only data up to the origin are read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SEASON_YEARS = 5  # complete years before the origin that set the seasonal factors and the filter's data
BURN_IN = 12  # months filtered before the predictive score counts (the vague prior is still diffuse)
DISCOUNTS = tuple(round(0.05 + 0.01 * i, 2) for i in range(95))  # 0.05 ... 0.99
SCALES = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)  # phi: people per counted unit
PRIOR = 1e-3  # Gamma(PRIOR, PRIOR) level prior: vague
FLOOR = 0.05  # smallest seasonal factor (a month never observed empty in every year would get 0)


@dataclass(frozen=True)
class PoissonGamma:
    discount: float
    scale: float  # phi: y / phi is the Poisson count
    seasonal: np.ndarray  # 12 factors, January first, mean 1
    a: float  # Gamma posterior of the level at the origin: shape
    b: float  # and rate (level mean a / b, people per month at seasonal factor 1)
    log_score: float  # sum of one-step log predictive densities after the burn-in, at the chosen discount
    first_month: str  # first month the filter read


def _training(series: pd.Series, origin: str) -> pd.Series:
    s = pd.Series(series.to_numpy(dtype=float), index=pd.PeriodIndex(list(series.index), freq="M")).sort_index()
    end = pd.Period(origin, freq="M")
    first = pd.Period(f"{end.year - SEASON_YEARS + (1 if end.month == 12 else 0)}-01", freq="M")
    return s[(s.index >= first) & (s.index <= end)].reindex(pd.period_range(first, end, freq="M"))


def seasonal_factors(train: pd.Series) -> np.ndarray:
    """Mean over complete years of (month / the year's monthly mean), normalised to mean 1, floored."""
    year = pd.PeriodIndex(train.index).year
    full = [g for _, g in train.groupby(year) if g.notna().sum() == 12 and g.mean() > 0]
    if not full:
        return np.ones(12)
    ratios = np.array([(g / g.mean()).to_numpy() for g in full])
    f = np.maximum(ratios.mean(axis=0), FLOOR)
    return f / f.mean()


def _nb_logpmf(y: float, a: float, b: float, s: float) -> float:
    """log P(y) for Poisson(level x s) with level ~ Gamma(a, b): negative binomial (r = a, p = b / (b + s))."""
    return (math.lgamma(y + a) - math.lgamma(a) - math.lgamma(y + 1.0)
            + a * math.log(b / (b + s)) + y * math.log(s / (b + s)))


def _filter(y: np.ndarray, s: np.ndarray, w: float, phi: float) -> tuple[float, float, float]:
    """Filter y / phi; returns the posterior (a, b) of the level in units of phi and the log score of y."""
    a = b = PRIOR
    score = 0.0
    for t in range(len(y)):
        a, b = w * a, w * b
        if np.isnan(y[t]):
            continue  # a missing month: the level's uncertainty grows, nothing is learnt
        u = float(y[t]) / phi
        if t >= BURN_IN:
            score += _nb_logpmf(u, a, b, float(s[t])) - math.log(phi)
        a, b = a + u, b + float(s[t])
    return a, b, score


def fit_poisson_gamma(series: pd.Series, origin: str) -> PoissonGamma:
    """Fit on the SEASON_YEARS years up to `origin` ("YYYY-MM"): seasonal factors, then the discount."""
    train = _training(series, origin)
    f = seasonal_factors(train)
    y = train.to_numpy(dtype=float)
    s = f[np.asarray(pd.PeriodIndex(train.index).month) - 1]
    best: tuple[float, float, float, float, float] | None = None
    for phi in SCALES:
        for w in DISCOUNTS:
            a, b, score = _filter(y, s, w, phi)
            if best is None or score > best[4]:
                best = (w, phi, a * phi, b, score)  # a * phi: the level back in people
    assert best is not None
    w, phi, a, b, score = best
    return PoissonGamma(w, phi, f, a, b, score, str(train.index[0]))


def poisson_gamma_forecast(series: pd.Series, targets: Sequence[str], origin: str) -> pd.Series:
    """Mean forecast a / b x s_month for each target month, from data up to `origin` only."""
    m = fit_poisson_gamma(series, origin)
    months = pd.PeriodIndex(list(targets), freq="M").month.to_numpy()
    return pd.Series(m.a / m.b * m.seasonal[months - 1], index=list(targets), name="poisson_gamma")
