"""The daily loop of Flee 3.1 as one numba kernel over struct-of-arrays agents.

Per day (runscripts/run.py + Ecosystem.evolve): spawn, then every agent `evolve`s in insertion order
(decide to move, choose a route, step onto a link), then every agent `finish_travel`s (advance along the
link, arrive, maybe chain further links the same day), then recent-travel bookkeeping. Occupancy counters
change immediately on every move, so capacity effects follow agent order exactly as in Flee.
Location/link states that do not depend on agents come precomputed per day (timeline.py).

Agent state (18 bytes): pos int32 (location, or link while travelling), path int32 (chosen candidate path,
-1 = none), hop int8 (next hop on it), flags uint8 (travelling, has-arrived-once), dist float32 (km done on
the current link), recent float32 (Flee's recent_travel_distance).

Randomness: counter-based, uniform(tick_key(seed, stream, day*64 + depth), agent), where depth counts the
evolve/finish rounds of one agent in one day (chained links), so every draw has its own key.

Indices in the agent passes are unsigned (np.uint64(...)) where they are known to be >= 0: numba wraps a negative
signed index around as Python does, which costs a sign test and two instructions on every access, in the middle
of chains of dependent loads (agent -> path -> hop -> link -> place); unsigned indices have none (session 12: 9%
less kernel CPU on ssudan2013, 11% on scale.py, output bit-identical).
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from crossings.core.rng import GOLDEN, mix64, poisson, tick_key, uniform

STREAM_SPAWN = 30
STREAM_MOVE = 31
STREAM_ROUTE = 32
STREAM_WALK = 33
STREAM_CD_SPAWN = 34
BLOCK = 4096  # agents scanned at a time before the work on those of them that act (fits in L1)
MIN_PART = 256  # fewest agents worth a thread of their own in a parallel pass
DEPTHS = 64  # keys per (stream, day); deeper chains reuse the last key (never reached in practice)

TRAVELLING = np.uint8(1)
S11 = np.uint64(11)  # a draw's 53 bits are its hash >> 11 (crossings.core.rng.uniform)
ARRIVED_ONCE = np.uint8(2)

class FixedTables(NamedTuple):
    """Today's route-choice tables of the places whose candidates all end at places without a capacity."""

    is_fixed: np.ndarray  # [L] bool
    weight: np.ndarray    # [P] weight of each candidate (-1 = closed), as selectRoute computes it
    cum: np.ndarray       # [P] running sum of the positive weights of the place, up to this candidate
    total: np.ndarray     # [L] sum of the open candidates' weights
    n_open: np.ndarray    # [L] number of open candidates
    last: np.ndarray      # [L] the last candidate with a positive weight (-1: none)


# indices into the float64 parameter vector
P_MAX_MOVE, P_MAX_WALK, P_ON_FOOT, P_SHORT_STINTS, P_BUFFER, P_WSOFT, P_WPOW = 0, 1, 2, 3, 4, 5, 6
P_MC_BASE, P_MC_FACTOR, P_POP_POWER, P_TAKE_POP, P_CD_MODE, P_CD_RATE, P_UNIFORM = 7, 8, 9, 10, 11, 12, 13
N_PARAMS = 14


@nb.njit(cache=True, error_model="numpy")
def day_key(seed: int, stream: int, t: int, depth: int) -> np.uint64:
    d = depth if depth < DEPTHS - 1 else DEPTHS - 1
    return tick_key(seed, stream, t * DEPTHS + d)


@nb.njit(cache=True, inline="always", error_model="numpy")
def cap_multiplier(n, cap, buf):
    """moving.getCapMultiplier: 1 below buffer x capacity, 0 at capacity, linear in between."""
    if cap < 1:
        return 1.0
    if n <= buf * cap:
        return 1.0
    if n >= cap:
        return 0.0
    return 1.0 - (n - buf * cap) / (cap * (1.0 - buf))


@nb.njit(cache=True, inline="always", error_model="numpy")
def draw(key, agent):
    """uniform(key, agent) for an agent index held unsigned (the kernel's loops index with uint64)."""
    return uniform(key, agent)


@nb.njit(cache=True, inline="always", error_model="numpy")
def draw_threshold(chance):
    """The integer t with uniform(key, a) < chance <=> (the draw's 53 bits) < t: uniform is those bits x 2**-53,
    exact, so t = ceil(chance x 2**53) (also exact), 0 when no draw can succeed, 2**53 when every draw does."""
    if not chance > 0.0:
        return np.uint64(0)
    if chance >= 1.0:
        return np.uint64(1) << np.uint64(53)
    return np.uint64(np.ceil(chance * 9007199254740992.0))


@nb.njit(cache=True, inline="always", error_model="numpy")
def first_full(cap, buf):
    """The smallest occupancy at which cap_multiplier is below 0.5 (a camp that turns arrivals away): the
    multiplier does not grow with the occupancy (each step of it is monotone, rounding included), so bisection
    finds it; a number no occupancy reaches for a place without a capacity."""
    never = np.int64(1) << np.int64(62)
    if cap < 1:
        return never
    lo = np.int64(0)
    hi = np.int64(cap)  # at the capacity the multiplier is 0 ...
    if buf * cap >= cap:  # ... unless buffer >= 1 (rules.py refuses it; the kernel does not rely on that)
        if not buf * cap < 2.0 ** 62:
            return never
        hi = np.int64(np.floor(buf * cap)) + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cap_multiplier(mid, cap, buf) < 0.5:
            hi = mid
        else:
            lo = mid + 1
    return lo


@nb.njit(cache=True, inline="always", error_model="numpy")
def pick_weighted(sums, first, p0, p1, target, last):
    """moving.selectRoute's weighted pick: the first candidate p0..p1-1 whose running sum (sums[first + q - p0])
    passes the target, else `last` (the last candidate with a positive weight). Counted, not searched: no branch
    on the draw. Inlined into the agent pass (a call with arrays costs reference counting, see agent_pass)."""
    c = 0
    for i in range(p1 - p0):
        c += sums[np.uint64(first + i)] <= target
    return p0 + c if c < p1 - p0 else last


@nb.njit(cache=True, inline="always", error_model="numpy")
def pick_uniform(weight, p0, p1, k):
    """The pick when every open candidate's weight is 0 (moving.normalizeWeights: uniform): the k-th open
    candidate (weight >= 0) of p0..p1-1, counting from 0; the last open one if fewer; -1 if none is open."""
    p = -1
    for q in range(p0, p1):
        if weight[np.uint64(q)] >= 0.0:
            p = q
            if k == 0:
                break
            k -= 1
    return p


# The helpers below run once per day; the per-agent work lives inside run_days (see its docstring).

@nb.njit(cache=True, error_model="numpy")
def path_weights(t, path_end, path_den, path_home, hop_ptr, hop_link, score, popweight, link_open, pop, prm, pw):
    """Today's capacity-free part of every candidate's weight, -1 for a path over a closed link.

    (weight_softening + score(end)) / (softening + km) ** distance_power; population changes only while
    spawning, so this holds for the whole agent pass of the day.
    """
    for p in range(path_end.shape[0]):
        ok = True
        for h in range(hop_ptr[p], hop_ptr[p + 1]):
            if link_open[t, hop_link[h]] == 0:
                ok = False
                break
        if not ok:
            pw[p] = -1.0
            continue
        if prm[P_UNIFORM] != 0.0:
            pw[p] = 1.0
            continue
        e = path_end[p]
        sc = score[t, e] * path_home[p]
        if popweight[t, e] != 0:
            sc *= min(1.0, float(pop[e])) ** prm[P_POP_POWER]
        pw[p] = (prm[P_WSOFT] + sc) / path_den[p]


@nb.njit(cache=True, error_model="numpy")
def move_chances(t, movechance, pop, cap, prm, mc):
    """Today's move chance per place (Person.evolve), x (max(pop, capacity)/base)**factor when set."""
    for loc in range(mc.shape[0]):
        mc[loc] = movechance[t, loc]
        if prm[P_MC_FACTOR] != 0.0:
            mc[loc] *= (max(pop[loc], cap[loc]) / prm[P_MC_BASE]) ** prm[P_MC_FACTOR]


@nb.njit(cache=True, error_model="numpy")
def spawn(t, n, seed, n_new, spawn_mult, conflict_now, pos, path, hop, flags, dist, recent,
          occ, pop, prm, cum):
    """Add today's agents at conflict locations; returns the new agent count (-1 if arrays are full)."""
    n_loc = occ.shape[0]
    cap_agents = pos.shape[0]
    take = prm[P_TAKE_POP] != 0.0
    mode = int(prm[P_CD_MODE])
    key = tick_key(seed, STREAM_SPAWN if mode == 0 else STREAM_CD_SPAWN, t)
    if mode == 0:
        if n_new <= 0:
            return n
        if n + n_new > cap_agents:
            return -1
        total = 0.0
        for loc in range(n_loc):
            total += pop[loc] * spawn_mult[t, loc]
            cum[loc] = total
    for loc in range(n_loc):
        if mode == 0:
            if loc > 0:
                break  # data-driven: one pass below draws every origin
            k = n_new
        else:
            c = conflict_now[t, loc]
            if c <= 0.0:
                continue
            if mode == 1:
                k = int(prm[P_CD_RATE] * c)
            elif mode == 2:
                k = int(prm[P_CD_RATE] * pop[loc] * c)
            else:
                k = poisson(key, loc, prm[P_CD_RATE] * c)
            if n + k > cap_agents:
                return -1
        for _ in range(k):
            where = loc
            if mode == 0:  # origin by inverse CDF on pop x conflict x decay
                target = uniform(key, n) * total
                lo = 0
                hi = n_loc - 1
                while lo < hi:
                    mid = (lo + hi) // 2
                    if cum[mid] > target:
                        hi = mid
                    else:
                        lo = mid + 1
                where = lo
            pos[n] = where
            path[n] = -1
            hop[n] = 0
            flags[n] = 0
            dist[n] = 0.0
            recent[n] = 0.0
            occ[where] += 1
            if take and conflict_now[t, where] > 0.0 and pop[where] > 0:
                pop[where] -= 1
            n += 1
    return n


@nb.njit(cache=True, error_model="numpy")
def scan_movers(b, bend, k0, pos, flags, recent, thr, halve, todo):
    """The evolve pass's scan of agents b..bend-1 (see agent_pass), branch-free: lists in `todo` those not under
    way whose move draw succeeds and returns how many; halves the recent_travel_distance of those who stay.
    A function of its own, called once per block (its call costs less than a nanosecond per agent): inside the
    big pass LLVM keeps these arrays' addresses on the stack and reloads them for every agent."""
    last = thr.shape[0] - 1
    m = 0
    for ia in range(b, bend):
        a = np.uint64(ia)  # unsigned: no negative-index wraparound in the hot loop
        still = (flags[a] & TRAVELLING) == 0
        z = mix64(k0 + a * GOLDEN + GOLDEN) >> S11  # uniform(k0, a) < chance <=> z < threshold
        go = still & (z < thr[np.uint64(min(pos[a], last))])  # a traveller's pos is a link: masked out
        recent[a] = recent[a] * halve[np.uint64(still ^ go)]  # still and not go: x 0.5, exact
        todo[m] = ia
        m += go
    return m


@nb.njit(cache=True, error_model="numpy")
def scan_under_way(b, bend, flags, todo):
    """The finish pass's scan of agents b..bend-1: lists in `todo` those under way and returns how many."""
    m = 0
    for ia in range(b, bend):
        a = np.uint64(ia)
        todo[m] = ia
        m += flags[a] & TRAVELLING
    return m


@nb.njit(cache=True, error_model="numpy")
def agent_pass(phase, lo, hi, seed, t, net, days, ag, cap, prm, pw, mc_today, step_link, fixed, occ_r, occ_w, link_w,
               wbuf):
    """One agent pass over agents lo..hi-1: phase 0 = Person.evolve, phase 1 = Person.finish_travel.

    Capacity reads go to occ_r, occupancy changes to occ_w (locations) and link_w (links). The serial pass gives
    the live counters for all three (Flee's order: every move is seen by the agents after it); a parallel part
    reads the counters as they were when the pass began and writes its own deltas, which run_days only does
    when no capacity multiplier can differ from 1 during the pass (so the order of agents cannot matter).
    Agents are taken a block at a time: a branch-free scan lists the block's agents that act (evolve: a successful
    move draw; finish: under way), then only those are worked on, in agent order (docs/flee_engine.md).
    The passes are written out in this one function on purpose: calling a helper with many arrays costs two
    atomic reference-count updates per array per call (~0.2 us), more than the work of a move.
    """
    (link_src, link_dst, link_km, link_speed, link_walkp, out_ptr, out_link,
     path_ptr, hop_ptr, hop_link, hop_node, path_end, path_den, path_home) = net
    movechance, town, camp, score, popweight, spawn_mult, conflict_now, link_open = days
    town_t, camp_t, open_t = town[t], camp[t], link_open[t]  # today's rows: 1-D, indexed unsigned below
    pos, path, hop, flags, dist, recent = ag
    max_move = prm[P_MAX_MOVE]
    max_walk = prm[P_MAX_WALK]
    on_foot = prm[P_ON_FOOT] != 0.0
    short_stints = prm[P_SHORT_STINTS] != 0.0
    buf = prm[P_BUFFER]
    wpow = prm[P_WPOW]
    uniform_choice = prm[P_UNIFORM] != 0.0
    kmove = np.empty(DEPTHS, dtype=np.uint64)  # today's keys for every depth of a chain, computed once
    kroute = np.empty(DEPTHS, dtype=np.uint64)
    kwalk = np.empty(DEPTHS, dtype=np.uint64)
    for d in range(DEPTHS):
        kmove[d] = day_key(seed, STREAM_MOVE, t, d)
        kroute[d] = day_key(seed, STREAM_ROUTE, t, d)
        kwalk[d] = day_key(seed, STREAM_WALK, t, d)
    k0 = kmove[0]
    todo = np.empty(BLOCK, dtype=np.int64)
    thr = np.empty(mc_today.shape[0], dtype=np.uint64)
    for loc in range(thr.shape[0]):
        thr[loc] = draw_threshold(mc_today[loc])
    mult = np.empty(thr.shape[0])  # every place's capacity multiplier, kept current as its occupancy changes
    full = np.empty(thr.shape[0], dtype=np.int64)  # occupancy from which a camp turns arrivals away
    for loc in range(thr.shape[0]):
        mult[loc] = cap_multiplier(occ_r[loc], cap[loc], buf)
        full[loc] = first_full(cap[loc], buf)
    every = np.uint64(1) << np.uint64(53)  # the threshold of a draw that always succeeds (chance 1)
    halve = np.array([1.0, 0.5], dtype=np.float32)  # float32 x 0.5 is the float32 of float64 x / 2, bit for bit
    for b in range(lo, hi, BLOCK):
        # A branch-free scan of a block writes the agents this pass must work on to `todo`, in agent order: phase 0,
        # those not under way whose move draw succeeds (the others stay: Flee's finish pass only halves their
        # recent_travel_distance and nothing reads it before then, so it is done here); phase 1, those under
        # way. Staying agents touch no counter, so leaving them out keeps Flee's order for everyone else.
        bend = min(b + BLOCK, hi)
        if phase == 0:
            m = scan_movers(b, bend, k0, pos, flags, recent, thr, halve, todo)
        else:
            m = scan_under_way(b, bend, flags, todo)
        for i in range(m):
            a = np.uint64(todo[i])
            moved = 0.0
            depth = 0
            want_step = phase == 0
            while True:
                if want_step:  # --- evolve after a successful move draw ---
                    want_step = False
                    here = pos[a]
                    hu = np.uint64(here)  # unsigned: an index numba need not wrap around
                    p = path[a]
                    fresh = p < 0  # a path is chosen now: it starts here (network.py), at its first hop
                    if p < 0 and fixed.is_fixed[hu]:  # selectRoute where no candidate ends at a capacity: today's table
                        count = fixed.n_open[hu]
                        if count > 0:
                            u = draw(kroute[np.uint64(min(depth, DEPTHS - 1))], a)
                            total = fixed.total[hu]
                            p0 = path_ptr[hu]
                            p1 = path_ptr[hu + np.uint64(1)]
                            if total > 0.0:
                                p = pick_weighted(fixed.cum, p0, p0, p1, u * total, fixed.last[hu])
                            else:
                                p = pick_uniform(fixed.weight, p0, p1, int(u * count))
                        if p >= 0:
                            path[a] = p
                            hop[a] = 0
                    elif p < 0:  # moving.selectRoute: weighted draw over open candidates
                        p0 = path_ptr[hu]
                        p1 = path_ptr[hu + np.uint64(1)]
                        acc = 0.0  # running sum of the positive weights (their total at the end)
                        count = 0
                        last_pos = -1
                        for q in range(p0, p1):
                            qu = np.uint64(q)
                            x = pw[qu]
                            if x >= 0.0:
                                count += 1
                                if not uniform_choice:
                                    x = x * mult[np.uint64(path_end[qu])]
                                    if wpow != 1.0:
                                        x = x ** wpow
                            acc += max(x, 0.0)  # + 0.0 changes no sum
                            last_pos = q if x > 0.0 else last_pos
                            wbuf[qu - np.uint64(p0)] = acc
                        if count > 0:
                            u = draw(kroute[np.uint64(min(depth, DEPTHS - 1))], a)
                            if acc > 0.0:
                                p = pick_weighted(wbuf, 0, p0, p1, u * acc, last_pos)
                            else:  # open: pw >= 0 (its weight x a multiplier in [0, 1] is >= 0)
                                p = pick_uniform(pw, p0, p1, int(u * count))
                        if p >= 0:
                            path[a] = p
                            hop[a] = 0
                    if p >= 0:  # take_next_step: the open link towards the next hop (step_links)
                        pu = np.uint64(p)
                        if fresh:  # no need to look where the hop starts: here
                            e = step_link[np.uint64(hop_ptr[pu])]
                        else:
                            h = np.uint64(hop_ptr[pu] + hop[a])
                            if link_src[np.uint64(hop_link[h])] == here:
                                e = step_link[h]
                            else:  # sent back by a link closure in mid-path: search from where it stands
                                e = -1
                                for j in range(out_ptr[here], out_ptr[here + 1]):
                                    f = out_link[j]
                                    if link_open[t, f] != 0 and link_dst[f] == hop_node[h]:
                                        e = f
                                        break
                        fin = np.uint64(path_end[pu])
                        if e < 0 or (camp_t[fin] != 0 and occ_r[fin] >= full[fin]):
                            path[a] = -1  # link vanished, or destination camp (nearly) full: stay
                        else:
                            hop[a] += 1
                            if hop_ptr[pu] + hop[a] >= hop_ptr[pu + np.uint64(1)]:
                                path[a] = -1
                            occ_w[hu] -= 1
                            if cap[hu] >= 1:  # occ_r is occ_w in a serial pass (a parallel one reads 1s only)
                                mult[hu] = cap_multiplier(occ_r[hu], cap[hu], buf)
                            link_w[np.uint64(e)] += 1
                            pos[a] = e
                            flags[a] |= TRAVELLING
                            dist[a] = 0.0
                    if phase == 0:
                        if not flags[a] & TRAVELLING and recent[a] != 0.0:
                            recent[a] = recent[a] / 2.0  # stays: see above
                        break
                if not flags[a] & TRAVELLING:
                    break
                # --- finish_travel: advance along the link ---
                el = np.uint64(pos[a])
                v = link_speed[el] if link_speed[el] > 0.0 else max_move
                if on_foot and not (flags[a] & ARRIVED_ONCE):
                    v = max_walk  # first link of the journey is walked (start_on_foot)
                if link_walkp[el] > 0.0 and draw(kwalk[np.uint64(min(depth, DEPTHS - 1))], a) < link_walkp[el]:
                    v = max_walk
                d = float(dist[a]) + v
                dist[a] = d
                moved += v
                if not d > link_km[el]:
                    break
                flags[a] |= ARRIVED_ONCE
                moved += link_km[el] - d  # remove the overshoot
                link_w[el] -= 1
                flags[a] &= ~TRAVELLING
                dist[a] = 0.0
                if open_t[el] == 0:  # closed while under way: back to where the link starts
                    pos[a] = link_src[el]
                    occ_w[link_src[el]] += 1
                    if cap[link_src[el]] >= 1:
                        mult[link_src[el]] = cap_multiplier(occ_r[link_src[el]], cap[link_src[el]], buf)
                    break
                end = np.uint64(link_dst[el])  # unsigned: no wraparound code on the indices below
                pos[a] = end
                occ_w[end] += 1
                if cap[end] >= 1:
                    mult[end] = cap_multiplier(occ_r[end], cap[end], buf)
                if not moved < v:
                    break
                # evolve again today; avoid_short_stints forces a town move after a short day
                force = short_stints and (recent[a] + moved / max_move) / 2.0 < 0.5
                depth += 1
                th = every if force and town_t[end] != 0 else thr[end]
                if not mix64(kmove[np.uint64(min(depth, DEPTHS - 1))] + a * GOLDEN + GOLDEN) >> S11 < th:  # uniform < chance
                    break
                want_step = True
            if phase == 1:
                recent[a] = (recent[a] + moved / max_move) / 2.0


@nb.njit(cache=True, error_model="numpy")
def fixed_tables(path_ptr, path_end, cap, prm, pw, is_fixed, weight, cum, total, count, last):
    """Today's route-choice table of every place none of whose candidates ends at a place with a capacity: the
    weights (pw, to the weight_power), their running sum and their total, summed in the order selectRoute sums
    them, so a draw against the table picks what the live computation would pick, bit for bit."""
    wpow = prm[P_WPOW]
    uniform_choice = prm[P_UNIFORM] != 0.0
    for loc in range(is_fixed.shape[0]):
        if not is_fixed[loc]:
            continue
        acc = 0.0
        tot = 0.0
        k = 0
        last[loc] = -1
        for q in range(path_ptr[loc], path_ptr[loc + 1]):
            x = pw[q]
            if x >= 0.0:
                k += 1
                if not uniform_choice:
                    x = x * 1.0  # cap_multiplier of a place without capacity
                    if wpow != 1.0:
                        x = x ** wpow
                tot += x
                if x > 0.0:
                    acc += x
                    last[loc] = q
            weight[q] = x
            cum[q] = acc
        total[loc] = tot
        count[loc] = k


@nb.njit(cache=True, error_model="numpy")
def step_links(t, path_from, hop_ptr, hop_node, out_ptr, out_link, link_dst, link_open, step_link):
    """For every hop of every candidate path, today's link to take: the first open out-link of the hop's start
    towards its node (moving.take_next_step: among parallel links Flee takes the first), -1 if none."""
    for p in range(path_from.shape[0]):
        here = path_from[p]
        for h in range(hop_ptr[p], hop_ptr[p + 1]):
            nxt = hop_node[h]
            e = -1
            for j in range(out_ptr[here], out_ptr[here + 1]):
                f = out_link[j]
                if link_open[t, f] != 0 and link_dst[f] == nxt:
                    e = f
                    break
            step_link[h] = e
            here = nxt


@nb.njit(cache=True, error_model="numpy")
def max_arrivals(link_km, link_speed, prm):
    """Most arrivals one agent can make in one finish pass: a chain continues only while the km done today are
    below the day's speed, so at most 1 + fastest speed / shortest link (a huge number for a 0 km link)."""
    v = max(prm[P_MAX_MOVE], prm[P_MAX_WALK])
    shortest = np.inf
    for e in range(link_km.shape[0]):
        v = max(v, link_speed[e])
        shortest = min(shortest, link_km[e])
    if not shortest > 0.0 or v / shortest > 1e12:
        return np.inf
    return 1.0 + np.floor(v / shortest)


@nb.njit(cache=True, error_model="numpy")
def order_free(occ, cap, buf, arrivals):
    """True when no capacity multiplier can leave 1 during a pass that adds at most `arrivals` agents to any
    place: then every agent reads the same weights in any order, and the pass may run in parallel."""
    for loc in range(occ.shape[0]):
        if cap[loc] >= 1 and not occ[loc] + arrivals <= buf * cap[loc]:
            return False
    return True


@nb.njit(cache=True, error_model="numpy", parallel=True)
def parallel_pass(phase, n, threads, seed, t, net, days, ag, cap, prm, pw, mc_today, step_link, fixed, occ,
                  occ_link, most):
    """agent_pass over contiguous parts of the agents, one per thread, each with its own integer deltas; summed
    afterwards (integer sums do not depend on order), so the result is the same for any number of threads."""
    parts = max(1, min(threads, n // MIN_PART))
    d_loc = np.zeros((parts, occ.shape[0]), dtype=np.int64)
    d_link = np.zeros((parts, occ_link.shape[0]), dtype=np.int64)
    for c in nb.prange(parts):
        wbuf = np.empty(most)
        agent_pass(phase, n * c // parts, n * (c + 1) // parts, seed, t, net, days, ag, cap, prm, pw, mc_today,
                   step_link, fixed, occ, d_loc[c], d_link[c], wbuf)
    for c in range(parts):
        for loc in range(occ.shape[0]):
            occ[loc] += d_loc[c, loc]
        for e in range(occ_link.shape[0]):
            occ_link[e] += d_link[c, e]


@nb.njit(cache=True, error_model="numpy")
def run_days(seed, n0, n_spawn, net, days, ag, pop, cap, prm, loc_counts, transit, agents, threads, in_parallel):
    """Run all days; fills loc_counts[T, L], transit[T], agents[T] and in_parallel[T] (bit 0: the evolve pass ran
    in parallel, bit 1: the finish pass). Returns the final agent count or -1.

    `threads` (numba.get_num_threads() of the caller: calling it here would stop numba caching the kernel) is
    how many parts a parallel pass is cut into.
    Each pass runs in parallel (parallel_pass) when order_free says the order of agents cannot matter, else
    serially with live counters, as in Flee: the results are the serial ones either way, for any thread count.
    """
    link_dst, link_km, link_speed, out_ptr, out_link = net[1], net[2], net[3], net[5], net[6]
    path_ptr, hop_ptr, hop_link, hop_node = net[7], net[8], net[9], net[10]
    path_end, path_den, path_home = net[11], net[12], net[13]
    movechance, score, popweight, spawn_mult, conflict_now, link_open = days[0], days[3], days[4], days[5], days[6], days[7]
    pos, path, hop, flags, dist, recent = ag
    n_days, n_loc = loc_counts.shape
    n_link = link_km.shape[0]
    occ = np.zeros(n_loc, dtype=np.int64)
    occ_link = np.zeros(n_link, dtype=np.int64)
    for a in range(n0):
        occ[pos[a]] += 1
    most = 1
    for loc in range(n_loc):
        most = max(most, path_ptr[loc + 1] - path_ptr[loc])
    wbuf = np.zeros(most)
    pw = np.zeros(path_end.shape[0])
    path_from = np.empty(path_end.shape[0], dtype=np.int64)
    for loc in range(n_loc):
        path_from[path_ptr[loc]:path_ptr[loc + 1]] = loc
    step_link = np.empty(hop_node.shape[0], dtype=np.int64)
    is_fixed = np.ones(n_loc, dtype=np.bool_)  # no candidate ends at a place with a capacity
    for loc in range(n_loc):
        for q in range(path_ptr[loc], path_ptr[loc + 1]):
            if cap[path_end[q]] >= 1 and prm[P_UNIFORM] == 0.0:
                is_fixed[loc] = False
    fixed = FixedTables(is_fixed, np.zeros(path_end.shape[0]), np.zeros(path_end.shape[0]), np.zeros(n_loc),
                        np.zeros(n_loc, dtype=np.int64), np.full(n_loc, -1, dtype=np.int64))
    mc_today = np.zeros(n_loc)
    cum = np.zeros(n_loc)
    buf = prm[P_BUFFER]
    per_agent = max_arrivals(link_km, link_speed, prm)
    n = n0
    for t in range(n_days):
        n = spawn(t, n, seed, n_spawn[t], spawn_mult, conflict_now, pos, path, hop, flags, dist, recent,
                  occ, pop, prm, cum)
        if n < 0:
            return -1
        path_weights(t, path_end, path_den, path_home, hop_ptr, hop_link, score, popweight, link_open, pop, prm, pw)
        move_chances(t, movechance, pop, cap, prm, mc_today)
        fixed_tables(path_ptr, path_end, cap, prm, pw, fixed.is_fixed, fixed.weight, fixed.cum, fixed.total,
                     fixed.n_open, fixed.last)
        same_links = t > 0
        if t > 0:
            for e in range(n_link):
                if link_open[t, e] != link_open[t - 1, e]:
                    same_links = False
                    break
        if not same_links:
            step_links(t, path_from, hop_ptr, hop_node, out_ptr, out_link, link_dst, link_open, step_link)
        for phase in range(2):  # 0: Person.evolve for every agent; 1: Person.finish_travel for every agent
            parallel = False
            if threads > 1 and n >= 2 * MIN_PART:
                # phase 0 only takes agents out of places; phase 1 adds at most per_agent per traveller
                travellers = occ_link.sum()
                arrivals = 0.0 if phase == 0 or travellers == 0 else per_agent * float(travellers)
                parallel = order_free(occ, cap, buf, arrivals)
            if parallel:
                in_parallel[t] |= 1 << phase
                parallel_pass(phase, n, threads, seed, t, net, days, ag, cap, prm, pw, mc_today, step_link, fixed,
                              occ, occ_link, most)
            else:
                agent_pass(phase, 0, n, seed, t, net, days, ag, cap, prm, pw, mc_today, step_link, fixed, occ, occ,
                           occ_link, wbuf)
        for loc in range(n_loc):
            loc_counts[t, loc] = occ[loc]
        s = 0
        for e in range(n_link):
            s += occ_link[e]
        transit[t] = s
        agents[t] = n
    return n
