"""The daily loop of a destination where no lever acts inside the loop (no deterrence, offshore, third-country
removal or arrivals hook), as one numba call instead of one Python iteration per day.

It is simulate._run_destination's loop with those branches at their no-lever values, step for step: the same
keys, the same draws in the same order, the same queue kernel (process.step_day), so the same flows and stocks
(tests/test_asylum_plain_loop.py runs both on the same inputs). A forecast's or back-test's UK draw is such a run:
the Python loop cost ~70 us a day (eight years of days a draw) in calls into numba, not in the work.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crossings.asylum import process as pr
from crossings.asylum import results as res
from crossings.core import rng

N_MAIN, N_OFF_CAND, N_THIRD = pr.N_MAIN, pr.N_OFF_CAND, pr.N_THIRD


@nb.njit(cache=True)
def run_days(P, keys, routing_keys, sea_arr, share, safe_arr, safe_share, other_n, state, entry, supp, queues,
             qh, qt, qsupp, n, credit, flows, stocks, arrivals, safe_claims):
    """Every day of the run (fills flows, stocks, arrivals, safe_claims); returns -1, or the first day on which
    the day's new claims would not fit into the preallocated agents (nothing of that day done)."""
    newc = np.zeros(3, dtype=np.int64)
    cap = state.shape[0]
    for t in range(P.shape[0]):
        rkey = routing_keys[t]
        base = int(round(sea_arr[t]))
        arrivals[t] = base
        claim = rng.binomial(rkey, 0, base, share[t])
        n_safe = rng.binomial(rkey, 4, int(round(safe_arr[t])), safe_share)
        safe_claims[t] = n_safe
        newc[N_MAIN] = claim + other_n[t] + n_safe
        newc[N_OFF_CAND] = 0
        newc[N_THIRD] = 0
        if n[0] + newc[0] + newc[1] + newc[2] > cap:
            return t
        pr.step_day(t, P[t], newc, keys[t], state, entry, supp, queues, qh, qt, qsupp, n, credit, flows[t])
        res.stock_row(qh, qt, qsupp, stocks[t])
    return -1
