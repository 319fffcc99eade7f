"""Scenario -> daily arrays: dated series, lever timing, coast choice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from crossings.runs.runner import prepare
from crossings.scenario.schema import PartnerCoastguard
from crossings.sea.model import build, dated_series, lever_weight

CM = Path(__file__).resolve().parents[1] / "scenarios" / "central_med.yaml"


def test_dated_series_interpolates_and_is_flat_outside() -> None:
    v = dated_series({dt.date(2020, 1, 1): 1.0, dt.date(2020, 1, 11): 11.0}, dt.date(2019, 12, 30), 15)
    assert v[0] == 1.0 and v[2] == 1.0 and v[7] == 6.0 and v[-1] == 11.0
    g = dated_series({dt.date(2020, 1, 1): 1.0, dt.date(2020, 1, 3): 4.0}, dt.date(2020, 1, 1), 3, log=True)
    np.testing.assert_allclose(g, [1.0, 2.0, 4.0])


def test_lever_weight_start_ramp_end() -> None:
    w = lever_weight(dt.date(2020, 1, 5), dt.date(2020, 1, 12), 4, dt.date(2020, 1, 1), 15)
    np.testing.assert_allclose(w[:4], 0.0)
    np.testing.assert_allclose(w[4:8], [0.25, 0.5, 0.75, 1.0])
    assert w[11] == 1.0 and w[12] == 0.0


def test_tunisia_deal_changes_rates_only_after_signing() -> None:
    sc = prepare(CM, start="2023-07-01", end="2024-06-30")  # past the ramp
    a = build(sc)
    t = a.routes.index("tunisia_italy")
    day = (dt.date(2023, 7, 16) - sc.start).days
    assert np.all(a.prevent[t, :day] == sc.sea_links[t].prevention)
    deal = sc.levers["tunisia_mou"]
    assert isinstance(deal, PartnerCoastguard)
    assert a.prevent[t, -1] == deal.prevention
    # choice probabilities per region sum to one
    na = a.region_of_coast == 0
    np.testing.assert_allclose(a.choice[na].sum(axis=0), 1.0)
