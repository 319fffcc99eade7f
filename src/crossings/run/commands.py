"""`crossings run SCENARIO.yaml --out DIR`: run, write daily/monthly tables + manifest, print a summary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crossings.core.output import write_outputs
from crossings.run.phases import PhaseTimer
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
                from crossings.asylum.results import baseline_lines as asylum_baseline_lines

                print("\n".join(asylum_baseline_lines(res.summary["asylum"], base.summary["asylum"])))
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    """`crossings ensemble`: see crossings.run.ensemble_command."""
    from crossings.run.ensemble_command import cmd_ensemble as run_command

    return run_command(args)
