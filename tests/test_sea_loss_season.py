"""A season in people lost per incident (deaths.loss_season_amplitude, one loss table per calendar month): numba ==
numpy with it; the tables follow loss_mu_by_month; the agent mean matches the mean-field by season; the fit's
month-by-month likelihood equals the one-law likelihood when the months share one law."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.runs.runner import prepare
from crossings.sea.deaths import loss_cdf, loss_mu_by_month
from crossings.sea.kernel import DEATHS, INCIDENTS
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays
from test_sea_deaths import CM, ROUTES, _assert_engines_equal_with_deaths, lumpy


def seasonal(amp: float, peak: float = 2.0, size_sigma: float = 0.0, mu: float = 1.0, incident: float = 0.2,
             start_amp: float = 0.5) -> dict[str, object]:
    over = lumpy(mu, 1.2, incident, start_amp)
    for r in ROUTES:
        over[f"sea_links.{r}.deaths"] = {**over[f"sea_links.{r}.deaths"],  # type: ignore[dict-item]
                                         "loss_season_amplitude": amp, "loss_season_peak_month": peak}
        over[f"sea_links.{r}.people_per_boat.size_sigma"] = size_sigma
    return over


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**31), amp=st.floats(-2.0, 2.0), peak=st.floats(1.0, 12.9),
       size_sigma=st.sampled_from([0.0, 1.2]))
def test_numba_equals_numpy_with_a_loss_season(seed: int, amp: float, peak: float, size_sigma: float) -> None:
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=seasonal(amp, peak, size_sigma, 2.0, 0.6)))
    _assert_engines_equal_with_deaths(a, seed)


def test_one_table_per_calendar_month() -> None:
    a = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=seasonal(1.0, 2.0)))
    assert a.loss_cdf.shape[1] == 12
    mus = loss_mu_by_month(1.0, 1.0, 2.0)
    assert mus.argmax() == 0 and mus[0] == pytest.approx(1.0 + np.cos(2 * np.pi * 0.5 / 12))  # January's middle
    np.testing.assert_array_equal(a.loss_cdf[0, 6], loss_cdf(float(mus[6]), 1.2))
    days = pd.date_range("2023-01-01", "2023-12-31")
    np.testing.assert_array_equal(a.loss_table, days.month.to_numpy() - 1)
    b = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=seasonal(0.0)))
    assert b.loss_cdf.shape[1] == 1 and not b.loss_table.any()  # no season: one table, as before


def test_agent_mean_matches_mean_field_with_a_loss_season() -> None:
    """Winter (Dec-Mar) and summer (Jun-Sep) deaths per incident follow the tables, agents and mean-field alike."""
    a = build(prepare(CM, start="2023-01-01", end="2023-12-31",
                      overrides=seasonal(1.5, 1.5, 1.0, 2.0, 0.05, start_amp=0.0)))
    month = pd.date_range("2023-01-01", "2023-12-31").month.to_numpy()
    winter, summer = np.isin(month, [12, 1, 2, 3]), np.isin(month, [6, 7, 8, 9])
    mf = run_arrays(a, 0, engine="meanfield")
    sims = [run_arrays(a, s) for s in range(1, 31)]
    for sel in (winter, summer):
        d = np.array([o[DEATHS][:, sel].sum() for o in sims])
        se = d.std(ddof=1) / np.sqrt(d.size)
        assert abs(d.mean() - mf[DEATHS][:, sel].sum()) < 4 * se + 0.05 * mf[DEATHS][:, sel].sum()
    per = [mf[DEATHS][:, s].sum() / mf[INCIDENTS][:, s].sum() for s in (winter, summer)]
    assert per[0] > 1.5 * per[1]  # winter wrecks lose more people


def test_month_by_month_likelihood_equals_the_one_law_likelihood() -> None:
    from crossings.calibrate import deaths as D

    rng = np.random.default_rng(2)
    n = rng.integers(1, 9, size=30)
    dsum = np.array([int(rng.integers(k, 12 * k + 1)) for k in n])
    cm = rng.integers(0, 12, size=30)
    th = np.array([0.5, np.log(1.4), np.log(1.0)])
    p = np.r_[0.0, D.sized_pmf(0.5, 1.4, 30.0, 1.0)]
    one = D._nll_sums(th, n, dsum, None, 30.0)
    assert D._nll_sums_by_month(np.tile(p, (12, 1)), n, dsum, cm) == pytest.approx(one, rel=1e-9)
