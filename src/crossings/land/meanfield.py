"""Expected-value version of the route system: the kernel's phases with expected flows.

Every probability depends on the date, group and leg only, so the agent model is linear in its stocks
and these daily expected flows are exact expectations of kernel.land_kernel (tested). Used by the fit
(calibrate/europe.py), where it is thousands of times cheaper than the agent run.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crossings.land.kernel import CROSSED, DET, GAVE_UP, N_OUT, PUSHED, STARTS


@nb.njit(cache=True)
def mean_field(move, prob, p_out, attempt, detect, pushback, retry, count_pushed, next_leg, onward):
    G, T = move.shape
    R = prob.shape[2]
    out = np.zeros((N_OUT, G, R, T))
    W = np.zeros((G, R))  # people waiting at each leg's border
    on = np.zeros((G, R))
    for t in range(T):
        for g in range(G):
            for r in range(R):
                came = move[g, t] * prob[t, g, r]
                W[g, r] += came
                out[STARTS, g, r, t] += came
        on[:, :] = 0.0
        for g in range(G):
            back = 0.0
            for lg in range(R):
                tries = attempt[lg, t] * W[g, lg]
                det = detect[lg, t] * tries
                pushed = pushback[lg, t] * det
                crossed = tries - pushed
                out[PUSHED, g, lg, t] = pushed
                out[DET, g, lg, t] = det if count_pushed[lg] else det - pushed
                out[CROSSED, g, lg, t] = crossed
                again = (1.0 - retry[lg]) * pushed
                W[g, lg] -= crossed + again
                back += again
                out[GAVE_UP, g, lg, t] = again * p_out[g, t]
                nl = next_leg[lg]
                if nl >= 0:
                    on[g, nl] += crossed * onward[lg, t]
            rest = back * (1.0 - p_out[g, t])
            for r in range(R):
                W[g, r] += on[g, r] + rest * prob[t, g, r]
                out[STARTS, g, r, t] += rest * prob[t, g, r]
    return out
