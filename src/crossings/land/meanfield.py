"""Expected-value version of the route system: the kernel's phases with expected flows.

Every probability depends on the date, group and leg only, so the agent model is linear in its stocks
and these daily expected flows are exact expectations of kernel.land_kernel (tested). Used by the fit
(calibrate/europe.py), where it is thousands of times cheaper than the agent run.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crossings.land.kernel import CROSSED, DET, GAVE_UP, N_OUT, PUSHED, STARTS


def mean_field(move, prob, lr):
    """Expected flows, shaped (measure, group, route, day) like the kernel's (a view of a day-major array);
    lr: the route arrays by name (land/bundles.LandRoutes)."""
    out = _mean_field(move, prob, lr)
    return out.transpose(1, 2, 3, 0)


@nb.njit(cache=True)
def _mean_field(move, prob, lr):
    p_out, attempt, detect, pushback, retry = lr.p_out, lr.attempt, lr.detect, lr.pushback, lr.retry
    count_pushed, next_leg, onward = lr.count_pushed, lr.next_leg, lr.onward
    G, T = move.shape
    R = prob.shape[2]
    out = np.zeros((T, N_OUT, G, R))  # day-major: each day's writes are contiguous
    W = np.zeros((G, R))  # people waiting at each leg's border
    on = np.zeros((G, R))
    for t in range(T):
        for g in range(G):
            for r in range(R):
                came = move[g, t] * prob[t, g, r]
                W[g, r] += came
                out[t, STARTS, g, r] += came
        on[:, :] = 0.0
        for g in range(G):
            back = 0.0
            for lg in range(R):
                tries = attempt[lg, t] * W[g, lg]
                det = detect[lg, t] * tries
                pushed = pushback[lg, t] * det
                crossed = tries - pushed
                out[t, PUSHED, g, lg] = pushed
                out[t, DET, g, lg] = det if count_pushed[lg] else det - pushed
                out[t, CROSSED, g, lg] = crossed
                again = (1.0 - retry[lg]) * pushed
                W[g, lg] -= crossed + again
                back += again
                out[t, GAVE_UP, g, lg] = again * p_out[g, t]
                nl = next_leg[lg]
                if nl >= 0:
                    on[g, nl] += crossed * onward[lg, t]
            rest = back * (1.0 - p_out[g, t])
            for r in range(R):
                W[g, r] += on[g, r] + rest * prob[t, g, r]
                out[t, STARTS, g, r] += rest * prob[t, g, r]
    return out
