"""`crossings run SCENARIO.yaml --out DIR`: run, write daily/monthly tables + manifest, print a summary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from crossings.core.output import write_outputs
from crossings.run.results import ScenarioResult
from crossings.run.runner import run_scenario
from crossings.scenario.overrides import parse_set


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def summary_lines(res: ScenarioResult) -> list[str]:
    lines = [f"{'route':<16}{'year':>6}{'simulated':>12}{'observed':>12}{'diff':>8}"]
    for route, years in res.summary["annual_arrivals"].items():
        for year, v in years.items():
            o, s = v["observed"], v["simulated"]
            diff = f"{(s / o - 1) * 100:+.0f}%" if o else "-"
            part = v.get("months_simulated", 12) < 12  # a part of a year: never compared with a whole year
            label = f"{year}*" if part else year
            lines.append(f"{route:<16}{label:>6}{_fmt(s):>12}{_fmt(o):>12}{diff:>8}")
    if any(v.get("months_simulated", 12) < 12 for y in res.summary["annual_arrivals"].values() for v in y.values()):
        lines.append("* the run covers only part of this year: no observed comparison")
    return lines


def baseline_lines(res: ScenarioResult, base: ScenarioResult) -> list[str]:
    lines = ["with levers vs all levers off (arrivals, whole run):"]
    for route in res.summary["annual_arrivals"]:
        s = sum(v["simulated"] for v in res.summary["annual_arrivals"][route].values())
        b = sum(v["simulated"] for v in base.summary["annual_arrivals"][route].values())
        lines.append(f"  {route:<16}{_fmt(s):>12} vs {_fmt(b):>12} ({(s / b - 1) * 100 if b else 0:+.1f}%)")
    return lines


def cmd_run(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = parse_set(list(args.set or []))
    kw = dict(seed=args.seed, start=args.start, end=args.end, overrides=overrides)
    if getattr(args, "check", False):
        kw["check"] = True
    res = run_scenario(args.scenario, **kw)
    tables = {"daily": res.daily, "monthly": res.monthly}
    write_outputs(args.out, tables, res.manifest, parquet=not args.no_parquet)
    if not args.quiet:
        print(f"{res.scenario.name}: {res.scenario.start} to {res.scenario.end}, seed {args.seed} -> {args.out}")
        print("\n".join(summary_lines(res)))
        if res.scenario.compare_to_baseline:
            base = run_scenario(args.scenario, baseline=True, **kw)
            print("\n".join(baseline_lines(res, base)))
            if "asylum" in res.summary and "asylum" in base.summary:
                from crossings.asylum.results import baseline_lines as asylum_baseline_lines

                print("\n".join(asylum_baseline_lines(res.summary["asylum"], base.summary["asylum"])))
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    """`crossings ensemble SCENARIO --seeds N --out DIR`: monthly mean and quantiles (and lever effects)."""
    import time

    from crossings.core.errors import InputError
    from crossings.core.output import hash_files, make_manifest
    from crossings.run.ensemble import run_ensemble
    from crossings.scenario.load import scenario_files

    if args.seeds < 1:
        raise InputError("--seeds", "", f"must be at least 1, got {args.seeds}")
    if args.jobs < 1:
        raise InputError("--jobs", "", f"must be at least 1, got {args.jobs}")
    overrides: dict[str, Any] = parse_set(list(args.set or []))
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    t0 = time.perf_counter()
    ens = run_ensemble(args.scenario, seeds, overrides, args.compare_baseline, args.jobs,
                       getattr(args, "parameter_uncertainty", False))
    tables = {"ensemble_monthly": ens.monthly, "ensemble_annual": ens.annual}
    if ens.effect is not None:
        tables["lever_effect_monthly"] = ens.effect
    files = scenario_files(args.scenario, overrides)
    extra: dict[str, Any] = {"seeds": seeds, "overrides": {k: str(v) for k, v in overrides.items()},
                             "compare_baseline": bool(args.compare_baseline)}
    if ens.uncertainty is not None:  # the covariance file the members' parameters were drawn from
        files = [*files, Path(ens.uncertainty["file"])]
        extra["parameter_uncertainty"] = ens.uncertainty
    from crossings.run.runner import data_versions, prepare

    manifest = make_manifest(scenario=str(args.scenario), scenario_hash=hash_files(files), seed=seeds[0],
                             wall_s=time.perf_counter() - t0,
                             data_versions=data_versions(prepare(args.scenario, overrides=overrides)), extra=extra)
    write_outputs(args.out, tables, manifest, parquet=not args.no_parquet)
    a = ens.annual[ens.annual["measure"] == "arrivals"]
    drawn = f", fitted parameters drawn from {ens.uncertainty['file']}" if ens.uncertainty else ""
    over = "seeds and parameter draws" if ens.uncertainty else "seeds"
    print(f"{args.scenario}: {len(seeds)} seeds{drawn} -> {args.out}")
    print(f"arrivals per route and year: observed, simulated mean [5%-95% over {over}]")
    for route, year, observed, mean, p05, p95 in a[["place", "year", "observed", "mean", "p05", "p95"]].itertuples(
            index=False):
        obs = "-" if pd.isna(observed) else f"{float(observed):,.0f}"
        print(f"  {route!s:<16}{year!s:>6}{obs:>12}{float(mean):>12,.0f}  [{float(p05):,.0f}-{float(p95):,.0f}]")
    return 0
