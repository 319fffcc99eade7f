"""Test-suite settings: hypothesis without per-example deadlines (CI and development machines are shared and
their timings vary; speed is shown by benchmark scripts, never by timed tests)."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("crossings", deadline=None)
settings.load_profile("crossings")
