"""inflows.arrivals_from: the sea model's arrivals, the observed series, or the observed series while it
lasts and the sea model after it (a replay, then a forecast)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from crossings.asylum import inputs
from crossings.asylum.simulate import run_asylum
from crossings.core.errors import InputError
from crossings.scenario.asylum import parse_asylum

STEM = "italy_sea_arrivals_daily_unhcr"
START = dt.date(2024, 12, 1)  # the UNHCR series ends on 2024-12-31
N = 62


def _sea(daily: float) -> SimpleNamespace:
    arr = np.full(N, daily)
    return SimpleNamespace(start=START, n_days=N, routes=["r1"], destination_of_route={"r1": "land"},
                           arrivals={"r1": arr}, departures={"r1": arr}, boats={"r1": arr / 40},
                           interceptions={"r1": 0 * arr}, deaths={"r1": 0 * arr}, rescued_by_destination={})


def _cfg(mode: str | None) -> object:
    inflows: dict[str, object] = {"observed_arrivals": STEM}
    if mode is not None:
        inflows["arrivals_from"] = mode
    return parse_asylum({"destinations": {"land": {"decision_capacity": 100.0, "grant_rate": 0.5,
                                                   "inflows": inflows}}})


def _arrivals(mode: str | None) -> np.ndarray:
    out = run_asylum(_cfg(mode), _sea(7.0), seed=1).daily  # type: ignore[arg-type]
    x = out[(out["place"] == "land") & (out["measure"] == "sea_arrivals")].sort_values("date")
    return x["simulated"].to_numpy()


def test_observed_then_sea_replays_the_data_then_takes_the_sea_model() -> None:
    obs, covered = inputs.observed_arrivals_covered(STEM, START, N)
    assert covered[:31].all() and not covered[31:].any()
    got = _arrivals("observed_then_sea")
    np.testing.assert_array_equal(got[:31], obs[:31])
    np.testing.assert_array_equal(got[31:], np.full(N - 31, 7.0))


def test_default_uses_the_sea_model_when_a_route_lands_here() -> None:
    np.testing.assert_array_equal(_arrivals(None), np.full(N, 7.0))


def test_observed_everywhere_fails_clearly_beyond_the_data() -> None:
    with pytest.raises(InputError, match="covers .* not the run's"):
        _arrivals("observed")


def test_a_mode_other_than_sea_needs_a_series() -> None:
    with pytest.raises(InputError, match="arrivals_from"):
        parse_asylum({"destinations": {"land": {"inflows": {"arrivals_from": "observed_then_sea"}}}})
