"""`crossings compare A [B | --baseline]`: run the comparison, write its tables, manifest and report.html."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from crossings.core.errors import InputError
from crossings.core.output import hash_files, make_manifest, write_outputs
from crossings.report.compare_html import build_compare_html, display_path, headline_table
from crossings.runs.compare import Comparison, Variant, compare
from crossings.scenario.load import scenario_files
from crossings.scenario.overrides import parse_set


def variants_from_args(args: argparse.Namespace) -> tuple[Variant, Variant | None]:
    shared: dict[str, Any] = parse_set(list(args.set or []))
    only_b: dict[str, Any] = parse_set(list(args.set_b or []), "--set-b")
    a_name = Path(args.a).stem
    a = Variant(a_name, str(args.a), shared)
    if args.b is None and not only_b:
        return a, None  # the levers-off baseline (and each lever off in turn)
    b_path = str(args.b or args.a)
    b_name = Path(b_path).stem
    if b_name == a_name:
        b_name = f"{a_name} with " + ", ".join(f"{k}={v}" for k, v in only_b.items()) if only_b else f"{b_name} (B)"
    return a, Variant(b_name, b_path, {**shared, **only_b})


def write_comparison(comp: Comparison, out: str | Path, wall_s: float, parquet: bool = True) -> Path:
    """Tables (CSV, Parquet), manifest and report.html into `out`, atomically."""
    files: list[Path] = []
    for v in comp.variants[:2]:
        files += scenario_files(v.path, v.overrides)
    comp.manifest = make_manifest(
        scenario=" vs ".join(dict.fromkeys(display_path(v.path) for v in comp.variants[:2])),
        scenario_hash=hash_files(sorted(set(files))), seed=comp.seeds[0], wall_s=wall_s,
        data_versions=comp.data_versions,
        extra={"seeds": comp.seeds, "variants": [{"label": v.label, "path": display_path(v.path), "baseline": v.baseline,
                                                  "overrides": {k: str(x) for k, x in v.overrides.items()}}
                                                 for v in comp.variants],
               "contrasts": [{"label": c.label, "with": c.with_, "without": c.without} for c in comp.contrasts],
               "headlines": comp.headlines})
    tables = {"compare_monthly": comp.monthly, "compare_annual": comp.annual,
              "difference_monthly": comp.effects_monthly, "difference_annual": comp.effects_annual,
              "headline": headline_table(comp)}
    write_outputs(out, tables, comp.manifest, parquet=parquet,
                  extra_files={"report.html": build_compare_html(comp, wall_s=wall_s)})
    return Path(out) / "report.html"


def cmd_compare(args: argparse.Namespace) -> int:
    if args.seeds < 1:
        raise InputError("--seeds", "", f"must be at least 1, got {args.seeds}")
    if args.jobs < 1:
        raise InputError("--jobs", "", f"must be at least 1, got {args.jobs}")
    if args.baseline and (args.b is not None or args.set_b):
        raise InputError("--baseline", "", "compares A with its levers off: give no B and no --set-b")
    a, b = variants_from_args(args)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    t0 = time.perf_counter()
    comp = compare(a, b, seeds, jobs=args.jobs, per_lever=not args.no_per_lever)
    report = write_comparison(comp, args.out, time.perf_counter() - t0, parquet=not args.no_parquet)
    print(f"{a.label} vs {comp.variants[1].label}: {len(seeds)} seeds, common random numbers -> {args.out}")
    for h in comp.headlines:
        print(f"- {h}")
    print(f"report: {report}")
    return 0
