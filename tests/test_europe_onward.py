"""The onward leg towards the Channel (land/onward.py, calibrate/europe_onward.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.calibrate.europe_onward import Problem, fit_onward
from crossings.core.errors import InputError
from crossings.land.onward import (
    OnwardParams,
    as_values,
    hazard_daily,
    params_of,
    reach_daily,
    share_daily,
    transit,
    transit_reference,
)
from crossings.scenario.routes import load_europe

EUROPE = Path(__file__).resolve().parents[1] / "scenarios" / "europe.yaml"


def test_transit_kernel_equals_numpy_reference_and_keeps_people() -> None:
    rng = np.random.default_rng(3)
    new = rng.gamma(2.0, 50.0, 400)
    hz = rng.uniform(0.0, 0.2, 400)
    got = transit(new, hz)
    np.testing.assert_allclose(got, transit_reference(new, hz), rtol=1e-10, atol=1e-9)
    stock = new.sum() - got.sum()  # what is still in transit at the end
    assert 0.0 < stock < new.sum()
    np.testing.assert_allclose(transit(new, np.ones(400)), new)  # hazard 1: everyone arrives the same day


def test_share_takes_its_year_and_the_nearest_fitted_year_outside() -> None:
    dates = np.array(["2016-06-01", "2018-03-01", "2019-12-31", "2026-01-01"], dtype="datetime64[D]")
    s = share_daily(dates, np.array([2018, 2019]), np.array([-2.0, 0.0]))
    np.testing.assert_allclose(s, [1 / (1 + np.exp(2.0)), 1 / (1 + np.exp(2.0)), 0.5, 0.5])


def test_hazard_peaks_at_its_month_and_the_mean_stay_sets_its_level() -> None:
    dates = np.arange(np.datetime64("2021-01-01"), np.datetime64("2022-01-01"))
    h = hazard_daily(dates, 90.0, 0.8, 9.0)
    assert dates[int(np.argmax(h))].astype("datetime64[M]") == np.datetime64("2021-09")
    assert h.max() == pytest.approx(np.exp(0.8) / 90.0, rel=1e-3)


def test_params_round_trip() -> None:
    p = OnwardParams(np.array([2020, 2021]), np.array([-3.0, -2.0]), 60.0, 0.5, 8.0, 1.1)
    q = params_of(as_values(p))
    assert list(q.years) == [2020, 2021] and q.lag_days == 60.0 and q.rw_sd == pytest.approx(1.1)


def test_unknown_feeding_route_is_an_input_error(tmp_path: Path) -> None:
    text = EUROPE.read_text(encoding="utf-8").replace("from_routes: all", "from_routes: [nowhere]")
    (tmp_path / "europe.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="from_routes"):
        load_europe(tmp_path / "europe.yaml", fitted=False)


def test_fit_recovers_known_shares_from_arrivals_it_simulated() -> None:
    """Synthetic UK arrivals made by the model at known shares: the fit finds them again (identification)."""
    sc = load_europe(EUROPE)
    pb = Problem(sc, sc.fitted, dt.date(2024, 12, 31))
    truth = OnwardParams(pb.years, np.array([-5.5, -4.0, -2.5, -1.5, -1.7, -2.2, -1.8]), 90.0, 0.7, 9.0)
    pb.obs = np.round(pb.monthly(truth))
    x = pb.fit_lag(90.0).x
    np.testing.assert_allclose(x[: len(pb.years)], truth.logit, atol=0.05)


def test_leg_supplies_what_channel_yaml_fitted_as_its_regional_inflow() -> None:
    """The shares are fitted to UK arrivals, not to channel.yaml's inflow: the annual people reaching northern
    France on the leg agree with that inflow within 10% in 2019-2024 (the two fits of the same crossing)."""
    from crossings.calibrate.europe_onward import crossing_model, persons_daily
    from crossings.land.onward import feed_daily, feeding_routes

    sc = load_europe(EUROPE)
    cr = crossing_model(sc)
    dates, persons = persons_daily(sc, sc.fitted, sc.fit.start, sc.fit.end)
    reach = reach_daily(feed_daily(persons, list(sc.routes), feeding_routes(sc)), dates, params_of(sc.onward_fitted))
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    a = cr.arrays
    cyears = np.arange(np.datetime64(a.start), np.datetime64(a.start) + a.n_days).astype("datetime64[Y]").astype(int)
    ch = pd.Series(a.inflow[cr.region]).groupby(cyears + 1970).sum()
    leg = pd.Series(reach).groupby(years).sum()
    for y in range(2019, 2025):
        assert leg[y] == pytest.approx(ch[y], rel=0.10), y


def test_a_forecast_origin_fit_uses_only_earlier_months() -> None:
    sc = load_europe(EUROPE)
    res = fit_onward(sc, end=dt.date(2022, 12, 31), lags=(90.0,))
    assert res.months[-1] == "2022-12" and list(res.params.years) == [2018, 2019, 2020, 2021, 2022]
    sim = dataclasses.replace(res.params)
    assert np.isfinite(sim.logit).all() and res.params.rw_sd > 0.0


def test_forecast_draws_keep_the_fit_in_draw_zero_and_walk_after_the_last_fitted_year() -> None:
    from crossings.calibrate.europe_onward import OnwardDraws, OnwardFit
    from crossings.forecasting.drivers import standard_normals

    sc = load_europe(EUROPE)
    p = OnwardParams(np.array([2021, 2022, 2023]), np.array([-1.5, -1.6, -2.4]), 90.0, 0.8, 9.0, 1.2)
    days = np.arange(np.datetime64("2020-01-01"), np.datetime64("2024-01-01"))
    fit = OnwardFit(p, 0.0, 1.0, 36, np.diag([0.04, 0.04, 0.04]), [], [], np.zeros(0), np.zeros(0), "",
                    dt.date(2023, 12, 31), days, np.full(len(days), 500.0))
    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
    ow = OnwardDraws(sc, fit, months, 400, lambda k, n, off: standard_normals(np.uint64(k * 7919 + off), 0, n))
    assert ow.years_out == [2024, 2025]
    p0 = ow.path(0)
    np.testing.assert_allclose(p0.logit, [-1.5, -1.6, -2.4, -2.4, -2.4])
    walk = np.array([ow.path(k).logit[3] - ow.path(k).logit[2] for k in range(1, 400)])
    assert np.std(walk) == pytest.approx(1.2, rel=0.15)  # one year's step of the walk
    two = np.array([ow.path(k).logit[4] - ow.path(k).logit[2] for k in range(1, 400)])
    assert np.std(two) > np.std(walk) * 1.2  # the band widens with the horizon


def test_forecast_draws_take_the_stay_by_its_profile_weight() -> None:
    from crossings.calibrate.europe_onward import OnwardDraws, OnwardFit
    from crossings.forecasting.drivers import standard_normals

    sc = load_europe(EUROPE)
    base = OnwardParams(np.array([2022, 2023]), np.array([-1.6, -2.4]), 90.0, 0.8, 9.0, 1.0)
    long = dataclasses.replace(base, lag_days=365.0, logit=np.array([-1.5, -4.0]))
    cov = np.diag([0.01, 0.01])
    days = np.arange(np.datetime64("2021-01-01"), np.datetime64("2024-01-01"))
    fit = OnwardFit(base, 0.0, 1.0, 24, cov, [], [], np.zeros(0), np.zeros(0), "", dt.date(2023, 12, 31), days,
                    np.full(len(days), 500.0), [(0.75, base, cov), (0.25, long, cov)])
    ow = OnwardDraws(sc, fit, [f"2024-{m:02d}" for m in range(1, 13)], 400,
                     lambda k, n, off: standard_normals(np.uint64(k * 7919 + off), 0, n))
    assert ow.path(0).lag_days == 90.0
    lags = np.array([ow.path(k).lag_days for k in range(1, 400)])
    assert np.mean(lags == 365.0) == pytest.approx(0.25, abs=0.07)
