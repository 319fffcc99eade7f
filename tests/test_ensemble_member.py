"""A member built once and reused across seeds gives exactly run_scenario's monthly column; chunks, executors
and worker counts do not change the summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.core.executor import LocalExecutor, SerialExecutor
from crossings.runs.ensemble import run_ensemble
from crossings.runs.member import prepare_members, run_members
from crossings.runs.runner import run_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize(("name", "over"), [("central_med.yaml", {"start": "2023-01-01", "end": "2023-12-31"}),
                                            ("uk_asylum.yaml", {"start": "2023-01-01", "end": "2023-06-30"})])
def test_member_vector_is_the_runs_monthly_column(name: str, over: dict[str, str]) -> None:
    seeds = [3, 4]
    spec, template = prepare_members(SCEN / name, seeds, [over, over])
    assert (spec.arrays is not None) == (name == "central_med.yaml")  # built once where there is no asylum part
    res = run_members(spec, [0, 1])
    for i, s in enumerate(seeds):
        ref = run_scenario(SCEN / name, seed=s, overrides=over).monthly
        assert np.array_equal(res["monthly"][i], ref["simulated"].to_numpy(), equal_nan=True)
        pd.testing.assert_frame_equal(template, ref.drop(columns=["simulated"]))


def test_parameter_draws_per_member_are_the_runs_with_those_overrides() -> None:
    from crossings.calibrate.uncertainty import member_overrides

    over = {"end": "2019-06-30"}
    per, _ = member_overrides(SCEN / "channel.yaml", [1, 2], over)
    spec, _ = prepare_members(SCEN / "channel.yaml", [1, 2], per)
    assert spec.arrays is None  # each member builds its own arrays from its own parameters
    res = run_members(spec, [0, 1])
    for i, s in enumerate((1, 2)):
        ref = run_scenario(SCEN / "channel.yaml", seed=s, overrides=per[i]).monthly["simulated"].to_numpy()
        assert np.array_equal(res["monthly"][i], ref)


def test_summary_same_for_serial_pool_and_chunk_order() -> None:
    class Reversed(SerialExecutor):  # completion order reversed: the partitions are read in member order anyway
        def run(self, fn, payload, tasks):  # type: ignore[no-untyped-def]
            return reversed(list(super().run(fn, payload, tasks)))

    seeds = list(range(1, 61))  # 3 chunks
    over = {"end": "2018-12-31"}
    a = run_ensemble(SCEN / "channel.yaml", seeds, over, executor=SerialExecutor())
    b = run_ensemble(SCEN / "channel.yaml", seeds, over, executor=LocalExecutor(2))
    c = run_ensemble(SCEN / "channel.yaml", seeds, over, executor=Reversed())
    for x in (b, c):
        pd.testing.assert_frame_equal(a.monthly, x.monthly, check_exact=True)
        pd.testing.assert_frame_equal(a.annual, x.annual, check_exact=True)
