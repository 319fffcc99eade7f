"""`crossings forecast scenarios/uk_asylum.yaml`: quarterly bands for the UK asylum backlog, hotels and cost.

The forecast is the back-test's machinery (asylum_backtest.run_cut) at one origin with N draws, so what the
back-test scores (docs/asylum_forecasting.md) is what this command writes. The origin is the day before
--from (a quarter end); every observed quarterly input is cut there and carried past it by the scenario's
after-data rule (uk_asylum.yaml: backlog_feedback_rw, the back-test's best by CRPS), estimated from
quarters before it only. Small-boat arrivals past the origin follow the arrivals driver (asylum_arrivals.py). Draw k (k = 0..N-1)
is one agent run with seed --seed + k and driver path --seed + k (the inputs' and the arrivals' paths):
the same draws whatever else runs. Written: forecast_quarterly.csv (quarter_end, place, place_kind,
is_total, measure, unit, mean, p05, p25, p50, p75, p95, observed where known), fan charts, the manifest
(origin, rule, every input the rule extended with its basis, the arrivals driver's estimates).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.analysis.scoring import summary as quantiles
from crossings.asylum.simulate import load_asylum_scenario
from crossings.core import observed as obs
from crossings.core.errors import InputError
from crossings.core.measures import unit_of
from crossings.core.output import hash_files, make_manifest, write_outputs
from crossings.forecasting import asylum_arrivals
from crossings.forecasting import asylum_backtest as ab
from crossings.scenario.asylum import AfterDataSpec
from crossings.scenario.load import read_yaml, scenario_files

MEASURES = ("awaiting_decision", "in_hotels", "cost")
FIRST_ORIGIN = ab.FIRST_ORIGIN  # the first back-tested origin: the arrivals driver needs the months before it


def handles(path: Path) -> bool:
    """True for a scenario with an asylum part whose destination ab.DEST the back-test covers (uk_asylum)."""
    try:
        raw = read_yaml(path)
    except Exception:  # an unreadable file: the sea branch reports it
        return False
    dests = ((raw.get("asylum") or {}).get("destinations") or {}) if isinstance(raw, dict) else {}
    return isinstance(dests, dict) and ab.DEST in dests


def last_data_quarter() -> dt.date:
    """The last quarter end with an observed backlog (Asy_D03): the latest origin."""
    q = ab.observed_quarterly()["people_awaiting_initial_decision_AsyD03"].dropna()
    return max(q.index)


def origin_of(value: str | None) -> dt.date:
    """--from (the first forecast day, the first day of a quarter) -> the origin, the quarter end before it."""
    last = last_data_quarter()
    if value is None:
        return last
    try:
        d = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("--from", value, "expected a date YYYY-MM-DD") from None
    if d.day != 1 or d.month not in (1, 4, 7, 10):
        raise InputError("--from", value, "the asylum forecast is quarterly: start on the first day of a quarter "
                                          "(YYYY-01-01, -04-01, -07-01 or -10-01)")
    origin = d - dt.timedelta(days=1)
    if not FIRST_ORIGIN <= origin <= last:
        raise InputError("--from", value, f"the origin (the day before) must lie from {FIRST_ORIGIN} to the last "
                                          f"observed quarter, {last}")
    return origin


def quarters_of(months: int) -> int:
    if months % 3:
        raise InputError("--horizon", str(months), "the asylum forecast is quarterly: give months in multiples of 3")
    return months // 3


def scenario_rule(path: Path) -> str:
    base, _ = load_asylum_scenario(path)
    rule = base.destinations[ab.DEST].after_data
    name = rule.rule if isinstance(rule, AfterDataSpec) else rule
    if name == "error":
        raise InputError(str(path), f"asylum.destinations.{ab.DEST}.after_data",
                         "a forecast needs a rule for the quarters after the origin (e.g. stochastic)")
    return str(name)


def _draw(a: tuple[Path, dt.date, int, str, int]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    path, origin, quarters, rule, k = a
    return ab.run_cut(origin, rule, k, k, quarters, path, stochastic_arrivals=True)


def run_draws(path: Path, origin: dt.date, quarters: int, n_draws: int, seed: int,
              rule: str, jobs: int = 1) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """{measure: array (draws, quarters)} and the first draw's after-data summary. Draw k is seed and path
    seed + k in any process, and the draws come back in order, so `jobs` changes nothing but the time."""
    todo = [(path, origin, quarters, rule, seed + k) for k in range(n_draws)]
    if jobs > 1 and n_draws > 1:
        with ProcessPoolExecutor(min(jobs, n_draws)) as ex:
            runs = list(ex.map(_draw, todo, chunksize=max(1, n_draws // (4 * jobs))))
    else:
        runs = [_draw(a) for a in todo]
    return {m: np.array([r[0][m] for r in runs]) for m in MEASURES}, runs[0][1]


def observed_series() -> pd.DataFrame:
    """Observed quarter-end values of the scored measures: columns month (YYYY-MM), place, measure, observed."""
    q = ab.observed_quarterly()
    rows = [{"month": f"{d:%Y-%m}", "place": ab.DEST, "measure": m, "observed": float(v)}
            for m, col in ab.SCORED.items() for d, v in q[col].dropna().items()]
    return pd.DataFrame(rows, columns=["month", "place", "measure", "observed"])


def band_table(origin: dt.date, d: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per quarter end and measure: mean and the 5/25/50/75/95% quantiles of the draws."""
    q = ab.observed_quarterly()
    rows = []
    for m, x in d.items():
        bands = quantiles(x)
        col = ab.SCORED.get(m)
        for h in range(x.shape[1]):
            target = ab.quarter_end(origin, h + 1)
            y = float(q[col].get(target, np.nan)) if col else np.nan
            rows.append({"quarter_end": target.isoformat(), "place": ab.DEST, "place_kind": "destination",
                         "is_total": True, "measure": m, "unit": unit_of(m),
                         **{k: round(float(v[h]), 1) for k, v in bands.items()}, "observed": y})
    return pd.DataFrame(rows)


def charts(table: pd.DataFrame, title: str) -> dict[str, str]:
    """Fan charts (5-95%, 25-75%, median, observed) with the sea forecasts' fan_chart_svg, one per measure."""
    from crossings.forecasting.fan_chart import fan_chart_svg

    t = table.assign(month=pd.to_datetime(table["quarter_end"]).dt.strftime("%Y-%m"))
    ob = observed_series()
    return {f"fan_{m}.svg": fan_chart_svg(t, ob, ab.DEST, m, f"{title}: {m} at quarter end"
                                          + (" (GBP per quarter)" if m == "cost" else " (people)"))
            for m in MEASURES}


def cmd_asylum_forecast(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    path = Path(args.scenario)
    if getattr(args, "compare_baseline", False):
        raise InputError("--compare-baseline", "", "not for the asylum forecast (uk_asylum.yaml has no levers)")
    origin = origin_of(args.origin)
    quarters = quarters_of(args.horizon)
    rule = scenario_rule(path)
    d, after = run_draws(path, origin, quarters, args.draws, args.seed, rule, getattr(args, "jobs", 1))
    table = band_table(origin, d)
    drv = asylum_arrivals.fit(origin)
    raw = read_yaml(path)
    sources = {o.get("file") for o in ((raw.get("asylum") or {}).get("destinations") or {}).get(ab.DEST, {})
               .get("observed", []) if isinstance(o, dict)} | {"uk_asylum_quarterly", asylum_arrivals.BOATS}
    manifest = make_manifest(
        scenario=str(path), scenario_hash=hash_files(scenario_files(path)), seed=args.seed,
        wall_s=time.perf_counter() - t0, data_versions={f: obs.data_version(f) for f in sorted(s for s in sources if s)},
        extra={"command": "forecast", "forecast": {
            "kind": "asylum, quarterly (docs/asylum_forecasting.md)", "origin": origin.isoformat(),
            "horizon_quarters": quarters, "draws": args.draws,
            "draw_k": "agent seed = driver path = --seed + k",
            "after_data": {"rule": rule, "chosen_by": "lowest CRPS on awaiting_decision, 2019-2023 quarterly "
                                                      "back-test (docs/asylum_forecasting.md)",
                           "first_draw": after},
            "arrivals_driver": {
                "model": "local level + calendar-month factors on log(monthly small-boat arrivals + 10), "
                         "months 2018-01 to the origin", "series": asylum_arrivals.BOATS,
                "s_level": drv.s_level, "s_obs": drv.s_obs, "level_at_origin": drv.level,
                "level_var": drv.level_var, "months": drv.n_months, "stream": "asylum.after_data.arrivals"}}})
    write_outputs(args.out, {"forecast_quarterly": table}, manifest, parquet=not args.no_parquet,
                  extra_files=charts(table, f"uk_asylum from {origin + dt.timedelta(days=1)} ({args.draws} draws)"))
    print(f"wrote {args.out} ({len(table)} rows, {args.draws} draws, {time.perf_counter() - t0:.1f} s)")
    return 0
