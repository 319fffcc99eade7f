"""`crossings demo`: the comparison report on the shipped scenarios, sea and asylum.

Part 1: scenarios/central_med.yaml against its levers-off baseline, and each lever (the EU-Tunisia deal, the
Libyan coastguard support) switched off in turn. Part 2: scenarios/uk_rwanda.yaml (the UK asylum system with
the Rwanda scheme and the UK-France deal) the same way, with its asylum panels (backlog, hotels, cost in GBP).
Every seed runs every variant on common random numbers; the report gives each lever's effect in words with its
90% interval over seeds. Each part's tables go to OUT/<scenario>/ (with its own report.html); OUT/report.html
holds both parts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tqdm import tqdm

from crossings.core.errors import InputError
from crossings.core.output import write_text_atomic
from crossings.report.compare_html import compare_sections, page_meta
from crossings.report.html import Section, build_html

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
    from crossings.runs.runner import prepare

    sc = prepare(path)
    names = [n for n, lv in sc.levers.items() if getattr(lv, "type", "") == "partner_coastguard"
             and getattr(lv, "route", "") == route]
    if len(names) != 1:
        raise InputError(str(path), "levers", f"expected one partner_coastguard lever on {route}, found {names}")
    return names[0]


DEMO_SCENARIOS = ("central_med.yaml", "uk_rwanda.yaml")


def cmd_demo(args: argparse.Namespace) -> int:
    from crossings.report.compare_cmd import write_comparison
    from crossings.runs.compare import Variant, compare

    out = Path(args.out)
    seeds = list(range(args.seed, args.seed + args.seeds))
    paths = [scenario_path(name) for name in DEMO_SCENARIOS]
    t0 = time.perf_counter()
    sections: list[Section] = [Section("About this demo", paragraphs=[
        f"Two shipped scenarios, each against its levers-off baseline and with each lever switched off in turn, "
        f"over {len(seeds)} seeds on common random numbers: the central Mediterranean (sea routes to Italy) and "
        "the UK (Channel crossings and the asylum system). More seeds give steadier bands: crossings demo --seeds 20.",
        "Part 1 is the central Mediterranean; part 2 is the UK."])]
    comps = []
    bar = tqdm(paths, desc="crossings demo", disable=bool(args.no_progress), unit="scenario")
    for part, path in enumerate(bar, start=1):
        bar.set_postfix_str(path.stem)
        t1 = time.perf_counter()
        comp = compare(Variant(path.stem, str(path)), None, seeds, jobs=args.jobs)
        write_comparison(comp, out / path.stem, time.perf_counter() - t1)
        comps.append(comp)
        for sec in compare_sections(comp):
            sec.title = f"Part {part} ({path.stem}): {sec.title}"
            sections.append(sec)
    meta = page_meta(comps[0], time.perf_counter() - t0)
    meta["scenarios"] = ", ".join(str(Path("scenarios") / p.name) for p in paths)
    write_text_atomic(out / "report.html", build_html("Crossings demo: what the levers did, with intervals",
                                                      sections, meta))
    for comp in comps:
        print(f"\n{comp.variants[0].label} ({len(seeds)} seeds, common random numbers):")
        for h in comp.headlines:
            print(f"- {h}")
    print(f"\nresults in {out}/<scenario>/ ; report: {out / 'report.html'}")
    return 0
