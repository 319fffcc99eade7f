"""The lever registry (crossings.scenario.levers): every kind registered once, with its schema, action, baseline
and doc page; the scenario schema, error messages and the sea model read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossings.core.errors import InputError
from crossings.runs.runner import prepare
from crossings.scenario.asylum import Levers
from crossings.scenario.levers import ASYLUM_KINDS, KINDS, LEVER_TAGS, SEA_KINDS
from crossings.scenario.load import LEVER_TAGS as LOAD_TAGS
from crossings.scenario.schema import Scenario
from crossings.sea.model import build

ROOT = Path(__file__).resolve().parents[1]


def test_every_kind_has_a_doc_page_a_strict_schema_and_an_action() -> None:
    assert len({k.tag for k in KINDS}) == len(KINDS)
    for k in KINDS:
        assert (ROOT / k.doc).is_file(), k.doc
        assert k.schema.model_config.get("extra") == "forbid", k.tag
        assert k.off, k.tag
        acts = [k.apply_sea, k.apply_asylum, k.arrivals_hook]
        assert sum(a is not None for a in acts) + bool(k.acts_in) >= 1, k.tag
        assert (k.apply_sea is not None) == (k.part == "sea"), k.tag


def test_schema_and_error_keys_come_from_the_registry() -> None:
    assert set(LEVER_TAGS) == set(SEA_KINDS) and "safe_route" in LEVER_TAGS and LOAD_TAGS == LEVER_TAGS
    union = Scenario.model_fields["levers"].annotation
    assert union is not None and all(k.schema.__name__ in str(union) for k in SEA_KINDS.values())
    assert set(Levers.model_fields) == set(ASYLUM_KINDS)


def test_safe_route_error_names_the_key_without_the_type_tag() -> None:
    with pytest.raises(InputError) as e:
        prepare(ROOT / "scenarios" / "channel_safe_route.yaml", overrides={"levers.safe_route.eligible_share": 2.0})
    assert e.value.where == "levers.safe_route.eligible_share", e.value.where


def test_a_disabled_lever_leaves_the_route_as_with_no_lever() -> None:
    """'Off' for a sea lever: build() gives the arrays of the scenario without it, bit for bit."""
    cm = ROOT / "scenarios" / "central_med.yaml"
    on = prepare(cm, start="2023-01-01", end="2024-06-30")
    off = prepare(cm, start="2023-01-01", end="2024-06-30", baseline=True)
    none = off.model_copy(update={"levers": {}})
    a, b, c = build(on), build(off), build(none)
    assert (a.prevent != b.prevent).any()
    for name in ("prevent", "intercept", "capacity", "launch", "launch_cap", "lethality", "choice", "safe_cap"):
        assert (getattr(b, name) == getattr(c, name)).all(), name
