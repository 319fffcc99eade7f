"""`crossings sensitivity SCENARIO --params KEY=LOW:HIGH ... --outputs MEASURE:PLACE@PERIOD ... --out DIR`."""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import chain
from pathlib import Path
from typing import Any

from crossings.core.errors import InputError
from crossings.core.output import hash_files, make_manifest, write_outputs
from crossings.runs.sensitivity import (
    indices,
    json_summary,
    parse_output,
    parse_params,
    scenario_model,
    tornado,
)
from crossings.scenario.load import scenario_files
from crossings.scenario.overrides import parse_set


def cmd_sensitivity(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    bounds = parse_params(list(chain.from_iterable(args.params)))
    outs = [parse_output(o) for o in chain.from_iterable(args.outputs)]
    if not outs:
        raise InputError("--outputs", "", "give at least one MEASURE:PLACE@PERIOD")
    if args.n < 2 or (args.method == "sobol" and args.n & (args.n - 1)):
        raise InputError("--n", str(args.n), "must be at least 2 (sobol: a power of 2)")
    if args.jobs < 1:
        raise InputError("--jobs", "", f"must be at least 1, got {args.jobs}")
    overrides: dict[str, Any] = parse_set(list(args.set or []))
    model = scenario_model(args.scenario, list(bounds), outs, seed=args.seed, overrides=overrides, jobs=args.jobs,
                           backend=args.backend, address=args.address, progress=not args.quiet)
    table, x, _ = indices(model, bounds, [o.text for o in outs], args.method, args.n, args.seed)
    manifest = make_manifest(
        scenario=str(args.scenario), scenario_hash=hash_files(scenario_files(args.scenario, overrides)),
        seed=args.seed, wall_s=time.perf_counter() - t0,
        extra={"method": args.method, "n": args.n, "runs": len(x), "parameters": {k: list(v) for k, v in bounds.items()},
               "outputs": [o.text for o in outs], "overrides": {k: str(v) for k, v in overrides.items()},
               "backend": args.backend, "started_utc": started,
               "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    with tempfile.TemporaryDirectory() as tmp:
        svg = Path(tmp) / "tornado.svg"  # text: write_outputs writes text files (a PNG would need bytes)
        tornado(table, args.method, svg)
        write_outputs(args.out, {"sensitivity": table}, manifest, parquet=False,
                      extra_files={"sensitivity.json": json_summary(table, args.method, bounds, args.n, len(x), {}),
                                   "tornado.svg": svg.read_text(encoding="utf-8")})
    print(f"{args.scenario}: {args.method}, {len(x)} runs (seed {args.seed}) -> {args.out}")
    main, conf = ("ST", "ST_conf") if args.method == "sobol" else ("mu_star", "mu_star_conf")
    for o in dict.fromkeys(table["output"]):
        print(f"  {o}")
        t = table[table["output"] == o].sort_values(main, ascending=False)
        for r in t.itertuples(index=False):
            d = r._asdict()
            first = f"  S1 {d['S1']:.3f} +- {d['S1_conf']:.3f}" if args.method == "sobol" else ""
            print(f"    {d['parameter']:<46} {main} {d[main]:.3f} +- {d[conf]:.3f}{first}")
    return 0
