"""Which scenario values are free in the fit, their bounds, and how a parameter vector writes them.

Each free parameter has a key path (as in `--set`) so the fitted file is a plain {key.path: value}
mapping merged into the scenario at load time. Derived values (the month-of-year weather curve, the
shared launch share) are written to several key paths from one parameter.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crossings.core.errors import InputError
from crossings.scenario import overrides

Values = dict[str, Any]


@dataclass
class Free:
    name: str
    lo: float
    hi: float
    x0: float
    write: Callable[[float, Values], None]  # add key.path -> value entries for parameter value x
    log: bool = False  # x is the log of the value written


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _route_names(raw: dict[str, Any]) -> list[str]:
    return [str(s["name"]) for s in raw["sea_links"]]


def inflow_knots(raw: dict[str, Any], i: int) -> list[Free]:
    """Log people per day at each knot of inflow i. Knots after the fit window's end are not free: they
    repeat the last knot inside it (the level persists), so an out-of-sample fit has no free future."""
    region = raw["inflows"][i]["region"]
    end = dt.date.fromisoformat(str(raw["end"]))
    days = sorted(raw["inflows"][i]["knots"], key=date_key)
    inside = [d for d in days if date_key(d) <= end.isoformat()] or days[:1]
    later = [d for d in days if d not in inside]
    out = []
    for day in inside:
        keys = [f"inflows.{i}.knots.{date_key(day)}"]
        if day == inside[-1]:
            keys += [f"inflows.{i}.knots.{date_key(d)}" for d in later]

        def w(x: float, vals: Values, keys: list[str] = keys) -> None:
            for k in keys:
                vals[k] = math.exp(x)

        v = float(raw["inflows"][i]["knots"][day])
        out.append(Free(f"log_inflow[{region},{date_key(day)}]", math.log(0.05), math.log(5000.0), math.log(v), w))
    return out


def log_value(path: str, x0: float, lo: float, hi: float) -> Free:
    """A positive value fitted on the log scale."""

    def w(x: float, vals: Values) -> None:
        vals[path] = math.exp(x)

    return Free(path, math.log(lo), math.log(hi), math.log(min(max(x0, lo), hi)), w, log=True)


def season(raw: dict[str, Any], i: int) -> list[Free]:
    inf = raw["inflows"][i]
    return [value(f"inflows.{i}.seasonal_amplitude", float(inf.get("seasonal_amplitude", 0.5)), 0.0, 3.0),
            value(f"inflows.{i}.seasonal_peak_month", float(inf.get("seasonal_peak_month", 7.0)), 4.0, 10.0)]


def shared(raw: dict[str, Any], field: str, lo: float, hi: float, routes: list[str] | None = None) -> Free:
    names = routes or _route_names(raw)
    x0 = float(next(s[field] for s in raw["sea_links"] if s["name"] == names[0]))

    def w(x: float, vals: Values) -> None:
        for r in names:
            vals[f"sea_links.{r}.{field}"] = x

    return Free(f"{field}[{','.join(names)}]", lo, hi, min(max(x0, lo), hi), w)


def value(path: str, x0: float, lo: float, hi: float) -> Free:
    def w(x: float, vals: Values) -> None:
        vals[path] = x

    return Free(path, lo, hi, min(max(x0, lo), hi), w)


def raised(base_path: str, lever_path: str, raw: dict[str, Any]) -> list[Free]:
    """A route's interception and a deal's: lever = base + raise, raise >= 0 (a deal adds patrols; the
    evidence has the intercepted share rising after the Tunisia MoU, EVIDENCE.md)."""
    state = {"base": 0.3, "up": 0.1}

    def make(k: str) -> Callable[[float, Values], None]:
        def w(x: float, vals: Values) -> None:
            state[k] = x
            vals[base_path] = state["base"]
            vals[lever_path] = min(state["base"] + state["up"], 0.95)
        return w

    return [Free(f"{base_path}", 0.0, 0.9, 0.3, make("base")),
            Free(f"raise of {lever_path}", 0.0, 0.6, 0.1, make("up"))]


def seasonal_weather(raw: dict[str, Any]) -> list[Free]:
    """p(month) = logistic(a + b cos(2 pi (month - peak) / 12)), written to every route's by_month."""
    state = {"a": 0.0, "b": 1.0, "peak": 7.0}
    names = _route_names(raw)

    def make(k: str) -> Callable[[float, Values], None]:
        def w(x: float, vals: Values) -> None:
            state[k] = x
            curve = [_logistic(state["a"] + state["b"] * math.cos(2 * math.pi * (m - state["peak"]) / 12))
                     for m in range(1, 13)]
            for r in names:
                vals[f"sea_links.{r}.weather.by_month"] = curve
        return w

    return [Free("weather_a", -3.0, 3.0, 0.0, make("a")), Free("weather_b", 0.0, 4.0, 1.0, make("b")),
            Free("weather_peak_month", 4.0, 10.0, 7.0, make("peak"))]


def attractiveness_knots(raw: dict[str, Any], j: int) -> list[Free]:
    link = raw["land_links"][j]
    out = []
    for day, v in (link.get("attractiveness_by_date") or {}).items():
        out.append(value(f"land_links.{j}.attractiveness_by_date.{day}", float(v), -5.0, 5.0))
    return out


def scheduled_levels(raw: dict[str, Any], lever: str, field: str, lo: float, hi: float) -> list[Free]:
    """One value for a lever's `field` (the level before its schedule) and one per date of its
    `field_by_date` step schedule. Dates after the fit window's end are not free: they repeat the last
    level inside it (as the inflow knots do), so an out-of-sample fit has no free future."""
    end = dt.date.fromisoformat(str(raw["end"]))
    lv = raw["levers"][lever]
    sched = lv.get(f"{field}_by_date") or {}
    days = sorted(sched, key=date_key)
    inside = [d for d in days if date_key(d) <= end.isoformat()]
    later = [d for d in days if d not in inside]
    paths = [(f"levers.{lever}.{field}", lv[field])] + [
        (f"levers.{lever}.{field}_by_date.{date_key(d)}", sched[d]) for d in inside]
    out = []
    for path, v in paths:
        keys = [path] + ([f"levers.{lever}.{field}_by_date.{date_key(d)}" for d in later]
                         if path == paths[-1][0] else [])

        def w(x: float, vals: Values, keys: list[str] = keys) -> None:
            for k in keys:
                vals[k] = x

        out.append(Free(path, lo, hi, min(max(float(v), lo), hi), w))
    return out


def _block(raw: dict[str, Any], b: dict[str, Any]) -> list[Free]:
    """The free parameters of one declared block (crossings.scenario.fit_spec.FreeBlock)."""
    kind = b["kind"]
    if kind == "inflow_knots":
        return inflow_knots(raw, int(b["inflow"]))
    if kind == "season":
        return season(raw, int(b["inflow"]))
    if kind == "seasonal_weather":
        return seasonal_weather(raw)
    if kind == "attractiveness_knots":
        j = next(j for j, ll in enumerate(raw["land_links"]) if ll["to"] == b["to"])
        return attractiveness_knots(raw, j)
    if kind == "raised":
        return raised(str(b["base"]), str(b["lever"]), raw)
    if kind == "shared":
        return [shared(raw, str(b["field"]), float(b["lo"]), float(b["hi"]), b.get("routes"))]
    if kind == "scheduled_levels":
        return scheduled_levels(raw, str(b["lever"]), str(b["field"]), float(b["lo"]), float(b["hi"]))
    path = str(b["path"])
    hi = float(get_path(raw, str(b["hi_from"]))) if b.get("hi_from") else float(b["hi"])
    current = get_path(raw, path, None)
    default = b.get("default")
    x0 = float(current) if current is not None else (float(default) if default is not None else hi)
    if kind == "log_value":
        return [log_value(path, x0, float(b["lo"]), hi)]
    return [value(path, x0, float(b["lo"]), hi)]


def frees_for(raw: dict[str, Any]) -> list[Free]:
    """The fit's free parameters, from the scenario's own `fit.free` blocks (in their order)."""
    return [f for b in (raw.get("fit") or {}).get("free", []) for f in _block(raw, b)]


def has_fit(raw: dict[str, Any]) -> bool:
    return bool((raw.get("fit") or {}).get("free"))


def get_path(raw: dict[str, Any], path: str, default: Any = KeyError) -> Any:
    """The value at a `--set`-style key path in a raw scenario; `default` where there is none."""
    try:
        return overrides.get_path(raw, path, "fit")
    except InputError:
        if default is KeyError:
            raise
        return default


def knot_groups(frees: list[Free]) -> list[list[int]]:
    """Indices of consecutive knots of each smooth curve (for the roughness penalty)."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(frees):
        if f.name.startswith("log_inflow["):
            groups.setdefault(f.name.split(",")[0], []).append(i)
        elif ".attractiveness_by_date." in f.name:
            groups.setdefault(f.name.rsplit(".", 1)[0], []).append(i)
    return list(groups.values())


def date_key(d: dt.date | str) -> str:
    return d.isoformat() if isinstance(d, dt.date) else str(d)
