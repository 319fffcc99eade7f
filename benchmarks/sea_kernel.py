"""CPU cost of one sea ensemble member, by phase (issue 12: 1,000 central_med members in <= 30 s on 2 cores).

    uv run --frozen python benchmarks/sea_kernel.py [--scenario scenarios/central_med.yaml] [--seeds 20]
        [--repeat 5]

Builds the scenario's sea arrays once (as run/member.py does), then for each seed times with
time.process_time (CPU seconds of this process: repeatable on a loaded machine, unlike wall time) the
phases of a member: inflow draws, weather draws, window quality, the agent kernel, and the member's whole
sea path (simulate + sea_vector, the work a worker does per seed). Prints, per phase, the best of --repeat
passes over the seeds as ms per member, and the projected wall of 1,000 members on 2 idle cores
(members x whole-member CPU / 2, ignoring the fixed start-up and the parent's summaries).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from crossings.runs.member import _sea_layout, sea_vector
from crossings.runs.runner import prepare, run_scenario
from crossings.sea.bundles import draws, route_arrays
from crossings.sea.kernel import N_OUT, draw_inflow, draw_weather, sea_kernel
from crossings.sea.model import build
from crossings.sea.quality import launch_by_day
from crossings.sea.simulate import simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="scenarios/central_med.yaml")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sc = prepare(args.scenario)
    a = build(sc)
    lay = _sea_layout(run_scenario(args.scenario, seed=1).monthly, simulate(a, 1))
    seeds = list(range(1, args.seeds + 1))
    simulate(a, 1)  # compile / load the numba cache outside the timing
    routes = route_arrays(a)  # built once, shared by every seed (as an ensemble does)
    phases: dict[str, list[float]] = {k: [] for k in ("inflow", "weather", "quality", "kernel", "member")}
    agents = 0
    for _ in range(args.repeat):
        tot = dict.fromkeys(phases, 0.0)
        for seed in seeds:
            t0 = time.process_time()
            counts = draw_inflow(seed, a.inflow)
            t1 = time.process_time()
            good = draw_weather(seed, a.p_good, a.rho)
            t2 = time.process_time()
            launch = launch_by_day(seed, a.launch, a.quality_k)
            t3 = time.process_time()
            out = np.zeros((N_OUT, len(a.routes), a.n_days))
            state, _, _ = sea_kernel(seed, draws(counts, good, launch), routes, out)
            t4 = time.process_time()
            sea_vector(simulate(a, seed), lay)
            t5 = time.process_time()
            agents = len(state)
            for k, v in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                tot[k] += v
        for k in phases:
            phases[k].append(tot[k] / len(seeds))
    print(f"{args.scenario}: {a.n_days} days, {len(a.routes)} routes, ~{agents} agents a member; "
          f"CPU ms per member, best of {args.repeat} passes over {len(seeds)} seeds:")
    for k, v in phases.items():
        print(f"  {k:8s} {1000 * min(v):8.2f} ms   (median {1000 * float(np.median(v)):.2f})")
    best = min(phases["member"])
    print(f"  kernel agent-days: {agents} agents; kernel {agents / min(phases['kernel']) / 1e6:.1f} M agents/s")
    print(f"projected 1,000 members on 2 idle cores (sea path only): {1000 * best / 2:.1f} s")


if __name__ == "__main__":
    main()
