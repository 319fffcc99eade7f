"""Crossings: an open simulator of irregular migration routes and asylum systems.

Aggregate outputs only: the model describes flows and stocks of people, never an individual.
"""

from __future__ import annotations

__version__ = "0.1.0"

from crossings.api import run  # noqa: E402  (re-exported public entry point)

__all__ = ["__version__", "run"]
