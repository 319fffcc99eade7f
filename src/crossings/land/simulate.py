"""Run the route system (agents or mean-field) and return tidy monthly tables per Frontex route.

Places are the Frontex routes in snake case (place_kind "route"); measures: detections (what Frontex
counts: repeated attempts and a second count on a chained route included), persons (people crossing the
route's border for the first time on their journey: the chained route's onward crossers are not counted
again), pushbacks (detected attempts pushed back).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from crossings.core.measures import unit_of
from crossings.core.observed import load
from crossings.land.kernel import CROSSED, DET, PUSHED, land_kernel
from crossings.land.meanfield import mean_field
from crossings.land.system import System, build
from crossings.scenario.routes import EuropeScenario

BURN_IN_DAYS = 61  # the border stocks start empty; results start this many days after the simulation


def persons_by_route(out: np.ndarray, sys: System) -> np.ndarray:
    """(R, T) people crossing each route's border as their route, not as the onward leg of another."""
    crossed = out[CROSSED].sum(axis=0)  # (R, T)
    persons = crossed.copy()
    for r, nl in enumerate(sys.next_leg):
        if nl >= 0:  # crossers of r who went on reached nl as their second leg
            persons[nl] -= crossed[r] * sys.onward[r]
    return np.maximum(persons, 0.0)


def run_daily(sc: EuropeScenario, start: dt.date, end: dt.date, seed: int | None = None,
              agents: bool = True) -> tuple[System, np.ndarray, int]:
    """Daily outputs (measure, group, route, day) from start - BURN_IN_DAYS; agents or the mean-field."""
    sys = build(sc, sc.fitted, start - dt.timedelta(days=BURN_IN_DAYS), end)
    if not agents:
        return sys, np.asarray(mean_field(sys.move, sys.prob, sys.bundle())), 0
    expected = float(sys.move.sum())
    max_agents = int(expected + 10.0 * math.sqrt(expected) + 1000)
    out, n = land_kernel(sc.seed if seed is None else seed, sys.move, sys.cum, sys.bundle(),
                         max_agents)
    return sys, out, int(n)


def observed_monthly(sc: EuropeScenario) -> pd.DataFrame:
    df = load("frontex_detections_monthly_by_route")
    names = {spec.frontex: r for r, spec in sc.routes.items()}
    df = df[df.route.isin(names)]
    return pd.DataFrame({"month": df.month, "place": df.route.map(names), "detections": df.detections})


def monthly_table(sc: EuropeScenario, sys: System, out: np.ndarray, start: dt.date) -> pd.DataFrame:
    """Tidy monthly rows: month, place, place_kind, is_total, measure, unit, simulated, observed."""
    keep = sys.dates >= np.datetime64(start, "D")
    months = sys.dates[keep].astype("datetime64[M]").astype(str)
    series = {"detections": out[DET].sum(axis=0)[:, keep], "persons": persons_by_route(out, sys)[:, keep],
              "pushbacks": out[PUSHED].sum(axis=0)[:, keep]}
    rows = []
    for measure, arr in series.items():
        for r, route in enumerate(sys.routes):
            s = pd.Series(arr[r]).groupby(months).sum()
            rows.append(pd.DataFrame({"month": s.index, "place": route, "measure": measure, "simulated": s.values}))
    tab = pd.concat(rows, ignore_index=True)
    obs = observed_monthly(sc).rename(columns={"detections": "observed"})
    obs["measure"] = "detections"
    tab = tab.merge(obs, on=["month", "place", "measure"], how="left")
    has_obs = (tab.measure == "detections") & tab.observed.isna()
    tab.loc[has_obs, "observed"] = 0.0  # the Frontex file omits months with no detections
    tab.insert(2, "place_kind", "route")
    tab.insert(3, "is_total", False)
    tab.insert(5, "unit", tab.measure.map(unit_of))
    return tab
