"""Crossings: an open simulator of irregular migration routes and asylum systems.

Aggregate outputs only: the model describes flows and stocks of people, never an individual.
"""

from __future__ import annotations

from crossings.api import run  # re-exported public entry point
from crossings.core.version import __version__

__all__ = ["__version__", "run"]
