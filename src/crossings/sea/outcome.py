"""What the sea simulation hands on (to the runner's tables and to the asylum part)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

MEASURES = ("arrivals", "departures", "boats", "interceptions", "deaths", "prevented", "safe_route")
STOCKS = ("waiting",)


@dataclass
class SeaOutcome:
    """Per-route daily float64 arrays of length n_days (people, except `boats`)."""

    start: dt.date
    n_days: int
    routes: list[str]
    destination_of_route: dict[str, str]
    arrivals: dict[str, np.ndarray] = field(default_factory=dict)
    departures: dict[str, np.ndarray] = field(default_factory=dict)  # left the coast: arrived+intercepted+dead
    boats: dict[str, np.ndarray] = field(default_factory=dict)
    interceptions: dict[str, np.ndarray] = field(default_factory=dict)
    deaths: dict[str, np.ndarray] = field(default_factory=dict)
    rescued_by_destination: dict[str, np.ndarray] = field(default_factory=dict)
    prevented: dict[str, np.ndarray] = field(default_factory=dict)  # stopped on land before departure
    waiting: dict[str, np.ndarray] = field(default_factory=dict)  # stock at the coast, end of day
    safe_route: dict[str, np.ndarray] = field(default_factory=dict)  # took a safe-route place instead of a boat
