"""Deterrence, honestly: departures fall only through D(q) = d_max * q**k of the *realised* q.

q is the share of recent arrivals who were actually removed to a third country or returned to origin from
offshore (optionally also those taken offshore), measured over a trailing window and lagged so that people
can learn of it. Evidence (docs/policies.md): near-total effects only where q was about 1 (Australia 2001,
2013, with turn-backs); nothing detectable where q was about 0 (UK-Rwanda; Italy-Albania 2024).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crossings.scenario.asylum import DeterrenceLever

F64 = npt.NDArray[np.float64]


def d_of_q(q: float | F64, d_max: float, k: float) -> float | F64:
    """Fall in departures for a realised transfer/removal probability q in [0, 1]."""
    return d_max * np.clip(q, 0.0, 1.0) ** k


def realised_q(removed: F64, arrivals: F64, t: int, window: int, lag: int) -> float:
    """Removed over arrivals in days [t - lag - window, t - lag); 0 before anyone has arrived."""
    hi = t - lag
    lo = max(hi - window, 0)
    if hi <= 0:
        return 0.0
    a = float(arrivals[lo:hi].sum())
    return 0.0 if a <= 0.0 else min(float(removed[lo:hi].sum()) / a, 1.0)


def multiplier(lever: DeterrenceLever | None, active: bool, q: float) -> float:
    """Departure multiplier 1 - D(q) in (0, 1]; 1 when no deterrence lever is active."""
    if lever is None or not active:
        return 1.0
    return float(max(1.0 - d_of_q(q, lever.d_max, lever.k), 1e-9))
