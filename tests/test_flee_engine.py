"""Flee engine: numba == numpy reference, conservation, determinism, a known-answer chain, rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from crossings.core.errors import InputError
from crossings.flee.api import prepare, run_case
from crossings.flee.engine_numba import TRAVELLING
from crossings.flee.metrics import ard, daily_errors
from crossings.flee.model import simulate
from crossings.flee.rules import FleeRules, rules_from_dict
from crossings.flee.synthetic import write_chain_case

QUICK: dict[str, Any] = {"move_rules": {"max_move_speed": 100, "default_movechance": 0.5, "start_on_foot": True,
                        "avoid_short_stints": True, "camp_weight": 2.0},
         "spawn_rules": {"conflict_spawn_decay": [1.0, 0.5]}}


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chain_case(tmp_path_factory.mktemp("flee") / "chain", days=30, camp_capacity=300)


def _assert_engines_equal(model: Any, seed: int) -> None:
    """The numba kernel and the numpy reference give the same counts, transit and agent states."""
    a = simulate(model, seed, "numba")
    b = simulate(model, seed, "numpy")
    assert a.n_agents == b.n_agents > 0
    np.testing.assert_array_equal(a.loc_counts, b.loc_counts)
    np.testing.assert_array_equal(a.transit, b.transit)
    for k in a.state:
        np.testing.assert_array_equal(a.state[k], b.state[k], err_msg=k)


@pytest.mark.parametrize("aw", [0, 1, 2])
def test_numba_equals_numpy(chain: Path, aw: int) -> None:
    rules = rules_from_dict({**QUICK, "move_rules": {**QUICK["move_rules"], "awareness_level": aw}})
    model, _ = prepare(chain, rules)
    _assert_engines_equal(model, 7)


def test_capacity_band_is_reached_and_respected(chain: Path) -> None:
    model, _ = prepare(chain, rules_from_dict(QUICK))
    raw = simulate(model, 3)
    c = model.case.loc_names.index("C")
    n = raw.loc_counts[:, c]
    full = int(np.argmax(n >= 300))
    assert n[full] >= 300  # the camp fills up ...
    # ... then nobody new heads there: only agents already under way still arrive (as in Flee)
    assert (np.diff(n[full + 3:]) <= 0).all()
    assert n.max() <= 300 + raw.transit[full - 1]


def test_conservation_every_day(chain: Path) -> None:
    model, _ = prepare(chain, rules_from_dict(QUICK))
    raw = simulate(model, 11)
    np.testing.assert_array_equal(raw.loc_counts.sum(axis=1) + raw.transit, raw.agents)
    assert raw.agents[-1] == model.tl.initial.sum() + model.tl.n_spawn.sum()
    assert (raw.loc_counts >= 0).all() and (raw.transit >= 0).all()
    # the counters agree with the agents themselves: where the non-travelling agents stand, and how many travel
    moving = (raw.state["flags"] & TRAVELLING) != 0
    n_loc = raw.loc_counts.shape[1]
    np.testing.assert_array_equal(raw.loc_counts[-1], np.bincount(raw.state["pos"][~moving], minlength=n_loc))
    assert raw.transit[-1] == moving.sum() > 0


def test_same_seed_identical_other_seed_different(chain: Path) -> None:
    model, _ = prepare(chain, rules_from_dict(QUICK))
    a, b, c = simulate(model, 5), simulate(model, 5), simulate(model, 6)
    np.testing.assert_array_equal(a.loc_counts, b.loc_counts)
    assert not np.array_equal(a.loc_counts, c.loc_counts)


def _write_line_case(root: Path) -> Path:
    inp, src = root / "input_csv", root / "source_data"
    inp.mkdir(parents=True)
    src.mkdir()
    (inp / "locations.csv").write_text("#name,region,country,lat,lon,location_type,conflict_date,population\n"
                                       "A,r,X,0,0,conflict_zone,0,100\nB,r,X,0,1,town,,100\nC,r,Y,0,2,camp,,\n")
    (inp / "routes.csv").write_text("#name1,name2,distance,forced_redirection\nA,B,100,0\nB,C,100,0\n")
    (inp / "sim_period.csv").write_text("StartDate,2021-03-01\nLength,12\n")
    (src / "data_layout.csv").write_text("total,total.csv\nC,c.csv\n")
    (src / "total.csv").write_text("2021-03-01,0\n2021-03-02,1\n")
    (src / "c.csv").write_text("2021-03-01,0\n2021-03-10,1\n")
    return root


def test_known_answer_chain_of_links(tmp_path: Path) -> None:
    """One agent walks 30 km/day: 100 km to B (arrives day 4, chains on), 100 km to C (arrives day 7)."""
    case = _write_line_case(tmp_path / "line")
    rules = rules_from_dict({"move_rules": {"max_move_speed": 30, "conflict_weight": 0.0, "default_movechance": 1.0,
                                            "camp_movechance": 0.0}})
    result = run_case(case, rules=rules, seed=4)
    occ = result.occupancy.pivot(index="day", columns="location", values="agents")
    assert result.n_agents == 1
    assert list(occ["C"]) == [0] * 7 + [1] * 5
    assert list(occ["B"]) == [0] * 12  # passes through B on day 4 without stopping
    assert list(result.daily["in_transit"]) == [0] + [1] * 6 + [0] * 5


def test_link_closure_sends_agent_back(tmp_path: Path) -> None:
    case = _write_line_case(tmp_path / "line")
    (case / "input_csv" / "closures.csv").write_text("#type,a,b,start,end\nlink,B,C,5,-1\n")
    rules = rules_from_dict({"move_rules": {"max_move_speed": 30, "conflict_weight": 0.0, "default_movechance": 1.0,
                                            "camp_movechance": 0.0}})
    result = run_case(case, rules=rules, seed=4)
    occ = result.occupancy.pivot(index="day", columns="location", values="agents")
    assert occ.loc[7, "B"] == 1  # reached the end of B->C on day 7, but it closed on day 5: back to B
    assert (occ["C"] == 0).all()


def test_rules_defaults_and_errors(tmp_path: Path) -> None:
    r = FleeRules()
    assert (r.max_move_speed, r.camp_movechance, r.awareness_level, r.capacity_buffer) == (360.0, 0.001, 1, 0.9)
    assert r.decay(100) == 1.0
    r2 = rules_from_dict({"spawn_rules": {"conflict_spawn_decay": [1, 1, 1, 0.5, 0.1], "sum_from_camps": True},
                          "move_rules": {"capacity_scaling": 1.25, "use_v1_rules": True}})
    assert r2.decay(95) == 0.5 and r2.decay(10_000) == 0.1
    assert (r2.max_move_speed, r2.camp_weight, r2.conflict_weight) == (200.0, 2.0, 0.25)
    typo = rules_from_dict({"move_rules": {"max_move_sped": 3}}, "x.yml")  # ignored like flee 3.1, but reported
    assert typo.max_move_speed == 360.0 and any("move_rules.max_move_sped" in w for w in typo.warnings)
    with pytest.raises(InputError, match="expected a float"):
        rules_from_dict({"move_rules": {"softening": "soft"}}, "x.yml")


def test_metric_definitions() -> None:
    sim = np.array([[10, 0], [5, 5]])
    data = np.array([[5, 5], [0, 0]])
    e, e_r = daily_errors(sim, data)
    assert e.tolist() == [1.0, 10.0]  # day 2: no data, divided by max(U, 1) = 1
    assert e_r.tolist() == [1.0, 0.0]  # day 2: scaled by U/sum(sim) = 0
    assert ard(sim, data) == (5.5, 0.5)


@pytest.mark.parametrize("extra", [
    {"spawn_rules": {"conflict_driven_spawning": {"spawn_mode": "constant", "displaced_per_conflict_day": 7},
                     "take_from_population": True}},
    {"spawn_rules": {"conflict_driven_spawning": {"spawn_mode": "Poisson", "displaced_per_conflict_day": 9}}},
    {"move_rules": {"movechance_pop_scale_factor": 0.2, "use_pop_for_loc_weight": True, "weight_power": 1.5,
                    "weight_softening": 0.3, "stay_close_to_home": True, "MatchCampEthnicity": True}},
])
def test_numba_equals_numpy_other_rules(chain: Path, extra: dict[str, Any]) -> None:
    merged = {k: {**QUICK.get(k, {}), **extra.get(k, {})} for k in ("move_rules", "spawn_rules")}
    model, _ = prepare(chain, rules_from_dict(merged))
    _assert_engines_equal(model, 2)
