"""People in asylum support beyond those waiting in a queue: the move-on period after a decision and a
stock outside the modelled queues (docs/asylum_model.md, "Support, hotels, costs").

In support on a day = supported people waiting (initial decision, appeal, third-country removal; the queue
kernel counts them) + supported people granted in the last `granted` days or finally refused in the last
`refused` days (support runs on for the statutory move-on period) + `support_outside_queues`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crossings.asylum import process
from crossings.scenario.asylum import MoveOn

F64 = npt.NDArray[np.float64]


def trailing_sum(x: F64, days: int) -> F64:
    """Sum of x over the last `days` days, today included (0 days: zeros)."""
    if days <= 0:
        return np.zeros(len(x))
    c = np.concatenate([[0.0], np.cumsum(x)])
    lo = np.maximum(np.arange(1, len(x) + 1) - days, 0)
    return c[1:] - c[lo]


def move_on_stock(flows: F64, move_on: MoveOn) -> F64:
    """People still in support after a grant or a final refusal, per day (flows: days x process.N_FLOWS)."""
    return (trailing_sum(flows[:, process.F_SUPP_GRANTED], move_on.granted)
            + trailing_sum(flows[:, process.F_SUPP_REFUSED], move_on.refused))
