"""Flee's validation error (flee/postprocessing/extract-validation-results.py), README "The error metric".

E(t) = sum_c |sim_c(t) - data_c(t)| / max(U(t), 1), U(t) = sum_c data_c(t); the rescaled variant first
scales sim_c(t) by U(t) / sum_c sim_c(t) (only where the simulated camp total is > 0). ARD = mean over days.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[np.floating] | npt.NDArray[np.integer]


def daily_errors(sim: Arr, data: Arr) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(E(t), E_rescaled(t)) for sim, data of shape [days, camps]."""
    s = np.asarray(sim, dtype=np.float64)
    d = np.asarray(data, dtype=np.float64)
    un = d.sum(axis=1)
    simtot = s.sum(axis=1)
    denom = np.maximum(un, 1.0)
    scale = np.divide(un, simtot, out=np.ones_like(un), where=simtot > 0)
    e = np.abs(s - d).sum(axis=1) / denom
    e_r = np.abs(s * scale[:, None] - d).sum(axis=1) / denom
    return e, e_r


def ard(sim: Arr, data: Arr) -> tuple[float, float]:
    """(ARD, ARD_rescaled) over all days."""
    e, e_r = daily_errors(sim, data)
    return float(e.mean()), float(e_r.mean())
