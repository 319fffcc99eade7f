"""The onward leg towards the Channel: a share of the route system's persons sets out for northern France.

Mechanism (expected values, per day t):
- people setting out on the leg: s(year of t) x the feeding routes' persons of day t (persons enter the route
  system once, land/simulate.persons_by_route); s is one value per calendar year on the logit scale (a latent
  random walk: calibrate/europe_onward.py estimates each year's value from the UK small-boat arrivals through
  channel.yaml's fitted crossing process, and the walk's noise from the years before an origin);
- a transit stock in Europe they join; each day a share h(t) of it reaches northern France, with
  h(t) = exp(A cos(2 pi (month - peak) / 12)) / lag_days (a seasonal hazard: people move on towards the coast in
  the crossing season; mean stay lag_days outside it).
A year outside the fitted years takes the nearest fitted year's share (the same rule as land/system.py).
The leg's realised counts are drawn where it feeds a crossing process (the sea kernel's Poisson inflow).

Parameters (the onward fitted file, `values`): share.<year> (logit), lag_days, season_amplitude,
season_peak_month, rw_sd (the walk's sd per year, for forecasts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd

from crossings.core.calendar import month_fraction, season_cos
from crossings.core.measures import unit_of
from crossings.scenario.routes import EuropeScenario

MEASURE = "onward_persons"


@dataclass(frozen=True)
class OnwardParams:
    years: np.ndarray  # int, the fitted years (consecutive)
    logit: np.ndarray  # logit of each year's share
    lag_days: float  # mean transit stay outside the season's peak
    amplitude: float  # seasonal amplitude of the hazard (log scale)
    peak: float  # month of the hazard's peak (1.0 = 1 January)
    rw_sd: float = 0.0  # sd of the logit share's yearly step (forecasts)


def params_of(values: Mapping[str, float]) -> OnwardParams:
    years = sorted(int(k.split(".")[1]) for k in values if k.startswith("share."))
    if not years:
        raise ValueError("the onward fitted values hold no share.<year>")
    return OnwardParams(np.array(years), np.array([float(values[f"share.{y}"]) for y in years]),
                        float(values["lag_days"]), float(values["season_amplitude"]),
                        float(values["season_peak_month"]), float(values.get("rw_sd", 0.0)))


def as_values(p: OnwardParams) -> dict[str, float]:
    out = {f"share.{int(y)}": round(float(v), 6) for y, v in zip(p.years, p.logit, strict=True)}
    out.update(lag_days=float(p.lag_days), season_amplitude=round(float(p.amplitude), 6),
               season_peak_month=round(float(p.peak), 6), rw_sd=round(float(p.rw_sd), 6))
    return out


def feeding_routes(sc: EuropeScenario) -> list[str]:
    if sc.onward is None or sc.onward.from_routes == "all":
        return list(sc.routes)
    return list(sc.onward.from_routes)


def feed_daily(persons: np.ndarray, routes: Sequence[str], feeding: Sequence[str]) -> np.ndarray:
    """(T,) the feeding routes' persons per day, from persons (R, T)."""
    return np.asarray(persons)[[list(routes).index(r) for r in feeding]].sum(axis=0)


def share_daily(dates: np.ndarray, years: np.ndarray, logit: np.ndarray) -> np.ndarray:
    """(T,) each day's share: its calendar year's, the nearest fitted year's outside them."""
    cal = dates.astype("datetime64[Y]").astype(int) + 1970
    yi = np.clip(cal, years[0], years[-1]) - years[0]
    return 1.0 / (1.0 + np.exp(-np.asarray(logit)[yi]))


def hazard_daily(dates: np.ndarray, lag_days: float, amplitude: float, peak: float) -> np.ndarray:
    month = month_fraction(pd.DatetimeIndex(dates.astype("datetime64[ns]")))
    return np.minimum(1.0, np.exp(amplitude * season_cos(month, peak)) / lag_days)


@nb.njit(cache=True)
def transit(new, hazard):
    """People reaching the region per day: today's leavers join the transit stock, a share hazard[t] of it
    arrives today (the numpy reference: transit_reference)."""
    out = np.zeros(new.shape[0])
    stock = 0.0
    for t in range(new.shape[0]):
        stock += new[t]
        out[t] = hazard[t] * stock
        stock -= out[t]
    return out


def transit_reference(new: np.ndarray, hazard: np.ndarray) -> np.ndarray:
    """The same recursion in closed form: arrivals on day t = h_t sum_{u<=t} new_u prod_{u<=v<t} (1 - h_v)."""
    keep = np.concatenate([[1.0], np.cumprod(1.0 - hazard)])  # keep[t] = prod_{v<t} (1 - h_v)
    T = len(new)
    out = np.zeros(T)
    for t in range(T):
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(keep[: t + 1] > 0.0, keep[t] / keep[: t + 1], 0.0)
        out[t] = hazard[t] * float(np.dot(new[: t + 1], frac))
    return out


def reach_daily(feed: np.ndarray, dates: np.ndarray, p: OnwardParams) -> np.ndarray:
    """(T,) expected people reaching the region per day, from the feeding routes' persons per day."""
    new = share_daily(dates, p.years, p.logit) * np.asarray(feed, dtype=np.float64)
    return np.asarray(transit(new, hazard_daily(dates, p.lag_days, p.amplitude, p.peak)))


def monthly_rows(place: str, dates: np.ndarray, reach: np.ndarray, start: dt.date) -> pd.DataFrame:
    """Tidy monthly rows of the place's onward persons (no observed count exists: observed is NaN)."""
    keep = dates >= np.datetime64(start, "D")
    months = dates[keep].astype("datetime64[M]").astype(str)
    s = pd.Series(reach[keep]).groupby(months).sum()
    return pd.DataFrame({"month": s.index, "place": place, "place_kind": "region", "is_total": False,
                         "measure": MEASURE, "unit": unit_of(MEASURE), "simulated": s.to_numpy(),
                         "observed": np.nan})


def run_rows(sc: EuropeScenario, persons: np.ndarray, dates: np.ndarray, start: dt.date) -> pd.DataFrame:
    """The onward leg's monthly rows for a run (persons (R, T) of the run); empty without a fitted leg."""
    if sc.onward is None or not sc.onward_fitted:
        return pd.DataFrame()
    reach = reach_daily(feed_daily(persons, list(sc.routes), feeding_routes(sc)), dates, params_of(sc.onward_fitted))
    return monthly_rows(sc.onward.place, dates, reach, start)
