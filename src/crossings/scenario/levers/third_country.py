"""Asylum lever `third_country`: removal of eligible arrivals to a third country (the UK-Rwanda model). It adds a
queue (people awaiting removal), so it acts through crossings.asylum.removal and the queue kernel.
Doc: docs/levers/third_country.md."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from crossings.scenario.fields import DatedLever, Schedule, Share
from crossings.scenario.levers.base import LeverKind


class ThirdCountryLever(DatedLever):
    """Removal of eligible arrivals to a third country (the UK-Rwanda partnership model)."""

    country: str = "third_country"
    eligible_share: Share
    capacity_per_year: Schedule
    max_wait_days: Annotated[int, Field(gt=0, le=3650)] = 180  # not removed by then: back into the mainland queue
    fixed_cost_once: Annotated[float, Field(ge=0, le=1e12)] = 0.0
    cost_per_person: Annotated[float, Field(ge=0, le=1e7)] = 0.0
    milestone_people: Annotated[int, Field(ge=0, le=10_000_000)] = 0  # a one-off payment once this many are relocated
    milestone_payment: Annotated[float, Field(ge=0, le=1e12)] = 0.0


KIND = LeverKind(
    tag="third_country", part="asylum", schema=ThirdCountryLever, doc="docs/levers/third_country.md",
    off="nobody is earmarked for removal: every claimant enters the mainland queue", acts_in="crossings.asylum.removal",
)
