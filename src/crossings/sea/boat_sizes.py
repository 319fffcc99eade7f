"""A heavy-tailed law of single boats' sizes (`people_per_boat.size_sigma`, docs/sea_model.md "Deaths").

Each boat carries max(1, floor(people per boat x f + 1/2)) people, f one of N_FACTORS equally likely factors:
the quantiles at (i + 1/2) / N_FACTORS of a lognormal with log-sd size_sigma, scaled to mean exactly one (so
the date's people per boat stays the mean). Boats of a few people, rubber boats of tens and fishing boats of
hundreds (Pylos, 14 June 2023: about 750 aboard, EVIDENCE_EUROPE.md R78) under one law; no share of each type
is in the observed data, so size_sigma is estimated by the deaths fit from the MMP incidents (a loss is capped
at the people aboard: calibrate/deaths.py). The engines draw f by an index into this table (one uniform per
boat, u x N_FACTORS: only + and x, so numba and numpy give identical sizes); the fit reads the same table.
"""

from __future__ import annotations

from functools import lru_cache
from statistics import NormalDist

import numpy as np

from crossings.sea.deaths import expected_loss, loss_cdf

N_FACTORS = 1024  # the table's resolution: the largest factor is the lognormal's 99.95% quantile
_NORMAL = NormalDist()


@lru_cache(maxsize=64)
def size_factors(size_sigma: float) -> np.ndarray:
    """[N_FACTORS] the mean-one size factors (ascending); size_sigma 0: all one. Read-only and cached: a fit
    builds the scenario thousands of times with the same size_sigma (1,024 quantiles cost about 1 ms)."""
    if size_sigma <= 0.0:
        out: np.ndarray = np.ones(N_FACTORS)
    else:
        z = np.array([_NORMAL.inv_cdf((i + 0.5) / N_FACTORS) for i in range(N_FACTORS)])
        f = np.exp(size_sigma * z)
        out = f / f.mean()
    out.flags.writeable = False
    return out


def sizes(ppb: float, factors: np.ndarray) -> np.ndarray:
    """[N_FACTORS] the boat sizes of the table at people per boat ppb (kernel.table_size_draw, same arithmetic)."""
    out: np.ndarray = np.maximum(1, np.floor(ppb * factors + 0.5)).astype(np.int64)
    return out


def size_pmf(ppb: float, factors: np.ndarray, k_max: int) -> np.ndarray:
    """P(S = s), s = 0 ... k_max (index s; sizes above k_max at k_max)."""
    s = np.minimum(sizes(ppb, factors), k_max)
    out: np.ndarray = np.bincount(s, minlength=k_max + 1)[: k_max + 1] / factors.size
    return out


def size_cv(ppb: float, factors: np.ndarray) -> float:
    """Coefficient of variation of the boat sizes the table gives at ppb (the mean-field's shortfall of full
    boats, sea.meanfield, reads it as boat_cv)."""
    s = sizes(ppb, factors).astype(np.float64)
    return float(s.std() / s.mean()) if s.mean() > 0 else 0.0


def capped_loss_pmf(loss: np.ndarray, size: np.ndarray) -> np.ndarray:
    """P(min(K, S) = k), k = 0 ... n - 1 (index k), K and S independent: loss[k] = P(K = k), size[k] = P(S = k)
    (same length n; mass beyond the last index at the last). P(min = k) = P(K = k) P(S >= k) + P(K > k) P(S = k)."""
    s_ge = 1.0 - np.r_[0.0, np.cumsum(size)[:-1]]
    k_gt = 1.0 - np.cumsum(loss)
    out: np.ndarray = loss * s_ge + np.maximum(k_gt, 0.0) * size
    return out


def expected_loss_sized(cdf: np.ndarray, ppb: float, factors: np.ndarray) -> float:
    """E[min(K, S)] over the table's boat sizes S at ppb, K from the cumulative loss table cdf
    (sea.deaths.expected_loss averaged over the sizes)."""
    return float(np.mean(expected_loss(cdf, sizes(ppb, factors))))



@lru_cache(maxsize=1024)
def law_cv(ppb: float, size_sigma: float) -> float:
    """size_cv of the law with spread size_sigma at ppb, cached (the model build asks it every evaluation)."""
    return size_cv(ppb, size_factors(size_sigma))


@lru_cache(maxsize=4096)
def law_loss_share(mu: float, sigma: float, ppb: float, size_sigma: float) -> float:
    """E[min(K, S)] / ppb for the loss law (mu, sigma) and the size law (size_sigma) at ppb, cached (the model
    build asks it for every route, calendar month and distinct people per boat at every evaluation)."""
    return expected_loss_sized(loss_cdf(mu, sigma), ppb, size_factors(size_sigma)) / ppb
