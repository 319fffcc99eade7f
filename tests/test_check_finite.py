"""scenario.load.check_finite: a fast all-finite pass, and the key path of the first non-finite number named
only when there is one. Checked against a plain recursive definition on random trees (hypothesis)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.core.errors import InputError
from crossings.scenario.load import check_finite

leaves = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=3),
                   st.booleans(), st.none(), st.floats(allow_nan=True, allow_infinity=True).map(np.float64))
trees = st.recursive(leaves, lambda kids: st.one_of(st.lists(kids, max_size=4), st.tuples(kids, kids),
                                                     st.dictionaries(st.text("abc", min_size=1, max_size=2), kids,
                                                                     max_size=4)), max_leaves=30)


def first_bad(node: Any, path: str = "") -> str | None:
    """Key path of the first non-finite float in depth-first order, or None."""
    if isinstance(node, float):
        return (path or "(top level)") if not math.isfinite(node) else None
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list | tuple) else ()
    for k, v in items:
        found = first_bad(v, f"{path}.{k}" if path else str(k))
        if found is not None:
            return found
    return None


@settings(max_examples=300, deadline=None)
@given(trees)
def test_check_finite_names_the_first_non_finite_number(tree: Any) -> None:
    want = first_bad(tree)
    if want is None:
        check_finite(tree, "f.yaml")
        return
    with pytest.raises(InputError) as err:
        check_finite(tree, "f.yaml")
    assert f"f.yaml: {want}: must be a finite number" in str(err.value)
