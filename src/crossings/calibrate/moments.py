"""The moments of daily series the fit reads (fit.py steps 1 and 4): observed statistics of a route's daily
arrivals and boats (the Channel's HO series) and the same statistics on agent runs (simulated method of
moments). A scenario asks for them with `fit.daily_moments_from: DATE` (the first day they use); each observed
function returns None where it does not, or where the window has no such days."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crossings.core.calendar import date_index
from crossings.sea.kernel import ARR, BOATS, draw_weather
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays

if TYPE_CHECKING:
    from crossings.calibrate.problem import Problem

SMM_SEEDS = tuple(range(1, 9))


def _daily_from(p: Problem) -> str | None:
    """The first day of the daily moments the scenario declares (fit.daily_moments_from), or None."""
    d = (p.raw.get("fit") or {}).get("daily_moments_from")
    return None if d is None else str(d)[:10]  # agent runs per SMM round (the conditional share is noisy in single months)


def channel_weather(p: Problem) -> list[float] | None:
    """Share of days with arrivals per calendar month, fit-window days from fit.daily_moments_from (daily arrivals)."""
    since = _daily_from(p)
    if since is None:
        return None
    d = p.obs_d[(p.obs_d["measure"] == "arrivals") & (p.obs_d["date"] >= since)]
    if d.empty:
        return None
    month = d["date"].str[5:7].astype(int)
    share = (d["observed"] > 0).groupby(month).mean()
    return [round(float(share.get(m, np.nan)), 4) for m in range(1, 13)]


def channel_boat_cv(p: Problem) -> float | None:
    """Pooled within-year CV of single-boat days' sizes, from fit.daily_moments_from (step 1)."""
    since = _daily_from(p)
    if since is None:
        return None
    ppl = p.obs_d[(p.obs_d["measure"] == "arrivals") & (p.obs_d["date"] >= since)].set_index("date")["observed"]
    bts = p.obs_d[(p.obs_d["measure"] == "boats") & (p.obs_d["date"] >= since)].set_index("date")["observed"]
    one = ppl[bts.reindex(ppl.index) == 1]
    if len(one) < 10:
        return None
    year = one.index.str[:4]
    r = one / one.groupby(year).transform("mean")
    return round(float(np.sqrt(np.sum((r - 1.0) ** 2) / (len(r) - year.nunique()))), 4)


def centred_lag1(x: np.ndarray, month: np.ndarray) -> float:
    """Lag-1 autocorrelation of x with each day centred on its calendar month's mean."""
    r = x - pd.Series(x).groupby(month).transform("mean").to_numpy()
    return float(np.sum(r[1:] * r[:-1]) / np.sum(r * r))


def channel_persistence(p: Problem) -> float | None:
    """Weather persistence: lag-1 autocorrelation of 'day with arrivals', each day's indicator taken
    from its calendar month's share (so the seasonal cycle does not count as persistence); same
    days as channel_weather. For a two-state Markov chain this is P(window | window) - P(window | none)."""
    since = _daily_from(p)
    if since is None:
        return None
    d = p.obs_d[(p.obs_d["measure"] == "arrivals") & (p.obs_d["date"] >= since)].sort_values("date")
    if len(d) < 2:
        return None
    x = (d["observed"].to_numpy() > 0).astype(np.float64)
    rho = centred_lag1(x, d["date"].str[5:7].astype(int).to_numpy())
    return round(min(max(rho, 0.0), 0.95), 4)


def arrival_given_window(p: Problem, sc: Any) -> tuple[np.ndarray, float]:
    """P(at least one arrival | crossing window) per calendar month on agent runs of scenario sc,
    over window days from fit.daily_moments_from (the days channel_weather reads; nan where a month has no such day),
    and the mean over the runs of channel_persistence's statistic on the simulated arrivals."""
    a = build(sc)
    dates = date_index(p.start, a.n_days)
    month = dates.month.to_numpy()
    late = np.asarray(dates >= pd.Timestamp(_daily_from(p) or p.start))
    hit = np.zeros(12)
    n = np.zeros(12)
    lag1 = []
    for seed in SMM_SEEDS:
        good = draw_weather(seed, a.p_good, a.rho)[0] == 1  # the same windows run_arrays draws
        arr = run_arrays(a, seed, "numba")[ARR].sum(axis=0)
        lag1.append(centred_lag1((arr[late] > 0).astype(np.float64), month[late]))
        for m in range(1, 13):
            sel = good & late & (month == m)
            hit[m - 1] += np.sum(arr[sel] > 0)
            n[m - 1] += np.sum(sel)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hit / n, float(np.mean(lag1))


def _one_boat_share(boats: np.ndarray) -> float:
    """Share of days with at least one boat that had exactly one."""
    some = boats > 0
    return float(np.mean(boats[some] == 1)) if some.any() else float("nan")


def channel_one_boat(p: Problem) -> float | None:
    """Observed share of days with boats arriving that had a single boat (HO daily boats), the
    fit-window days from fit.daily_moments_from (those channel_weather reads): the moment that identifies how often a
    window is marginal (step 4)."""
    since = _daily_from(p)
    if since is None:
        return None
    b = p.obs_d[(p.obs_d["measure"] == "boats") & (p.obs_d["date"] >= since)]
    if b.empty:
        return None
    return _one_boat_share(b.groupby("date")["observed"].sum().to_numpy())


def simulated_one_boat(p: Problem, sc: Any) -> float:
    """The same statistic on agent runs of scenario sc (boats leaving, seeds SMM_SEEDS pooled)."""
    a = build(sc)
    late = np.asarray(date_index(p.start, a.n_days) >= pd.Timestamp(_daily_from(p) or p.start))
    boats = [run_arrays(a, seed, "numba")[BOATS].sum(axis=0)[late] for seed in SMM_SEEDS]
    return _one_boat_share(np.concatenate(boats))


def corrected_weather(share: list[float], q: np.ndarray) -> list[float]:
    """Window probability = observed share of days with arrivals / P(arrival | window), capped at 1
    (a month without simulated window days keeps the share)."""
    return [round(float(min(1.0, s / qm)) if np.isfinite(qm) and qm > 0 else s, 4) for s, qm in zip(share, q, strict=True)]


def _p95_ratio(v: np.ndarray) -> float:
    """95th-percentile day over the mean day, in the last 3 years of the series (where the trend is flat)."""
    v = v[-3 * 365:]
    return float(np.percentile(v, 95) / max(v.mean(), 1e-9))


def direct_estimates(p: Problem, every_month: bool = False) -> dict[str, Any]:
    """Step 1 of the fit: the daily moments' direct estimates as key-path values (window shares by month,
    persistence, boat-size spread), from the problem's window only. `every_month`: keep the window shares only
    when every calendar month has days in the window (a forecast origin early in the daily data)."""
    out: dict[str, Any] = {}
    weather = channel_weather(p)
    if weather is not None and (not every_month or all(np.isfinite(weather))):
        out.update({f"sea_links.{r}.weather.by_month": weather for r in p.routes})
    rho = channel_persistence(p)
    if rho is not None:
        out.update({f"sea_links.{r}.weather.persistence": rho for r in p.routes})
    cv = channel_boat_cv(p)
    if cv is not None:
        out.update({f"sea_links.{r}.people_per_boat.cv": min(cv, 0.4) for r in p.routes})
    return out
