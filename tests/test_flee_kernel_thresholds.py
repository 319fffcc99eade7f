"""The Flee kernel's integer shortcuts decide exactly as the float tests they replace (engine_numba)."""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest

from crossings.core.rng import tick_key, uniform
from crossings.flee import engine_numba as K


@nb.njit
def _draws_agree(key: np.uint64, chances: np.ndarray, n: int) -> int:
    bad = 0
    for c in chances:
        th = K.draw_threshold(c)
        for a in range(n):
            u = uniform(key, a)
            z = K.mix64(np.uint64(key) + np.uint64(a) * K.GOLDEN + K.GOLDEN) >> K.S11
            bad += (u < c) != (z < th)
    return bad


def test_draw_threshold_decides_as_the_uniform() -> None:
    rng = np.random.default_rng(3)
    chances = np.concatenate([[0.0, -0.5, np.nan, 1.0, 1.5, 0.5, 0.001, 1e-300, 5e-324, np.nextafter(1.0, 0.0)],
                              rng.random(200)])
    assert _draws_agree(tick_key(1, K.STREAM_MOVE, 5), chances, 20_000) == 0
    # draws next to the threshold: the 53-bit value t-1 passes, t does not, for every chance
    for c in chances:
        th = int(K.draw_threshold(c))
        for z in (th - 2, th - 1, th, th + 1):
            if 0 <= z < 1 << 53:
                assert (z * 2.0 ** -53 < c) == (z < th), (c, z, th)


@pytest.mark.parametrize("buf", [0.9, 0.5, 0.0, 0.99, 1.0 / 3.0, 1.0, 1.5])
def test_first_full_is_where_the_multiplier_drops_below_half(buf: float) -> None:
    for cap in [-1, 0, 1, 2, 3, 7, 10, 99, 1000, 14244, 21258, 52222, 112734]:
        full = int(K.first_full(cap, buf))
        for n in range(0, int(max(cap, buf * cap, 0)) + 5):
            assert (K.cap_multiplier(n, cap, buf) < 0.5) == (n >= full), (cap, buf, n, full)
