"""Where the Flee kernel's time goes: the day loop of engine_numba.run_days replayed from Python, pass by pass, with
the CPU time of each part and the number of agents each part handles.

Parts: the per-day tables; the evolve pass split into its scan (the same pass rerun on a copy of the agents with
every move chance 0: one draw per agent not under way, nobody moves) and the rest (the agents whose draw succeeded:
route choice, stepping onto a link); the finish pass split likewise into its scan (rerun on a copy with nobody
under way) and the rest (the agents under way: advancing, arriving, chained moves). The copies and the reruns are
outside the timers; the real passes run on the real state, so the run is the kernel's run (the script checks that
its final counts equal simulate's). CPU time (process_time), not wall: the development machine is shared.

    uv run --frozen python benchmarks/flee_breakdown.py ssudan2013 [--seed 1] [--json]
    uv run --frozen python benchmarks/flee_breakdown.py --scale 2000000   # scale.py's synthetic case, 10 days
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from crossings.core.rng import uniform_np  # noqa: E402
from crossings.flee import engine_numba as K  # noqa: E402
from crossings.flee.api import BUNDLED_RULES, prepare  # noqa: E402
from crossings.flee.bundles import AgentArrays, new_agents  # noqa: E402
from crossings.flee.model import Model, build_model, capacity_hint, simulate  # noqa: E402
from crossings.flee.rules import load_rules  # noqa: E402

CASES = Path(__file__).resolve().parents[1] / "src" / "crossings" / "data" / "flee_cases"


def _initial_agents(model: Model, scale_agents: int) -> tuple[AgentArrays, int]:
    tl = model.tl
    if scale_agents:  # as benchmarks/scale.py places them: 70% in camps, the rest anywhere
        n = scale_agents
        ag = new_agents(n)
        r = np.random.default_rng(1)
        camps = np.array(tl.camps)
        in_camp = r.random(n) < 0.7
        ag.pos[:] = np.where(in_camp, camps[r.integers(0, len(camps), n)], r.integers(0, len(tl.pop), n))
        return ag, n
    ag = new_agents(capacity_hint(model))
    n0 = 0
    for c, k in zip(tl.camps, tl.initial, strict=True):
        ag.pos[n0:n0 + k] = c
        n0 += int(k)
    return ag, n0


def day_loop_state(model: Model, scale_agents: int) -> tuple[Any, ...]:
    """The day loop's arrays before day 0 as engine_numba.run_days sets them up (also benchmarks/flee_work.py):
    agents, their count, population, occupancy, link occupancy, the route-weight buffers, each path's first
    place, the step links and the fixed route tables."""
    tl, net, prm, cap = model.tl, model.net_tuple(), model.params, model.tl.cap
    L = tl.movechance.shape[1]
    ag, n = _initial_agents(model, scale_agents)
    occ = np.bincount(ag.pos[:n], minlength=L).astype(np.int64)
    is_fixed = np.array([not any(cap[net.path_end[q]] >= 1 and prm[K.P_UNIFORM] == 0.0
                                 for q in range(net.path_ptr[i], net.path_ptr[i + 1])) for i in range(L)])
    fixed = K.FixedTables(is_fixed, np.zeros(len(net.path_end)), np.zeros(len(net.path_end)), np.zeros(L),
                          np.zeros(L, dtype=np.int64), np.full(L, -1, dtype=np.int64))
    return (ag, n, tl.pop.copy(), occ, np.zeros(len(net.link_km), dtype=np.int64),
            np.zeros(int(max(np.diff(net.path_ptr).max(), 1))), np.zeros(len(net.path_end)),
            np.repeat(np.arange(L), np.diff(net.path_ptr)), np.empty(len(net.hop_node), dtype=np.int64), fixed)


def day_tables(t: int, net: Any, days: Any, prm: np.ndarray, cap: np.ndarray, pop: np.ndarray, pw: np.ndarray,
               mc: np.ndarray, fixed: Any, path_from: np.ndarray, step_link: np.ndarray) -> None:
    """Day t's tables, as engine_numba.run_days computes them after spawning (also benchmarks/flee_work.py): route
    weights, move chances, the fixed route tables and each path's step links (run_days skips the last when the
    open links did not change: the same values)."""
    K.path_weights(t, net.path_end, net.path_den, net.path_home, net.hop_ptr, net.hop_link, days.score,
                   days.popweight, days.link_open, pop, prm, pw)
    K.move_chances(t, days.movechance, pop, cap, prm, mc)
    K.fixed_tables(net.path_ptr, net.path_end, cap, prm, pw, *fixed)
    K.step_links(t, path_from, net.hop_ptr, net.hop_node, net.out_ptr, net.out_link, net.link_dst,
                 days.link_open, step_link)


def case_model(case: str, scale_agents: int) -> Model:
    """A bundled Flee case, or scale.py's synthetic case (1,000 places, 10 days) when scale_agents > 0."""
    if scale_agents:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from scale import synthetic_case

        return build_model(synthetic_case(1000, 10), load_rules(BUNDLED_RULES))
    return prepare(CASES / case, CASES / "rulesets" / "simsetting.yml")[0]


def breakdown(model: Model, seed: int, scale_agents: int = 0, max_days: int | None = None) -> dict[str, Any]:
    tl, net, days, prm, cap = model.tl, model.net_tuple(), model.days_tuple(), model.params, model.tl.cap
    T, L = tl.movechance.shape
    T = T if max_days is None else min(T, max_days)
    n_spawn = np.zeros(T, dtype=np.int64) if scale_agents else tl.n_spawn
    ag, n, pop, occ, occ_link, wbuf, pw, path_from, step_link, fixed = day_loop_state(model, scale_agents)
    mc, mc0, cum = np.zeros(L), np.zeros(L), np.zeros(L)
    cpu = dict.fromkeys(("tables", "evolve_pass", "evolve_scan", "finish_pass", "finish_scan"), 0.0)
    count = dict.fromkeys(("agent_days", "movers", "under_way_in_finish"), 0)

    def timed(part: str, f: Any, *args: Any) -> Any:
        c0 = time.process_time()
        out = f(*args)
        cpu[part] += time.process_time() - c0
        return out

    for t in range(T):
        c0 = time.process_time()
        n = K.spawn(t, n, seed, n_spawn[t], days.spawn_mult, days.conflict_now, *ag, occ, pop, prm, cum)
        day_tables(t, net, days, prm, cap, pop, pw, mc, fixed, path_from, step_link)
        cpu["tables"] += time.process_time() - c0
        away = (ag.flags[:n] & K.TRAVELLING) != 0
        idx = np.arange(n, dtype=np.int64)
        u = uniform_np(K.day_key(seed, K.STREAM_MOVE, t, 0), idx)
        count["agent_days"] += n
        count["movers"] += int((~away & (u < mc[np.where(away, 0, ag.pos[:n])])).sum())
        for phase, part in ((0, "evolve"), (1, "finish")):
            copy = AgentArrays(*(x.copy() for x in ag))
            if phase == 1:
                copy.flags[:] = 0
            timed(f"{part}_scan", K.agent_pass, phase, 0, n, seed, t, net, days, copy, cap, prm, pw,
                  mc0 if phase == 0 else mc, step_link, fixed, occ.copy(), occ.copy(), occ_link.copy(), wbuf)
            if phase == 1:
                count["under_way_in_finish"] += int(((ag.flags[:n] & K.TRAVELLING) != 0).sum())
            timed(f"{part}_pass", K.agent_pass, phase, 0, n, seed, t, net, days, ag, cap, prm, pw, mc, step_link,
                  fixed, occ, occ, occ_link, wbuf)
    res: dict[str, Any] = {"agents_end": int(n), "days": T, **count}
    res["final_occupancy"] = occ.tolist()
    total = cpu["tables"] + cpu["evolve_pass"] + cpu["finish_pass"]
    res["cpu_s"] = {k: round(v, 3) for k, v in cpu.items()}
    res["cpu_s"]["kernel_total"] = round(total, 3)
    res["cpu_s"]["movers_part"] = round(cpu["evolve_pass"] - cpu["evolve_scan"], 3)
    res["cpu_s"]["under_way_part"] = round(cpu["finish_pass"] - cpu["finish_scan"], 3)
    ad = count["agent_days"]
    res["ns"] = {
        "per_agent_day": round(total / ad * 1e9, 2),
        "evolve_scan_per_agent_day": round(cpu["evolve_scan"] / ad * 1e9, 2),
        "finish_scan_per_agent_day": round(cpu["finish_scan"] / ad * 1e9, 2),
        "per_mover": round(res["cpu_s"]["movers_part"] / max(count["movers"], 1) * 1e9, 1),
        "per_agent_under_way_in_finish": round(res["cpu_s"]["under_way_part"]
                                               / max(count["under_way_in_finish"], 1) * 1e9, 1),
    }
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case", nargs="?", default="ssudan2013", help="a bundled Flee case")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scale", type=int, default=0, help="scale.py's synthetic case with this many agents instead")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    model = case_model(a.case, a.scale)
    breakdown(model, a.seed, min(a.scale, 20_000), max_days=2)  # warm-up: the first calls load the numba cache
    res = breakdown(model, a.seed, a.scale)
    if not a.scale:  # the replay is the kernel's run
        assert res["final_occupancy"] == simulate(model, a.seed).loc_counts[-1].tolist()
    res.pop("final_occupancy")
    res["case"] = f"scale.py synthetic, {a.scale} agents" if a.scale else a.case
    if a.json:
        print(json.dumps(res))
        return
    c, ns = res["cpu_s"], res["ns"]
    print(f"{res['case']}: {res['agent_days']:,} agent-days, {res['movers']:,} successful move draws, "
          f"{res['under_way_in_finish']:,} agent-days under way in the finish pass")
    print(f"  kernel CPU {c['kernel_total']} s ({ns['per_agent_day']} ns per agent-day): tables {c['tables']} s; "
          f"evolve scan {c['evolve_scan']} s ({ns['evolve_scan_per_agent_day']} ns/agent-day), movers "
          f"{c['movers_part']} s ({ns['per_mover']} ns each); finish scan {c['finish_scan']} s "
          f"({ns['finish_scan_per_agent_day']} ns/agent-day), under way {c['under_way_part']} s "
          f"({ns['per_agent_under_way_in_finish']} ns each)")


if __name__ == "__main__":
    main()
