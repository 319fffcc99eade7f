"""Asylum lever `offshore`: offshore processing (the Italy-Albania protocol model). It adds a queue to the
destination (the centre), so it acts through crossings.asylum.offshore (the plan: daily places, grant rate,
returns, suspensions, ship trips) and the queue kernel. Doc: docs/levers/offshore.md."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator

from crossings.scenario.fields import DatedLever, FrozenStrict, Schedule, Share, Window
from crossings.scenario.levers.base import LeverKind


class ShipTrips(FrozenStrict):
    """People reach the centre by ship trips, not daily: the pickups of the `collection_days` days before
    each trip day are held aboard and landed together on the trip day (docs/levers/offshore.md)."""

    trips: list[dt.date] = []  # dates the ship lands people at the centre (a political decision: an input)
    every_days: Annotated[int, Field(gt=0, le=3650)] | None = None  # or a trip every N days from the lever start
    collection_days: Annotated[int, Field(gt=0, le=3650)]
    capacity: Annotated[int, Field(gt=0, le=10_000_000)] | None = None  # most people per trip; the rest land on the mainland

    @model_validator(mode="after")
    def _some_trip(self) -> ShipTrips:
        if not self.trips and self.every_days is None:
            raise ValueError("give trips, every_days or both")
        if len(set(self.trips)) != len(self.trips):
            raise ValueError("trip dates must be distinct")
        return self


class OffshoreLever(DatedLever):
    """Offshore processing (the Italy-Albania protocol model)."""

    centre: str = "offshore_centre"
    # share of arrivals brought in by the destination's state ships that can carry people offshore
    own_ship_share: Share = 0.0
    # cap that number by the sea outcome's `rescued_by_destination` (off by default: central_med does not
    # estimate it and reports zeros)
    cap_by_sea_rescued: bool = False
    eligible_share: Share  # adult, male, designated safe country, not vulnerable
    screened_out_share: Share = 0.0  # found ineligible on arrival at the centre (minors, vulnerable): sent on
    places: Schedule  # people held at once
    target_days: Annotated[int, Field(gt=0, le=3650)]
    grant_rate: Share | None = None  # None: the destination's initial grant rate of the day
    return_capacity_per_month: Schedule = 0.0
    max_hold_days: Annotated[int, Field(gt=0, le=3650)] = 28  # refused not returned by then are released to the mainland
    suspensions: list[Window] = []
    release_on_suspension: bool = True  # court rulings: people held are brought to the mainland system
    fixed_cost_once: Annotated[float, Field(ge=0, le=1e12)] = 0.0
    fixed_cost_per_year: Annotated[float, Field(ge=0, le=1e12)] = 0.0
    cost_per_person: Annotated[float, Field(ge=0, le=1e7)] = 0.0
    ship: ShipTrips | None = None  # None: candidates are taken to the centre on the day they arrive

    @model_validator(mode="after")
    def _trips_in_window(self) -> OffshoreLever:
        for d in self.ship.trips if self.ship is not None else []:
            if d < self.start or (self.end is not None and d > self.end):
                raise ValueError(f"ship trip {d} is outside the lever's dates")
        return self


KIND = LeverKind(
    tag="offshore", part="asylum", schema=OffshoreLever, doc="docs/levers/offshore.md",
    off="no centre: every claimant enters the mainland queue", acts_in="crossings.asylum.offshore",
)
