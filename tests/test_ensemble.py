"""Ensembles: identical whatever the process count, ordered quantiles, lever effects from common random numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.cli import main
from crossings.runs.ensemble import run_ensemble

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
SHORT = {"end": "2019-06-30"}  # channel.yaml from 2018-01-01: a short, fast window


def test_same_summary_serial_and_parallel() -> None:
    a = run_ensemble(SCEN / "channel.yaml", [1, 2, 3], SHORT, jobs=1)
    b = run_ensemble(SCEN / "channel.yaml", [1, 2, 3], SHORT, jobs=2)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    pd.testing.assert_frame_equal(a.annual, b.annual)


def test_quantiles_ordered_and_seeds_differ() -> None:
    ens = run_ensemble(SCEN / "channel.yaml", [1, 2, 3, 4], SHORT)
    m = ens.monthly
    assert (m["p05"] <= m["p50"] + 1e-9).all() and (m["p50"] <= m["p95"] + 1e-9).all()
    arr = m[(m["measure"] == "arrivals") & (m["place"] == "france_uk")]
    assert (arr["sd"] > 0).any(), "different seeds must give different runs"
    assert set(ens.annual["year"]) == {"2018", "2019"}


def test_effect_is_exactly_zero_when_no_lever_acts() -> None:
    # the only lever of channel.yaml starts in 2023: before it, lever-on and all-off runs share every draw
    ens = run_ensemble(SCEN / "channel.yaml", [1, 2], SHORT, compare_baseline=True)
    assert ens.effect is not None
    assert (ens.effect[["mean", "p05", "p95"]].to_numpy() == 0.0).all()  # exact: same draws, same numbers


def test_effect_of_a_lever_has_the_sign_it_must_have() -> None:
    # a deal that stops 90% of launch attempts on the beach (vs the fitted level before it) must cut arrivals
    over = {"start": "2023-01-01", "end": "2023-12-31", "levers.uk_france_deal.prevention": 0.9}
    ens = run_ensemble(SCEN / "channel.yaml", [1, 2], over, compare_baseline=True)
    assert ens.effect is not None
    arr = ens.effect[(ens.effect["measure"] == "arrivals") & (ens.effect["place"] == "france_uk")]
    after = arr[arr["month"] >= "2023-04"]
    assert (after["p95"] < 0).all(), "arrivals must fall in every month the deal is on"
    before = arr[arr["month"] < "2023-03"]
    assert np.allclose(before[["mean", "p05", "p95"]].to_numpy(), 0.0)


def test_cli_ensemble_writes_tables_and_rejects_bad_seeds(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ens"
    rc = main(["ensemble", str(SCEN / "channel.yaml"), "--seeds", "2", "--out", str(out), "--set", "end=2018-12-31"])
    assert rc == 0
    for name in ("ensemble_monthly.csv", "ensemble_annual.csv", "manifest.json"):
        assert (out / name).exists()
    assert main(["ensemble", str(SCEN / "channel.yaml"), "--seeds", "0", "--out", str(tmp_path / "bad")]) == 2
    assert "--seeds" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_without_parameter_uncertainty_each_member_is_the_plain_run() -> None:
    from crossings.runs.ensemble import _summarise
    from crossings.runs.runner import run_scenario

    ens = run_ensemble(SCEN / "channel.yaml", [1, 2, 3], SHORT)
    direct = _summarise([run_scenario(SCEN / "channel.yaml", seed=s, overrides=SHORT).monthly for s in (1, 2, 3)])
    pd.testing.assert_frame_equal(ens.monthly[direct.columns], direct)
    assert ens.uncertainty is None


def test_parameter_uncertainty_same_for_any_jobs_and_wider_than_seeds_alone() -> None:
    a = run_ensemble(SCEN / "channel.yaml", [1, 2, 3, 4], SHORT, jobs=1, parameter_uncertainty=True)
    b = run_ensemble(SCEN / "channel.yaml", [1, 2, 3, 4], SHORT, jobs=2, parameter_uncertainty=True)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    pd.testing.assert_frame_equal(a.annual, b.annual)
    assert a.uncertainty is not None and a.uncertainty["fitted_file"] == "channel.fitted.yaml"
    plain = run_ensemble(SCEN / "channel.yaml", [1, 2, 3, 4], SHORT)
    assert not np.allclose(a.monthly["mean"], plain.monthly["mean"]), "members must run with drawn parameters"


def test_ensemble_manifest_has_data_versions(tmp_path: Path) -> None:
    from crossings.cli import main

    out = tmp_path / "ens"
    rc = main(["ensemble", str(Path(__file__).resolve().parents[1] / "scenarios" / "channel.yaml"), "--out", str(out),
               "--seeds", "1", "--no-parquet", "--set", "end=2018-03-31"])
    assert rc == 0
    m = json.loads((out / "manifest.json").read_text())
    assert "uk_small_boats_daily" in m["data_versions"]


def test_annual_lever_effect_comes_from_per_member_yearly_differences() -> None:
    """The yearly effect's mean is the sum of the monthly effects' means (linear), while its interval comes from
    each member's own yearly difference (not from summing monthly quantiles)."""
    ens = run_ensemble("scenarios/central_med.yaml", seeds=[1, 2, 3], overrides={"start": "2024-01-01"},
                       compare_baseline=True)
    assert ens.effect is not None and ens.effect_annual is not None
    ea = ens.effect_annual
    row = ea[(ea["place"] == "tunisia_italy") & (ea["measure"] == "arrivals") & (ea["year"] == "2024")]
    em = ens.effect
    months = em[(em["place"] == "tunisia_italy") & (em["measure"] == "arrivals")]
    assert float(row["mean"].iloc[0]) == pytest.approx(float(months["mean"].sum()), rel=1e-9)
    assert float(row["p05"].iloc[0]) <= float(row["mean"].iloc[0]) <= float(row["p95"].iloc[0])
    assert float(row["p05"].iloc[0]) > float(months["p05"].sum())  # summed monthly quantiles: far too wide
