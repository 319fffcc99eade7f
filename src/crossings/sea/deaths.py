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
from typing import Protocol, TypeVar

import numpy as np

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


def loss_cdf(mu: float, sigma: float, k_max: int = K_MAX) -> np.ndarray:
    """Cumulative table F[k - 1] = P(K <= k) for the engines' inversion (last entry exactly 1)."""
    c = np.cumsum(loss_pmf(mu, sigma, k_max))
    c[-1] = 1.0
    return c


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
    season = np.exp(amplitude * np.cos(2 * np.pi * (month_frac - peak_month) / 12.0)
                    + amplitude_2 * np.cos(4 * np.pi * (month_frac - peak_month_2) / 12.0))
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


def year_multipliers(seed: int, start: dt.date, n_days: int, dispersion: np.ndarray) -> np.ndarray:
    """[C, T] the incident chance's multiplier by day: Z_year ~ Gamma(shape 1/phi, scale phi) (mean 1, variance
    phi = the route's dispersion), one draw per seed and calendar year on stream INCIDENT_YEAR (tick = year),
    shared by the scenario's routes with a driver (the same uniform, inverted at each route's phi): what moves
    the death rate from year to year that the model does not carry (rescue capacity, NGO presence, boat
    quality). Drawn by inverting the gamma cdf at one counter-based uniform: the same number on every machine,
    thread count and job count. A route with phi = 0 keeps 1."""
    from scipy.special import gammaincinv

    years = np.array([(start + dt.timedelta(days=int(t))).year for t in range(n_days)]) if n_days else np.zeros(0, int)
    disp = np.asarray(dispersion, dtype=np.float64)
    out = np.ones((disp.size, n_days))
    if not (disp > 0).any():
        return out
    for y in np.unique(years):
        u = float(uniform_np(tick_key(int(seed), INCIDENT_YEAR, int(y)), np.zeros(1, dtype=np.int64))[0])
        for c in np.flatnonzero(disp > 0):
            k = 1.0 / disp[c]
            out[c, years == y] = float(gammaincinv(k, u)) / k
    return out


def with_year_driver(a: A, seed: int) -> A:
    """The arrays of one seeded run: the incident chance times the seed's year multipliers (capped at 1); the
    mean-field keeps the scenario's arrays (the driver's mean is one)."""
    disp = np.asarray(a.incident_dispersion, dtype=np.float64)
    if disp.size == 0 or not (disp > 0).any():
        return a
    z = year_multipliers(seed, a.start, a.n_days, disp)
    return replace(a, incident=np.minimum(a.incident * z, 1.0))  # type: ignore[type-var]
