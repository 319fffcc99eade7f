"""Fitting: free parameters map to real key paths; residuals are finite; shipped fits lie in bounds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from crossings.scenario.load import load_raw
from crossings.sea.fit import Problem, _rounded, main
from crossings.sea.fitspec import knot_groups

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


def test_cli_rejects_unknown_scenario_name(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load((ROOT / "scenarios" / "channel.yaml").read_text())
    raw["name"] = "atlantis"
    raw["fitted_file"] = None
    p = tmp_path / "a.yaml"
    p.write_text(yaml.safe_dump(raw))
    assert main([str(p), "--output", str(tmp_path / "out.yaml")]) == 2
    assert "no fit specification" in capsys.readouterr().err
    assert not (tmp_path / "out.yaml").exists()
