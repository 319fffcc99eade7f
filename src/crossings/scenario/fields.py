"""Base classes and field types shared by the scenario schema (schema.py, asylum.py) and the levers
(crossings.scenario.levers), which both build on them: kept here so neither imports the other."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Prob = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    # unknown keys and non-finite numbers (YAML .nan/.inf, text "nan"/"inf") are refused in every model
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --- the asylum part's types (frozen models; schedules of rates) ---


class FrozenStrict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Step(FrozenStrict):
    start: dt.date
    value: Annotated[float, Field(ge=0, le=1e9)]  # people, places or people a month: a billion at most


Schedule = Annotated[float, Field(ge=0, le=1e9)] | list[Step]
Observed = Literal["observed"]
Share = Annotated[float, Field(ge=0, le=1)]
ShareSchedule = Share | list[Step]


class Window(FrozenStrict):
    """A date window, both ends inclusive; `end: null` means open-ended."""

    start: dt.date
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class DatedLever(Window):
    """Every asylum lever is dated: it acts from `start` to `end` (inclusive); `enabled: false` switches it off."""

    enabled: bool = True
