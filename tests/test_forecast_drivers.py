"""The latent driver: variances recovered from simulated data, spread growing with the horizon as the model says,
draws keyed by the counter-based stream (same seed, same paths)."""

import math

import numpy as np

from crossings.forecasting.drivers import (
    WINDOWS,
    LocalLevel,
    choose_window,
    fit_local_level,
    normals,
    paths,
    shock_law,
)


def _simulate(n: int, s_level: float, s_obs: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = np.cumsum(rng.normal(0.0, s_level, n))
    return level + rng.normal(0.0, s_obs, n)


def test_variances_recovered_from_a_simulated_local_level():
    est = [fit_local_level(_simulate(240, 0.2, 0.3, s)) for s in range(6)]
    assert abs(np.mean([e.s_level for e in est]) - 0.2) < 0.05
    assert abs(np.mean([e.s_obs for e in est]) - 0.3) < 0.05


def test_pure_noise_gives_a_small_level_variance():
    e = fit_local_level(np.random.default_rng(3).normal(0.0, 0.4, 200))
    assert e.s_level < 0.05 and abs(e.s_obs - 0.4) < 0.06


def test_spread_grows_with_the_horizon_as_the_model_says():
    m = LocalLevel(s_level=0.2, s_obs=0.3, level=0.5, level_var=0.01, n_months=60, loglik=0.0)
    level, noise = paths(m, 12, 4000, seed=7)
    total = level + noise
    for h in (1, 6, 12):
        want = 0.01 + h * 0.2**2 + 0.3**2
        assert abs(total[:, h - 1].var() / want - 1.0) < 0.1, h
    assert abs(level[:, 0].mean() - 0.5) < 0.02
    assert total[:, 11].std() > 1.5 * total[:, 0].std()


def test_draws_are_keyed_by_seed_and_draw():
    m = LocalLevel(0.1, 0.1, 0.0, 0.0, 10, 0.0)
    a1, b1 = paths(m, 6, 5, seed=1)
    a2, b2 = paths(m, 6, 5, seed=1)
    a3, _ = paths(m, 6, 5, seed=2)
    assert np.array_equal(a1, a2) and np.array_equal(b1, b2)
    assert not np.array_equal(a1, a3)
    # draw 3 alone is draw 3 of the batch (no dependence on how many draws are made)
    assert np.array_equal(paths(m, 6, 4, seed=1)[0][3], a1[3])
    z = normals(1, 0, 20000)
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1.0) < 0.03 and math.isfinite(z.min())


def test_shock_law_sees_heavy_tails_and_leaves_normal_errors_alone():
    rng = np.random.default_rng(11)
    df_n, scale_n = shock_law(rng.normal(size=400))
    assert df_n > 10 and abs(scale_n - 1.0) < 0.1
    df_t, scale_t = shock_law(rng.standard_t(3.0, size=400))
    assert df_t < 6 and scale_t < 1.2


def test_window_chosen_before_the_origin_drops_a_volatile_start():
    """A level that jumped about in the first 60 months and has been calm for the last 60: the cross-validated
    window is a recent one, and the forecast spread is narrower than with every month."""
    rng = np.random.default_rng(5)
    level = np.cumsum(np.r_[rng.normal(0.0, 0.6, 60), rng.normal(0.0, 0.05, 60)])
    r = level + rng.normal(0.0, 0.1, 120)
    w = choose_window(r)
    assert w is not None and w <= 48
    assert fit_local_level(r, windows=WINDOWS).s_level < 0.5 * fit_local_level(r).s_level
    steady = np.cumsum(rng.normal(0.0, 0.2, 120)) + rng.normal(0.0, 0.1, 120)
    assert abs(fit_local_level(steady, windows=WINDOWS).s_level - 0.2) < 0.1


def test_season_factor_uses_only_the_last_season_months():
    """The seasonal factor comes from the last SEASON_MONTHS months: the first years' season (here the opposite
    sign) does not enter it, and it recovers the recent season."""
    from crossings.forecasting.drivers import SEASON_MONTHS, residual_season

    assert SEASON_MONTHS is not None
    n = SEASON_MONTHS + 36
    month = np.arange(n) % 12 + 1
    recent = 0.5 * np.cos(2 * np.pi * (month - 1) / 12)
    r = np.where(np.arange(n) < n - SEASON_MONTHS, -recent, recent)
    r = r + np.random.default_rng(3).normal(0.0, 0.02, n)
    got = np.asarray(fit_local_level(r, month).season)
    assert np.allclose(got, residual_season(r[-SEASON_MONTHS:], month[-SEASON_MONTHS:]))
    assert np.allclose(got, recent[:12], atol=0.1)  # every month would mix the two seasons (amplitude ~0.07)
