"""Agent kernel of the route system: one agent per person, struct-of-arrays, counter-based draws.

Each day: every group's new people set out (Poisson) and choose a route (logit shares, `cum`); then
every waiting person tries the border of the route's current leg with probability attempt[leg, t].
An attempt is detected with probability detect; a detected attempt is pushed back with probability
pushback. A pushed-back person retries (stays, tries again another day) with probability retry[leg],
otherwise gives up (p_out, the logit's outside option) or chooses a route again. A person who
crosses continues on the chained leg (Eastern Mediterranean -> Western Balkans) with probability
onward[leg, t], else is done. Detections are counted on the leg's route (its Frontex place): crossings
that were detected, and on land borders also the detected attempts pushed back (count_pushed), so one
person can add several detections (repeated attempts, chained routes). Numpy reference: reference.py.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crossings.core.rng import poisson, tick_key, uniform
from crossings.land import streams as S

# outputs, by (measure, group, route, day)
DET = 0  # Frontex detections counted on the route
CROSSED = 1  # persons crossing the route's border
PUSHED = 2  # detected attempts pushed back
STARTS = 3  # route choices (new people and those choosing again)
GAVE_UP = 4  # pushed-back people who stop (outside option)
N_OUT = 5


@nb.njit(cache=True, inline="always")
def choose(cum_row, u):
    """First route whose cumulative share exceeds u (the last with positive share on rounding)."""
    R = cum_row.shape[0]
    for r in range(R):
        if u < cum_row[r]:
            return r
    r = R - 1
    while r > 0 and cum_row[r] <= cum_row[r - 1]:
        r -= 1
    return r


@nb.njit(cache=True)
def land_kernel(seed, move, cum, lr, max_agents):
    """Run the agents; lr: the route arrays by name (land/bundles.LandRoutes). Returns (out, people)."""
    p_out, attempt, detect, pushback, retry = lr.p_out, lr.attempt, lr.detect, lr.pushback, lr.retry
    count_pushed, next_leg, onward = lr.count_pushed, lr.next_leg, lr.onward
    G, T = move.shape
    R = cum.shape[2]
    out = np.zeros((N_OUT, G, R, T))
    grp = np.empty(max_agents, np.int8)
    leg = np.empty(max_agents, np.int8)
    active = np.empty(max_agents, np.int64)
    n_active = 0
    n_agents = 0
    for t in range(T):
        k_sp = tick_key(seed, S.SPAWN, t)
        k_ch = tick_key(seed, S.CHOICE, t)
        for g in range(G):
            n = poisson(k_sp, g, move[g, t])
            if n_agents + n > max_agents:
                raise ValueError("more people than the preallocated agents")
            for _ in range(n):
                a = n_agents
                n_agents += 1
                r = choose(cum[t, g], uniform(k_ch, a))
                grp[a] = g
                leg[a] = r
                active[n_active] = a
                n_active += 1
                out[STARTS, g, r, t] += 1.0
        k_at = tick_key(seed, S.ATTEMPT, t)
        k_de = tick_key(seed, S.DETECT, t)
        k_pu = tick_key(seed, S.PUSHBACK, t)
        k_re = tick_key(seed, S.RETRY, t)
        k_rc = tick_key(seed, S.RECHOICE, t)
        k_on = tick_key(seed, S.ONWARD, t)
        m = 0
        for j in range(n_active):
            a = active[j]
            g = grp[a]
            lg = leg[a]
            keep = True
            if uniform(k_at, a) < attempt[lg, t]:
                det = uniform(k_de, a) < detect[lg, t]
                if det and uniform(k_pu, a) < pushback[lg, t]:
                    out[PUSHED, g, lg, t] += 1.0
                    if count_pushed[lg]:
                        out[DET, g, lg, t] += 1.0
                    if uniform(k_re, a) >= retry[lg]:
                        if uniform(k_rc, 2 * a) < p_out[g, t]:
                            keep = False
                            out[GAVE_UP, g, lg, t] += 1.0
                        else:
                            r = choose(cum[t, g], uniform(k_rc, 2 * a + 1))
                            leg[a] = r
                            out[STARTS, g, r, t] += 1.0
                else:
                    if det:
                        out[DET, g, lg, t] += 1.0
                    out[CROSSED, g, lg, t] += 1.0
                    nl = next_leg[lg]
                    if nl >= 0 and uniform(k_on, a) < onward[lg, t]:
                        leg[a] = nl
                    else:
                        keep = False
            if keep:
                active[m] = a
                m += 1
        n_active = m
    return out, n_agents
