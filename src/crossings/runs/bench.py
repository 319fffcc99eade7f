"""Print how long the sea process takes on a shipped scenario (one core, one agent per person).

Usage: python -m crossings.runs.bench [scenarios/central_med.yaml] [--repeat 3]
Compiles first (numba cache), then times the agent kernel alone and the whole `run_scenario`.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from crossings.core.errors import guarded
from crossings.runs.runner import prepare, run_scenario
from crossings.sea.bundles import route_arrays
from crossings.sea.kernel import N_OUT, sea_kernel
from crossings.sea.model import build
from crossings.sea.simulate import draw_seed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crossings.runs.bench")
    ap.add_argument("scenario", nargs="?", default="scenarios/central_med.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)

    def command() -> int:
        arr = build(prepare(a.scenario))
        routes = route_arrays(arr)
        run_scenario(a.scenario)  # compile / load the numba cache
        kernel_s, total_s, people = [], [], 0
        for seed in range(1, a.repeat + 1):
            t0 = time.perf_counter()
            drawn = draw_seed(arr, seed)
            out = np.zeros((N_OUT, len(arr.routes), arr.n_days))
            sea_kernel(seed, drawn, routes, out)
            kernel_s.append(time.perf_counter() - t0)
            people = int(drawn.counts.sum())
            t0 = time.perf_counter()
            run_scenario(a.scenario, seed=seed)
            total_s.append(time.perf_counter() - t0)
        print(f"{a.scenario}: {arr.n_days} days, {people:,} agents (one per person), {len(arr.routes)} routes")
        print(f"  agent kernel:  best {min(kernel_s):.3f} s, mean {np.mean(kernel_s):.3f} s over {a.repeat} seeds")
        print(f"  run_scenario:  best {min(total_s):.3f} s, mean {np.mean(total_s):.3f} s (incl. tables)")
        return 0

    return guarded("crossings.runs.bench", command)


if __name__ == "__main__":
    raise SystemExit(main())
