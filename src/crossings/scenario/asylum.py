"""The `asylum:` section of a scenario: destinations (asylum systems), their inflows, process parameters and
levers. Unknown keys, negative capacities and levers ending before they start are rejected here; the scenario
loader turns pydantic's errors into `InputError(file, key path, problem)` (see `crossings.core.errors.from_validation_error`).

Rates that vary over time are *schedules*: a number, a list of `{start, value}` steps (each value holds from
its start date until the next step), or the word `observed` where the destination has an observed series
(only the UK's Asy_D01/D02/D03/D11 quarterly tables in this release). What `observed` means on days after
the data is the destination's `after_data` rule.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from crossings.core.errors import from_validation_error
from crossings.scenario.fields import DatedLever as Lever
from crossings.scenario.fields import FrozenStrict as _Strict
from crossings.scenario.fields import Observed, Schedule, Share, ShareSchedule, Step, Window
from crossings.scenario.levers import AsylumLevers
from crossings.scenario.levers.decision_capacity import DecisionCapacityLever
from crossings.scenario.levers.deterrence import DeterrenceLever
from crossings.scenario.levers.offshore import OffshoreLever, ShipTrips
from crossings.scenario.levers.third_country import ThirdCountryLever

__all__ = ["DecisionCapacityLever", "DeterrenceLever", "Lever", "Observed", "OffshoreLever", "Schedule", "Share",
           "ShareSchedule", "ShipTrips", "Step", "ThirdCountryLever", "Window", "_Strict"]


# the asylum levers: one module each in crossings.scenario.levers; `Levers` (a destination's `levers:`) has one
# key per registered asylum lever
if TYPE_CHECKING:
    class Levers(_Strict):
        decision_capacity: list[DecisionCapacityLever] = []
        offshore: OffshoreLever | None = None
        third_country: ThirdCountryLever | None = None
        deterrence: DeterrenceLever | None = None

        def __getattr__(self, tag: str) -> Any: ...  # a lever registered later (read through the registry)
else:
    Levers = AsylumLevers


class Inflows(_Strict):
    """Where claims come from. Sea arrivals times a claim share, plus other claims."""

    sea_routes: list[str] | Literal["all"] = "all"  # routes of the sea outcome landing here
    observed_arrivals: Literal["uk_small_boats_daily", "italy_sea_arrivals_daily_unhcr"] | None = None
    # where the sea arrivals come from: "sea" = the sea model's routes landing here (the observed series only
    # when none does); "observed" = the observed series always; "observed_then_sea" = the observed series on
    # the days it covers and the sea model after them (a replay of the data, then a forecast)
    arrivals_from: Literal["sea", "observed", "observed_then_sea"] = "sea"
    # people who came by a safe route (sea lever `safe_route`) who claim asylum on arrival; 0 for a
    # resettlement scheme that grants status on arrival. Counted on sea-model days only (observed arrivals
    # already are what happened)
    safe_route_claim_share: Share = 1.0
    claim_share: ShareSchedule = 1.0
    # other claims per month: a schedule, or the observed Asy_D01 claims minus expected small-boat claims
    other_claims: Literal["observed_residual"] | Schedule = 0.0

    @model_validator(mode="after")
    def _observed_named(self) -> Inflows:
        if self.arrivals_from != "sea" and self.observed_arrivals is None:
            raise ValueError(f"arrivals_from: {self.arrivals_from!r} needs observed_arrivals (the series to read)")
        return self


class Costs(_Strict):
    """Cost per person-night in asylum support, in the destination's currency (sources in docs/levers)."""

    hotel_per_night: Annotated[float, Field(ge=0, le=1e5)] = 0.0
    dispersed_per_night: Annotated[float, Field(ge=0, le=1e5)] = 0.0


class MoveOn(_Strict):
    """Days asylum support runs on after a decision (UK: 28 after a grant, 21 after a final refusal: Asylum
    Support Regulations 2000, reg. 2(2) and 2(2A); docs/asylum_model.md). 0: support ends at the decision."""

    granted: Annotated[int, Field(ge=0, le=3650)] = 0
    refused: Annotated[int, Field(ge=0, le=3650)] = 0


class ObservedStock(_Strict):
    """An observed series to compare a destination's stock with (a value on the dates the file gives):
    declared in the scenario, so a new destination brings its own data without code."""

    measure: str
    file: str  # an observed file (stem) in crossings/data/observed
    column: str
    date_column: str

    @model_validator(mode="after")
    def _declared(self) -> ObservedStock:
        from crossings.core.measures import MEASURES

        if self.measure not in MEASURES:
            raise ValueError(f"measure {self.measure!r} is not declared (crossings.core.measures)")
        return self


# hold_last_year: the last 4 observed quarters; hold_last_quarter: the last one; damped_trend: a damped trend
# on the log (shares: logit) of the last quarters; stochastic: a local level on that scale, drawn (after_data.py);
# stochastic_paths / stochastic_recalibrated: its variants (block bootstrap; band rescaled by past errors)
AfterRule = Literal["error", "hold_last_year", "hold_last_quarter", "damped_trend", "stochastic",
                    "stochastic_paths", "stochastic_recalibrated", "backlog_feedback", "backlog_feedback_rw",
                    "recalibrated_identity", "backlog_rw_identity",  # asylum/after_identity.py
                    "queue_feedback_identity",  # asylum/after_queue.py
                    "mix_identity",  # asylum/after_mix.py: each path picks one of two identity rules
                    "bootstrap_identity"]  # asylum/after_bootstrap.py


class AfterDataSpec(_Strict):
    """The after-data rule with its data cut: inputs count as observed only to `data_until` (a back-test's
    origin; None = the data's own end); `path` numbers the stochastic rule's driver path (None: the run's
    seed, so an ensemble over seeds draws a path per member)."""

    rule: AfterRule
    data_until: dt.date | None = None
    path: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


class Destination(_Strict):
    currency: str = "GBP"
    # observed stocks to compare with (file, column, date column), listed in the tables' `observed` column
    observed: list[ObservedStock] = []
    inflows: Inflows = Inflows()
    initial_awaiting: Annotated[int, Field(ge=0, le=10_000_000)] | Observed = 0
    initial_appeals: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    decision_capacity: Schedule | Observed  # initial decisions per month
    grant_rate: ShareSchedule | Observed
    withdrawal_share: ShareSchedule | Observed = 0.0  # share of initial decisions that are withdrawals
    appeal_probability: Share = 0.0
    appeal_capacity_per_month: Schedule = 0.0
    appeal_allow_rate: Share = 0.0
    removal_capacity_per_month: Schedule = 0.0
    abscond_rate_per_year: Annotated[float, Field(ge=0, le=1e3)] = 0.0  # removable people who lose contact
    support_share: Share = 1.0  # share of claimants taking asylum support while waiting
    support_move_on_days: MoveOn = MoveOn()  # support after a grant / final refusal (people in support only)
    # people in support outside every modelled queue (e.g. refused families, section 4): a stock, not a share
    support_outside_queues: Schedule = 0.0
    dispersed_capacity: Schedule | Observed = 0.0  # people; support beyond it is housed in hotels
    costs: Costs = Costs()
    levers: Levers = Levers()
    # days after the observed data of every `observed` input: "error" (the run fails, naming the input) or a
    # rule (an assumption, listed in the summary; asylum/after_data.py), or {rule, data_until, path}
    after_data: AfterRule | AfterDataSpec = "error"


class AsylumConfig(_Strict):
    """`start`/`end` are used when no sea outcome drives the run (then they must be given)."""

    start: dt.date | None = None
    end: dt.date | None = None
    destinations: Annotated[dict[str, Destination], Field(min_length=1)]

    @model_validator(mode="after")
    def _ordered(self) -> AsylumConfig:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


def parse_asylum(data: object, file: str = "<asylum>") -> AsylumConfig:
    """Validate a plain dict (from YAML) into AsylumConfig, raising InputError on bad input."""
    try:
        return AsylumConfig.model_validate(data)
    except ValidationError as err:
        raise from_validation_error(err, file, prefix="asylum") from None
