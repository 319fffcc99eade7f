"""Run a YAML scenario: validate, build, simulate the sea (then asylum, if configured), tabulate."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core import observed as obs
from crossings.core.errors import InputError
from crossings.core.output import hash_files, make_manifest
from crossings.runs.checks import check_finite, check_sea_conservation
from crossings.runs.phases import PhaseTimer, maybe
from crossings.runs.results import (
    ScenarioResult,
    annual_summary,
    attach_observed,
    sea_daily,
    to_monthly,
)
from crossings.scenario.load import load_raw, scenario_files, validate
from crossings.scenario.observed_series import observed_frames
from crossings.scenario.schema import Scenario
from crossings.sea.model import build
from crossings.sea.outcome import SeaOutcome
from crossings.sea.simulate import Engine, simulate

ASYLUM_PASSES = 2


def _date(value: str | dt.date | None, flag: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(flag, str(value), "expected a date YYYY-MM-DD") from None


def prepare(path: str | Path, start: Any = None, end: Any = None, overrides: Mapping[str, Any] | None = None,
            baseline: bool = False) -> Scenario:
    """The validated scenario after fitted values, overrides, the date window and (baseline) levers off."""
    raw = load_raw(path, overrides)
    s, e = _date(start, "--start"), _date(end, "--end")
    if s is not None:
        raw["start"] = s
    if e is not None:
        raw["end"] = e
    if baseline:
        for lever in (raw.get("levers") or {}).values():
            if isinstance(lever, dict):
                lever["enabled"] = False
    sc = validate(raw, str(path))
    if baseline and sc.asylum is not None:  # asylum levers live inside the asylum section
        from crossings.asylum.simulate import strip_levers

        sc.asylum = strip_levers(sc.asylum)
    return sc


def run_sea_and_asylum(sc: Scenario, seed: int, engine: Engine = "numba",
                       timer: PhaseTimer | None = None) -> tuple[SeaOutcome, Any]:
    """Sea, then asylum; where asylum deters (multiplier < 1), rerun the sea with it (2 passes)."""
    with maybe(timer, "sea: build daily arrays"):
        arrays = build(sc)
    with maybe(timer, f"sea: simulate ({engine})"):
        sea = simulate(arrays, seed, engine)
    if sc.asylum is None:
        return sea, None
    from crossings.asylum.simulate import run_asylum

    with maybe(timer, "asylum: simulate"):
        outcome = run_asylum(sc.asylum, sea, seed)
    for _ in range(ASYLUM_PASSES - 1):
        mult = getattr(outcome, "departure_multiplier", {}) or {}
        if not any(np.any(np.asarray(v) < 1.0) for v in mult.values()):
            break
        with maybe(timer, "deterrence: sea again"):
            sea = simulate(build(sc, multipliers=mult), seed, engine)
        with maybe(timer, "deterrence: asylum again"):
            outcome = run_asylum(sc.asylum, sea, seed)
    return sea, outcome


def _totals(sc: Scenario, daily: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for tot in sc.observed_totals:
        d = daily[(daily["place"] == tot.route) & (daily["measure"] == tot.measure)]
        inside = d[(d["date"] >= tot.start.isoformat()) & (d["date"] <= tot.end.isoformat())]
        covered = tot.start >= sc.start and tot.end <= sc.end
        sim = float(inside["simulated"].sum()) if covered else None
        rows.append({"route": tot.route, "measure": tot.measure, "start": tot.start.isoformat(),
                     "end": tot.end.isoformat(), "observed": tot.value, "simulated": sim,
                     "rel_error": (sim / tot.value - 1.0) if sim is not None and tot.value else None,
                     "source": tot.source})
    return rows


def data_versions(sc: Scenario) -> dict[str, str]:
    """Versions of the observed files the run read: the sea part's series, and the asylum part's inputs."""
    files = {o.file for o in sc.observed}
    if sc.asylum is not None:
        from crossings.asylum.simulate import ASYLUM_DATA

        files |= set(ASYLUM_DATA)
    return {f: obs.data_version(f) for f in sorted(files)}


MAX_SEED = 2**63 - 1  # seeds key counter-based streams as unsigned 64-bit numbers: one range, no aliasing


def check_seed(seed: object) -> int:
    """A seed is an integer in 0..2**63-1 (as the CLI requires); anything else is refused, not wrapped."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= int(seed) <= MAX_SEED:
        raise InputError("seed", str(seed), f"a seed is a whole number from 0 to {MAX_SEED}")
    return int(seed)


def sea_after_data(sc: Scenario) -> dict[str, Any]:
    """What the sea part assumes after its data: each region's inflow past its last knot is held at that knot's
    level (times the seasonal factors), and dated parameters are held at their last value. Stated in every
    manifest; an empty dict when the run ends within the knots."""
    out: dict[str, Any] = {}
    for inf in sc.inflows:
        first = min(inf.knots)
        if sc.start < first:
            out[f"inflows.{inf.region}.before"] = {
                "rule": "hold_first_knot", "until": first.isoformat(), "level_per_day": float(inf.knots[first]),
                "note": "before its first knot the regional inflow is held at that knot's level: no data say more"}
        last = max(inf.knots)
        if sc.end > last:
            out[f"inflows.{inf.region}"] = {
                "rule": "hold_last_knot", "from": last.isoformat(),
                "level_per_day": float(inf.knots[last]),
                "note": "the regional inflow past its last fitted knot is held at that level (with the seasonal "
                        "factors); no trend, no driver: for a forecast with uncertainty use `crossings forecast`"}
    return out


def run_scenario(path: str | Path, seed: int = 1, start: Any = None, end: Any = None,
                 overrides: Mapping[str, Any] | None = None, baseline: bool = False,
                 engine: Engine = "numba", check: bool = False, timer: PhaseTimer | None = None) -> ScenarioResult:
    """Run one scenario; `baseline=True` switches every lever off (all else equal); `check=True` also checks
    conservation of people in the sea process (crossings.runs.checks)."""
    t0 = time.perf_counter()
    check_seed(seed)
    with maybe(timer, "prepare: load and validate"):
        sc = prepare(path, start, end, overrides, baseline)
    try:
        sea, asylum = run_sea_and_asylum(sc, seed, engine, timer)
    except InputError as err:  # the asylum part knows its key paths, not the file they came from
        if err.file != "<asylum>":
            raise
        raise InputError(str(path), err.where, err.problem) from None
    dests = {o.route for o in sc.observed if o.route not in sea.routes}
    dests |= {t.route for t in sc.observed_totals if t.route not in sea.routes}
    dests |= {d for d in set(sea.destination_of_route.values())
              if sum(v == d for v in sea.destination_of_route.values()) > 1}
    if check:
        with maybe(timer, "check: conservation"):
            check_sea_conservation(sea)
    with maybe(timer, "tables: daily and monthly"):
        sim_d = sea_daily(sea, dests)
        obs_d, obs_m = observed_frames(sc, str(path), sc.start, sc.end)
        daily = attach_observed(sim_d, obs_d, "date")
        monthly = attach_observed(to_monthly(sim_d), obs_m, "month")
        annual = annual_summary(monthly)
    for tot in sc.observed_totals:  # full calendar years observed only as totals (e.g. by departure country)
        y = str(tot.start.year)
        if (tot.measure == "arrivals" and tot.start.timetuple().tm_yday == 1 and tot.end.year == tot.start.year
                and (tot.end.month, tot.end.day) == (12, 31) and y in annual.get(tot.route, {})
                and sc.start <= tot.start and sc.end >= tot.end):  # only a year the run covers whole
            annual[tot.route][y]["observed"] = tot.value
    summary: dict[str, Any] = {"annual_arrivals": annual, "observed_totals": _totals(sc, daily)}
    if asylum is not None:
        daily = pd.concat([daily, asylum.daily], ignore_index=True)
        monthly = pd.concat([monthly, asylum.monthly], ignore_index=True)
        summary["asylum"] = asylum.summary
    check_finite(monthly, str(path))
    manifest = make_manifest(
        scenario=str(path), scenario_hash=hash_files(scenario_files(path, overrides)), seed=seed,
        wall_s=time.perf_counter() - t0,
        data_versions=data_versions(sc),
        extra={"start": sc.start.isoformat(), "end": sc.end.isoformat(), "baseline": baseline,
               "overrides": {k: str(v) for k, v in (overrides or {}).items()}, "engine": engine,
               "conservation_checked": check,
               "levers_enabled": {k: lv.enabled for k, lv in sc.levers.items()},
               # inputs held after their observed data (the asylum `after_data` rule): what and from when
               "asylum_after_data": {d: v.get("after_data", {}) for d, v in
                                     (asylum.summary.get("destinations", {}) if asylum is not None else {}).items()},
               # the sea part's rules past its fitted knots and its observed data
               "sea_after_data": sea_after_data(sc)},
    )
    return ScenarioResult(daily=daily, monthly=monthly, scenario=sc, summary=summary, manifest=manifest, sea=sea)


def run_with_baseline(path: str | Path, **kwargs: Any) -> tuple[ScenarioResult, ScenarioResult]:
    """(result, baseline) where the baseline has every lever switched off, all else equal."""
    return run_scenario(path, **kwargs), run_scenario(path, baseline=True, **kwargs)
