"""Flee in parallel: validation seeds in several processes, and the kernel's passes on several threads, give the
same results as one process / one thread."""

from __future__ import annotations

from pathlib import Path

import numba as nb
import numpy as np
import pytest

from crossings.flee.api import prepare
from crossings.flee.model import RawRun, simulate
from crossings.flee.rules import rules_from_dict
from crossings.flee.synthetic import write_chain_case
from crossings.flee.synthetic_cases import write_feature_case
from crossings.flee.validate import validate_case


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chain_case(tmp_path_factory.mktemp("flee") / "chain", days=30, camp_capacity=300)


def test_validate_same_for_one_and_two_processes(case: Path) -> None:
    a = validate_case(case, seeds=5, first_seed=3, jobs=1)
    b = validate_case(case, seeds=5, first_seed=3, jobs=2, threads=2)
    assert [r["seed"] for r in b["per_seed"]] == [3, 4, 5, 6, 7]
    assert a["per_seed"] == b["per_seed"]
    for k in ("ard", "ard_sd", "ard_rescaled", "ard_rescaled_sd", "agents_max"):
        assert a[k] == b[k]
    assert len({r["ard"] for r in a["per_seed"]}) > 1, "different seeds must give different runs"


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough agents for parallel passes, and camps that fill up, so some passes must run serially."""
    return write_chain_case(tmp_path_factory.mktemp("flee") / "crowded", days=30, spawn_per_day=150,
                            camp_capacity=2500)


def _same_runs(a: RawRun, b: RawRun) -> None:
    np.testing.assert_array_equal(a.loc_counts, b.loc_counts)
    np.testing.assert_array_equal(a.transit, b.transit)
    for k in a.state:
        np.testing.assert_array_equal(a.state[k], b.state[k], err_msg=k)


def test_kernel_same_output_for_any_thread_count(crowded: Path) -> None:
    """Parallel passes (cut into 2, 3 or 8 parts) give the serial kernel's output, which is the numpy
    reference's; passes that capacity could make order-dependent run serially."""
    model, _ = prepare(crowded, rules_from_dict({"move_rules": {"default_movechance": 0.5, "max_move_speed": 100}}))
    serial = simulate(model, 5, threads=1)
    assert serial.in_parallel.sum() == 0
    for k in (2, 3, 8):
        par = simulate(model, 5, threads=k)
        _same_runs(serial, par)
        evolve_par, finish_par = (par.in_parallel & 1) != 0, (par.in_parallel & 2) != 0
        assert evolve_par.any() and finish_par.any(), "some passes must run in parallel"
        assert not finish_par.all() and not evolve_par.all(), "filling camps must force serial passes"
    _same_runs(serial, simulate(model, 5, engine="numpy"))
    assert serial.loc_counts[:, model.case.loc_names.index("C")].max() >= 0.9 * 2500


def test_kernel_real_threads(crowded: Path) -> None:
    """The same with numba's thread pool really running 1 and 2 threads."""
    if nb.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba allows one thread here (NUMBA_NUM_THREADS=1)")
    model, _ = prepare(crowded)
    before = nb.get_num_threads()
    try:
        nb.set_num_threads(1)
        one = simulate(model, 9, threads=nb.get_num_threads())
        nb.set_num_threads(2)
        two = simulate(model, 9, threads=nb.get_num_threads())
    finally:
        nb.set_num_threads(before)
    assert one.in_parallel.sum() == 0 and two.in_parallel.sum() > 0
    _same_runs(one, two)


@pytest.mark.parametrize("feature", ["random40_everything", "markers_awareness2", "close_short_windows"])
def test_kernel_threads_on_feature_cases(tmp_path: Path, feature: str) -> None:
    """Closures, markers, multi-hop routes and capacities (the differential-test cases): parallel passes happen
    and change nothing."""
    model, _ = prepare(write_feature_case(tmp_path / feature, feature))
    serial, par = simulate(model, 3, threads=1), simulate(model, 3, threads=3)
    assert par.in_parallel.any()
    _same_runs(serial, par)
