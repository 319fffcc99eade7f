"""Crossings: an open simulator of irregular migration routes and asylum systems.

Aggregate outputs only: the model describes flows and stocks of people, never an individual.
"""

from __future__ import annotations

from crossings.api import (  # the public API (crossings.api)
    ComparisonResult,
    EnsembleResult,
    ForecastResult,
    RunResult,
    compare,
    ensemble,
    forecast,
    run,
    run_flee,
)
from crossings.core.version import __version__

__all__ = ["ComparisonResult", "EnsembleResult", "ForecastResult", "RunResult", "__version__", "compare", "ensemble",
           "forecast", "run", "run_flee"]
