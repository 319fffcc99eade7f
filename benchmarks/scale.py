"""Scale benchmark of the Flee engine: a synthetic network with 10 million agents, one core or several threads.

Prints agent-steps per second (agents x days / kernel wall time, after a warm-up run that loads the numba
cache), the kernel's CPU time (user+sys of all threads: on a shared machine wall time is an upper bound),
whether the output is identical with one thread and with all of them (--check, on a smaller instance) and
bytes per agent: the bytes of every array whose length is the number of agents (the agent
state: pos int32, path int32, hop int8, flags uint8, dist float32, recent float32) -- the kernel's working
arrays are per location / path / link, not per agent -- and, as a cross-check, the growth of the process's
peak resident memory (ru_maxrss) while the agents were allocated and run, divided by the number of agents.

    NUMBA_NUM_THREADS=1 python benchmarks/scale.py [--agents N] [--days T] [--json]
    NUMBA_NUM_THREADS=2 python benchmarks/scale.py --check [--json]   # two threads
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numba as nb  # noqa: E402
import numpy as np  # noqa: E402

from crossings.flee import engine_numba as K  # noqa: E402
from crossings.flee.api import BUNDLED_RULES  # noqa: E402
from crossings.flee.model import build_model, new_agents  # noqa: E402
from crossings.flee.reader import FleeCase, Series  # noqa: E402
from crossings.flee.rules import load_rules  # noqa: E402


def synthetic_case(n_loc: int, days: int, seed: int = 0) -> FleeCase:
    """A ring of places with chords: 10% camps, 10% conflict zones, the rest towns; links 20-400 km."""
    rng = np.random.default_rng(seed)
    kinds = np.where(np.arange(n_loc) % 10 == 0, "camp", np.where(np.arange(n_loc) % 10 == 5, "conflict", "town"))
    a = np.concatenate([np.arange(n_loc), rng.integers(0, n_loc, n_loc // 2)])
    b = np.concatenate([(np.arange(n_loc) + 1) % n_loc, rng.integers(0, n_loc, n_loc // 2)])
    keep = a != b
    a, b = a[keep], b[keep]
    names = [f"L{i}" for i in range(n_loc)]
    series = {"total": Series(np.array([0]), np.array([0.0]))}
    series.update({names[i]: Series(np.array([0]), np.array([0.0])) for i in range(n_loc) if kinds[i] == "camp"})
    return FleeCase(
        path=Path("synthetic"), name="synthetic", start=dt.date(2020, 1, 1), length=days, loc_names=names,
        loc_country=["X"] * n_loc, loc_kind=list(kinds), loc_lat=np.zeros(n_loc), loc_lon=np.zeros(n_loc),
        loc_conflict_date=np.zeros(n_loc, dtype=np.int64),
        loc_popcap=np.where(kinds == "camp", 0, 10_000).astype(np.int64), loc_intensity=np.ones(n_loc),
        route_a=a.astype(np.int64), route_b=b.astype(np.int64), route_km=rng.uniform(20, 400, len(a)),
        route_speed=np.full(len(a), np.nan), route_walkp=np.zeros(len(a)), closures=[], conflicts=None,
        conflict_cols=np.zeros(n_loc, dtype=bool), series=series,
    )


def run(n_agents: int, days: int, n_loc: int, camp_share: float, check: bool = False) -> dict[str, Any]:
    model = build_model(synthetic_case(n_loc, days), load_rules(BUNDLED_RULES))
    tl = model.tl

    def once(n: int) -> tuple[float, int]:
        ag = new_agents(n)
        # camp_share of the agents start in camps, the rest anywhere (validation cases end ~70-75% in camps)
        r = np.random.default_rng(1)
        camps = np.array(tl.camps)
        for lo in range(0, n, 1 << 20):  # in chunks, so temporaries do not inflate peak memory
            m = min(n - lo, 1 << 20)
            in_camp = r.random(m) < camp_share
            ag[0][lo:lo + m] = np.where(in_camp, camps[r.integers(0, len(camps), m)], r.integers(0, n_loc, m))
        T, L = tl.movechance.shape
        out = (np.zeros((T, L), dtype=np.int64), np.zeros(T, dtype=np.int64), np.zeros(T, dtype=np.int64))
        c0 = time.process_time()
        t0 = time.perf_counter()
        got = K.run_days(1, n, np.zeros(T, dtype=np.int64), model.net_tuple(), model.days_tuple(), ag,
                         tl.pop.copy(), tl.cap, model.params, *out, nb.get_num_threads(),
                         np.zeros(T, dtype=np.uint8))
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        assert got == n and (out[0].sum(axis=1) + out[1] == n).all()
        return wall, cpu, sum(x.nbytes for x in ag) // n, out, ag

    threads = nb.get_num_threads()
    once(10_000)  # warm-up: loads (or compiles) the numba kernel
    same = None
    if check:  # the same output with one thread as with all of them (smaller instance, before the memory probe)
        runs = []
        for k in (1, threads):
            nb.set_num_threads(k)
            runs.append(once(max(n_agents // 20, 10_000))[3:])
        nb.set_num_threads(threads)
        same = all(np.array_equal(x, y) for x, y in zip(runs[0][0] + tuple(runs[0][1]),
                                                        runs[1][0] + tuple(runs[1][1]), strict=True))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    wall, cpu, state_bytes, _, _ = once(n_agents)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "agents": n_agents, "days": days, "locations": n_loc, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
        "agent_steps_per_s": n_agents * days / wall, "agent_steps_per_cpu_s": n_agents * days / cpu,
        "bytes_per_agent": state_bytes,
        "rss_growth_bytes_per_agent": round((rss1 - rss0) / n_agents, 2),
        "camp_share": camp_share, "numba_threads": threads, "same_output_1_vs_all_threads": same,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agents", type=int, default=10_000_000)
    p.add_argument("--days", type=int, default=10)
    p.add_argument("--locations", type=int, default=1000)
    p.add_argument("--camp-share", type=float, default=0.7, help="share of agents starting in camps")
    p.add_argument("--check", action="store_true", help="also compare outputs with 1 thread and all threads")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    res = run(a.agents, a.days, a.locations, a.camp_share, a.check)
    if a.json:
        print(json.dumps(res))
        return
    print(f"{res['agents']:,} agents x {res['days']} days on {res['locations']} places "
          f"({res['camp_share']:.0%} starting in camps): {res['wall_s']} s")
    print(f"  {res['agent_steps_per_s'] / 1e6:.1f} M agent-steps/s on {res['numba_threads']} thread(s); "
          f"CPU {res['cpu_s']} s ({res['agent_steps_per_cpu_s'] / 1e6:.1f} M agent-steps per CPU second)")
    if res["same_output_1_vs_all_threads"] is not None:
        print(f"  output identical with 1 and {res['numba_threads']} threads: {res['same_output_1_vs_all_threads']}")
    print(f"  {res['bytes_per_agent']} bytes of agent state per agent (no per-agent working arrays); "
          f"peak RSS grew {res['rss_growth_bytes_per_agent']} bytes per agent")


if __name__ == "__main__":
    main()
