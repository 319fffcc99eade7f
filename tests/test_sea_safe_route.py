"""Safe-route lever: an eligible share of the people reaching a coast takes a legal route while the day's
places last, instead of waiting for a boat (numba == numpy, capacity, conservation, mean-field, errors)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from crossings.core.errors import InputError
from crossings.runs.runner import prepare, run_scenario
from crossings.sea.bundles import draws, route_arrays
from crossings.sea.kernel import ARR, DEP, N_OUT, SAFE, SAFE_OUT, WAIT, draw_inflow, draw_weather, sea_kernel
from crossings.sea.model import build
from crossings.sea.reference import sea_reference
from crossings.sea.simulate import run_arrays

ROOT = Path(__file__).resolve().parents[1]
CM = ROOT / "scenarios" / "central_med.yaml"
# a small surge on the classical boats (one size per date, or cv): the engine's mechanics; the shipped central
# Med's heavy-tailed size law has its own tests (test_sea_boat_sizes, test_meanfield_capacity)
SMALL = {"inflows.0.knots.2023-07-01": 40.0, "inflows.0.knots.2024-07-01": 40.0,
         "inflows.1.knots.2023-07-01": 5.0, "inflows.1.knots.2024-07-01": 5.0,
         "levers.tunisia_mou.start": "2023-06-15",
         **{f"sea_links.{r}.people_per_boat.size_sigma": 0.0 for r in ("libya_italy", "tunisia_italy", "other_italy")}}
ONE_PER_BOAT = {f"sea_links.{r}.people_per_boat.values": {"2019-01-01": 1.0}
                for r in ("libya_italy", "tunisia_italy", "other_italy")}


def _lever(places: float, eligible: float = 0.6, **extra: Any) -> dict[str, Any]:
    return {"levers.safe": {"type": "safe_route", "route": "tunisia_italy", "start": "2023-06-01",
                            "eligible_share": eligible, "places_per_month": places, **extra}}


def small(**over: Any):
    return build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides={**SMALL, **over}))


def _states(a, seed: int):
    counts = draw_inflow(seed, a.inflow)
    good = draw_weather(seed, a.p_good, a.rho)
    res = []
    routes = route_arrays(a)
    routes = routes._replace(loss_cdf=np.zeros_like(routes.loss_cdf))  # per-person lethality, as before the tables
    for fn in (sea_kernel, sea_reference):
        out = np.zeros((N_OUT, len(a.routes), a.n_days))
        st = fn(seed, draws(counts, good, a.launch), routes, out)
        res.append((out, st))
    return counts, res


@pytest.mark.parametrize("places", [30.0, 400.0, 1e6])  # binding, partly binding, never binding
def test_numba_equals_numpy(places: float) -> None:
    a = small(**_lever(places))
    for seed in (1, 5):
        _, ((x, sx), (y, sy)) = _states(a, seed)
        np.testing.assert_array_equal(x, y)
        for u, v in zip(sx, sy, strict=True):
            np.testing.assert_array_equal(u, v)


def test_places_bound_the_takers_and_people_are_conserved() -> None:
    places = 150.0
    a = small(**_lever(places, eligible=1.0))
    counts, ((out, (state, _, _)), _) = _states(a, 3)
    taken = out[SAFE_OUT].sum(axis=0)
    per_day = places * 12.0 / 365.25
    accrued = np.cumsum(a.safe_cap.sum(axis=0))
    assert np.all(np.cumsum(taken) <= np.floor(accrued) + 1e-9)  # never more than the places accrued
    assert taken.max() <= np.ceil(per_day)
    assert taken.sum() >= 0.9 * per_day * np.sum(a.safe_cap[1] > 0)  # eligible people are plentiful: it binds
    assert (state == SAFE).sum() == out[SAFE_OUT].sum()
    assert out[WAIT, :, -1].sum() == (state == 1).sum()
    assert state.size == counts.sum() and (state == 0).sum() == 0


def test_no_places_before_the_start_and_nothing_changes_without_the_lever() -> None:
    a = small(**_lever(400.0))
    t0 = (prepare(CM, overrides={**SMALL, **_lever(400.0)}).levers["safe"].start - a.start).days
    assert np.all(a.safe_cap[:, :t0] == 0) and np.all(a.safe_share[:, :t0] == 0)
    off = small(**_lever(400.0, enabled=False))
    np.testing.assert_array_equal(run_arrays(off, 2), run_arrays(small(), 2))
    assert run_arrays(off, 2)[SAFE_OUT].sum() == 0


def test_people_taking_the_route_leave_the_boats_and_mean_field_follows() -> None:
    """One person per boat: the safe route removes people before the coast; departures fall by about
    the takers (some of them would have given up or waited instead) and the mean-field agrees."""
    base = small(**ONE_PER_BOAT)
    safe = small(**ONE_PER_BOAT, **_lever(600.0, eligible=0.5))
    runs_b = np.array([run_arrays(base, s) for s in range(30)])
    runs_s = np.array([run_arrays(safe, s) for s in range(30)])
    taken = runs_s[:, SAFE_OUT].sum(axis=(1, 2)).mean()
    fewer = runs_b[:, DEP].sum(axis=(1, 2)).mean() - runs_s[:, DEP].sum(axis=(1, 2)).mean()
    assert taken > 500 and 0.6 * taken < fewer <= 1.05 * taken
    mf = run_arrays(safe, 0, "meanfield")
    assert mf[SAFE_OUT].sum() == pytest.approx(taken, rel=0.05)
    assert mf[ARR].sum() == pytest.approx(runs_s[:, ARR].sum(axis=(1, 2)).mean(), rel=0.05)


def test_safe_route_is_a_reported_measure() -> None:
    res = run_scenario(CM, start="2023-05-01", end="2023-08-31", overrides={**SMALL, **_lever(400.0)})
    m = res.monthly[(res.monthly["measure"] == "safe_route") & (res.monthly["place"] == "tunisia_italy")]
    assert m["simulated"].sum() > 0 and m["simulated"].iloc[0] == 0  # May: before the lever


@pytest.mark.parametrize(("key", "value"), [("places_per_month", 0.0), ("eligible_share", 1.5),
                                            ("route", "nowhere"), ("colour", "red")])
def test_malformed_safe_route_is_an_input_error(key: str, value: Any) -> None:
    lever = _lever(400.0)
    lever["levers.safe"][key] = value
    with pytest.raises(InputError, match="safe"):
        build(prepare(CM, overrides=lever))


def _sea_ns(n: int, arrivals: float, safe: float) -> SimpleNamespace:
    arr = np.full(n, arrivals)
    return SimpleNamespace(start=dt.date(2024, 1, 1), n_days=n, routes=["r1"], destination_of_route={"r1": "land"},
                           arrivals={"r1": arr}, departures={"r1": arr}, boats={"r1": arr / 40},
                           interceptions={"r1": 0 * arr}, deaths={"r1": 0 * arr}, rescued_by_destination={},
                           safe_route={"r1": np.full(n, safe)})


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_safe_route_arrivals_claim_in_the_asylum_part(share: float) -> None:
    """People who came by the safe route claim on arrival with `safe_route_claim_share` (all of them at 1,
    none at 0), on top of the boat arrivals' claims; a large number of them fits the preallocated queues."""
    from crossings.asylum.simulate import run_asylum
    from crossings.scenario.asylum import parse_asylum

    cfg = parse_asylum({"destinations": {"land": {"decision_capacity": 100.0, "grant_rate": 0.5,
                                                  "inflows": {"safe_route_claim_share": share}}}})
    out = run_asylum(cfg, _sea_ns(90, 50.0, 400.0), seed=2).summary["destinations"]["land"]
    assert out["safe_route_claims"] == share * 400 * 90
    assert out["claims"] == 50 * 90 + share * 400 * 90


def test_safe_route_arrivals_do_not_claim_on_observed_days() -> None:
    """Observed arrivals already are what happened: safe-route people from the sea model would be counted
    twice, so they claim only on days fed by the sea model."""
    from crossings.asylum.simulate import run_asylum
    from crossings.scenario.asylum import parse_asylum

    cfg = parse_asylum({"destinations": {"land": {"decision_capacity": 100.0, "grant_rate": 0.5, "inflows": {
        "observed_arrivals": "italy_sea_arrivals_daily_unhcr", "arrivals_from": "observed_then_sea"}}}})
    sea = _sea_ns(90, 50.0, 10.0)
    sea.start = dt.date(2024, 12, 1)  # 31 observed days, then 59 sea-model days
    out = run_asylum(cfg, sea, seed=2).summary["destinations"]["land"]
    assert out["safe_route_claims"] == 10 * 59
