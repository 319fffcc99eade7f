"""Offshore processing lever (Italy-Albania protocol model): daily parameters and costs.

From `start`, arrivals rescued or intercepted by the destination's own ships who meet the eligibility rule
are taken to a centre with `places` held at once and an accelerated procedure of `target_days`. Granted
people are transferred to the mainland; refused people are returned to origin within the return capacity,
or released into the mainland system after `max_hold_days`. During court suspensions nobody is taken, and
(if `release_on_suspension`) everyone held is brought to the mainland on the suspension's first day.

Ship mode (`ship:`): the candidates picked up on the `collection_days` active days before a trip day are held
aboard (not yet claimants) and all land on the trip day: at the centre (up to the trip `capacity`; the
kernel then applies `places` and screening) or, if the trip day is suspended or past the lever's end, on
the mainland. Candidates on other days go to the mainland queue like everyone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossings.asylum.inputs import per_month_to_daily, schedule_daily, window_mask
from crossings.scenario.asylum import OffshoreLever

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class OffshorePlan:
    active: B  # people are taken offshore today
    places: F64
    grant: F64
    return_cap: F64  # per day
    release: B  # first day of a suspension: bring everyone held to the mainland
    fixed_cost: F64  # per day, from the lever start to its end, suspended or not
    cost_per_person: float
    # ship mode (all None without `ship:`)
    collect: B | None = None  # today's candidates are held aboard
    land: B | None = None  # a scheduled trip day: everyone aboard leaves the ship today
    trip_capacity: int | None = None

    @property
    def ship(self) -> bool:
        return self.land is not None


def trip_days(lever: OffshoreLever, start: dt.date, n_days: int) -> list[int]:
    """Day indices of the ship's trips inside the run: the listed dates, plus every `every_days` from the
    lever start (first trip one period after the start, so it has a full collection window)."""
    ship = lever.ship
    if ship is None:
        return []
    days = {(d - start).days for d in ship.trips}
    if ship.every_days is not None:
        last = n_days - 1 if lever.end is None else min(n_days - 1, (lever.end - start).days)
        days.update(range((lever.start - start).days + ship.every_days, last + 1, ship.every_days))
    return sorted(t for t in days if 0 <= t < n_days)


def ship_masks(lever: OffshoreLever, start: dt.date, n_days: int, active: B) -> tuple[B, B]:
    """(collect, land): collection days are the active days among the `collection_days` before a trip day.
    Trips after the run's end collect nothing, so nobody is left aboard when the run ends."""
    assert lever.ship is not None
    collect = np.zeros(n_days, dtype=bool)
    land = np.zeros(n_days, dtype=bool)
    for t in trip_days(lever, start, n_days):
        land[t] = True
        collect[max(t - lever.ship.collection_days, 0):t] = True
    return collect & active, land


def ship_day(plan: OffshorePlan, t: int, aboard: int, picked: int) -> tuple[int, int, int]:
    """One day of the ship: (people landed at the centre, landed on the mainland, aboard after today).

    Those aboard land first (on a trip day), then today's `picked` candidates board (collection day)."""
    assert plan.land is not None
    to_centre = to_main = 0
    if plan.land[t]:
        to_centre = aboard if plan.active[t] else 0  # suspended trip day: no trip, all to the mainland
        if plan.trip_capacity is not None:
            to_centre = min(to_centre, plan.trip_capacity)
        to_main = aboard - to_centre
        aboard = 0
    return to_centre, to_main, aboard + picked


def offshore_plan(lever: OffshoreLever, start: dt.date, n_days: int, grant_daily: F64) -> OffshorePlan:
    on = window_mask(start, n_days, lever.start, lever.end)
    suspended = np.zeros(n_days, dtype=bool)
    release = np.zeros(n_days, dtype=bool)
    for w in lever.suspensions:
        m = window_mask(start, n_days, w.start, w.end) & on
        suspended |= m
        t0 = (w.start - start).days
        if lever.release_on_suspension and 0 <= t0 < n_days and on[t0]:
            release[t0] = True
    grant = np.full(n_days, lever.grant_rate) if lever.grant_rate is not None else grant_daily
    fixed = np.where(on, lever.fixed_cost_per_year / 365.0, 0.0)
    t_start = (lever.start - start).days
    if 0 <= t_start < n_days:
        fixed[t_start] += lever.fixed_cost_once
    active = on & ~suspended
    collect, land = ship_masks(lever, start, n_days, active) if lever.ship is not None else (None, None)
    return OffshorePlan(
        active=active,
        places=schedule_daily(lever.places, start, n_days) * on,
        grant=grant,
        return_cap=per_month_to_daily(schedule_daily(lever.return_capacity_per_month, start, n_days), start),
        release=release,
        fixed_cost=fixed,
        cost_per_person=lever.cost_per_person,
        collect=collect,
        land=land,
        trip_capacity=lever.ship.capacity if lever.ship is not None else None,
    )
