"""Asylum queue kernel: numba equals the numpy reference, people are conserved, queues behave as theory says."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.asylum import process as pr
from crossings.asylum.simulate import day_keys


def _random_params(rs: np.random.Generator) -> np.ndarray:
    p = np.zeros(pr.N_PARAMS)
    p[pr.P_DEC_CAP] = rs.uniform(0, 30)
    p[pr.P_GRANT] = rs.uniform()
    p[pr.P_WITHDRAW] = rs.uniform(0, 0.3)
    p[pr.P_APPEAL] = rs.uniform()
    p[pr.P_APP_CAP] = rs.uniform(0, 10)
    p[pr.P_ALLOW] = rs.uniform()
    p[pr.P_REM_CAP] = rs.uniform(0, 5)
    p[pr.P_ABSCOND] = rs.uniform(0, 0.05)
    p[pr.P_OFF_PLACES] = rs.integers(0, 30)
    p[pr.P_OFF_TARGET] = rs.integers(1, 10)
    p[pr.P_OFF_GRANT] = rs.uniform()
    p[pr.P_RET_CAP] = rs.uniform(0, 3)
    p[pr.P_OFF_MAXHOLD] = rs.integers(1, 10)
    p[pr.P_RELEASE] = float(rs.uniform() < 0.05)
    p[pr.P_THIRD_CAP] = rs.uniform(0, 3)
    p[pr.P_THIRD_MAXWAIT] = rs.integers(1, 20)
    p[pr.P_SUPPORT] = rs.uniform()
    p[pr.P_SCREENED] = rs.uniform(0, 0.5)
    return p


def _run_both(seed: int, days: int) -> tuple[pr.Queues, pr.Queues, np.ndarray, np.ndarray]:
    rs = np.random.default_rng(seed)  # test inputs only; the model's draws come from crossings.core.rng
    a, b = pr.Queues(days * 60 + 10), pr.Queues(days * 60 + 10)
    fa, fb = np.zeros((days, pr.N_FLOWS)), np.zeros((days, pr.N_FLOWS))
    for t in range(days):
        p = _random_params(rs)
        newc = rs.integers(0, 20, size=3).astype(np.int64)
        keys = day_keys(seed, t)
        pr.step(t, p, newc, keys, a, fa[t])
        pr.step(t, p, newc, keys, b, fb[t], reference=True)
    return a, b, fa, fb


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_kernel_equals_numpy_reference(seed: int) -> None:
    a, b, fa, fb = _run_both(seed, 80)
    np.testing.assert_array_equal(fa, fb)
    for x, y in zip(a.arrays(), b.arrays(), strict=True):
        np.testing.assert_array_equal(x, y)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_every_person_in_exactly_one_state(seed: int) -> None:
    qs, _, flows, _ = _run_both(seed, 60)
    n = int(qs.n[0])
    assert n == flows[:, pr.F_CLAIMS].sum()
    st_ = qs.state[:n]
    assert ((st_ >= 0) & (st_ < pr.N_STATES)).all()
    assert (qs.state[n:] == pr.UNBORN).all()
    counts = np.bincount(st_, minlength=pr.N_STATES)
    for q in range(pr.N_QUEUES):
        members = qs.queues[q, qs.qh[q]:qs.qt[q]]
        assert counts[q] == len(members) == qs.stock(q)
        assert (qs.state[members] == q).all()  # each member of a queue is in that queue's state
        assert qs.qsupp[q] == qs.supp[members].sum()
    # terminal counts equal the cumulative flows into them
    assert counts[pr.GRANTED] == flows[:, [pr.F_GRANTS, pr.F_APPEAL_GRANTS, pr.F_OFF_GRANTS]].sum()
    assert counts[pr.REMOVED] == flows[:, pr.F_REMOVALS].sum()
    assert counts[pr.RETURNED] == flows[:, pr.F_RETURNS].sum()
    assert counts[pr.THIRD_REMOVED] == flows[:, pr.F_THIRD_REMOVED].sum()
    assert counts[pr.WITHDRAWN] == flows[:, pr.F_WITHDRAWALS].sum()
    assert counts[pr.ABSCONDED] == flows[:, pr.F_ABSCONDED].sum()


def _check_one_state_each(qs: pr.Queues) -> None:
    n = int(qs.n[0])
    assert ((qs.state[:n] >= 0) & (qs.state[:n] < pr.N_STATES)).all()  # everyone born is in a known state
    assert (qs.state[n:] == pr.UNBORN).all()
    counts = np.bincount(qs.state[:n], minlength=pr.N_STATES)
    for q in range(pr.N_QUEUES):
        members = qs.queues[q, qs.qh[q]:qs.qt[q]]
        assert counts[q] == len(members) and len(np.unique(members)) == len(members)


def test_one_state_each_day() -> None:
    """Checked after every day, not only at the end: nobody is in two queues or in none."""
    rs = np.random.default_rng(99)
    qs = pr.Queues(200 * 60)
    flows = np.zeros(pr.N_FLOWS)
    for t in range(200):
        pr.step(t, _random_params(rs), rs.integers(0, 20, size=3).astype(np.int64), day_keys(99, t), qs, flows)
        _check_one_state_each(qs)


def _single_queue_params(cap: float) -> np.ndarray:
    p = np.zeros(pr.N_PARAMS)
    p[pr.P_DEC_CAP] = cap
    p[pr.P_GRANT] = 1.0
    p[pr.P_OFF_TARGET] = p[pr.P_OFF_MAXHOLD] = p[pr.P_THIRD_MAXWAIT] = 10**6
    return p


def test_constant_rate_queue_follows_lindley_recursion() -> None:
    """Discrete-time queue with c services a day: Q(t) = max(Q(t-1) + A(t) - c, 0) exactly."""
    rs = np.random.default_rng(7)
    days, cap = 400, 20
    qs = pr.Queues(days * 60)
    flows = np.zeros(pr.N_FLOWS)
    p = _single_queue_params(cap)
    q_theory = 0
    for t in range(days):
        arrivals = int(rs.poisson(19.0))
        pr.step(t, p, np.array([arrivals, 0, 0], dtype=np.int64), day_keys(1, t), qs, flows)
        q_theory = max(q_theory + arrivals - cap, 0)
        assert qs.stock(pr.AWAIT) == q_theory


def test_overloaded_queue_grows_at_arrival_minus_service_rate() -> None:
    """Deterministic arrivals 10/day, capacity 7.5/day: the backlog grows 2.5 a day; FIFO wait is linear."""
    qs = pr.Queues(10_000)
    flows = np.zeros(pr.N_FLOWS)
    p = _single_queue_params(7.5)
    for t in range(400):
        pr.step(t, p, np.array([10, 0, 0], dtype=np.int64), day_keys(3, t), qs, flows)
    assert abs(qs.stock(pr.AWAIT) - 2.5 * 400) <= 1
    assert flows[pr.F_DECISIONS] == 3000
    # FIFO: the people decided are exactly the 3,000 who arrived first
    assert (qs.state[:3000] == pr.GRANTED).all() and (qs.state[3000:4000] == pr.AWAIT).all()


def test_absconding_decays_geometrically() -> None:
    """With no removal capacity, removable people leave at hazard p a day: E[N(t)] = N0 (1 - p)^t."""
    n0, hazard, days = 20_000, 0.01, 100
    qs = pr.Queues(n0)
    pr.seed_queue(qs, n0, np.zeros(n0, dtype=np.int32), np.zeros(n0, dtype=np.int8), pr.REMOVABLE)
    p = _single_queue_params(0.0)
    p[pr.P_ABSCOND] = hazard
    flows = np.zeros(pr.N_FLOWS)
    for t in range(days):
        pr.step(t, p, np.zeros(3, dtype=np.int64), day_keys(11, t), qs, flows)
    expected = n0 * (1 - hazard) ** days
    assert abs(qs.stock(pr.REMOVABLE) - expected) < 5 * np.sqrt(n0 * 0.25)


def test_offshore_places_target_and_release() -> None:
    """The centre never holds more than its places; decisions come after target days; release empties it."""
    qs = pr.Queues(10_000)
    p = _single_queue_params(0.0)
    p[pr.P_OFF_PLACES], p[pr.P_OFF_TARGET], p[pr.P_OFF_GRANT] = 50, 5, 0.5
    p[pr.P_OFF_MAXHOLD] = 3
    flows = np.zeros((30, pr.N_FLOWS))
    occ = 0
    for t in range(30):
        pp = p.copy()
        pp[pr.P_RELEASE] = float(t == 20)
        held_before, await_before = occ, qs.stock(pr.AWAIT)
        pr.step(t, pp, np.array([0, 30, 0], dtype=np.int64), day_keys(5, t), qs, flows[t])
        occ = qs.stock(pr.OFFSHORE) + qs.stock(pr.OFF_RETURN)
        assert occ <= 50
        if t < 5:
            assert flows[: t + 1, pr.F_OFF_DECISIONS].sum() == 0
        if t == 5:  # decided exactly target days after entry: all of day 0's transfers, no one else
            assert flows[t, pr.F_OFF_DECISIONS] == flows[0, pr.F_TRANSFERS] - flows[0, pr.F_SCREENED_OUT] > 0
        if t == 20:
            # the suspension moves the whole offshore stock (both queues) to the mainland queue ...
            assert held_before > 0 and flows[t, pr.F_OFF_RELEASED] == held_before
            assert qs.stock(pr.AWAIT) - await_before == held_before  # no decisions (capacity 0), no other entry
            # ... so only the day's new transfers are held afterwards
            assert qs.stock(pr.OFF_RETURN) == 0
            assert qs.stock(pr.OFFSHORE) == flows[t, pr.F_TRANSFERS] - flows[t, pr.F_SCREENED_OUT] > 0
    assert flows[5:, pr.F_OFF_DECISIONS].sum() > flows[5, pr.F_OFF_DECISIONS]  # decisions go on after day 5
