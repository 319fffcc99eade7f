"""Numpy reference of kernel.sea_kernel: the same process and random keys, vectorised over people.

Kept to check the numba kernel (tests assert identical outputs); too slow for full runs.
"""

from __future__ import annotations

import numpy as np

from crossings.core.rng import tick_key_np, uniform_np
from crossings.sea import streams as S
from crossings.sea.bundles import SeaDraws, SeaRoutes
from crossings.sea.kernel import (
    ARR,
    BOATS,
    BOATS_MAX,
    DEAD,
    DEATHS,
    DEP,
    DETAINED,
    GAVE_UP,
    INCIDENTS,
    INT,
    PREV,
    SAFE,
    SAFE_OUT,
    SQRT6,
    TRAFFIC_DAYS,
    WAIT,
    WAITING,
)


def _size1(ks: np.uint64, k: int, mean: float, cv: float) -> int:
    """Size of boat k (kernel.boat_size_draw, same arithmetic)."""
    u = uniform_np(ks, np.array([2 * k, 2 * k + 1], dtype=np.int64))
    x = mean * (1.0 + cv * SQRT6 * (u[0] + u[1] - 1.0))
    return max(1, int(np.floor(x + 0.5)))


def _table_size1(ks: np.uint64, k: int, mean: float, factors: np.ndarray) -> int:
    """Size of boat k under a size law's table (kernel.table_size_draw, same arithmetic)."""
    u = uniform_np(ks, np.array([2 * k], dtype=np.int64))[0]
    return max(1, int(np.floor(mean * factors[int(u * factors.shape[0])] + 0.5)))


def _traffic_factors(t: int, routes: SeaRoutes, out: np.ndarray) -> np.ndarray:
    """Today's incident chance per sailing boat with the traffic factor (kernel._traffic_factors, same arithmetic:
    whole-people sums, then the same scalar operations)."""
    group, el, ref = routes.traffic_group, routes.traffic_elasticity, routes.traffic_reference
    tinc = routes.incident[:, t].copy()
    for c in range(group.shape[0]):
        if group[c] < 0 or t < TRAFFIC_DAYS:
            continue
        g = group == group[c]
        sailed = float((out[ARR, g, t - TRAFFIC_DAYS:t] + out[DEATHS, g, t - TRAFFIC_DAYS:t]).sum())
        x = max(sailed, float(routes.ppb[c, t])) / float(ref[c])
        tinc[c] = min(1.0, float(routes.incident[c, t]) * x ** float(el[c]))
    return tinc


def _fate(u: np.ndarray, ret: np.ndarray, det: np.ndarray) -> np.ndarray:
    return np.where(u < ret, WAITING, np.where(u < ret + det, DETAINED, GAVE_UP)).astype(np.int8)


def weather_reference(seed: int, p_good: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Numpy version of kernel.draw_weather (same uniforms, vectorised over coasts)."""
    C, T = p_good.shape
    good = np.zeros((C, T), dtype=np.int8)
    prev = np.zeros(C, dtype=bool)
    for t in range(T):
        p = p_good[:, t]
        q = p if t == 0 else np.where(prev, p + rho * (1.0 - p), p * (1.0 - rho))
        prev = uniform_np(tick_key_np(seed, S.WEATHER, t), np.arange(C)) < q
        good[:, t] = prev
    return good


def _arrive_at_coasts(seed: int, t: int, r: int, a: np.ndarray, routes: SeaRoutes, avail: np.ndarray,
                      state: np.ndarray, coast: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Today's new people a of region r choose a coast, may be deterred, may take a safe-route place (the first
    avail[c] eligible people of the coast, in arrival order); returns those who wait, in arrival order."""
    region_of_coast, choice, keep, safe_share = routes.region_of_coast, routes.choice, routes.keep, routes.safe_share
    kc = tick_key_np(seed, S.CHOICE, t)
    cs = np.flatnonzero(region_of_coast == r)
    if cs.size == 0:
        state[a] = GAVE_UP
        return a[:0]
    u = uniform_np(kc, 2 * a)
    cum = np.cumsum(choice[cs, t])
    pick = np.searchsorted(cum, u, side="right")  # first coast with u < cum
    chosen = cs[np.minimum(pick, cs.size - 1)]
    stay = uniform_np(kc, 2 * a + 1) < keep[chosen, t]
    # safe route: the first floor(credit) eligible people of the coast, in arrival order (kernel)
    safe = stay & (uniform_np(tick_key_np(seed, S.SAFE_ROUTE, t), a) < safe_share[chosen, t])
    for cc in np.unique(chosen[safe]):
        idx = np.flatnonzero(safe & (chosen == cc))
        take = min(idx.size, int(avail[cc]))
        safe[idx[take:]] = False
        avail[cc] -= take
        out[SAFE_OUT, cc, t] += take
    state[a[safe]] = SAFE
    stay &= ~safe
    state[a[~safe]] = np.where(stay[~safe], WAITING, GAVE_UP)
    coast[a[stay]] = chosen[stay]
    return a[stay]


def _launch_boats(cc: int, t: int, wcc: int, good: bool, launch: np.ndarray, routes: SeaRoutes, ks: np.uint64,
                 kl: np.uint64, pend: np.ndarray, nser: np.ndarray) -> list[int]:
    """Sizes of coast cc's boats launched today from wcc waiting people (kernel._launch_boats)."""
    launch_cap, ppb, boat_cv = routes.launch_cap, routes.ppb, routes.boat_cv
    fill: list[int] = []  # launched boats' sizes: boats filled in order while the waiting people
    used = 0                # suffice, each launched with the launch share, up to the launch capacity
    k = 0
    while good and len(fill) < launch_cap[cc, t]:
        s = int(routes.boat_size[cc, t])
        if routes.size_factors[cc, 0] > 0.0:  # a size law's table (kernel._launch_boats)
            if pend[cc] == 0:
                pend[cc] = _table_size1(ks, cc * BOATS_MAX + int(nser[cc]), float(ppb[cc, t]), routes.size_factors[cc])
                nser[cc] += 1
            s = int(pend[cc])
        elif boat_cv[cc] > 0.0:
            if pend[cc] == 0:
                pend[cc] = _size1(ks, cc * BOATS_MAX + int(nser[cc]), float(ppb[cc, t]), float(boat_cv[cc]))
                nser[cc] += 1
            s = int(pend[cc])
        if used + s > wcc:
            break
        used += s
        pend[cc] = 0
        if uniform_np(kl, np.array([cc * BOATS_MAX + k], dtype=np.int64))[0] < launch[cc, t]:
            fill.append(s)
        k += 1
    return fill


def _rechoose(u: np.ndarray, cb: np.ndarray, t: int, region_of_coast: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """Returned people (now at coasts cb) choose a coast of their region again with uniforms u."""
    newc = cb.copy()
    for r in np.unique(region_of_coast[cb]):
        cs = np.flatnonzero(region_of_coast == r)
        m = region_of_coast[cb] == r
        cum = np.cumsum(choice[cs, t])
        newc[m] = cs[np.minimum(np.searchsorted(cum, u[m], side="right"), cs.size - 1)]
    return newc


def sea_reference(seed: int, draws: SeaDraws, routes: SeaRoutes, out: np.ndarray):
    """kernel.sea_kernel in numpy: the same bundles, outputs and (state, coast, wait_days)."""
    counts, good_days, launch = draws.counts, draws.good, draws.launch
    region_of_coast, choice, safe_cap = routes.region_of_coast, routes.choice, routes.safe_cap
    prevent, intercept, capacity = routes.prevent, routes.intercept, routes.capacity
    lethality, tbl, ret, det = routes.lethality, routes.loss_cdf, routes.ret, routes.det
    C, T = choice.shape
    lumpy = tbl[:, 0, -1] > 0.0  # coasts whose people lost per incident come from a loss table (sea.deaths)
    N = int(counts.sum())
    state = np.zeros(N, dtype=np.int8)
    coast = np.zeros(N, dtype=np.int8)
    wait_days = np.zeros(N, dtype=np.int32)
    waiting = np.empty(0, dtype=np.int64)
    nxt = 0
    pend = np.zeros(C, dtype=np.int64)  # next boat's size, kept until it fills (kernel.sea_kernel)
    nser = np.zeros(C, dtype=np.int64)
    ks = tick_key_np(seed, S.SIZE, 0)
    credit = np.zeros(C)
    for t in range(T):
        credit += safe_cap[:, t]
        avail = np.floor(credit).astype(np.int64)  # whole places today (kernel.sea_kernel)
        credit -= np.floor(credit)
        for r in range(counts.shape[0]):
            a = np.arange(nxt, nxt + counts[r, t], dtype=np.int64)
            nxt += int(counts[r, t])
            waiting = np.concatenate([waiting, _arrive_at_coasts(seed, t, r, a, routes, avail, state, coast, out)])
        good = good_days[:, t] == 1
        kl, kp = tick_key_np(seed, S.LAUNCH, t), tick_key_np(seed, S.PREVENT, t)
        kb, kf = tick_key_np(seed, S.BOAT, t), tick_key_np(seed, S.FATE, t)
        w = waiting
        c = coast[w].astype(np.int64)
        seats = np.zeros(C, dtype=np.int64)
        pint = np.zeros(C)
        nbd = np.zeros(C, dtype=np.int64)
        ends = []  # per coast: cumulative seats of today's launched boats
        lost = []  # per coast: people lost on each launched boat if it sails (0 = no incident)
        kd = tick_key_np(seed, S.LOSS, t)
        tinc = _traffic_factors(t, routes, out)  # today's incident chance per sailing boat
        for cc in range(C):
            wcc = int(np.sum(c == cc))
            fill = _launch_boats(cc, t, wcc, bool(good[cc]), launch, routes, ks, kl, pend, nser)
            ends.append(np.cumsum(np.array(fill, dtype=np.int64)))
            nl = len(fill)
            b0 = cc * BOATS_MAX + np.arange(nl, dtype=np.int64)
            lk = np.zeros(nl, dtype=np.int64)
            if lumpy[cc] and nl:
                hit = uniform_np(kb, 2 * b0 + 1) < tinc[cc]
                kl_ = np.searchsorted(tbl[cc, routes.loss_table[t]], uniform_np(kd, b0), side="right") + 1
                lk = np.where(hit, np.minimum(kl_, np.array(fill, dtype=np.int64)), 0)
            lost.append(lk)
            seats[cc] = int(ends[cc][-1]) if nl else 0
            nbd[cc] = int(np.sum(uniform_np(kp, cc * BOATS_MAX + np.arange(nl, dtype=np.int64)) >= prevent[cc, t]))
            if nbd[cc] > 0:
                pint[cc] = intercept[cc, t] * min(1.0, capacity[cc, t] / nbd[cc])
        rank = np.zeros(w.size, dtype=np.int64)  # place in the coast's waiting order
        bid = np.zeros(w.size, dtype=np.int64)
        doomed = np.zeros(w.size, dtype=bool)  # among the first K aboard a boat with an incident
        first_rank = np.full(w.size, -1, dtype=np.int64)  # rank of the first person of one's boat
        for cc in range(C):
            m = c == cc
            rank[m] = np.arange(int(m.sum()))
            b = np.searchsorted(ends[cc], rank[m], side="right")
            bid[m] = cc * BOATS_MAX + b
            if lumpy[cc] and ends[cc].size:
                on = b < ends[cc].size
                bb = np.minimum(b, ends[cc].size - 1)
                first = ends[cc][bb] - np.diff(np.r_[0, ends[cc]])[bb]  # rank of the boat's first person
                doomed[m] = on & (rank[m] - first < lost[cc][bb])
                first_rank[m] = first
        aboard = rank < seats[c]
        stopped = aboard & (uniform_np(kp, bid) < prevent[c, t])
        dep = aboard & ~stopped
        caught = dep & (uniform_np(kb, 2 * bid) < pint[c])
        uf = uniform_np(kf, w)
        died = dep & ~caught & np.where(lumpy[c], doomed,
                                        (uniform_np(kb, 2 * bid + 1) < tinc[c]) & (uf < lethality[c, t]))
        arrived = dep & ~caught & ~died
        new = np.full(w.size, WAITING, dtype=np.int8)
        fate = _fate(uf, ret[c], det[c])
        new[stopped | caught] = fate[stopped | caught]
        new[died] = DEAD
        new[arrived] = 2
        state[w] = new
        back = (stopped | caught) & (new == WAITING)
        c0 = c  # coast of departure today (c changes for returned people)
        wait_days[w[back]] = -1
        if back.any():  # returned people choose a coast of their region again
            ur = uniform_np(tick_key_np(seed, S.RECHOICE, t), w[back])
            newc = _rechoose(ur, c[back], t, region_of_coast, choice)
            c = c.copy()
            c[back] = newc
            coast[w[back]] = newc
        keepw = new == WAITING
        wait_days[w[keepw]] += 1
        for cc in range(C):
            on = c0 == cc
            out[PREV, cc, t] += np.sum(stopped & on)
            out[DEP, cc, t] += np.sum(dep & on)
            out[INT, cc, t] += np.sum(caught & on)
            out[DEATHS, cc, t] += np.sum(died & on)
            out[ARR, cc, t] += np.sum(arrived & on)
            out[WAIT, cc, t] += np.sum(keepw & (c == cc))
            out[BOATS, cc, t] = nbd[cc]
            out[INCIDENTS, cc, t] += np.sum(died & on & (rank == first_rank))
        # same order as the kernel: people not aboard, then those returned after a stop or interception
        waiting = np.concatenate([w[~aboard], w[back]])
    return state, coast, wait_days
