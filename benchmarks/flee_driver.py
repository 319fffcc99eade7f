"""Run Flee 3.1 on one Flee case with one seed, as flee's runscripts/run.py does, and print its ARD.

Runs with the Python of Flee's own environment (it imports `flee`, never `crossings`):

    .bench/flee-venv/bin/python benchmarks/flee_driver.py src/crossings/data/flee_cases/mali2012 \
        --rules src/crossings/data/flee_cases/rulesets/simsetting.yml --seed 1 --json

flee 3.1's wheel does not ship runscripts/run.py; `run_flee` below mirrors it step by step (setup order,
daily loop, the out.csv row). Differences from run.py, none of which touches the simulation:
  * the case is copied to a temporary directory, where `sim_period.csv` is also written as
    `conflict_period.csv` (the name run.py reads); flee runs with that directory as working directory,
    as FabFlee runs it (flee's spawning looks for input_csv/demographics_*.csv relative to it);
  * flee's two random generators (`random` and `numpy.random`, the only ones flee 3.1 draws from) are
    seeded from --seed before anything else; run.py leaves them unseeded;
  * the out.csv rows go to a file (like `run.py ... > out.csv`), and the ARD is computed from its per-camp
    columns as the case README's "The error metric" defines it (`flee_ard`), which is
    flee/postprocessing/extract-validation-results.py's "Error (normal)" / "Error (rescaled)".

`--score OUT.csv` only scores an existing out.csv (no flee needed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

# flee/postprocessing/analysis.py rounds every absolute difference to this many digits.
ROUND_NDIGITS = 4


def flee_ard(sim: np.ndarray, data: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Flee's ARD and ARD_rescaled from the per-camp "<camp> sim" / "<camp> data" columns, shape (days, camps).

    The case README's metric: U(t) = sum of the camps' UNHCR counts, E(t) = sum_c |sim - data| / max(U, 1);
    the rescaled variant scales each camp's sim by U / (sum of the camps' sim), and is 0 where that sum is 0
    (as in extract-validation-results.py's plotme()). Each |difference| is rounded to 4 digits as flee's
    analysis.abs_diffs does. Returns both means and both daily series.

    extract-validation-results.py takes U and the simulated camp total from run.py's "refugees in camps" columns
    instead; those equal the sums used here except on days when the cumulative raw UNHCR count is not yet
    positive (run.py then writes 0 totals): among the bundled cases only car2013's day 0, when all its camps
    are empty in data and simulation alike, so both give the same ARDs there.
    """
    sim = np.asarray(sim, dtype=np.float64)
    data = np.asarray(data, dtype=np.float64)
    untot = data.sum(axis=1)
    simtot = sim.sum(axis=1)
    scale = np.divide(untot, simtot, out=np.zeros_like(untot), where=simtot > 0)
    rescaled = sim * scale[:, None]
    denom = np.maximum(untot, 1.0)
    err = np.round(np.abs(sim - data), ROUND_NDIGITS).sum(axis=1) / denom
    err_rescaled = np.round(np.abs(rescaled - data), ROUND_NDIGITS).sum(axis=1) / denom
    return float(err.mean()), float(err_rescaled.mean()), err, err_rescaled


def read_out_csv(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Camp names and the (days, camps) sim and data columns of a run.py out.csv."""
    lines = [ln for ln in path.read_text(encoding="latin1").splitlines() if ln.strip()]
    header = lines[0].split(",")
    camps = [h[: -len(" sim")] for h in header if h.endswith(" sim") and "numAgents" not in h]
    cols_sim = [header.index(f"{c} sim") for c in camps]
    cols_data = [header.index(f"{c} data") for c in camps]
    rows = [ln.split(",") for ln in lines[1:]]
    sim = np.array([[float(r[i]) for i in cols_sim] for r in rows], dtype=np.float64).reshape(len(rows), -1)
    data = np.array([[float(r[i]) for i in cols_data] for r in rows], dtype=np.float64).reshape(len(rows), -1)
    return camps, sim, data


def _stage_case(case_dir: Path, work: Path) -> Path:
    """Copy the case into `work` and give it the conflict_period.csv that flee 3.1's run.py reads."""
    staged = work / case_dir.name
    shutil.copytree(case_dir, staged)
    inp = staged / "input_csv"
    if not (inp / "conflict_period.csv").exists():  # flee 3.1 name; same format
        shutil.copyfile(inp / "sim_period.csv", inp / "conflict_period.csv")
    return staged


def run_flee(
    case_dir: Path, rules: Path, seed: int, days: int = 0, out_csv: Path | None = None
) -> dict[str, Any]:
    """One flee 3.1 run of `case_dir` under rule file `rules`; returns ARDs, counts and the run's wall time."""
    t0 = time.perf_counter()
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - flee 3.1 draws from the legacy global generator

    # Imported here so that `flee_ard` stays usable without flee installed.
    from flee import InputGeography, flee, spawning
    from flee.datamanager import DataTable, handle_refugee_data, read_period
    from flee.postprocessing import analysis as a
    from flee.SimulationSettings import SimulationSettings

    case_dir = case_dir.resolve()
    rules = rules.resolve()
    with tempfile.TemporaryDirectory(prefix="flee_run_") as tmp:
        staged = _stage_case(case_dir, Path(tmp))
        old_cwd = Path.cwd()
        os.chdir(staged)
        try:
            # ---- runscripts/run.py from here on (input_csv_directory, validation_data_directory) ----
            input_csv_directory = "input_csv"
            validation_data_directory = "source_data"
            start_date, end_time = read_period.read_conflict_period(
                f"{input_csv_directory}/conflict_period.csv"
            )
            if days > 0:
                end_time = days

            SimulationSettings.ReadFromYML(str(rules))
            # The rule files do not name the conflict file; without this flee 3.1 ignores conflicts.csv.
            SimulationSettings.ConflictInputFile = f"{input_csv_directory}/conflicts.csv"

            e = flee.Ecosystem()
            ig = InputGeography.InputGeography()
            ig.ReadConflictInputCSV(SimulationSettings.ConflictInputFile)
            ig.ReadLocationsFromCSV(f"{input_csv_directory}/locations.csv")
            ig.ReadLinksFromCSV(f"{input_csv_directory}/routes.csv")
            ig.ReadClosuresFromCSV(f"{input_csv_directory}/closures.csv")
            e, lm = ig.StoreInputGeographyInEcosystem(e)

            d = handle_refugee_data.RefugeeTable(
                csvformat="generic",
                data_directory=validation_data_directory,
                start_date=start_date,
                data_layout="data_layout.csv",
                population_scaledown_factor=SimulationSettings.optimisations["PopulationScaleDownFactor"],
            )
            d.ReadL1Corrections(f"{input_csv_directory}/registration_corrections.csv")

            camp_locations = e.get_camp_names()
            header = "Day,Date,"
            for name in camp_locations:
                spawning.add_initial_refugees(e, d, lm[name])
                header += f"{name} sim,{name} data,{name} error,"
            header += (
                "Total error,refugees in camps (UNHCR),total refugees (simulation),"
                "raw UNHCR refugee count,refugees in camps (simulation),refugee_debt"
            )
            lines = [header]

            n_camps = len(camp_locations)
            sim = np.zeros((end_time, n_camps), dtype=np.int64)
            data = np.zeros((end_time, n_camps), dtype=np.int64)
            agent_steps = 0
            agents_max = 0
            n_agents = 0

            for t in range(end_time):
                ig.AddNewConflictZones(e, t)
                _new_refs, refugees_raw, refugee_debt = spawning.spawn_daily_displaced(e, t, d)
                spawning.refresh_spawn_weights(e)
                e.enact_border_closures(t)
                e.evolve()

                loc_data = [d.get_field(name, t) for name in camp_locations]
                camps_sim = sum(lm[name].numAgents for name in camp_locations)
                errors = [
                    a.rel_error(lm[name].numAgents, loc_data[j]) for j, name in enumerate(camp_locations)
                ]
                abs_errors = [
                    a.abs_error(lm[name].numAgents, loc_data[j]) for j, name in enumerate(camp_locations)
                ]
                n_agents = e.numAgents()

                row = f"{t},{DataTable.steps_to_date(t, start_date)}"
                for j, name in enumerate(camp_locations):
                    row += f",{lm[name].numAgents},{loc_data[j]},{errors[j]}"
                    sim[t, j] = lm[name].numAgents
                    data[t, j] = loc_data[j]
                # run.py writes zero totals while the raw UNHCR count is not yet positive (flee_ard does not
                # read these columns).
                if refugees_raw > 0:
                    row += (
                        f",{float(np.sum(abs_errors)) / float(refugees_raw)},{int(sum(loc_data))},"
                        f"{n_agents},{refugees_raw},{camps_sim},{refugee_debt}"
                    )
                else:
                    row += ",0,0,0,0,0,0"
                lines.append(row)
                agent_steps += n_agents
                agents_max = max(agents_max, n_agents)
        finally:
            os.chdir(old_cwd)

    if out_csv is not None:
        out_csv.parent.mkdir(parents=True, exist_ok=True)
        out_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ard, ard_rescaled, _, _ = flee_ard(sim, data)
    return {
        "engine": "flee 3.1",
        "case": case_dir.name,
        "rules": rules.name,
        "seed": seed,
        "days": end_time,
        "camps": n_camps,
        "ard": ard,
        "ard_rescaled": ard_rescaled,
        "agents_final": int(n_agents),
        "agents_max": agents_max,
        "agent_steps": agent_steps,
        "run_s": time.perf_counter() - t0,
    }


def _score(path: Path, as_json: bool) -> int:
    if not path.is_file():
        print(f"flee_driver: error: not found: {path}", file=sys.stderr)
        return 2
    camps, sim, data = read_out_csv(path)
    ard, ard_rescaled, _, _ = flee_ard(sim, data)
    res = {
        "out_csv": str(path),
        "days": int(sim.shape[0]),
        "camps": len(camps),
        "ard": ard,
        "ard_rescaled": ard_rescaled,
    }
    print(json.dumps(res) if as_json else f"{path}: ARD {ard:.4f}  ARD_rescaled {ard_rescaled:.4f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case_dir", type=Path, nargs="?", help="a Flee case directory (input_csv/, source_data/)")
    p.add_argument("--rules", type=Path, help="simsetting.yml (required for a run)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--days", type=int, default=0, help="simulate only this many days (0: the whole period)")
    p.add_argument("--out-csv", type=Path, help="also write run.py's out.csv here")
    p.add_argument(
        "--score", type=Path, metavar="OUT_CSV", help="only compute the ARDs of an existing out.csv"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    if args.score is not None:
        return _score(args.score, args.json)
    if args.case_dir is None or args.rules is None:
        p.error("a run needs CASE_DIR and --rules (or use --score OUT_CSV)")
    inp = args.case_dir / "input_csv"
    missing = [str(p) for p in (inp / "locations.csv", args.rules) if not p.exists()]
    if not (inp / "sim_period.csv").exists() and not (inp / "conflict_period.csv").exists():
        missing.append(str(inp / "sim_period.csv"))
    if missing:
        print(f"flee_driver: error: not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    res = run_flee(args.case_dir, args.rules, args.seed, args.days, args.out_csv)
    if args.json:
        print(json.dumps(res))
    else:
        print(
            f"{res['case']} rules={res['rules']} seed={res['seed']} days={res['days']}: "
            f"ARD {res['ard']:.4f}  ARD_rescaled {res['ard_rescaled']:.4f}  "
            f"agents {res['agents_final']}  agent-steps {res['agent_steps']}  {res['run_s']:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
