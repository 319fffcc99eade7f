"""Validation computations on synthetic tidy tables (no scenario run needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossings.analysis import validation as v


def _daily_table() -> pd.DataFrame:
    dates = pd.date_range("2023-01-01", "2024-12-31", freq="D").strftime("%Y-%m-%d")
    rows = []
    for route, level in (("libya_italy", 2.0), ("tunisia_italy", 3.0)):
        for measure, mult in (("arrivals", 1.0), ("deaths", 0.01)):
            vals = np.full(len(dates), level * mult)
            vals[::7] = 0.0  # one zero day a week
            rows.append(pd.DataFrame({"date": dates, "place": route, "measure": measure,
                                      "simulated": vals, "observed": np.nan}))
    return pd.concat(rows, ignore_index=True)


def test_simulated_sums_routes_and_years() -> None:
    t = _daily_table()
    s = v.simulated(t, v.ITALY_ROUTES, "arrivals")
    assert s.loc["2023-01-02"] == 5.0
    ann = v.by_year(s)
    n23 = 365 - len(range(0, 365, 7))
    assert ann[2023] == 5.0 * n23
    lib = v.by_year(v.simulated(t, "libya_italy", "arrivals"))
    assert lib[2023] == 2.0 * n23
    assert v.by_month(s).index[0] == "2023-01"
    with pytest.raises(KeyError):
        v.simulated(t, "france_uk", "arrivals")


def test_monthly_table_works_too() -> None:
    t = _daily_table()
    t["month"] = t["date"].str[:7]
    m = t.groupby(["month", "place", "measure"])["simulated"].sum().reset_index()
    assert v.by_year(v.simulated(m, v.ITALY_ROUTES, "arrivals")).equals(
        v.by_year(v.simulated(t, v.ITALY_ROUTES, "arrivals")))


def test_window_total_and_compare() -> None:
    s = v.simulated(_daily_table(), v.ITALY_ROUTES, "arrivals")
    assert v.window_total(s, "2023-01-01", "2023-01-07") == 6 * 5.0  # Jan 1 is a zero day
    c = v.compare(pd.Series({2023: 105.0, 2024: 80.0}), pd.Series({2023: 100.0, 2024: 100.0, 2025: 1.0}), 10)
    assert list(c.index) == [2023, 2024]
    np.testing.assert_allclose(c["pct_error"], [5.0, -20.0])
    assert c["within"].tolist() == [True, False]
    assert v.pct_error(90, 100) == -10.0


def test_zero_day_share_p95_and_ratio() -> None:
    idx = pd.date_range("2024-01-01", "2024-12-31").strftime("%Y-%m-%d")
    s = pd.Series(np.arange(len(idx), dtype=float), index=idx)
    s.iloc[:10] = 0.0
    z = v.zero_day_share(s)
    assert z["2024-01"] == pytest.approx(10 / 31)
    assert z["2024-02"] == 0.0
    assert v.p95_day(s)[2024] == pytest.approx(np.quantile(s.to_numpy(), 0.95))
    boats = s / 50.0
    assert v.ratio_by_year(s, boats)[2024] == pytest.approx(50.0)


def test_seed_stats() -> None:
    st = v.seed_stat([1.0, 2.0, 6.0])
    assert (st.mean, st.lo, st.hi) == (3.0, 1.0, 6.0)
    assert st.fmt() == "3 (1-6)"
    assert st.fmt(1, pct=True) == "3.0% (1.0-6.0)"
    f = v.seed_stats_frame([pd.Series({"a": 1.0, "b": 4.0}), pd.Series({"a": 3.0, "b": 2.0})])
    assert list(f.loc["a"]) == [2.0, 1.0, 3.0]
    assert list(f.loc["b"]) == [3.0, 2.0, 4.0]


def test_lever_attribution_by_hand() -> None:
    on = {"libya_italy": {2023: 50.0, 2024: 45.0}, "tunisia_italy": {2023: 100.0, 2024: 20.0}}
    off = {"libya_italy": {2023: 50.0, 2024: 40.0}, "tunisia_italy": {2023: 110.0, 2024: 60.0}}
    a = v.lever_attribution(on, off)
    assert a["drop_with_lever"] == 85.0
    assert a["drop_without_lever"] == 60.0
    assert a["share_of_drop_explained"] == pytest.approx(1 - 60 / 85)
    assert a["averted_on_lever_route"] == 40.0
    assert a["diverted_to_other_route"] == 5.0
    assert a["diversion_share"] == 5 / 40
    assert a["net_averted"] == 35.0


def test_out_of_sample_scores_perfect_model_beats_baselines() -> None:
    months = [str(p) for p in pd.period_range("2022-01", "2024-12", freq="M")]
    rng = np.random.default_rng(0)
    obs = pd.Series(1000 + 300 * np.sin(np.arange(36)) + rng.uniform(0, 100, 36), index=months)
    targets = months[-12:]
    sc = v.out_of_sample_scores(obs, obs, targets, origin="2023-12")
    assert sc["mape_model"] == 0.0
    assert sc["skill_mape_vs_seasonal_naive"] == 1.0
    sc2 = v.out_of_sample_scores(obs.shift(12), obs, targets, origin="2023-12")  # == seasonal naive
    assert sc2["skill_mape_vs_seasonal_naive"] == pytest.approx(0.0)


def test_observed_readers() -> None:
    assert v.observed_by_departure_country(2023, "Libya") == 51986
    assert v.observed_by_departure_country(2024, "Tunisia") == 19460
    assert v.observed_by_departure_country(2022, "Tunisia") == 32101  # exact figure preferred to rounded
    assert np.isnan(v.observed_by_departure_country(2019, "Libya"))
    assert v.observed_italy_to_sep13() == {2023: 122823.0, 2024: 44495.0}
    ita = v.observed_italy_monthly()
    assert v.by_year(ita)[2023] == 157652
    ch = v.observed_channel_daily()
    assert v.by_year(ch["people"])[2024] == 36816
    assert v.observed_mmp_deaths("italy")[2024] == 1810
    sea = v.observed_channel_deaths_at_sea()
    assert (sea <= v.observed_mmp_deaths("channel").reindex(sea.index)).all()


def test_observed_annual_lookup() -> None:
    assert v.observed_annual("france_uk", "arrivals")[2022] == 45755  # type: ignore[index]
    assert v.observed_annual("france_uk", "boats")[2024] == 695  # type: ignore[index]
    assert v.observed_annual("libya_italy", "interceptions")[2023] == 17025  # type: ignore[index]
    assert list(v.observed_annual("tunisia_italy", "arrivals").index) == [2022, 2023, 2024]  # type: ignore[union-attr]
    assert v.observed_annual("italy", "arrivals")[2024] == 66617  # type: ignore[index]
    assert v.observed_annual("libya_italy", "deaths") is None
    both = v.observed_annual("italy", "interceptions")
    assert both is not None and both[2023] == 17025 + v.observed_annual("tunisia_italy", "interceptions")[2023]  # type: ignore[index]


def test_calendar_month_table_and_range() -> None:
    months = [str(p) for p in pd.period_range("2022-01", "2024-12", freq="M")]
    s = pd.Series(np.arange(36, dtype=float), index=months)
    t = v.calendar_month_table(s, [2022, 2024])
    assert list(t.columns) == [2022, 2024]
    assert t.loc[3, 2022] == 2.0 and t.loc[3, 2024] == 26.0
    ok = v.within_range(pd.Series([1.0, 5.0]), pd.Series([0.0, 0.0]), pd.Series([2.0, 2.0]))
    assert ok.tolist() == [True, False]


def test_italy_total_routes() -> None:
    t = _daily_table()
    assert v.italy_total_routes(t) == ["libya_italy", "tunisia_italy"]
    extra = t[t["place"] == "libya_italy"].assign(place="other_italy")
    both = pd.concat([t, extra, t.assign(route="italy")])
    assert v.italy_total_routes(both) == ["libya_italy", "other_italy", "tunisia_italy"]
