"""Mean-field (expected-value) version of the sea process: the same phases with expected flows.

Boats launch full (kernel.py): on a good day only floor(W / size) boats of `size` people can go, so
the people short of a full boat wait. The mean-field takes the expected shortfall as (size - 1) / 2
people per coast (the remainder of W / size, taken as uniform), i.e. launches from max(0, W - (size-1)/2).
With sizes drawn per boat (coefficient of variation cv) the expected shortfall is the renewal
theory one, (size (1 + cv^2) - 1) / 2 (the same formula at cv = 0). With one person per boat this is exact: the agent model is then linear in the waiting stock (every
probability depends on the date only) and its expected daily flows equal these. Interception capacity
makes it non-linear; the mean-field uses the expected boats of a window day. A launch capacity (boats a
window day) caps the people launched on a window day at capacity x the date's mean boat size. Used by the fitting
procedure, where it is thousands of times cheaper than the agent run.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crossings.sea.kernel import (
    ARR,
    BOATS,
    DEATHS,
    DEP,
    INCIDENTS,
    INT,
    N_OUT,
    PREV,
    SAFE_OUT,
    WAIT,
    traffic_chance,
)


@nb.njit(cache=True, inline="always")
def capacity_share(mean_boats, capacity, var_ratio):
    """The patrols' interception chance as a share of the uncapped one on a window day: min(1, capacity / N)
    averaged over the day's boat count N >= 1 (the day's people do not depend on N, so the people-weighted
    mean is the plain one). Where the count's variance exceeds its mean (var_ratio > 1: heavy-tailed boat
    sizes), N is negative binomial with that variance; renewal theory gives var_ratio = q cv^2 + 1 - q for
    boats of size coefficient of variation cv, each leaving with chance q. Otherwise (one size, or cv <= 1) the
    expected boats, min(1, capacity / mean), as the agents' count is then close to its mean."""
    if var_ratio <= 1.0 or capacity == np.inf:  # no patrol capacity: min(1, inf / N) = 1 for every N
        return min(1.0, capacity / mean_boats)
    p = 1.0 / var_ratio
    r = mean_boats * p / (1.0 - p)
    pk = p ** r  # P(N = 0)
    if pk <= 0.0:  # thousands of boats a day: the count is close to its mean
        return min(1.0, capacity / mean_boats)
    rest = 1.0 - pk  # P(N >= 1)
    acc = 0.0
    mass = 0.0
    k = 0
    while mass < rest * (1.0 - 1e-12) and k < 1_000_000:
        pk *= (k + r) / (k + 1) * (1.0 - p)  # P(N = k + 1) from P(N = k)
        k += 1
        mass += pk
        acc += pk * min(1.0, capacity / k)
    return acc / mass if mass > 0.0 else min(1.0, capacity / mean_boats)


@nb.njit(cache=True)
def mean_field(means, routes):
    """Expected flows out[N_OUT, C, T] for the expected draws (bundles.SeaMeans) on a scenario's routes
    (bundles.SeaRoutes)."""
    inflow, p_good, launch = means.inflow, means.p_good, means.launch
    region_of_coast, choice, keep, safe_share, safe_cap = (routes.region_of_coast, routes.choice, routes.keep,
                                                           routes.safe_share, routes.safe_cap)
    launch_cap, prevent, intercept, capacity = routes.launch_cap, routes.prevent, routes.intercept, routes.capacity
    lethality, ppb, boat_size, boat_cv = routes.lethality, routes.ppb, routes.boat_size, routes.boat_cv
    group, incident = routes.traffic_group, routes.incident  # the traffic factor's (traffic_chance)
    reference, elasticity = routes.traffic_reference, routes.traffic_elasticity
    ret = routes.ret  # people returned after a stop rejoin the waiting stock (detained and given up leave it)
    C, T = choice.shape
    out = np.zeros((N_OUT, C, T))
    W = np.zeros(C)
    back = np.zeros(region_of_coast.max() + 1)  # people returned after a stop today, by region
    for t in range(T):
        back[:] = 0.0
        for c in range(C):
            came = inflow[region_of_coast[c], t] * choice[c, t] * keep[c, t]
            # safe route: the eligible expected, up to the day's places (min of expectations: the agent
            # model's E[min(eligible, places)] is a little lower when the two are close)
            safe = min(came * safe_share[c, t], safe_cap[c, t])
            out[SAFE_OUT, c, t] = safe
            W[c] += came - safe
            ready = max(0.0, W[c] - 0.5 * (boat_size[c, t] * (1.0 + boat_cv[c] ** 2) - 1))  # people in full boats, expected
            # a window day launches at most launch_cap boats of the date's mean size
            tries = p_good[c, t] * min(launch[c, t] * ready, launch_cap[c, t] * ppb[c, t])
            stop = prevent[c, t] * tries
            dep = tries - stop
            # capacity binds on window days, when the boats go: boats on such a day = dep / p_good / ppb, a
            # count that varies from day to day as much as the boats' sizes make it (capacity_share)
            pint = intercept[c, t]
            if dep > 0.0 and p_good[c, t] > 0.0:
                boats_good = max(1.0, dep / p_good[c, t] / ppb[c, t])
                q = launch[c, t] * (1.0 - prevent[c, t])
                pint *= capacity_share(boats_good, capacity[c, t], q * boat_cv[c] ** 2 + 1.0 - q)
            caught = pint * dep
            inc = traffic_chance(t, c, group, incident, ppb, reference, elasticity, out)  # the incident chance with the traffic factor
            dead = (dep - caught) * inc * lethality[c, t]
            W[c] -= tries
            back[region_of_coast[c]] += ret[c] * (stop + caught)
            out[PREV, c, t] = stop
            out[DEP, c, t] = dep
            out[INT, c, t] = caught
            out[DEATHS, c, t] = dead
            out[ARR, c, t] = dep - caught - dead
            out[BOATS, c, t] = dep / ppb[c, t]
            out[INCIDENTS, c, t] = (dep - caught) / ppb[c, t] * inc  # fatal incidents, expected
        for c in range(C):  # returned people choose a coast of their region again
            W[c] += back[region_of_coast[c]] * choice[c, t]
            out[WAIT, c, t] = W[c]
    return out
