"""Penalised maximum-likelihood (MAP) fit of the deaths process (crossings.sea.deaths) on data up to the fit's end.

The MMP route a `deaths` block is fitted to is data: `deaths.observed_route` (schema-validated).
1. People lost per incident, K ~ zero-truncated discrete lognormal (mu, sigma):
   - Channel: every IOM Missing Migrants incident flagged at sea (`at_sea_channel_crossing_flag`) in the
     window: the likelihood of each incident's dead and missing.
   - Central Mediterranean: only monthly totals exist (incidents n and dead+missing D per month), so the
     likelihood of a month is P(K_1 + ... + K_n = D), the n-fold convolution of the pmf (months with n = 0
     carry no information about K).
2. Incident chance per sailing boat by date (the level is fitted with the flows, calibrate/fit.py step 2;
   season, crowding and the year driver's variance are written here): monthly incident counts
   ~ Poisson(boats x season x (people per boat / reference)^gamma x level x Z_year), Z_year ~ Gamma(mean 1,
   variance phi) shared by a calendar year's months and integrated out (gamma-Poisson, shape_objective).
   Season: one or two harmonics, the lower AIC kept. Boats = the boats the model lets sink (Channel: HO boats
   arrived; central Med: (sea arrivals in Italy + dead and missing) / people per boat: intercepted boats do not
   sail on in the model). Channel: gamma free (people per boat moves year to year, 7 -> 53); central Med:
   people per boat is one constant, gamma held 0. phi is the latent year driver's variance
   (`deaths.year_dispersion`, sea.deaths.year_multipliers): what moves the death rate from year to year that
   the model does not carry (rescue capacity, NGO presence, boat quality).
3. Weakly informative priors on every parameter (PRIOR_* below, with their reasons), so that a window with a
   year or two of data (a forecast origin from 2021) gives finite, sensible values.
Land deaths on the route to the UK (lorries, roads, camps: incidents not flagged at sea) are not in the
Channel fit: the sea model does not produce them.

    uv run --frozen python -m crossings.calibrate.deaths scenarios/channel.yaml [--fit-end 2023-12-31] [--details]
prints the fitted values as `--set` key paths (with --details: Laplace sd's, both AICs, the winter/summer ratio
of the incident chance with its 90% interval); calibrate/fit.py writes them into the fitted file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.calibrate.fitspec import frees_for
from crossings.core import observed as obs
from crossings.core.errors import InputError, date_arg, guarded
from crossings.sea.boat_sizes import capped_loss_pmf, size_factors, size_pmf
from crossings.sea.deaths import K_MAX, loss_pmf

CHANNEL = "Mainland Europe to the UK"
CMR = "Central Mediterranean"
K_FIT = 3000  # pmf length used in the likelihood (the Med's monthly sums reach about 1,000)


def channel_incident_sizes(start: dt.date, end: dt.date) -> np.ndarray:
    d = obs.load("channel_route_incidents_iom_mmp")
    d = d[(d["at_sea_channel_crossing_flag"] == 1) & (pd.to_datetime(d["date"]).dt.date >= start)
          & (pd.to_datetime(d["date"]).dt.date <= end)]
    return d["dead_and_missing"].to_numpy(dtype=np.int64)


def monthly_incidents(route: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """month (Timestamp), incidents, dead_and_missing; for the Channel only incidents flagged at sea."""
    if route == CHANNEL:
        d = obs.load("channel_route_incidents_iom_mmp")
        d = d[d["at_sea_channel_crossing_flag"] == 1]
        m = pd.PeriodIndex(pd.to_datetime(d["date"]), freq="M").to_timestamp()
        g = d.groupby(m).agg(incidents=("dead_and_missing", "size"), dead_and_missing=("dead_and_missing", "sum"))
        idx = pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(), pd.Timestamp(end), freq="MS")
        g = g.reindex(idx, fill_value=0)
    else:
        d = obs.load("deaths_missing_monthly_cmr_channel_iom_mmp")
        d = d[d["route"] == route]
        g = d.assign(month=pd.to_datetime(d["month"])).set_index("month")[["incidents", "dead_and_missing"]]
        g = g[(g.index >= pd.Timestamp(start).to_period("M").to_timestamp()) & (g.index <= pd.Timestamp(end))]
    g.index.name = "month"
    return g.astype(float)


def incident_months(route: str, start: dt.date, end: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The months with at least one incident: (incidents, dead and missing, calendar month 0-11), the data of the
    monthly-totals likelihoods (a month's dead are the sum of its incidents' losses)."""
    g = monthly_incidents(route, start, end)
    g = g[g["incidents"] > 0]
    return (g["incidents"].to_numpy(dtype=np.int64), g["dead_and_missing"].to_numpy(dtype=np.int64),
            pd.DatetimeIndex(g.index).month.to_numpy() - 1)


def _nll_sizes(theta: np.ndarray, k: np.ndarray) -> float:
    p = loss_pmf(float(theta[0]), float(np.exp(theta[1])), K_FIT)
    return -float(np.sum(np.log(np.maximum(p[k - 1], 1e-300))))


def capped_pmf(mu: float, sigma: float, cap: int | None) -> np.ndarray:
    """P(L = k), k = 1 ... K_FIT (index k - 1), of the people the engines lose in an incident: L = min(K, cap),
    cap = the people aboard (sea.deaths.draw_loss); cap None: L = K (no cap)."""
    p = loss_pmf(mu, sigma, K_FIT)
    if cap is None or cap >= K_FIT:
        return p
    q = p[:cap].copy()
    q[-1] += p[cap:].sum()  # every K above the people aboard loses the whole boat
    return np.r_[q, np.zeros(K_FIT - cap)]


def _capped_by_sizes(mu: float, sigma: float, sizes: np.ndarray) -> np.ndarray:
    """P(min(K, S) = k), k = 0 ... K_FIT: K from the engines' loss table (at most K_MAX), S with pmf `sizes`."""
    pk = np.zeros(K_FIT + 1)
    pk[1 : K_MAX + 1] = loss_pmf(mu, sigma, K_MAX)
    out: np.ndarray = capped_loss_pmf(pk, sizes)
    return out


def sized_pmf(mu: float, sigma: float, ppb: float, size_sigma: float) -> np.ndarray:
    """P(L = k), k = 1 ... K_FIT (index k - 1), L = min(K, S): K from the engines' loss table (at most K_MAX) and
    S the size of a boat under the size law (sea.boat_sizes) at people per boat ppb, independent of K (the
    incident chance does not depend on a boat's size where gamma = 0)."""
    return _capped_by_sizes(mu, sigma, size_pmf(ppb, size_factors(size_sigma), K_FIT))[1:]


def _nll_sums(theta: np.ndarray, n: np.ndarray, dsum: np.ndarray, cap: int | None = None,
              ppb: float | None = None) -> float:
    """-log P(sum of n iid L = D) per month, by repeated convolution (n is small, D at most a few thousand);
    L = min(K, cap), the loss the engines draw on a boat of `cap` people (None: K itself); with `ppb` and a third
    parameter (log size_sigma), L = min(K, S) over the boat-size law (sized_pmf)."""
    if ppb is not None:
        p = np.r_[0.0, sized_pmf(float(theta[0]), float(np.exp(theta[1])), ppb, float(np.exp(theta[2])))]
    else:
        p = np.r_[0.0, capped_pmf(float(theta[0]), float(np.exp(theta[1])), cap)]  # p[k] = P(L = k)
    total = 0.0
    # the sum's law up to the largest D needs the terms up to it only (as _nll_sums_by_month): ~9x fewer
    # products on the central Med (D <= ~1,000 of K_FIT 3,000); the same terms, summed in another order
    used = n > 0
    top = min(int(dsum[used].max()), K_FIT) + 1 if used.any() else 1
    p = p[:top]
    cache: dict[int, np.ndarray] = {0: np.r_[1.0]}
    for ni in sorted(set(n.tolist())):
        if ni <= 0:
            continue
        prev = max(j for j in cache if j < ni)
        conv = cache[prev]
        for _ in range(ni - prev):
            conv = np.convolve(conv, p)[:top]
        cache[ni] = conv
    for ni, di in zip(n, dsum, strict=True):
        if ni <= 0:
            continue
        conv = cache[int(ni)]
        total -= np.log(max(conv[int(di)] if di < conv.size else 0.0, 1e-300))
    return total


# Weakly informative priors (penalised likelihood / MAP): they keep every fit finite and sensible on any window
# with at least a year of data (a forecast origin from 2021 sees a handful of Channel incidents, most of one
# dead, where the likelihood alone sends loss_mu to -infinity: a near power law). Each is wide next to what the
# data say when there are data, so on the full windows the estimates move little (docs/sea_model.md "Deaths").
PRIOR_LOSS_MU = (0.0, 2.0)  # loss_mu ~ N(0, 2^2): the median lost per incident within e^-4 ... e^4 (0 ... 55)
PRIOR_LOG_SIGMA = (0.0, 1.0)  # log loss_sigma ~ N(0, 1): sigma within 0.14 ... 7.4 (sizes vary within ~x1.2 ... x10^6)
PRIOR_SEASON = 1.0  # each harmonic coefficient ~ N(0, 1): a month's factor within exp(+-2) (x0.14 ... x7.4)
PRIOR_CROWDING = 1.0  # gamma ~ N(0, 1): doubling the people aboard changes the risk within x0.25 ... x4
PRIOR_TRAFFIC = 1.0  # traffic elasticity ~ N(0, 1): doubling the traffic changes the risk per boat within x0.25 ... x4
PRIOR_LOG_LEVEL = (float(np.log(0.01)), 3.0)  # incidents per boat (only the shape is exported): within 1e-5 ... 3
# the year driver's variance phi: log phi ~ N(log 0.25, 1.5^2): a year's factor with a coefficient of variation
# of 50% at the prior median, and anything from ~3% to ~95% within the prior's central 95%; an assumption, not
# data: it matters only where few years are seen
PRIOR_LOG_PHI = (float(np.log(0.25)), 1.5)
# the boat-size law's log-sd (sea.boat_sizes): log size_sigma ~ N(log 1, 0.5^2). The table's largest boat is 16
# times the mean at size_sigma 1 (534 people at the central Med's 32.5) and 23 times at 1.15 (747: Pylos, 14 June
# 2023, about 750 aboard, EVIDENCE_EUROPE.md R78); 0.37 ... 2.7 within the central 95%. The monthly sums bound it from
# below (docs/sea_model.md "Deaths": the profile likelihood) and hardly from above, where the prior decides.
PRIOR_LOG_SIZE_SIGMA = (0.0, 0.5)


def _gauss(x: float, mean: float, sd: float) -> float:
    """-log N(x; mean, sd^2) up to a constant."""
    return 0.5 * ((x - mean) / sd) ** 2


def _loss_prior(theta: np.ndarray) -> float:
    return _gauss(float(theta[0]), *PRIOR_LOSS_MU) + _gauss(float(theta[1]), *PRIOR_LOG_SIGMA)


def fit_loss(route: str, start: dt.date, end: dt.date, cap: int | None = None) -> tuple[float, float, int]:
    """(mu, sigma, observations used) by penalised maximum likelihood (MAP under the priors above). `cap`: the
    people aboard every boat (central Med: one constant boat size), so the likelihood is that of the loss the
    engines draw, min(K, cap): fitting K uncapped and capping it in the run lost a third of the mean loss
    per incident (6.96 of 10.2 at cap 32, mu 0.656, sigma 1.698), which the incident level then made up with
    half as many incidents again as observed (docs/sea_model.md "Deaths")."""
    from scipy.optimize import minimize

    if route == CHANNEL:
        k = channel_incident_sizes(start, end)
        k = k[k >= 1]
        res = minimize(lambda th: _nll_sizes(th, k) + _loss_prior(th), np.array([0.5, 0.0]), method="Nelder-Mead",
                       options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 2000})
        nobs = int(k.size)
    else:
        n, dsum, _ = incident_months(route, start, end)
        res = minimize(lambda th: _nll_sums(th, n, dsum, cap) + _loss_prior(th), np.array([1.0, 0.3]),
                       method="Nelder-Mead", options={"xatol": 1e-3, "fatol": 1e-4, "maxiter": 400})
        nobs = int(n.size)
    return float(res.x[0]), float(np.exp(res.x[1])), nobs


def fit_loss_sized(route: str, start: dt.date, end: dt.date, ppb: float) -> dict[str, float]:
    """People lost per incident K (mu, sigma) and the boat-size law's log-sd size_sigma jointly, by penalised
    maximum likelihood on the monthly totals (a month with n incidents and D dead: P(L_1 + ... + L_n = D), L =
    min(K, S), sized_pmf), the mean boat ppb (MMP people per incident). The likelihood has ridges (a wide K on
    big boats or a narrow K on boats of all sizes), so size_sigma is profiled on a grid first and the best point
    polished. Returns mu, sigma, size_sigma, its 95% interval from the profile likelihood (the upper end is the
    grid's 2.0 where the data do not bound it: size_sigma_hi_bounded 0), the profile's negative log-likelihoods
    (without the priors) and the number of months used."""
    from scipy.optimize import minimize

    n, dsum, _ = incident_months(route, start, end)

    def obj(th: np.ndarray) -> float:
        return (_nll_sums(th, n, dsum, None, ppb) + _loss_prior(th)
                + _gauss(float(th[2]), *PRIOR_LOG_SIZE_SIGMA))

    opts = {"xatol": 1e-3, "fatol": 1e-4, "maxiter": 300}
    # the schema's ranges (loss_mu, loss_sigma <= 5, size_sigma <= 3): a short window (a forecast origin in 2019)
    # sends sigma above 5 where K and the sizes' spread trade off
    bounds = [(-20.0, 8.0), (float(np.log(0.01)), float(np.log(5.0))), (float(np.log(0.05)), float(np.log(3.0)))]
    best: tuple[float, np.ndarray] | None = None
    profile: dict[str, float] = {}
    for s in (0.5, 1.0, 1.5, 2.0):
        ls = float(np.log(s))
        inner = min((minimize(lambda th, ls=ls: obj(np.r_[th, ls]), np.array(x0), method="Nelder-Mead", options=opts,
                              bounds=bounds[:2])
                     for x0 in ([-2.0, 1.3], [1.0, 0.5])), key=lambda r: float(r.fun))
        profile[f"profile_nll_{s:g}"] = _nll_sums(np.r_[inner.x, ls], n, dsum, None, ppb)
        if best is None or inner.fun < best[0]:
            best = (float(inner.fun), np.r_[inner.x, ls])
    assert best is not None
    res = minimize(obj, best[1], method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-5, "maxiter": 600},
                   bounds=bounds)
    # the interval from the profile likelihood (the sizes are whole people, so the likelihood is not smooth enough
    # for a Laplace sd): the grid's size_sigma whose profile is within 1.92 of the best (95%), interpolated in log
    grid = np.log([0.5, 1.0, 1.5, 2.0])
    prof = np.array([profile[f"profile_nll_{v:g}"] for v in (0.5, 1.0, 1.5, 2.0)])
    inside = prof - prof.min() <= 1.92
    lo_i = int(np.argmax(inside))
    lo = grid[0] if lo_i == 0 else float(np.interp(prof.min() + 1.92, prof[lo_i - 1 : lo_i + 1][::-1],
                                                    grid[lo_i - 1 : lo_i + 1][::-1]))
    hi_i = int(len(inside) - 1 - np.argmax(inside[::-1]))
    hi = grid[-1] if hi_i == len(grid) - 1 else float(np.interp(prof.min() + 1.92, prof[hi_i : hi_i + 2],
                                                                 grid[hi_i : hi_i + 2]))
    return {"mu": float(res.x[0]), "sigma": float(np.exp(res.x[1])), "size_sigma": float(np.exp(res.x[2])),
            "size_sigma_lo95": float(np.exp(lo)), "size_sigma_hi95": float(np.exp(hi)),
            "size_sigma_hi_bounded": float(hi_i < len(grid) - 1), **profile,
            "nll": _nll_sums(res.x, n, dsum, None, ppb), "months": float(n.size)}


def _nll_sums_by_month(pmfs: np.ndarray, n: np.ndarray, dsum: np.ndarray, cmonth: np.ndarray) -> float:
    """-log P(sum of n iid L = D) per month with a loss law per calendar month: pmfs[m, k] = P(L = k) in calendar
    month m (0-11), k = 0 ... (P(L = 0) = 0); each calendar month's convolutions are cut at its largest D (the
    sum's law up to D needs the terms up to D only)."""
    total = 0.0
    for m in np.unique(cmonth):
        sel = cmonth == m
        dmax = int(dsum[sel].max())
        p = pmfs[m, : dmax + 1]
        conv = np.r_[1.0]
        done = 0
        for ni, di in sorted(zip(n[sel].tolist(), dsum[sel].tolist(), strict=True)):
            for _ in range(ni - done):
                conv = np.convolve(conv, p)[: dmax + 1]
            done = ni
            total -= np.log(max(conv[int(di)] if di < conv.size else 0.0, 1e-300))
    return total


def fit_loss_season(route: str, start: dt.date, end: dt.date, ppb: float, base: dict[str, float]) -> dict[str, float]:
    """A season in people lost per incident (winter wrecks are bigger: MMP 2019-2024, 10.9 vs 8.2 dead per
    incident), on top of fit_loss_sized's fit (`base`): the loss table's mu in calendar month m = mu + a cos(2 pi
    m' / 12) + b sin(2 pi m' / 12), m' = the month's middle (m + 1/2), jointly with mu, sigma and size_sigma, by
    penalised maximum likelihood on the monthly totals (each month's own law, _nll_sums_by_month). Returns the
    amplitude and peak month (sea.deaths.loss_mu_by_month), the refitted mu, sigma, size_sigma, and the AICs
    without and with the season (deaths_values keeps it only where it lowers the AIC)."""
    from scipy.optimize import minimize

    n, dsum, cmonth = incident_months(route, start, end)
    mid = np.arange(1, 13) + 0.5

    def pmfs(th: np.ndarray) -> np.ndarray:
        sizes_p = size_pmf(ppb, size_factors(float(np.exp(th[2]))), K_FIT)
        out = np.zeros((12, K_FIT + 1))
        w = 2 * np.pi * mid / 12
        for m in range(12):
            out[m] = _capped_by_sizes(float(th[0] + th[3] * np.cos(w[m]) + th[4] * np.sin(w[m])),
                                      float(np.exp(th[1])), sizes_p)
        return out

    def nll(th: np.ndarray) -> float:
        return _nll_sums_by_month(pmfs(th), n, dsum, cmonth)

    def obj(th: np.ndarray) -> float:
        return (nll(th) + _loss_prior(th) + _gauss(float(th[2]), *PRIOR_LOG_SIZE_SIGMA)
                + _gauss(float(th[3]), 0.0, PRIOR_SEASON) + _gauss(float(th[4]), 0.0, PRIOR_SEASON))

    x0 = np.array([base["mu"], np.log(base["sigma"]), np.log(base["size_sigma"]), 0.0, 0.0])
    bounds = [(-20.0, 8.0), (float(np.log(0.01)), float(np.log(5.0))), (float(np.log(0.05)), float(np.log(3.0))),
              (-3.0, 3.0), (-3.0, 3.0)]
    nll0 = nll(x0)
    res = minimize(obj, x0, method="Nelder-Mead", bounds=bounds,
                   options={"xatol": 1e-3, "fatol": 1e-4, "maxiter": 1500, "initial_simplex": np.vstack(
                       [x0, *(x0 + 0.3 * np.eye(5)[i] for i in range(5))])})
    amp, peak = _harmonic(float(res.x[3]), float(res.x[4]), 1)
    return {"loss_season_amplitude": amp, "loss_season_peak_month": peak, "mu": float(res.x[0]),
            "sigma": float(np.exp(res.x[1])), "size_sigma": float(np.exp(res.x[2])),
            "aic_without": 2 * nll0 + 2 * 3, "aic_with": 2 * nll(res.x) + 2 * 5}


def _exposure(route: str, start: dt.date, end: dt.date, ppb_const: float | None) -> pd.DataFrame:
    """Observed sailing boats and people per boat by month. The model's incident chance is per sailing boat
    (launched and not intercepted: an intercepted boat cannot sink in the model), so the exposure is the boats
    that sailed on: Channel, the HO boats arrived; central Med, (sea arrivals in Italy + dead and missing) /
    people per boat (Libyan and Tunisian interceptions left out, as the model leaves them out)."""
    if route == CHANNEL:
        d = obs.load("uk_small_boats_daily")
        d = d.assign(month=pd.to_datetime(d["date"]).dt.to_period("M").dt.to_timestamp())
        g = d.groupby("month")[["people_arrived", "boats_arrived"]].sum()
        out = pd.DataFrame({"boats": g["boats_arrived"], "ppb": g["people_arrived"] / g["boats_arrived"]})
    else:
        a = obs.load("italy_sea_arrivals_monthly").set_index("month")["iom_viminale_monthly"]
        a.index = pd.to_datetime(a.index)
        dead = monthly_incidents(route, start, end)["dead_and_missing"]
        sailed = a.add(dead.reindex(a.index).fillna(0.0), fill_value=0.0)
        assert ppb_const is not None
        out = pd.DataFrame({"boats": sailed / ppb_const, "ppb": ppb_const})
    out = out[(out.index >= pd.Timestamp(start).to_period("M").to_timestamp()) & (out.index <= pd.Timestamp(end))]
    return out.fillna(0.0)


def _shape_design(route: str, start: dt.date, end: dt.date, ppb_const: float | None,
                  reference: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(incidents y, log boats, mid-month m, log(people per boat / reference), calendar year) per month."""
    y, logb, m, lppb, year, _ = _design(route, start, end, ppb_const, reference)
    return y, logb, m, lppb, year


def _design(route: str, start: dt.date, end: dt.date, ppb_const: float | None,
            reference: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """_shape_design plus the people who sailed per 30 days in each month (the traffic the engines' factor reads,
    sea.kernel._traffic_factors: the same month here, the 30 days before in a run)."""
    g = monthly_incidents(route, start, end).join(_exposure(route, start, end, ppb_const), how="inner")
    g = g[g["boats"] > 0]
    idx = pd.DatetimeIndex(g.index)
    sailed30 = g["boats"].to_numpy() * np.maximum(g["ppb"].to_numpy(), 1.0) * 30.0 / idx.days_in_month.to_numpy()
    return (g["incidents"].to_numpy(), np.log(g["boats"].to_numpy()), idx.month.to_numpy() + 0.5,
            np.log(np.maximum(g["ppb"].to_numpy(), 1.0) / reference), idx.year.to_numpy(), sailed30)


def shape_objective(th: np.ndarray, y: np.ndarray, logb: np.ndarray, m: np.ndarray, lppb: np.ndarray,
                    year: np.ndarray, harmonics: int, free_gamma: bool,
                    ltraffic: np.ndarray | None = None) -> tuple[float, float]:
    """(-log posterior, -log likelihood) of the monthly incident counts: y_m ~ Poisson(boats_m x level x
    season(m) x crowding_m x Z_year), Z_year ~ Gamma(shape 1/phi, rate 1/phi) integrated out in closed form
    (a gamma-Poisson year effect: the months of a year share one draw) x traffic^elasticity when `ltraffic`
    (log people sailed per 30 days / the reference) is given. th = [a1, b1, (a2, b2), (gamma), (elasticity),
    log level, log phi]."""
    from scipy.special import gammaln

    h = 2 * harmonics
    eta = logb.copy()
    for j in range(harmonics):
        w = 2 * np.pi * (j + 1) * m / 12
        eta = eta + th[2 * j] * np.cos(w) + th[2 * j + 1] * np.sin(w)
    gam = th[h] if free_gamma else 0.0
    el = float(th[h + int(free_gamma)]) if ltraffic is not None else 0.0
    log_level, log_phi = th[-2], th[-1]
    mu = np.exp(eta + gam * lppb + (el * ltraffic if ltraffic is not None else 0.0) + log_level)
    k = float(np.exp(-log_phi))
    ll = float(np.sum(y * np.log(np.maximum(mu, 1e-300))) - np.sum(gammaln(y + 1)))
    for yr in np.unique(year):
        s = year == yr
        ys, ms = float(y[s].sum()), float(mu[s].sum())
        ll += k * np.log(k) - gammaln(k) + gammaln(ys + k) - (ys + k) * np.log(ms + k)
    pen = sum(_gauss(float(c), 0.0, PRIOR_SEASON) for c in th[:h])
    pen += _gauss(float(gam), 0.0, PRIOR_CROWDING) if free_gamma else 0.0
    pen += _gauss(el, 0.0, PRIOR_TRAFFIC) if ltraffic is not None else 0.0
    pen += _gauss(float(log_level), *PRIOR_LOG_LEVEL) + _gauss(float(log_phi), *PRIOR_LOG_PHI)
    return -ll + pen, -ll


def hessian(f: Any, x: np.ndarray, eps: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of a scalar function (the Laplace approximation's precision)."""
    n = x.size
    hm = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i, e_j = np.eye(n)[i] * eps, np.eye(n)[j] * eps
            hm[i, j] = hm[j, i] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (4 * eps**2)
    return hm


def _harmonic(a: float, b: float, order: int) -> tuple[float, float]:
    """a cos(w) + b sin(w) with w = 2 pi order m / 12 as A cos(2 pi order (m - peak) / 12): (A, peak in [1, 13))."""
    period = 12.0 / order
    peak = float((np.arctan2(b, a) * period / (2 * np.pi)) % period)
    while peak < 1.0:
        peak += period
    return float(np.hypot(a, b)), peak


def traffic_reference(route: str, start: dt.date, end: dt.date, ppb_const: float | None) -> float:
    """The people who sailed per 30 days, mean over the window's months: where the traffic factor is 1."""
    return float(np.mean(_design(route, start, end, ppb_const, 1.0)[5]))


def _fit_shape_map(route: str, start: dt.date, end: dt.date, ppb_const: float | None,
                   reference: float) -> tuple[int, np.ndarray, tuple[Any, ...], dict[Any, tuple[float, np.ndarray]]]:
    """MAP of shape_objective with one and with two harmonics, each without and with the traffic elasticity:
    (harmonics kept by AIC, its parameters, its objective's arguments, {harmonics or (harmonics, "traffic"):
    (AIC, parameters)}); the objective's arguments end with the traffic regressor (None: not kept)."""
    from scipy.optimize import minimize

    y, logb, m, lppb, year, sailed30 = _design(route, start, end, ppb_const, reference)
    ltr = np.log(sailed30 / np.mean(sailed30))
    free_gamma = route == CHANNEL  # the central Med's people per boat is one constant: gamma has no effect
    fits: dict[Any, tuple[float, np.ndarray]] = {}
    for harmonics in (1, 2):
        for on in (False, True):
            x0 = np.r_[np.zeros(2 * harmonics + int(free_gamma) + int(on)),
                       np.log(max(y.sum(), 0.5) / np.exp(logb).sum()), PRIOR_LOG_PHI[0]]
            args = (y, logb, m, lppb, year, harmonics, free_gamma, ltr if on else None)
            res = minimize(lambda th, *a: shape_objective(th, *a)[0], x0, args=args, method="L-BFGS-B")
            res = minimize(lambda th, *a: shape_objective(th, *a)[0], res.x, args=args, method="Nelder-Mead",
                           options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 20000, "maxfev": 20000})
            nll = shape_objective(res.x, *args)[1]
            fits[(harmonics, "traffic") if on else harmonics] = (2 * nll + 2 * res.x.size, res.x)
    best = min(fits, key=lambda h: fits[h][0])
    harmonics, on = (best[0], True) if isinstance(best, tuple) else (best, False)
    return harmonics, fits[best][1], (y, logb, m, lppb, year, harmonics, free_gamma, ltr if on else None), fits


def year_driver_posterior(route: str, start: dt.date, end: dt.date, ppb_const: float | None = None,
                          reference: float = 1.0) -> pd.DataFrame:
    """Per calendar year of the window: observed incidents, the fit's expected incidents without the driver
    (boats x level x season x crowding), the mean crowding factor, and the latent driver's posterior given the
    year's incidents (Gamma(1/phi + Y, 1/phi + M): mean and 5th-95th percentiles), and the mean traffic factor
    (1 where the fit keeps none): what the fit attributes to the boats, their size, the traffic and the latent
    driver."""
    from scipy.stats import gamma as gamma_dist

    harmonics, x, args, _ = _fit_shape_map(route, start, end, ppb_const, reference)
    y, logb, m, lppb, year, _, free_gamma, ltr = args
    eta = logb.copy()
    for j in range(harmonics):
        w = 2 * np.pi * (j + 1) * m / 12
        eta = eta + x[2 * j] * np.cos(w) + x[2 * j + 1] * np.sin(w)
    gam = float(x[2 * harmonics]) if free_gamma else 0.0
    el = float(x[2 * harmonics + int(free_gamma)]) if ltr is not None else 0.0
    mu = np.exp(eta + gam * lppb + (el * ltr if ltr is not None else 0.0) + x[-2])
    k = float(np.exp(-x[-1]))
    rows = []
    for yr in np.unique(year):
        s = year == yr
        ys, ms = float(y[s].sum()), float(mu[s].sum())
        post = gamma_dist(k + ys, scale=1.0 / (k + ms))
        rows.append({"year": int(yr), "incidents": ys, "expected": ms, "crowding": float(np.mean(np.exp(gam * lppb[s]))),
                     "traffic": float(np.mean(np.exp(el * ltr[s]))) if ltr is not None else 1.0,
                     "driver_mean": float(post.mean()), "driver_p05": float(post.ppf(0.05)),
                     "driver_p95": float(post.ppf(0.95))})
    return pd.DataFrame(rows).set_index("year")


def fit_shape(route: str, start: dt.date, end: dt.date, ppb_const: float | None = None,
              reference: float = 1.0) -> dict[str, float]:
    """Season (one or two harmonics: the one with the lower AIC), crowding exponent (Channel), incident level
    and the year driver's variance phi, by penalised maximum likelihood (MAP) of the gamma-Poisson model in
    shape_objective; sd's from the Laplace approximation; the winter (Nov-Jun) / summer (Jul-Oct) ratio of the
    fitted incident chance per boat with its 90% interval (2,000 draws from the Laplace normal)."""
    harmonics, x, args, fits = _fit_shape_map(route, start, end, ppb_const, reference)
    y, free_gamma, ltr = args[0], args[6], args[7]
    hess = hessian(lambda th: shape_objective(th, *args)[0], x)
    cov = np.linalg.pinv(hess)
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))

    def season(th: np.ndarray, months: np.ndarray) -> np.ndarray:
        out = np.zeros(months.size)
        for j in range(harmonics):
            w = 2 * np.pi * (j + 1) * months / 12
            out = out + th[2 * j] * np.cos(w) + th[2 * j + 1] * np.sin(w)
        return np.exp(out)

    mid = np.arange(1, 13) + 0.5
    winter, summer = np.isin(np.arange(1, 13), [11, 12, 1, 2, 3, 4, 5, 6]), np.isin(np.arange(1, 13), [7, 8, 9, 10])

    def ratio(th: np.ndarray) -> float:
        f = season(th, mid)
        return float(f[winter].mean() / f[summer].mean())

    draws = np.random.default_rng(0).multivariate_normal(x, (cov + cov.T) / 2, size=2000)
    ratios = np.array([ratio(d) for d in draws])
    amp, peak = _harmonic(x[0], x[1], 1)
    amp2, peak2 = _harmonic(x[2], x[3], 2) if harmonics == 2 else (0.0, 1.0)
    h = 2 * harmonics
    ht = h + int(free_gamma)  # the traffic elasticity's place in x (when kept)
    return {"traffic_elasticity": float(x[ht]) if ltr is not None else 0.0,
            "traffic_elasticity_sd": float(sd[ht]) if ltr is not None else 0.0,
            "traffic_reference": traffic_reference(route, start, end, ppb_const),
            "aic_one_traffic": float(fits[(1, "traffic")][0]), "aic_two_traffic": float(fits[(2, "traffic")][0]),
            "season_amplitude": amp, "season_peak_month": peak, "season_amplitude_2": amp2,
            "season_peak_month_2": peak2, "crowding_exponent": float(x[h]) if free_gamma else 0.0,
            "crowding_exponent_sd": float(sd[h]) if free_gamma else 0.0,
            "year_dispersion": float(np.exp(x[-1])), "log_year_dispersion_sd": float(sd[-1]),
            "incident_level": float(np.exp(x[-2])), "harmonics": float(harmonics),
            "aic_one": float(fits[1][0]), "aic_two": float(fits[2][0]),
            "winter_summer_ratio": ratio(x), "winter_summer_ratio_p05": float(np.quantile(ratios, 0.05)),
            "winter_summer_ratio_p95": float(np.quantile(ratios, 0.95)),
            "months": float(y.size), "incidents": float(y.sum())}


def _route(s: dict[str, Any], file: str) -> str:
    """The IOM Missing Migrants route a sea link's deaths block is fitted to (`deaths.observed_route`)."""
    route = s["deaths"].get("observed_route")
    if route not in (CHANNEL, CMR):
        raise InputError(file, f"sea_links.{s.get('name')}.deaths.observed_route",
                         f"fitting deaths needs the MMP route: one of {CMR!r}, {CHANNEL!r} (got {route!r})")
    return str(route)


def _level_is_free(raw: dict[str, Any], link: str) -> bool:
    """Whether the scenario's `fit.free` frees the route's incident_per_boat (then step 2 of calibrate/fit.py fits
    it to the scenario's deaths series). Where it does not, deaths_values writes the level the incident fit
    gives (incidents per sailing boat at season, crowding and traffic factors 1, the driver's mean 1), which
    reads only the incidents of the route's deaths block: for the Channel the incidents flagged at sea, where the
    scenario's deaths series (MMP route to the UK) also counts deaths on land that the sea model does not make."""
    target = f"sea_links.{link}.incident_per_boat"
    for f in frees_for(raw):  # the key paths each free parameter writes, as the fit writes them
        written: dict[str, Any] = {}
        f.write(f.x0, written)
        if target in written:
            return True
    return False


@dataclass
class RouteDeathsFit:
    """One observed series' fits, shared by the routes that read it: the loss law (mu, sigma, months), the
    incident shape (fit_shape), and where boat sizes vary the size law fitted with the losses (fit_loss_sized)
    and the season in the losses it was compared with (fit_loss_season, with both AICs)."""

    loss: tuple[float, float, int]
    shape: dict[str, float]
    sized: dict[str, float] | None = None
    season: dict[str, float] | None = None


def route_fits(raw: dict[str, Any], start: dt.date, end: dt.date) -> list[tuple[dict[str, Any], RouteDeathsFit]]:
    """(sea link, its fits) for every route with a `deaths` block, fitted on [start, end]; routes sharing one
    observed series, one people per boat and one crowding reference share one fit."""
    out: list[tuple[dict[str, Any], RouteDeathsFit]] = []
    cache: dict[tuple[Any, ...], RouteDeathsFit] = {}
    for s in raw.get("sea_links", []):
        if not isinstance(s.get("deaths"), dict):
            continue
        route = _route(s, str(raw.get("name", "scenario")))
        vals = s.get("people_per_boat", {}).get("values", {})
        ppb_const = float(next(iter(vals.values()))) if len(vals) == 1 else None
        ref = float(s["deaths"].get("crowding_reference", 1.0))
        sized = ppb_const is not None and s.get("people_per_boat", {}).get("size_sigma") is not None
        key_fit = (route, ppb_const, ref, sized)
        if key_fit not in cache:
            shape = fit_shape(route, start, end, ppb_const, ref)
            if sized:  # a boat-size law (sea.boat_sizes): K and the sizes' spread jointly, L = min(K, S)
                assert ppb_const is not None
                fs = fit_loss_sized(route, start, end, ppb_const)
                # and a season in the losses, kept only where it lowers the AIC (central Med 2019-2024: it does not)
                ss = fit_loss_season(route, start, end, ppb_const, fs)
                cache[key_fit] = RouteDeathsFit((fs["mu"], fs["sigma"], int(fs["months"])), shape, fs, ss)
            else:
                # one constant boat size: the engines cap every loss at it (model.build: max(1, rint(ppb))), so the
                # loss is fitted capped; sizes that vary (Channel) leave K uncapped (the cap rarely binds there)
                cap = max(1, int(np.rint(ppb_const))) if ppb_const is not None else None
                cache[key_fit] = RouteDeathsFit(fit_loss(route, start, end, cap), shape)
        out.append((s, cache[key_fit]))
    return out


def deaths_values(raw: dict[str, Any], start: dt.date, end: dt.date) -> dict[str, Any]:
    """{key.path: value} of every route's `deaths` block in the scenario, fitted on [start, end] (MAP: finite
    for any window with at least a year of data)."""
    out: dict[str, Any] = {}
    for s, fit in route_fits(raw, start, end):
        shape = fit.shape
        key = f"sea_links.{s['name']}.deaths"
        mu, sigma, _ = fit.loss
        if fit.sized is not None and fit.season is not None:
            # the season in the losses (with its own mu, sigma, size_sigma) where it lowers the AIC
            fs = ({**fit.sized, **fit.season} if fit.season["aic_with"] < fit.season["aic_without"]
                  else {**fit.sized, "loss_season_amplitude": 0.0, "loss_season_peak_month": 1.0})
            mu, sigma = fs["mu"], fs["sigma"]
            out[f"sea_links.{s['name']}.people_per_boat.size_sigma"] = round(fs["size_sigma"], 4)
            out[f"{key}.loss_season_amplitude"] = round(fs["loss_season_amplitude"], 4)
            out[f"{key}.loss_season_peak_month"] = round(fs["loss_season_peak_month"], 3)
        out.update({f"{key}.loss_mu": round(mu, 4), f"{key}.loss_sigma": round(sigma, 4),
                    f"{key}.season_amplitude": round(shape["season_amplitude"], 4),
                    f"{key}.season_peak_month": round(shape["season_peak_month"], 3),
                    f"{key}.season_amplitude_2": round(shape["season_amplitude_2"], 4),
                    f"{key}.season_peak_month_2": round(shape["season_peak_month_2"], 3),
                    f"{key}.crowding_exponent": round(shape["crowding_exponent"], 4),
                    f"{key}.year_dispersion": round(shape["year_dispersion"], 4)})
        if not _level_is_free(raw, str(s["name"])):  # the level from the incidents themselves (see _level_is_free)
            out[f"sea_links.{s['name']}.incident_per_boat"] = round(shape["incident_level"], 6)
        if shape["traffic_elasticity"] != 0.0:  # kept by AIC: fatal incidents per boat move with the traffic
            out.update({f"{key}.traffic_elasticity": round(shape["traffic_elasticity"], 4),
                        f"{key}.traffic_reference": round(shape["traffic_reference"], 1)})
    return out


def main(argv: list[str] | None = None) -> int:
    from crossings.scenario.load import load_raw

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario")
    p.add_argument("--fit-start")
    p.add_argument("--fit-end")
    p.add_argument("--details", action="store_true", help="also print the shape fit's diagnostics (sd, AIC, ratio)")
    a = p.parse_args(argv)

    def command() -> int:
        raw = load_raw(Path(a.scenario), {"fitted_file": None})
        start = date_arg("--fit-start", a.fit_start) if a.fit_start else dt.date.fromisoformat(str(raw["start"]))
        end = date_arg("--fit-end", a.fit_end) if a.fit_end else dt.date.fromisoformat(str(raw["end"]))
        for k, v in deaths_values(raw, start, end).items():
            print(f"{k}={v}")
        if a.details:  # the fits' diagnostics (docs/sea_model.md "Deaths"), of the first route with a deaths block
            for s, fit in route_fits(raw, start, end)[:1]:
                print(f"# {s['name']}: " + ", ".join(f"{k} {v:.4g}" for k, v in fit.shape.items()))
                if fit.sized is not None and fit.season is not None:
                    print(f"# {s['name']} loss and boat sizes: " + ", ".join(f"{k} {v:.4g}" for k, v in fit.sized.items()))
                    print(f"# {s['name']} season in the losses: " + ", ".join(f"{k} {v:.4g}" for k, v in fit.season.items()))
        return 0

    return guarded("crossings.calibrate.deaths", command)


if __name__ == "__main__":
    sys.exit(main())
