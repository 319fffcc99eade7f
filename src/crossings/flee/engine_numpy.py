"""Reference implementation of the daily loop in plain Python + numpy (slow: for small test cases).

Written from Flee's Person.evolve / Person.finish_travel directly, one function per Flee method, so the
numba kernel (engine_numba.run_days) can be tested against it: same inputs, same counter-based random
numbers (crossings.core.rng.uniform_np), identical outputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crossings.core.rng import poisson, tick_key_np, uniform_np
from crossings.flee import engine_numba as K
from crossings.flee.bundles import AgentArrays, DayArrays, NetArrays


def _u(key: np.uint64, a: int) -> float:
    return float(uniform_np(key, np.array([a], dtype=np.int64))[0])


def _key(seed: int, stream: int, t: int, depth: int) -> np.uint64:
    return tick_key_np(seed, stream, t * K.DEPTHS + min(depth, K.DEPTHS - 1))


def _cap_mult(n: int, cap: int, buf: float) -> float:
    if cap < 1 or n <= buf * cap:
        return 1.0
    if n >= cap:
        return 0.0
    return 1.0 - (n - buf * cap) / (cap * (1.0 - buf))


class _Day:
    """State of one day's agent passes (Flee's Ecosystem during evolve)."""

    def __init__(self, seed: int, t: int, net: NetArrays, days: DayArrays, ag: AgentArrays,
                 occ: Any, occ_link: Any, pop: Any, cap: Any, prm: Any) -> None:
        self.seed, self.t, self.net, self.days, self.ag = seed, t, net, days, ag
        self.occ, self.occ_link, self.pop, self.cap, self.prm = occ, occ_link, pop, cap, prm
        hop_ptr, hop_link, path_end, path_den, path_home = (
            net.hop_ptr, net.hop_link, net.path_end, net.path_den, net.path_home)
        movechance, score, popweight, link_open = days.movechance, days.score, days.popweight, days.link_open
        # capacity-free weight of every candidate path today (-1: uses a closed link)
        open_hop = link_open[t][hop_link] != 0
        ok = np.array([open_hop[hop_ptr[p]:hop_ptr[p + 1]].all() for p in range(len(path_end))], dtype=bool)
        self.pw = np.full(len(path_end), -1.0)
        for p in np.nonzero(ok)[0]:
            if prm[K.P_UNIFORM] != 0.0:
                self.pw[p] = 1.0
                continue
            e = path_end[p]
            sc = score[t, e] * path_home[p]
            if popweight[t, e] != 0:
                sc *= min(1.0, float(pop[e])) ** prm[K.P_POP_POWER]
            self.pw[p] = (prm[K.P_WSOFT] + sc) / path_den[p]
        self.mc = movechance[t].copy()
        if prm[K.P_MC_FACTOR] != 0.0:
            for i in range(len(self.mc)):
                self.mc[i] *= (max(pop[i], cap[i]) / prm[K.P_MC_BASE]) ** prm[K.P_MC_FACTOR]

    def select_route(self, a: int, here: int, depth: int) -> int:
        path_ptr, path_end = self.net.path_ptr, self.net.path_end
        p0, p1 = path_ptr[here], path_ptr[here + 1]
        pw = self.pw[p0:p1]
        incl = pw >= 0.0
        if not incl.any():
            return -1
        w = pw.copy()
        if self.prm[K.P_UNIFORM] == 0.0:
            for i in np.nonzero(incl)[0]:
                e = path_end[p0 + i]
                w[i] = pw[i] * _cap_mult(int(self.occ[e]), int(self.cap[e]), self.prm[K.P_BUFFER])
                if self.prm[K.P_WPOW] != 1.0:
                    w[i] = w[i] ** self.prm[K.P_WPOW]
        u = _u(_key(self.seed, K.STREAM_ROUTE, self.t, depth), a)
        total = 0.0
        for i in np.nonzero(incl)[0]:
            total += w[i]
        if total > 0.0:
            pos_idx = np.nonzero(incl & (w > 0.0))[0]
            cum = np.cumsum(w[pos_idx])
            k = int(np.searchsorted(cum, u * total, side="right"))
            return int(p0 + pos_idx[min(k, len(pos_idx) - 1)])
        idx = np.nonzero(incl)[0]
        return int(p0 + idx[min(int(u * len(idx)), len(idx) - 1)])

    def evolve(self, a: int, force: bool, depth: int) -> None:
        ag, net = self.ag, self.net
        pos, path, hop, flags, dist = ag.pos, ag.path, ag.hop, ag.flags, ag.dist
        link_dst, out_ptr, out_link, hop_ptr, hop_node, path_end = (
            net.link_dst, net.out_ptr, net.out_link, net.hop_ptr, net.hop_node, net.path_end)
        town, camp, link_open = self.days.town, self.days.camp, self.days.link_open
        t = self.t
        if flags[a] & K.TRAVELLING:
            return
        here = int(pos[a])
        mc = 1.0 if force and town[t, here] != 0 else self.mc[here]
        if not _u(_key(self.seed, K.STREAM_MOVE, t, depth), a) < mc:
            return
        if path[a] < 0:
            p = self.select_route(a, here, depth)
            if p < 0:
                return
            path[a], hop[a] = p, 0
        p = int(path[a])
        nxt = hop_node[hop_ptr[p] + hop[a]]
        links = [int(f) for f in out_link[out_ptr[here]:out_ptr[here + 1]] if link_open[t, f] and link_dst[f] == nxt]
        fin = path_end[p]
        if not links or (camp[t, fin] and _cap_mult(int(self.occ[fin]), int(self.cap[fin]), self.prm[K.P_BUFFER]) < 0.5):
            path[a] = -1
            return
        e = links[0]
        hop[a] += 1
        if hop_ptr[p] + hop[a] >= hop_ptr[p + 1]:
            path[a] = -1
        self.occ[here] -= 1
        self.occ_link[e] += 1
        pos[a] = e
        flags[a] |= K.TRAVELLING
        dist[a] = 0.0

    def finish_travel(self, a: int) -> float:
        pos, flags, dist, recent = self.ag.pos, self.ag.flags, self.ag.dist, self.ag.recent
        net, link_open = self.net, self.days.link_open
        link_src, link_dst, link_km, link_speed, link_walkp = (
            net.link_src, net.link_dst, net.link_km, net.link_speed, net.link_walkp)
        prm, t = self.prm, self.t
        moved, depth = 0.0, 0
        while flags[a] & K.TRAVELLING:
            e = int(pos[a])
            v = link_speed[e] if link_speed[e] > 0.0 else prm[K.P_MAX_MOVE]
            if prm[K.P_ON_FOOT] != 0.0 and not flags[a] & K.ARRIVED_ONCE:
                v = prm[K.P_MAX_WALK]
            if link_walkp[e] > 0.0 and _u(_key(self.seed, K.STREAM_WALK, t, depth), a) < link_walkp[e]:
                v = prm[K.P_MAX_WALK]
            d = float(dist[a]) + v
            dist[a] = d
            moved += v
            if not d > link_km[e]:
                break
            flags[a] |= K.ARRIVED_ONCE
            moved += link_km[e] - d
            self.occ_link[e] -= 1
            flags[a] &= ~K.TRAVELLING
            dist[a] = 0.0
            if not link_open[t, e]:
                pos[a] = link_src[e]
                self.occ[link_src[e]] += 1
                break
            pos[a] = link_dst[e]
            self.occ[link_dst[e]] += 1
            if not moved < v:
                break
            force = prm[K.P_SHORT_STINTS] != 0.0 and (float(recent[a]) + moved / prm[K.P_MAX_MOVE]) / 2.0 < 0.5
            depth += 1
            self.evolve(a, force, depth)
        return moved


def _spawn(t: int, n: int, seed: int, n_new: int, days: DayArrays, ag: AgentArrays,
           occ: Any, pop: Any, prm: Any) -> int:
    spawn_mult, conflict_now = days.spawn_mult, days.conflict_now
    mode = int(prm[K.P_CD_MODE])
    origins: list[int] = []
    if mode == 0:
        if n_new <= 0:
            return n
        w = pop * spawn_mult[t]
        cum = np.cumsum(w)
        key = tick_key_np(seed, K.STREAM_SPAWN, t)
        u = uniform_np(key, np.arange(n, n + n_new, dtype=np.int64))
        origins = [min(int(i), len(occ) - 1) for i in np.searchsorted(cum, u * cum[-1], side="right")]
    else:
        key = tick_key_np(seed, K.STREAM_CD_SPAWN, t)
        for i in range(len(occ)):
            c = conflict_now[t, i]
            if c <= 0.0:
                continue
            if mode == 1:
                k = int(prm[K.P_CD_RATE] * c)
            elif mode == 2:
                k = int(prm[K.P_CD_RATE] * pop[i] * c)
            else:
                k = int(poisson(key, i, prm[K.P_CD_RATE] * c))
            origins.extend([i] * k)
    if n + len(origins) > len(ag.pos):
        return -1
    for i in origins:
        ag.pos[n], ag.path[n], ag.hop[n], ag.flags[n], ag.dist[n], ag.recent[n] = i, -1, 0, 0, 0.0, 0.0
        occ[i] += 1
        if prm[K.P_TAKE_POP] != 0.0 and conflict_now[t, i] > 0.0 and pop[i] > 0:
            pop[i] -= 1
        n += 1
    return n


def run_days_py(seed: int, n0: int, n_spawn: Any, net: NetArrays, days: DayArrays,
                ag: AgentArrays, pop: Any, cap: Any, prm: Any, loc_counts: Any, transit: Any,
                agents: Any) -> int:
    """Same contract as engine_numba.run_days."""
    n_days, n_loc = loc_counts.shape
    occ = np.bincount(ag.pos[:n0], minlength=n_loc).astype(np.int64)
    occ_link = np.zeros(len(net.link_src), dtype=np.int64)
    n = n0
    for t in range(n_days):
        n = _spawn(t, n, seed, int(n_spawn[t]), days, ag, occ, pop, prm)
        if n < 0:
            return -1
        day = _Day(seed, t, net, days, ag, occ, occ_link, pop, cap, prm)
        for a in range(n):
            day.evolve(a, False, 0)
        recent = ag.recent
        for a in range(n):
            moved = day.finish_travel(a) if ag.flags[a] & K.TRAVELLING else 0.0
            recent[a] = (float(recent[a]) + moved / prm[K.P_MAX_MOVE]) / 2.0
        loc_counts[t] = occ
        transit[t] = occ_link.sum()
        agents[t] = n
    return n
