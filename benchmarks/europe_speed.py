"""Speed of the route system with one agent per person: scenarios/europe.yaml 2014-2024 on one core.

    NUMBA_NUM_THREADS=1 uv run --frozen python benchmarks/europe_speed.py [--repeats 3]

Prints the agents (people who set out on a route), the wall time of the agent kernel alone and of the whole run
(building the daily arrays included), best of the repeats, after one warm-up call that loads numba's cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from crossings.land.simulate import run_daily
from crossings.scenario.routes import load_europe

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "europe.yaml"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    sc = load_europe(SCENARIO)
    run_daily(sc, dt.date(2014, 1, 1), dt.date(2014, 2, 28))  # warm-up: numba cache
    best = float("inf")
    n = 0
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        _, out, n = run_daily(sc, sc.start, sc.end)
        best = min(best, time.perf_counter() - t0)
    print(f"europe.yaml {sc.start}..{sc.end}: {n:,} agents (one per person), best of {a.repeats}: {best:.2f} s "
          f"({out.shape[-1]:,} days)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
