"""Scenario -> the daily parameter arrays the sea kernels read (levers resolved to dates here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from crossings.core.calendar import date_index
from crossings.scenario.schema import AntiSmuggling, PartnerCoastguard, Rescue, SafeRoute, Scenario


@dataclass
class SeaArrays:
    start: dt.date
    n_days: int
    routes: list[str]
    destination_of_route: dict[str, str]
    region_of_coast: np.ndarray  # int64[C]
    n_regions: int
    inflow: np.ndarray  # [R, T] expected people per day reaching each region
    choice: np.ndarray  # [C, T] P(coast | region)
    keep: np.ndarray  # [C, T] share not deterred (asylum deterrence multiplier of the route's destination)
    safe_share: np.ndarray  # [C, T] chance that a person reaching the coast takes a safe route if a place is free
    safe_cap: np.ndarray  # [C, T] safe-route places per day (0 = no safe route)
    p_good: np.ndarray  # [C, T] stationary chance that a day is a crossing window
    rho: np.ndarray  # [C] weather persistence (lag-1 autocorrelation of the window state)
    quality_k: np.ndarray  # [C] window quality shape k (launch share x U^k on a window day; 0 = off)
    launch: np.ndarray  # [C, T]
    launch_cap: np.ndarray  # [C, T] boats a window day can launch (inf = no limit)
    prevent: np.ndarray  # [C, T]
    intercept: np.ndarray  # [C, T]
    capacity: np.ndarray  # [C, T] boats per day the partner can intercept (inf = no limit)
    incident: np.ndarray  # [C, T]
    lethality: np.ndarray  # [C, T]
    ppb: np.ndarray  # [C, T] people per boat (float)
    boat_size: np.ndarray  # [C, T] int64, max(1, round(ppb))
    boat_cv: np.ndarray  # [C] coefficient of variation of boat sizes (0 = every boat boat_size)
    ret: np.ndarray  # [C] share of stopped people who return to wait at the coast
    det: np.ndarray  # [C] share detained
    rescued_share: np.ndarray  # [C]


def _days(start: dt.date, n: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) + start.toordinal()


def dated_series(values: Mapping[dt.date, float], start: dt.date, n: int, log: bool = False) -> np.ndarray:
    """Linear (or log-linear) interpolation between dated points, flat outside them."""
    pts = sorted(values.items())
    x = np.array([d.toordinal() for d, _ in pts], dtype=np.float64)
    y = np.array([v for _, v in pts], dtype=np.float64)
    t = _days(start, n)
    if log:
        return np.exp(np.interp(t, x, np.log(y)))
    return np.interp(t, x, y)


def lever_weight(start: dt.date, end: dt.date | None, ramp_days: float, s0: dt.date, n: int) -> np.ndarray:
    """0 before start, linear ramp to 1 over ramp_days, 1 until end (inclusive), 0 after."""
    t = _days(s0, n) - start.toordinal()
    w = np.clip((t + 1.0) / ramp_days, 0.0, 1.0) if ramp_days > 0 else (t >= 0).astype(np.float64)
    w[t < 0] = 0.0
    if end is not None:
        w[_days(s0, n) > end.toordinal()] = 0.0
    return w


def _ramp_capacity(before: np.ndarray, level: float, w: np.ndarray) -> np.ndarray:
    """A lever's capacity (boats a day) replacing the route's with weight w: log-linear between the two
    (an unlimited route capacity jumps to the lever's level when the lever starts)."""
    base = np.where(np.isfinite(before), before, level)
    out: np.ndarray = base * (level / base) ** w
    return np.where(w > 0, out, before)


def build(sc: Scenario, multipliers: Mapping[str, np.ndarray] | None = None) -> SeaArrays:
    start, n = sc.start, (sc.end - sc.start).days + 1
    links = sc.sea_links
    regions = [p.name for p in sc.places if p.kind == "region"]
    land = {ll.to: ll for ll in sc.land_links}
    region_of = np.array([regions.index(land[s.from_].from_) for s in links], dtype=np.int64)
    C = len(links)
    inflow = np.zeros((len(regions), n))
    idx_dates = date_index(start, n)
    month_frac = idx_dates.month.to_numpy() + (idx_dates.day.to_numpy() - 1) / idx_dates.days_in_month.to_numpy()
    for inf in sc.inflows:
        season = np.exp(inf.seasonal_amplitude * np.cos(2 * np.pi * (month_frac - inf.seasonal_peak_month) / 12))
        inflow[regions.index(inf.region)] += dated_series(inf.knots, start, n, log=True) * season
    months = date_index(start, n).month.to_numpy() - 1
    p_good = np.array([np.asarray(s.weather.by_month)[months] for s in links])
    launch = np.array([np.full(n, s.launch_share) for s in links])
    launch_cap = np.array([np.full(n, s.launch_capacity or np.inf) for s in links])
    prevent = np.array([np.full(n, s.prevention) for s in links])
    intercept = np.array([np.full(n, s.interception) for s in links])
    capacity = np.array([np.full(n, s.interception_capacity or np.inf) for s in links])
    incident = np.array([np.full(n, s.incident_per_boat) for s in links])
    lethality = np.array([np.full(n, s.lethality) for s in links])
    ppb = np.array([dated_series(s.people_per_boat.values, start, n) for s in links])
    idx = {s.name: i for i, s in enumerate(links)}
    safe_share = np.zeros((C, n))
    safe_cap = np.zeros((C, n))
    # in order of start: a later partner deal replaces an earlier one's levels on the same route
    for lv in sorted(sc.levers.values(), key=lambda lv: lv.start):
        if not lv.enabled:
            continue
        w = lever_weight(lv.start, lv.end, lv.ramp_days, start, n)
        if isinstance(lv, PartnerCoastguard):
            c = idx[lv.route]
            if lv.prevention is not None:
                prevent[c] += w * (lv.prevention - prevent[c])
            if lv.interception is not None:
                intercept[c] += w * (lv.interception - intercept[c])
            # the schedule's steps, each replacing the level before it from its date (after the ramp,
            # so w is 0 or 1 there and each day gets its scheduled value)
            for day, level in sorted((lv.interception_by_date or {}).items()):
                step = w * (_days(start, n) >= day.toordinal())
                intercept[c] += step * (level - intercept[c])
            if lv.interception_capacity is not None:
                capacity[c] = _ramp_capacity(capacity[c], lv.interception_capacity, w)
            if lv.launch_capacity is not None:
                launch_cap[c] = _ramp_capacity(launch_cap[c], lv.launch_capacity, w)
        elif isinstance(lv, AntiSmuggling):
            launch[idx[lv.route]] *= 1.0 - w * (1.0 - lv.launch_multiplier)
            if lv.launch_capacity is not None:
                launch_cap[idx[lv.route]] = _ramp_capacity(launch_cap[idx[lv.route]], lv.launch_capacity, w)
        elif isinstance(lv, Rescue):
            for r in lv.routes:
                lethality[idx[r]] *= 1.0 - w * (1.0 - lv.death_multiplier)
        elif isinstance(lv, SafeRoute):  # two schemes on one route: either can take a person; places add
            c = idx[lv.route]
            safe_share[c] = 1.0 - (1.0 - safe_share[c]) * (1.0 - (w > 0) * lv.eligible_share * lv.uptake)
            safe_cap[c] += w * lv.places_per_month * 12.0 / 365.25
    lethality = np.clip(lethality, 0.0, 1.0)
    # coast choice: logit on attractiveness minus weighted risk that an attempt fails or kills
    risk = 1.0 - (1.0 - prevent) * (1.0 - intercept) * (1.0 - incident * lethality)
    attract = np.array([
        dated_series(ll.attractiveness_by_date, start, n) if ll.attractiveness_by_date else np.full(n, ll.attractiveness)
        for ll in (land[s.from_] for s in links)
    ])
    util = attract - sc.choice.risk_weight * risk
    choice = np.zeros((C, n))
    for ri in range(len(regions)):
        m = region_of == ri
        if m.any():
            e = np.exp(util[m] - util[m].max(axis=0))
            choice[m] = e / e.sum(axis=0)
    keep = np.ones((C, n))
    dest = {s.name: s.to for s in links}
    for i, s in enumerate(links):
        if multipliers and s.to in multipliers:
            keep[i] = np.clip(np.asarray(multipliers[s.to], dtype=np.float64)[:n], 0.0, 1.0)
    return SeaArrays(
        start=start, n_days=n, routes=[s.name for s in links], destination_of_route=dest,
        region_of_coast=region_of, n_regions=len(regions), inflow=inflow, choice=choice, keep=keep,
        safe_share=safe_share, safe_cap=safe_cap,
        p_good=p_good, rho=np.array([s.weather.persistence for s in links], dtype=np.float64),
        quality_k=np.array([s.weather.quality_shape for s in links], dtype=np.float64), launch=launch,
        launch_cap=launch_cap, prevent=prevent, intercept=intercept, capacity=capacity, incident=incident,
        lethality=lethality, ppb=ppb, boat_size=np.maximum(1, np.rint(ppb)).astype(np.int64),
        boat_cv=np.array([s.people_per_boat.cv for s in links], dtype=np.float64),
        ret=np.array([s.stopped.returned for s in links]), det=np.array([s.stopped.detained for s in links]),
        rescued_share=np.array([s.rescued_by_destination_share for s in links]),
    )
