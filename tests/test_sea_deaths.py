"""Deaths as they happen (sea.deaths): numba == numpy with a loss table; losses are lumps capped at the
people aboard; the agent mean matches the mean-field's expected deaths; season and crowding act."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.runs.runner import prepare
from crossings.sea.bundles import draws, route_arrays
from crossings.sea.deaths import draw_loss, expected_loss, incident_factor, loss_cdf, loss_pmf
from crossings.sea.kernel import DEATHS, DEP, INT, N_OUT, draw_inflow, draw_weather, sea_kernel
from crossings.sea.model import build
from crossings.sea.reference import sea_reference
from crossings.sea.simulate import run_arrays

ROOT = Path(__file__).resolve().parents[1]
CM = ROOT / "scenarios" / "central_med.yaml"
CH = ROOT / "scenarios" / "channel.yaml"
ROUTES = ("libya_italy", "tunisia_italy", "other_italy")
SMALL = {"inflows.0.knots.2023-07-01": 40.0, "inflows.0.knots.2024-07-01": 40.0,
         "inflows.1.knots.2023-07-01": 5.0, "inflows.1.knots.2024-07-01": 5.0,
         "levers.tunisia_mou.start": "2023-06-15"}


def lumpy(mu: float = 1.0, sigma: float = 1.2, incident: float = 0.2, amp: float = 0.5,
          **extra: object) -> dict[str, object]:
    over: dict[str, object] = {**SMALL, **extra}
    for r in ROUTES:
        over[f"sea_links.{r}.deaths"] = {"season_amplitude": amp, "season_peak_month": 1.0, "loss_mu": mu,
                                         "loss_sigma": sigma}
        over[f"sea_links.{r}.incident_per_boat"] = incident
    return over


def _both(a, seed):
    counts = draw_inflow(seed, a.inflow)
    good = draw_weather(seed, a.p_good, a.rho)
    outs, states = [], []
    for fn in (sea_kernel, sea_reference):
        out = np.zeros((N_OUT, len(a.routes), a.n_days))
        states.append(fn(seed, draws(counts, good, a.launch), route_arrays(a), out))
        outs.append(out)
    return outs, states


def _assert_engines_equal_with_deaths(a, seed):
    """The numba kernel and the numpy reference give the same outputs and end states, and someone died."""
    (x, y), (sx, sy) = _both(a, seed)
    assert x[DEATHS].sum() > 0
    np.testing.assert_array_equal(x, y)
    for u, v in zip(sx, sy, strict=True):
        np.testing.assert_array_equal(u, v)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31), mu=st.floats(-1.0, 4.0), sigma=st.floats(0.2, 2.5),
       incident=st.floats(0.3, 0.9), cv=st.sampled_from([0.0, 0.3]))
def test_numba_equals_numpy_with_loss_table(seed: int, mu: float, sigma: float, incident: float, cv: float) -> None:
    # triangular sizes (cv) instead of the shipped size law (size_sigma; its own test: test_sea_boat_sizes)
    over = lumpy(mu, sigma, incident, **{f"sea_links.{r}.people_per_boat.cv": cv for r in ROUTES},
                 **{f"sea_links.{r}.people_per_boat.size_sigma": 0.0 for r in ROUTES})
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=over))
    _assert_engines_equal_with_deaths(a, seed)


def test_loss_draws_follow_the_table_and_are_capped() -> None:
    cdf = loss_cdf(1.5, 1.0)
    pmf = loss_pmf(1.5, 1.0)
    assert abs(pmf.sum() - 1.0) < 1e-12 and cdf[-1] == 1.0
    rng = np.random.default_rng(3)
    k = np.array([draw_loss(cdf, u, 1000) for u in rng.random(20000)])
    assert abs(k.mean() - float(np.sum(np.arange(1, pmf.size + 1) * pmf))) < 0.15
    assert max(draw_loss(cdf, u, 7) for u in rng.random(2000)) == 7  # never more than the people aboard
    assert abs(expected_loss(cdf, np.array([7]))[0] - np.mean([min(x, 7) for x in k])) < 0.1


def test_deaths_come_in_lumps_per_boat() -> None:
    """With every sailing boat having an incident and K >= aboard, whole boats are lost: deaths are
    multiples of the boat size on a day with one coast's boats (every boat 32 people: the size law off)."""
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=lumpy(
        5.0, 0.1, 1.0, amp=0.0, **{f"sea_links.{r}.people_per_boat.size_sigma": 0.0 for r in ROUTES})))
    out = run_arrays(a, 5)
    dead, dep, caught = out[DEATHS], out[DEP], out[INT]
    np.testing.assert_array_equal(dead, dep - caught)  # everyone on a sailing boat dies


def test_agent_mean_matches_mean_field_deaths() -> None:
    a = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=lumpy(1.0, 1.2, 0.05)))
    mf = run_arrays(a, 0, engine="meanfield")[DEATHS].sum()
    sims = np.array([run_arrays(a, s)[DEATHS].sum() for s in range(1, 31)])
    se = sims.std(ddof=1) / np.sqrt(sims.size)
    assert abs(sims.mean() - mf) < 4 * se + 0.05 * mf, (sims.mean(), mf, se)


def test_season_and_crowding_act_on_the_incident_chance() -> None:
    months = np.array([1.0, 7.0])
    f = incident_factor(months, np.array([10.0, 10.0]), 0.5, 1.0, 0.0, 1.0)
    assert f[0] / f[1] == pytest.approx(np.exp(1.0))
    g = incident_factor(months, np.array([20.0, 40.0]), 0.0, 1.0, 1.5, 20.0)
    assert g[1] / g[0] == pytest.approx(2 ** 1.5)
    base = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=lumpy()))
    assert base.incident[0, 0] / base.incident[0, 180] > 2.0  # January seas vs July


def test_rescue_withdrawal_raises_the_incident_chance() -> None:
    over = lumpy(1.0, 1.2, 0.05, **{"levers.rescue_withdrawal.enabled": True})
    a = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=over))
    b = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=lumpy(1.0, 1.2, 0.05)))
    np.testing.assert_allclose(a.incident, np.clip(b.incident * 3.24, 0, 1))


def test_no_table_keeps_the_per_person_lethality() -> None:
    """A scenario without a deaths block runs exactly as before (no loss table: lethality per person)."""
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides={**SMALL, "sea_links.libya_italy.deaths": None}))
    assert not a.loss_cdf[0].any()


def test_year_driver_has_mean_one_the_fitted_variance_and_one_draw_per_year() -> None:
    """Z_year ~ Gamma(mean 1, variance phi): the sample over seeds has those moments; it is constant within a
    calendar year, shared by routes with the same phi, independent across years, and 1 where phi = 0."""
    import datetime as dt

    from crossings.sea.deaths import year_multipliers

    z = np.array([year_multipliers(s, dt.date(2019, 12, 30), 4, np.array([0.4, 0.4, 0.0])) for s in range(4000)])
    assert np.all(z[:, 0, 0] == z[:, 0, 1]) and np.all(z[:, 0, 2] == z[:, 0, 3])  # one draw per year
    assert np.all(z[:, 0] == z[:, 1]) and np.all(z[:, 2] == 1.0)
    first, second = z[:, 0, 0], z[:, 0, 2]
    assert abs(first.mean() - 1.0) < 4 * np.sqrt(0.4 / 4000)
    assert abs(first.var() - 0.4) < 0.06
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.06
    again = year_multipliers(7, dt.date(2019, 12, 30), 4, np.array([0.4, 0.4, 0.0]))
    np.testing.assert_array_equal(again, z[7])  # a pure function of the seed


def test_year_driver_moves_the_annual_deaths_of_a_seeded_run_and_not_the_mean_field() -> None:
    over = {**lumpy(incident=0.05), **{f"sea_links.{r}.deaths.year_dispersion": 0.5 for r in ROUTES}}
    a = build(prepare(CM, start="2022-01-01", end="2023-12-31", overrides=over))
    a0 = build(prepare(CM, start="2022-01-01", end="2023-12-31", overrides=lumpy(incident=0.05)))
    assert a.incident_dispersion.tolist() == [0.5, 0.5, 0.5]
    np.testing.assert_array_equal(run_arrays(a, 1, "meanfield"), run_arrays(a0, 1, "meanfield"))
    x, y = run_arrays(a, 3), run_arrays(a0, 3)
    np.testing.assert_array_equal(x[DEP], y[DEP])  # flows untouched before the fates
    assert x[DEATHS].sum() != y[DEATHS].sum()
    np.testing.assert_array_equal(run_arrays(a, 3, "numpy"), x)  # both engines read the same driven arrays
