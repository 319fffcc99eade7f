"""Counter-based random streams keyed by (seed, stream, tick, agent).

A draw is a pure function of its key, so results do not depend on the order in which agents are
visited, on the number of threads, or on what other streams consumed: the same seed gives identical
results serial or parallel, and two scenarios share common random numbers wherever their keys match.

The mixer is SplitMix64's finaliser (Steele, Lea & Flood 2014), applied in two stages: a per-tick key
`tick_key(seed, stream, tick)` computed once per phase, then one mix per agent in the hot loop.
Both a numba version (scalar, for kernels) and a numpy version (vectorised, the reference) exist and
are tested bit-identical.
"""

from __future__ import annotations

import hashlib

import numba as nb
import numpy as np
import numpy.typing as npt
from numba.extending import overload

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# Every numbered stream id, once (the process modules bind their constants from here; tests/test_core_rng.py
# checks they are all distinct and that each module uses its entry). Streams of things that are named in a
# scenario (destinations, levers) are keyed by the name instead: stream_for(name), seed_for.
STREAM_IDS: dict[str, int] = {
    # the Flee engine (flee/engine_numba.py)
    "flee.spawn": 30, "flee.move": 31, "flee.route": 32, "flee.walk": 33, "flee.cd_spawn": 34,
    # the sea process (sea/streams.py)
    "sea.inflow": 40, "sea.choice": 41, "sea.weather": 42, "sea.launch": 43, "sea.prevent": 44, "sea.boat": 45,
    "sea.fate": 46, "sea.rechoice": 47, "sea.size": 48, "sea.quality": 49, "sea.safe_route": 61, "sea.loss": 63, "sea.incident_year": 64,
    # the asylum process (below)
    "asylum.support": 50, "asylum.decision": 51, "asylum.lodge": 52, "asylum.appeal": 53, "asylum.offshore": 54,
    "asylum.abscond": 55, "asylum.screen": 56, "asylum.routing": 57, "asylum.deter": 58,
    "asylum.after_mix": 59,  # the member rule a mixture after-data rule picks (asylum/after_mix.py)
    # ensembles' parameter draws (calibrate/uncertainty.py) and forecasts' latent drivers (forecast/streams.py)
    "ensemble.parameters": 60, "forecast.driver": 62,
    # land routes (land/streams.py)
    "land.spawn": 70, "land.choice": 71, "land.attempt": 72, "land.detect": 73, "land.pushback": 74,
    "land.retry": 75, "land.rechoice": 76, "land.onward": 77, "land.forecast": 78,
    "land.deaths": 79, "land.deaths_year": 69,
}

# asylum process, per destination and day (crossings.asylum.simulate)
STREAM_SUPPORT, STREAM_DECISION, STREAM_LODGE, STREAM_APPEAL = 50, 51, 52, 53
STREAM_OFFSHORE, STREAM_ABSCOND, STREAM_SCREEN, STREAM_ROUTING, STREAM_DETER = 54, 55, 56, 57, 58
STREAM_AFTER_MIX = 59


def stream_for(name: str) -> int:
    """A stream id keyed by a name (a destination, a lever): a stable hash (BLAKE2b, the same on every machine
    and Python), in [2**40, 2**62): never one of the numbered ids, and within numba's int64. Adding a named
    thing to a scenario leaves every other name's stream, so its draws, unchanged."""
    h = int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")
    return (1 << 40) + h % ((1 << 62) - (1 << 40))


@nb.njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


def _tick_key_impl(seed: int, stream: int, tick: int) -> np.uint64:
    k = mix64(np.uint64(seed) * GOLDEN + np.uint64(stream))
    return mix64(k ^ (np.uint64(tick) * GOLDEN + np.uint64(0x632BE59BD9B4E019)))


_tick_key_jit = nb.njit(cache=True)(_tick_key_impl)


def tick_key(seed: int, stream: int, tick: int) -> np.uint64:
    """Key of one (seed, stream, tick); combine with an agent id via `uniform`.

    Callable from Python and from numba kernels alike. From Python it returns np.uint64, never a
    plain int: a plain int above 2**63 would not fit numba's int64 when passed back into a kernel.
    """
    return np.uint64(_tick_key_jit(seed, stream, tick))


@nb.njit(cache=True)
def _tick_keys_jit(seed: int, streams: npt.NDArray[np.int64], n_ticks: int) -> npt.NDArray[np.uint64]:
    out = np.empty((n_ticks, streams.shape[0]), dtype=np.uint64)
    for t in range(n_ticks):
        for j in range(streams.shape[0]):
            out[t, j] = _tick_key_jit(seed, streams[j], t)
    return out


def tick_keys(seed: int, streams: tuple[int, ...] | list[int], n_ticks: int) -> npt.NDArray[np.uint64]:
    """[n_ticks, len(streams)]: tick_key(seed, streams[j], t) for every tick t = 0..n_ticks-1 at once (one call
    instead of one per day and stream: from Python each call costs more than the key)."""
    return _tick_keys_jit(seed, np.asarray(streams, dtype=np.int64).reshape(-1), n_ticks)


@overload(tick_key)
def _tick_key_overload(seed, stream, tick):
    def impl(seed, stream, tick):
        return _tick_key_jit(seed, stream, tick)

    return impl


@nb.njit(cache=True, inline="always")
def uniform(key: np.uint64, agent: int) -> float:
    """U[0,1) for one agent under a tick key."""
    z = mix64(np.uint64(key) + np.uint64(agent) * GOLDEN + GOLDEN)
    return float(z >> _S11) * _INV53


def tick_key_np(seed: int, stream: int, tick: int) -> np.uint64:
    return np.uint64(tick_key(seed, stream, tick))


def uniform_np(key: np.uint64, agents: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
    """Vectorised reference of `uniform`: bit-identical results."""
    with np.errstate(over="ignore"):
        z = np.uint64(key) + agents.astype(np.uint64) * GOLDEN + GOLDEN
        z = (z ^ (z >> _S30)) * _C1
        z = (z ^ (z >> _S27)) * _C2
        z = z ^ (z >> _S31)
    return (z >> _S11).astype(np.float64) * _INV53


@nb.njit(cache=True)
def poisson(key: np.uint64, index: int, lam: float) -> int:
    """Poisson draw from counter-based uniforms (inversion for small means, normal approx above 500).

    Consumes uniforms at indices index*64 .. index*64+63 of the key, so draws never overlap.
    """
    if lam <= 0.0:
        return 0
    if lam > 500.0:
        u1 = uniform(key, index * 64)
        u2 = uniform(key, index * 64 + 1)
        zn = np.sqrt(-2.0 * np.log(max(u1, 1e-300))) * np.cos(2.0 * np.pi * u2)
        v = int(np.floor(lam + np.sqrt(lam) * zn + 0.5))
        return max(v, 0)
    u = uniform(key, index * 64)
    p = np.exp(-lam)
    s = p
    k = 0
    while u > s and k < 10000:
        k += 1
        p *= lam / k
        s += p
    return k


@nb.njit(cache=True)
def binomial(key: np.uint64, index: int, n: int, p: float) -> int:
    """Binomial draw from counter-based uniforms.

    n <= 64: a sum of n Bernoulli draws (exact). Above: inversion of the exact distribution from one uniform
    while the variance n p (1-p) is below 25 (small expected counts, where a normal approximation would be
    badly wrong: it overstates the mean and understates P(0)), and a rounded normal approximation with the
    same mean and variance only above that.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n <= 64:
        c = 0
        for i in range(n):
            if uniform(key, index * 64 + i) < p:
                c += 1
        return c
    var = n * p * (1.0 - p)
    if var < 25.0:
        # invert for q = min(p, 1-p), so that P(0) = (1-q)^n stays far from underflow; mirror if p > 1/2
        q = p if p <= 0.5 else 1.0 - p
        u = uniform(key, index * 64)
        pk = np.exp(n * np.log1p(-q))
        cum = pk
        k = 0
        ratio = q / (1.0 - q)
        while u > cum and k < n:
            pk *= (n - k) / (k + 1.0) * ratio
            k += 1
            cum += pk
        return k if p <= 0.5 else n - k
    u1 = uniform(key, index * 64)
    u2 = uniform(key, index * 64 + 1)
    zn = np.sqrt(-2.0 * np.log(max(u1, 1e-300))) * np.cos(2.0 * np.pi * u2)
    v = int(np.floor(n * p + np.sqrt(var) * zn + 0.5))
    return min(max(v, 0), n)


def seed_for(seed: int, name: str) -> int:
    """The seed of one named part of a run (a destination): the run's seed mixed with the name's stream, so the
    part's draws depend on its name only, not on its position among the others or on which others exist."""
    return int(tick_key(seed, stream_for(name), 0)) >> 1  # 63 bits: a valid seed again
