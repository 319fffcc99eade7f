"""Proper scores of probabilistic forecasts given as draws (an ensemble per target month).

CRPS comes from scoringrules (Zamo & Naveau 2018 estimator, "qd"); coverage says whether the observed
value fell inside the central 50% and 90% intervals of the draws; the point forecast for MAE is the median.
"""

from __future__ import annotations

import numpy as np

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def crps(observed: float, draws: np.ndarray) -> float:
    """Continuous ranked probability score of one observation against an ensemble (lower is better).
    scoringrules is imported here, at the first score, not with this module: its import compiles its numba
    gufuncs (~7 s on the development machine), which this module never uses (backend="numpy"), and a command
    that imports the forecasting code without scoring anything (e.g. `crossings forecast`) should not wait."""
    import scoringrules as sr  # noqa: PLC0415

    return float(sr.crps_ensemble(float(observed), np.asarray(draws, dtype=float), backend="numpy"))


def inside(observed: float, draws: np.ndarray, level: float) -> bool:
    """Is the observation inside the central `level` interval of the draws (quantiles (1 -+ level) / 2)?"""
    lo, hi = np.quantile(np.asarray(draws, dtype=float), [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return bool(lo <= observed <= hi)


def pit(observed: float, draws: np.ndarray) -> float:
    """Probability integral transform: the share of draws below the observation (ties counted half). Uniform
    on [0, 1] over many forecasts when the forecasts are calibrated (the PIT histogram's test)."""
    d = np.asarray(draws, dtype=float)
    return float((np.sum(d < observed) + 0.5 * np.sum(d == observed)) / d.size)


def score(observed: float, draws: np.ndarray) -> dict[str, float]:
    """CRPS, absolute error of the median and the two coverage indicators of one forecast."""
    d = np.asarray(draws, dtype=float)
    return {"crps": crps(observed, d), "ae": float(abs(np.median(d) - observed)),
            "in_50": float(inside(observed, d, 0.5)), "in_90": float(inside(observed, d, 0.9))}


def summary(draws: np.ndarray) -> dict[str, np.ndarray]:
    """Mean and the quantiles of QUANTILES of draws (axis 0 = draws), as columns mean, p05 ... p95."""
    d = np.asarray(draws, dtype=float)
    q = np.quantile(d, QUANTILES, axis=0)
    out = {"mean": d.mean(axis=0)}
    out.update({f"p{int(round(100 * p)):02d}": q[i] for i, p in enumerate(QUANTILES)})
    return out
