"""`crossings forecast scenarios/uk_asylum.yaml` (forecasting/asylum_forecast.py) and the small-boat arrivals
driver past the origin (forecasting/asylum_arrivals.py): run small, the table, bands that widen, no data
after the origin used."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from after_cut import triple_after
from crossings.cli import main
from crossings.forecasting import asylum_arrivals as aa
from crossings.forecasting import asylum_backtest as ab
from crossings.forecasting import asylum_forecast

ROOT = Path(__file__).resolve().parents[1]
QUARTERLY = ROOT / "src" / "crossings" / "data" / "observed" / "uk_asylum_quarterly.csv"
SCENARIO = "scenarios/uk_asylum.yaml"
ORIGIN = dt.date(2023, 6, 30)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fc") / "uk"
    rc = main(["forecast", SCENARIO, "--from", "2024-01-01", "--horizon", "6", "--draws", "20", "--out", str(out),
               "--no-parquet", "--jobs", "2"])
    assert rc == 0
    return out


def test_draws_do_not_depend_on_the_number_of_processes() -> None:
    rule = asylum_forecast.scenario_rule(Path(SCENARIO))
    one = asylum_forecast.run_draws(Path(SCENARIO), dt.date(2023, 12, 31), 1, 3, 5, rule)
    two = asylum_forecast.run_draws(Path(SCENARIO), dt.date(2023, 12, 31), 1, 3, 5, rule, jobs=2)
    assert one[1] == two[1] and all(np.array_equal(one[0][m], two[0][m]) for m in one[0])
    assert len(np.unique(one[0]["awaiting_decision"])) == 3  # three different draws


def test_table_bands_and_observed(run: Path) -> None:
    t = pd.read_csv(run / "forecast_quarterly.csv")
    assert list(t.columns) == ["quarter_end", "place", "place_kind", "is_total", "measure", "unit", "mean", "p05",
                               "p25", "p50", "p75", "p95", "observed"]
    assert len(t) == 6 and set(t["measure"]) == {"awaiting_decision", "in_hotels", "cost"}
    assert set(t["quarter_end"]) == {"2024-03-31", "2024-06-30"}
    q = t[["p05", "p25", "p50", "p75", "p95"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    obs = pd.read_csv(QUARTERLY).set_index("quarter_end")
    aw = t[t["measure"] == "awaiting_decision"].set_index("quarter_end")
    for d in ("2024-03-31", "2024-06-30"):
        assert aw.loc[d, "observed"] == obs.loc[d, "people_awaiting_initial_decision_AsyD03"]
    assert t[t["measure"] == "cost"]["observed"].isna().all()
    for m in ("awaiting_decision", "cost"):  # the band widens with the horizon
        x = t[t["measure"] == m].sort_values("quarter_end")
        w = (x["p95"] - x["p05"]).to_numpy()
        assert w[1] > w[0] > 0, m


def test_manifest_and_fan_charts(run: Path) -> None:
    m = json.loads((run / "manifest.json").read_text())
    f = m["forecast"]
    assert f["origin"] == "2023-12-31" and f["horizon_quarters"] == 2 and f["draws"] == 20
    assert f["after_data"]["rule"] == asylum_forecast.scenario_rule(Path(SCENARIO))  # the scenario's, written
    assert f["after_data"]["rule"] in ab.STOCHASTIC  # a rule with a band
    ext = f["after_data"]["first_draw"]["extended"]
    assert {"decision_capacity", "grant_rate", "inflows.other_claims"} <= set(ext)
    assert all(v["basis"].endswith("2023-12-31") for v in ext.values())  # nothing after the origin
    assert f["arrivals_driver"]["s_level"] > 0
    for name in ("awaiting_decision", "in_hotels", "cost"):
        assert (run / f"fan_{name}.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("flags", [["--from", "2024-02-01"], ["--from", "2026-01-01"], ["--horizon", "5"], ["--jobs", "0"],
                                   ["--compare-baseline"]])
def test_bad_input_exit_2_nothing_written(tmp_path: Path, flags: list[str]) -> None:
    out = tmp_path / "o"
    assert main(["forecast", SCENARIO, "--draws", "20", "--out", str(out), *flags]) == 2
    assert not out.exists()


def test_arrivals_driver_sees_nothing_after_the_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fit and every path are unchanged when all small-boat arrivals after the origin are tripled (the fit's
    cache keys on the observed source, so the probe's fit is computed from the tripled series)."""
    before = aa.fit(ORIGIN), [aa.monthly_path(ORIGIN, 12, p) for p in (1, 2)]
    triple_after(monkeypatch, ORIGIN)  # every observed number after the origin, the arrivals among them
    assert aa.fit.cache_info().currsize >= 1
    n = (ORIGIN - aa.FIRST).days + 1 + 200
    tripled_arr = aa.inputs.observed_arrivals_daily(aa.BOATS, aa.FIRST, n)
    assert tripled_arr[-200:].sum() > 0  # the patch reaches the series the driver reads
    misses = aa.fit.cache_info().misses
    after = aa.fit(ORIGIN), [aa.monthly_path(ORIGIN, 12, p) for p in (1, 2)]
    assert aa.fit.cache_info().misses == misses + 1  # refitted under the probe, not taken from the cache
    assert after[0] == before[0]
    for a, b in zip(before[1], after[1], strict=True):
        assert np.array_equal(a, b)


def test_arrivals_paths_reproducible_and_widening() -> None:
    a = aa.daily_path(ORIGIN, 200, 5)
    assert np.array_equal(a, aa.daily_path(ORIGIN, 200, 5)) and not np.array_equal(a, aa.daily_path(ORIGIN, 200, 6))
    assert len(a) == 200 and (a >= 0).all()
    # a month's arrivals are spread evenly over its days (July 2023: 31 equal days)
    assert np.allclose(a[:31], a[0])
    logs = np.log(np.array([aa.monthly_path(ORIGIN, 12, p) for p in range(300)]) + aa.OFFSET)
    sd = logs.std(axis=0)
    assert sd[11] > 1.5 * sd[0]  # a random-walk level: the spread grows with the horizon
    # the observed months before the origin are the file's
    start = dt.date(2023, 1, 1)
    n = (ORIGIN - start).days + 1 + 30
    full = aa.arrivals_with_path(ORIGIN, start, n, 5)
    assert np.array_equal(full[:n - 30], aa.inputs.observed_arrivals_daily(aa.BOATS, start, n - 30))
    assert np.array_equal(full[n - 30:], aa.daily_path(ORIGIN, 30, 5))
