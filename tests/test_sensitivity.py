"""Sensitivity: the same code path (sample -> model -> SALib analysis) recovers the Ishigami function's known
indices; outputs and parameters are parsed strictly; the scenario model runs the scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crossings.core.errors import InputError
from crossings.runs.sensitivity import indices, parse_output, parse_params

PI = float(np.pi)
SCEN = Path(__file__).resolve().parents[1] / "scenarios"


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_indices_recovered_within_their_intervals() -> None:
    bounds = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}
    t, x, y = indices(ishigami, bounds, ["f"], "sobol", n=4096, seed=3)
    assert len(x) == 4096 * 5
    s1 = t["S1"].to_numpy()
    st = t["ST"].to_numpy()
    # analytical values (Ishigami & Homma 1990; a=7, b=0.1)
    assert np.allclose(s1, [0.3139, 0.4424, 0.0], atol=0.03), s1
    assert np.allclose(st, [0.5576, 0.4424, 0.2437], atol=0.03), st
    assert (t["S1_conf"] > 0).all() and (t["S1_conf"] < 0.1).all()


def test_morris_ranks_ishigami_x3_above_nothing_and_x1_first() -> None:
    bounds = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI), "dummy": (0.0, 1.0)}

    def f(x: np.ndarray) -> np.ndarray:
        return ishigami(x[:, :3])

    t, _, _ = indices(f, bounds, ["f"], "morris", n=200, seed=1)
    mu = dict(zip(t["parameter"], t["mu_star"], strict=True))
    assert mu["dummy"] == 0.0 and mu["x3"] > 0 and mu["x2"] > mu["x3"]


def test_bad_params_and_outputs_are_input_errors() -> None:
    assert parse_params(["a.b=0:1"]) == {"a.b": (0.0, 1.0)}
    for bad in (["a.b=1:0"], ["a.b=x:1"], ["a.b"], []):
        with pytest.raises(InputError):
            parse_params(bad)
    o = parse_output("arrivals:italy@2023-07..2024-06")
    assert (o.first, o.last) == ("2023-07", "2024-06")
    assert parse_output("deaths:libya_italy@2024").last == "2024-12"
    for bad in ("arrivals@2024", "arrivals:italy", "arrivals:italy@24"):
        with pytest.raises(InputError):
            parse_output(bad)


def test_scenario_outputs_are_the_runs_outputs() -> None:
    from crossings.runs.runner import run_scenario
    from crossings.runs.sensitivity import scenario_model

    over = {"end": "2019-06-30"}
    outs = [parse_output("arrivals:france_uk@2018"), parse_output("waiting:france_uk@2019-01..2019-03")]
    model = scenario_model(SCEN / "channel.yaml", ["sea_links.france_uk.launch_share"], outs, seed=5, overrides=over)
    x = np.array([[0.2], [0.6]])
    y = model(x)
    for row, v in zip(y, x[:, 0], strict=True):
        m = run_scenario(SCEN / "channel.yaml", seed=5, overrides={**over, "sea_links.france_uk.launch_share": v}).monthly
        pc = "place" if "place" in m.columns else "route"
        a = m[(m[pc] == "france_uk") & (m["measure"] == "arrivals") & (m["month"].str[:4] == "2018")]["simulated"].sum()
        w = m[(m[pc] == "france_uk") & (m["measure"] == "waiting") & (m["month"] == "2019-03")]["simulated"].iloc[0]
        assert row[0] == a and row[1] == w
    assert y[0, 0] != y[1, 0]
