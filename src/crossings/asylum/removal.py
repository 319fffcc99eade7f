"""Third-country removal lever (UK-Rwanda partnership model): daily parameters and costs.

From `start`, a share of sea arrivals is earmarked for removal and held (in support) until removed within
the capacity per year; anyone not removed within `max_wait_days` rejoins the mainland queue (of 5,700
people earmarked for Rwanda, 2,143 were still reporting in 2024: EVIDENCE.md). Costs follow the National
Audit Office's structure: a fixed payment, a payment per person, a milestone payment (NAO, Mar 2024).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossings.asylum.inputs import schedule_daily, window_mask
from crossings.scenario.asylum import ThirdCountryLever

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RemovalPlan:
    active: npt.NDArray[np.bool_]
    eligible: float
    cap: F64  # removals per day
    max_wait: int
    fixed_cost: F64  # per day (the one-off payment on the start day)
    cost_per_person: float
    milestone_people: int
    milestone_payment: float


def removal_plan(lever: ThirdCountryLever, start: dt.date, n_days: int) -> RemovalPlan:
    on = window_mask(start, n_days, lever.start, lever.end)
    fixed = np.zeros(n_days)
    t0 = (lever.start - start).days
    if 0 <= t0 < n_days:
        fixed[t0] = lever.fixed_cost_once
    return RemovalPlan(
        active=on,
        eligible=lever.eligible_share,
        cap=schedule_daily(lever.capacity_per_year, start, n_days) / 365.0 * on,
        max_wait=lever.max_wait_days,
        fixed_cost=fixed,
        cost_per_person=lever.cost_per_person,
        milestone_people=lever.milestone_people,
        milestone_payment=lever.milestone_payment,
    )


def removal_costs(plan: RemovalPlan, removed: F64) -> F64:
    """Daily cost: fixed payments, per-person payments and the milestone on the day it is reached."""
    cost = plan.fixed_cost + removed * plan.cost_per_person
    if plan.milestone_people > 0:
        cum = np.cumsum(removed)
        hit = np.flatnonzero(cum >= plan.milestone_people)
        if hit.size:
            cost[hit[0]] += plan.milestone_payment
    return cost
