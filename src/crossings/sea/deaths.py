"""Deaths at sea as they happen: when a boat has a fatal incident and how many people it loses.

A sailing boat (launched, not stopped on the beach, not intercepted) has a fatal incident with the chance
    incident_per_boat x exp(A cos(2 pi (month - peak) / 12)) x (people per boat / reference)^gamma
(season: winter seas; crowding: bigger boats are more fragile and harder to rescue), times the rescue
lever's multiplier. The number of people lost in an incident is K ~ a zero-truncated discrete lognormal
(P(K = k) proportional to the lognormal mass on [k - 1/2, k + 1/2), k = 1 ... K_MAX), fitted by maximum
likelihood to IOM Missing Migrants incidents (crossings.calibrate.deaths), capped at the people aboard:
deaths come in lumps. The engines draw K by inverting the cumulative table built here (one uniform per
boat, a binary search: no libm call inside the kernels, so numba and numpy give identical draws).
Parameters and sources: docs/sea_model.md, "Deaths".
"""

from __future__ import annotations

import math

import numpy as np

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
                    crowding_exponent: float, crowding_reference: float) -> np.ndarray:
    """Multiplier of the base incident chance per boat by date: season x crowding."""
    season = np.exp(amplitude * np.cos(2 * np.pi * (month_frac - peak_month) / 12.0))
    crowd = (np.maximum(ppb, 1.0) / crowding_reference) ** crowding_exponent
    out: np.ndarray = season * crowd
    return out
