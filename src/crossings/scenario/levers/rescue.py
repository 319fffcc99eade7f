"""Sea lever `rescue`: search and rescue multiplies the lethality of incidents on the listed routes.
Doc: docs/levers/rescue.md."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from crossings.scenario.levers.base import F64, LeverKind, RouteFields, SeaLever


class Rescue(SeaLever):
    """Search and rescue: multiplies the lethality of incidents on the listed routes."""

    type: Literal["rescue"]
    routes: list[str]
    death_multiplier: Annotated[float, Field(ge=0.0, le=100.0)]


def apply(f: RouteFields, lv: Rescue, w: F64) -> None:
    """Per-person lethality times the multiplier; on a route whose losses come from a loss table (deaths come
    in lumps, sea.deaths) the incident chance instead. The sea model clips both to [0, 1] after every lever."""
    for r in lv.routes:
        c = f.route_index[r]
        acted = f.incident if f.lumpy[c] else f.lethality
        acted[c] *= 1.0 - w * (1.0 - lv.death_multiplier)


KIND = LeverKind(
    tag="rescue", part="sea", schema=Rescue, doc="docs/levers/rescue.md",
    off="the routes keep their own lethality (no rescue effort beyond the fitted one)", apply_sea=apply,
)
