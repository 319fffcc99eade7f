"""Counter-based random streams: numba equals numpy reference, keys separate streams, moments are right."""

from __future__ import annotations

import numba as nb
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.core import rng


@nb.njit(cache=True)
def _draw_all(key: np.uint64, n: int) -> np.ndarray:
    out = np.empty(n)
    for i in range(n):
        out[i] = rng.uniform(key, i)
    return out


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    stream=st.integers(0, 100),
    tick=st.integers(0, 100_000),
)
def test_numba_uniform_equals_numpy_reference(seed: int, stream: int, tick: int) -> None:
    key = rng.tick_key(seed, stream, tick)
    agents = np.arange(257, dtype=np.int64)
    np.testing.assert_array_equal(_draw_all(np.uint64(key), 257), rng.uniform_np(np.uint64(key), agents))


def test_uniform_in_unit_interval_with_right_moments() -> None:
    u = rng.uniform_np(rng.tick_key_np(1, 2, 3), np.arange(200_000))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005
    assert abs(u.var() - 1 / 12) < 0.002


def test_streams_ticks_and_seeds_give_different_numbers() -> None:
    a = np.arange(1000)
    base = rng.uniform_np(rng.tick_key_np(1, 2, 3), a)
    for other in (rng.tick_key_np(2, 2, 3), rng.tick_key_np(1, 3, 3), rng.tick_key_np(1, 2, 4)):
        # independent streams: correlation near zero, no equal draws
        assert not np.any(rng.uniform_np(other, a) == base)
        assert abs(np.corrcoef(rng.uniform_np(other, a), base)[0, 1]) < 0.15


def test_same_key_same_numbers() -> None:
    a = np.arange(100)
    np.testing.assert_array_equal(
        rng.uniform_np(rng.tick_key_np(9, 1, 5), a), rng.uniform_np(rng.tick_key_np(9, 1, 5), a)
    )


def test_poisson_and_binomial_means() -> None:
    lam, n, p = 3.7, 40, 0.3
    pois = np.array([rng.poisson(rng.tick_key(1, 5, t), 0, lam) for t in range(20_000)])
    assert abs(pois.mean() - lam) < 0.1
    assert abs(pois.var() - lam) < 0.25
    binom = np.array([rng.binomial(rng.tick_key(1, 6, t), 0, n, p) for t in range(20_000)])
    assert abs(binom.mean() - n * p) < 0.15
    big = np.array([rng.binomial(rng.tick_key(1, 7, t), 0, 1000, 0.2) for t in range(5_000)])
    assert abs(big.mean() - 200) < 1.0
    assert big.min() >= 0 and big.max() <= 1000
    assert rng.binomial(rng.tick_key(1, 7, 0), 0, 0, 0.5) == 0
    assert rng.poisson(rng.tick_key(1, 7, 0), 0, 0.0) == 0


def test_poisson_large_mean_normal_branch_has_right_mean_and_variance() -> None:
    # lam > 500 takes the rounded-normal branch: mean lam, variance lam (+1/12 from rounding)
    lam, n = 800.0, 20_000
    draws = np.array([rng.poisson(rng.tick_key(2, 5, t), 0, lam) for t in range(n)])
    assert abs(draws.mean() - lam) < 4 * np.sqrt(lam / n)  # 4 standard errors: 0.8
    assert abs(draws.var() - lam) < 4 * lam * np.sqrt(2 / n)  # sd of a sample variance ~ lam sqrt(2/n): 32
    assert draws.min() > 0


def test_binomial_small_expected_counts_above_64_are_exact_in_distribution() -> None:
    # n > 64 with a small mean: P(0) and the mean must follow the binomial, not a clipped normal
    for n, p in ((1000, 0.001), (100, 0.002), (500, 0.999)):
        draws = np.array([rng.binomial(rng.tick_key(3, 8, t), 0, n, p) for t in range(20_000)])
        mean, var = n * p, n * p * (1 - p)
        assert abs(draws.mean() - mean) < 4 * np.sqrt(var / 20_000) + 1e-9
        p0 = (1 - p) ** n if p < 0.5 else p**n  # P(0) or, mirrored, P(n)
        share = (draws == 0).mean() if p < 0.5 else (draws == n).mean()
        assert abs(share - p0) < 0.012
        assert draws.min() >= 0 and draws.max() <= n


def test_binomial_continuous_across_the_exact_sum_threshold() -> None:
    m64 = np.mean([rng.binomial(rng.tick_key(4, 9, t), 0, 64, 0.002) for t in range(20_000)])
    m65 = np.mean([rng.binomial(rng.tick_key(4, 9, t), 0, 65, 0.002) for t in range(20_000)])
    assert abs(m64 - 0.128) < 0.015 and abs(m65 - 0.130) < 0.015


def test_every_numbered_stream_is_distinct_and_each_module_uses_its_entry() -> None:
    """One table of stream ids (core/rng.STREAM_IDS): no two streams share an id (they would draw the same
    numbers), and the constants the kernels read are the table's."""
    import importlib

    from crossings.core.rng import STREAM_IDS

    ids = list(STREAM_IDS.values())
    assert len(ids) == len(set(ids)), sorted(ids)
    modules = {"flee": ("crossings.flee.engine_numba", "STREAM_{}"), "sea": ("crossings.sea.streams", "{}"),
               "land": ("crossings.land.streams", "{}"), "asylum": ("crossings.core.rng", "STREAM_{}"),
               "forecast": ("crossings.forecasting.streams", "{}")}
    for name, sid in STREAM_IDS.items():
        part, what = name.split(".")
        if part not in modules:
            continue
        mod, pattern = modules[part]
        const = getattr(importlib.import_module(mod), pattern.format(what.upper()))
        assert const == sid, name
    from crossings.calibrate.uncertainty import STREAM

    assert STREAM_IDS["ensemble.parameters"] == STREAM


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**62), st.lists(st.integers(0, 2**62), min_size=1, max_size=5), st.integers(1, 40))
def test_tick_keys_table_equals_one_tick_key_per_tick_and_stream(seed: int, streams: list[int], n: int) -> None:
    table = rng.tick_keys(seed, streams, n)
    assert table.shape == (n, len(streams)) and table.dtype == np.uint64
    for t in range(n):
        for j, s in enumerate(streams):
            assert table[t, j] == rng.tick_key(seed, s, t)


def test_an_asylum_runs_key_table_is_its_day_keys() -> None:
    from crossings.asylum.simulate import day_keys, run_keys

    keys = run_keys(7, 50)
    for t in range(50):
        assert np.array_equal(keys[t], day_keys(7, t))
