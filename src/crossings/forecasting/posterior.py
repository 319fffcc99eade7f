"""Posterior parameter draws in a forecast: each forecast draw runs the mechanism at one posterior draw.

The posterior file (calibrate/bayes.py, e.g. scenarios/channel.posterior.yaml) was sampled on the fitted file's
window. It conditions on every month in that window, so it is used only for a forecast from an origin after the
window's end; from an origin inside it the posterior would carry data after the origin (leakage), and the
forecast keeps the point estimate at the origin (forecasting/origin.py). A back-test would need one posterior per
origin: not built (docs/forecasting.md).

Forecast draw d takes posterior draw number floor(u x n_draws), u from calibrate.bayes's counter-based stream keyed
by the member seed `seed * SEED_STRIDE + d` (calibrate.bayes.member_overrides: the same file checks as an
ensemble: the draws belong to the fitted file the scenario reads). The latent driver is estimated once, against the
shipped fit's mechanism; its path and noise multiply each draw's own mechanism.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crossings.core.errors import InputError
from crossings.scenario.load import fitted_path, read_yaml
from crossings.sea.model import SeaArrays, build

SEED_STRIDE = 1_000_003  # member seeds of one forecast: seed * SEED_STRIDE + draw (distinct across draws)


def default_file(path: Path) -> Path | None:
    """<scenario>.posterior.yaml beside the scenario, if there is one."""
    f = path.with_name(path.name.removesuffix(".yaml") + ".posterior.yaml")
    return f if f.exists() else None


def _posterior_file(file: Path) -> dict[str, Any]:
    """The posterior file's contents, parsed once for the checks below and the draws (calibrate.bayes.read_file)."""
    from crossings.calibrate.bayes import read_file

    return read_file(file)


def window_end(file: Path) -> dt.date:
    return dt.date.fromisoformat(str(_posterior_file(file)["fit_window"]["end"]))


def assumption(file: Path) -> str | None:
    """What the posterior holds fixed (calibrate.bayes --hold), for the forecast's manifest."""
    a = _posterior_file(file).get("assumption")
    return str(a) if a else None


def mismatch(path: Path, file: Path) -> str | None:
    """Why the posterior does not belong to the fitted file the scenario reads (None: it does)."""
    from crossings.calibrate.bayes import fitted_mismatch

    return fitted_mismatch(_posterior_file(file), fitted_path(path, read_yaml(path)))


def usable(path: Path, file: Path, origin: dt.date) -> str | None:
    """None when the posterior conditions on data before the origin only and belongs to the scenario's fitted
    file; else why not."""
    if window_end(file) >= origin:
        return (f"sampled on data to {window_end(file)}, after the origin (leakage)")
    return mismatch(path, file)


def check(path: Path, file: Path, origin: dt.date) -> None:
    if not file.is_file():
        raise InputError("--posterior", str(file), "no such file")
    end = window_end(file)
    if end >= origin:
        raise InputError(str(file), "fit_window", f"sampled on data to {end}: a forecast from {origin} would use "
                         "data after its origin; give --from after the window or no --posterior")
    why = mismatch(path, file)
    if why:
        raise InputError(str(file), "fitted_file", why)


def draw_values(path: Path, file: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """Key-path values of the posterior draw of each forecast draw 0..n-1."""
    from crossings.calibrate.draws import member_overrides

    per, _ = member_overrides(path, [seed * SEED_STRIDE + d for d in range(n)], None, file)
    return per


def arrays_per_draw(path: Path, values: list[dict[str, Any]], end: dt.date,
                    baseline: bool = False) -> Callable[[int], SeaArrays]:
    """Draw d -> the mechanism's arrays at draw d's parameters (built when asked: 1,000 at once would not fit)."""
    from crossings.forecasting.engine import scenario_at

    def arrays(d: int) -> SeaArrays:
        return build(scenario_at(path, None, end, baseline, values[d]))

    return arrays
