"""`extends:` lets a scenario build on another (the asylum scenarios reuse the fitted sea routes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossings.core.errors import InputError
from crossings.scenario.load import deep_merge, load_raw, load_scenario, scenario_files

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"


def test_deep_merge_merges_mappings_and_replaces_lists() -> None:
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    top = {"a": {"y": [3]}, "c": 4}
    assert deep_merge(base, top) == {"a": {"x": 1, "y": [3]}, "b": 2, "c": 4}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 2}  # base untouched


def test_asylum_scenario_gets_the_fitted_sea_part_of_its_base() -> None:
    child = load_raw(SCEN / "uk_asylum.yaml")
    base = load_raw(SCEN / "channel.yaml")
    assert child["name"] == "uk_asylum"
    assert child["sea_links"] == base["sea_links"]  # fitted values applied to the base first
    assert child["inflows"] == base["inflows"]
    assert "asylum" in child and "asylum" not in base
    files = {p.name for p in scenario_files(SCEN / "uk_asylum.yaml")}
    assert {"uk_asylum.yaml", "channel.yaml", "channel.fitted.yaml"} <= files


def test_child_keys_win_and_overrides_apply_after(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((SCEN / "channel.yaml").read_text())
    (tmp_path / "channel.fitted.yaml").write_text((SCEN / "channel.fitted.yaml").read_text())
    (tmp_path / "child.yaml").write_text("name: child\nextends: base.yaml\nend: 2019-12-31\n")
    sc = load_scenario(tmp_path / "child.yaml", overrides={"levers.uk_france_deal.enabled": False})
    assert sc.name == "child" and str(sc.end) == "2019-12-31"
    assert sc.levers["uk_france_deal"].enabled is False


def test_missing_and_circular_bases_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nextends: nowhere.yaml\n")
    with pytest.raises(InputError) as err:
        load_raw(tmp_path / "a.yaml")
    assert err.value.where == "extends" and "does not exist" in err.value.problem
    (tmp_path / "b.yaml").write_text("name: b\nextends: c.yaml\n")
    (tmp_path / "c.yaml").write_text("name: c\nextends: b.yaml\n")
    with pytest.raises(InputError) as err:
        load_raw(tmp_path / "b.yaml")
    assert "circle" in err.value.problem
