"""Offshore processing lever (Italy-Albania protocol model): daily parameters and costs.

From `start`, arrivals rescued or intercepted by the destination's own ships who meet the eligibility rule
are taken to a centre with `places` held at once and an accelerated procedure of `target_days`. Granted
people are transferred to the mainland; refused people are returned to origin within the return capacity,
or released into the mainland system after `max_hold_days`. During court suspensions nobody is taken, and
(if `release_on_suspension`) everyone held is brought to the mainland on the suspension's first day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossings.asylum.inputs import per_month_to_daily, schedule_daily, window_mask
from crossings.asylum.schema import OffshoreLever

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
    return OffshorePlan(
        active=on & ~suspended,
        places=schedule_daily(lever.places, start, n_days) * on,
        grant=grant,
        return_cap=per_month_to_daily(schedule_daily(lever.return_capacity_per_month, start, n_days), start),
        release=release,
        fixed_cost=fixed,
        cost_per_person=lever.cost_per_person,
    )
