"""Regression (issue 9): an asylum section with its own start sees every sea measure, not a hand-kept list."""

from __future__ import annotations

from crossings.runs.runner import run_scenario


def test_safe_route_claims_survive_an_asylum_window() -> None:
    full = run_scenario("scenarios/uk_safe_route.yaml", seed=1, start="2024-01-01")
    windowed = run_scenario("scenarios/uk_safe_route.yaml", seed=1, start="2023-06-01",
                            overrides={"asylum.start": "2024-01-01"})

    def claims_2024(res):  # type: ignore[no-untyped-def]
        m = res.monthly
        return m[(m["measure"] == "safe_route_claims") & (m["month"].str[:4] == "2024")]["simulated"].sum()

    assert claims_2024(windowed) > 0
    assert claims_2024(full) > 0
