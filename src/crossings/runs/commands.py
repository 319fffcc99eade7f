"""`crossings run SCENARIO.yaml --out DIR`: run, write daily/monthly tables + manifest, print a summary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crossings.core.measures import unit_of
from crossings.core.output import write_outputs
from crossings.runs.phases import PhaseTimer
from crossings.runs.results import ScenarioResult
from crossings.runs.runner import run_scenario
from crossings.scenario.overrides import parse_set


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def plain(x: float, unit: str = "") -> str:
    """A number as people read it: 12,345; 0.0281; GBP 17.59 billion (never 1.759e+10)."""
    if unit and unit.isupper() and len(unit) == 3:  # a currency code: money
        ax = abs(x)
        sign = "-" if x < 0 else ""
        if ax >= 1e9:
            return f"{sign}{unit} {ax / 1e9:,.2f} billion"
        if ax >= 1e6:
            return f"{sign}{unit} {ax / 1e6:,.1f} million"
        return f"{sign}{unit} {ax:,.0f}"
    if x != 0 and abs(x) < 10 and x != round(x):
        return f"{x:.3g}"
    return f"{x:,.0f}"


def summary_lines(res: ScenarioResult) -> list[str]:
    measure = res.summary.get("measure", "arrivals")  # a route system reports Frontex detections
    unit = unit_of(measure)
    width = max([16, *(len(r) + 2 for r in res.summary["annual_arrivals"])])
    lines = [f"{'route':<{width}}{'year':>6}{'simulated':>12}{'observed':>12}{'diff':>8}  unit"]
    for route, years in res.summary["annual_arrivals"].items():
        for year, v in years.items():
            o, s = v["observed"], v["simulated"]
            diff = f"{(s / o - 1) * 100:+.0f}%" if o else "-"
            part = v.get("months_simulated", 12) < 12  # a part of a year: never compared with a whole year
            label = f"{year}*" if part else year
            lines.append(f"{route:<{width}}{label:>6}{_fmt(s):>12}{_fmt(o):>12}{diff:>8}  {unit}")
    if any(v.get("months_simulated", 12) < 12 for y in res.summary["annual_arrivals"].values() for v in y.values()):
        lines.append("* the run covers only part of this year: no observed comparison")
    return lines


def baseline_lines(res: ScenarioResult, base: ScenarioResult) -> list[str]:
    lines = ["with levers vs all levers off (arrivals, people, whole run; one seed: crossings compare gives "
             "intervals):"]
    for route in res.summary["annual_arrivals"]:
        s = sum(v["simulated"] for v in res.summary["annual_arrivals"][route].values())
        b = sum(v["simulated"] for v in base.summary["annual_arrivals"][route].values())
        lines.append(f"  {route:<16}{_fmt(s):>12} vs {_fmt(b):>12} ({(s / b - 1) * 100 if b else 0:+.1f}%)")
    return lines


ASYLUM_KEYS = {"sea_arrivals": "people", "claims": "people", "final_awaiting_decision": "people",
               "final_in_hotels": "people", "removals": "people", "cumulative_cost": "money"}


def asylum_baseline_lines(res: ScenarioResult, base: ScenarioResult) -> list[str]:
    """The asylum part against its baseline, each number with its unit (money in the destination's currency)."""
    cfg = res.scenario.asylum
    lines = ["asylum, with levers vs baseline (whole run):",
             f"  {'place':<10}{'measure':<26}{'with levers':>22}{'baseline':>22}{'difference':>22}  unit"]
    for dest, d in res.summary["asylum"]["destinations"].items():
        b = base.summary["asylum"]["destinations"].get(dest, {})
        cur = getattr(cfg.destinations.get(dest), "currency", "") if cfg is not None else ""
        for k, kind in ASYLUM_KEYS.items():
            if k in d and k in b:
                unit = cur if kind == "money" else kind
                lines.append(f"  {dest:<10}{k:<26}{plain(d[k], unit):>22}{plain(b[k], unit):>22}"
                             f"{plain(d[k] - b[k], unit):>22}  {unit}")
        for lever in ("offshore", "third_country", "deterrence"):
            if lever in d and isinstance(d[lever], dict):
                vals = ", ".join(f"{k}={plain(v, cur if 'cost' in k else '')}" for k, v in d[lever].items()
                                 if isinstance(v, int | float) and not isinstance(v, bool))
                lines.append(f"  {dest:<10}{lever}: {vals}")
    return lines


def cmd_run(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = parse_set(list(args.set or []))
    kw = dict(seed=args.seed, start=args.start, end=args.end, overrides=overrides)
    if getattr(args, "check", False):
        kw["check"] = True
    from crossings.runs.route_system import is_route_system, run_route_system

    if is_route_system(args.scenario):  # a route system (europe.yaml): the land process, monthly tables
        res = run_route_system(args.scenario, seed=args.seed, start=args.start, end=args.end, overrides=overrides)
        write_outputs(args.out, {"daily": res.daily, "monthly": res.monthly}, res.manifest,
                      parquet=not args.no_parquet)
        if not args.quiet:
            print(f"{res.scenario.name}: seed {args.seed} -> {args.out} (Frontex detections per route and year)")
            print("\n".join(summary_lines(res)))
        return 0
    timer = PhaseTimer() if getattr(args, "profile", False) else None
    res = run_scenario(args.scenario, **kw, timer=timer)
    if timer is not None:
        print("\n".join(["phase plan (seconds per phase, in the order run):", *timer.lines()]), file=sys.stderr)
    tables = {"daily": res.daily, "monthly": res.monthly}
    write_outputs(args.out, tables, res.manifest, parquet=not args.no_parquet)
    if not args.quiet:
        print(f"{res.scenario.name}: {res.scenario.start} to {res.scenario.end}, seed {args.seed} -> {args.out}")
        print("\n".join(summary_lines(res)))
        if res.scenario.compare_to_baseline:
            base = run_scenario(args.scenario, baseline=True, **kw)
            print("\n".join(baseline_lines(res, base)))
            if "asylum" in res.summary and "asylum" in base.summary:
                print("\n".join(asylum_baseline_lines(res, base)))
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    """`crossings ensemble`: see crossings.runs.ensemble_command."""
    from crossings.runs.ensemble_command import cmd_ensemble as run_command

    return run_command(args)
