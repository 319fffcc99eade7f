"""Run-time checks (issue 9): conservation of people in the sea process can be switched on and can fail;
non-finite results are refused; a part of a year is never compared with a whole year's total; the sea part's
rule past its knots is in the manifest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossings.core.errors import InputError
from crossings.runs.checks import ConservationError, check_finite, check_sea_conservation
from crossings.runs.runner import run_scenario


@pytest.fixture(scope="module")
def channel():  # type: ignore[no-untyped-def]
    return run_scenario("scenarios/channel.yaml", seed=3, start="2024-01-01", end="2024-12-31", check=True)


def test_conservation_holds_and_is_recorded(channel) -> None:  # type: ignore[no-untyped-def]
    assert channel.manifest["conservation_checked"] is True
    check_sea_conservation(channel.sea)


def test_conservation_check_can_fail(channel) -> None:  # type: ignore[no-untyped-def]
    sea = channel.sea
    r = sea.routes[0]
    broken = np.asarray(sea.arrivals[r], dtype=float).copy()
    day = int(np.argmax(broken))
    broken[day] += 1.0
    sea.arrivals[r], saved = broken, sea.arrivals[r]
    try:
        with pytest.raises(ConservationError, match=f"day {day}"):
            check_sea_conservation(sea)
    finally:
        sea.arrivals[r] = saved


def test_non_finite_value_is_refused() -> None:
    t = pd.DataFrame({"place": ["a", "b"], "measure": ["arrivals", "deaths"], "simulated": [1.0, np.inf]})
    with pytest.raises(InputError, match="b.deaths"):
        check_finite(t, "s.yaml")


def test_part_of_a_year_is_not_compared_with_a_whole_year() -> None:
    res = run_scenario("scenarios/central_med.yaml", seed=1, start="2023-01-01", end="2023-03-31")
    for years in res.summary["annual_arrivals"].values():
        assert years["2023"]["observed"] is None
        assert years["2023"]["months_simulated"] == 3


def test_sea_rule_past_the_knots_in_the_manifest() -> None:
    res = run_scenario("scenarios/channel.yaml", seed=1, start="2024-06-01", end="2025-03-31")
    rule = res.manifest["sea_after_data"]
    assert rule and all(v["rule"] == "hold_last_knot" for v in rule.values())


def test_profile_prints_the_phase_plan(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from crossings.cli import main

    assert main(["run", "scenarios/channel.yaml", "--out", str(tmp_path / "o"), "--start", "2024-01-01",
                 "--profile", "--quiet"]) == 0
    err = capsys.readouterr().err
    names = [line.split("  ")[0] for line in err.splitlines()]
    assert names.index("prepare: load and validate") < names.index("sea: build daily arrays") \
        < names.index("sea: simulate (numba)") < names.index("tables: daily and monthly")


@pytest.mark.parametrize("seed", [-1, 2**63, 18446744073709551615, 1.5, "3", True])
def test_python_api_refuses_seeds_outside_the_range(seed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="seed"):
        run_scenario("scenarios/channel.yaml", seed=seed, start="2024-01-01", end="2024-01-31")


def test_sea_rule_before_the_knots_in_the_manifest() -> None:
    res = run_scenario("scenarios/channel.yaml", seed=1, start="2010-01-01", end="2010-02-28")
    before = [v for k, v in res.manifest["sea_after_data"].items() if k.endswith(".before")]
    assert before and before[0]["rule"] == "hold_first_knot"
