"""Pydantic v2 schema of a Crossings scenario: dates not ticks, explicit units, unknown keys rejected.

A scenario names places (regions where people gather, departure coasts, destinations), land links
(region -> coast, with a log-attractiveness standing for cost), sea links (the crossing routes, each with
its process parameters), inflows (people per day reaching a region, log-linear between dated knots),
levers with start/end dates, and the observed series to compare with. See docs/scenario_format.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from crossings.scenario.asylum import AsylumConfig
from crossings.scenario.fields import Prob, Strict
from crossings.scenario.fit_spec import FitSpec
from crossings.scenario.levers import SeaLeverModel
from crossings.scenario.levers.anti_smuggling import AntiSmuggling
from crossings.scenario.levers.base import SeaLever
from crossings.scenario.levers.partner_coastguard import PartnerCoastguard
from crossings.scenario.levers.rescue import Rescue
from crossings.scenario.levers.safe_route import SafeRoute

__all__ = ["AntiSmuggling", "LeverBase", "PartnerCoastguard", "Rescue", "SafeRoute"]


class Place(Strict):
    name: str
    kind: Literal["region", "coast", "destination"]
    country: str | None = None


class LandLink(Strict):
    """People gathering in `from_` may go to coast `to`; `attractiveness` is the log-weight of the coast
    in the coast-choice logit (cost, networks, distance), relative to the region's other coasts."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    # log-weight: bounded so exp() neither overflows nor makes every other coast's weight 0
    attractiveness: Annotated[float, Field(ge=-50.0, le=50.0)] = 0.0
    # optional drift: values by date (linear between, flat outside) replace the constant
    attractiveness_by_date: dict[dt.date, Annotated[float, Field(ge=-50.0, le=50.0)]] | None = None


class DatedSeries(Strict):
    """A value that changes over time: linear interpolation between dated points, flat outside."""

    unit: str
    values: dict[dt.date, float]

    @model_validator(mode="after")
    def _nonempty(self) -> DatedSeries:
        if not self.values:
            raise ValueError("needs at least one dated value")
        return self


class BoatSizes(DatedSeries):
    """People per boat (mean by date) and the spread of single boats' sizes around it: cv =
    coefficient of variation (0 = every boat has the date's size; at most 1/sqrt(6) = 0.408, the
    largest a symmetric triangular draw allows while staying positive: see crossings.sea.kernel)."""

    cv: Annotated[float, Field(ge=0.0, le=0.4)] = 0.0
    # a heavy-tailed size law instead (crossings.sea.boat_sizes): each boat's size = the date's mean x a mean-one
    # lognormal factor with this log-sd (tabulated); 0 = off. Not with cv > 0 (one law of sizes per route)
    size_sigma: Annotated[float, Field(ge=0.0, le=3.0)] = 0.0
    # at least one person; at most 2,000 (the largest boats recorded carried about 750, Pylos 2023)
    values: dict[dt.date, Annotated[float, Field(ge=1.0, le=2000.0)]]

    @model_validator(mode="after")
    def _one_size_law(self) -> BoatSizes:
        if self.cv > 0.0 and self.size_sigma > 0.0:
            raise ValueError("give either cv (triangular sizes) or size_sigma (lognormal sizes), not both")
        return self


class MonthlyProb(Strict):
    """Probability per day by calendar month (12 values, January first)."""

    unit: Literal["probability per day"] = "probability per day"
    by_month: list[Prob] = Field(min_length=12, max_length=12)


class Weather(MonthlyProb):
    """Crossing windows: the chance a day is a window by month, and how much windows come in spells.

    persistence = lag-1 autocorrelation of the window state (a two-state Markov chain whose stationary
    share of window days is the month's value); 0 = each day drawn independently.
    quality_shape = k: a window's quality U^k (U uniform per coast and day) multiplies the launch share
    that day, so some windows are marginal (a boat or two try); 0 = every window as good.
    """

    persistence: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    quality_shape: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0


class StopOutcome(Strict):
    """What happens to people stopped before departure or intercepted at sea (shares summing to 1)."""

    returned: Prob
    detained: Prob
    give_up: Prob

    @model_validator(mode="after")
    def _sum_one(self) -> StopOutcome:
        if abs(self.returned + self.detained + self.give_up - 1.0) > 1e-6:
            raise ValueError("returned + detained + give_up must equal 1")
        return self


class SeaDeaths(Strict):
    """Deaths as they happen (crossings.sea.deaths, docs/sea_model.md "Deaths"): the incident chance per
    boat varies with the season and the people per boat; people lost per incident are drawn from a
    zero-truncated discrete lognormal fitted to IOM Missing Migrants incidents (capped at the people aboard)."""

    season_amplitude: Annotated[float, Field(ge=-3.0, le=3.0)] = 0.0  # log-scale; incident x exp(A cos(...))
    season_peak_month: Annotated[float, Field(ge=1.0, lt=13.0)] = 1.0  # fractional month of the riskiest seas
    crowding_exponent: Annotated[float, Field(ge=-3.0, le=5.0)] = 0.0  # incident x (people per boat / ref)^gamma
    crowding_reference: Annotated[float, Field(gt=0.0)] = 1.0  # people per boat where the crowding factor is 1
    loss_mu: Annotated[float, Field(ge=-20.0, le=8.0)]  # log-scale location of people lost per incident
    loss_sigma: Annotated[float, Field(gt=0.0, le=5.0)]  # log-scale spread
    # second harmonic of the season (period 6 months): x exp(A2 cos(4 pi (month - peak2) / 12)); 0 = one cosine
    season_amplitude_2: Annotated[float, Field(ge=-3.0, le=3.0)] = 0.0
    season_peak_month_2: Annotated[float, Field(ge=1.0, lt=13.0)] = 1.0
    # latent year driver: the incident chance x Z_year, Z ~ Gamma(mean 1, variance year_dispersion), one draw
    # per seed and year (sea.deaths.year_multipliers); 0 = none
    year_dispersion: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    # traffic: the incident chance x (people who sailed in the last 30 days on the routes of the same
    # observed_route / traffic_reference)^traffic_elasticity (sea.kernel._traffic_factors); 0 = none
    traffic_elasticity: Annotated[float, Field(ge=-3.0, le=3.0)] = 0.0
    traffic_reference: Annotated[float, Field(gt=0.0)] = 1.0  # people sailing in 30 days where the factor is 1
    # season of the people lost per incident (winter wrecks are bigger): loss_mu + B cos(2 pi (month - peak) / 12)
    # in calendar month `month` (its middle: one loss table per month, sea.deaths); 0 = one table all year
    loss_season_amplitude: Annotated[float, Field(ge=-3.0, le=3.0)] = 0.0
    loss_season_peak_month: Annotated[float, Field(ge=1.0, lt=13.0)] = 1.0
    # the IOM Missing Migrants route whose incidents the fit reads (calibrate/deaths.py); None = not fitted
    observed_route: Literal["Central Mediterranean", "Mainland Europe to the UK"] | None = None


class SeaLink(Strict):
    """One crossing route from a departure coast to a destination, with its process parameters."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str
    from_: str = Field(alias="from")
    to: str
    weather: Weather  # chance that a day is a crossing window (and spells of windows)
    launch_share: Prob  # share of waiting people who try on a good day ("per good day")
    # most boats launched from the coast on one window day (smugglers' supply of boats and engines,
    # beaches that can be used): boats beyond it wait for the next window; null = no limit
    launch_capacity: Annotated[float, Field(ge=1.0, le=1e6)] | None = None  # boats per window day
    people_per_boat: BoatSizes  # "people per boat"
    prevention: Prob = 0.0  # share of attempts stopped on land before departure (no lever)
    interception: Prob = 0.0  # chance a departed boat is intercepted by the partner authority (no lever)
    # boats the partner can intercept on one day: with more boats out, each one's chance falls to
    # interception x capacity / boats (a surge overwhelms the patrols); null = no limit
    interception_capacity: Annotated[float, Field(gt=0.0, le=1e6)] | None = None  # boats per day
    incident_per_boat: Prob  # chance a sailing boat has a fatal incident
    lethality: Prob  # share of the people on a boat with an incident who die (no rescue lever)
    deaths: SeaDeaths | None = None  # lumpy deaths (replaces lethality when given)
    stopped: StopOutcome
    rescued_by_destination_share: Prob = 0.0  # share of arrivals brought ashore by the destination's ships


class Inflow(Strict):
    """People reaching a region: log-linear in time between dated knots (knots at most yearly), times
    a smooth travel season exp(seasonal_amplitude * cos(2 pi (month - seasonal_peak_month) / 12))."""

    region: str
    unit: Literal["people per day"] = "people per day"
    knots: dict[dt.date, Annotated[float, Field(gt=0.0, le=1e7)]]  # ceiling: 10 million people a day
    seasonal_amplitude: Annotated[float, Field(ge=0.0, le=3.0)] = 0.0  # log units
    seasonal_peak_month: Annotated[float, Field(ge=1.0, lt=13.0)] = 7.0  # fractional month of the peak

    @model_validator(mode="after")
    def _spacing(self) -> Inflow:
        days = sorted(self.knots)
        if not days:
            raise ValueError("needs at least one knot")
        for a, b in zip(days, days[1:], strict=False):
            if (b - a).days < 365:
                raise ValueError(f"knots {a} and {b} are closer than a year")
        return self


class Choice(Strict):
    """Coast choice: P(coast) ~ exp(attractiveness - risk_weight * risk), risk = P(attempt fails or kills)."""

    risk_weight: float = Field(ge=0.0, le=100.0)  # above 100, exp(-w * risk) underflows for risky coasts


# the sea levers: one module each in crossings.scenario.levers (schema, action, baseline, doc page)
LeverBase = SeaLever
Lever = SeaLeverModel


class ObservedSeries(Strict):
    """One observed series to compare with: a column of a bundled file (crossings.core.observed.load)."""

    route: str  # a route name, or a destination name for all routes to it
    measure: Literal["arrivals", "departures", "boats", "interceptions", "deaths", "prevented"]
    file: str
    column: str
    freq: Literal["daily", "monthly"]
    filter: dict[str, str] = Field(default_factory=dict)  # column == value row filter
    absent_is_zero: bool = False  # daily files that omit days without arrivals (UNHCR Italy)


class ObservedTotal(Strict):
    """An observed total over a period (e.g. arrivals by departure country), copied from a bundled file."""

    route: str
    measure: Literal["arrivals", "departures", "boats", "interceptions", "deaths", "prevented"]
    start: dt.date
    end: dt.date
    value: float = Field(ge=0.0)
    source: str  # bundled file (and row) it comes from


class NetworkPlace(Strict):
    """A land location of a displacement network (as in Flee's locations.csv)."""

    name: str
    kind: Literal["conflict", "town", "camp", "idpcamp", "forward", "marker"]
    country: str = ""
    lat: float = Field(default=0.0, ge=-90.0, le=90.0)
    lon: float = Field(default=0.0, ge=-180.0, le=180.0)
    population: int = Field(default=0, ge=0, le=10**10)  # residents (towns, conflict zones) or capacity (camps)
    conflict_date: dt.date | None = None


class NetworkLink(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    distance_km: float = Field(ge=0.0, le=1e5)


class LandNetwork(Strict):
    """Places and land links of a conflict-displacement network, e.g. imported from a Flee case
    (crossings.flee.to_scenario). Carried and validated; the Flee engine runs such cases."""

    places: list[NetworkPlace]
    links: list[NetworkLink]

    @model_validator(mode="after")
    def _known_ends(self) -> LandNetwork:
        names = {p.name for p in self.places}
        for i, ln in enumerate(self.links):
            for end in (ln.from_, ln.to):
                if end not in names:
                    raise ValueError(f"links.{i}: unknown place {end!r}")
        return self


class Scenario(Strict):
    name: str
    description: str = ""
    start: dt.date
    end: dt.date
    fitted_file: str | None = None  # fitted values (key path -> value), merged before validation
    compare_to_baseline: bool = False
    places: list[Place]
    land_links: list[LandLink]
    sea_links: list[SeaLink]
    inflows: list[Inflow]
    choice: Choice
    levers: dict[str, Lever] = Field(default_factory=dict)
    observed: list[ObservedSeries] = Field(default_factory=list)
    observed_totals: list[ObservedTotal] = Field(default_factory=list)
    land_network: LandNetwork | None = None  # optional displacement network (Flee import)
    fit: FitSpec | None = None  # which values the fit frees (crossings.scenario.fit_spec)
    asylum: AsylumConfig | None = None  # the asylum systems behind the routes (crossings.scenario.asylum)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.end < self.start:
            raise ValueError("end is before start")
        kinds = {p.name: p.kind for p in self.places}
        if len(kinds) != len(self.places):
            raise ValueError("place names must be unique")
        for i, ll in enumerate(self.land_links):
            if kinds.get(ll.from_) != "region":
                raise ValueError(f"land_links.{i}.from: {ll.from_!r} is not a region place")
            if kinds.get(ll.to) != "coast":
                raise ValueError(f"land_links.{i}.to: {ll.to!r} is not a coast place")
        coasts = [s.from_ for s in self.sea_links]
        for i, s in enumerate(self.sea_links):
            if kinds.get(s.from_) != "coast":
                raise ValueError(f"sea_links.{i}.from: {s.from_!r} is not a coast place")
            if kinds.get(s.to) != "destination":
                raise ValueError(f"sea_links.{i}.to: {s.to!r} is not a destination place")
            if sum(1 for ll in self.land_links if ll.to == s.from_) != 1:
                raise ValueError(f"sea_links.{i}.from: coast {s.from_!r} needs exactly one land link")
        if len(set(coasts)) != len(coasts):
            raise ValueError("one sea link per departure coast")
        routes = {s.name for s in self.sea_links}
        if len(routes) != len(self.sea_links):
            raise ValueError("sea link names must be unique")
        for i, inf in enumerate(self.inflows):
            if kinds.get(inf.region) != "region":
                raise ValueError(f"inflows.{i}.region: {inf.region!r} is not a region place")
        for name, lv in self.levers.items():
            for r in lv.named_routes():
                if r not in routes:
                    raise ValueError(f"levers.{name}: unknown route {r!r}")
            if lv.end is not None and lv.end < lv.start:
                raise ValueError(f"levers.{name}.end: before start")
        dests = {p.name for p in self.places if p.kind == "destination"}
        for i, ob in enumerate(self.observed):
            if ob.route not in routes | dests:
                raise ValueError(f"observed.{i}.route: {ob.route!r} is neither a route nor a destination")
        for i, tot in enumerate(self.observed_totals):
            if tot.route not in routes | dests:
                raise ValueError(f"observed_totals.{i}.route: {tot.route!r} is neither a route nor a destination")
        return self
