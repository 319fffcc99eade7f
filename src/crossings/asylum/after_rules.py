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

Two variants of the stochastic rule (issue 10, session 7; docs/asylum_forecasting.md): `stochastic_paths`
draws whole past paths of the input (4-quarter blocks of its own quarterly changes, re-based on the last
quarter) instead of Gaussian steps; `stochastic_recalibrated` keeps the local level's draws and rescales
their spread per horizon so that its 90% band would have covered 90% of its own past errors (forecasts from
past origins whose outcome quarter lies before the cut).
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


def _level_path(z: F64, horizon: int, name: str, path: int) -> tuple[float, F64]:
    """The local level's centre (the filtered last level) and one path on the scale: the last level drawn
    from its filtered distribution, a random walk with the estimated level noise, plus the estimated
    observation noise in each quarter."""
    level, p_level, s2_lev, s2_irr = _local_level(tuple(float(v) for v in z))
    e = normals(name, path, 2 * horizon + 1)
    lev = level + np.sqrt(p_level) * e[0] + np.cumsum(np.sqrt(s2_lev) * e[1:horizon + 1])
    return level, np.asarray(lev + np.sqrt(s2_irr) * e[horizon + 1:])


def stochastic(hist: F64, kind: str, horizon: int, name: str, path: int) -> F64:
    """One path of the local level fitted on the whole history `hist` (_level_path)."""
    return from_scale(_level_path(to_scale(hist, kind), horizon, name, path)[1], kind)


# ---- stochastic_paths: whole past paths of the input (a block bootstrap of its quarterly changes)

BLOCK = 4  # quarters per block: a year of consecutive changes, so a swing that lasted a year is drawn whole
MIN_CHANGES = 2 * BLOCK  # fewer observed quarterly changes than this: too few blocks, the local level instead


def block_starts(name: str, path: int, n_blocks: int, n_choices: int) -> npt.NDArray[np.int64]:
    """The first change of each of `n_blocks` blocks, uniform on 0..n_choices-1 (counter-based stream
    "asylum.after_data.<name>.blocks", driver path `path` as the seed)."""
    key = rng.tick_key_np(path, rng.stream_for(f"asylum.after_data.{name}.blocks"), 0)
    u = rng.uniform_np(key, np.arange(n_blocks))
    return np.minimum((u * n_choices).astype(np.int64), n_choices - 1)


def stochastic_paths(hist: F64, kind: str, horizon: int, name: str, path: int) -> F64:
    """One path re-based on the last observed quarter: the input's own quarterly changes on the log / logit
    scale, taken in blocks of BLOCK consecutive quarters from its history `hist` (moving-block bootstrap;
    only changes between quarters of `hist`, so nothing after the cut). A forecast of h <= BLOCK quarters
    is one past h-quarter path, so past persistent swings (the 2014-15 rise of decisions, the 2020 fall)
    appear whole at the horizons where they happened. Not de-trended: the history's mean change is kept.
    With fewer than MIN_CHANGES changes (other claims from 2018, dispersed capacity from 2022 Q4 at early
    cuts): the local level (stochastic)."""
    z = to_scale(hist, kind)
    d = np.diff(z)
    if len(d) < MIN_CHANGES:
        return stochastic(hist, kind, horizon, name, path)
    starts = block_starts(name, path, -(-horizon // BLOCK), len(d) - BLOCK + 1)
    steps = np.concatenate([d[s:s + BLOCK] for s in starts])[:horizon]
    return from_scale(z[-1] + np.cumsum(steps), kind)


# ---- stochastic_recalibrated: the local level's band rescaled by its own past errors (conformal)

FIRST_PAST = 8  # a past forecast needs 8 quarters of history before its origin (the local level needs 4)
MIN_PAST = 20  # past errors per horizon before the recalibration acts (else factor 1)
Z90 = float(norm.ppf(0.95))


@lru_cache(maxsize=256)
def widening(z: tuple[float, ...], horizon: int) -> tuple[float, ...]:
    """Per horizon h = 1..horizon, the factor that makes the local level's 90% band cover 90% of its own
    past errors: the local level is re-fitted at every past origin k (history z[:k+1], k >= FIRST_PAST - 1)
    whose outcome z[k+h] lies inside `z` (so before the cut); u = (z[k+h] - level_k) / sd_k(h), with
    sd_k(h)^2 = level variance + h * level noise + observation noise; factor = q90(|u|) / 1.645 (split
    conformal on the scale: it widens or narrows), 1 with fewer than MIN_PAST errors."""
    y = np.asarray(z)
    u: list[list[float]] = [[] for _ in range(horizon)]
    for k in range(FIRST_PAST - 1, len(y) - 1):
        level, p_level, s2_lev, s2_irr = _local_level(tuple(float(v) for v in y[:k + 1]))
        for h in range(1, min(horizon, len(y) - 1 - k) + 1):
            sd = float(np.sqrt(p_level + h * s2_lev + s2_irr))
            if sd > 0:
                u[h - 1].append((float(y[k + h]) - level) / sd)
    return tuple(float(np.quantile(np.abs(e), 0.9)) / Z90 if len(e) >= MIN_PAST else 1.0 for e in u)


def stochastic_recalibrated(hist: F64, kind: str, horizon: int, name: str, path: int) -> F64:
    """The stochastic rule's path (the same draws) with its deviation from the centre (the filtered last
    level) scaled per horizon by `widening`: estimated from the input's quarters before the cut only."""
    z = to_scale(hist, kind)
    level, x = _level_path(z, horizon, name, path)
    c = np.asarray(widening(tuple(float(v) for v in z), horizon))
    return from_scale(level + c * (x - level), kind)
