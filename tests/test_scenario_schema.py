"""Scenario format: shipped files validate; bad input names the file, the key path and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crossings.errors import InputError
from crossings.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = [ROOT / "scenarios" / "central_med.yaml", ROOT / "scenarios" / "channel.yaml"]


def _write(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load((ROOT / "scenarios" / "channel.yaml").read_text())
    raw["fitted_file"] = None
    mutate(raw)
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(raw, sort_keys=False))
    return p


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_validate(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.start < sc.end
    assert sc.sea_links and sc.levers


def test_route_names_are_the_issue_names() -> None:
    assert {s.name for s in load_scenario(SHIPPED[0]).sea_links} >= {"libya_italy", "tunisia_italy"}
    assert [s.name for s in load_scenario(SHIPPED[1]).sea_links] == ["france_uk"]


def test_unknown_key_is_rejected_with_its_path(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda r: r["sea_links"][0].update(launch_shar=0.3))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.file == str(p)
    assert e.value.where == "sea_links.0.launch_shar"
    assert "unknown key" in e.value.problem


def test_out_of_range_probability(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda r: r["sea_links"][0].update(launch_share=1.5))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where == "sea_links.0.launch_share"


def test_lever_on_unknown_route(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda r: r["levers"]["uk_france_deal"].update(route="nowhere"))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert "levers.uk_france_deal" in e.value.where and "nowhere" in e.value.problem


def test_bad_date_and_wrong_lever_type(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda r: r["levers"]["uk_france_deal"].update(start="2023-13-45"))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where == "levers.uk_france_deal.start"
    p = _write(tmp_path, lambda r: r["levers"]["uk_france_deal"].update(type="teleport"))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where.startswith("levers.uk_france_deal")


def test_knots_closer_than_a_year(tmp_path: Path) -> None:
    import datetime as dt

    p = _write(tmp_path, lambda r: r["inflows"][0]["knots"].update({dt.date(2018, 9, 1): 3.0}))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where == "inflows.0" and "closer than a year" in e.value.problem


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nstart: [2019-01-01\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where.startswith("line ")


def test_stop_outcome_shares_must_sum_to_one(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda r: r["sea_links"][0]["stopped"].update(returned=0.5))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where == "sea_links.0.stopped"


def test_missing_fitted_file(tmp_path: Path) -> None:
    p = _write(tmp_path, lambda r: r.update(fitted_file="nope.yaml"))
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where == "fitted_file"


def test_impossible_date_in_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nstart: 2019-13-45\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.where == "start" and "date" in e.value.problem
