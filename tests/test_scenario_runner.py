"""run_scenario and `crossings run`: the tidy contract, dates, seeds, overrides, baseline, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.cli import main
from crossings.runs.runner import run_scenario, run_with_baseline

ROOT = Path(__file__).resolve().parents[1]
CH = ROOT / "scenarios" / "channel.yaml"
CM = ROOT / "scenarios" / "central_med.yaml"
MEASURES = {"arrivals", "departures", "boats", "interceptions", "deaths"}


@pytest.fixture(scope="module")
def ch_2023():  # type: ignore[no-untyped-def]
    return run_scenario(CH, seed=5, start="2023-01-01", end="2023-12-31")


def test_tidy_columns_and_measures(ch_2023) -> None:  # type: ignore[no-untyped-def]
    d, m = ch_2023.daily, ch_2023.monthly
    assert list(d.columns) == ["date", "place", "place_kind", "is_total", "measure", "unit", "simulated", "observed"]
    assert list(m.columns) == ["month", "place", "place_kind", "is_total", "measure", "unit", "simulated", "observed"]
    assert set(d["measure"]) >= MEASURES and set(d["place"]) == {"france_uk"}
    assert d["date"].min() == "2023-01-01" and d["date"].max() == "2023-12-31"
    assert m["month"].str.fullmatch(r"\d{4}-\d{2}").all()


def test_monthly_flows_are_sums_of_daily_and_stocks_last_day(ch_2023) -> None:  # type: ignore[no-untyped-def]
    d, m = ch_2023.daily, ch_2023.monthly
    arr = d[d["measure"] == "arrivals"].groupby(d["date"].str[:7])["simulated"].sum()
    got = m[m["measure"] == "arrivals"].set_index("month")["simulated"]
    pd.testing.assert_series_equal(got.sort_index(), arr.sort_index(), check_names=False)
    w = d[d["measure"] == "waiting"]
    assert m[(m["measure"] == "waiting") & (m["month"] == "2023-12")]["simulated"].item() == \
        w[w["date"] == "2023-12-31"]["simulated"].item()


def test_observed_attached_where_observed_only(ch_2023) -> None:  # type: ignore[no-untyped-def]
    d = ch_2023.daily
    arr = d[d["measure"] == "arrivals"]
    assert arr["observed"].notna().all()
    assert arr["observed"].sum() == 29437  # HO daily series, 2023
    assert d[d["measure"] == "interceptions"]["observed"].isna().all()


def test_seeds_reproduce(ch_2023) -> None:  # type: ignore[no-untyped-def]
    again = run_scenario(CH, seed=5, start="2023-01-01", end="2023-12-31")
    pd.testing.assert_frame_equal(again.daily, ch_2023.daily)
    other = run_scenario(CH, seed=6, start="2023-01-01", end="2023-12-31")
    assert not np.array_equal(other.daily["simulated"], ch_2023.daily["simulated"])


def test_baseline_switches_levers_off() -> None:
    # pre-deal prevention set below the deal's, so the lever has an effect to switch off
    res, base = run_with_baseline(CH, seed=1, start="2023-01-01", end="2024-12-31",
                                  overrides={"sea_links.france_uk.prevention": 0.2})
    assert base.manifest["levers_enabled"] == {"uk_france_deal": False}
    prev = lambda r: r.monthly.query("measure == 'prevented'")["simulated"].sum()  # noqa: E731
    assert prev(res) > prev(base)


def test_lever_off_by_override_changes_tunisia_route() -> None:
    kw = dict(seed=1, start="2023-01-01", end="2024-12-31")
    on = run_scenario(CM, **kw)
    off = run_scenario(CM, overrides={"levers.tunisia_mou.enabled": False}, **kw)
    tot = lambda r, route: r.monthly.query("measure == 'arrivals' and place == @route")["simulated"].sum()  # noqa: E731
    assert tot(off, "tunisia_italy") > tot(on, "tunisia_italy")
    assert {"libya_italy", "tunisia_italy", "italy"} <= set(on.monthly["place"])
    assert on.sea is not None and set(on.sea.routes) >= {"libya_italy", "tunisia_italy"}


def test_cli_writes_tables_and_manifest(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    rc = main(["run", str(CH), "--out", str(out), "--seed", "2", "--start", "2024-01-01", "--end", "2024-03-31",
               "--set", "sea_links.france_uk.launch_share=0.5", "--no-parquet"])
    assert rc == 0
    assert (out / "daily.csv").exists() and (out / "monthly.csv").exists()
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 2 and man["overrides"] == {"sea_links.france_uk.launch_share": "0.5"}
    assert "france_uk" in capsys.readouterr().out
    monthly = pd.read_csv(out / "monthly.csv")
    assert set(monthly["month"]) == {"2024-01", "2024-02", "2024-03"}


@pytest.mark.parametrize("args", [
    ["--set", "sea_links.nowhere.launch_share=0.5"],
    ["--set", "levers.uk_france_deal.enabled"],
    ["--start", "2024-02-30"],
    ["--set", "levers.uk_france_deal.start=2023-13-45"],
])
def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, capsys, args) -> None:  # type: ignore[no-untyped-def]
    rc = main(["run", str(CH), "--out", str(tmp_path / "x"), *args])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("crossings: error:") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_asylum_input_errors_name_the_scenario_file() -> None:
    """An asylum error raised deep in the run (an observed input past its data, after_data: error) names
    the scenario file the user gave, not a placeholder."""
    from crossings.core.errors import InputError

    path = ROOT / "scenarios" / "uk_asylum.yaml"
    with pytest.raises(InputError) as e:
        run_scenario(path, end="2025-03-31", overrides={"asylum.destinations.uk.after_data": "error"})
    assert e.value.file == str(path) and e.value.where.startswith("asylum.destinations.uk.")


def test_manifest_names_the_asylum_data_a_run_read() -> None:
    res = run_scenario(ROOT / "scenarios" / "uk_asylum.yaml", start="2023-01-01", end="2023-06-30")
    assert {"uk_asylum_quarterly", "uk_small_boats_daily"} <= set(res.manifest["data_versions"])
    sea_only = run_scenario(ROOT / "scenarios" / "channel.yaml", start="2023-01-01", end="2023-06-30")
    assert "uk_asylum_quarterly" not in sea_only.manifest["data_versions"]
