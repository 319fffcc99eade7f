"""Scenario -> the daily parameter arrays the sea kernels read (levers resolved to dates here).

build() runs named phases in order; the levers' own modules (crossings.scenario.levers) say how each acts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from crossings.core.calendar import date_index, month_fraction, season_cos
from crossings.scenario.levers import SEA_KINDS
from crossings.scenario.levers.base import RouteFields, day_ordinals, lever_weight
from crossings.scenario.schema import Scenario
from crossings.sea.boat_sizes import N_FACTORS, law_cv, law_loss_share, size_factors
from crossings.sea.deaths import K_MAX, expected_loss, incident_factor, loss_cdf, loss_mu_by_month

__all__ = ["SeaArrays", "build", "dated_series", "lever_weight"]


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
    lethality: np.ndarray  # [C, T] share of the people aboard lost in an incident (expected, with a loss table)
    loss_cdf: np.ndarray  # [C, M, K] people lost per incident, cumulative (sea.deaths); all 0 = none: lethality per person
    ppb: np.ndarray  # [C, T] people per boat (float)
    boat_size: np.ndarray  # [C, T] int64, max(1, round(ppb))
    boat_cv: np.ndarray  # [C] coefficient of variation of boat sizes (0 = every boat boat_size)
    ret: np.ndarray  # [C] share of stopped people who return to wait at the coast
    det: np.ndarray  # [C] share detained
    rescued_share: np.ndarray  # [C]
    # [C] variance of the incident chance's latent year driver (sea.deaths.with_year_driver; 0 = none)
    incident_dispersion: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # [C] traffic factor of the incident chance (sea.kernel._traffic_factors): group of routes whose people sailing
    # are pooled (-1 = none), elasticity, and the people sailing in 30 days where the factor is 1
    traffic_group: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    traffic_elasticity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    traffic_reference: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # [C, N_FACTORS] mean-one boat-size factors of a heavy-tailed size law (sea.boat_sizes; a row of zeros = none:
    # boat_cv's triangular draw or every boat boat_size); where set, boat_cv holds the law's cv (the mean-field's)
    size_factors: np.ndarray = field(default_factory=lambda: np.zeros((0, N_FACTORS)))
    # [T] which of loss_cdf's M tables a day uses: its calendar month (0-11) where a route's losses have a season
    # (M = 12), else 0 (M = 1)
    loss_table: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def dated_series(values: Mapping[dt.date, float], start: dt.date, n: int, log: bool = False) -> np.ndarray:
    """Linear (or log-linear) interpolation between dated points, flat outside them."""
    pts = sorted(values.items())
    x = np.array([d.toordinal() for d, _ in pts], dtype=np.float64)
    y = np.array([v for _, v in pts], dtype=np.float64)
    t = day_ordinals(start, n)
    if log:
        return np.exp(np.interp(t, x, np.log(y)))
    return np.interp(t, x, y)


# --- the phases of build(), in order ---


@lru_cache(maxsize=64)
def _calendar(start: dt.date, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each day's calendar month (0-11) and fractional month (1.0 = 1 January); read-only and cached (a sampler
    builds the same window millions of times)."""
    idx = date_index(start, n)
    month_frac = month_fraction(idx)
    months = idx.month.to_numpy() - 1
    months.flags.writeable = False
    month_frac.flags.writeable = False
    return months, month_frac


def _inflows(sc: Scenario, regions: list[str], month_frac: np.ndarray) -> np.ndarray:
    """[R, T] expected people a day reaching each region: dated knots (log-linear) times the travel season."""
    start, n = sc.start, len(month_frac)
    inflow = np.zeros((len(regions), n))
    for inf in sc.inflows:
        season = np.exp(inf.seasonal_amplitude * season_cos(month_frac, inf.seasonal_peak_month))
        inflow[regions.index(inf.region)] += dated_series(inf.knots, start, n, log=True) * season
    return inflow


def _route_fields(sc: Scenario, n: int, month_frac: np.ndarray, ppb: np.ndarray) -> RouteFields:
    """Every route's own daily values (no lever yet) of the arrays levers act on. A route with a `deaths` block
    has its incident chance by date (season x crowding, sea.deaths) and a loss table."""
    links = sc.sea_links
    incident = np.array([np.full(n, s.incident_per_boat) for s in links])
    for c, s in enumerate(links):
        if s.deaths is not None:
            d = s.deaths
            incident[c] = s.incident_per_boat * incident_factor(
                month_frac, ppb[c], d.season_amplitude, d.season_peak_month, d.crowding_exponent, d.crowding_reference,
                d.season_amplitude_2, d.season_peak_month_2)
    return RouteFields(
        route_index={s.name: i for i, s in enumerate(links)},
        days=day_ordinals(sc.start, n),
        prevent=np.array([np.full(n, s.prevention) for s in links]),
        intercept=np.array([np.full(n, s.interception) for s in links]),
        capacity=np.array([np.full(n, s.interception_capacity or np.inf) for s in links]),
        launch=np.array([np.full(n, s.launch_share) for s in links]),
        launch_cap=np.array([np.full(n, s.launch_capacity or np.inf) for s in links]),
        incident=incident,
        lethality=np.array([np.full(n, s.lethality) for s in links]),
        lumpy=np.array([s.deaths is not None for s in links], dtype=bool),
        safe_share=np.zeros((len(links), n)),
        safe_cap=np.zeros((len(links), n)),
    )


def _loss_tables(sc: Scenario, f: RouteFields, boat_size: np.ndarray, ppb: np.ndarray,
                 months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """([C, M, K_MAX] cumulative loss tables per route (zeros: no table, per-person lethality), [T] the table of
    each day): M = 12, one per calendar month, where a route's losses have a season (loss_season_amplitude; the
    other routes repeat their one table), else M = 1. On routes with a table, lethality becomes the expected share
    of the people aboard lost in an incident on the day: E[min(K, size)] / size, over the boat-size law where one
    is set (sea.boat_sizes: E[min(K, S)] / people per boat, S drawn)."""
    links = sc.sea_links
    seasonal = any(s.deaths is not None and s.deaths.loss_season_amplitude != 0.0 for s in links)
    m_tables = 12 if seasonal else 1
    tables = np.zeros((len(links), m_tables, K_MAX))
    day_table = months.astype(np.int64) if seasonal else np.zeros(len(months), dtype=np.int64)
    for c, s in enumerate(links):
        if s.deaths is None:
            continue
        d = s.deaths
        mus = loss_mu_by_month(d.loss_mu, d.loss_season_amplitude, d.loss_season_peak_month) if seasonal \
            else np.array([d.loss_mu])
        share = np.zeros((m_tables, len(months)))
        size_sigma = s.people_per_boat.size_sigma
        if size_sigma > 0.0:  # the size law's expected loss is computed once per distinct people per boat
            vals, inv = np.unique(ppb[c], return_inverse=True)
        for m in range(m_tables):
            tables[c, m] = loss_cdf(float(mus[m]), d.loss_sigma)
            if size_sigma > 0.0:
                per = np.array([law_loss_share(float(mus[m]), d.loss_sigma, float(v), size_sigma) for v in vals])
                share[m] = per[inv.ravel()]
            else:
                share[m] = expected_loss(tables[c, m], boat_size[c]) / np.maximum(boat_size[c], 1)
        f.lethality[c] = share[day_table, np.arange(len(months))]
    return tables, day_table


def _size_law(sc: Scenario, ppb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """([C, N_FACTORS] boat-size factors, zeros where a route has no size law; [C] boat_cv: the spec's cv, or the
    law's cv at the route's mean people per boat, which the mean-field's shortfall of full boats reads)."""
    links = sc.sea_links
    factors = np.zeros((len(links), N_FACTORS))
    cv = np.array([s.people_per_boat.cv for s in links], dtype=np.float64)
    for c, s in enumerate(links):
        if s.people_per_boat.size_sigma > 0.0:
            factors[c] = size_factors(s.people_per_boat.size_sigma)
            cv[c] = law_cv(float(np.mean(ppb[c])), s.people_per_boat.size_sigma)
    return factors, cv


def _apply_levers(sc: Scenario, f: RouteFields) -> None:
    """Every enabled sea lever acts on the route arrays with its weight by day (crossings.scenario.levers), in
    order of start: a later partner deal replaces an earlier one's levels on the same route."""
    n = len(f.days)
    for lv in sorted(sc.levers.values(), key=lambda lv: lv.start):
        if not lv.enabled:
            continue
        apply = SEA_KINDS[lv.type].apply_sea
        assert apply is not None
        apply(f, lv, lever_weight(lv.start, lv.end, lv.ramp_days, sc.start, n))
    f.lethality = np.clip(f.lethality, 0.0, 1.0)
    f.incident = np.clip(f.incident, 0.0, 1.0)


def _coast_choice(sc: Scenario, f: RouteFields, region_of: np.ndarray, n_regions: int) -> np.ndarray:
    """[C, T] P(coast | region): logit on attractiveness minus weighted risk that an attempt fails or kills."""
    land = {ll.to: ll for ll in sc.land_links}
    start, n = sc.start, len(f.days)
    risk = 1.0 - (1.0 - f.prevent) * (1.0 - f.intercept) * (1.0 - f.incident * f.lethality)
    attract = np.array([
        dated_series(ll.attractiveness_by_date, start, n) if ll.attractiveness_by_date else np.full(n, ll.attractiveness)
        for ll in (land[s.from_] for s in sc.sea_links)
    ])
    util = attract - sc.choice.risk_weight * risk
    choice = np.zeros((len(sc.sea_links), n))
    for ri in range(n_regions):
        m = region_of == ri
        if m.any():
            e = np.exp(util[m] - util[m].max(axis=0))
            choice[m] = e / e.sum(axis=0)
    return choice


def _deterrence_keep(sc: Scenario, n: int, multipliers: Mapping[str, np.ndarray] | None) -> np.ndarray:
    """[C, T] share not deterred: the asylum deterrence multiplier of each route's destination (1 without)."""
    keep = np.ones((len(sc.sea_links), n))
    for i, s in enumerate(sc.sea_links):
        if multipliers and s.to in multipliers:
            keep[i] = np.clip(np.asarray(multipliers[s.to], dtype=np.float64)[:n], 0.0, 1.0)
    return keep


def build(sc: Scenario, multipliers: Mapping[str, np.ndarray] | None = None) -> SeaArrays:
    """The scenario as daily arrays: calendar -> inflows -> route fields -> levers -> loss tables -> coast
    choice -> deterrence."""
    start, n = sc.start, (sc.end - sc.start).days + 1
    links = sc.sea_links
    regions = [p.name for p in sc.places if p.kind == "region"]
    land = {ll.to: ll for ll in sc.land_links}
    region_of = np.array([regions.index(land[s.from_].from_) for s in links], dtype=np.int64)
    months, month_frac = _calendar(start, n)
    inflow = _inflows(sc, regions, month_frac)
    ppb = np.array([dated_series(s.people_per_boat.values, start, n) for s in links])
    boat_size = np.maximum(1, np.rint(ppb)).astype(np.int64)
    f = _route_fields(sc, n, month_frac, ppb)
    _apply_levers(sc, f)
    factors, boat_cv = _size_law(sc, ppb)
    tables, day_table = _loss_tables(sc, f, boat_size, ppb, months)
    choice = _coast_choice(sc, f, region_of, len(regions))
    return SeaArrays(
        start=start, n_days=n, routes=[s.name for s in links], destination_of_route={s.name: s.to for s in links},
        region_of_coast=region_of, n_regions=len(regions), inflow=inflow, choice=choice,
        keep=_deterrence_keep(sc, n, multipliers), safe_share=f.safe_share, safe_cap=f.safe_cap,
        p_good=np.array([np.asarray(s.weather.by_month)[months] for s in links]),
        rho=np.array([s.weather.persistence for s in links], dtype=np.float64),
        quality_k=np.array([s.weather.quality_shape for s in links], dtype=np.float64), launch=f.launch,
        launch_cap=f.launch_cap, prevent=f.prevent, intercept=f.intercept, capacity=f.capacity,
        incident=f.incident, lethality=f.lethality, loss_cdf=tables, ppb=ppb, boat_size=boat_size,
        boat_cv=boat_cv, size_factors=factors, loss_table=day_table,
        ret=np.array([s.stopped.returned for s in links]), det=np.array([s.stopped.detained for s in links]),
        rescued_share=np.array([s.rescued_by_destination_share for s in links]),
        incident_dispersion=np.array([s.deaths.year_dispersion if s.deaths else 0.0 for s in links], dtype=np.float64),
        **_traffic(links),
    )


def _traffic(links: list[Any]) -> dict[str, np.ndarray]:
    """The traffic factor's arrays: routes with a traffic elasticity pool their people sailing by observed route
    (the MMP series the elasticity is fitted on counts the deaths of all of them)."""
    on = [s.deaths is not None and s.deaths.traffic_elasticity != 0.0 for s in links]
    keys = sorted({str(s.deaths.observed_route) for s, o in zip(links, on, strict=True) if o})
    return {"traffic_group": np.array([keys.index(str(s.deaths.observed_route)) if o else -1
                                       for s, o in zip(links, on, strict=True)], dtype=np.int64),
            "traffic_elasticity": np.array([s.deaths.traffic_elasticity if o else 0.0
                                            for s, o in zip(links, on, strict=True)], dtype=np.float64),
            "traffic_reference": np.array([s.deaths.traffic_reference if o else 1.0
                                           for s, o in zip(links, on, strict=True)], dtype=np.float64)}
