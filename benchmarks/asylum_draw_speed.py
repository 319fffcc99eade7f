"""What one draw of the UK asylum forecast (and one member of its back-test) costs, by phase: the same call
`crossings forecast scenarios/uk_asylum.yaml` makes per draw (forecasting.asylum_backtest.run_cut, stochastic
arrivals, the scenario's rule), repeated over draws in one process after a warm-up draw (numba caches, the
per-process caches of the observed tables). Phases are timed by wrapping the functions run_cut calls; "daily
loop" is the destination's run less its inputs and plans.

    uv run --frozen python benchmarks/asylum_draw_speed.py [--draws 20] [--origin 2024-12-31] [--quarters 12]

Compare another checkout in the same way: PYTHONPATH=<checkout>/src uv run --frozen python benchmarks/asylum_draw_speed.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from crossings.asylum import results, simulate
from crossings.forecasting import asylum_backtest as ab
from crossings.forecasting.asylum_forecast import scenario_rule

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "uk_asylum.yaml"
PHASES = [(ab, "_scenario", "scenario (read once per process)"), (ab, "arrivals_with_path", "arrivals path"),
          (simulate, "_inflow", "inflows (after-data rules)"), (simulate, "_plans", "parameters and levers"),
          (simulate, "_run_destination", "destination run"), (results, "daily_table", "daily table"),
          (ab, "run_cut", "whole draw")]


def _timed(spent: dict[str, float], label: str, f: Any) -> Any:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - t0
    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--origin", default="2024-12-31", help="the last day of the data the draws use")
    ap.add_argument("--quarters", type=int, default=12)
    a = ap.parse_args()
    origin = dt.date.fromisoformat(a.origin)
    rule = scenario_rule(SCENARIO)
    spent: dict[str, float] = defaultdict(float)
    for mod, name, label in PHASES:
        setattr(mod, name, _timed(spent, label, getattr(mod, name)))
    ab.run_cut(origin, rule, 1, 1, a.quarters, SCENARIO, stochastic_arrivals=True)  # warm-up
    spent.clear()
    c0 = time.process_time()
    for k in range(2, 2 + a.draws):
        ab.run_cut(origin, rule, k, k, a.quarters, SCENARIO, stochastic_arrivals=True)
    cpu = time.process_time() - c0
    per = {label: spent[label] / a.draws for _m, _n, label in PHASES}
    per["daily loop (destination run less inputs and plans)"] = (
        per["destination run"] - per["inflows (after-data rules)"] - per["parameters and levers"])
    print(f"UK asylum draw ({rule}, origin {origin}, {a.quarters} quarters), {a.draws} draws after a warm-up, "
          f"load {os.getloadavg()[0]:.1f}: {per['whole draw']:.3f} s wall per draw, {cpu / a.draws:.3f} s CPU")
    for label, s in per.items():
        if label != "whole draw":
            print(f"  {label:55s} {s:.3f} s")


if __name__ == "__main__":
    main()
