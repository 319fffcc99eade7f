"""Asylum lever `decision_capacity` (a list): caseworker capacity in a window. Doc: docs/levers/decision_capacity.md."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from crossings.scenario.fields import DatedLever
from crossings.scenario.levers.base import AsylumDays, LeverKind


class DecisionCapacityLever(DatedLever):
    """Caseworker capacity: initial decisions per month in the window, set outright or as a multiple of history."""

    per_month: Annotated[float, Field(ge=0, le=1e7)] | None = None
    multiplier: Annotated[float, Field(ge=0, le=1e3)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> DecisionCapacityLever:
        if (self.per_month is None) == (self.multiplier is None):
            raise ValueError("give exactly one of per_month or multiplier")
        return self


def apply(d: AsylumDays, lv: DecisionCapacityLever, on: npt.NDArray[np.bool_]) -> None:
    """Acts on the observed or held capacity alike: replaced (per_month) or scaled (multiplier) while on."""
    d.decision_capacity = np.where(
        on, np.full(d.n_days, lv.per_month) / d.days_in_month if lv.per_month is not None
        else d.decision_capacity * (lv.multiplier or 0.0), d.decision_capacity)


def apply_share(share: npt.NDArray[np.float64], lv: DecisionCapacityLever, on: npt.NDArray[np.bool_]) -> None:
    """The lever under an after-data rule that decides a share of the queue each day (after_queue.py): a
    multiplier scales the share (k times the caseworkers decide k times as much of the same queue); a per_month
    capacity replaces the share (0 on those days, so the capacity `apply` set decides). In place."""
    share[:] = np.where(on, share * lv.multiplier if lv.multiplier is not None else 0.0, share)


KIND = LeverKind(
    tag="decision_capacity", part="asylum", schema=DecisionCapacityLever, doc="docs/levers/decision_capacity.md",
    off="the destination's own (observed or scheduled) decision capacity", apply_asylum=apply, many=True,
)
