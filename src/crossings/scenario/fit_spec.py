"""The fit specification a scenario declares (`fit:`): which of its values are free in the fit, in blocks
(crossings.calibrate.fitspec turns each block into free parameters with bounds). A new route is fitted by
declaring its blocks here, not by code keyed on the scenario's name."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from crossings.scenario.fields import Strict

BlockKind = Literal["inflow_knots", "season", "value", "log_value", "shared", "raised", "seasonal_weather",
                    "attractiveness_knots", "scheduled_levels"]
NEEDS: dict[str, tuple[str, ...]] = {
    "inflow_knots": ("inflow",), "season": ("inflow",), "value": ("path", "lo", "hi"),
    "log_value": ("path", "lo", "hi"), "shared": ("field", "lo", "hi"), "raised": ("base", "lever"),
    "seasonal_weather": (), "attractiveness_knots": ("to",), "scheduled_levels": ("lever", "field", "lo", "hi"),
}


class FreeBlock(Strict):
    """One block of free parameters. kind: inflow_knots (log people/day at each knot of inflow `inflow`),
    season (its seasonal amplitude and peak month), value / log_value (the value at key `path`, in [lo, hi];
    hi may be the value at key `hi_from`), shared (sea_links' `field`, one value for all routes or `routes`),
    raised (`base` and `lever` = base + a raise >= 0), seasonal_weather (every route's monthly window curve),
    attractiveness_knots (the dated attractiveness of the land link to coast `to`), scheduled_levels (a lever's
    `field` and its `field`_by_date steps)."""

    kind: BlockKind
    inflow: int | None = Field(default=None, ge=0)
    path: str | None = None
    field: str | None = None
    lever: str | None = None
    base: str | None = None
    to: str | None = None
    routes: list[str] | None = None
    lo: float | None = None
    hi: float | None = None
    hi_from: str | None = None  # the upper bound is the scenario's value at this key path
    default: float | None = None  # start value where the scenario has none (log_value)

    @model_validator(mode="after")
    def _complete(self) -> FreeBlock:
        missing = [k for k in NEEDS[self.kind] if getattr(self, k) is None and not (k == "hi" and self.hi_from)]
        if missing:
            raise ValueError(f"a {self.kind!r} block needs {', '.join(missing)}")
        return self


class FitSpec(Strict):
    free: list[FreeBlock] = Field(min_length=1)
    # fit the day-to-day shape too (window shares, persistence, boat-size spread, single-boat days: moments of
    # the route's daily arrivals and boats from this date; calibrate/moments.py); None = monthly series only
    daily_moments_from: dt.date | None = None
    # inputs the scenario read off observed data, re-derived from data before a forecast origin
    # (crossings.calibrate.origin_inputs): where each route's people per boat comes from (the Home Office daily
    # series' year mean, or IOM Missing Migrants' people per incident on the route's deaths.observed_route), and
    # the lever whose prevention share is the mean of the scenario's `prevented` observed totals
    people_per_boat_from: Literal["home_office_daily_by_year", "mmp_people_per_incident"] | None = None
    prevention_from_observed_totals: str | None = None  # a lever's name
