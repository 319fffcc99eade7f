"""Build once (case + rules -> network, timeline, parameters), then simulate any number of seeds.

`simulate` allocates the agent arrays for the final population (known in advance from refugees.csv),
puts day-0 camp agents in place and runs the chosen engine. No pandas here: this is the `validate` path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from crossings.flee import engine_numba as K
from crossings.flee.bundles import DayArrays, NetArrays, new_agents
from crossings.flee.network import Network, build_network
from crossings.flee.reader import FleeCase
from crossings.flee.rules import FleeRules
from crossings.flee.timeline import Timeline, build_timeline, initial_types


@dataclass
class Model:
    case: FleeCase
    rules: FleeRules
    net: Network
    tl: Timeline
    params: npt.NDArray[np.float64]

    def net_tuple(self) -> NetArrays:
        n = self.net
        return NetArrays(n.link_src, n.link_dst, n.link_km, n.link_speed, n.link_walkp, n.out_ptr, n.out_link,
                         n.path_ptr, n.hop_ptr, n.hop_link, n.hop_node, n.path_end, n.path_den, n.path_home)

    def days_tuple(self) -> DayArrays:
        tl = self.tl
        return DayArrays(tl.movechance, tl.town, tl.camp, tl.score, tl.popweight, tl.spawn_mult, tl.conflict_now,
                         tl.link_open)


@dataclass
class RawRun:
    seed: int
    loc_counts: npt.NDArray[np.int64]  # [T, L] agents in each location after the day
    transit: npt.NDArray[np.int64]     # [T] agents on links
    agents: npt.NDArray[np.int64]      # [T] agents in the simulation
    n_agents: int
    in_parallel: npt.NDArray[np.uint8]  # [T] bit 0 / bit 1: the day's evolve / finish pass ran in parallel
    state: dict[str, npt.NDArray[Any]]  # final agent arrays (for tests)


def build_model(case: FleeCase, rules: FleeRules) -> Model:
    types = initial_types(case, rules)
    net = build_network(case, rules, types["marker"].astype(np.bool_))
    if net.n_path and int(np.max(np.diff(net.hop_ptr))) > 127:
        from crossings.core.errors import InputError

        raise InputError(str(case.path / "input_csv" / "routes.csv"), "",
                         "a route candidate has more than 127 hops (chains of markers?)")
    tl = build_timeline(case, rules, net, types)
    r = rules
    mode = {"constant": 1, "pop_ratio": 2, "poisson": 3}[r.conflict_spawn_mode] if r.conflict_driven_spawning else 0
    prm = np.zeros(K.N_PARAMS)
    prm[K.P_MAX_MOVE] = r.max_move_speed
    prm[K.P_MAX_WALK] = r.max_walk_speed
    prm[K.P_ON_FOOT] = float(r.start_on_foot)
    prm[K.P_SHORT_STINTS] = float(r.avoid_short_stints)
    prm[K.P_BUFFER] = r.capacity_buffer
    prm[K.P_WSOFT] = r.weight_softening
    prm[K.P_WPOW] = r.weight_power
    prm[K.P_MC_BASE] = r.movechance_pop_base
    prm[K.P_MC_FACTOR] = r.movechance_pop_scale_factor
    prm[K.P_POP_POWER] = r.pop_power_for_loc_weight
    prm[K.P_TAKE_POP] = float(r.take_from_population)
    prm[K.P_CD_MODE] = mode
    prm[K.P_CD_RATE] = r.displaced_per_conflict_day
    prm[K.P_UNIFORM] = float(net.uniform_choice)
    if mode == 0 and r.conflict_driven_spawning is False:
        _check_spawnable(case, tl)
    return Model(case, rules, net, tl, prm)


def _check_spawnable(case: FleeCase, tl: Timeline) -> None:
    from crossings.core.errors import InputError

    w = (tl.pop[None, :] * tl.spawn_mult).sum(axis=1)
    bad = np.nonzero((tl.n_spawn > 0) & ~(w > 0))[0]
    if len(bad):
        raise InputError(str(case.path / "input_csv" / "conflicts.csv"), f"day {int(bad[0])}",
                         "refugees.csv grows but no populated location is in conflict to spawn from")


def capacity_hint(model: Model) -> int:
    tl = model.tl
    base = int(tl.initial.sum())
    if model.params[K.P_CD_MODE] == 0:
        return base + int(tl.n_spawn.sum())
    c = np.clip(tl.conflict_now, 0.0, None)
    rate = model.rules.displaced_per_conflict_day
    per_day = c * (rate * tl.pop[None, :] if model.params[K.P_CD_MODE] == 2 else rate)
    lam = float(per_day.sum())
    return base + int(lam + 10.0 * np.sqrt(lam) + 1000)


def simulate(model: Model, seed: int = 1, engine: str = "numba", threads: int = 1) -> RawRun:
    """One seed. `threads`: parts a parallel pass is cut into, one per thread of numba's pool (set it with
    numba.set_num_threads); the result is the same for any value (engine_numba.run_days)."""
    tl = model.tl
    T, L = tl.movechance.shape
    cap_n = capacity_hint(model)
    while True:
        ag = new_agents(cap_n)
        n0 = 0
        for c, k in zip(tl.camps, tl.initial, strict=True):  # add_initial_refugees, camps in order
            ag.pos[n0:n0 + k] = c
            n0 += int(k)
        loc_counts = np.zeros((T, L), dtype=np.int64)
        transit = np.zeros(T, dtype=np.int64)
        agents = np.zeros(T, dtype=np.int64)
        in_parallel = np.zeros(T, dtype=np.uint8)
        pop = tl.pop.copy()
        if engine == "numba":
            n = K.run_days(seed, n0, tl.n_spawn, model.net_tuple(), model.days_tuple(), ag, pop, tl.cap,
                           model.params, loc_counts, transit, agents,
                           threads, in_parallel)
        elif engine == "numpy":
            from crossings.flee.engine_numpy import run_days_py

            n = run_days_py(seed, n0, tl.n_spawn, model.net_tuple(), model.days_tuple(), ag, pop, tl.cap,
                            model.params, loc_counts, transit, agents)
        else:
            raise ValueError(f"unknown engine {engine!r}")
        if n >= 0:
            break
        cap_n *= 2  # only conflict-driven Poisson spawning can outgrow the estimate
    state = {k: v[:n] for k, v in ag._asdict().items()}
    return RawRun(seed, loc_counts, transit, agents, int(n), in_parallel, state)
