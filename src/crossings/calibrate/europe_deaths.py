"""Fit of the route system's deaths (land/deaths.py): per route, the dead and missing per attempt (rate) and the
latent year factor's variance (phi), by penalised maximum likelihood on IOM MMP's annual series.

A year's deaths D_y given the attempts A_y the fitted route system simulates (mean-field with the given
parameters) are negative binomial: Z_y ~ Gamma(mean 1, variance phi) integrated out of Poisson(rate A_y Z_y).
Only the calendar years inside [start, end] are used, so a forecast origin's fit sees only the years before
it. Priors (weakly informative, as in calibrate/deaths.py, so that a window of three years gives finite values):
log rate ~ N(log 0.01, 3^2) (one death per 100 attempts at the median, anything from 1e-6 to 80 within 3 sd);
log phi ~ calibrate/deaths.PRIOR_LOG_PHI (the sea process's). Laplace covariance of (log rate, log phi) for draws.

    uv run --frozen python -m crossings.calibrate.europe_deaths scenarios/europe.yaml [--fit-end 2023-12-31]
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossings.calibrate.deaths import PRIOR_LOG_PHI, hessian
from crossings.calibrate.europe import BURN_IN_DAYS
from crossings.core.errors import date_arg, guarded
from crossings.land.deaths import attempts, observed_annual
from crossings.land.meanfield import mean_field
from crossings.land.system import build
from crossings.scenario.routes import EuropeScenario, load_europe

PRIOR_LOG_RATE = (float(np.log(0.01)), 3.0)
MIN_ATTEMPTS = 1.0  # a route-year with fewer simulated attempts is left out of the fit (no exposure)
MIN_YEARS = 2  # a route with fewer usable years gets no rate (no deaths), not a prior-only one


@dataclass(frozen=True)
class RouteDeaths:
    """One route's fitted deaths process on the years `years`."""

    rate: float  # dead and missing per attempt at the border
    dispersion: float  # phi: the year factor's variance
    cov: np.ndarray  # Laplace covariance of (log rate, log phi)
    years: tuple[int, ...]


def full_years(start: dt.date, end: dt.date) -> list[int]:
    return [y for y in range(start.year, end.year + 1) if dt.date(y, 1, 1) >= start and dt.date(y, 12, 31) <= end]


def annual_attempts(sc: EuropeScenario, params: dict[str, float], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Attempts per route (rows) and calendar year (columns) from the mean-field with these parameters."""
    sys_ = build(sc, params, start - dt.timedelta(days=BURN_IN_DAYS), end)
    a = attempts(np.asarray(mean_field(sys_.move, sys_.prob, sys_.bundle())))
    keep = sys_.dates >= np.datetime64(start, "D")
    years = sys_.dates[keep].astype("datetime64[Y]").astype(int) + 1970
    return pd.DataFrame(a[:, keep].T, index=years).groupby(level=0).sum().T.set_axis(list(sc.routes))


def neg_log_post(theta: np.ndarray, a: np.ndarray, d: np.ndarray) -> float:
    """-log posterior of (log rate, log phi) for attempts a and deaths d (negative binomial, priors above)."""
    from scipy.special import gammaln

    mu = np.exp(theta[0]) * a
    k = float(np.exp(-theta[1]))
    ll = np.sum(gammaln(d + k) - gammaln(k) - gammaln(d + 1) + k * np.log(k / (k + mu)) + d * np.log(mu / (k + mu)))
    pen = 0.5 * ((theta[0] - PRIOR_LOG_RATE[0]) / PRIOR_LOG_RATE[1]) ** 2
    pen += 0.5 * ((theta[1] - PRIOR_LOG_PHI[0]) / PRIOR_LOG_PHI[1]) ** 2
    return float(-ll + pen)


def fit_route(a: np.ndarray, d: np.ndarray, years: list[int]) -> RouteDeaths:
    from scipy.optimize import minimize

    a, d = np.asarray(a, dtype=float), np.asarray(d, dtype=float)
    x0 = np.array([np.log(max(d.sum(), 0.5) / max(a.sum(), 1.0)), PRIOR_LOG_PHI[0]])
    res = minimize(neg_log_post, x0, args=(a, d), method="Nelder-Mead",
                   options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 4000})
    h = hessian(lambda th: neg_log_post(th, a, d), res.x)
    prior_cov = np.diag([PRIOR_LOG_RATE[1] ** 2, PRIOR_LOG_PHI[1] ** 2])
    cov = np.linalg.pinv(h) if np.isfinite(h).all() else prior_cov
    return RouteDeaths(float(np.exp(res.x[0])), float(np.exp(res.x[1])), cov, tuple(years))


def fit_deaths(sc: EuropeScenario, params: dict[str, float], start: dt.date, end: dt.date) -> dict[str, RouteDeaths]:
    """Every route with an MMP series: its rate and phi fitted on the full calendar years in [start, end] with
    observed deaths, against the attempts these parameters simulate."""
    ob = observed_annual(sc)
    years = [y for y in full_years(start, end) if y in ob.columns]
    if not years:
        return {}
    att = annual_attempts(sc, params, dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))
    out = {}
    for r in ob.index:
        # a year with under one attempt carries no exposure (a route outside every group's choice set at this
        # window, e.g. the Western African before 2021 at early origins): its deaths cannot inform a rate
        ys = [y for y in years if att.loc[r, y] >= MIN_ATTEMPTS]
        if len(ys) >= MIN_YEARS:
            out[str(r)] = fit_route(att.loc[r, ys].to_numpy(), ob.loc[r, ys].to_numpy(), ys)
    return out


def arrays(sc: EuropeScenario, fits: dict[str, RouteDeaths]) -> tuple[np.ndarray, np.ndarray]:
    """(rate, dispersion) by the scenario's route order; NaN for a route without a fit."""
    rate = np.array([fits[r].rate if r in fits else np.nan for r in sc.routes])
    disp = np.array([fits[r].dispersion if r in fits else np.nan for r in sc.routes])
    return rate, disp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--fit-end")
    a = ap.parse_args(argv)

    def command() -> int:
        sc = load_europe(a.scenario)
        end = date_arg("--fit-end", a.fit_end) if a.fit_end else sc.fit.end
        for r, f in fit_deaths(sc, sc.fitted, sc.fit.start, end).items():
            sd = np.sqrt(np.diag(f.cov))
            print(f"{r}: rate {f.rate:.5f} per attempt (log sd {sd[0]:.2f}), year variance phi {f.dispersion:.3f} "
                  f"(log sd {sd[1]:.2f}), years {f.years[0]}-{f.years[-1]}")
        return 0

    return guarded("crossings.calibrate.europe_deaths", command)


if __name__ == "__main__":
    raise SystemExit(main())
