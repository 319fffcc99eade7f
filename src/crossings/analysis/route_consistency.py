"""The route system (scenarios/europe.yaml) against central_med.yaml on the central Mediterranean, by year.

Two fitted models describe the same people: the route system's central_mediterranean route is fitted to Frontex
detections (Italy and Malta, sea; the Italian ministry's landings are Frontex's main input), central_med.yaml's
sea process to the Italian ministry's sea arrivals. This table puts them side by side (docs/europe.md and
tests/test_europe_consistency.py): detections and persons (route system, mean-field, fitted values) against
central_med's simulated (mean of 5 seeds) and observed Italy sea arrivals, pushed-back attempts against central_med's
interceptions, and the expected deaths of both against IOM MMP.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from crossings.calibrate.europe import BURN_IN_DAYS
from crossings.calibrate.europe_deaths import fit_deaths
from crossings.land.deaths import attempts, observed_annual
from crossings.land.kernel import DET, PUSHED
from crossings.land.meanfield import mean_field
from crossings.land.simulate import observed_monthly
from crossings.land.system import build
from crossings.scenario.routes import load_europe

ROUTE = "central_mediterranean"


def route_system_years(europe: Path, years: list[int]) -> pd.DataFrame:
    """The route system's central_mediterranean per year: detections, persons (first crossing), pushbacks
    (detected attempts pushed back: interceptions), expected deaths; Frontex detections and MMP deaths observed."""
    from crossings.land.simulate import persons_by_route

    sc = load_europe(europe)
    start, end = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    sys_ = build(sc, sc.fitted, start - dt.timedelta(days=BURN_IN_DAYS), end)
    out = np.asarray(mean_field(sys_.move, sys_.prob, sys_.bundle()))
    r = list(sc.routes).index(ROUTE)
    keep = sys_.dates >= np.datetime64(start, "D")
    yr = sys_.dates[keep].astype("datetime64[Y]").astype(int) + 1970
    fits = fit_deaths(sc, sc.fitted, sc.fit.start, sc.fit.end)
    rate = fits[ROUTE].rate if ROUTE in fits else np.nan
    series = {"rs_detections": out[DET].sum(axis=0)[r, keep], "rs_persons": persons_by_route(out, sys_)[r, keep],
              "rs_pushbacks": out[PUSHED].sum(axis=0)[r, keep], "rs_deaths": rate * attempts(out)[r, keep]}
    tab = pd.DataFrame({k: [float(v[yr == y].sum()) for y in years] for k, v in series.items()}, index=years)
    ob = observed_monthly(sc)
    fx = ob[ob.place == ROUTE].assign(year=lambda d: d.month.str[:4].astype(int)).groupby("year").detections.sum()
    tab["frontex_detections"] = fx.reindex(years).to_numpy(dtype=float)
    dead = observed_annual(sc)
    tab["mmp_deaths"] = dead.loc[ROUTE].reindex(years).to_numpy(dtype=float) if ROUTE in dead.index else np.nan
    return tab


SEEDS = 5  # central_med's expectation over seeds, as docs/validation.md's annual checks take it


def central_med_years(central_med: Path, seeds: int = SEEDS) -> pd.DataFrame:
    """central_med.yaml's fitted run (the mean of seeds 1..seeds, its own window) per year at Italy: sea arrivals
    simulated and observed (the Italian ministry's), interceptions and deaths simulated. A mean over seeds: the
    comparison is between two models, not one seed's noise (one seed of central_med's 2024 is 2-9% under the mean)."""
    from crossings.runs.runner import run_scenario

    frames = []
    for seed in range(1, seeds + 1):
        m = run_scenario(central_med, seed=seed).monthly
        m = m[(m.place == "italy") & m.measure.isin(["arrivals", "interceptions", "deaths"])]
        frames.append(m.assign(year=m.month.astype(str).str[:4].astype(int)))
    m = pd.concat(frames)
    sim = m.pivot_table(index="year", columns="measure", values="simulated", aggfunc="sum") / seeds
    first = frames[0]
    obs = first[first.measure == "arrivals"].groupby("year")["observed"].sum(min_count=12)
    return pd.DataFrame({"cm_arrivals": sim["arrivals"], "cm_arrivals_observed": obs,
                         "cm_interceptions": sim["interceptions"], "cm_deaths": sim["deaths"]})


def table(europe: Path, central_med: Path, years: list[int]) -> pd.DataFrame:
    """Both models per year (the years of central_med's window that are in `years`)."""
    cm = central_med_years(central_med)
    ys = [y for y in years if y in cm.index]
    return route_system_years(europe, ys).join(cm.loc[ys])
