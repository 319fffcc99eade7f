"""Launch capacity (boats a window day): a route's or a lever's cap on the boats launched in one day."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crossings.core.errors import InputError
from crossings.runs.runner import prepare
from crossings.sea.kernel import BOATS, DEP, PREV, WAIT
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays

ROOT = Path(__file__).resolve().parents[1]
CH = ROOT / "scenarios" / "channel.yaml"
DEAL = "levers.uk_france_deal"


def _arrays(**over: object):
    return build(prepare(CH, start="2022-06-01", end="2023-09-30", overrides=over or None))


def test_lever_sets_the_cap_from_its_start_only() -> None:
    a = _arrays(**{f"{DEAL}.launch_capacity": 7.0})
    t0 = (prepare(CH).levers["uk_france_deal"].start - a.start).days
    assert np.all(np.isinf(a.launch_cap[0, :t0]))
    assert np.all(a.launch_cap[0, t0:] == 7.0)


def test_route_cap_holds_every_day_and_lever_replaces_it() -> None:
    a = _arrays(**{"sea_links.0.launch_capacity": 30.0, f"{DEAL}.launch_capacity": 7.0})
    t0 = (prepare(CH).levers["uk_france_deal"].start - a.start).days
    assert np.all(a.launch_cap[0, :t0] == 30.0) and np.all(a.launch_cap[0, t0:] == 7.0)


@pytest.mark.parametrize("cap", [1.0, 4.0])
def test_no_day_launches_more_boats_than_the_cap(cap: float) -> None:
    a = _arrays(**{"sea_links.0.launch_capacity": cap})
    out = run_arrays(a, 3)
    assert out[BOATS, 0].max() <= cap  # departed boats (launched minus stopped on the beach)
    assert out[PREV, 0].max() <= cap * a.ppb[0].max() * 2.0  # stopped people: the cap's boats (sizes <= 1.8 x mean)
    free = run_arrays(_arrays(), 3)  # the cap binds: without it some day sends more
    assert free[BOATS, 0].max() > cap


def test_cap_keeps_people_waiting_not_lost() -> None:
    """Boats beyond the cap wait for the next window: over a long run the cap moves people to later
    days (fewer on the biggest days) rather than removing them."""
    free, capped = run_arrays(_arrays(), 5), run_arrays(_arrays(**{"sea_links.0.launch_capacity": 8.0}), 5)
    assert capped[BOATS, 0].max() < free[BOATS, 0].max()
    # the people held back go later: the total departed differs by less than the waiting stock
    dep_free, dep_cap = free[DEP, 0].sum(), capped[DEP, 0].sum()
    assert abs(dep_free - dep_cap) <= capped[WAIT, 0, -1] + free[WAIT, 0, -1] + 1


def test_meanfield_caps_window_day_launches() -> None:
    a = _arrays(**{"sea_links.0.launch_capacity": 2.0})
    mf = run_arrays(a, 1, "meanfield")
    # expected boats a day <= P(window) x cap
    assert np.all(mf[BOATS, 0] <= a.p_good[0] * 2.0 + 1e-9)


@pytest.mark.parametrize("value", [0, -3])
def test_non_positive_cap_is_an_input_error(value: float) -> None:
    with pytest.raises(InputError, match="launch_capacity"):
        prepare(CH, overrides={f"{DEAL}.launch_capacity": value})
