"""The lever registry: every kind of lever, registered once in KINDS (an explicit tuple: no discovery by name).

A lever kind is one module here (its schema, how it acts, what "off" means, its doc page: `LeverKind` in
base.py). The scenario schema reads the sea levers' union and the asylum `levers:` model from this registry;
error messages' key paths (LEVER_TAGS) and the sea model's lever phase read it too. To add a lever: write its
module, add its KIND below, write its test and its doc page (docs/architecture.md, "Adding a lever").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import BaseModel, Field, create_model

from crossings.scenario.fields import FrozenStrict
from crossings.scenario.levers import (
    anti_smuggling,
    decision_capacity,
    deterrence,
    offshore,
    partner_coastguard,
    rescue,
    returns_agreement,
    safe_route,
    third_country,
)
from crossings.scenario.levers.base import LeverKind, SeaLever

KINDS: tuple[LeverKind, ...] = (
    partner_coastguard.KIND,
    anti_smuggling.KIND,
    rescue.KIND,
    safe_route.KIND,
    decision_capacity.KIND,
    offshore.KIND,
    third_country.KIND,
    deterrence.KIND,
    returns_agreement.KIND,
)

SEA_KINDS: dict[str, LeverKind] = {k.tag: k for k in KINDS if k.part == "sea"}
ASYLUM_KINDS: dict[str, LeverKind] = {k.tag: k for k in KINDS if k.part == "asylum"}
assert len(SEA_KINDS) + len(ASYLUM_KINDS) == len(KINDS), "lever tags must be unique"

# pydantic puts a sea lever's type in an error's location (levers.x.partner_coastguard.route): dropped from it
LEVER_TAGS: tuple[str, ...] = tuple(SEA_KINDS)

if TYPE_CHECKING:  # the static type names the sea levers shipped with this module (for narrowing by isinstance)
    SeaLeverModel = (partner_coastguard.PartnerCoastguard | anti_smuggling.AntiSmuggling | rescue.Rescue
                     | safe_route.SafeRoute)
else:  # one `type:`-discriminated union of the registered sea levers' schemas
    SeaLeverModel = Annotated[Union[tuple(k.schema for k in SEA_KINDS.values())],  # noqa: UP007
                              Field(discriminator="type")]


def _asylum_levers_model() -> type[BaseModel]:
    """A destination's `levers:` section: one key per registered asylum lever (a list or one-or-null)."""
    fields: dict[str, Any] = {}
    for k in ASYLUM_KINDS.values():
        fields[k.tag] = (list[k.schema], []) if k.many else (k.schema | None, None)  # type: ignore[name-defined]
    return create_model("Levers", __base__=FrozenStrict, __doc__="A destination's levers (registry: "
                        "crossings.scenario.levers)", **fields)


AsylumLevers = _asylum_levers_model()


def kind_of(tag: str) -> LeverKind:
    return SEA_KINDS[tag] if tag in SEA_KINDS else ASYLUM_KINDS[tag]


__all__ = ["ASYLUM_KINDS", "KINDS", "LEVER_TAGS", "SEA_KINDS", "AsylumLevers", "LeverKind", "SeaLever", "SeaLeverModel",
           "kind_of"]
