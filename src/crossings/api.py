"""The Python API: `crossings.run(...)` with the same power as the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run(scenario: str | Path, **kwargs: Any) -> Any:
    """Run a scenario and return its results (pandas DataFrames).

    A directory in Flee's format runs the conflict-displacement engine (`crossings.flee.api.run_case`);
    a YAML file runs a Crossings scenario (`crossings.run.runner.run_scenario`).
    """
    path = Path(scenario)
    if path.is_dir():
        from crossings.flee.api import run_case

        return run_case(path, **kwargs)
    from crossings.run.runner import run_scenario

    return run_scenario(path, **kwargs)
