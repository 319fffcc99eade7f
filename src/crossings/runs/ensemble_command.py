"""`crossings ensemble SCENARIO --seeds N --out DIR [--jobs J] [--backend local|ray]`: monthly mean and quantiles
(and lever effects); resumable (finished members are kept beside --out until the output is written)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from crossings.core.errors import InputError
from crossings.core.output import hash_files, make_manifest, write_outputs
from crossings.runs.ensemble import EnsembleResult, run_ensemble
from crossings.scenario.load import scenario_files
from crossings.scenario.overrides import parse_set


def profile_lines(ens: EnsembleResult) -> list[str]:
    p = ens.profile
    lines = [f"profile ({len(ens.seeds)} members, {ens.resumed} resumed):"]
    for k, v in p.items():
        per = f"  ({v / max(1, len(ens.seeds) - ens.resumed) * 1e3:.2f} ms a member)" if k.startswith("members.") else ""
        lines.append(f"  {k:<26}{v:>10.3f} s{per}")
    return lines


def cmd_ensemble(args: argparse.Namespace) -> int:
    if args.seeds < 1:
        raise InputError("--seeds", "", f"must be at least 1, got {args.seeds}")
    if args.jobs < 1:
        raise InputError("--jobs", "", f"must be at least 1, got {args.jobs}")
    overrides: dict[str, Any] = parse_set(list(args.set or []))
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    t0 = time.perf_counter()
    backend = getattr(args, "backend", "local")
    ens = run_ensemble(args.scenario, seeds, overrides, args.compare_baseline, args.jobs,
                       getattr(args, "parameter_uncertainty", False), backend=backend,
                       address=getattr(args, "address", None), checkpoint=Path(args.out),
                       progress=not getattr(args, "quiet", False), fresh=getattr(args, "fresh", False))
    tables = {"ensemble_monthly": ens.monthly, "ensemble_annual": ens.annual}
    if ens.effect is not None:
        tables["lever_effect_monthly"] = ens.effect
    if ens.effect_annual is not None:
        tables["lever_effect_annual"] = ens.effect_annual
    files = scenario_files(args.scenario, overrides)
    extra: dict[str, Any] = {"seeds": seeds, "overrides": {k: str(v) for k, v in overrides.items()},
                             "compare_baseline": bool(args.compare_baseline), "backend": backend,
                             "started_utc": ens.started_utc, "finished_utc": ens.finished_utc,
                             "members_resumed": ens.resumed}
    if ens.uncertainty is not None:  # the covariance file the members' parameters were drawn from
        files = [*files, Path(ens.uncertainty["file"])]
        extra["parameter_uncertainty"] = ens.uncertainty
    from crossings.runs.runner import data_versions

    manifest = make_manifest(scenario=str(args.scenario), scenario_hash=hash_files(files), seed=seeds[0],
                             wall_s=time.perf_counter() - t0, data_versions=data_versions(ens.scenario), extra=extra)
    write_outputs(args.out, tables, manifest, parquet=not args.no_parquet)
    ens.discard()  # written: the finished members are no longer needed
    if getattr(args, "profile", False):
        print("\n".join(profile_lines(ens)), file=sys.stderr)
    a = ens.annual[ens.annual["measure"] == "arrivals"]
    drawn = f", fitted parameters drawn from {ens.uncertainty['file']}" if ens.uncertainty else ""
    over = "seeds and parameter draws" if ens.uncertainty else "seeds"
    print(f"{args.scenario}: {len(seeds)} seeds{drawn} -> {args.out}")
    print(f"arrivals per route and year: observed, simulated mean [5%-95% over {over}]")
    for route, year, observed, mean, p05, p95 in a[["place", "year", "observed", "mean", "p05", "p95"]].itertuples(
            index=False):
        obs = "-" if pd.isna(observed) else f"{float(observed):,.0f}"
        print(f"  {route!s:<16}{year!s:>6}{obs:>12}{float(mean):>12,.0f}  [{float(p05):,.0f}-{float(p95):,.0f}]")
    if ens.effect_annual is not None:
        print("\n".join(effect_lines(ens.effect_annual, over)))
    return 0


EFFECT_MEASURES = ("arrivals", "deaths", "interceptions", "awaiting_decision", "in_hotels", "cost")


def effect_lines(effect_annual: pd.DataFrame, over: str) -> list[str]:
    """Every lever together against all levers off, per place and year: mean and 90% interval of the per-member
    yearly differences (common random numbers); `crossings compare` splits it lever by lever."""
    e = effect_annual[effect_annual["measure"].isin(EFFECT_MEASURES)]
    e = e[(e["p05"] != 0) | (e["p95"] != 0)]
    lines = [f"levers on minus all levers off, per year: mean [5%-95% over {over}] (crossings compare: lever by "
             "lever, in words)"]
    for r in e.itertuples(index=False):
        lines.append(f"  {r.place!s:<16}{r.year!s:>6}  {r.measure:<18}{r.mean:>+14,.0f}  "
                     f"[{r.p05:+,.0f} to {r.p95:+,.0f}] {r.unit}")
    return lines
