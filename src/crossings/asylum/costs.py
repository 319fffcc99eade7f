"""Costs of asylum support per person-night, hotel vs dispersed (sources in docs/levers/support_costs.md).

Accommodation rule: dispersed accommodation is filled first, contingency hotels take the overflow; so
hotels = max(0, people in support - dispersed capacity) each day.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crossings.scenario.asylum import Costs

F64 = npt.NDArray[np.float64]


def hotels(in_support: F64, dispersed_capacity: F64) -> F64:
    return np.maximum(in_support - dispersed_capacity, 0.0)


def support_cost(in_support: F64, in_hotels: F64, costs: Costs) -> F64:
    """Daily support cost: hotel nights at the hotel rate, the rest at the dispersed rate."""
    return in_hotels * costs.hotel_per_night + (in_support - in_hotels) * costs.dispersed_per_night
