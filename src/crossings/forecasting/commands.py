"""`crossings forecast` and `crossings backtest`: argument handling, tables, fan charts, manifests."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.analysis.scoring import summary as quantiles
from crossings.core import observed as obs
from crossings.core.errors import InputError
from crossings.core.measures import unit_of
from crossings.core.output import check_target, hash_files, make_manifest, write_outputs
from crossings.forecasting import posterior
from crossings.forecasting.args import month_start
from crossings.forecasting.backtest import backtest_rows, origins, summary
from crossings.forecasting.checkpoints import OriginCheckpoints, OriginResult, backtest_identity
from crossings.forecasting.engine import Setup, draws, month_add, setup
from crossings.forecasting.fan_chart import fan_chart_svg
from crossings.forecasting.origin import fit_at_origin
from crossings.forecasting.streams import DRIVER
from crossings.scenario.load import load_raw, scenario_files, validate

SEA_SCENARIOS = ("central_med", "channel")


def _origin(value: str | None, sc_end: dt.date) -> dt.date:
    if value is None:
        d = sc_end + dt.timedelta(days=1)
        return d if d.day == 1 else month_add(dt.date(d.year, d.month, 1), 1)
    return month_start(value)


def _scenario(path: Path) -> Any:
    if not path.is_file():
        raise InputError(str(path), "", "no such scenario file")
    sc = validate(load_raw(path), str(path))
    if sc.name not in SEA_SCENARIOS:
        raise InputError(str(path), "name", f"forecasts cover the fitted sea scenarios ({', '.join(SEA_SCENARIOS)}); "
                         f"this is {sc.name!r}")
    return sc


def _posterior(path: Path, value: str, origin: dt.date) -> tuple[Path | None, str]:
    """The posterior file a forecast uses (None: the point estimate) and a note for the manifest."""
    if value == "none":
        return None, "not used (--posterior none)"
    if value == "auto":
        f = posterior.default_file(path)
        if f is None:
            return None, "none shipped for this scenario: the point estimate"
        why = posterior.usable(path, f, origin)
        if why:
            return None, f"{f.name} not used ({why}); the point estimate at the origin"
        return f, _used(f)
    f = Path(value)
    posterior.check(path, f, origin)
    return f, _used(f)


def _used(f: Path) -> str:
    held = posterior.assumption(f)
    return f"{f.name}: one posterior draw per forecast draw" + (f"; the posterior's assumption: {held}" if held else "")


def forecast_table(s: Setup, d: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    months = s.months[s.first:s.first + s.horizon]
    kinds = {p: k for p, k, _ in s.places}
    rows = []
    for (place, m), x in d.items():
        q = quantiles(x)
        ob = s.observed[(s.observed["place"] == place) & (s.observed["measure"] == m)].set_index("month")["observed"]
        for h, month in enumerate(months):
            rows.append({"month": month, "place": place, "place_kind": kinds[place],
                         "is_total": kinds[place] == "destination", "measure": m, "unit": unit_of(m),
                         **{k: round(float(v[h]), 1) for k, v in q.items()},
                         "observed": float(ob[month]) if month in ob.index else np.nan})
    return pd.DataFrame(rows)


def effects_table(s: Setup, on: dict[tuple[str, str], np.ndarray], off: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """Levers' effect per draw (on - off, same driver path and noise), by month and over the whole horizon."""
    months = s.months[s.first:s.first + s.horizon]
    rows = []
    for key, x in on.items():
        diff = x - off[key]
        for label, v in [*((mo, diff[:, h]) for h, mo in enumerate(months)), ("horizon_total", diff.sum(axis=1))]:
            q = np.quantile(v, [0.05, 0.5, 0.95])
            rows.append({"month": label, "place": key[0], "measure": key[1], "unit": unit_of(key[1]),
                         "effect_mean": round(float(v.mean()), 1), "effect_p05": round(float(q[0]), 1),
                         "effect_p50": round(float(q[1]), 1), "effect_p95": round(float(q[2]), 1)})
    return pd.DataFrame(rows)


def cmd_forecast(args: argparse.Namespace) -> int:
    from crossings.forecasting.args import check

    check(args)
    from crossings.runs.route_system import is_route_system

    if is_route_system(args.scenario):  # scenarios/europe.yaml: the Frontex routes (forecasting/europe_forecast.py)
        from crossings.forecasting.europe_forecast import cmd_europe_forecast

        return cmd_europe_forecast(args)
    from crossings.forecasting import asylum_forecast  # scenarios/uk_asylum.yaml: quarterly asylum bands

    if asylum_forecast.handles(Path(args.scenario)):
        return asylum_forecast.cmd_asylum_forecast(args)
    t0 = time.perf_counter()
    path = Path(args.scenario)
    sc = _scenario(path)
    origin = _origin(args.origin, sc.end)
    post_file, post_note = _posterior(path, getattr(args, "posterior", "none"), origin)
    check_target(Path(args.out))  # refused before any work, and before a checkpoint folder is made
    ckpt = OriginCheckpoints(Path(args.out), backtest_identity(
        path, [origin], command="forecast", data={o.file: obs.data_version(o.file) for o in sc.observed}))
    done = ckpt.load(origin)  # an interrupted run's fit at this origin (minutes for central_med): not redone
    fit = done.fit if done is not None else fit_at_origin(path, origin)
    if done is None:
        ckpt.save(origin, OriginResult([], {}, fit))
    s = setup(path, origin, args.horizon, fit.values or None)
    end = month_add(origin, args.horizon) - dt.timedelta(days=1)
    per_draw = posterior.draw_values(path, post_file, args.draws, args.seed) if post_file else None
    on = draws(s, args.draws, args.seed,
               arrays_for=posterior.arrays_per_draw(path, per_draw, end) if per_draw else None)
    table = forecast_table(s, on)
    tables: dict[str, pd.DataFrame] = {"forecast_monthly": table}
    if args.compare_baseline:
        b = setup(path, origin, args.horizon, fit.values or None, baseline=True, driver=s.driver)
        tables["lever_effects"] = effects_table(s, on, draws(
            b, args.draws, args.seed,
            arrays_for=posterior.arrays_per_draw(path, per_draw, end, baseline=True) if per_draw else None))
    charts = {f"fan_{p}.svg": fan_chart_svg(table, s.observed, p, "arrivals",
                                            f"{sc.name}: {p} arrivals from {origin:%Y-%m} ({args.draws} draws)")
              for p, _, _ in s.places}
    files = scenario_files(path)
    manifest = make_manifest(
        scenario=str(path), scenario_hash=hash_files(files), seed=args.seed, wall_s=time.perf_counter() - t0,
        data_versions={o.file: obs.data_version(o.file) for o in sc.observed},
        extra={"command": "forecast", "forecast": {
            "origin": origin.isoformat(), "horizon_months": args.horizon, "draws": args.draws,
            "parameters": fit.source if post_file is None else f"posterior draws {post_file.name}: one per "
                          f"forecast draw (forecasting/posterior.py); the driver against {fit.source}",
            "posterior": post_note, "driver": {
                "model": "local level on log(observed + 10) - log(mean-field + 10), months before the origin",
                "series": f"{s.main} arrivals", "s_level": s.driver.s_level, "s_obs": s.driver.s_obs,
                "level_at_origin": s.driver.level, "level_var": s.driver.level_var, "months": s.driver.n_months,
                "window_months": s.driver.window or "all", "shock_df": s.driver.shock_df,
                "shock_scale": s.driver.shock_scale,
                "stream": DRIVER},
            "mechanism": "mean-field sea model per draw (docs/forecasting.md)",
            "levers": "as in the scenario" + ("; lever_effects.csv: levers on - all off, per draw"
                                               if args.compare_baseline else "")}})
    write_outputs(args.out, tables, manifest, parquet=not args.no_parquet, extra_files=charts)
    ckpt.discard()
    print(f"wrote {args.out} ({len(table)} rows, {args.draws} draws, {time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from crossings.forecasting.args import check

    check(args)
    t0 = time.perf_counter()
    path = Path(args.scenario)
    sc = _scenario(path)
    first = _origin(args.first, sc.end)
    last_data = sc.end
    ol = origins(path, first, args.step, args.horizon, last_data)
    if args.max_origins is not None:
        ol = ol[:args.max_origins]
    if not ol:
        raise InputError("--first", args.first, f"no origin with {args.horizon} months of data after it before {last_data}")
    data = {o.file: obs.data_version(o.file) for o in sc.observed}
    if args.out:
        check_target(Path(args.out))  # refused before any work, and before a checkpoint folder is made
    ckpt = None if not args.out else OriginCheckpoints(Path(args.out), backtest_identity(  # resume an interrupted run
        path, ol, horizon=args.horizon, draws=args.draws, seed=args.seed, max_nfev=args.max_nfev,
        refit_every=args.refit_every, data=data))
    df, notes = backtest_rows(path, ol, args.horizon, args.draws, args.seed, args.max_nfev,
                              refit_every=args.refit_every, checkpoints=ckpt)
    res = summary(df, args.horizon, len(ol))
    if args.out:
        manifest = make_manifest(scenario=str(path), scenario_hash=hash_files(scenario_files(path)), seed=args.seed,
                                 wall_s=time.perf_counter() - t0,
                                 data_versions=data,
                                 extra={"command": "backtest", "summary": res, "origins": notes,
                                        "origins_resumed": ckpt.resumed if ckpt else 0})
        write_outputs(args.out, {"backtest_rows": df}, manifest, parquet=False)
        if ckpt is not None:
            ckpt.discard()
    if args.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:22s} {v}")
        print(f"({time.perf_counter() - t0:.0f} s)")
    return 0
