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
The variances use the last W months before the origin, W chosen by time-series cross-validation on months
before the origin (choose_window; the Channel's growth years overstate how fast its level moves now).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import ndtr, ndtri
from scipy.stats import t as student_t

from crossings.core.rng import tick_key_np, uniform_np
from crossings.forecasting.streams import DRIVER

DAMPED = False  # phi estimated (False: the random-walk level, phi = 1; True was tried: docs/forecasting.md)
DAMP_STARTS = (math.log(0.01), math.log(0.2))  # Nelder-Mead starts of log(-log phi): phi 0.99 and 0.82
HEAVY_TAILS = False  # True: shocks from the t law fitted to the one-step errors (shock_law); tried, off: docs/forecasting.md


@dataclass(frozen=True)
class LocalLevel:
    s_level: float  # sd of the monthly change of the log level
    s_obs: float  # sd of a month's log noise around the level
    level: float  # filtered level at the last month before the origin
    level_var: float  # its variance
    n_months: int  # months the estimate used
    loglik: float
    season: tuple[float, ...] = (0.0,) * 12  # log factor by calendar month (January first) the mechanism misses
    shock_df: float = math.inf  # Student-t law of the standardised shocks (inf: normal), ML on the filter's
    shock_scale: float = 1.0  # one-step errors before the origin (shock_law)
    window: int = 0  # months of residuals the variances used (0: every month before the origin)
    phi: float = 1.0  # damping of the level per month (1: random walk), maximum likelihood


def residual_season(r: np.ndarray, month: np.ndarray) -> np.ndarray:
    """12 log factors (mean 0): by calendar month, the mean of r less its centred 12-month moving average
    (classical decomposition), so the mechanism's seasonal misfit does not pass for moves of the level."""
    x = pd.Series(np.asarray(r, dtype=float))
    trend = x.rolling(13, center=True, min_periods=7).mean()
    dev = (x - trend).groupby(np.asarray(month)).mean().reindex(range(1, 13)).fillna(0.0).to_numpy()
    return dev - dev.mean()


def _filter(r: np.ndarray, q_level: float, q_obs: float, errors: list[float] | None = None,
            phi: float = 1.0) -> tuple[float, float, float]:
    """Kalman filter of the (damped) local level: (log likelihood, filtered level at the last month, its
    variance). NaN months skipped. `errors` (if given) receives the standardised one-step errors v / sqrt(f)
    (N(0, 1) if the model holds)."""
    a, p = 0.0, 1e7  # diffuse start
    af, pf = a, p
    ll = 0.0
    first = True
    for y in r:
        if np.isfinite(y):
            f = p + q_obs
            v = y - a
            if not first:
                ll -= 0.5 * (math.log(2.0 * math.pi * f) + v * v / f)
                if errors is not None:
                    errors.append(v / math.sqrt(f))
            first = False
            k = p / f
            a, p = a + k * v, p * (1.0 - k)
        af, pf = a, p
        a, p = phi * a, phi * phi * p + q_level
    return ll, af, pf


def level_moments(level: float, level_var: float, q_level: float, phi: float, h: int) -> tuple[float, float]:
    """Mean and variance of the level h months after the last filtered one."""
    g = phi ** (2 * np.arange(h))
    return phi ** h * level, phi ** (2 * h) * level_var + q_level * float(g.sum())


MIN_DF = 2.5  # the t law's degrees of freedom stay above 2 (finite variance)


def shock_law(errors: np.ndarray) -> tuple[float, float]:
    """(df, scale) of a Student-t law centred at 0, maximum likelihood on the standardised one-step errors.
    The Gaussian filter's variances are set by every month alike; when a few months jump (the Channel's
    growth years) the errors are heavy-tailed and a normal law with their variance is too wide in the middle
    and too narrow in the tails. With normal errors the fit returns a large df and scale ~1 (nothing changes)."""
    u = np.asarray(errors, dtype=float)
    u = u[np.isfinite(u)]
    if u.size < 12:
        return math.inf, 1.0

    def nll(theta: np.ndarray) -> float:
        df = MIN_DF + math.exp(theta[0])
        return -float(np.sum(student_t.logpdf(u, df, scale=math.exp(theta[1]))))

    sol = minimize(nll, np.array([math.log(10.0), 0.0]), method="Nelder-Mead",
                   options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 400})
    return MIN_DF + math.exp(float(sol.x[0])), math.exp(float(sol.x[1]))


def _phi(theta: float) -> float:
    return math.exp(-math.exp(theta)) if DAMPED else 1.0


def _ml_variances(r: np.ndarray) -> tuple[float, float, float]:
    """Maximum-likelihood (q_level, q_obs, phi) of the damped local level on r (Kalman filter, diffuse start);
    phi = 1 is the random-walk level, phi < 1 a level that falls back towards the mechanism's."""
    var = float(np.nanvar(r)) or 1e-4

    def nll(theta: np.ndarray) -> float:
        return -_filter(r, math.exp(theta[0]), math.exp(theta[1]), phi=_phi(theta[2]))[0]

    best = None
    for start in ((math.log(var / 4), math.log(var / 2)), (math.log(var / 20), math.log(var))):
        for damp in DAMP_STARTS if DAMPED else DAMP_STARTS[:1]:
            sol = minimize(nll, np.array([*start, damp]), method="Nelder-Mead",
                           options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 600})
            if best is None or sol.fun < best.fun:
                best = sol
    assert best is not None
    phi = _phi(best.x[2])
    return math.exp(best.x[0]), math.exp(best.x[1]), phi


# Estimation windows (months before the origin) the variances may use; None = every month. Chosen at each origin
# by time-series cross-validation on the months before it (choose_window): the Channel's first years (a route
# growing from tens to thousands a month) move the log level far more than it moved since, and the data before
# the origin can say whether the recent or the whole past predicts the next year's moves better.
WINDOWS: tuple[int | None, ...] = (24, 36, 48, 60, None)
# Months before the origin the residual's seasonal factor is estimated on (None: every month). The factor is the
# mechanism's seasonal misfit; over every month since 2018 it mixes in the Channel's first years (tens of people a
# month, when the route's season was not today's), and a misplaced factor leaves a yearly wave in the deseasonalised
# residual that the random-walk level follows, widening the long-horizon band. 48 was chosen among the variants of
# scripts/driver_variants.py, i.e. after seeing back-test origins (docs/forecasting.md says so).
SEASON_MONTHS: int | None = 48
CV_SPAN, CV_STEP, CV_HORIZON = 24, 3, 12  # pseudo-origins every 3 months in the last 24 before the origin, h 1-12


def _crps_normal(y: float, mu: float, sd: float) -> float:
    """CRPS of N(mu, sd^2) at y (Gneiting and Raftery 2007, closed form)."""
    z = (y - mu) / sd
    return sd * (z * (2.0 * ndtr(z) - 1.0) + 2.0 * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
                 - 1.0 / math.sqrt(math.pi))


def choose_window(r: np.ndarray, windows: tuple[int | None, ...] = WINDOWS) -> int | None:
    """The window whose local level, refitted at each pseudo-origin in the last CV_SPAN months before the origin
    on that many months before the pseudo-origin, gave the lowest mean CRPS of the months 1..CV_HORIZON after
    it that are still before the origin (every score uses months before the origin only)."""
    n = len(r)
    best, best_score = None, math.inf
    for w in windows:
        scores = []
        for o in range(max(n - CV_SPAN, 24), n, CV_STEP):
            hist = r[:o] if w is None else r[max(0, o - w):o]
            if np.isfinite(hist).sum() < 12:
                continue
            ql, qo, phi = _ml_variances(hist)
            _, level, pvar = _filter(hist, ql, qo, phi=phi)
            for h in range(1, min(CV_HORIZON, n - o) + 1):
                if np.isfinite(r[o + h - 1]):
                    mu, var = level_moments(level, pvar, ql, phi, h)
                    scores.append(_crps_normal(float(r[o + h - 1]), mu, math.sqrt(var + qo)))
        if scores and float(np.mean(scores)) < best_score:
            best, best_score = w, float(np.mean(scores))
    return best


def fit_local_level(r: np.ndarray, month: np.ndarray | None = None,
                    windows: tuple[int | None, ...] | None = None,
                    season_months: int | None | bool = True) -> LocalLevel:
    """Maximum-likelihood variances of the local level for the residual series r (months before the origin);
    with `month` (calendar month 1-12 of each r), a fixed seasonal factor is taken out first, estimated on the last
    `season_months` months (True: SEASON_MONTHS; None: every month).
    With `windows`, the variances use the last months of the window choose_window picks (None: every month)."""
    r = np.asarray(r, dtype=float)
    span = SEASON_MONTHS if season_months is True else season_months  # True: the module's span; None: every month
    k = len(r) if span is None else min(int(span), len(r))
    season = residual_season(r[-k:], np.asarray(month)[-k:]) if month is not None else np.zeros(12)
    if month is not None:
        r = r - season[np.asarray(month) - 1]
    window = choose_window(r, windows) if windows else None
    if window is not None:
        r = r[-window:]
    ql, qo, phi = _ml_variances(r)
    errors: list[float] = []
    ll, level, pvar = _filter(r, ql, qo, errors, phi)
    df, scale = shock_law(np.array(errors)) if HEAVY_TAILS else (math.inf, 1.0)
    return LocalLevel(math.sqrt(ql), math.sqrt(qo), level, pvar, int(np.isfinite(r).sum()), ll,
                      tuple(float(v) for v in season), df, scale, window or 0, phi)


def open_uniforms(key: np.uint64, first: int, n: int) -> np.ndarray:
    """Counter-based uniforms first ... first + n - 1 of `key`, kept inside (0, 1) for an inverse cdf."""
    return np.clip(uniform_np(key, np.arange(first, first + n, dtype=np.int64)), 1e-12, 1.0 - 1e-12)


def standard_normals(key: np.uint64, first: int, n: int) -> np.ndarray:
    """n standard normal draws by inversion of the counter-based uniforms first ... of `key` (every forecast's)."""
    out: np.ndarray = ndtri(open_uniforms(key, first, n))
    return out


def normals(seed: int, draw: int, n: int, df: float = math.inf, scale: float = 1.0) -> np.ndarray:
    """n standard normal draws for one forecast draw (inverse normal of counter-based uniforms); with a finite
    `df`, scale x Student-t draws (the shock law) from the same uniforms."""
    key = tick_key_np(seed, DRIVER, draw)
    return standard_normals(key, 0, n) if not math.isfinite(df) else scale * student_t.ppf(open_uniforms(key, 0, n), df)


def paths(model: LocalLevel, horizon: int, n_draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(level [draws, horizon], noise [draws, horizon]) on the log scale, months 1..horizon past the origin."""
    level = np.empty((n_draws, horizon))
    noise = np.empty((n_draws, horizon))
    for d in range(n_draws):
        z = normals(seed, d, 2 * horizon + 1, model.shock_df, model.shock_scale)
        x = model.level + math.sqrt(max(model.level_var, 0.0)) * z[0]
        for h in range(horizon):
            x = model.phi * x + model.s_level * z[h + 1]
            level[d, h] = x
        noise[d] = model.s_obs * z[horizon + 1:]
    return level, noise
