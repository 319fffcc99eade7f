"""Forecast draws past an origin: mechanism (mean-field sea model) x latent inflow driver x monthly noise.

Draw d: the level path l_d (forecast/drivers.py) multiplies every region's inflow from the origin on (month by
month), the mean-field model turns that inflow into flows by coast (coast choice, weather, prevention,
interception capacity, levers), and each month's flows are multiplied by the month's noise exp(e_d): y =
(sim + 10) exp(e) - 10, floored at 0, the inverse of the residual the driver was estimated on. The agent model is
not rerun per draw: the noise e is estimated on observed months, so it already holds the month-to-month
variation the agent model's seeds would add (rerunning them would count it twice); the mean-field is also what
makes 1,000 draws cost seconds. The residual the driver is estimated on is taken against the mechanism with the
inflow's fitted level held at the origin (held_inflow), so its level moves as the inflow really moved, not as
the smooth fitted knots left over. The driver is estimated on the scenario's main observed monthly arrivals (the
destination's) and the same relative noise is applied to every place and measure of a draw.
With `baseline=True` the same draws (same driver path and noise: common random numbers) run with every lever
off, so the difference per draw is the levers' effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.calibrate.problem import OFFSET
from crossings.forecasting.drivers import WINDOWS, LocalLevel, fit_local_level, paths
from crossings.scenario.load import apply_overrides, load_raw, validate
from crossings.scenario.observed_series import observed_frames
from crossings.sea.bundles import means, route_arrays
from crossings.sea.kernel import ARR, DEATHS, DEP, INT, PREV
from crossings.sea.meanfield import mean_field
from crossings.sea.model import SeaArrays, build

SEASON = True  # take the residual's fixed seasonal factor out before the level (drivers.residual_season)
RESIDUAL = "held"  # residuals against the mechanism with the inflow held ("held") or as fitted ("fitted")
FLOWS = {"arrivals": ARR, "departures": DEP, "interceptions": INT, "deaths": DEATHS, "prevented": PREV}


def month_add(origin: dt.date, months: int) -> dt.date:
    m = origin.month - 1 + months
    return dt.date(origin.year + m // 12, m % 12 + 1, 1)


@dataclass
class Setup:
    """One origin's mechanism, observed series and estimated driver."""

    origin: dt.date
    horizon: int
    arrays: SeaArrays
    month_of_day: np.ndarray  # [T] month index (0 = the scenario's first month)
    months: list[str]  # labels of every simulated month
    first: int  # index of the origin's month
    places: list[tuple[str, str, list[int]]]  # (place, place_kind, coast rows)
    main: str  # the place whose observed arrivals set the driver
    observed: pd.DataFrame  # monthly observed (route, measure, month, observed), whole scenario window
    driver: LocalLevel
    base_run: np.ndarray  # mean-field output [N_OUT, C, T] without the driver
    scenario_name: str


def scenario_at(path: Path, values: dict[str, Any] | None, end: dt.date, baseline: bool = False,
                overrides: dict[str, Any] | None = None) -> Any:
    """The validated scenario to `end`: shipped fit when `values` is None, else the YAML with `values`; then
    `overrides` (key path -> value, e.g. one lever switched off)."""
    raw = load_raw(path) if values is None else load_raw(path, {"fitted_file": None})
    if values:
        apply_overrides(raw, values, file="forecast")
    if overrides:
        apply_overrides(raw, overrides, file="forecast")
    raw["end"] = end
    if baseline:
        for lever in (raw.get("levers") or {}).values():
            if isinstance(lever, dict):
                lever["enabled"] = False
    return validate(raw, str(path))


def _run(a: SeaArrays, inflow: np.ndarray) -> np.ndarray:
    return mean_field(means(a, inflow), route_arrays(a))


def held_inflow(sc: Any, a: SeaArrays, day0: int) -> np.ndarray:
    """Every region's inflow with its fitted level (the knots' curve) held at its value on the day before the
    origin, the season kept: what the mechanism says when nothing moves the inflow. Residuals against it
    measure how much the inflow really moved month to month, which residuals against the fitted knots (which
    follow the data) would hide."""
    regions = [p.name for p in sc.places if p.kind == "region"]
    t = np.arange(a.n_days, dtype=np.float64) + sc.start.toordinal()
    out = a.inflow.copy()
    for inf in sc.inflows:
        pts = sorted(inf.knots.items())
        x = np.array([d.toordinal() for d, _ in pts], dtype=np.float64)
        level = np.interp(t, x, np.log([v for _, v in pts]))
        ri = regions.index(inf.region)
        out[ri] = a.inflow[ri] * np.exp(level[max(day0 - 1, 0)] - level)
    return out


def _places(a: SeaArrays) -> list[tuple[str, str, list[int]]]:
    out = [(r, "route", [i]) for i, r in enumerate(a.routes)]
    for dest in dict.fromkeys(a.destination_of_route[r] for r in a.routes):
        out.append((dest, "destination", [i for i, r in enumerate(a.routes) if a.destination_of_route[r] == dest]))
    return out


def monthly(out: np.ndarray, rows: list[int], row: int, month_of_day: np.ndarray, n_months: int) -> np.ndarray:
    return np.bincount(month_of_day, weights=out[row, rows].sum(axis=0), minlength=n_months)


def setup(path: Path, origin: dt.date, horizon: int, values: dict[str, Any] | None, baseline: bool = False,
          driver: LocalLevel | None = None, overrides: dict[str, Any] | None = None) -> Setup:
    """Build the mechanism to origin + horizon, run it once, estimate the driver on months before the origin
    (or take `driver`, e.g. the levers-on run's, for common random numbers)."""
    end = month_add(origin, horizon) - dt.timedelta(days=1)
    sc = scenario_at(path, values, end, baseline, overrides)
    a = build(sc)
    days = pd.date_range(sc.start, end, freq="D")
    labels = days.strftime("%Y-%m")
    months, month_of_day = np.unique(np.asarray(labels), return_inverse=True)
    first = int(np.searchsorted(months, origin.strftime("%Y-%m")))
    _, obs_m = observed_frames(sc, str(path), sc.start, end)
    obs_m = obs_m.dropna(subset=["observed"])
    places = _places(a)
    arr = obs_m[obs_m["measure"] == "arrivals"]
    kinds = {p: k for p, k, _ in places}
    cands = [p for p in dict.fromkeys(arr["place"]) if p in kinds]
    main = next((p for p in cands if kinds[p] == "destination"), cands[0] if cands else places[-1][0])
    base = _run(a, a.inflow)
    if driver is None:
        rows = next(r for p, _, r in places if p == main)
        day0 = int(np.searchsorted(month_of_day, first))
        held = held_inflow(sc, a, day0) if RESIDUAL == "held" else a.inflow
        sim = monthly(_run(a, held), rows, ARR, month_of_day, len(months))
        ob = arr[arr["place"] == main].set_index("month")["observed"].reindex(months[:first]).to_numpy(dtype=float)
        resid = np.log(ob + OFFSET) - np.log(sim[:first] + OFFSET)
        cal = np.array([int(m[5:7]) for m in months[:first]])
        driver = fit_local_level(resid, cal if SEASON else None, WINDOWS)
    return Setup(origin, horizon, a, month_of_day.astype(np.int64), list(months), first, places, main, obs_m,
                 driver, base, sc.name)


def draws(s: Setup, n: int, seed: int, measures: tuple[str, ...] = tuple(FLOWS),
          arrays_for: Callable[[int], SeaArrays] | None = None) -> dict[tuple[str, str], np.ndarray]:
    """{(place, measure): [n, horizon]} monthly draws for the months origin .. origin + horizon - 1. With
    `arrays_for`, draw d runs the mechanism arrays_for(d) (its posterior parameters, forecasting/posterior.py)."""
    level, noise = paths(s.driver, s.horizon, n, seed)
    a = s.arrays
    day0 = int(np.searchsorted(s.month_of_day, s.first))
    fut_month = s.month_of_day[day0:] - s.first
    out: dict[tuple[str, str], np.ndarray] = {(p, m): np.empty((n, s.horizon)) for p, _, _ in s.places for m in measures}
    inflow = a.inflow.copy()
    season = np.asarray(s.driver.season)
    fut_cal = np.array([int(m[5:7]) - 1 for m in s.months])[s.month_of_day[day0:]]
    for d in range(n):
        if arrays_for is not None:
            a = arrays_for(d)
            inflow = a.inflow.copy()
        inflow[:, day0:] = a.inflow[:, day0:] * np.exp(level[d, fut_month] + season[fut_cal])
        run = _run(a, inflow)
        for p, _, rows in s.places:
            for m in measures:
                sim = monthly(run, rows, FLOWS[m], s.month_of_day, len(s.months))[s.first:s.first + s.horizon]
                out[(p, m)][d] = np.maximum((sim + OFFSET) * np.exp(noise[d]) - OFFSET, 0.0)
    return out
