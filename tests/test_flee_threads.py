"""Flee validation with seeds in parallel: the same per-seed results and summary for any number of processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossings.flee.synthetic import write_chain_case
from crossings.flee.validate import validate_case


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chain_case(tmp_path_factory.mktemp("flee") / "chain", days=30, camp_capacity=300)


def test_validate_same_for_one_and_two_processes(case: Path) -> None:
    a = validate_case(case, seeds=5, first_seed=3, jobs=1)
    b = validate_case(case, seeds=5, first_seed=3, jobs=2)
    assert [r["seed"] for r in b["per_seed"]] == [3, 4, 5, 6, 7]
    assert a["per_seed"] == b["per_seed"]
    for k in ("ard", "ard_sd", "ard_rescaled", "ard_rescaled_sd", "agents_max"):
        assert a[k] == b[k]
    assert len({r["ard"] for r in a["per_seed"]}) > 1, "different seeds must give different runs"
