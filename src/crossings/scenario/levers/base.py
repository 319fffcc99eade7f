"""What every lever shares: its registry entry (LeverKind), the dated base of sea levers, its weight by day,
and the named daily array bundles a lever acts on. Declared here, on the scenario floor, so that a lever module
imports only crossings.core and crossings.scenario (docs/architecture.md, "Adding a lever")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from crossings.scenario.fields import Strict

F64 = npt.NDArray[np.float64]


class SeaLever(Strict):
    """A sea lever: dated, switchable, with an optional linear build-up after `start`."""

    start: dt.date
    end: dt.date | None = None
    enabled: bool = True
    ramp_days: float = Field(default=0.0, ge=0.0, le=3650.0)  # linear build-up of the effect after `start` (days)

    def named_routes(self) -> list[str]:
        """The sea routes the lever names (checked against the scenario's routes)."""
        route = getattr(self, "route", None)
        return [route] if isinstance(route, str) else list(getattr(self, "routes", []))


def day_ordinals(start: dt.date, n: int) -> F64:
    return np.arange(n, dtype=np.float64) + start.toordinal()


def lever_weight(start: dt.date, end: dt.date | None, ramp_days: float, s0: dt.date, n: int) -> F64:
    """0 before start, linear ramp to 1 over ramp_days, 1 until end (inclusive), 0 after."""
    t = day_ordinals(s0, n) - start.toordinal()
    w = np.clip((t + 1.0) / ramp_days, 0.0, 1.0) if ramp_days > 0 else (t >= 0).astype(np.float64)
    w[t < 0] = 0.0
    if end is not None:
        w[day_ordinals(s0, n) > end.toordinal()] = 0.0
    return w


def ramp_capacity(before: F64, level: float, w: F64) -> F64:
    """A lever's capacity (boats a day) replacing the route's with weight w: log-linear between the two
    (an unlimited route capacity jumps to the lever's level when the lever starts)."""
    base = np.where(np.isfinite(before), before, level)
    out: F64 = base * (level / base) ** w
    return np.where(w > 0, out, before)


@dataclass
class RouteFields:
    """The per-route daily arrays ([route, day]) that sea levers act on, in place. The sea model fills them
    from the routes' own values, applies the levers in order of start, then reads them back."""

    route_index: dict[str, int]
    days: F64  # [T] ordinal of each day
    prevent: F64  # share of attempts stopped on land
    intercept: F64  # per-boat interception chance
    capacity: F64  # boats a day the partner can intercept (inf = no limit)
    launch: F64  # share of waiting people who try on a window day
    launch_cap: F64  # boats a window day can launch (inf = no limit)
    incident: F64  # chance a sailing boat has a fatal incident
    lethality: F64  # share of the people on a boat with an incident who die (per person: routes without a loss table)
    lumpy: npt.NDArray[np.bool_]  # [C] the route draws people lost per incident from a loss table (sea.deaths)
    safe_share: F64  # chance a person reaching the coast takes a safe route if a place is free
    safe_cap: F64  # safe-route places per day


@dataclass
class AsylumDays:
    """One destination's daily arrays that asylum levers act on (in place), with its calendar."""

    start: dt.date
    n_days: int
    days_in_month: F64  # [T] days in each day's month (per-month rates -> per day)
    decision_capacity: F64  # [T] initial decisions per day


@dataclass
class LeverOutput:
    """What a lever with an arrivals hook reports: its place (e.g. the departure country people are returned
    to), daily series by measure (declared in crossings.core.measures), its daily cost (part of the
    destination's cost) and a summary for the run's manifest."""

    tag: str  # the lever kind (the key of its cost and summary)
    place: str
    place_kind: str
    series: dict[str, F64]
    cost: F64
    summary: dict[str, Any] = field(default_factory=dict)


class ArrivalsHook(Protocol):
    """A lever that takes people out of a destination's daily sea arrivals before they claim asylum.

    The asylum simulation calls `take` once a day (after deterrence thinning, before claims are drawn), with the
    day's arrivals and a random key of the lever's own stream; the people taken do not claim. If
    `counts_as_removal`, they count in the realised probability of removal q that the deterrence lever reads."""

    counts_as_removal: bool

    def take(self, t: int, arrivals: int, key: np.uint64) -> int: ...

    def output(self) -> LeverOutput: ...


@dataclass(frozen=True)
class LeverKind:
    """One kind of lever, registered once (crossings.scenario.levers.KINDS).

    tag: the YAML name (a sea lever's `type:`, an asylum lever's key under `levers:`); part: which process it
    acts on; schema: its pydantic model (extra keys forbidden, units and bounds on the fields); doc: its page;
    off: what the lever's absence means for the baseline (`--compare-baseline` switches every lever off).
    How it acts: `apply_sea(fields, lever, w)` on the route arrays with its weight by day (sea levers);
    `apply_asylum(days, lever, on)` on a destination's daily arrays with its active days; `arrivals_hook(lever,
    days)` for a lever that takes people out of the arrivals. Asylum levers whose effect is a queue of the
    kernel (offshore centre, third-country removal) or a feedback (deterrence) act through their process
    module (crossings.asylum.offshore, .removal, .deterrence), named in `acts_in`.
    """

    tag: str
    part: Literal["sea", "asylum"]
    schema: type[BaseModel]
    doc: str
    off: str
    apply_sea: Callable[[RouteFields, Any, F64], None] | None = None
    apply_asylum: Callable[[AsylumDays, Any, npt.NDArray[np.bool_]], None] | None = None
    arrivals_hook: Callable[[Any, AsylumDays], ArrivalsHook] | None = None
    many: bool = False  # asylum: a list of levers under the key (e.g. decision_capacity), else one or null
    acts_in: str = ""
