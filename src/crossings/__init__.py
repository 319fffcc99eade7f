"""Crossings: an open simulator of irregular migration routes and asylum systems.

Aggregate outputs only: the model describes flows and stocks of people, never an individual.
"""

from __future__ import annotations

# The subpackages crossings.run and crossings.forecast are loaded first: a package's first import binds it as an
# attribute of its parent, which would otherwise replace the functions run and forecast below as soon as any
# module imported crossings.run.* or crossings.forecast.* (both __init__ files are light).
import crossings.forecast as _forecast_package  # noqa: F401
import crossings.run as _run_package  # noqa: F401
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
