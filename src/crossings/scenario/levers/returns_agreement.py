"""Asylum lever `returns_agreement`: a share of arrivals returned to the departure country within a yearly
capacity (a readmission deal such as the EU-Turkey statement of 2016). Doc: docs/levers/returns_agreement.md.

Each active day, of the day's arrivals an `eligible_share` is drawn (binomial, the lever's own random stream);
as many as the places allow are returned and never claim asylum. Places accrue at capacity_per_year / 365 a day;
places not used carry over for at most `places_kept_days` days' worth (an assumption: the partner's quota is not
lost on a calm day without crossings, but it is not banked for months either). Returned people count as removed in the
realised probability of removal q that the deterrence lever reads (unless `count_in_q: false`).
Costs: a payment per return and a fixed payment per year to the partner, spread over the active days.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import Field

from crossings.core import rng
from crossings.scenario.fields import DatedLever, Share
from crossings.scenario.levers.base import F64, AsylumDays, LeverKind, LeverOutput


class ReturnsAgreementLever(DatedLever):
    """Arrivals returned to the departure country under an agreement, within a yearly capacity."""

    country: str = "departure_country"  # the place the tables report the returns under
    eligible_share: Share  # share of arrivals the agreement covers (nationality, route, inadmissibility)
    capacity_per_year: Annotated[float, Field(ge=0, le=1e7)]  # returns the partner accepts a year (people)
    cost_per_return: Annotated[float, Field(ge=0)] = 0.0  # destination's currency per person returned
    fixed_cost_per_year: Annotated[float, Field(ge=0)] = 0.0  # payments to the partner (currency a year)
    # unused places kept for later days, in days of capacity (assumption, see the module's docstring)
    places_kept_days: Annotated[float, Field(ge=1, le=365)] = 30.0
    count_in_q: bool = True  # returned people count as removed in the realised q (deterrence)


class ReturnsHook:
    """The lever's day-by-day state: places left and what it did (an ArrivalsHook)."""

    def __init__(self, lever: ReturnsAgreementLever, days: AsylumDays) -> None:
        t = np.arange(days.n_days)
        t0 = (lever.start - days.start).days
        t1 = (lever.end - days.start).days if lever.end is not None else days.n_days
        self.lever = lever
        self.on: npt.NDArray[np.bool_] = (t >= t0) & (t <= t1)
        self.per_day = lever.capacity_per_year / 365.0
        self.places = 0.0
        self.returned = np.zeros(days.n_days)
        self.unplaced = np.zeros(days.n_days)  # eligible people the day's places could not take
        self.counts_as_removal = lever.count_in_q

    def take(self, t: int, arrivals: int, key: np.uint64) -> int:
        if not self.on[t]:
            return 0
        self.places = min(self.places + self.per_day, max(self.per_day * self.lever.places_kept_days, 1.0))
        eligible = rng.binomial(key, 0, arrivals, self.lever.eligible_share)
        n = min(eligible, int(self.places))
        self.places -= n
        self.returned[t] = n
        self.unplaced[t] = eligible - n
        return n

    def output(self) -> LeverOutput:
        lv = self.lever
        cost: F64 = self.returned * lv.cost_per_return + self.on * (lv.fixed_cost_per_year / 365.0)
        days_on = int(self.on.sum())
        return LeverOutput(
            tag=KIND.tag, place=lv.country, place_kind="third_country", series={"returns": self.returned},
            cost=cost, summary={
                "returned": float(self.returned.sum()), "eligible_not_returned": float(self.unplaced.sum()),
                "capacity_used_share": float(self.returned.sum() / (self.per_day * days_on)) if self.per_day and days_on else None,
            })


def arrivals_hook(lever: ReturnsAgreementLever, days: AsylumDays) -> ReturnsHook:
    return ReturnsHook(lever, days)


KIND = LeverKind(
    tag="returns_agreement", part="asylum", schema=ReturnsAgreementLever, doc="docs/levers/returns_agreement.md",
    off="nobody is returned to the departure country: every arrival may claim", arrivals_hook=arrivals_hook,
)
