"""Sea lever `anti_smuggling`: enforcement against smugglers (fewer launches per window day, fewer boats).
Doc: docs/levers/anti_smuggling.md."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from crossings.scenario.levers.base import F64, LeverKind, RouteFields, SeaLever, ramp_capacity


class AntiSmuggling(SeaLever):
    """Enforcement against smugglers: fewer launches (boats) per good day."""

    type: Literal["anti_smuggling"]
    route: str
    launch_multiplier: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    launch_capacity: Annotated[float, Field(ge=1.0, le=1e6)] | None = None  # boats per window day while active


def apply(f: RouteFields, lv: AntiSmuggling, w: F64) -> None:
    c = f.route_index[lv.route]
    f.launch[c] *= 1.0 - w * (1.0 - lv.launch_multiplier)
    if lv.launch_capacity is not None:
        f.launch_cap[c] = ramp_capacity(f.launch_cap[c], lv.launch_capacity, w)


KIND = LeverKind(
    tag="anti_smuggling", part="sea", schema=AntiSmuggling, doc="docs/levers/anti_smuggling.md",
    off="the route keeps its own launch share and launch capacity", apply_sea=apply,
)
