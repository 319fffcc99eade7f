"""A heavy-tailed law of boat sizes (sea.boat_sizes, people_per_boat.size_sigma): numba == numpy with it; the
drawn sizes follow the table (mean = people per boat, boats far above it); losses can exceed the mean boat; the
agent mean matches the mean-field's expected deaths; the capped-loss law the fit uses is min(K, S)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.core.errors import InputError
from crossings.runs.runner import prepare
from crossings.sea.boat_sizes import capped_loss_pmf, size_factors, size_pmf, sizes
from crossings.sea.deaths import draw_loss, loss_cdf, loss_pmf
from crossings.sea.kernel import BOATS, DEATHS, DEP, INCIDENTS, INT
from crossings.sea.model import build
from crossings.sea.simulate import run_arrays
from test_sea_deaths import CM, ROUTES, _assert_engines_equal_with_deaths, lumpy


def sized(sigma: float, mu: float = 1.0, loss_sigma: float = 1.2, incident: float = 0.2,
          amp: float = 0.5) -> dict[str, object]:
    return lumpy(mu, loss_sigma, incident, amp, **{f"sea_links.{r}.people_per_boat.size_sigma": sigma for r in ROUTES})


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31), sigma=st.floats(0.2, 2.0), mu=st.floats(0.0, 5.0),
       incident=st.floats(0.3, 0.9))
def test_numba_equals_numpy_with_a_size_law(seed: int, sigma: float, mu: float, incident: float) -> None:
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=sized(sigma, mu, 1.0, incident)))
    _assert_engines_equal_with_deaths(a, seed)


def test_table_has_mean_one_and_a_heavy_tail() -> None:
    f = size_factors(1.2)
    assert f.mean() == pytest.approx(1.0, abs=1e-12) and np.all(np.diff(f) >= 0)
    s = sizes(32.5, f)
    assert abs(s.mean() - 32.5) < 0.5 and s.max() > 10 * 32.5 and np.median(s) < 32.5
    assert np.all(size_factors(0.0) == 1.0)
    p = size_pmf(32.5, f, 3000)
    assert p.sum() == pytest.approx(1.0) and np.sum(np.arange(p.size) * p) == pytest.approx(s.mean())


def test_capped_loss_pmf_is_the_law_of_min_k_s() -> None:
    n = 3001
    pk = np.r_[0.0, loss_pmf(2.0, 1.5, n - 1)]
    ps = size_pmf(32.5, size_factors(1.0), n - 1)
    q = capped_loss_pmf(pk, ps)
    assert q.sum() == pytest.approx(1.0, abs=1e-9)
    rng = np.random.default_rng(5)
    cdf = loss_cdf(2.0, 1.5)
    s = rng.choice(np.arange(n), size=40000, p=ps)
    m = np.array([draw_loss(cdf, u, int(b)) for u, b in zip(rng.random(s.size), s, strict=True)])
    assert abs(m.mean() - np.sum(np.arange(n) * q)) < 4 * m.std() / np.sqrt(m.size)
    assert abs(np.mean(m > 32) - q[33:].sum()) < 0.01


def test_sizes_vary_and_losses_exceed_the_mean_boat() -> None:
    """With the size law and every sailing boat lost whole, a day's deaths can exceed 33 people on one boat, and
    the people per launched boat average the scenario's 32.5."""
    a = build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=sized(1.2, 8.0, 0.1, 1.0, amp=0.0)))
    out = run_arrays(a, 3)
    np.testing.assert_array_equal(out[DEATHS], out[DEP] - out[INT])  # whole boats lost
    one = out[INCIDENTS] == 1
    assert out[DEATHS][one].max() > 33  # one boat lost more than the mean boat's people
    assert abs(out[DEP].sum() / out[BOATS].sum() / 32.5 - 1.0) < 0.15


def test_agent_mean_matches_mean_field_deaths_with_a_size_law() -> None:
    a = build(prepare(CM, start="2023-01-01", end="2023-12-31", overrides=sized(1.2, 2.0, 1.5, 0.05)))
    mf = run_arrays(a, 0, engine="meanfield")
    sims = np.array([run_arrays(a, s)[DEATHS].sum() for s in range(1, 31)])
    se = sims.std(ddof=1) / np.sqrt(sims.size)
    assert abs(sims.mean() - mf[DEATHS].sum()) < 4 * se + 0.05 * mf[DEATHS].sum(), (sims.mean(), mf[DEATHS].sum(), se)


def test_one_size_law_per_route() -> None:
    over = {"sea_links.libya_italy.people_per_boat.cv": 0.3, "sea_links.libya_italy.people_per_boat.size_sigma": 1.0}
    with pytest.raises(InputError):
        prepare(CM, overrides=over)


def test_fit_law_without_spread_is_the_capped_loss() -> None:
    from crossings.calibrate import deaths as D

    np.testing.assert_allclose(D.sized_pmf(0.7, 1.7, 32.0, 0.0), D.capped_pmf(0.7, 1.7, 32), atol=1e-12)


def test_monthly_sums_prefer_the_true_size_spread() -> None:
    """Monthly totals simulated from min(K, S) with size_sigma 1: the convolution likelihood is higher there than
    at a spread of 0.3 or 2.5 (same K): the sums carry the sizes' spread (calibrate/deaths.fit_loss_sized)."""
    from crossings.calibrate import deaths as D

    rng = np.random.default_rng(11)
    cdf, s = loss_cdf(1.0, 1.5), sizes(30.0, size_factors(1.0))
    n = rng.integers(1, 12, size=60)
    sums = np.array([sum(draw_loss(cdf, rng.random(), int(rng.choice(s))) for _ in range(k)) for k in n])
    nll = {v: D._nll_sums(np.array([1.0, np.log(1.5), np.log(v)]), n, sums, None, 30.0) for v in (0.3, 1.0, 2.5)}
    assert nll[1.0] < nll[0.3] and nll[1.0] < nll[2.5], nll
