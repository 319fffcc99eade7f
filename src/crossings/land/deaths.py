"""Deaths on the route system's routes: attempts at the route's border x the route's rate x a latent year factor.

What the data identify: IOM's Missing Migrants Project gives dead and missing per route and year (eleven numbers a
route, 2014-2024), which pin a level per route (deaths per attempt) and how far years scatter around it, nothing
finer (no season, no boat size, no cause). So, for route r, month m of year y:
    deaths_{r,m} ~ Poisson(attempts_{r,m} x rate_r x Z_{r,y}),   Z_{r,y} ~ Gamma(mean 1, variance phi_r),
Z shared by the year's months: what moves the rate from year to year that the model does not carry (rescue
capacity, a shipwreck of several hundred people, weather), the same idea as the sea process's year driver
(sea/deaths.py). A year's deaths are then negative binomial (mean rate x attempts, variance mean + phi mean^2),
and intervals come from draws of Z, not from a normal approximation.
Attempts: every try at the border, crossings plus detected attempts pushed back (intercepted at sea, pushed back
on land); the Western Balkans' include the Eastern Mediterranean's onward people. The dead are not taken out of
the flows: the fitted demand is what Frontex detects (survivors), and the dead are 0.05-10% of the attempts.
Rates and phi: calibrate/europe_deaths.py. Routes without an MMP series (scenario's deaths.observed_routes):
no rate, NaN, no rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crossings.core import observed as obs
from crossings.core.rng import poisson, tick_key, uniform_np
from crossings.land.kernel import CROSSED, PUSHED
from crossings.land.streams import DEATHS, DEATHS_YEAR
from crossings.scenario.routes import EuropeScenario

DATA_FILE = "deaths_missing_by_route_annual_iom_mmp"


def attempts(out: np.ndarray) -> np.ndarray:
    """(R, T) tries at each route's border from a kernel or mean-field output (measure, group, route, day)."""
    return out[CROSSED].sum(axis=0) + out[PUSHED].sum(axis=0)


def observed_annual(sc: EuropeScenario) -> pd.DataFrame:
    """IOM MMP dead and missing per year (rows: the scenario's routes with a series, columns: years)."""
    mapping = sc.deaths.observed_routes if sc.deaths else {}
    d = obs.load(DATA_FILE)
    d = d[d["route"].isin(mapping.values()) & (d["partial_year"] == 0)]
    back = {v: k for k, v in mapping.items()}
    tab = d.assign(place=d["route"].map(back)).pivot_table(index="place", columns="year", values="dead_and_missing",
                                                            aggfunc="sum")
    return tab.reindex(index=[r for r in sc.routes if r in mapping]).astype(float)


def gamma_mean_one(u: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Gamma(shape 1/phi, mean 1) by inversion of the uniforms u (phi = 0: 1; NaN phi: NaN)."""
    from scipy.special import gammaincinv

    u, phi = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(phi, dtype=float))
    out = np.ones(u.shape)
    pos = phi > 0
    shape = 1.0 / phi[pos]
    out[pos] = gammaincinv(shape, np.clip(u[pos], 1e-12, 1.0 - 1e-12)) / shape
    out[np.isnan(phi)] = np.nan
    return out


def year_factors(seed: int, years: list[int], dispersion: np.ndarray) -> np.ndarray:
    """(R, Y) the routes' latent year factors of one seeded run: stream land.deaths_year, tick = year, index =
    route; a pure function of (seed, year, route position)."""
    disp = np.asarray(dispersion, dtype=float)
    u = np.stack([uniform_np(tick_key(int(seed), DEATHS_YEAR, int(y)), np.arange(disp.size)) for y in years], axis=1)
    return gamma_mean_one(u, disp[:, None])


def monthly_deaths(seed: int, attempts_m: np.ndarray, months: np.ndarray, rate: np.ndarray,
                   dispersion: np.ndarray) -> np.ndarray:
    """(R, M) dead and missing of one seeded run: Poisson(attempts x rate x Z_year) per route-month (stream
    land.deaths, tick = month since 1970-01, index = route). NaN where a route has no rate."""
    m = np.asarray(months, dtype="datetime64[M]")
    years = (m.astype("datetime64[Y]").astype(int) + 1970).tolist()
    ys = sorted(set(years))
    z = year_factors(seed, ys, dispersion)
    lam = attempts_m * np.asarray(rate, dtype=float)[:, None] * z[:, [ys.index(y) for y in years]]
    out = np.full(lam.shape, np.nan)
    for j, mi in enumerate(m.astype(int)):
        key = tick_key(int(seed), DEATHS, int(mi))
        for r in range(lam.shape[0]):
            if np.isfinite(lam[r, j]):
                out[r, j] = float(poisson(key, r, float(lam[r, j])))
    return out


def deaths_rows(routes: list[str], months: np.ndarray, deaths_m: np.ndarray) -> pd.DataFrame:
    """Tidy monthly rows of measure deaths (routes with a rate only); observed is annual (MMP), so NaN here."""
    rows = [pd.DataFrame({"month": np.asarray(months, dtype="datetime64[M]").astype(str), "place": route,
                          "place_kind": "route", "is_total": False, "measure": "deaths", "unit": "people",
                          "simulated": deaths_m[r], "observed": np.nan})
            for r, route in enumerate(routes) if np.isfinite(deaths_m[r]).all()]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def monthly_attempts(dates: np.ndarray, out: np.ndarray, start: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """(months from start, (R, M) attempts per month) of a daily kernel or mean-field output."""
    keep = dates >= start
    m = dates[keep].astype("datetime64[M]")
    months = np.unique(m)
    a = attempts(out)[:, keep]
    return months, np.stack([a[:, m == mo].sum(axis=1) for mo in months], axis=1)


def run_rows(routes: list[str], dates: np.ndarray, out: np.ndarray, start: np.datetime64, rate: np.ndarray,
             dispersion: np.ndarray, seed: int | None) -> pd.DataFrame:
    """A run's monthly deaths rows: a seeded draw (agents), or with seed None the expectation (mean-field:
    attempts x rate, the year factor's mean is 1)."""
    months, att = monthly_attempts(dates, out, start)
    d = att * rate[:, None] if seed is None else monthly_deaths(seed, att, months, rate, dispersion)
    return deaths_rows(routes, months, d)


def observed_value(tab: pd.DataFrame, route: str, year: int) -> float:
    """One route-year of observed_annual's table; NaN where MMP has none."""
    rows, cols = [str(r) for r in tab.index], [int(str(c)) for c in tab.columns]
    if route not in rows or year not in cols:
        return float("nan")
    values: np.ndarray = tab.to_numpy(dtype=float)
    return float(values[rows.index(route)][cols.index(year)])
