"""mix_identity (asylum/after_mix.py): each driver path picks one of two identity rules, with equal chance;
the run is then the picked rule's run with that path, exactly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from after_cut import triple_after
from crossings.asylum import after_mix
from crossings.asylum.after_data import AfterData
from crossings.core import rng
from crossings.core.errors import InputError
from crossings.forecasting import asylum_backtest as ab
from crossings.scenario.asylum import AfterDataSpec, parse_asylum

CUT = dt.date(2022, 12, 31)
START, END = dt.date(2018, 1, 1), dt.date(2023, 12, 31)
N = (END - START).days + 1
KEY = "asylum.destinations.uk"


def _paths_of(member: str) -> list[int]:
    return [p for p in range(1, 41) if after_mix.pick(p) == member]


def _inputs(rule: str, path: int | None, seed: int = 0) -> list[np.ndarray]:
    ad = AfterData(AfterDataSpec(rule=rule, data_until=CUT, path=path), KEY, START, N, seed)  # type: ignore[arg-type]
    return [ad.decision_capacity(), ad.grant_rate(), ad.withdrawal_share(), ad.dispersed_capacity(),
            ad.other_claims(0.99), ad.decision_share()]


def test_both_members_occur_with_about_equal_chance() -> None:
    picks = [after_mix.pick(p) for p in range(2000)]
    share = picks.count(after_mix.MEMBERS[0]) / len(picks)
    assert set(picks) == set(after_mix.MEMBERS) and 0.46 < share < 0.54  # binomial sd 0.011
    assert all(_paths_of(m) for m in after_mix.MEMBERS)  # both among the back-test's 40 first paths
    assert after_mix.STREAM == rng.STREAM_AFTER_MIX


def test_pick_is_the_declared_stream_draw_stratified_in_pairs() -> None:
    for j in (1, 4, 62):
        u = rng.uniform_np(rng.tick_key_np(j, rng.STREAM_IDS["asylum.after_mix"], 0), np.arange(1))[0]
        assert after_mix.pick(2 * j) == after_mix.MEMBERS[int(u * 2)]
        assert after_mix.pick(2 * j - 1) == after_mix.MEMBERS[1 - int(u * 2)]  # the pair's other member
    first20 = [after_mix.pick(p) for p in range(1, 21)]  # the back-test's members: 10 each
    assert first20.count(after_mix.MEMBERS[0]) == 10
    assert len({tuple(after_mix.pick(p) for p in range(2 * j - 1, 2 * j + 1)) for j in range(1, 21)}) == 2
    assert after_mix.resolve("stochastic", 3) == "stochastic"  # other rules unchanged


@pytest.mark.parametrize("member", after_mix.MEMBERS)
def test_a_path_runs_its_member_exactly(member: str) -> None:
    p = _paths_of(member)[0]
    for a, b in zip(_inputs("mix_identity", p), _inputs(member, p), strict=True):
        assert np.array_equal(a, b)
    ad = AfterData(AfterDataSpec(rule="mix_identity", data_until=CUT, path=p), KEY, START, N)
    ad.other_claims(0.99)
    s = ad.summary()
    assert s["rule"] == "mix_identity" and s["member_rule"] == member and s["path"] == p


def test_determinism_by_seed() -> None:
    """Without a path the run's seed is the path: the same seed, the same member and values."""
    p0, p1 = _paths_of(after_mix.MEMBERS[0])[0], _paths_of(after_mix.MEMBERS[1])[0]
    a = _inputs("mix_identity", None, seed=p0)
    assert all(np.array_equal(x, y) for x, y in zip(a, _inputs("mix_identity", None, seed=p0), strict=True))
    b = _inputs("mix_identity", None, seed=p1)
    assert not np.allclose(a[0], b[0])  # another member (and path): other decisions after the cut


def test_sees_nothing_after_the_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both members' paths: the values are unchanged when all data after the cut are tripled."""
    paths = [_paths_of(m)[0] for m in after_mix.MEMBERS]
    before = {p: _inputs("mix_identity", p) for p in paths}
    triple_after(monkeypatch, CUT)
    for p, arrs in before.items():
        for a, b in zip(arrs, _inputs("mix_identity", p), strict=True):
            assert np.allclose(a, b), p


def test_bad_rule_name_is_an_input_error() -> None:
    base = {"start": "2018-01-01", "end": "2018-12-31",
            "destinations": {"uk": {"decision_capacity": 1000, "grant_rate": 0.5}}}
    assert parse_asylum(base | {"destinations": {"uk": base["destinations"]["uk"] | {"after_data": "mix_identity"}}})
    with pytest.raises(InputError, match="after_data"):
        parse_asylum(base | {"destinations": {"uk": base["destinations"]["uk"] | {"after_data": "mix_identit"}}})


def test_back_test_member_is_the_picked_rules_member() -> None:
    """A whole back-test run (agents, arrivals driver) of mix_identity at seed = path = k equals the picked
    rule's run at k."""
    k = _paths_of(after_mix.MEMBERS[1])[0]
    origin = dt.date(2023, 3, 31)
    mix = ab.run_at_origin(origin, "mix_identity", k, k, horizon=1)
    own = ab.run_at_origin(origin, after_mix.MEMBERS[1], k, k, horizon=1)
    assert all(np.array_equal(mix[m], own[m]) for m in own)
