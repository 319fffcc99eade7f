"""`crossings forecast scenarios/europe.yaml`: route forecasts conditioned on data before the origin."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.calibrate.europe import laplace, lever_prior, problem
from crossings.cli import main
from crossings.forecasting.europe_forecast import draws, known_at, origin_fit
from crossings.scenario.routes import load_europe

SCEN = Path(__file__).resolve().parents[1] / "scenarios" / "europe.yaml"


def test_forecast_writes_bands_observed_manifest_and_fan_charts(tmp_path: Path) -> None:
    out = tmp_path / "fc"
    rc = main(["forecast", str(SCEN), "--from", "2025-01-01", "--horizon", "3", "--draws", "20", "--out", str(out),
               "--no-parquet"])
    assert rc == 0
    m = pd.read_csv(out / "forecast_monthly.csv")
    sc = load_europe(SCEN)
    onward = m.place == "northern_france"  # the onward leg towards the Channel (calibrate/europe_onward.py)
    assert set(m[onward].measure) == {"onward_persons"} and (m[onward].p05 < m[onward].p95).all()
    m = m[~onward]
    assert set(m.place) == set(sc.routes) and set(m.measure) == {"detections", "persons", "deaths"}
    assert sorted(m.month.unique()) == ["2025-01", "2025-02", "2025-03"]
    assert (m.p05 <= m.p50).all() and (m.p50 <= m.p95).all() and (m.p05 < m.p95).any()
    a = pd.read_csv(out / "forecast_annual.csv")
    assert set(a.year) == {2025} and (a.months == 3).all()
    det = m[m.measure == "detections"].groupby("place").p50.sum()
    assert (det > 0).all()
    man = json.loads((out / "manifest.json").read_text())
    assert man["forecast"]["origin"] == "2025-01-01"
    assert man["forecast"]["fit_window"].endswith("2024-12-31")
    assert all((out / f"fan_{r}.svg").read_text().startswith("<?xml") for r in sc.routes)


def test_bad_origin_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["forecast", str(SCEN), "--from", "2024-01-15", "--draws", "20", "--out", str(tmp_path / "x")])
    assert rc == 2
    assert not (tmp_path / "x").exists()
    assert "first day of a month" in capsys.readouterr().err


def test_origin_inside_the_data_refits_on_earlier_months_only() -> None:
    sc = load_europe(SCEN)
    origin = dt.date(2020, 1, 1)
    res, source = origin_fit(SCEN, sc, origin, max_nfev=1)
    assert res.problem.end == dt.date(2019, 12, 31)
    assert str(res.problem.obs.months[-1]) == "2019-12"
    assert not any(n.endswith(".2020") for n in res.names)
    assert "refitted" in source
    # levers from the origin on are unknown there: greek_pushbacks starts 2020-03-01
    assert not known_at(sc, origin).levers["greek_pushbacks"].enabled
    assert known_at(sc, origin).levers["morocco_cooperation"].enabled


def test_same_seed_same_draws_and_draws_differ() -> None:
    sc = load_europe(SCEN)
    res = laplace(sc)
    months, a = draws(sc, res, dt.date(2025, 1, 1), 2, 3, seed=5)
    _, b = draws(sc, res, dt.date(2025, 1, 1), 2, 3, seed=5)
    _, c = draws(sc, res, dt.date(2025, 1, 1), 2, 3, seed=6)
    assert months == ["2025-01", "2025-02"]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[1:], c[1:], equal_nan=True)  # deaths are NaN on routes without an MMP series


def test_lever_prior_spans_the_published_fall_and_enters_the_fit() -> None:
    m, s = lever_prior("eu_turkey_statement")  # published fall up to 97% (R18, R19, R21)
    np.testing.assert_allclose([m - 1.645 * s, m + 1.645 * s], [np.log(0.03), 0.0], atol=1e-9)
    assert lever_prior("hungary_fence") == (0.0, 2.0)  # no published figure: the weak prior
    sc = load_europe(SCEN, fitted=False)
    p = problem(sc, dt.date(2015, 1, 1), dt.date(2017, 12, 31), fixed={"outside": 1.5})
    j = p.names.index("lever.eu_turkey_statement.utility")
    assert p.prior_mean[j] == pytest.approx(m) and p.prior_sd[j] == pytest.approx(s)
    assert "outside" not in p.names and p.params(p.x0)["outside"] == 1.5


def test_laplace_covariance_is_symmetric_and_keeps_the_lever_shock_tradeoff() -> None:
    sc = load_europe(SCEN)
    res = laplace(sc)
    np.testing.assert_allclose(res.cov, res.cov.T, atol=1e-10)
    w = np.linalg.eigvalsh(0.5 * (res.cov + res.cov.T))
    assert w.min() > -1e-8 * w.max()
    i = res.names.index("lever.eu_turkey_statement.utility")
    sd = np.sqrt(np.diag(res.cov))
    assert 0.0 < sd[i] < lever_prior("eu_turkey_statement")[1]  # the data inform the lever beyond its prior
    # the lever and the route's level in the years around it are estimated together: correlated draws
    j = res.names.index("shock.eastern_mediterranean.2015")
    assert res.cov[i, j] / (sd[i] * sd[j]) > 0.1
