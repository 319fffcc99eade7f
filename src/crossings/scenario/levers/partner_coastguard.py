"""Sea lever `partner_coastguard`: a deal with the departure country (prevention on land, interception at sea,
the partner's capacities). Doc: docs/levers/partner_coastguard.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from crossings.scenario.fields import Prob
from crossings.scenario.levers.base import F64, LeverKind, RouteFields, SeaLever, ramp_capacity


class PartnerCoastguard(SeaLever):
    """A deal with the departure country: prevention before departure and interception at sea."""

    type: Literal["partner_coastguard"]
    route: str
    prevention: Prob | None = None  # share of attempts stopped on land while active (replaces the route's)
    interception: Prob | None = None  # per-boat interception chance while active (replaces the route's)
    interception_capacity: Annotated[float, Field(gt=0.0, le=1e6)] | None = None  # boats per day while active
    # boats that can be launched on one window day while active (beach patrols, drones, supply-chain
    # seizures funded by the deal); replaces the route's launch_capacity
    launch_capacity: Annotated[float, Field(ge=1.0, le=1e6)] | None = None  # boats per window day
    # a step schedule of the interception chance: each value holds from its date until the next one;
    # before the first date `interception` holds (e.g. a partner coastguard whose reach changes by year).
    # Dates lie on or after start + ramp_days and on or before `end`.
    interception_by_date: dict[dt.date, Prob] | None = None

    @model_validator(mode="after")
    def _schedule(self) -> PartnerCoastguard:
        if self.interception_by_date is None:
            return self
        days = list(self.interception_by_date)  # YAML order (a mapping: dates are unique)
        key = "interception_by_date"
        if not days:
            raise ValueError(f"{key}: needs at least one dated value")
        if days != sorted(days):
            raise ValueError(f"{key}: dates must be in increasing order")
        if (days[0] - self.start).days < self.ramp_days:  # a step during the ramp would blend two levels
            raise ValueError(f"{key}: {days[0]} is before the end of the lever's start and ramp "
                             f"({self.start} + {self.ramp_days:g} days)")
        if self.end is not None and days[-1] > self.end:
            raise ValueError(f"{key}: {days[-1]} is after the lever's end {self.end}")
        if self.interception is None and days[0] > self.start:
            raise ValueError(f"{key}: needs `interception`, the level before {days[0]}")
        return self


def apply(f: RouteFields, lv: PartnerCoastguard, w: F64) -> None:
    """The deal's levels replace the route's with weight w (a later deal replaces an earlier one's)."""
    c = f.route_index[lv.route]
    if lv.prevention is not None:
        f.prevent[c] += w * (lv.prevention - f.prevent[c])
    if lv.interception is not None:
        f.intercept[c] += w * (lv.interception - f.intercept[c])
    # the schedule's steps, each replacing the level before it from its date (after the ramp, so w is 0 or 1
    # there and each day gets its scheduled value)
    for day, level in sorted((lv.interception_by_date or {}).items()):
        step = w * (f.days >= day.toordinal())
        f.intercept[c] += step * (level - f.intercept[c])
    if lv.interception_capacity is not None:
        f.capacity[c] = ramp_capacity(f.capacity[c], lv.interception_capacity, w)
    if lv.launch_capacity is not None:
        f.launch_cap[c] = ramp_capacity(f.launch_cap[c], lv.launch_capacity, w)


KIND = LeverKind(
    tag="partner_coastguard", part="sea", schema=PartnerCoastguard, doc="docs/levers/partner_coastguard.md",
    off="the route keeps its own prevention, interception and capacities", apply_sea=apply,
)
