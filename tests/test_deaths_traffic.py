"""The traffic factor of the incident chance (sea.kernel._traffic_factors): numba == numpy with it on, the
factor follows its formula, it moves deaths the way its sign says, the mean-field carries it, and it is off by
default (every shipped result unchanged until a fitted file carries an elasticity)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.runs.runner import prepare
from crossings.sea.bundles import route_arrays
from crossings.sea.kernel import ARR, DEATHS, INCIDENTS, N_OUT, TRAFFIC_DAYS
from crossings.sea.model import build
from crossings.sea.reference import _traffic_factors
from crossings.sea.simulate import run_arrays
from test_sea_deaths import CM, ROUTES, _assert_engines_equal_with_deaths, lumpy


def traffic(elasticity: float, reference: float, incident: float = 0.05, mu: float = 1.0) -> dict[str, object]:
    over = lumpy(mu, 1.2, incident)
    for r in ROUTES:
        block = dict(over[f"sea_links.{r}.deaths"])  # type: ignore[call-overload]
        over[f"sea_links.{r}.deaths"] = {**block, "traffic_elasticity": elasticity, "traffic_reference": reference}
    return over


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**31), el=st.floats(-1.0, 0.5), ref=st.floats(100.0, 3000.0), incident=st.floats(0.05, 0.5))
def test_numba_equals_numpy_with_the_traffic_factor(seed: int, el: float, ref: float, incident: float) -> None:
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=traffic(el, ref, incident)))
    _assert_engines_equal_with_deaths(a, seed)


def test_factor_is_its_formula_pooled_over_the_group() -> None:
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=traffic(-0.5, 1000.0)))
    r = route_arrays(a)
    assert (r.traffic_group == 0).all()  # the three routes share one observed series: one pool
    out = np.zeros((N_OUT, 3, a.n_days))
    out[ARR, 0, :] = 30.0
    out[DEATHS, 1, :] = 3.0
    out[ARR, 2, :] = 7.0
    t = 45
    want = np.minimum(1.0, r.incident[:, t] * ((40.0 * TRAFFIC_DAYS) / 1000.0) ** -0.5)
    np.testing.assert_allclose(_traffic_factors(t, r, out), want, rtol=1e-14)
    np.testing.assert_array_equal(_traffic_factors(TRAFFIC_DAYS - 1, r, out), r.incident[:, TRAFFIC_DAYS - 1])
    out[:] = 0.0  # a quiet month: the traffic is at least one boat's people
    want = np.minimum(1.0, r.incident[:, t] * (r.ppb[:, t] / 1000.0) ** -0.5)
    np.testing.assert_allclose(_traffic_factors(t, r, out), want, rtol=1e-14)


def test_off_by_default_and_the_sign_moves_incidents() -> None:
    base = build(prepare(CM, start="2023-01-01", end="2023-06-30", overrides=lumpy(1.0, 1.2, 0.05)))
    r = route_arrays(base)
    assert (r.traffic_group == -1).all() and (r.traffic_elasticity == 0).all()
    # a reference far above the traffic: with a negative elasticity every boat is riskier than without
    low = build(prepare(CM, start="2023-01-01", end="2023-06-30", overrides=traffic(-0.5, 1e7)))
    n0 = sum(run_arrays(base, s)[INCIDENTS].sum() for s in (1, 2, 3))
    n1 = sum(run_arrays(low, s)[INCIDENTS].sum() for s in (1, 2, 3))
    assert n1 > 2 * n0, (n0, n1)


def test_agent_mean_matches_mean_field_with_the_traffic_factor() -> None:
    a = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=traffic(-0.5, 20000.0)))
    mf = run_arrays(a, 0, engine="meanfield")[DEATHS].sum()
    sims = np.array([run_arrays(a, s)[DEATHS].sum() for s in range(1, 31)])
    se = sims.std(ddof=1) / np.sqrt(sims.size)
    assert abs(sims.mean() - mf) < 4 * se + 0.05 * mf, (sims.mean(), mf, se)
