"""The rules that carry a quarterly asylum input past its data (after_data.py applies them to days).

Each takes the input's quarterly history up to its last observed quarter (per-day rates for flows, shares,
people for stocks) and returns one value per following quarter. The damped trend and the local level work on
the log scale (shares: the logit, so they stay in (0, 1)), estimated from quarters before the cut only:
nothing after the cut is seen. The damped trend uses the last N_FIT quarters (a trend of the recent years);
the local level uses every observed quarter before the cut (Asy_D02 from 2001), so its noise variances are
estimated from all the moves the input has made (the 2001-2005 fall of decisions, the 2015 and 2023 drives),
not only the last four years', and its spread grows with the horizon as fast as the input's history says. The stochastic rule's noise is drawn from the
counter-based stream keyed by the input's name, rng.stream_for("asylum.after_data.<input>"), with the
driver path as the seed: the same path gives the same draws, any job count.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from crossings.core import rng

F64 = npt.NDArray[np.float64]
N_FIT = 16  # quarters the damped trend and the local level are estimated from (4 years; declared, not tuned)
SHARE_EPS = 1e-4  # shares are kept inside (eps, 1 - eps) before the logit


def to_scale(x: F64, kind: str) -> F64:
    """Log (flows, stocks) or logit (shares); values at or below 0 are floored at 1e-3 of the mean."""
    x = np.asarray(x, dtype=float)
    if kind == "share":
        p = np.clip(x, SHARE_EPS, 1 - SHARE_EPS)
        return np.asarray(np.log(p / (1 - p)))
    floor = 1e-3 * max(float(np.mean(np.abs(x))), 1e-9)
    return np.asarray(np.log(np.maximum(x, floor)))


def from_scale(z: F64, kind: str) -> F64:
    z = np.asarray(z, dtype=float)
    return np.asarray(1.0 / (1.0 + np.exp(-z)) if kind == "share" else np.exp(z))


def hold_last_quarter(hist: F64, horizon: int) -> F64:
    return np.full(horizon, float(hist[-1]))


@lru_cache(maxsize=4096)
def _damped_forecast(z: tuple[float, ...], horizon: int) -> tuple[float, ...]:
    """Holt's additive damped trend (statsmodels; smoothing, trend and damping by least squares)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if len(z) < 4:  # too short to estimate a trend: the last value
        return (z[-1],) * horizon
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(np.asarray(z), trend="add", damped_trend=True,
                                   initialization_method="estimated").fit()
        return tuple(float(v) for v in np.asarray(fit.forecast(horizon)))


def damped_trend(hist: F64, kind: str, horizon: int) -> F64:
    z = to_scale(hist[-N_FIT:], kind)
    return from_scale(np.asarray(_damped_forecast(tuple(float(v) for v in z), horizon)), kind)


@lru_cache(maxsize=4096)
def _local_level(z: tuple[float, ...]) -> tuple[float, float, float, float]:
    """Local level model (statsmodels UnobservedComponents, maximum likelihood): the filtered last level,
    its variance, the level's and the observation's noise variances."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    y = np.asarray(z)
    if len(y) < 4:  # too short: a random walk with the spread of its own steps (0 with one point)
        s2 = float(np.var(np.diff(y))) if len(y) > 2 else 0.0
        return float(y[-1]), 0.0, s2, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = UnobservedComponents(y, level="llevel").fit(disp=False)
    names = list(res.model.param_names)
    p = np.asarray(res.params)
    s2_irr = float(p[names.index("sigma2.irregular")])
    s2_lev = float(p[names.index("sigma2.level")])
    return (float(res.filtered_state[0, -1]), float(res.filtered_state_cov[0, 0, -1]), max(s2_lev, 0.0),
            max(s2_irr, 0.0))


def normals(name: str, path: int, n: int) -> F64:
    """n standard normal draws of driver path `path` for input `name` (counter-based, by inversion)."""
    key = rng.tick_key_np(path, rng.stream_for(f"asylum.after_data.{name}"), 0)
    u = np.clip(rng.uniform_np(key, np.arange(n)), 1e-12, 1 - 1e-12)
    return np.asarray(norm.ppf(u))


def stochastic(hist: F64, kind: str, horizon: int, name: str, path: int) -> F64:
    """One path of the local level fitted on the whole history `hist`: the last level (drawn from its
    filtered distribution), a random walk with the estimated level noise, plus the estimated observation
    noise in each quarter."""
    z = to_scale(hist, kind)
    level, p_level, s2_lev, s2_irr = _local_level(tuple(float(v) for v in z))
    e = normals(name, path, 2 * horizon + 1)
    lev = level + np.sqrt(p_level) * e[0] + np.cumsum(np.sqrt(s2_lev) * e[1:horizon + 1])
    return from_scale(lev + np.sqrt(s2_irr) * e[horizon + 1:], kind)
