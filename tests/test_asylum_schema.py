"""Malformed asylum levers and unknown keys give one clear InputError with the key path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crossings.core.errors import InputError
from crossings.scenario.asylum import parse_asylum

BASE: dict[str, Any] = {
    "start": "2024-01-01",
    "end": "2024-03-31",
    "destinations": {
        "uk": {
            "decision_capacity": 100.0,
            "grant_rate": 0.5,
            "levers": {
                "third_country": {"start": "2024-01-10", "eligible_share": 0.5, "capacity_per_year": 300},
            },
        }
    },
}


def _with(path: list[str], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return d


def test_valid_config_parses() -> None:
    cfg = parse_asylum(BASE, "s.yaml")
    assert cfg.destinations["uk"].levers.third_country is not None


def test_lever_end_before_start() -> None:
    bad = _with(["destinations", "uk", "levers", "third_country", "end"], "2024-01-01")
    with pytest.raises(InputError) as e:
        parse_asylum(bad, "s.yaml")
    assert e.value.file == "s.yaml"
    assert e.value.where == "asylum.destinations.uk.levers.third_country"
    assert "before start" in e.value.problem


def test_negative_capacity() -> None:
    bad = _with(["destinations", "uk", "levers", "third_country", "capacity_per_year"], -5)
    with pytest.raises(InputError) as e:
        parse_asylum(bad, "s.yaml")
    assert e.value.where == "asylum.destinations.uk.levers.third_country.capacity_per_year"
    assert "greater than or equal to 0" in e.value.problem


def test_unknown_key() -> None:
    bad = _with(["destinations", "uk", "levers", "third_country", "capacity_per_yr"], 300)
    with pytest.raises(InputError) as e:
        parse_asylum(bad, "s.yaml")
    assert e.value.where == "asylum.destinations.uk.levers.third_country.capacity_per_yr"
    assert e.value.problem == "unknown key"


def test_suspension_window_end_before_start() -> None:
    off = {"start": "2024-01-01", "eligible_share": 0.3, "places": 10, "target_days": 28,
           "suspensions": [{"start": "2024-02-01", "end": "2024-01-15"}]}
    with pytest.raises(InputError) as e:
        parse_asylum(_with(["destinations", "uk", "levers", "offshore"], off), "s.yaml")
    assert e.value.where == "asylum.destinations.uk.levers.offshore.suspensions.0"


def test_share_above_one_and_negative_schedule_step() -> None:
    with pytest.raises(InputError):
        parse_asylum(_with(["destinations", "uk", "grant_rate"], 1.5), "s.yaml")
    steps = [{"start": "2024-01-01", "value": -1}]
    with pytest.raises(InputError) as e:
        parse_asylum(_with(["destinations", "uk", "decision_capacity"], steps), "s.yaml")
    assert "decision_capacity" in e.value.where


def test_observed_arrivals_outside_coverage_is_an_input_error() -> None:
    from crossings.asylum.simulate import run_asylum

    cfg = parse_asylum({"start": "2017-06-01", "end": "2018-03-31", "destinations": {"uk": {
        "decision_capacity": 100.0, "grant_rate": 0.5, "inflows": {"observed_arrivals": "uk_small_boats_daily"}}}})
    with pytest.raises(InputError) as e:
        run_asylum(cfg, None, seed=1)
    assert "covers 2018-01-01" in e.value.problem


@pytest.mark.parametrize(("key", "value", "where"), [
    ("support_move_on_days", {"granted": -1}, "asylum.destinations.uk.support_move_on_days.granted"),
    ("support_move_on_days", {"refused": 2.5}, "asylum.destinations.uk.support_move_on_days.refused"),
    ("support_move_on_days", {"grant": 28}, "asylum.destinations.uk.support_move_on_days.grant"),
    ("support_outside_queues", -100, "asylum.destinations.uk.support_outside_queues"),
])
def test_bad_support_parameters_name_the_key(key: str, value: Any, where: str) -> None:
    with pytest.raises(InputError) as e:
        parse_asylum(_with(["destinations", "uk", key], value), "s.yaml")
    assert e.value.where.startswith(where)


def test_support_parameters_parse() -> None:
    good = _with(["destinations", "uk", "support_move_on_days"], {"granted": 28, "refused": 21})
    good["destinations"]["uk"]["support_outside_queues"] = [{"start": "2024-01-01", "value": 2000}]
    d = parse_asylum(good, "s.yaml").destinations["uk"]
    assert (d.support_move_on_days.granted, d.support_move_on_days.refused) == (28, 21)
