"""The sea-crossing process, one agent per person, daily loop in numba.

Phase order each day (same in reference.py and, in expectation, meanfield.py):
1. inflow: Poisson(people per day) new people reach each region; each chooses a coast (logit on
   attractiveness and risk) and may be deterred (asylum multiplier); the rest wait at the coast;
2. weather: one crossing-window draw per coast (month-dependent probability);
3. launch: on a good day each waiting person tries with the route's launch share;
4. prevention: a try is stopped on land with the prevention probability; stopped people return to
   wait (choosing a coast of their region again, so a deal on one coast diverts people to the others),
   are detained, or give up (stated shares);
5. departure: the others board round(n / people per boat) boats (at least one), spread evenly in
   waiting order; a boat is intercepted (same fates as a stop; returned people join the end of the
   waiting list) or sails; the interception chance shrinks to chance x capacity / boats when more
   boats leave than the patrols can handle; a sailing boat has an incident with a per-boat chance, which kills each
   person on it with the lethality; the rest arrive.
Agents are struct-of-arrays (state, coast, wait_days); a compact list of waiting ids keeps the loop
over people actually at the coast.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crossings.core.rng import poisson, tick_key, uniform
from crossings.sea import streams as S

# agent states
NEW, WAITING, ARRIVED, DEAD, DETAINED, GAVE_UP = 0, 1, 2, 3, 4, 5
# rows of the output array out[measure, coast, day]
ARR, DEP, BOATS, INT, DEATHS, PREV, WAIT = 0, 1, 2, 3, 4, 5, 6
N_OUT = 7
BOATS_MAX = 1 << 24  # boat ids are coast * BOATS_MAX + k


@nb.njit(cache=True)
def draw_inflow(seed: int, inflow: np.ndarray) -> np.ndarray:
    """Number of people reaching each region each day: counts[r, t] ~ Poisson(inflow[r, t])."""
    R, T = inflow.shape
    counts = np.zeros((R, T), dtype=np.int64)
    for t in range(T):
        key = tick_key(seed, S.INFLOW, t)
        for r in range(R):
            counts[r, t] = poisson(key, r, inflow[r, t])
    return counts


@nb.njit(cache=True, inline="always")
def _stop_fate(u: float, ret: float, det: float) -> int:
    if u < ret:
        return WAITING
    if u < ret + det:
        return DETAINED
    return GAVE_UP


@nb.njit(cache=True, inline="always")
def _pick(u: float, r: int, t: int, region_of_coast: np.ndarray, choice: np.ndarray) -> int:
    """Coast of region r for uniform u (cumulative choice probabilities in coast order); -1 if none."""
    cum = 0.0
    last = -1
    for c in range(region_of_coast.shape[0]):
        if region_of_coast[c] == r:
            last = c
            cum += choice[c, t]
            if u < cum:
                return c
    return last


@nb.njit(cache=True, inline="always")
def _return(a, c, t, kr, region_of_coast, choice, coast, wait_days):
    """A stopped person goes back to wait: the wait restarts, at a coast of the region chosen again."""
    wait_days[a] = -1
    c2 = _pick(uniform(kr, a), region_of_coast[c], t, region_of_coast, choice)
    coast[a] = c2
    return c2


@nb.njit(cache=True)
def sea_kernel(seed, counts, region_of_coast, choice, keep, p_good, launch, prevent, intercept, capacity,
               incident, lethality, boat_size, ret, det, out):
    """Run the agent model; fill out[N_OUT, C, T]; return (state, coast, wait_days) arrays."""
    C, T = choice.shape
    R = counts.shape[0]
    N = counts.sum()
    state = np.zeros(N, dtype=np.int8)
    coast = np.zeros(N, dtype=np.int8)
    wait_days = np.zeros(N, dtype=np.int32)
    waiting = np.empty(N, dtype=np.int64)
    nextw = np.empty(N, dtype=np.int64)
    nw = 0
    nxt = 0
    deps = np.empty(N, dtype=np.int64)
    good = np.zeros(C, dtype=np.bool_)
    ndep = np.zeros(C, dtype=np.int64)
    nb = np.zeros(C, dtype=np.int64)
    seen = np.zeros(C, dtype=np.int64)
    pint = np.zeros(C)
    for t in range(T):
        kc = tick_key(seed, S.CHOICE, t)
        for r in range(R):
            for _ in range(counts[r, t]):
                a = nxt
                nxt += 1
                chosen = _pick(uniform(kc, 2 * a), r, t, region_of_coast, choice)
                if chosen < 0 or uniform(kc, 2 * a + 1) >= keep[chosen, t]:
                    state[a] = GAVE_UP  # no coast for this region, or deterred
                    continue
                coast[a] = chosen
                state[a] = WAITING
                waiting[nw] = a
                nw += 1
        kw = tick_key(seed, S.WEATHER, t)
        for c in range(C):
            good[c] = uniform(kw, c) < p_good[c, t]
            ndep[c] = 0
        kl = tick_key(seed, S.LAUNCH, t)
        kp = tick_key(seed, S.PREVENT, t)
        kb = tick_key(seed, S.BOAT, t)
        kf = tick_key(seed, S.FATE, t)
        kr = tick_key(seed, S.RECHOICE, t)
        # pass 1: who tries, who is stopped on land; the others form today's departures
        m = 0
        nd = 0
        for i in range(nw):
            a = waiting[i]
            c = coast[a]
            st = WAITING
            if good[c] and uniform(kl, a) < launch[c, t]:
                if uniform(kp, a) < prevent[c, t]:
                    out[PREV, c, t] += 1.0
                    st = _stop_fate(uniform(kf, a), ret[c], det[c])
                    if st == WAITING:
                        c = _return(a, c, t, kr, region_of_coast, choice, coast, wait_days)
                else:
                    deps[nd] = a
                    nd += 1
                    ndep[c] += 1
                    continue
            state[a] = st
            if st == WAITING:
                wait_days[a] += 1
                out[WAIT, c, t] += 1.0
                nextw[m] = a
                m += 1
        # boats: round(departing / people per boat), at least one; people spread evenly over them
        for c in range(C):
            nb[c] = max(1, int(np.floor(ndep[c] / boat_size[c, t] + 0.5))) if ndep[c] > 0 else 0
            seen[c] = 0
            out[BOATS, c, t] = nb[c]
            # patrols can stop at most `capacity` boats a day: each boat's chance shrinks in a surge
            pint[c] = intercept[c, t] * min(1.0, capacity[c, t] / nb[c]) if nb[c] > 0 else 0.0
        # pass 2: each boat is intercepted, or sails and may have an incident
        for j in range(nd):
            a = deps[j]
            c = coast[a]
            bid = c * BOATS_MAX + seen[c] * nb[c] // ndep[c]
            seen[c] += 1
            out[DEP, c, t] += 1.0
            if uniform(kb, 2 * bid) < pint[c]:
                out[INT, c, t] += 1.0
                st = _stop_fate(uniform(kf, a), ret[c], det[c])
                if st == WAITING:
                    c = _return(a, c, t, kr, region_of_coast, choice, coast, wait_days)
                    wait_days[a] += 1
                    out[WAIT, c, t] += 1.0
                    nextw[m] = a
                    m += 1
            elif uniform(kb, 2 * bid + 1) < incident[c, t] and uniform(kf, a) < lethality[c, t]:
                out[DEATHS, c, t] += 1.0
                st = DEAD
            else:
                out[ARR, c, t] += 1.0
                st = ARRIVED
            state[a] = st
        waiting, nextw = nextw, waiting
        nw = m
    return state, coast, wait_days
