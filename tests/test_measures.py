"""One measure registry (issue 9): every measure in every table is declared; stocks take the period's last
day in runs and ensembles; summing the rows with is_total False never counts a total with its parts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossings.core.measures import MEASURES, measure, period_rule, unit_of
from crossings.runs.ensemble import run_ensemble
from crossings.runs.runner import run_scenario


@pytest.fixture(scope="module")
def uk() -> pd.DataFrame:
    return run_scenario("scenarios/uk_offshore.yaml", seed=1, start="2023-01-01", end="2024-12-31").monthly


@pytest.fixture(scope="module")
def italy() -> pd.DataFrame:
    return run_scenario("scenarios/central_med.yaml", seed=1, start="2023-01-01", end="2024-12-31").monthly


def test_every_measure_in_a_table_is_declared_with_its_unit(uk: pd.DataFrame, italy: pd.DataFrame) -> None:
    for table in (uk, italy):
        for m, unit in table[["measure", "unit"]].drop_duplicates().itertuples(index=False):
            assert m in MEASURES
            assert unit == unit_of(m, unit if measure(m).kind == "money" else None)
    assert set(uk[uk["measure"] == "cost"]["unit"]) == {"GBP"}


def test_unknown_measure_names_the_registry() -> None:
    with pytest.raises(KeyError, match="not declared"):
        measure("no_such_measure")
    assert period_rule("awaiting_decision") == "last" and period_rule("arrivals") == "sum"


def test_monthly_stock_is_the_months_last_day() -> None:
    res = run_scenario("scenarios/uk_asylum.yaml", seed=1, start="2024-01-01", end="2024-03-31")
    d, m = res.daily, res.monthly
    for stock in ("awaiting_decision", "in_hotels"):
        last = d[(d["measure"] == stock) & (d["place"] == "uk") & (d["date"] == "2024-02-29")]["simulated"]
        month = m[(m["measure"] == stock) & (m["place"] == "uk") & (m["month"] == "2024-02")]["simulated"]
        assert float(month.iloc[0]) == float(last.iloc[0])


def test_ensemble_annual_stock_is_the_years_last_month() -> None:
    """Regression: the annual table summed month-end stocks (awaiting_decision 2023 ~1.9 million)."""
    ens = run_ensemble("scenarios/uk_asylum.yaml", seeds=[1, 2], overrides={"start": "2023-01-01",
                                                                          "end": "2023-12-31"})
    a = ens.annual[(ens.annual["measure"] == "awaiting_decision") & (ens.annual["place"] == "uk")]
    dec = ens.monthly[(ens.monthly["measure"] == "awaiting_decision") & (ens.monthly["place"] == "uk")
                      & (ens.monthly["month"] == "2023-12")]
    assert float(a["mean"].iloc[0]) == pytest.approx(float(dec["mean"].iloc[0]))
    assert float(a["mean"].iloc[0]) < 300_000
    obs = a["observed"].iloc[0]
    assert np.isnan(obs) or obs == pytest.approx(dec["observed"].iloc[0])


@pytest.mark.parametrize("fixture", ["uk", "italy"])
def test_parts_never_counted_with_their_total(fixture: str, request: pytest.FixtureRequest) -> None:
    t: pd.DataFrame = request.getfixturevalue(fixture)
    totals = t[t["is_total"]]
    assert len(totals) > 0
    parts = t[~t["is_total"]]
    for (month, _place, m), g in totals.groupby(["month", "place", "measure"]):
        if m == "cost":  # the destination's cost: its own, its centre's and its third country's
            continue
        routes = parts[(parts["month"] == month) & (parts["measure"] == m) & (parts["place_kind"] == "route")]
        if routes.empty:
            continue
        # a destination total equals the sum of the non-total rows it includes
        assert float(g["simulated"].iloc[0]) == pytest.approx(float(routes["simulated"].sum()))
    # a route is never marked as a total, a destination's sea total always is
    assert not t[(t["place_kind"] == "route") & t["is_total"]].shape[0]
