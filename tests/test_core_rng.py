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
