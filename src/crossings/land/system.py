"""A route-system scenario + fitted values -> the daily arrays of the kernel and the mean-field.

Parameters (names in the fitted file):
- demand.<group>.<year>: log of the people of the group setting out per day (considering the routes);
- intercept.<group>.<route>: the route's logit utility for the group (absent: not in its choice set);
- season.<route>.<month>: utility shift of calendar months 2-12 (January is 0): weather and seasons;
- shock.<route>.<year>: a route-year utility shock (penalised towards 0 in the fit);
- lever.<name>.utility / lever.<name>.onward: a lever's fitted effect (when the scenario says "fit");
- onward.<route>: logit of the share continuing on the chained route; outside: the outside option's utility.
A year outside the fitted years takes the nearest fitted year's demand and shocks (stated rule: the last
fitted year is held in a projection).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from crossings.land.bundles import LandRoutes
from crossings.scenario.routes import EuropeScenario


@dataclass
class System:
    dates: np.ndarray  # datetime64[D], one per day
    routes: list[str]
    groups: list[str]
    move: np.ndarray  # (G, T) expected people setting out on a route
    prob: np.ndarray  # (T, G, R) route shares among those setting out
    p_out: np.ndarray  # (G, T) outside option's share: a person choosing again gives up
    attempt: np.ndarray  # (R, T)
    detect: np.ndarray  # (R, T)
    pushback: np.ndarray  # (R, T)
    retry: np.ndarray  # (R,)
    count_pushed: np.ndarray  # (R,) bool
    next_leg: np.ndarray  # (R,) int64, -1 for none
    onward: np.ndarray  # (R, T)

    @property
    def cum(self) -> np.ndarray:
        """(T, G, R) cumulative shares, for the agents' draws."""
        return np.cumsum(self.prob, axis=2)

    def bundle(self) -> LandRoutes:
        """The route arrays the kernel, the reference and the mean-field read by name (land/bundles.py)."""
        return LandRoutes(self.p_out, self.attempt, self.detect, self.pushback, self.retry,
                          np.asarray(self.count_pushed, dtype=np.bool_), np.asarray(self.next_leg, dtype=np.int64),
                          self.onward)


def _years(sc: EuropeScenario) -> list[int]:
    ys = sorted({int(k.split(".")[2]) for k in sc.fitted if k.startswith("demand.")})
    return ys or list(range(sc.fit.start.year, sc.fit.end.year + 1))


def _active(start: dt.date, end: dt.date | None, dates: np.ndarray) -> np.ndarray:
    on = dates >= np.datetime64(start, "D")
    if end is not None:
        on &= dates <= np.datetime64(end, "D")
    return on


@dataclass
class Calendar:
    """Index arrays of a date range, computed once per fit (build is called thousands of times)."""

    dates: np.ndarray
    month0: np.ndarray  # calendar month - 1, per day
    year_index: np.ndarray  # index into years, per day (years outside the fitted ones: the nearest)
    years: list[int]
    lever_on: dict[str, np.ndarray]


def calendar(sc: EuropeScenario, start: dt.date, end: dt.date, years: list[int] | None = None) -> Calendar:
    dates = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    ys = years or _years(sc)
    cal_years = dates.astype("datetime64[Y]").astype(int) + 1970
    yi = np.clip(cal_years, min(ys), max(ys)) - min(ys)
    return Calendar(dates, dates.astype("datetime64[M]").astype(int) % 12, yi, list(range(min(ys), max(ys) + 1)),
                    {n: _active(lv.start, lv.end, dates) for n, lv in sc.levers.items()})


def build(sc: EuropeScenario, params: dict[str, float], start: dt.date, end: dt.date,
          cal: Calendar | None = None) -> System:
    routes, groups = list(sc.routes), list(sc.groups)
    R, G = len(routes), len(groups)
    cal = cal or calendar(sc, start, end)
    dates = cal.dates
    T = len(dates)
    ylist = cal.years

    util = np.zeros((T, R))  # route utility common to all groups
    for r, name in enumerate(routes):
        season = np.array([0.0] + [params.get(f"season.{name}.{m}", 0.0) for m in range(2, 13)])
        shock = np.array([params.get(f"shock.{name}.{y}", 0.0) for y in ylist])
        util[:, r] = season[cal.month0] + shock[cal.year_index]
    pushback = np.zeros((R, T))
    onward_logit = np.full((R, T), -np.inf)
    for r, name in enumerate(routes):
        if sc.routes[name].onward_to is not None:
            onward_logit[r] = params.get(f"onward.{name}", 0.0)
    for lname, lv in sc.levers.items():
        if not lv.enabled:
            continue
        r = routes.index(lv.route)
        on = cal.lever_on[lname]
        if lv.utility is not None:
            util[on, r] += params.get(f"lever.{lname}.utility", 0.0) if lv.utility == "fit" else lv.utility
        if lv.pushback is not None:
            pushback[r, on] = 1.0 - (1.0 - pushback[r, on]) * (1.0 - lv.pushback)
        if lv.onward is not None:
            onward_logit[r, on] += params.get(f"lever.{lname}.onward", 0.0) if lv.onward == "fit" else lv.onward

    expu = np.zeros((T, G, R))
    demand = np.zeros((G, T))
    for g, gname in enumerate(groups):
        for r, name in enumerate(routes):
            a = params.get(f"intercept.{gname}.{name}")
            if a is not None:
                expu[:, g, r] = np.exp(np.clip(a + util[:, r], -50.0, 50.0))
        d = np.exp(np.array([params.get(f"demand.{gname}.{y}", -50.0) for y in ylist]))
        demand[g] = d[cal.year_index]
    out_w = np.exp(params.get("outside", 0.0))
    inside = expu.sum(axis=2)  # (T, G)
    den = inside + out_w
    p_out = (out_w / den).T.copy()
    move = demand * (inside / den).T
    safe = np.where(inside > 0.0, inside, 1.0)
    prob = expu / safe[:, :, None]

    attempt = np.repeat(np.array([[1.0 / sc.routes[n].mean_stay_days] for n in routes]), T, axis=1)
    nxt = np.array([routes.index(t) if (t := sc.routes[n].onward_to) is not None else -1 for n in routes],
                   dtype=np.int64)
    return System(
        dates=dates, routes=routes, groups=groups, move=move, prob=prob, p_out=p_out,
        attempt=attempt, detect=np.ones((R, T)), pushback=pushback,
        retry=np.array([sc.routes[n].retry for n in routes]),
        count_pushed=np.array([sc.routes[n].count_pushed for n in routes]),
        next_leg=nxt, onward=1.0 / (1.0 + np.exp(-onward_logit)))
