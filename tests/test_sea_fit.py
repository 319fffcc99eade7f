"""Fitting: free parameters map to real key paths; residuals are finite; shipped fits lie in bounds."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import crossings.calibrate.problem as fit_mod
from crossings.calibrate.fit import _rounded, main
from crossings.calibrate.fitspec import knot_groups
from crossings.calibrate.problem import Problem
from crossings.scenario.load import load_raw
from crossings.sea.model import build

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["central_med", "channel"])
def test_problem_residuals_are_finite_and_values_validate(name: str) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    raw = load_raw(path)
    p = Problem(path, raw, dt.date.fromisoformat(str(raw["start"])), dt.date(2023, 12, 31))
    x = np.array([f.x0 for f in p.frees])
    r = p.residuals(x)
    assert np.all(np.isfinite(r)) and r.size > 50
    sc = p.scenario(x)  # every key path written by the spec exists and validates
    assert sc.end == dt.date(2023, 12, 31)
    assert knot_groups(p.frees)  # the inflow knots get a roughness penalty
    # moving one inflow knot changes the residuals (the spec is wired to the model)
    x2 = x.copy()
    x2[0] += 0.5
    assert not np.allclose(p.residuals(x2), r)


@pytest.mark.parametrize("name", ["central_med", "channel"])
def test_shipped_fit_values_within_bounds(name: str) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    fitted = yaml.safe_load((ROOT / "scenarios" / f"{name}.fitted.yaml").read_text())
    assert fitted["fit_window"]["start"] <= fitted["fit_window"]["end"]
    raw = load_raw(path)
    p = Problem(path, raw, dt.date.fromisoformat(str(raw["start"])), dt.date.fromisoformat(str(raw["end"])))
    vals = fitted["values"]
    checked = 0
    for f in p.frees:
        if f.name in vals:  # parameters written to their own key path
            v = float(np.log(vals[f.name])) if f.log else vals[f.name]
            assert f.lo - 1e-6 <= v <= f.hi + 1e-6, f.name
            checked += 1
    assert checked >= 2
    assert all(0.0 <= v <= 1.0 for k, v in vals.items() if k.endswith(".launch_share"))


def test_rounding_keeps_five_significant_digits() -> None:
    assert _rounded(0.123456789) == 0.12346
    assert _rounded([1234567.0, 2]) == [1234600.0, 2]


def test_cli_rejects_a_scenario_without_fit_blocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = yaml.safe_load((ROOT / "scenarios" / "channel.yaml").read_text())
    raw["name"] = "atlantis"
    raw["fitted_file"] = None
    del raw["fit"]
    p = tmp_path / "a.yaml"
    p.write_text(yaml.safe_dump(raw))
    assert main([str(p), "--output", str(tmp_path / "out.yaml")]) == 2
    assert "fit.free" in capsys.readouterr().err
    assert not (tmp_path / "out.yaml").exists()


def test_the_fit_follows_the_declared_blocks_not_the_name() -> None:
    """A route is data: the free parameters come from the scenario's `fit:` blocks, whatever its name."""
    from crossings.calibrate.fitspec import frees_for

    raw = load_raw(ROOT / "scenarios" / "channel.yaml")
    renamed = copy.deepcopy(raw)
    renamed["name"] = "atlantis"
    assert [f.name for f in frees_for(raw)] == [f.name for f in frees_for(renamed)]
    fewer = copy.deepcopy(raw)
    fewer["fit"]["free"] = [b for b in fewer["fit"]["free"] if b["kind"] != "value"]
    assert len(frees_for(fewer)) == len(frees_for(raw)) - 1


def test_libyan_interception_is_one_free_level_per_year_inside_the_window() -> None:
    path = ROOT / "scenarios" / "central_med.yaml"
    full = Problem(path, copy.deepcopy(load_raw(path)), dt.date(2019, 1, 1), dt.date(2024, 12, 31))
    oos = Problem(path, copy.deepcopy(load_raw(path)), dt.date(2019, 1, 1), dt.date(2023, 12, 31))
    sched = "levers.libya_coastguard.interception_by_date"
    names = [f.name for f in full.frees if f.name.startswith("levers.libya_coastguard")]
    assert names == ["levers.libya_coastguard.interception"] + [f"{sched}.{y}-01-01" for y in range(2020, 2025)]
    # fit to 2023: the 2024 level is not free, it repeats the 2023 level (no free future)
    assert f"{sched}.2024-01-01" not in [f.name for f in oos.frees]
    i = next(k for k, f in enumerate(oos.frees) if f.name == f"{sched}.2023-01-01")
    x = np.array([f.x0 for f in oos.frees])
    x[i] = 0.123
    vals = oos.values(x)
    assert vals[f"{sched}.2024-01-01"] == vals[f"{sched}.2023-01-01"] == 0.123
    # the yearly step reaches the model: a higher 2022 level raises 2022 Libyan interceptions only
    j = next(k for k, f in enumerate(full.frees) if f.name == f"{sched}.2022-01-01")
    x = np.array([f.x0 for f in full.frees])
    a = build(full.scenario(x)).intercept[0]
    x[j] = min(x[j] + 0.2, 0.95)
    b = build(full.scenario(x)).intercept[0]
    year = pd.date_range("2019-01-01", "2024-12-31").year.to_numpy()
    assert np.all(b[year == 2022] > a[year == 2022]) and np.allclose(b[year != 2022], a[year != 2022], rtol=0, atol=1e-12)


def test_shipped_fits_name_only_keys_of_the_scenario() -> None:
    # every fitted key path (date keys of the Libyan schedule included) overrides an existing value
    for fitted in ["central_med.fitted.yaml", "central_med.fit_to_2023.yaml"]:
        raw = load_raw(ROOT / "scenarios" / "central_med.yaml", {"fitted_file": fitted})
        vals = yaml.safe_load((ROOT / "scenarios" / fitted).read_text())["values"]
        sched = raw["levers"]["libya_coastguard"]["interception_by_date"]
        assert [float(sched[f"{y}-01-01"]) for y in range(2020, 2025)] == [
            vals[f"levers.libya_coastguard.interception_by_date.{y}-01-01"] for y in range(2020, 2025)]
        assert not any(k.startswith("levers.libya_coastguard_") for k in vals)


def test_deaths_get_no_annual_sum_and_partial_years_count(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "scenarios" / "central_med.yaml"
    raw = load_raw(path)
    p = Problem(path, raw, dt.date(2019, 1, 1), dt.date(2023, 12, 31))
    x = np.array([f.x0 for f in p.frees])
    n = p.residuals(x).size

    def rebuilt() -> Problem:  # the observed side of the residuals is fixed when the problem is built
        return Problem(path, load_raw(path), dt.date(2019, 1, 1), dt.date(2023, 12, 31))

    monkeypatch.setattr(fit_mod, "NO_ANNUAL", set())
    assert rebuilt().residuals(x).size == n + 5  # one annual deaths residual per year 2019-2023
    # Tunisian interceptions miss December 2023 but 2023 still gets an annual residual (11 months)
    months = p.obs_m[(p.obs_m.place == "tunisia_italy") & (p.obs_m.measure == "interceptions")]["month"]
    assert (months.str[:4] == "2023").sum() == 11
    monkeypatch.setattr(fit_mod, "MIN_MONTHS", 12)
    assert rebuilt().residuals(x).size == n + 5 - 1
