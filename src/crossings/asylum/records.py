"""One destination's per-day records of an asylum run (what the simulation writes and the tables read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from crossings.scenario.levers.base import LeverOutput

F64 = npt.NDArray[np.float64]


@dataclass
class DestinationRecord:
    """Per-day records of one destination (preallocated n_days x ...)."""

    flows: F64
    stocks: F64
    arrivals: F64
    q: F64
    mult: F64
    cost: dict[str, F64]
    aboard: F64  # offshore candidates held on the ship at the end of each day (ship mode), not yet claimants
    after_data: dict[str, Any] = field(default_factory=dict)  # the rule and the inputs it extended
    safe_claims: F64 | None = None  # claims by people who came by a safe route (sea lever), per day
    levers: list[LeverOutput] = field(default_factory=list)  # what levers with an arrivals hook report
