"""Window quality: not every crossing window is as good.

On a window day each full boat at a coast launches with the route's launch share times the day's
quality U^k, U uniform per coast and day (stream QUALITY), k = `weather.quality_shape` >= 0. k = 0 is
the old model (every window as good, no draws made, results unchanged); k > 0 makes some windows
marginal (one or two boats try, as on the many Channel days with a single boat arriving) and leaves
the others nearly full. The mean factor is E[U^k] = 1 / (1 + k).

The quality multiplies the daily launch array before the agent engines see it, so the numba kernel
and the numpy reference read the same array (no libm pow inside either), and the mean-field uses the
expected launch share launch / (1 + k) (the launch decision is linear in the share and U is drawn
independently of everything else).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from crossings.core.rng import tick_key, uniform
from crossings.sea import streams as S


@nb.njit(cache=True)
def quality_uniforms(seed: int, coasts: np.ndarray, n_days: int) -> np.ndarray:
    """U[j, t] for coast coasts[j] on day t from stream QUALITY (the same bits as rng.uniform_np gives for
    these keys and indices; drawn in numba because a Python loop over days cost ~20 ms a run)."""
    out = np.empty((coasts.shape[0], n_days))
    for t in range(n_days):
        key = tick_key(seed, S.QUALITY, t)
        for j in range(coasts.shape[0]):
            out[j, t] = uniform(key, coasts[j])
    return out


def window_quality(seed: int, shape_k: np.ndarray, n_days: int) -> np.ndarray:
    """q[c, t] = U^k[c] (1 where k = 0), U from stream QUALITY keyed (seed, day, coast)."""
    C = shape_k.shape[0]
    q = np.ones((C, n_days))
    on = np.flatnonzero(shape_k > 0.0)
    if on.size == 0:
        return q
    q[on] = quality_uniforms(seed, on.astype(np.int64), n_days) ** shape_k[on, None]
    return q


def launch_by_day(seed: int, launch: np.ndarray, shape_k: np.ndarray) -> np.ndarray:
    """The launch share each day with the window quality drawn (the same array as launch when k = 0)."""
    if not np.any(shape_k > 0.0):
        return launch
    return launch * window_quality(seed, shape_k, launch.shape[1])


def expected_launch(launch: np.ndarray, shape_k: np.ndarray) -> np.ndarray:
    """Mean-field launch share: launch x E[U^k] = launch / (1 + k)."""
    return launch / (1.0 + shape_k[:, None])
