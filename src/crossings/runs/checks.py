"""Run-time checks on a result: finiteness always (a non-finite number is never reported silently), and,
when asked (`crossings run --check`, `run_scenario(check=True)`), conservation of people in the sea process:
every person who left a coast arrived, was intercepted or died, route by route and day by day."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crossings.core.errors import InputError
from crossings.sea.outcome import SeaOutcome


class ConservationError(AssertionError):
    """A model invariant failed: a defect in Crossings, not in the input."""


def check_finite(table: pd.DataFrame, scenario: str) -> None:
    """Refuse a result holding a non-finite or negative simulated value: it can only come from an input
    outside what the model can represent (e.g. an overflow), and must not be written as if it were a number."""
    v = table["simulated"].to_numpy(dtype=float)
    bad = ~np.isfinite(v)
    if bad.any():
        row = table.loc[bad].iloc[0]
        raise InputError(scenario, f"{row['place']}.{row['measure']}",
                         "the run produced a non-finite value: an input is outside what the model can represent")


def check_sea_conservation(sea: SeaOutcome, tol: float = 1e-6) -> None:
    for r in sea.routes:
        left = np.asarray(sea.departures[r], dtype=float)
        ended = (np.asarray(sea.arrivals[r], dtype=float) + np.asarray(sea.interceptions[r], dtype=float)
                 + np.asarray(sea.deaths[r], dtype=float))
        gap = np.abs(left - ended)
        if gap.max(initial=0.0) > tol * max(1.0, float(left.max(initial=0.0))):
            day = int(np.argmax(gap))
            raise ConservationError(f"{r}: day {day}: departures {left[day]} != arrivals + interceptions + "
                                    f"deaths {ended[day]}")
        for name in ("arrivals", "departures", "boats", "interceptions", "deaths", "prevented", "waiting"):
            x = np.asarray(getattr(sea, name)[r], dtype=float)
            if (x < -tol).any():
                raise ConservationError(f"{r}: {name} negative on day {int(np.argmax(x < -tol))}")
