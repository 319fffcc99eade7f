"""Window quality (weather.quality_shape = k): a window day's launch share x U^k, U per coast and day."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crossings.core import observed as obs
from crossings.core.errors import InputError
from crossings.runs.runner import prepare
from crossings.sea.kernel import ARR, BOATS, DEP, INT, PREV
from crossings.sea.model import build
from crossings.sea.quality import expected_launch, launch_by_day, window_quality
from crossings.sea.simulate import run_arrays

ROOT = Path(__file__).resolve().parents[1]
CM = ROOT / "scenarios" / "central_med.yaml"
CH = ROOT / "scenarios" / "channel.yaml"
ROUTES = ("libya_italy", "tunisia_italy", "other_italy")
# one person in every boat (the shipped central Med draws boat sizes, people_per_boat.size_sigma: off here)
ONE_PER_BOAT = {**{f"sea_links.{r}.people_per_boat.values": {"2019-01-01": 1.0} for r in ROUTES},
                **{f"sea_links.{r}.people_per_boat.size_sigma": 0.0 for r in ROUTES}}
SMALL = {"inflows.0.knots.2023-07-01": 40.0, "inflows.0.knots.2024-07-01": 40.0,
         "inflows.1.knots.2023-07-01": 5.0, "inflows.1.knots.2024-07-01": 5.0,
         "levers.tunisia_mou.start": "2023-06-15"}


def small(k: float, **extra: object):
    over = {**SMALL, **{f"sea_links.{r}.weather.quality_shape": k for r in ROUTES}, **extra}
    return build(prepare(CM, start="2023-05-01", end="2023-08-31", overrides=over))


def test_k_zero_draws_nothing_and_changes_nothing() -> None:
    a = small(0.0)
    assert launch_by_day(3, a.launch, a.quality_k) is a.launch
    np.testing.assert_array_equal(run_arrays(a, 3), run_arrays(build(prepare(CM, start="2023-05-01",
                                                                               end="2023-08-31", overrides=SMALL)), 3))


def test_quality_is_in_unit_interval_keyed_by_seed_with_mean_one_over_one_plus_k() -> None:
    k = np.array([0.0, 1.5, 3.0])
    q = window_quality(7, k, 20_000)
    assert np.all(q[0] == 1.0) and np.all((q[1:] >= 0.0) & (q[1:] <= 1.0))
    np.testing.assert_array_equal(q, window_quality(7, k, 20_000))
    assert not np.array_equal(q, window_quality(8, k, 20_000))
    for c in (1, 2):  # E[U^k] = 1 / (1 + k); sd of U^k <= 1, so 4 SE <= 0.03 over 20,000 days
        assert abs(q[c].mean() - 1.0 / (1.0 + k[c])) < 4.0 * q[c].std() / np.sqrt(q.shape[1])
    # a coast's draws depend on its index only (counter-based), not on the other coasts' shapes
    np.testing.assert_array_equal(window_quality(7, np.array([5.0, 1.5, 3.0]), 20_000)[1:], q[1:])


def test_numba_equals_numpy_with_quality() -> None:
    a = small(1.3, **{"sea_links.tunisia_italy.interception_capacity": 1.0})
    for seed in (1, 99):
        np.testing.assert_array_equal(run_arrays(a, seed, "numba"), run_arrays(a, seed, "numpy"))


def test_agent_mean_matches_mean_field_with_quality() -> None:
    """One person per boat: linear in the waiting stock and U independent of it, so E[agent] = mean-field."""
    a = small(2.0, **ONE_PER_BOAT, **{"sea_links.tunisia_italy.interception_capacity": None})
    np.testing.assert_allclose(expected_launch(a.launch, a.quality_k), a.launch / 3.0)
    mf = run_arrays(a, 0, "meanfield")
    runs = np.array([run_arrays(a, s) for s in range(60)])
    for row in (ARR, DEP, INT, PREV):
        agent = runs[:, row].sum(axis=2)
        mean, se = agent.mean(axis=0), agent.std(axis=0, ddof=1) / np.sqrt(len(runs))
        assert np.all(np.abs(mean - mf[row].sum(axis=1)) < 4 * se + 1.0), (row, mean, mf[row].sum(axis=1))


def _one_boat_share(k: float) -> float:
    a = build(prepare(CH, start="2022-01-01", end="2023-12-31",
                      overrides={"sea_links.france_uk.weather.quality_shape": k}))
    b = np.concatenate([run_arrays(a, s)[BOATS, 0] for s in range(1, 5)])
    return float(np.mean(b[b > 0] == 1))


def test_marginal_windows_make_single_boat_days() -> None:
    """The moment that identifies k: more marginal windows, more days when a single boat crosses."""
    assert _one_boat_share(2.0) > _one_boat_share(0.0) + 0.03


def test_observed_one_boat_share_as_the_fit_reads_it() -> None:
    from crossings.calibrate.fit import Problem
    from crossings.calibrate.moments import channel_one_boat
    from crossings.scenario.load import load_raw

    p = Problem(CH, load_raw(CH), pd.Timestamp("2018-01-01").date(), pd.Timestamp("2024-12-31").date())
    d = obs.load("uk_small_boats_daily")
    b = d[(d["date"] >= "2022-01-01") & (d["date"] <= "2024-12-31")]["boats_arrived"].fillna(0).to_numpy()
    assert channel_one_boat(p) == pytest.approx(np.mean(b[b > 0] == 1))


@pytest.mark.parametrize("value", [-0.5, "x"])
def test_bad_quality_shape_is_an_input_error(value: object) -> None:
    with pytest.raises(InputError, match="quality_shape"):
        prepare(CH, overrides={"sea_links.france_uk.weather.quality_shape": value})


def test_quality_uniforms_equal_the_numpy_counter_based_draws() -> None:
    from crossings.core.rng import tick_key_np, uniform_np
    from crossings.sea import streams as S
    from crossings.sea.quality import quality_uniforms

    coasts = np.array([0, 2, 5], dtype=np.int64)
    u = quality_uniforms(11, coasts, 40)
    for t in range(40):
        np.testing.assert_array_equal(u[:, t], uniform_np(tick_key_np(11, S.QUALITY, t), coasts))
