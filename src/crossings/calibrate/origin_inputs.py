"""The scenario inputs that were read off data, re-derived at a forecast origin from data before it only.

A scenario YAML holds numbers computed from observed series over the whole data window (their comments name the
computation). At an origin inside the data each of them must be recomputed on the days before the origin, or the
forecast sees the future (docs/forecasting.md, "What the origin knows"). Which inputs were read off which
series is declared in the scenario's `fit:` block (scenario/fit_spec.py), not keyed on its name; fit_at_origin
(forecasting/origin.py) applies the result before the refit, so the refit and the deaths fit see the same inputs,
and so does the fit command with `--fit-end` (calibrate/fit.py, origin = fit end + 1 day): a `fit_to_<year>` file's
agent-model profile, which the back-test's origins reuse, sees the inputs those origins see.

- deaths blocks: calibrate.deaths.deaths_values on [start, origin - 1 day].
- people per boat (`fit.people_per_boat_from`): `home_office_daily_by_year`, the year's mean size people / boats
  from the HO daily series (the source of the Channel's yearly values, uk_small_boats_annual_from_daily), for
  the origin's year from its days before the origin (the previous year's value when the origin is in January),
  held from then on; `mmp_people_per_incident`, the IOM MMP ratio (dead + missing + survivors) / incidents on
  the route's deaths.observed_route over the full calendar years before the origin (central Med).
- a lever's prevention share (`fit.prevention_from_observed_totals`, the Channel's uk_france_deal): the mean of
  the sources known before the origin; with none, the lever is off (its size was not measurable then).
- the daily moments (window shares by month, persistence, boat-size spread): when fit.daily_moments_from is
  on or after the origin, the 12 months before the origin (the scenario's value would read days after it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from crossings.calibrate.deaths import deaths_values
from crossings.core import observed as obs
from crossings.scenario.overrides import apply_overrides


def _date(x: Any) -> dt.date:
    return x if isinstance(x, dt.date) else dt.date.fromisoformat(str(x))


def _month_back(d: dt.date, months: int) -> dt.date:
    m = d.year * 12 + d.month - 1 - months
    return dt.date(m // 12, m % 12 + 1, 1)


def channel_people_per_boat(origin: dt.date, start: dt.date) -> float | None:
    """Mean boat size people / boats (HO daily series) over the origin's year before the origin, or over the
    previous year when the origin is 1 January."""
    d = obs.load("uk_small_boats_daily")
    day = pd.to_datetime(d["date"]).dt.date
    first = dt.date(origin.year, 1, 1) if origin > dt.date(origin.year, 1, 1) else dt.date(origin.year - 1, 1, 1)
    sel = d[(day >= max(first, start)) & (day < origin)]
    boats = float(sel["boats_arrived"].sum())
    return round(float(sel["people_arrived"].sum()) / boats, 2) if boats > 0 else None


def mmp_people_per_boat(origin: dt.date, start: dt.date, route: str) -> float | None:
    """(dead + missing + survivors) / incidents, IOM MMP `route`, full years before the origin."""
    d = obs.load("deaths_missing_by_route_annual_iom_mmp")
    d = d[(d["route"] == route) & (d["partial_year"] == 0) & (d["year"] >= start.year) & (d["year"] < origin.year)]
    n = float(d["incidents"].sum())
    return round(float((d["dead_and_missing"] + d["survivors_reported"]).sum()) / n, 2) if n > 0 else None


def prevention_from_totals(raw: dict[str, Any], origin: dt.date) -> float | None:
    """Share of launch attempts stopped on French beaches, mean of the sources known before the origin: the
    observed_totals `prevented` entries over arrivals in the same days (HO daily), and the HO weekly series'
    weeks with a prevention count (people prevented / (prevented + arrived))."""
    daily = obs.load("uk_small_boats_daily")
    day = pd.to_datetime(daily["date"]).dt.date
    shares = []
    for t in raw.get("observed_totals") or []:
        if t.get("measure") == "prevented" and _date(t["end"]) < origin:
            arrived = float(daily.loc[(day >= _date(t["start"])) & (day <= _date(t["end"])), "people_arrived"].sum())
            shares.append(float(t["value"]) / (float(t["value"]) + arrived))
    w = obs.load("uk_small_boats_weekly_arrivals_and_french_preventions")
    w = w[w["people_prevented_by_france"].notna() & (pd.to_datetime(w["week_ending"]).dt.date < origin)]
    if len(w):
        prev = float(w["people_prevented_by_france"].sum())
        shares.append(prev / (prev + float(w["people_arrived"].sum())))
    return round(sum(shares) / len(shares), 4) if shares else None


def origin_inputs(raw: dict[str, Any], origin: dt.date) -> dict[str, Any]:
    """Key-path values (applied to `raw` in place too) of every data-derived input, from data before `origin`."""
    start = _date(raw["start"])
    out: dict[str, Any] = {}
    spec = raw.get("fit") or {}
    source = spec.get("people_per_boat_from")  # declared in the scenario's fit block (scenario/fit_spec.py)
    for s in raw.get("sea_links", []):
        vals = (s.get("people_per_boat") or {}).get("values") or {}
        key = f"sea_links.{s['name']}.people_per_boat.values"
        if source == "home_office_daily_by_year":
            now = channel_people_per_boat(origin, start)
            if now is not None:
                out.update({f"{key}.{d}": now for d in vals if _date(d) >= dt.date(origin.year, 1, 1)})
        elif source == "mmp_people_per_incident" and len(vals) == 1 and (s.get("deaths") or {}).get("observed_route"):
            now = mmp_people_per_boat(origin, start, s["deaths"]["observed_route"])
            if now is not None:
                out.update({f"{key}.{d}": now for d in vals})
    name = spec.get("prevention_from_observed_totals")
    lv = (raw.get("levers") or {}).get(name) if name else None
    if isinstance(lv, dict) and _date(lv["start"]) < origin:
        share = prevention_from_totals(raw, origin)
        out.update({f"levers.{name}.prevention": share} if share is not None else {f"levers.{name}.enabled": False})
    since = (raw.get("fit") or {}).get("daily_moments_from")
    if since is not None and _date(since) >= origin:
        out["fit.daily_moments_from"] = max(_month_back(origin, 12), start)
    apply_overrides(raw, out, file="origin")
    deaths = deaths_values(raw, start, origin - dt.timedelta(days=1))
    apply_overrides(raw, deaths, file="origin")
    return {**out, **deaths}
