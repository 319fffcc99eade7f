"""The deaths fit writes a route's incident level only where the flow fit does not free it (calibrate.deaths
_level_is_free reads the key paths the fit's own free parameters write)."""

from __future__ import annotations

from pathlib import Path

from crossings.calibrate.deaths import _level_is_free
from crossings.scenario.load import load_raw

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _raw(name: str) -> dict:
    return load_raw(SCENARIOS / f"{name}.yaml", {"fitted_file": None})


def test_shipped_scenarios_take_the_level_from_the_incidents() -> None:
    for name in ("central_med", "channel"):
        raw = _raw(name)
        assert not any(_level_is_free(raw, str(s["name"])) for s in raw["sea_links"])


def test_a_shared_block_frees_every_route_it_writes() -> None:
    raw = _raw("central_med")
    raw["fit"]["free"].append({"kind": "shared", "field": "incident_per_boat", "lo": 1e-4, "hi": 0.5})
    assert all(_level_is_free(raw, str(s["name"])) for s in raw["sea_links"])


def test_a_value_block_frees_its_own_route_only() -> None:
    raw = _raw("central_med")
    raw["fit"]["free"].append({"kind": "value", "path": "sea_links.tunisia_italy.incident_per_boat",
                               "lo": 1e-4, "hi": 0.5})
    assert [_level_is_free(raw, str(s["name"])) for s in raw["sea_links"]] == [False, True, False]
