"""Sea lever `safe_route`: a legal route offered to people who reach the route's departure coast.
Doc: docs/levers/safe_routes.md."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from crossings.scenario.fields import Prob
from crossings.scenario.levers.base import F64, LeverKind, RouteFields, SeaLever


class SafeRoute(SeaLever):
    """A legal route (humanitarian visas, resettlement, family reunion) offered to people who reach the
    route's departure coast: an eligible share takes it while places last, instead of waiting for a boat."""

    type: Literal["safe_route"]
    route: str
    eligible_share: Prob  # share of the people reaching the coast who qualify (e.g. by nationality)
    uptake: Prob = 1.0  # share of those offered a place who take it
    places_per_month: Annotated[float, Field(gt=0.0, le=1e7)]  # people; unused places of a day are lost


def apply(f: RouteFields, lv: SafeRoute, w: F64) -> None:
    """Two schemes on one route: either can take a person; their places add."""
    c = f.route_index[lv.route]
    f.safe_share[c] = 1.0 - (1.0 - f.safe_share[c]) * (1.0 - (w > 0) * lv.eligible_share * lv.uptake)
    f.safe_cap[c] += w * lv.places_per_month * 12.0 / 365.25


KIND = LeverKind(
    tag="safe_route", part="sea", schema=SafeRoute, doc="docs/levers/safe_routes.md",
    off="no safe route: everyone reaching the coast waits for a boat", apply_sea=apply,
)
