"""The public Python API: typed entry points, result objects with period months, units, plots and Excel."""

from __future__ import annotations

import inspect

import openpyxl
import pandas as pd
import pytest

import crossings

WINDOW = {"start": "2024-01-01", "end": "2024-12-31"}


def test_public_names_and_signatures():
    for name in ("run", "ensemble", "compare", "forecast", "run_flee"):
        fn = getattr(crossings, name)
        sig = inspect.signature(fn)
        assert fn.__doc__ and sig.return_annotation != inspect.Signature.empty, name
        assert all(p.annotation != inspect.Parameter.empty for p in sig.parameters.values()), name
        assert not any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()), name  # no **kwargs


@pytest.fixture(scope="module")
def res():
    return crossings.run("scenarios/channel.yaml", seed=3, start="2024-01-01", end="2024-12-31")


def test_run_tables_have_period_months_and_units(res):
    assert isinstance(res.monthly["month"].dtype, pd.PeriodDtype)
    assert str(res.monthly["month"].iloc[0]) == "2024-01"
    assert (res.monthly["unit"] != "").all() and (res.daily["unit"] != "").all()


def test_run_plot_and_excel(res, tmp_path):
    fig = res.plot("arrivals", "france_uk")
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.lines[0].get_xdata()) == 12  # simulated + observed dots
    assert ax.get_ylabel() == "people"
    path = res.to_excel(tmp_path / "run.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ["about", "monthly", "daily"]
    header = [c.value for c in next(wb["monthly"].iter_rows(max_row=1))]
    assert "unit" in header and "month" in header
    with pytest.raises(ValueError, match="no rows for measure"):
        res.plot("no_such_measure")


def test_run_refuses_a_flee_directory_with_a_pointer():
    from crossings.core.errors import InputError

    with pytest.raises(InputError, match="run_flee"):
        crossings.run("src/crossings/data/flee_cases/mali2012")


def test_compare_and_ensemble(tmp_path):
    cmp = crossings.compare("scenarios/central_med.yaml", seeds=2, overrides=WINDOW)
    assert cmp.headlines and "90% interval" in cmp.headlines[0]
    assert isinstance(cmp.monthly["month"].dtype, pd.PeriodDtype)
    assert set(cmp.monthly["variant"]) == {"central_med", "all levers off", "without libya_coastguard",
                                           "without tunisia_mou"}
    fig = cmp.plot("arrivals", "tunisia_italy")
    assert len(fig.axes[0].lines) >= 2
    wb = openpyxl.load_workbook(cmp.to_excel(tmp_path / "cmp.xlsx"), read_only=True)
    assert "headlines" in wb.sheetnames and "differences_annual" in wb.sheetnames
    assert "<img" in cmp.to_html()

    ens = crossings.ensemble("scenarios/central_med.yaml", seeds=[1, 2], overrides=WINDOW)
    assert ens.seeds == [1, 2] and isinstance(ens.monthly["month"].dtype, pd.PeriodDtype)
    assert "unit" in ens.monthly.columns
    # the ensemble's members are the comparison's variant 'central_med' with the same seeds: same mean
    a = ens.monthly[(ens.monthly["place"] == "tunisia_italy") & (ens.monthly["measure"] == "arrivals")]["mean"]
    b = cmp.monthly[(cmp.monthly["variant"] == "central_med") & (cmp.monthly["place"] == "tunisia_italy")
                    & (cmp.monthly["measure"] == "arrivals")]["mean"]
    assert a.to_numpy() == pytest.approx(b.to_numpy())


def test_run_stays_the_function_after_the_subpackages_are_imported():
    """The run layer is crossings.runs and the forecasts crossings.forecasting: no subpackage shares a name with
    a public function, so importing one never rebinds crossings.run or crossings.forecast."""
    import crossings.forecasting.engine  # noqa: F401
    import crossings.runs.runner  # noqa: F401

    assert callable(crossings.run) and crossings.run is crossings.api.run
    assert callable(crossings.forecast) and crossings.forecast is crossings.api.forecast


def test_forecast(tmp_path):
    f = crossings.forecast("scenarios/channel.yaml", origin="2024-07-01", horizon=3, draws=50)
    assert f.origin == "2024-07-01" and f.daily is None
    m = f.monthly[(f.monthly["place"] == "france_uk") & (f.monthly["measure"] == "arrivals")]
    assert [str(p) for p in m["month"]] == ["2024-07", "2024-08", "2024-09"]
    assert (m["p05"] <= m["p50"]).all() and (m["p50"] <= m["p95"]).all() and (m["unit"] == "people").all()
    ax = f.plot("arrivals", "france_uk").axes[0]
    assert len(ax.collections) == 1  # the 5-95% band
    wb = openpyxl.load_workbook(f.to_excel(tmp_path / "fc.xlsx"), read_only=True)
    assert wb.sheetnames == ["about", "forecast_monthly"]
