"""Each ensemble member's fitted parameters drawn from a file: a Laplace covariance (*.uncertainty.yaml,
calibrate/uncertainty.py) or posterior draws (*.posterior.yaml, calibrate/bayes.py). One entry point for the
run layer, so neither module needs the other."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crossings.calibrate import bayes, uncertainty


def member_overrides(scenario: Path, seeds: list[int], overrides: Mapping[str, Any] | None,
                     file: Path | None = None) -> tuple[list[dict[str, Any]], Any]:
    """Per seed: the drawn parameters' key paths under the user's overrides, and the file's record."""
    if file is not None and file.name.endswith(".posterior.yaml"):
        return bayes.member_overrides(scenario, seeds, overrides, file)
    return uncertainty.member_overrides(scenario, seeds, overrides, file)
