"""Numpy reference of kernel.land_kernel: the same process and random keys, vectorised over people.

Kept to check the numba kernel (tests assert identical outputs); too slow for full runs.
"""

from __future__ import annotations

import numpy as np

from crossings.core.rng import poisson, tick_key_np, uniform_np
from crossings.land import streams as S
from crossings.land.kernel import CROSSED, DET, GAVE_UP, N_OUT, PUSHED, STARTS


def _choose(cum_rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """kernel.choose for many people: cum_rows (n, R), u (n,)."""
    R = cum_rows.shape[1]
    hit = u[:, None] < cum_rows
    first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    if (first < 0).any():  # rounding: the last route with a positive share
        last = np.zeros(cum_rows.shape[0], dtype=np.int64) + R - 1
        for i in np.flatnonzero(first < 0):
            r = R - 1
            while r > 0 and cum_rows[i, r] <= cum_rows[i, r - 1]:
                r -= 1
            last[i] = r
        first = np.where(first < 0, last, first)
    return first.astype(np.int64)


def land_reference(seed, move, cum, lr, max_agents):
    """kernel.land_kernel, vectorised over people; lr: land/bundles.LandRoutes."""
    p_out, attempt, detect, pushback, retry = lr.p_out, lr.attempt, lr.detect, lr.pushback, lr.retry
    count_pushed, next_leg, onward = lr.count_pushed, lr.next_leg, lr.onward
    G, T = move.shape
    R = cum.shape[2]
    out = np.zeros((N_OUT, G, R, T))
    grp = np.zeros(max_agents, dtype=np.int64)
    leg = np.zeros(max_agents, dtype=np.int64)
    active = np.zeros(0, dtype=np.int64)
    n_agents = 0
    for t in range(T):
        k_sp = tick_key_np(seed, S.SPAWN, t)
        k_ch = tick_key_np(seed, S.CHOICE, t)
        new = []
        for g in range(G):
            n = int(poisson(k_sp, g, float(move[g, t])))
            if n_agents + n > max_agents:
                raise ValueError("more people than the preallocated agents")
            ids = np.arange(n_agents, n_agents + n, dtype=np.int64)
            n_agents += n
            r = _choose(np.broadcast_to(cum[t, g], (n, R)), uniform_np(k_ch, ids))
            grp[ids] = g
            leg[ids] = r
            out[STARTS, g, :, t] += np.bincount(r, minlength=R)
            new.append(ids)
        active = np.concatenate([active, *new])
        a = active
        ga = grp[a]
        la = leg[a]
        day = out[:, :, :, t]  # (measure, group, route) view of today
        tries = uniform_np(tick_key_np(seed, S.ATTEMPT, t), a) < attempt[la, t]
        det = tries & (uniform_np(tick_key_np(seed, S.DETECT, t), a) < detect[la, t])
        pushed = det & (uniform_np(tick_key_np(seed, S.PUSHBACK, t), a) < pushback[la, t])
        crossed = tries & ~pushed
        np.add.at(day[PUSHED], (ga[pushed], la[pushed]), 1.0)
        counted = (det & ~pushed) | (pushed & count_pushed[la])
        np.add.at(day[DET], (ga[counted], la[counted]), 1.0)
        np.add.at(day[CROSSED], (ga[crossed], la[crossed]), 1.0)
        rechoose = pushed & (uniform_np(tick_key_np(seed, S.RETRY, t), a) >= retry[la])
        k_rc = tick_key_np(seed, S.RECHOICE, t)
        gives_up = rechoose & (uniform_np(k_rc, 2 * a) < p_out[ga, t])
        np.add.at(day[GAVE_UP], (ga[gives_up], la[gives_up]), 1.0)
        again = rechoose & ~gives_up
        r_new = _choose(cum[t, ga[again]], uniform_np(k_rc, 2 * a[again] + 1))
        leg[a[again]] = r_new
        np.add.at(day[STARTS], (ga[again], r_new), 1.0)
        nl = next_leg[la]
        goes_on = crossed & (nl >= 0) & (uniform_np(tick_key_np(seed, S.ONWARD, t), a) < onward[la, t])
        leg[a[goes_on]] = nl[goes_on]
        done = (crossed & ~goes_on) | gives_up
        active = a[~done]
    return out, n_agents
