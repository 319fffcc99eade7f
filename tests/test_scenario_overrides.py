"""--set key.path=value: applied to the raw YAML before validation; unknown paths are errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crossings.core.errors import InputError
from crossings.scenario.load import load_scenario
from crossings.scenario.overrides import apply_overrides, parse_set

CM = Path(__file__).resolve().parents[1] / "scenarios" / "central_med.yaml"


def test_parse_set_values_are_yaml() -> None:
    got = parse_set(["a.b=1", "c=false", "d=[1, 2]", "e=0.5", "f=2023-07-16"])
    assert got["a.b"] == 1 and got["c"] is False and got["d"] == [1, 2] and got["e"] == 0.5
    assert str(got["f"]) == "2023-07-16"
    with pytest.raises(InputError):
        parse_set(["novalue"])


def test_override_lever_off_and_by_route_name() -> None:
    sc = load_scenario(CM, {"levers.tunisia_mou.enabled": False, "sea_links.libya_italy.launch_share": 0.42})
    assert sc.levers["tunisia_mou"].enabled is False
    assert next(s for s in sc.sea_links if s.name == "libya_italy").launch_share == 0.42
    assert next(s for s in sc.sea_links if s.name == "tunisia_italy").launch_share != 0.42


def test_yaml_anchor_aliases_do_not_share_overrides() -> None:
    sc = load_scenario(CM, {"sea_links.libya_italy.weather.by_month": [0.5] * 12})
    tun = next(s for s in sc.sea_links if s.name == "tunisia_italy")
    assert tun.weather.by_month != [0.5] * 12


def test_unknown_path_is_an_error() -> None:
    with pytest.raises(InputError) as e:
        load_scenario(CM, {"sea_links.atlantis.launch_share": 0.1})
    assert e.value.where == "sea_links.atlantis"
    with pytest.raises(InputError) as e:
        load_scenario(CM, {"levers.tunisia_mou.strength": 2})
    assert e.value.where == "levers.tunisia_mou.strength"


def test_invalid_override_value_is_reported_at_its_path() -> None:
    with pytest.raises(InputError) as e:
        load_scenario(CM, {"choice.risk_weight": -1})
    assert e.value.where == "choice.risk_weight"


def test_apply_overrides_in_place() -> None:
    raw = {"a": {"b": 1}, "l": [{"name": "x", "v": 1}]}
    apply_overrides(raw, {"a.b": 2, "l.x.v": 3, "l.0.name": "y"})
    assert raw == {"a": {"b": 2}, "l": [{"name": "y", "v": 3}]}


def test_switching_off_the_libyan_lever_removes_all_libyan_support() -> None:
    import numpy as np

    from crossings.sea.model import build

    on = load_scenario(CM)
    c = [s.name for s in on.sea_links].index("libya_italy")
    base = on.sea_links[c].interception
    assert np.all(build(on).intercept[c][365:] != base)  # the support is on from 2017, stepping yearly
    off = build(load_scenario(CM, {"levers.libya_coastguard.enabled": False}))
    assert np.all(off.intercept[c] == base)


def test_override_a_dated_step_of_the_libyan_schedule() -> None:
    sc = load_scenario(CM, {"levers.libya_coastguard.interception_by_date.2022-01-01": 0.11})
    sched = sc.levers["libya_coastguard"].interception_by_date  # type: ignore[union-attr]
    assert sched is not None and sched[dt.date(2022, 1, 1)] == 0.11 and len(sched) == 5
