"""Deaths at sea as they happen: when a boat has a fatal incident and how many people it loses.

A sailing boat (launched, not stopped on the beach, not intercepted) has a fatal incident with the chance
    incident_per_boat x exp(A cos(2 pi (month - peak) / 12) + A2 cos(4 pi (month - peak2) / 12))
    x (people per boat / reference)^gamma x Z_year
(season: winter seas; crowding: bigger boats are more fragile and harder to rescue; Z_year: a latent year
driver, gamma with mean one, drawn per seed and year, see year_multipliers), times the rescue lever's
multiplier. The number of people lost in an incident is K ~ a zero-truncated discrete lognormal
(P(K = k) proportional to the lognormal mass on [k - 1/2, k + 1/2), k = 1 ... K_MAX), fitted by maximum
likelihood to IOM Missing Migrants incidents (crossings.calibrate.deaths), capped at the people aboard:
deaths come in lumps. The engines draw K by inverting the cumulative table built here (one uniform per
boat, a binary search: no libm call inside the kernels, so numba and numpy give identical draws).
Parameters and sources: docs/sea_model.md, "Deaths".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from functools import lru_cache
from typing import Protocol, TypeVar

import numpy as np

from crossings.core.calendar import season_cos
from crossings.core.rng import tick_key, uniform_np
from crossings.sea.streams import INCIDENT_YEAR

K_MAX = 1000  # people lost in one incident, at most (the table's length; boats are capped far below)


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf, otypes=[float])
    out: np.ndarray = 0.5 * (1.0 + erf(x / math.sqrt(2.0)))
    return out


def loss_pmf(mu: float, sigma: float, k_max: int = K_MAX) -> np.ndarray:
    """P(K = k) for k = 1 ... k_max (index k - 1): discrete lognormal, zero-truncated (mass below 1/2
    dropped), the mass above k_max at k_max (more than any boat carries: capped at the people aboard anyway)."""
    edges = np.log(np.arange(0.5, k_max + 1.0, 1.0))
    cdf = _norm_cdf((edges - mu) / sigma)
    p = np.diff(cdf)
    p[-1] += 1.0 - cdf[-1]
    s = 1.0 - cdf[0]
    return p / s if s > 1e-300 else np.r_[1.0, np.zeros(k_max - 1)]


@lru_cache(maxsize=256)
def loss_cdf(mu: float, sigma: float, k_max: int = K_MAX) -> np.ndarray:
    """Cumulative table F[k - 1] = P(K <= k) for the engines' inversion (last entry exactly 1). Read-only and
    cached: a sampler builds the scenario millions of times with the same loss law (about 0.3 ms a table)."""
    c = np.cumsum(loss_pmf(mu, sigma, k_max))
    c[-1] = 1.0
    c.flags.writeable = False
    return c


def loss_mu_by_month(mu: float, amplitude: float, peak_month: float) -> np.ndarray:
    """[12] the loss table's mu in each calendar month (January first), at the month's middle: mu + B cos(2 pi
    (month + 1/2 - peak) / 12), the season of people lost per incident (winter wrecks are bigger)."""
    out: np.ndarray = mu + amplitude * season_cos(np.arange(1, 13) + 0.5, peak_month)
    return out


def draw_loss(cdf: np.ndarray, u: float, aboard: int) -> int:
    """People lost on a boat with an incident: the first k with u < F[k - 1], at most the people aboard
    (numpy twin of kernel._loss)."""
    return int(min(aboard, int(np.searchsorted(cdf, u, side="right")) + 1))


def expected_loss(cdf: np.ndarray, aboard: np.ndarray) -> np.ndarray:
    """E[min(K, aboard)] = sum_{k < aboard} P(K > k), for an array of boat sizes (the mean-field's loss)."""
    tail = np.r_[1.0, 1.0 - cdf]  # P(K > k), k = 0 ... K_MAX
    cum = np.cumsum(tail)  # cum[j] = sum_{k <= j} P(K > k)
    n = np.clip(np.asarray(aboard, dtype=np.int64), 1, cdf.size)
    out: np.ndarray = cum[n - 1]
    return out


def incident_factor(month_frac: np.ndarray, ppb: np.ndarray, amplitude: float, peak_month: float,
                    crowding_exponent: float, crowding_reference: float, amplitude_2: float = 0.0,
                    peak_month_2: float = 1.0) -> np.ndarray:
    """Multiplier of the base incident chance per boat by date: season (one or two harmonics) x crowding."""
    season = np.exp(amplitude * season_cos(month_frac, peak_month)
                    + amplitude_2 * season_cos(month_frac, peak_month_2, harmonic=2))
    crowd = (np.maximum(ppb, 1.0) / crowding_reference) ** crowding_exponent
    out: np.ndarray = season * crowd
    return out


# --- the latent year driver of the incident chance (docs/sea_model.md "Deaths") ---


class _HasIncident(Protocol):
    start: dt.date
    n_days: int
    incident: np.ndarray
    incident_dispersion: np.ndarray


A = TypeVar("A", bound=_HasIncident)


def gamma_unit_mean(key: np.uint64, shape: float) -> float:
    """One Gamma(shape, scale 1 / shape) draw (mean 1) from the counter-based uniforms of `key` (indices 0, 1,
    2, ...): Marsaglia & Tsang (2000) squeeze-rejection on Box-Muller normals; shape < 1 via
    Gamma(shape + 1) x U^(1 / shape). Pure numpy: running a scenario never needs scipy."""
    boost = shape < 1.0
    k = shape + 1.0 if boost else shape
    d = k - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    block = 0
    while True:
        u = uniform_np(key, np.arange(block * 64, block * 64 + 64, dtype=np.int64))
        block += 1
        for j in range(0, 63, 3):  # three uniforms a try: two for the normal, one to accept
            x = math.sqrt(-2.0 * math.log(1.0 - u[j])) * math.cos(2.0 * math.pi * u[j + 1])
            v = (1.0 + c * x) ** 3
            if v <= 0.0:
                continue
            if math.log(1.0 - u[j + 2]) < 0.5 * x * x + d - d * v + d * math.log(v):
                g = d * v
                if boost:  # Gamma(shape) = Gamma(shape + 1) x U^(1 / shape), U from the block's last uniform
                    g *= (1.0 - u[63]) ** (1.0 / shape)
                return g / shape


def year_multipliers(seed: int, start: dt.date, n_days: int, dispersion: np.ndarray) -> np.ndarray:
    """[C, T] the incident chance's multiplier by day: Z_year ~ Gamma(shape 1/phi, scale phi) (mean 1, variance
    phi = the route's dispersion), one draw per seed and calendar year on stream INCIDENT_YEAR (tick = year),
    shared by the scenario's routes with the same phi (the same uniforms): what moves the death rate from year
    to year that the model does not carry (rescue capacity, NGO presence, boat quality). A pure function of
    the seed and the year: the same number on every machine, thread count and job count. phi = 0 keeps 1."""
    years = (np.datetime64(start, "D") + np.arange(n_days)).astype("datetime64[Y]").astype(np.int64) + 1970
    disp = np.asarray(dispersion, dtype=np.float64)
    out = np.ones((disp.size, n_days))
    if not (disp > 0).any():
        return out
    for y in np.unique(years):
        key = tick_key(int(seed), INCIDENT_YEAR, int(y))
        for phi in np.unique(disp[disp > 0]):
            out[np.ix_(disp == phi, years == y)] = gamma_unit_mean(key, 1.0 / float(phi))
    return out


def with_year_driver(a: A, seed: int) -> A:
    """The arrays of one seeded run: the incident chance times the seed's year multipliers (capped at 1); the
    mean-field keeps the scenario's arrays (the driver's mean is one)."""
    disp = np.asarray(a.incident_dispersion, dtype=np.float64)
    if disp.size == 0 or not (disp > 0).any():
        return a
    z = year_multipliers(seed, a.start, a.n_days, disp)
    return replace(a, incident=np.minimum(a.incident * z, 1.0))  # type: ignore[type-var]
