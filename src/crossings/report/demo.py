"""`crossings demo`: run the two shipped sea scenarios on bundled data and write results + report.html.

Runs scenarios/central_med.yaml (and again with the Tunisia lever off) and scenarios/channel.yaml, prints per
year simulated vs observed arrivals, interceptions and deaths per route, writes each run's tables with
core.output.write_outputs, and one self-contained HTML report with embedded figures.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from crossings.core.errors import InputError
from crossings.core.output import write_outputs, write_text_atomic
from crossings.report.html import Section, build_html
from crossings.report.sections import (
    arrivals_section,
    channel_daily_section,
    deaths_section,
    lever_section,
    routes_of,
    year_table,
)

LEVER_ROUTE = "tunisia_italy"


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios are looked for: ./scenarios, the checkout's scenarios/, package data."""
    here = Path(__file__).resolve()
    return [Path.cwd() / "scenarios", here.parents[3] / "scenarios", here.parents[1] / "data" / "scenarios"]


def scenario_path(name: str) -> Path:
    for d in scenario_dirs():
        if (d / name).is_file():
            return d / name
    tried = ", ".join(str(d) for d in scenario_dirs())
    raise InputError(name, "", f"shipped scenario not found (looked in {tried})")


def partner_lever(path: Path, route: str = LEVER_ROUTE) -> str:
    """Name of the partner-coastguard lever acting on `route` (the Tunisia deal in central_med)."""
    from crossings.run.runner import prepare

    sc = prepare(path)
    names = [n for n, lv in sc.levers.items() if getattr(lv, "type", "") == "partner_coastguard"
             and getattr(lv, "route", "") == route]
    if len(names) != 1:
        raise InputError(str(path), "levers", f"expected one partner_coastguard lever on {route}, found {names}")
    return names[0]


def _print_years(name: str, monthly: pd.DataFrame) -> None:
    table = year_table(monthly, routes_of(monthly))
    print(f"\n{name}: per year, simulated vs observed (observed blank where no series exists)")
    print(table.to_string(float_format=lambda x: f"{x:,.0f}", na_rep=""))


def cmd_demo(args: argparse.Namespace) -> int:
    from crossings.run.runner import run_scenario

    out = Path(args.out)
    cm_path, ch_path = scenario_path("central_med.yaml"), scenario_path("channel.yaml")
    lever = partner_lever(cm_path)
    t0 = time.perf_counter()
    steps = ["central_med", f"central_med, {lever} off", "channel", "report"]
    bar = tqdm(steps, desc="crossings demo", disable=bool(args.no_progress), unit="step")
    results = {}
    for step in bar:
        bar.set_postfix_str(step)
        if step == "central_med":
            results["central_med"] = run_scenario(cm_path, seed=args.seed)
        elif step == "channel":
            results["channel"] = run_scenario(ch_path, seed=args.seed)
        elif step != "report":
            results["central_med_no_tunisia_deal"] = run_scenario(
                cm_path, seed=args.seed, overrides={f"levers.{lever}.enabled": False})
        else:
            for name, res in results.items():
                write_outputs(out / name, {"daily": res.daily, "monthly": res.monthly}, res.manifest)
            cm, off, ch = (results[k].monthly for k in ("central_med", "central_med_no_tunisia_deal", "channel"))
            sections: list[Section] = [
                Section("Per year, simulated vs observed", paragraphs=[
                    *(f"{res.scenario.name}: {res.scenario.description}" for res in
                      (results["central_med"], results["channel"])),
                    "Observed: Channel arrivals and boats from the Home Office daily series; Italy totals from "
                    "the Interior Ministry monthly series; arrivals by departure country only for full years "
                    "2022-2024; interceptions by the Libyan and Tunisian coastguards from the IOM monthly file; "
                    "deaths are IOM Missing Migrants dead + missing (Central Med given for Italy as a whole)."],
                    tables=[("Central Mediterranean", year_table(cm, routes_of(cm))),
                            ("Channel", year_table(ch, routes_of(ch)))]),
                arrivals_section(cm, ch),
                channel_daily_section(results["channel"].daily),
                deaths_section(cm, ch),
                lever_section(cm, off, lever),
            ]
            meta = {"seed": str(args.seed), "central_med": str(cm_path), "channel": str(ch_path),
                    "git commit": str(results["central_med"].manifest.get("git_commit", "")),
                    "wall time": f"{time.perf_counter() - t0:.1f} s"}
            write_text_atomic(out / "report.html", build_html("Crossings demo: central Mediterranean and Channel",
                                                              sections, meta))
    for name in ("central_med", "channel"):
        _print_years(name, results[name].monthly)
    print(f"\nresults in {out}/<run>/ ; report: {out / 'report.html'}")
    return 0
