"""`crossings run CASE_DIR` and `crossings validate CASE_DIR` for Flee-format cases (argparse Namespaces in)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from crossings.core.errors import InputError


def _check_case(path: str) -> Path:
    p = Path(path)
    if not (p / "input_csv").is_dir():
        raise InputError(str(p), "", "not a Flee case directory (no input_csv/ folder)")
    return p


def cmd_run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    case_dir = _check_case(args.scenario)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "", "--out exists and is not a directory")
    from crossings.core.output import hash_files, make_manifest, write_outputs
    from crossings.flee.api import prepare, tables
    from crossings.flee.metrics import ard
    from crossings.flee.model import simulate

    model, rules_src = prepare(case_dir, args.rules)
    raw = simulate(model, int(args.seed))
    a, a_r = ard(raw.loc_counts[:, model.tl.camps], model.tl.camp_data)
    tabs = tables(model, raw)
    inputs = list(model.case.files)
    if Path(rules_src).is_file():
        inputs.append(Path(rules_src))
    wall = time.perf_counter() - t0
    manifest = make_manifest(
        scenario=str(case_dir), scenario_hash=hash_files(inputs), seed=int(args.seed), wall_s=wall,
        data_versions={str(p.relative_to(case_dir)) if p.is_relative_to(case_dir) else f"rules/{p.name}":
                       hash_files([p])[:16] for p in inputs},
        extra={"engine": "crossings.flee (Flee 3.1 rules)", "rules": rules_src, "days": model.case.length,
               "agents": raw.n_agents, "ard": a, "ard_rescaled": a_r, "warnings": list(model.case.warnings)},
    )
    write_outputs(out, tabs, manifest, parquet=not args.no_parquet)
    if not args.quiet:
        for w in model.case.warnings:
            print(f"warning: {w}", file=sys.stderr)
        print(f"{model.case.name}: {model.case.length} days, {raw.n_agents} agents, seed {args.seed}: "
              f"ARD {a:.4f}, ARD_rescaled {a_r:.4f}; wrote {out} ({wall:.2f} s)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    case_dir = _check_case(args.case_dir)
    if args.seeds < 1:
        raise InputError("--seeds", "", f"must be >= 1, got {args.seeds}")
    from crossings.flee.validate import validate_case

    jobs = getattr(args, "jobs", 1)
    if jobs < 1:
        raise InputError("--jobs", "", f"must be >= 1, got {jobs}")
    res = validate_case(case_dir, args.rules, seeds=args.seeds, first_seed=args.first_seed, engine=args.engine,
                        jobs=jobs, threads=getattr(args, "threads", 1))
    if args.json:
        print(json.dumps(res, separators=(",", ":")))
        return 0
    for w in res["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{res['case']}: {res['days']} days, up to {res['agents_max']} agents, {res['seeds']} seed(s) "
          f"from {res['first_seed']}, rules {res['rules']}")
    print(f"  ARD           {res['ard']:.4f} (sd {res['ard_sd']:.4f})")
    print(f"  ARD_rescaled  {res['ard_rescaled']:.4f} (sd {res['ard_rescaled_sd']:.4f})")
    print(f"  wall time     {res['wall_s']:.2f} s")
    return 0
