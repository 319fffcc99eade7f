"""The sea process: numba kernel == numpy reference; conservation; agent mean == mean-field; levers act."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.runs.runner import prepare
from crossings.sea.bundles import draws, route_arrays
from crossings.sea.kernel import (
    ARR,
    BOATS,
    DEATHS,
    DEP,
    INT,
    N_OUT,
    PREV,
    WAIT,
    draw_inflow,
    draw_weather,
    sea_kernel,
)
from crossings.sea.model import build
from crossings.sea.reference import sea_reference, weather_reference
from crossings.sea.simulate import run_arrays

ROOT = Path(__file__).resolve().parents[1]
CM = ROOT / "scenarios" / "central_med.yaml"
ONE_PER_BOAT = {f"sea_links.{r}.people_per_boat.values": {"2019-01-01": 1.0}
                for r in ("libya_italy", "tunisia_italy", "other_italy")}
# a small surge on the classical boats (one size per date, or cv): the engine's mechanics; the shipped central
# Med's heavy-tailed size law has its own tests (test_sea_boat_sizes, test_meanfield_capacity)
SMALL = {"inflows.0.knots.2023-07-01": 40.0, "inflows.0.knots.2024-07-01": 40.0,
         "inflows.1.knots.2023-07-01": 5.0, "inflows.1.knots.2024-07-01": 5.0,
         "levers.tunisia_mou.start": "2023-06-15",
         **{f"sea_links.{r}.people_per_boat.size_sigma": 0.0 for r in ("libya_italy", "tunisia_italy", "other_italy")}}


def small(**extra: object):
    return build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides={**SMALL, **extra}))


def _both(a, seed):
    counts = draw_inflow(seed, a.inflow)
    good = draw_weather(seed, a.p_good, a.rho)
    outs, states = [], []
    routes = route_arrays(a)
    routes = routes._replace(loss_cdf=np.zeros_like(routes.loss_cdf))  # per-person lethality (loss tables: test_sea_deaths)
    for fn in (sea_kernel, sea_reference):
        out = np.zeros((N_OUT, len(a.routes), a.n_days))
        states.append(fn(seed, draws(counts, good, a.launch), routes, out))
        outs.append(out)
    return counts, outs, states


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**31), launch=st.floats(0.05, 1.0), prevention=st.floats(0.0, 0.9),
       cap=st.sampled_from([None, 0.05, 1.0]), cv=st.sampled_from([0.0, 0.15, 0.4]),
       launch_cap=st.sampled_from([None, 1.0, 3.0]), safe_places=st.sampled_from([None, 40.0, 5000.0]))
def test_numba_equals_numpy_reference(seed: int, launch: float, prevention: float, cap: float | None,
                                      cv: float, launch_cap: float | None, safe_places: float | None) -> None:
    over: dict[str, object] = {"sea_links.tunisia_italy.launch_share": launch,
                               "levers.tunisia_mou.prevention": prevention,
                               **{f"sea_links.{r}.people_per_boat.cv": cv for r in ("libya_italy", "tunisia_italy")}}
    if cap is not None:  # a binding patrol capacity: the chance per boat shrinks to chance x cap / boats
        over["sea_links.tunisia_italy.interception_capacity"] = cap
    if launch_cap is not None:  # at most this many boats launch on a window day (the rest wait)
        over["levers.tunisia_mou.launch_capacity"] = launch_cap
    if safe_places is not None:  # a safe route taking eligible people while the day's places last
        over["levers.safe"] = {"type": "safe_route", "route": "tunisia_italy", "start": "2023-06-01",
                               "eligible_share": 0.5, "places_per_month": safe_places}
    a = small(**over)
    _, (x, y), (sx, sy) = _both(a, seed)
    np.testing.assert_array_equal(x, y)
    for u, v in zip(sx, sy, strict=True):
        np.testing.assert_array_equal(u, v)


def test_people_are_conserved() -> None:
    a = small()
    counts, (out, _), ((state, _coast, _w), _) = _both(a, 7)
    from crossings.sea.kernel import DETAINED, GAVE_UP, WAITING

    n = counts.sum()
    assert state.size == n
    assert out[ARR].sum() == (state == 2).sum()
    assert out[DEATHS].sum() == (state == 3).sum()
    assert out[WAIT, :, -1].sum() == (state == WAITING).sum()
    assert (state == 0).sum() == 0
    # every departure ends as arrival, death or interception
    np.testing.assert_array_equal(out[DEP], out[ARR] + out[DEATHS] + out[INT])
    assert (state == DETAINED).sum() + (state == GAVE_UP).sum() > 0
    # boats launch full: every departing boat carries the day's people per boat
    np.testing.assert_array_equal(out[DEP], out[BOATS] * a.boat_size)
    assert out[BOATS].sum() > 0


def test_boat_sizes_vary_with_cv() -> None:
    """With a size spread, days carry whole boats of different sizes: people per departing boat is not
    the date's size on every day, its mean stays near it, and people are still conserved."""
    cv = {f"sea_links.{r}.people_per_boat.cv": 0.3 for r in ("libya_italy", "tunisia_italy", "other_italy")}
    a = small(**cv)
    assert (a.boat_cv == 0.3).all()
    counts, (out, ref), ((state, _c, _w), _) = _both(a, 5)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(out[DEP], out[ARR] + out[DEATHS] + out[INT])
    assert out[ARR].sum() == (state == 2).sum()
    on = out[BOATS] > 0
    assert on.sum() > 10
    assert not np.array_equal(out[DEP][on], (out[BOATS] * a.boat_size)[on])
    mean = out[DEP][on].sum() / out[BOATS][on].sum()
    assert abs(mean / a.ppb[on].mean() - 1.0) < 0.15


def test_people_are_conserved_every_day() -> None:
    """Everyone stopped or intercepted returns to wait and nobody is deterred, so people leave the coasts
    only by arriving or dying: on every day, people in so far = waiting + arrived so far + dead so far."""
    back = {f"sea_links.{r}.stopped": {"returned": 1.0, "detained": 0.0, "give_up": 0.0}
            for r in ("libya_italy", "tunisia_italy", "other_italy")}
    a = small(**back)
    assert (a.keep == 1.0).all() and (a.ret == 1.0).all()
    counts, outs, _ = _both(a, 7)
    came = counts.sum(axis=0).cumsum()
    for out in outs:  # numba kernel, numpy reference
        left = (out[ARR] + out[DEATHS]).sum(axis=0).cumsum()
        np.testing.assert_array_equal(came, out[WAIT].sum(axis=0) + left)
        assert out[PREV].sum() > 0 and out[INT].sum() > 0  # the return paths were taken


def test_same_seed_same_result_other_seed_differs() -> None:
    a = small()
    x, y, z = run_arrays(a, 3), run_arrays(a, 3), run_arrays(a, 4)
    np.testing.assert_array_equal(x, y)
    assert not np.array_equal(x, z)


def test_agent_mean_matches_mean_field() -> None:
    """With one person per boat the process is linear in the waiting stock: E[agent flows] = mean-field."""
    a = small(**ONE_PER_BOAT, **{"sea_links.tunisia_italy.interception_capacity": None})
    mf = run_arrays(a, 0, "meanfield")
    runs = np.array([run_arrays(a, s) for s in range(60)])
    for row in (ARR, DEP, INT, PREV):
        agent = runs[:, row].sum(axis=2)  # [seed, route]
        mean, se = agent.mean(axis=0), agent.std(axis=0, ddof=1) / np.sqrt(len(runs))
        assert np.all(np.abs(mean - mf[row].sum(axis=1)) < 4 * se + 1.0), (row, mean, mf[row].sum(axis=1))


def test_full_boats_only_the_mean_field_keeps_the_flow() -> None:
    """Boats of 32 launch full: the stock short of a boat waits; the mean-field's expected shortfall
    ((size - 1) / 2 = 15.5 people per coast) keeps its flows within a few percent of the agent mean and
    its waiting stock within a third of that shortfall."""
    a = small()
    mf = run_arrays(a, 0, "meanfield")
    runs = np.array([run_arrays(a, s) for s in range(30)])
    dep = runs[:, DEP].sum(axis=2).mean(axis=0)
    assert np.all(np.abs(dep - mf[DEP].sum(axis=1)) < 0.03 * mf[DEP].sum(axis=1) + 2 * a.boat_size.max())
    # the shortfall only shifts the stock, so the totals above barely see it; the waiting stock does
    # (without the term the mean-field stock is 13-15 people low on every coast)
    shortfall = (a.boat_size.max() - 1) / 2
    wait, wait_mf = runs[:, WAIT].mean(axis=(0, 2)), mf[WAIT].mean(axis=1)
    assert np.all(np.abs(wait - wait_mf) < shortfall / 3), (wait, wait_mf)


def test_weather_blocks_departures() -> None:
    a = small(**{"sea_links.libya_italy.weather.by_month": [0.0] * 12})
    out = run_arrays(a, 1)
    i = a.routes.index("libya_italy")
    assert out[DEP, i].sum() == 0 and out[WAIT, i, -1] > 0


def test_tunisia_deal_cuts_tunisia_and_diverts_to_libya() -> None:
    on, off = small(), small(**{"levers.tunisia_mou.enabled": False})
    mon, moff = run_arrays(on, 0, "meanfield"), run_arrays(off, 0, "meanfield")
    t, lib = on.routes.index("tunisia_italy"), on.routes.index("libya_italy")
    assert mon[DEP, t].sum() < moff[DEP, t].sum()
    assert mon[DEP, lib].sum() > moff[DEP, lib].sum()  # diversion: choice + returned people re-choosing


def test_rescue_withdrawal_raises_deaths() -> None:
    base = run_arrays(small(), 0, "meanfield")
    worse = run_arrays(small(**{"levers.rescue_withdrawal.enabled": True}), 0, "meanfield")
    assert worse[DEATHS].sum() > 2.0 * base[DEATHS].sum()


def test_deterrence_multiplier_reduces_departures() -> None:
    sc = prepare(CM, start="2023-05-01", end="2023-08-31", overrides={**SMALL, **ONE_PER_BOAT,
                 "sea_links.tunisia_italy.interception_capacity": None})  # linear: no capacity, 1 per boat
    n = (sc.end - sc.start).days + 1
    half = build(sc, multipliers={"italy": np.full(n, 0.5)})
    full = build(sc)
    d_half = run_arrays(half, 0, "meanfield")[DEP].sum()
    d_full = run_arrays(full, 0, "meanfield")[DEP].sum()
    assert d_half == pytest.approx(0.5 * d_full, rel=1e-9)


def test_interception_capacity_lowers_the_share_in_a_surge_and_mean_field_follows() -> None:
    kw: dict[str, str] = {"start": "2023-05-01", "end": "2023-09-30"}
    free = build(prepare(CM, kw["start"], kw["end"], overrides={"sea_links.tunisia_italy.interception_capacity": None}))
    tight = build(prepare(CM, kw["start"], kw["end"], overrides={"sea_links.tunisia_italy.interception_capacity": 3}))
    t = tight.routes.index("tunisia_italy")
    share = lambda o: o[INT, t].sum() / o[DEP, t].sum()  # noqa: E731
    assert share(run_arrays(tight, 1)) < 0.8 * share(run_arrays(free, 1))
    # capacity makes the process non-linear; the mean-field stays close to the agent mean
    mf = run_arrays(tight, 0, "meanfield")[INT, t].sum()
    agent = np.mean([run_arrays(tight, s)[INT, t].sum() for s in range(8)])
    assert abs(agent / mf - 1.0) < 0.05


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31), rho=st.floats(0.0, 0.95))
def test_weather_numba_equals_numpy_reference(seed: int, rho: float) -> None:
    a = small()
    r = np.full(len(a.routes), rho)
    np.testing.assert_array_equal(draw_weather(seed, a.p_good, r), weather_reference(seed, a.p_good, r))


def test_weather_persistence_keeps_the_share_and_sets_the_autocorrelation() -> None:
    """The chain's share of window days stays p; its lag-1 autocorrelation is rho; rho = 0 is the old
    independent draw (same uniforms)."""
    p = np.full((1, 200_000), 0.4)
    for rho in (0.0, 0.3, 0.7):
        g = draw_weather(5, p, np.array([rho])).astype(np.float64)[0]
        x = g - g.mean()
        assert abs(g.mean() - 0.4) < 0.01
        assert abs(np.sum(x[1:] * x[:-1]) / np.sum(x * x) - rho) < 0.01
    from crossings.core.rng import tick_key, uniform

    g0 = draw_weather(5, p[:, :50], np.zeros(1))[0]
    assert all(g0[t] == (uniform(tick_key(5, 42, t), 0) < 0.4) for t in range(50))


def test_weather_persistence_lengthens_spells_and_mean_field_still_holds() -> None:
    """Spells: longer runs of no-window days; the monthly flows stay near the mean-field (which uses
    the stationary share only) because everyone waiting leaves on the next window."""
    # launch share and window curve pinned at the session-6 fit's (0.35; windows 0.49-0.97 by month): the test is
    # of the spells' mechanism where windows are common; the session-7 fit's curve (0.40-0.50 every month) makes
    # rho 0.6 spells long enough that the stationary share misses the agents by up to 9% (other_italy)
    pinned = {f"sea_links.{r}.{k}": v for r in ("libya_italy", "tunisia_italy", "other_italy") for k, v in
              (("launch_share", 0.35), ("weather.by_month", [0.84753, 0.93063, 0.96236, 0.97004, 0.96236, 0.93063,
                                                              0.84753, 0.69727, 0.5472, 0.48832, 0.5472, 0.69727]))}
    a = small(**ONE_PER_BOAT, **{"sea_links.tunisia_italy.interception_capacity": None}, **pinned)
    a.rho = np.full(len(a.routes), 0.6)
    mf = run_arrays(a, 0, "meanfield")
    runs = np.array([run_arrays(a, s) for s in range(40)])
    dep = runs[:, DEP].sum(axis=2).mean(axis=0)
    assert np.all(np.abs(dep - mf[DEP].sum(axis=1)) < 0.05 * mf[DEP].sum(axis=1) + 5.0), (dep, mf[DEP].sum(axis=1))
