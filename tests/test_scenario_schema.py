"""Scenario format: shipped files validate; bad input names the file, the key path and the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from crossings.core.errors import InputError
from crossings.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = [ROOT / "scenarios" / "central_med.yaml", ROOT / "scenarios" / "channel.yaml"]


def _write(tmp_path: Path, mutate) -> Path:
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


def _scheduled(tmp_path: Path, **lever: object) -> Path:
    def mutate(r: dict[str, Any]) -> None:
        r["levers"]["uk_france_deal"].update(interception=0.2, **lever)

    return _write(tmp_path, mutate)


def test_interception_schedule_resolves_to_daily_steps(tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    from crossings.sea.model import build

    sched = {"2023-06-01": 0.5, "2024-01-01": 0.1}
    a = build(load_scenario(_scheduled(tmp_path, interception_by_date=sched, end="2024-06-30"))).intercept[0]
    day = pd.date_range("2018-01-01", "2024-12-31").strftime("%Y-%m-%d").to_numpy()
    want = np.select([day < "2023-03-10", day < "2023-06-01", day < "2024-01-01", day <= "2024-06-30"],
                     [0.0, 0.2, 0.5, 0.1], 0.0)  # the route's own level (0) outside the lever's dates
    assert np.allclose(a, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("lever", "problem"), [
    ({"interception_by_date": {"2023-06-01": 1.5}}, "less than or equal to 1"),
    ({"interception_by_date": {"2023-01-01": 0.5}}, "before the end of the lever's start"),
    ({"interception_by_date": {"2023-04-01": 0.5}, "ramp_days": 60}, "before the end of the lever's start"),
    ({"interception_by_date": {"2024-01-01": 0.5, "2023-06-01": 0.4}}, "increasing order"),
    ({"interception_by_date": {"2024-01-01": 0.5}, "end": "2023-12-31"}, "after the lever's end"),
    ({"interception_by_date": {}}, "at least one"),
])
def test_bad_interception_schedule_names_its_key_path(tmp_path: Path, lever: dict[str, Any], problem: str) -> None:
    with pytest.raises(InputError) as e:
        load_scenario(_scheduled(tmp_path, **lever))
    assert e.value.where.startswith("levers.uk_france_deal.interception_by_date")
    assert problem in e.value.problem
