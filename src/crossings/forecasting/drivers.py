"""The latent driver: what moves the regional inflow past the origin, as a local-level process on the log scale.

The mechanism (mean-field sea model, fitted before the origin) explains the seasonal shape, the weather, the
coast choice and the levers; what it leaves unexplained month to month is r_t = log(obs_t + 10) -
log(sim_t + 10). That residual is modelled as a local level (Harvey 1989, ch. 2):
    r_t = l_t + e_t,  e_t ~ N(0, s_obs^2);   l_(t+1) = l_t + n_t,  n_t ~ N(0, s_level^2)
with both variances estimated by maximum likelihood (Kalman filter, diffuse start) on the months before the
origin only. Past the origin the level follows its random walk from the filtered state, so the spread grows
with the horizon as var(l_T) + h s_level^2 + s_obs^2: as fast as the data's own month-to-month drift. exp(l)
multiplies the regional inflow; exp(e) is the month's noise around the flows. Draws come from the
counter-based stream forecast.streams.DRIVER (tick = draw), so a draw's path is the same with levers on or off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import ndtri

from crossings.core.rng import tick_key_np, uniform_np
from crossings.forecasting.streams import DRIVER


@dataclass(frozen=True)
class LocalLevel:
    s_level: float  # sd of the monthly change of the log level
    s_obs: float  # sd of a month's log noise around the level
    level: float  # filtered level at the last month before the origin
    level_var: float  # its variance
    n_months: int  # months the estimate used
    loglik: float
    season: tuple[float, ...] = (0.0,) * 12  # log factor by calendar month (January first) the mechanism misses


def residual_season(r: np.ndarray, month: np.ndarray) -> np.ndarray:
    """12 log factors (mean 0): by calendar month, the mean of r less its centred 12-month moving average
    (classical decomposition), so the mechanism's seasonal misfit does not pass for moves of the level."""
    x = pd.Series(np.asarray(r, dtype=float))
    trend = x.rolling(13, center=True, min_periods=7).mean()
    dev = (x - trend).groupby(np.asarray(month)).mean().reindex(range(1, 13)).fillna(0.0).to_numpy()
    return dev - dev.mean()


def _filter(r: np.ndarray, q_level: float, q_obs: float) -> tuple[float, float, float]:
    """Kalman filter of the local level: (log likelihood, filtered level, its variance). NaN months skipped."""
    a, p = 0.0, 1e7  # diffuse start
    ll = 0.0
    first = True
    for y in r:
        if np.isfinite(y):
            f = p + q_obs
            v = y - a
            if not first:
                ll -= 0.5 * (math.log(2.0 * math.pi * f) + v * v / f)
            first = False
            k = p / f
            a, p = a + k * v, p * (1.0 - k)
        p += q_level
    return ll, a, p - q_level


def fit_local_level(r: np.ndarray, month: np.ndarray | None = None) -> LocalLevel:
    """Maximum-likelihood variances of the local level for the residual series r (months before the origin);
    with `month` (calendar month 1-12 of each r), a fixed seasonal factor is taken out first."""
    r = np.asarray(r, dtype=float)
    season = residual_season(r, month) if month is not None else np.zeros(12)
    if month is not None:
        r = r - season[np.asarray(month) - 1]
    var = float(np.nanvar(r)) or 1e-4

    def nll(theta: np.ndarray) -> float:
        return -_filter(r, math.exp(theta[0]), math.exp(theta[1]))[0]

    best = None
    for start in ((math.log(var / 4), math.log(var / 2)), (math.log(var / 20), math.log(var))):
        sol = minimize(nll, np.array(start), method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 400})
        if best is None or sol.fun < best.fun:
            best = sol
    assert best is not None
    ql, qo = math.exp(best.x[0]), math.exp(best.x[1])
    ll, level, pvar = _filter(r, ql, qo)
    return LocalLevel(math.sqrt(ql), math.sqrt(qo), level, pvar, int(np.isfinite(r).sum()), ll,
                      tuple(float(v) for v in season))


def normals(seed: int, draw: int, n: int) -> np.ndarray:
    """n standard normal draws for one forecast draw (inverse normal of counter-based uniforms)."""
    u = uniform_np(tick_key_np(seed, DRIVER, draw), np.arange(n, dtype=np.int64))
    return ndtri(np.clip(u, 1e-12, 1.0 - 1e-12))


def paths(model: LocalLevel, horizon: int, n_draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(level [draws, horizon], noise [draws, horizon]) on the log scale, months 1..horizon past the origin."""
    level = np.empty((n_draws, horizon))
    noise = np.empty((n_draws, horizon))
    for d in range(n_draws):
        z = normals(seed, d, 2 * horizon + 1)
        start = model.level + math.sqrt(max(model.level_var, 0.0)) * z[0]
        level[d] = start + model.s_level * np.cumsum(z[1:horizon + 1])
        noise[d] = model.s_obs * z[horizon + 1:]
    return level, noise
