"""`crossings run` for a route-system scenario (scenarios/europe.yaml: origin groups choosing among the Frontex
routes, the land process crossings.land): one agent run, the tidy monthly table per route, a manifest.

Told apart from a sea/asylum scenario by its top-level `routes:` mapping (scenario/routes.py)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core import observed as obs
from crossings.core.output import hash_files, make_manifest
from crossings.core.tables import DAILY_COLS
from crossings.runs.checks import check_finite
from crossings.runs.results import ScenarioResult
from crossings.scenario.load import read_yaml
from crossings.scenario.routes import fitted_path, load_europe

DATA_FILES = ("frontex_detections_monthly_by_route", "frontex_detections_monthly_by_route_nationality")


def is_route_system(path: str | Path) -> bool:
    p = Path(path)
    return p.suffix in (".yaml", ".yml") and p.is_file() and isinstance(read_yaml(p).get("routes"), dict)


def run_route_system(path: str | Path, seed: int = 1, start: Any = None, end: Any = None,
                     overrides: Mapping[str, Any] | None = None, baseline: bool = False) -> ScenarioResult:
    from crossings.land.simulate import monthly_table as land_monthly
    from crossings.land.simulate import run_daily

    t0 = time.perf_counter()
    sc = load_europe(path, dict(overrides or {}))
    fits = _death_fits(sc)  # with the levers as fitted: a baseline run keeps the fitted rates
    if baseline:
        sc = sc.model_copy(update={"levers": {k: lv.model_copy(update={"enabled": False})
                                              for k, lv in sc.levers.items()}})
    s = dt.date.fromisoformat(str(start)) if start else sc.start
    e = dt.date.fromisoformat(str(end)) if end else sc.end
    system, out, _ = run_daily(sc, s, e, seed)
    monthly = land_monthly(sc, system, out, s)
    if sc.onward is not None and sc.onward_fitted:  # the onward leg towards the Channel (land/onward.py)
        from crossings.land.onward import run_rows as onward_rows
        from crossings.land.simulate import persons_by_route

        monthly = pd.concat([monthly, onward_rows(sc, persons_by_route(out, system), system.dates, s)],
                            ignore_index=True)
    if fits:
        from crossings.calibrate.europe_deaths import arrays
        from crossings.land.deaths import run_rows

        rate, disp = arrays(sc, fits)
        monthly = pd.concat([monthly, run_rows(list(sc.routes), system.dates, out, np.datetime64(s, "D"), rate,
                                               disp, seed)], ignore_index=True)
    check_finite(monthly, str(path))
    annual: dict[str, Any] = {}
    det = monthly[monthly["measure"] == "detections"].assign(year=lambda x: x["month"].str[:4])
    for (route, year), g in det.groupby(["place", "year"]):
        annual.setdefault(str(route), {})[str(year)] = {
            "simulated": float(g["simulated"].sum()),
            "observed": float(g["observed"].sum()) if g["observed"].notna().sum() == 12 else None,
            "months_simulated": int(g["month"].nunique())}
    dth = monthly[monthly["measure"] == "deaths"].assign(year=lambda x: x["month"].str[:4])
    annual_deaths: dict[str, Any] = {}
    if len(dth):
        from crossings.land.deaths import observed_annual, observed_value

        ob = observed_annual(sc)
        for (route, year), g in dth.groupby(["place", "year"]):
            rt, yr = str(route), int(str(year))
            o = observed_value(ob, rt, yr) if g["month"].nunique() == 12 else float("nan")
            annual_deaths.setdefault(rt, {})[str(yr)] = {
                "simulated": float(g["simulated"].sum()), "observed": None if np.isnan(o) else o}
    files = [Path(path)] + ([fitted_path(Path(path))] if fitted_path(Path(path)).exists() else [])
    if sc.onward is not None and Path(path).with_name(sc.onward.fitted_file).exists():  # the onward leg's values
        files.append(Path(path).with_name(sc.onward.fitted_file))
    manifest = make_manifest(
        scenario=str(path), scenario_hash=hash_files(files), seed=seed, wall_s=time.perf_counter() - t0,
        data_versions={f: obs.data_version(f) for f in DATA_FILES + (("deaths_missing_by_route_annual_iom_mmp",)
                                                                         if fits else ())},
        extra={"start": s.isoformat(), "end": e.isoformat(), "baseline": baseline, "engine": "land agents",
               "overrides": {k: str(v) for k, v in (overrides or {}).items()},
               "deaths": {r: {"rate_per_attempt": f.rate, "year_dispersion": f.dispersion,
                              "fitted_years": f"{f.years[0]}-{f.years[-1]}"} for r, f in fits.items()},
               "levers_enabled": {k: lv.enabled for k, lv in sc.levers.items()},
               "after_data": {"rule": "nearest_fitted_year",
                              "note": "a year outside the fitted years takes the nearest fitted year's demand and shocks (crossings.land.system)"}})
    return ScenarioResult(daily=pd.DataFrame(columns=DAILY_COLS), monthly=monthly, scenario=sc,
                          summary={"annual_arrivals": annual, "measure": "detections",
                                   "annual_deaths": annual_deaths}, manifest=manifest)


def _death_fits(sc: Any) -> dict[str, Any]:
    """The deaths process's rates and year variances fitted on the scenario's fit window against the attempts
    the fitted system simulates (calibrate/europe_deaths.py, milliseconds); none without a deaths block."""
    if sc.deaths is None or not sc.fitted:
        return {}
    from crossings.calibrate.europe_deaths import fit_deaths

    return fit_deaths(sc, sc.fitted, sc.fit.start, sc.fit.end)
