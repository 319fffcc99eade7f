"""The sea-crossing process, one agent per person, daily loop in numba.

Phase order each day (same in reference.py and, in expectation, meanfield.py):
1. inflow: Poisson(people per day) new people reach each region; each chooses a coast (logit on
   attractiveness and risk) and may be deterred (asylum multiplier); a safe route (lever) takes an
   eligible person while the day's places last (first come; unused whole places of a day are lost, the
   fraction carries); the rest wait at the coast;
2. weather: the crossing windows, drawn beforehand by draw_weather (one uniform per coast per day;
   a two-state Markov chain per coast: windows come in spells, see draw_weather);
3. launch, per boat: on a good day smugglers can fill floor(waiting / people per boat) full boats at
   a coast; each launches with the route's launch share, until the coast's launch capacity (boats a
   window day: the smugglers' supply of boats and engines, and the beaches police can watch) is
   reached; the boats left wait for the next window; launched boats are filled from the waiting
   list in order (longest wait first). People short of a full boat wait for the next one, so every
   boat launches full (HO: boats grew 7 -> 53; a part-filled boat is not launched because the
   smuggler's price is per seat and the boat is lost either way). cv = 0: every boat carries the
   date's people per boat. cv > 0 (people_per_boat.cv): each boat's size is drawn (boat_size_draw)
   when the smugglers start filling it and kept until it is full (so small boats are not favoured
   when few people wait); boats are filled in order while the waiting people suffice;
4. prevention, per boat: a launched boat is stopped on the beach with the prevention probability;
   each of its people then returns to wait (choosing a coast of their region again, so a deal on one
   coast diverts people to the others), is detained, or gives up (stated shares, a draw each);
5. departure: a boat not stopped leaves; it is intercepted (same fates as a stop) or sails; the
   interception chance shrinks to chance x capacity / boats when more boats leave than the patrols
   can handle; a sailing boat has an incident with a per-boat chance (by date: season and crowding,
   sea.deaths; times the traffic factor of the last 30 days' people sailing, _traffic_factors), which kills K people (K from the route's fitted loss table, one draw per boat, capped
   at the people aboard; without a table each person dies with the lethality); the rest arrive. Returned people (stopped or intercepted) rejoin the end of
   the waiting list.
Agents are struct-of-arrays (state, coast, wait_days); a compact list of waiting ids keeps the loop
over people actually at the coast.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from crossings.core.rng import poisson, tick_key, uniform
from crossings.sea import streams as S

# agent states
NEW, WAITING, ARRIVED, DEAD, DETAINED, GAVE_UP, SAFE = 0, 1, 2, 3, 4, 5, 6
# rows of the output array out[measure, coast, day]
ARR, DEP, BOATS, INT, DEATHS, PREV, WAIT, SAFE_OUT, INCIDENTS = 0, 1, 2, 3, 4, 5, 6, 7, 8
N_OUT = 9  # INCIDENTS: sailing boats with a fatal incident (routes with a loss table; validation only)
BOATS_MAX = 1 << 24  # boat ids are coast * BOATS_MAX + k
SQRT6 = 6.0 ** 0.5  # the sum of two U[0,1) has variance 1/6


@nb.njit(cache=True, inline="always")
def boat_size_draw(key: np.uint64, k: int, mean: float, cv: float) -> int:
    """Size of boat k: symmetric triangular around the date's mean with coefficient of variation cv
    (cv <= 1/sqrt(6), so it stays positive), rounded, >= 1. Triangular rather than gamma/lognormal so
    that only + and x are used: the numpy reference gets bit-identical sizes (no libm differences)."""
    x = mean * (1.0 + cv * SQRT6 * (uniform(key, 2 * k) + uniform(key, 2 * k + 1) - 1.0))
    return max(1, int(math.floor(x + 0.5)))


@nb.njit(cache=True, inline="always")
def table_size_draw(key: np.uint64, k: int, mean: float, factors: np.ndarray) -> int:
    """Size of boat k under a heavy-tailed size law (sea.boat_sizes): the date's mean x one of the table's
    mean-one factors, picked by one uniform (index floor(u x n): only + and x, identical in the numpy reference),
    rounded, >= 1."""
    f = factors[int(uniform(key, 2 * k) * factors.shape[0])]
    return max(1, int(math.floor(mean * f + 0.5)))


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


@nb.njit(cache=True)
def draw_weather(seed: int, p_good: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Crossing windows good[c, t] (1 = window): a two-state Markov chain per coast with stationary
    window share p = p_good[c, t] and lag-1 autocorrelation rho[c]: P(window | window yesterday) =
    p + rho (1 - p), P(window | none yesterday) = p (1 - rho); day 0 draws from p. rho = 0 gives
    independent days with the same uniforms as before (the weather does not depend on the agents,
    so it is drawn ahead of the agent loop)."""
    C, T = p_good.shape
    good = np.zeros((C, T), dtype=np.int8)
    for t in range(T):
        key = tick_key(seed, S.WEATHER, t)
        for c in range(C):
            p = p_good[c, t]
            q = p
            if t > 0:
                q = p + rho[c] * (1.0 - p) if good[c, t - 1] == 1 else p * (1.0 - rho[c])
            if uniform(key, c) < q:
                good[c, t] = 1
    return good


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
def _loss(cdf: np.ndarray, u: float, aboard: int) -> int:
    """People lost on a boat with an incident: the first k with u < cdf[k - 1], at most those aboard."""
    return min(aboard, int(np.searchsorted(cdf, u, side="right")) + 1)


TRAFFIC_DAYS = 30  # the traffic factor's window: people who sailed (arrived or died) in the last 30 days


@nb.njit(cache=True, inline="always")
def traffic_chance(t, c, group, incident, ppb, reference, elasticity, out):
    """Route c's incident chance per sailing boat on day t, min(1, incident[c, t] x traffic factor): (S / reference)
    ^ elasticity, S = the people who sailed (arrived + died) in the last TRAFFIC_DAYS days on the routes of c's
    traffic group, at least one boat's people (a boat that sails is traffic itself; without this floor a quiet
    month would send the factor of a power law to infinity). Factor 1 in the run's first TRAFFIC_DAYS days (no
    window yet) and without a group. The data (MMP 2019-2024) show fatal incidents per boat falling as traffic
    rises (docs/sea_model.md "Deaths"). Sums of whole people: exact in any order, so the numpy reference gets the
    same numbers; the mean-field calls this on its expected people. It takes the routes' arrays, not the bundle:
    reading a bundle's field inside a per-day loop costs reference counts (the mean-field ran 10x slower so)."""
    if group[c] < 0 or t < TRAFFIC_DAYS:
        return incident[c, t]
    sailed = 0.0
    for c2 in range(group.shape[0]):
        if group[c2] == group[c]:
            for d in range(t - TRAFFIC_DAYS, t):
                sailed += out[ARR, c2, d] + out[DEATHS, c2, d]
    x = max(sailed, ppb[c, t]) / reference[c]
    return min(1.0, incident[c, t] * x ** elasticity[c])


@nb.njit(cache=True, inline="always")
def _traffic_factors(t, routes, out, tinc):
    """Today's incident chance per sailing boat of every route, tinc[c] (traffic_chance)."""
    group, incident, ppb = routes.traffic_group, routes.incident, routes.ppb
    reference, elasticity = routes.traffic_reference, routes.traffic_elasticity
    for c in range(tinc.shape[0]):
        tinc[c] = traffic_chance(t, c, group, incident, ppb, reference, elasticity, out)


# --- the phases of a day, in order (each reads the bundles by name; helpers are inlined) ---
# Arrays are unpacked from the bundles once per phase: passing or reading an array per person costs atomic
# reference counts, so the per-person loops stay inside a phase and the small helpers there take numbers.


@nb.njit(cache=True, inline="always")
def _accrue_safe_places(t, safe_cap, credit, avail):
    """Today's whole safe-route places per coast; the fraction of a place carries to the next day, and whole
    places not used today are lost."""
    for c in range(credit.shape[0]):
        credit[c] += safe_cap[c, t]
        avail[c] = int(math.floor(credit[c]))
        credit[c] -= math.floor(credit[c])


@nb.njit(cache=True, inline="always")
def _arrive_at_coasts(seed, t, counts, routes, avail, state, coast, wait_days, qnext, ticket, head, tail, wc, out, nxt,
                      nticket):
    """Today's new people of each region choose a coast, may be deterred, may take a safe-route place (first
    come), and otherwise join the end of the coast's queue. Returns the next agent id and ticket."""
    region_of_coast, choice, keep, safe_share = routes.region_of_coast, routes.choice, routes.keep, routes.safe_share
    C = region_of_coast.shape[0]
    kc = tick_key(seed, S.CHOICE, t)
    ksr = tick_key(seed, S.SAFE_ROUTE, t)
    for r in range(counts.shape[0]):
        for _ in range(counts[r, t]):
            a = nxt
            nxt += 1
            # the coast: _pick written out here (an array passed to a helper costs two atomic
            # reference counts per call, most of the kernel's time once the waiting loop is gone)
            u = uniform(kc, 2 * a)
            chosen = -1
            cum = 0.0
            for c in range(C):
                if region_of_coast[c] == r:
                    chosen = c
                    cum += choice[c, t]
                    if u < cum:
                        break
            if chosen < 0 or uniform(kc, 2 * a + 1) >= keep[chosen, t]:
                state[a] = GAVE_UP  # no coast for this region, or deterred
                continue
            if avail[chosen] > 0 and uniform(ksr, a) < safe_share[chosen, t]:
                state[a] = SAFE  # a place on the safe route, first come
                out[SAFE_OUT, chosen, t] += 1.0
                avail[chosen] -= 1
                continue
            coast[a] = chosen
            state[a] = WAITING
            wait_days[a] = t
            ticket[a] = nticket  # join the end of the coast's queue
            nticket += 1
            qnext[a] = -1
            if tail[chosen] >= 0:
                qnext[tail[chosen]] = a
            else:
                head[chosen] = a
            tail[chosen] = a
            wc[chosen] += 1
    return nxt, nticket


@nb.njit(cache=True, inline="always")
def _launch_boats(seed, t, ks, draws, routes, wc, lsz, lstop, off, seats, pend, nser, pint, out):
    """Each coast's boats launched today, and their stops on the beach. On a window day boats are filled in
    order while the waiting people suffice (a drawn size is kept until its boat fills); each full boat goes
    with the day's launch share, up to the launch capacity; their sizes go to lsz from off[c], seats[c] the
    people they carry. Each launched boat is then stopped on the beach with the prevention chance; the boats
    that leave are counted, and the patrols' interception chance per boat shrinks to chance x capacity / boats
    in a surge. (One loop over coasts for both: measured a little faster than two.)"""
    good, launch = draws.good, draws.launch
    launch_cap, ppb, boat_cv, boat_size = routes.launch_cap, routes.ppb, routes.boat_cv, routes.boat_size
    size_factors = routes.size_factors
    prevent, intercept, capacity = routes.prevent, routes.intercept, routes.capacity
    kl = tick_key(seed, S.LAUNCH, t)
    kp = tick_key(seed, S.PREVENT, t)
    nlt = 0
    for c in range(wc.shape[0]):
        off[c] = nlt
        bs = boat_size[c, t]
        nl = 0
        seats[c] = 0
        if good[c, t] == 1:
            used = 0
            k = 0
            while nl < launch_cap[c, t]:
                s = bs
                if size_factors[c, 0] > 0.0:  # a size law's table (boat_cv then holds its cv, for the mean-field)
                    if pend[c] == 0:
                        pend[c] = table_size_draw(ks, c * BOATS_MAX + nser[c], ppb[c, t], size_factors[c])
                        nser[c] += 1
                    s = pend[c]
                elif boat_cv[c] > 0.0:
                    if pend[c] == 0:
                        pend[c] = boat_size_draw(ks, c * BOATS_MAX + nser[c], ppb[c, t], boat_cv[c])
                        nser[c] += 1
                    s = pend[c]
                if used + s > wc[c]:
                    break
                used += s
                pend[c] = 0
                if uniform(kl, c * BOATS_MAX + k) < launch[c, t]:
                    lsz[nlt] = s
                    nlt += 1
                    nl += 1
                    seats[c] += s
                k += 1
        nbd = 0  # stopped on the beach, per boat
        for j in range(nl):
            u = uniform(kp, c * BOATS_MAX + j)
            lstop[off[c] + j] = u < prevent[c, t]
            if u >= prevent[c, t]:
                nbd += 1
        out[BOATS, c, t] = nbd
        pint[c] = intercept[c, t] * min(1.0, capacity[c, t] / nbd) if nbd > 0 else 0.0


@nb.njit(cache=True, inline="always")
def _board_and_sail(seed, t, routes, lumpy, state, wait_days, qnext, ticket, back, head, tail, wc, lsz, lstop, off,
                    seats, pint, tinc, left, cur, rem, bstop, bint, binc, lost, out):
    """The first people of each coast's queue board today's launched boats until they are full, taken in
    waiting order across coasts (everyone else just waits). A boat's fate is one draw per boat shared by its
    people: stopped on the beach, intercepted, an incident (people lost from a loss table, or each with the
    lethality), or arrival; stopped or intercepted people return, are detained or give up. Returns how many
    returned (listed in back, in waiting order)."""
    ret, det, lethality, tbl = routes.ret, routes.det, routes.lethality, routes.loss_cdf
    lt = routes.loss_table[t]  # today's loss table (its calendar month where losses have a season)
    C = wc.shape[0]
    for c in range(C):
        cur[c] = -1  # no boat started yet; every seat free
        rem[c] = 0
        left[c] = seats[c]
    kb = tick_key(seed, S.BOAT, t)
    kf = tick_key(seed, S.FATE, t)
    kd = tick_key(seed, S.LOSS, t)
    nbk = 0
    while True:
        # the coast whose first boarder comes first, and the ticket where another coast's come in
        c = -1
        best = 0
        lim = np.iinfo(np.int64).max
        for c2 in range(C):
            if left[c2] > 0:
                tk = ticket[head[c2]]
                if c < 0 or tk < best:
                    if c >= 0:
                        lim = min(lim, best)
                    c = c2
                    best = tk
                else:
                    lim = min(lim, tk)
        if c < 0:
            break
        while left[c] > 0 and ticket[head[c]] < lim:  # its boarders up to there, in order
            a = head[c]
            head[c] = qnext[a]
            if head[c] < 0:
                tail[c] = -1
            wc[c] -= 1
            left[c] -= 1
            wait_days[a] = t - wait_days[a]
            if rem[c] == 0:  # the next launched boat: its fate is one draw per boat, shared by its people
                cur[c] += 1
                bi = off[c] + cur[c]
                rem[c] = lsz[bi]
                b0 = c * BOATS_MAX + cur[c]
                bstop[c] = lstop[bi]
                bint[c] = (not bstop[c]) and uniform(kb, 2 * b0) < pint[c]
                binc[c] = uniform(kb, 2 * b0 + 1) < tinc[c]
                lost[c] = 0
                if lumpy[c] and binc[c]:  # people lost, used only if it sails (not stopped/intercepted)
                    lost[c] = _loss(tbl[c, lt], uniform(kd, b0), rem[c])
            rem[c] -= 1
            st = WAITING
            if bstop[c]:
                out[PREV, c, t] += 1.0
                st = _stop_fate(uniform(kf, a), ret[c], det[c])
            else:
                out[DEP, c, t] += 1.0
                if bint[c]:
                    out[INT, c, t] += 1.0
                    st = _stop_fate(uniform(kf, a), ret[c], det[c])
                elif lumpy[c]:
                    if lost[c] > 0:  # the first K people aboard a boat with an incident are lost
                        if rem[c] + 1 == lsz[off[c] + cur[c]]:  # the boat's first person: count the incident
                            out[INCIDENTS, c, t] += 1.0
                        lost[c] -= 1
                        out[DEATHS, c, t] += 1.0
                        st = DEAD
                    else:
                        out[ARR, c, t] += 1.0
                        st = ARRIVED
                elif binc[c] and uniform(kf, a) < lethality[c, t]:
                    out[DEATHS, c, t] += 1.0
                    st = DEAD
                else:
                    out[ARR, c, t] += 1.0
                    st = ARRIVED
            state[a] = st
            if st == WAITING:
                back[nbk] = a
                nbk += 1
    return nbk


@nb.njit(cache=True, inline="always")
def _requeue_returned(seed, t, nbk, routes, coast, wait_days, qnext, ticket, back, head, tail, wc, nticket):
    """Returned people (stopped or intercepted) choose a coast of their region again and rejoin the end of the
    waiting order; their wait restarts tomorrow. Returns the next ticket."""
    region_of_coast, choice = routes.region_of_coast, routes.choice
    C = region_of_coast.shape[0]
    kr = tick_key(seed, S.RECHOICE, t)
    for i in range(nbk):
        a = back[i]
        u = uniform(kr, a)
        r = region_of_coast[coast[a]]
        c2 = -1
        cum = 0.0
        for c in range(C):  # _pick, written out
            if region_of_coast[c] == r:
                c2 = c
                cum += choice[c, t]
                if u < cum:
                    break
        coast[a] = c2
        wait_days[a] = t + 1
        ticket[a] = nticket
        nticket += 1
        qnext[a] = -1
        if tail[c2] >= 0:
            qnext[tail[c2]] = a
        else:
            head[c2] = a
        tail[c2] = a
        wc[c2] += 1
    return nticket


@nb.njit(cache=True, inline="always")
def _end_waits(T, wait_days, qnext, head):
    """People still waiting at the end: the days since their wait started."""
    for c in range(head.shape[0]):
        a = head[c]
        while a >= 0:
            wait_days[a] = T - wait_days[a]
            a = qnext[a]


@nb.njit(cache=True)
def sea_kernel(seed, draws, routes, out):
    """Run the agent model on one seed's draws (bundles.SeaDraws) and a scenario's routes (bundles.SeaRoutes);
    fill out[N_OUT, C, T]; return (state, coast, wait_days) arrays. routes.loss_cdf[c, m] (a cumulative table,
    sea.deaths) gives the people lost per incident; a row of zeros keeps the per-person lethality.

    The waiting list is one queue per coast (a linked list through qnext) plus each person's ticket, the
    position in the one waiting order of all coasts: only a coast's first people board, so a day costs
    the people who arrive, board or return, not the people who just wait. Boarders are visited in ticket
    order (a merge of the coasts' queues), so returned people rejoin in the order of a single list.
    While a person waits, wait_days holds the day the wait started; it becomes the days waited when the
    person boards or the run ends."""
    C, T = routes.choice.shape
    tbl = routes.loss_cdf
    lumpy = np.zeros(C, dtype=np.bool_)
    for c in range(C):
        lumpy[c] = tbl[c, 0, tbl.shape[2] - 1] > 0.0
    N = draws.counts.sum()
    # the agents (struct of arrays) and the waiting order
    state = np.zeros(N, dtype=np.int8)
    coast = np.zeros(N, dtype=np.int8)
    wait_days = np.zeros(N, dtype=np.int32)
    qnext = np.empty(N, dtype=np.int64)  # next person in the same coast's queue (-1 = last)
    ticket = np.empty(N, dtype=np.int64)  # position in the one waiting order of all coasts
    back = np.empty(N, dtype=np.int64)  # today's returned people, in waiting order
    head = np.full(C, -1, dtype=np.int64)
    tail = np.full(C, -1, dtype=np.int64)
    wc = np.zeros(C, dtype=np.int64)  # people in each coast's queue
    # today's launched boats, and per coast the boat being filled
    lsz = np.empty(N, dtype=np.int64)  # sizes of today's launched boats (at most one per waiting person)
    lstop = np.empty(N, dtype=np.bool_)  # and whether each is stopped on the beach
    off = np.zeros(C, dtype=np.int64)  # first index of the coast's launched boats in lsz
    seats = np.zeros(C, dtype=np.int64)  # people in launched boats today
    left = np.zeros(C, dtype=np.int64)  # seats not yet taken today
    pint = np.zeros(C)  # today's interception chance per departing boat
    tinc = np.zeros(C)  # today's incident chance per sailing boat (with the traffic factor)
    cur = np.zeros(C, dtype=np.int64)  # launched boat being filled, and its seats left
    rem = np.zeros(C, dtype=np.int64)
    bstop = np.zeros(C, dtype=np.bool_)  # the boat being filled: stopped on the beach, intercepted, incident
    bint = np.zeros(C, dtype=np.bool_)
    binc = np.zeros(C, dtype=np.bool_)
    lost = np.zeros(C, dtype=np.int64)  # people still to die on the boat being filled (its incident)
    pend = np.zeros(C, dtype=np.int64)  # size of the coast's next boat, kept until it fills (0 = none yet)
    nser = np.zeros(C, dtype=np.int64)  # boats whose size was drawn so far, per coast
    ks = tick_key(seed, S.SIZE, 0)  # boat sizes are indexed by the coast's boat serial number
    credit = np.zeros(C)  # safe-route places accrued (the fraction of a place carries to the next day)
    avail = np.zeros(C, dtype=np.int64)  # whole safe-route places left today
    nxt = 0
    nticket = 0
    for t in range(T):
        _accrue_safe_places(t, routes.safe_cap, credit, avail)
        nxt, nticket = _arrive_at_coasts(seed, t, draws.counts, routes, avail, state, coast, wait_days, qnext, ticket,
                                         head, tail, wc, out, nxt, nticket)
        _launch_boats(seed, t, ks, draws, routes, wc, lsz, lstop, off, seats, pend, nser, pint, out)
        _traffic_factors(t, routes, out, tinc)
        nbk = _board_and_sail(seed, t, routes, lumpy, state, wait_days, qnext, ticket, back, head, tail, wc, lsz, lstop,
                              off, seats, pint, tinc, left, cur, rem, bstop, bint, binc, lost, out)
        nticket = _requeue_returned(seed, t, nbk, routes, coast, wait_days, qnext, ticket, back, head, tail, wc, nticket)
        for c in range(C):
            out[WAIT, c, t] += wc[c]
    _end_waits(T, wait_days, qnext, head)
    return state, coast, wait_days
