"""The route-system kernel: numba == numpy reference (bit for bit), mean of seeds == mean-field."""

from __future__ import annotations

import numpy as np

from crossings.land.bundles import LandRoutes
from crossings.land.kernel import CROSSED, DET, GAVE_UP, PUSHED, STARTS, land_kernel
from crossings.land.meanfield import mean_field
from crossings.land.reference import land_reference


def _system(T: int = 60, G: int = 3, R: int = 4):
    rng = np.random.default_rng(5)
    move = rng.uniform(2.0, 12.0, (G, T))
    prob = rng.uniform(0.1, 1.0, (T, G, R))
    prob[:, 0, 3] = 0.0  # a route outside group 0's choice set
    prob /= prob.sum(axis=2, keepdims=True)
    cum = np.cumsum(prob, axis=2)
    p_out = rng.uniform(0.1, 0.5, (G, T))
    attempt = rng.uniform(0.1, 0.6, (R, T))
    detect = rng.uniform(0.7, 1.0, (R, T))
    pushback = rng.uniform(0.0, 0.6, (R, T))
    retry = np.array([0.8, 0.5, 0.0, 0.9])
    count_pushed = np.array([True, False, True, True])
    next_leg = np.array([1, -1, -1, -1], dtype=np.int64)  # route 0 chains onto route 1
    onward = np.zeros((R, T))
    onward[0] = 0.7
    return move, prob, cum, LandRoutes(p_out, attempt, detect, pushback, retry, count_pushed, next_leg, onward)


def test_kernel_equals_reference() -> None:
    move, prob, cum, lr = _system()
    for seed in (1, 7):
        a, na = land_kernel(seed, move, cum, lr, 5000)
        b, nb_ = land_reference(seed, move, cum, lr, 5000)
        assert na == nb_ > 0
        np.testing.assert_array_equal(a, b)
        assert a[DET].sum() > 0 and a[PUSHED].sum() > 0 and a[GAVE_UP].sum() > 0


def test_mean_of_seeds_matches_mean_field() -> None:
    move, prob, cum, lr = _system(T=80)
    mf = mean_field(move, prob, lr)
    runs = np.array([land_kernel(s, move, cum, lr, 8000)[0] for s in range(200)])
    sim = runs.mean(axis=0)
    for k in (DET, CROSSED, PUSHED, STARTS, GAVE_UP):
        tot_sim, tot_mf = sim[k].sum(axis=2), mf[k].sum(axis=2)  # per group and route, whole period
        np.testing.assert_allclose(tot_sim, tot_mf, rtol=0.05, atol=2.0)
    assert mf[STARTS][0, 3].sum() == 0.0 and sim[STARTS][0, 3].sum() == 0.0


def test_chained_route_counts_one_person_twice() -> None:
    move, prob, cum, lr = _system()
    detect, pushback, onward = lr.detect, lr.pushback, lr.onward
    T = move.shape[1]
    detect[:] = 1.0
    pushback[:] = 0.0
    onward[0] = 1.0
    prob[:] = 0.0
    prob[:, :, 0] = 1.0  # everyone takes route 0 and continues on route 1
    mf = mean_field(move, prob, lr)
    first, second = mf[DET][:, 0].sum(), mf[DET][:, 1].sum()
    # everyone detected crossing route 0 is detected again on route 1 (but those still waiting at the end)
    assert 0.8 * first < second < first
    np.testing.assert_allclose(first + second, mf[CROSSED].sum())
    assert mf[STARTS].sum() == np.float64(move.sum()) or abs(mf[STARTS].sum() - move.sum()) < 1e-6 * T


def test_engines_read_the_one_route_bundle() -> None:
    """Kernel, reference and mean-field take the route arrays as one LandRoutes (land/bundles.py), never one by
    one: a new route array is declared once."""
    import inspect

    from crossings.land import kernel, meanfield, reference

    assert list(inspect.signature(kernel.land_kernel.py_func).parameters) == ["seed", "move", "cum", "lr", "max_agents"]
    assert list(inspect.signature(reference.land_reference).parameters) == ["seed", "move", "cum", "lr", "max_agents"]
    assert list(inspect.signature(meanfield.mean_field).parameters) == ["move", "prob", "lr"]
    for mod in (kernel, reference, meanfield):
        src = inspect.getsource(mod)
        for field in LandRoutes._fields:
            assert f"lr.{field}" in src, (mod.__name__, field)
