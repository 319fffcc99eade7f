"""Asylum lever `deterrence`: departures fall only through D(q) = d_max * q**k of the realised probability q of
transfer or removal. A feedback from the asylum run to the sea's departures, so it acts through
crossings.asylum.deterrence (q, the multiplier) and the runner (the sea rerun). Doc: docs/levers/deterrence.md."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from crossings.scenario.fields import DatedLever, Share
from crossings.scenario.levers.base import LeverKind


class DeterrenceLever(DatedLever):
    """Departures fall by D(q) = d_max * q**k, q = realised share of arrivals transferred/removed (lagged)."""

    d_max: Share
    k: Annotated[float, Field(gt=0, le=100)]
    window_days: Annotated[int, Field(gt=0, le=3650)] = 90
    lag_days: Annotated[int, Field(ge=0, le=3650)] = 30
    count_offshore_transfers: bool = False  # count people taken offshore (not only removed/returned) in q
    # standalone runs: thin the observed arrivals by 1 - D(q); with a sea model the runner feeds the
    # multiplier back into the sea's departures instead (never both)
    apply_to_inflow: bool = True


KIND = LeverKind(
    tag="deterrence", part="asylum", schema=DeterrenceLever, doc="docs/levers/deterrence.md",
    off="departures are not deterred (multiplier 1)", acts_in="crossings.asylum.deterrence",
)
