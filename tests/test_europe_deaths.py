"""Deaths on the route system (land/deaths.py, calibrate/europe_deaths.py): the process, its fit, its outputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from crossings.calibrate.europe_deaths import fit_deaths, fit_route
from crossings.core.rng import tick_key, uniform_np
from crossings.land.deaths import gamma_mean_one, monthly_deaths, observed_annual
from crossings.scenario.routes import load_europe

SCEN = Path(__file__).resolve().parents[1] / "scenarios" / "europe.yaml"
WITH_DATA = {"eastern_mediterranean", "western_balkans", "central_mediterranean", "western_mediterranean",
             "western_african"}


def test_gamma_year_factor_has_mean_one_and_variance_phi() -> None:
    u = uniform_np(tick_key(3, 69, 0), np.arange(200_000))
    for phi in (0.05, 0.4, 1.5):
        z = gamma_mean_one(u, np.full(u.size, phi))
        assert abs(z.mean() - 1.0) < 0.02 and abs(z.var() / phi - 1.0) < 0.06, (phi, z.mean(), z.var())
    assert (gamma_mean_one(u[:10], np.zeros(10)) == 1.0).all()
    assert np.isnan(gamma_mean_one(u[:3], np.full(3, np.nan))).all()


def test_negative_binomial_fit_recovers_rate_and_year_variance() -> None:
    """Simulated years (attempts x rate x Gamma year factor, Poisson) -> the fit finds rate and phi again."""
    rng = np.random.default_rng(11)
    n = 400
    a = rng.uniform(5e3, 2e5, n)
    rate, phi = 0.02, 0.3
    d = rng.poisson(a * rate * rng.gamma(1.0 / phi, phi, n))
    f = fit_route(a, d, list(range(n)))
    sd = np.sqrt(np.diag(f.cov))
    assert abs(np.log(f.rate / rate)) < 3 * sd[0] and abs(np.log(f.dispersion / phi)) < 3 * sd[1]
    assert sd[0] < 0.1 and sd[1] < 0.2  # 400 years pin both


def test_monthly_deaths_are_seeded_and_average_to_attempts_times_rate() -> None:
    months = np.arange(np.datetime64("2018-01"), np.datetime64("2020-01"))
    att = np.vstack([np.full(months.size, 3000.0), np.full(months.size, 500.0)])
    rate, disp = np.array([0.01, np.nan]), np.array([0.2, np.nan])
    a = monthly_deaths(1, att, months, rate, disp)
    assert np.array_equal(a, monthly_deaths(1, att, months, rate, disp), equal_nan=True)
    assert not np.array_equal(a[0], monthly_deaths(2, att, months, rate, disp)[0])
    assert np.isnan(a[1]).all()  # no rate, no deaths
    tot = np.array([monthly_deaths(s, att, months, rate, disp)[0].sum() for s in range(300)])
    expected = 3000.0 * 0.01 * months.size
    # mean over seeds: the year factor's mean is 1 (sd of the mean: sqrt(phi / 2 years / 300 seeds) ~ 2%)
    assert abs(tot.mean() / expected - 1.0) < 0.08
    # a year's months share one factor: years scatter by about sqrt(phi), far more than Poisson alone
    assert tot.std() / expected > 0.2


def test_fit_uses_only_the_window_and_no_rate_without_data() -> None:
    sc = load_europe(SCEN)
    early = fit_deaths(sc, sc.fitted, dt.date(2014, 1, 1), dt.date(2016, 12, 31))
    full = fit_deaths(sc, sc.fitted, sc.fit.start, sc.fit.end)
    assert set(early) == set(full) == WITH_DATA
    assert all(f.years == (2014, 2015, 2016) for f in early.values())
    assert all(f.years == tuple(range(2014, 2025)) for f in full.values())
    assert set(observed_annual(sc).index) == WITH_DATA
    for f in full.values():
        assert 1e-4 < f.rate < 0.5 and 0.0 < f.dispersion < 10.0
    # the Atlantic is the deadliest route per attempt, the Western Balkans the least deadly (MMP / Frontex)
    assert max(full, key=lambda r: full[r].rate) == "western_african"
    assert min(full, key=lambda r: full[r].rate) == "western_balkans"


def test_route_system_run_writes_deaths_for_routes_with_data_only() -> None:
    from crossings.runs.route_system import run_route_system

    r = run_route_system(SCEN, seed=1, start="2023-01-01", end="2024-12-31")
    d = r.monthly[r.monthly.measure == "deaths"]
    assert set(d.place) == WITH_DATA and (d.unit == "people").all() and (d.simulated >= 0).all()
    assert d.simulated.sum() > 0
    ad = r.summary["annual_deaths"]
    assert ad["central_mediterranean"]["2024"]["observed"] == 1810.0
    assert set(r.manifest["deaths"]) == WITH_DATA


def test_forecast_deaths_rows_carry_bands_and_the_mmp_count() -> None:
    """The Europe forecast's annual deaths: routes with an MMP series only, p05 <= p50 <= p95, observed = MMP."""
    from crossings.forecasting.europe_forecast import draws, origin_fit, tables

    sc = load_europe(SCEN)
    origin = dt.date(2024, 1, 1)
    res, _ = origin_fit(SCEN, sc, origin)
    months, x = draws(sc, res, origin, 12, 20, seed=3)
    _, annual = tables(sc, months, x)
    d = annual[annual.measure == "deaths"].set_index("place")
    assert set(d.index) == WITH_DATA and (d.unit == "people").all()
    assert (d.p05 <= d.p50).all() and (d.p50 <= d.p95).all() and (d.p05 < d.p95).all()
    ob = observed_annual(sc)
    for r in WITH_DATA:
        assert d.loc[r, "observed"] == ob.loc[r, 2024]
    assert np.isnan(x[:, 2, list(sc.routes).index("eastern_borders")]).all()
