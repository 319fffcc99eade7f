"""The route-system scenario (scenarios/europe.yaml): origin groups, Frontex routes, dated levers.

Origin groups choose among routes with a logit (utilities fitted by calibrate/europe.py and kept in the
scenario's fitted file); a lever shifts a route's utility, sets a pushback probability at its border, or
changes the share continuing on a chained route, from its start date, and can be switched off for a
counterfactual. Every problem becomes InputError(file, "key.path", problem).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crossings.core.errors import InputError, from_validation_error
from crossings.scenario.load import check_finite, read_yaml

Evidence = Literal["strong", "moderate", "weak", "assumption"]


class RouteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    frontex: str  # the route's name in the Frontex files
    kind: Literal["sea", "land", "sea_and_land"]
    mean_stay_days: float = Field(gt=0.0)  # mean wait at the border between attempts (transit stay)
    retry: float = Field(ge=0.0, le=1.0)  # a pushed-back person tries the same border again
    count_pushed: bool  # a detected attempt pushed back is a Frontex detection (land borders)
    onward_to: str | None = None  # the chained route people may continue on after crossing


class LeverSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    route: str
    start: dt.date
    end: dt.date | None = None
    utility: float | Literal["fit"] | None = None  # shift of the route's logit utility
    pushback: float | None = Field(default=None, ge=0.0, le=1.0)  # share of detected attempts pushed back
    onward: float | Literal["fit"] | None = None  # shift of the logit of the onward share
    evidence: Evidence
    source: str  # references in ../shared/design/EVIDENCE_EUROPE.md (R-numbers)
    note: str = ""
    enabled: bool = True

    @model_validator(mode="after")
    def _acts(self) -> LeverSpec:
        if self.utility is None and self.pushback is None and self.onward is None:
            raise ValueError("a lever must set utility, pushback or onward")
        if self.end is not None and self.end < self.start:
            raise ValueError("end: before start")
        return self


class RouteFit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: dt.date
    end: dt.date
    shock_sd: float = Field(gt=0.0)  # prior sd of a route-year utility shock (log scale)
    min_share: float = Field(gt=0.0, lt=1.0)  # a route joins a group's choice set above this share


class DeathsSpec(BaseModel):
    """Deaths on the routes (land/deaths.py, calibrate/europe_deaths.py): which IOM Missing Migrants route's
    annual dead and missing each Frontex route is fitted to; routes not listed get no deaths (no data, no rate)."""

    model_config = ConfigDict(extra="forbid")
    observed_routes: dict[str, str]  # route -> MMP route in deaths_missing_by_route_annual_iom_mmp.csv
    source: str = ""


class OnwardSpec(BaseModel):
    """The onward leg towards a crossing region (land/onward.py): a yearly share of the feeding routes'
    persons sets out for `place`, reaching it after a transit stay; fitted by calibrate/europe_onward.py."""

    model_config = ConfigDict(extra="forbid")
    place: str = "northern_france"  # the crossing scenario's region the leg supplies
    from_routes: list[str] | Literal["all"] = "all"  # routes whose persons may move on
    crossing: str = "channel.yaml"  # the crossing scenario (its fitted sea process), relative to this file
    fitted_file: str = "europe.onward.fitted.yaml"  # written by python -m crossings.calibrate.europe_onward


class EuropeScenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    start: dt.date
    end: dt.date
    seed: int = 1
    routes: dict[str, RouteSpec]
    groups: dict[str, list[str]]  # ISO3 nationalities; one group may list "*" (all the others)
    levers: dict[str, LeverSpec] = {}
    fit: RouteFit
    deaths: DeathsSpec | None = None
    fitted: dict[str, float] = {}  # parameter name -> value, from the fitted file
    onward: OnwardSpec | None = None  # the onward leg towards the Channel (land/onward.py)
    onward_fitted: dict[str, float] = {}  # the onward leg's fitted values (onward.fitted_file)

    @model_validator(mode="after")
    def _consistent(self) -> EuropeScenario:
        if self.end < self.start:
            raise ValueError("end: before start")
        for name, r in self.routes.items():
            if r.onward_to is not None and r.onward_to not in self.routes:
                raise ValueError(f"routes.{name}.onward_to: unknown route {r.onward_to!r}")
        for name, lv in self.levers.items():
            if lv.route not in self.routes:
                raise ValueError(f"levers.{name}.route: unknown route {lv.route!r}")
            if lv.onward is not None and self.routes[lv.route].onward_to is None:
                raise ValueError(f"levers.{name}.onward: route {lv.route!r} has no onward route")
        if self.onward is not None and self.onward.from_routes != "all":
            for fr in self.onward.from_routes:
                if fr not in self.routes:
                    raise ValueError(f"onward.from_routes: unknown route {fr!r}")
        for name in (self.deaths.observed_routes if self.deaths else {}):
            if name not in self.routes:
                raise ValueError(f"deaths.observed_routes.{name}: unknown route")
        seen: dict[str, str] = {}
        stars = [g for g, iso in self.groups.items() if "*" in iso]
        if len(stars) > 1:
            raise ValueError(f"groups: only one group may hold '*', found {stars}")
        for g, iso in self.groups.items():
            for c in iso:
                if c in seen:
                    raise ValueError(f"groups.{g}: {c} is already in group {seen[c]!r}")
                seen[c] = g
        return self

    def group_of(self, iso3: str) -> str | None:
        for g, iso in self.groups.items():
            if iso3 in iso:
                return g
        return next((g for g, iso in self.groups.items() if "*" in iso), None)


def fitted_path(path: Path) -> Path:
    return path.with_name(path.stem + ".fitted.yaml")


def _fitted_values(path: Path) -> dict[str, Any]:
    """A fitted file's `values` mapping (finite numbers), or InputError naming the file."""
    fit_raw = read_yaml(path)
    check_finite(fit_raw, str(path))
    values = fit_raw.get("values", {})
    if not isinstance(values, dict):
        raise InputError(str(path), "values", "must be a mapping of parameter name to number")
    return values


def load_europe(path: str | Path, overrides: dict[str, Any] | None = None, fitted: bool = True) -> EuropeScenario:
    """Read a route-system scenario and (if present and asked for) its fitted file beside it."""
    p = Path(path)
    raw = read_yaml(p)
    check_finite(raw, str(p))
    for key, value in (overrides or {}).items():  # "levers.x.enabled" -> value
        node = raw
        *head, last = key.split(".")
        for k in head:
            if not isinstance(node, dict) or k not in node:
                raise InputError(str(p), key, "no such key")
            node = node[k]
        if not isinstance(node, dict) or last not in node:
            raise InputError(str(p), key, "no such key")
        node[last] = value
    fp = fitted_path(p)
    if fitted and fp.exists():
        raw["fitted"] = _fitted_values(fp)
    ow = raw.get("onward")
    if isinstance(ow, dict):  # the crossing scenario is named relative to this file; the leg's fitted values
        ow["crossing"] = str(p.parent / str(ow.get("crossing", OnwardSpec().crossing)))
        op = p.with_name(str(ow.get("fitted_file", OnwardSpec().fitted_file)))
        if fitted and op.exists():
            raw["onward_fitted"] = _fitted_values(op)
    try:
        return EuropeScenario.model_validate(raw)
    except ValidationError as err:
        raise from_validation_error(err, str(p)) from None
