"""Print how long the sea process takes on a shipped scenario (one core, one agent per person).

Usage: python -m crossings.runs.bench [scenarios/central_med.yaml] [--repeat 3]
Compiles first (numba cache), then times the agent kernel alone and the whole `run_scenario`.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from crossings.runs.runner import prepare, run_scenario
from crossings.sea.kernel import N_OUT, draw_inflow, draw_weather, sea_kernel
from crossings.sea.model import build
from crossings.sea.quality import launch_by_day


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crossings.runs.bench")
    ap.add_argument("scenario", nargs="?", default="scenarios/central_med.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    arr = build(prepare(a.scenario))
    run_scenario(a.scenario)  # compile / load the numba cache
    kernel_s, total_s, people = [], [], 0
    for seed in range(1, a.repeat + 1):
        t0 = time.perf_counter()
        counts = draw_inflow(seed, arr.inflow)
        out = np.zeros((N_OUT, len(arr.routes), arr.n_days))
        good = draw_weather(seed, arr.p_good, arr.rho)
        launch = launch_by_day(seed, arr.launch, arr.quality_k)
        sea_kernel(seed, counts, arr.region_of_coast, arr.choice, arr.keep, arr.safe_share, arr.safe_cap, good,
                   launch, arr.launch_cap, arr.prevent,
                   arr.intercept, arr.capacity, arr.incident, arr.lethality, arr.boat_size, arr.ppb, arr.boat_cv,
                   arr.ret, arr.det, out)
        kernel_s.append(time.perf_counter() - t0)
        people = int(counts.sum())
        t0 = time.perf_counter()
        run_scenario(a.scenario, seed=seed)
        total_s.append(time.perf_counter() - t0)
    print(f"{a.scenario}: {arr.n_days} days, {people:,} agents (one per person), {len(arr.routes)} routes")
    print(f"  agent kernel:  best {min(kernel_s):.3f} s, mean {np.mean(kernel_s):.3f} s over {a.repeat} seeds")
    print(f"  run_scenario:  best {min(total_s):.3f} s, mean {np.mean(total_s):.3f} s (incl. tables)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
