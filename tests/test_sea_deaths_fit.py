"""The deaths fit (calibrate/deaths.py): maximum likelihood recovers known parameters; the window is respected."""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy.optimize import minimize

from crossings.calibrate import deaths as D
from crossings.sea.deaths import loss_pmf


def _draw(mu: float, sigma: float, n: int, seed: int) -> np.ndarray:
    p = loss_pmf(mu, sigma, D.K_FIT)
    return np.random.default_rng(seed).choice(np.arange(1, p.size + 1), size=n, p=p)


def test_sizes_likelihood_recovers_parameters() -> None:
    k = _draw(1.0, 0.8, 4000, 1)
    res = minimize(D._nll_sizes, np.array([0.5, 0.0]), args=(k,), method="Nelder-Mead")
    assert abs(res.x[0] - 1.0) < 0.1 and abs(np.exp(res.x[1]) - 0.8) < 0.1


def test_monthly_sums_likelihood_recovers_parameters() -> None:
    """Only sums of n incidents are seen (central Med months): the convolution likelihood still finds (mu, sigma)."""
    rng = np.random.default_rng(2)
    n = rng.poisson(6, 300)
    k = _draw(1.2, 0.9, int(n.sum()), 3)
    sums = np.array([s.sum() for s in np.split(k, np.cumsum(n)[:-1])])
    res = minimize(D._nll_sums, np.array([0.8, 0.0]), args=(n, sums), method="Nelder-Mead",
                   options={"xatol": 1e-3, "fatol": 1e-4})
    assert abs(res.x[0] - 1.2) < 0.25 and abs(np.exp(res.x[1]) - 0.9) < 0.25


def test_fit_to_2023_sees_no_2024_incident() -> None:
    k = D.channel_incident_sizes(dt.date(2018, 1, 1), dt.date(2023, 12, 31))
    assert k.sum() == 1 + 5 + 10 + 39 + 5 + 15  # MMP at-sea dead + missing 2018-2023 (channel_deaths_annual_comparison)
    g = D.monthly_incidents(D.CMR, dt.date(2019, 1, 1), dt.date(2023, 12, 31))
    assert g.index.max() < np.datetime64("2024-01-01") and len(g) == 60
