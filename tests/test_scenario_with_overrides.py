"""scenario.overrides.with_overrides (a fit's per-evaluation scenario) equals apply_overrides on a deep copy and
leaves the base tree as it was; load.validate_changed checks what changed as validate does."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.core.errors import InputError
from crossings.scenario.load import load_raw, validate, validate_changed
from crossings.scenario.overrides import apply_overrides, with_overrides

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
PATHS = ["sea_links.tunisia_italy.interception", "sea_links.0.interception", "choice.risk_weight",
         "levers.tunisia_mou.prevention", "inflows.0.seasonal_amplitude", "sea_links.libya_italy.weather.by_month"]


def _raw() -> dict:
    return load_raw(SCEN / "central_med.yaml")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.floats(0.01, 0.9)), min_size=1, max_size=5))
def test_same_tree_as_a_deep_copy_and_base_untouched(changes: list[tuple[str, float]]) -> None:
    raw = _raw()
    before = copy.deepcopy(raw)
    over = {p: ([v] * 12 if p.endswith("by_month") else v) for p, v in changes}
    got = with_overrides(raw, over, file="t")
    assert got == apply_overrides(copy.deepcopy(raw), over, file="t")
    assert raw == before  # nothing written into the shared base
    assert validate_changed(got, "t", over).model_dump() == validate(copy.deepcopy(got), "t").model_dump()


def test_unknown_path_named() -> None:
    with pytest.raises(InputError, match="no_such_key"):
        with_overrides(_raw(), {"choice.no_such_key.x": 1.0}, file="t")


@pytest.mark.parametrize("bad", [math.inf, [0.5] * 11 + [math.nan]])
def test_non_finite_changed_value_named(bad: object) -> None:
    path = "sea_links.libya_italy.weather.by_month" if isinstance(bad, list) else "choice.risk_weight"
    over = {path: bad}
    with pytest.raises(InputError, match=path.replace(".", r"\.")):
        validate_changed(with_overrides(_raw(), over, file="t"), "t", over)


def test_text_value_takes_the_full_validation() -> None:
    over = {"choice.risk_weight": "nan"}
    with pytest.raises(InputError, match="finite"):
        validate_changed(with_overrides(_raw(), over, file="t"), "t", over)
