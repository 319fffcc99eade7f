"""One destination's asylum queues, one day at a time: a numba kernel and a numpy reference, tested equal.

Agents are struct-of-arrays: `state` (int8), `entry` (int32, the tick the agent entered its current state)
and `supp` (int8, takes asylum support while waiting). Each waiting state is a FIFO queue of agent ids
(`queues[q]`, head `qh[q]`, tail `qt[q]`); service always takes the front, so every transition is a pop
from the front and a push at the back, and stocks are queue lengths. Terminal states are never left.

Phase order within a day (fixed):
  1. court suspension starts: everyone held offshore is brought to the mainland queue
  2. arrivals: third-country pool, offshore centre (up to free places; some screened out), mainland queue
  3. offshore decisions after `target_days`: grant (transferred to the mainland as refugees) or refuse
  4. offshore returns within the return capacity; refused held past `max_hold_days` released as removable
  5. third-country removals within capacity; those waiting past `max_wait_days` join the mainland queue
  6. initial decisions (capacity, oldest first): withdrawn / granted / refused -> appeal or removable; with
     a decision share (P_DEC_SHARE > 0, an after-data rule's option) the day's capacity is that share of the
     queue after the day's arrivals, so decisions respond to the model's own queue
  7. appeals (capacity, oldest first): allowed (granted) or dismissed (removable)
  8. removals of removable people (capacity, oldest first)
  9. absconding: a binomial share of removable people (oldest first) lose contact
"""

from __future__ import annotations

import numba as nb
import numpy as np
import numpy.typing as npt

from crossings.core import rng

# states; the first six are queues (state code == queue index)
AWAIT, APPEAL, REMOVABLE, OFFSHORE, OFF_RETURN, THIRD_WAIT = 0, 1, 2, 3, 4, 5
GRANTED, REMOVED, RETURNED, THIRD_REMOVED, WITHDRAWN, ABSCONDED = 6, 7, 8, 9, 10, 11
N_QUEUES = 6
N_STATES = 12
UNBORN = -1
# queues whose members are in asylum support (if their `supp` flag is set); removable people are not
SUPPORTED_QUEUES = (AWAIT, APPEAL, THIRD_WAIT)

# daily flows (columns of the flow row)
(F_CLAIMS, F_TO_THIRD, F_TRANSFERS, F_SCREENED_OUT, F_DECISIONS, F_GRANTS, F_REFUSALS, F_WITHDRAWALS,
 F_APPEALS_LODGED, F_APPEAL_DECISIONS, F_APPEAL_GRANTS, F_REMOVALS, F_ABSCONDED, F_OFF_DECISIONS,
 F_OFF_GRANTS, F_OFF_REFUSALS, F_RETURNS, F_OFF_RELEASED, F_THIRD_REMOVED, F_THIRD_BACK,
 F_SUPP_GRANTED, F_SUPP_REFUSED) = range(22)
N_FLOWS = 22
# F_SUPP_GRANTED / F_SUPP_REFUSED: people in support granted (initial or appeal) / finally refused (refused
# without appeal, or appeal dismissed) that day; their support runs on for a move-on period (simulate.py)

# day parameters (entries of the float parameter row)
(P_DEC_CAP, P_GRANT, P_WITHDRAW, P_APPEAL, P_APP_CAP, P_ALLOW, P_REM_CAP, P_ABSCOND, P_OFF_PLACES,
 P_OFF_TARGET, P_OFF_GRANT, P_RET_CAP, P_OFF_MAXHOLD, P_RELEASE, P_THIRD_CAP, P_THIRD_MAXWAIT,
 P_SUPPORT, P_SCREENED, P_DEC_SHARE) = range(19)
N_PARAMS = 19
# P_DEC_SHARE: 0 = decisions by the capacity P_DEC_CAP (every scenario); > 0 = that share of the awaiting queue
# is decided that day (asylum/after_queue.py; the capacity column is then ignored)

# credits carried between days for fractional daily capacities
C_DEC, C_APP, C_REM, C_RET, C_THIRD = range(5)
N_CREDITS = 5

# random keys per day (one stream each, see `simulate.day_keys`)
K_SUPPORT, K_DECISION, K_LODGE, K_APPEAL, K_OFFSHORE, K_ABSCOND, K_SCREEN = range(7)
N_KEYS = 7

# new arrivals of the day
N_MAIN, N_OFF_CAND, N_THIRD = 0, 1, 2


class Queues:
    """Preallocated agent columns and FIFO queues for up to `capacity` agents."""

    def __init__(self, capacity: int) -> None:
        self.state = np.full(capacity, UNBORN, dtype=np.int8)
        self.entry = np.zeros(capacity, dtype=np.int32)
        self.supp = np.zeros(capacity, dtype=np.int8)
        self.queues = np.zeros((N_QUEUES, capacity), dtype=np.int32)
        self.qh = np.zeros(N_QUEUES, dtype=np.int64)
        self.qt = np.zeros(N_QUEUES, dtype=np.int64)
        self.qsupp = np.zeros(N_QUEUES, dtype=np.int64)  # supported members per queue
        self.n = np.zeros(1, dtype=np.int64)  # agents created so far
        self.credit = np.zeros(N_CREDITS, dtype=np.float64)

    def copy(self) -> Queues:
        c = Queues.__new__(Queues)
        for k, v in self.__dict__.items():
            setattr(c, k, v.copy())
        return c

    def stock(self, q: int) -> int:
        return int(self.qt[q] - self.qh[q])

    def in_support(self) -> int:
        return int(sum(self.qsupp[q] for q in SUPPORTED_QUEUES))

    def arrays(self) -> tuple[npt.NDArray, ...]:
        return (self.state, self.entry, self.supp, self.queues, self.qh, self.qt, self.qsupp, self.n,
                self.credit)


def seed_queue(qs: Queues, n: int, entries: npt.NDArray[np.int32], supp: npt.NDArray[np.int8],
               state: int = AWAIT) -> None:
    """Put `n` people already waiting at tick 0 into a queue, in the order of `entries`."""
    start = int(qs.n[0])
    ids = np.arange(start, start + n, dtype=np.int64)
    qs.state[ids] = state
    qs.entry[ids] = entries
    qs.supp[ids] = supp
    t = int(qs.qt[state])
    qs.queues[state, t:t + n] = ids
    qs.qt[state] += n
    qs.qsupp[state] += int(supp.sum())
    qs.n[0] += n


# ---------------------------------------------------------------- numba kernel

@nb.njit(cache=True, inline="always")
def _push(a, q, t, state, entry, supp, queues, qt, qsupp):
    state[a] = q
    entry[a] = t
    queues[q, qt[q]] = a
    qt[q] += 1
    qsupp[q] += supp[a]


@nb.njit(cache=True, inline="always")
def _pop(q, supp, queues, qh, qsupp):
    a = queues[q, qh[q]]
    qh[q] += 1
    qsupp[q] -= supp[a]
    return a


@nb.njit(cache=True, inline="always")
def _finish(k, q, final, flow, state, supp, queues, qh, qsupp, flows):
    """The k people at the front of queue q leave it for the terminal state `final` (counted in flows[flow])."""
    for _ in range(k):
        a = _pop(q, supp, queues, qh, qsupp)
        state[a] = final
    flows[flow] += k


@nb.njit(cache=True, inline="always")
def _move_due(q, to, days, flow, t, state, entry, supp, queues, qh, qt, qsupp, flows):
    """People who entered queue q at least `days` ago move, oldest first, to queue `to` (counted in flows[flow])."""
    while qh[q] < qt[q] and entry[queues[q, qh[q]]] + days <= t:
        a = _pop(q, supp, queues, qh, qsupp)
        _push(a, to, t, state, entry, supp, queues, qt, qsupp)
        flows[flow] += 1


@nb.njit(cache=True, inline="always")
def _take(credit, c, cap, avail):
    """How many to serve under a fractional daily capacity; unused whole capacity is lost."""
    credit[c] += cap
    n = int(np.floor(credit[c]))
    if n > avail:
        n = avail
        credit[c] -= np.floor(credit[c])
    else:
        credit[c] -= n
    return n


@nb.njit(cache=True)
def step_day(t, p, newc, keys, state, entry, supp, queues, qh, qt, qsupp, n, credit, flows):
    """Advance one destination by one day (tick t); add the day's flows into `flows`."""
    # 1. court suspension: everyone held offshore goes to the mainland queue
    if p[P_RELEASE] > 0.5:
        for q in (OFFSHORE, OFF_RETURN):
            while qh[q] < qt[q]:
                a = _pop(q, supp, queues, qh, qsupp)
                _push(a, AWAIT, t, state, entry, supp, queues, qt, qsupp)
                flows[F_OFF_RELEASED] += 1
    # 2. arrivals
    total = newc[N_MAIN] + newc[N_OFF_CAND] + newc[N_THIRD]
    first = n[0]
    for i in range(total):
        a = first + i
        supp[a] = 1 if rng.uniform(keys[K_SUPPORT], a) < p[P_SUPPORT] else 0
    n[0] = first + total
    flows[F_CLAIMS] += total
    a = first
    for _ in range(newc[N_THIRD]):
        _push(a, THIRD_WAIT, t, state, entry, supp, queues, qt, qsupp)
        flows[F_TO_THIRD] += 1
        a += 1
    free = int(p[P_OFF_PLACES]) - (qt[OFFSHORE] - qh[OFFSHORE]) - (qt[OFF_RETURN] - qh[OFF_RETURN])
    for _ in range(newc[N_OFF_CAND]):
        if free > 0:
            flows[F_TRANSFERS] += 1
            if rng.uniform(keys[K_SCREEN], a) < p[P_SCREENED]:
                flows[F_SCREENED_OUT] += 1
                _push(a, AWAIT, t, state, entry, supp, queues, qt, qsupp)
            else:
                _push(a, OFFSHORE, t, state, entry, supp, queues, qt, qsupp)
                free -= 1
        else:
            _push(a, AWAIT, t, state, entry, supp, queues, qt, qsupp)
        a += 1
    for _ in range(newc[N_MAIN]):
        _push(a, AWAIT, t, state, entry, supp, queues, qt, qsupp)
        a += 1
    # 3. offshore decisions once the target time has passed
    target = int(p[P_OFF_TARGET])
    while qh[OFFSHORE] < qt[OFFSHORE] and entry[queues[OFFSHORE, qh[OFFSHORE]]] + target <= t:
        a = _pop(OFFSHORE, supp, queues, qh, qsupp)
        flows[F_OFF_DECISIONS] += 1
        if rng.uniform(keys[K_OFFSHORE], a) < p[P_OFF_GRANT]:
            state[a] = GRANTED
            flows[F_OFF_GRANTS] += 1
        else:
            _push(a, OFF_RETURN, t, state, entry, supp, queues, qt, qsupp)
            flows[F_OFF_REFUSALS] += 1
    # 4. returns from offshore, then release of those held too long
    k = _take(credit, C_RET, p[P_RET_CAP], qt[OFF_RETURN] - qh[OFF_RETURN])
    _finish(k, OFF_RETURN, RETURNED, F_RETURNS, state, supp, queues, qh, qsupp, flows)
    _move_due(OFF_RETURN, REMOVABLE, int(p[P_OFF_MAXHOLD]), F_OFF_RELEASED, t, state, entry, supp, queues, qh, qt,
              qsupp, flows)
    # 5. third-country removals, then those waiting too long rejoin the mainland queue
    k = _take(credit, C_THIRD, p[P_THIRD_CAP], qt[THIRD_WAIT] - qh[THIRD_WAIT])
    _finish(k, THIRD_WAIT, THIRD_REMOVED, F_THIRD_REMOVED, state, supp, queues, qh, qsupp, flows)
    _move_due(THIRD_WAIT, AWAIT, int(p[P_THIRD_MAXWAIT]), F_THIRD_BACK, t, state, entry, supp, queues, qh, qt,
              qsupp, flows)
    # 6. initial decisions, oldest first
    pw = p[P_WITHDRAW]
    pg = pw + (1.0 - pw) * p[P_GRANT]
    cap = p[P_DEC_CAP] if p[P_DEC_SHARE] <= 0.0 else p[P_DEC_SHARE] * (qt[AWAIT] - qh[AWAIT])
    k = _take(credit, C_DEC, cap, qt[AWAIT] - qh[AWAIT])
    for _ in range(k):
        a = _pop(AWAIT, supp, queues, qh, qsupp)
        flows[F_DECISIONS] += 1
        u = rng.uniform(keys[K_DECISION], a)
        if u < pw:
            state[a] = WITHDRAWN
            flows[F_WITHDRAWALS] += 1
        elif u < pg:
            state[a] = GRANTED
            flows[F_GRANTS] += 1
            flows[F_SUPP_GRANTED] += supp[a]
        else:
            flows[F_REFUSALS] += 1
            if rng.uniform(keys[K_LODGE], a) < p[P_APPEAL]:
                _push(a, APPEAL, t, state, entry, supp, queues, qt, qsupp)
                flows[F_APPEALS_LODGED] += 1
            else:
                _push(a, REMOVABLE, t, state, entry, supp, queues, qt, qsupp)
                flows[F_SUPP_REFUSED] += supp[a]
    # 7. appeals, oldest first
    k = _take(credit, C_APP, p[P_APP_CAP], qt[APPEAL] - qh[APPEAL])
    for _ in range(k):
        a = _pop(APPEAL, supp, queues, qh, qsupp)
        flows[F_APPEAL_DECISIONS] += 1
        if rng.uniform(keys[K_APPEAL], a) < p[P_ALLOW]:
            state[a] = GRANTED
            flows[F_APPEAL_GRANTS] += 1
            flows[F_SUPP_GRANTED] += supp[a]
        else:
            _push(a, REMOVABLE, t, state, entry, supp, queues, qt, qsupp)
            flows[F_SUPP_REFUSED] += supp[a]
    # 8. removals, oldest first
    k = _take(credit, C_REM, p[P_REM_CAP], qt[REMOVABLE] - qh[REMOVABLE])
    _finish(k, REMOVABLE, REMOVED, F_REMOVALS, state, supp, queues, qh, qsupp, flows)
    # 9. absconding among removable people
    k = rng.binomial(keys[K_ABSCOND], 0, qt[REMOVABLE] - qh[REMOVABLE], p[P_ABSCOND])
    _finish(k, REMOVABLE, ABSCONDED, F_ABSCONDED, state, supp, queues, qh, qsupp, flows)


# ---------------------------------------------------------------- numpy reference

def _take_np(credit: npt.NDArray[np.float64], c: int, cap: float, avail: int) -> int:
    credit[c] += cap
    k = int(np.floor(credit[c]))
    if k > avail:
        credit[c] -= np.floor(credit[c])
        return int(avail)
    credit[c] -= k
    return k


def _pop_np(qs: Queues, q: int, k: int) -> npt.NDArray[np.int64]:
    h = int(qs.qh[q])
    ids = qs.queues[q, h:h + k].astype(np.int64)
    qs.qh[q] += k
    qs.qsupp[q] -= int(qs.supp[ids].sum())
    return ids


def _push_np(qs: Queues, q: int, ids: npt.NDArray[np.int64], t: int) -> None:
    k = len(ids)
    qs.state[ids] = q
    qs.entry[ids] = t
    tail = int(qs.qt[q])
    qs.queues[q, tail:tail + k] = ids
    qs.qt[q] += k
    qs.qsupp[q] += int(qs.supp[ids].sum())


def _due(qs: Queues, q: int, days: int, t: int) -> int:
    """Number at the front of queue q that entered at least `days` ago (entries are non-decreasing)."""
    members = qs.queues[q, int(qs.qh[q]):int(qs.qt[q])]
    return int(np.searchsorted(qs.entry[members] + days, t, side="right"))


def _finish_np(qs: Queues, q: int, k: int, final: int, flow: int, flows: npt.NDArray[np.float64]) -> None:
    """kernel._finish: the k people at the front of queue q leave it for the terminal state `final`."""
    ids = _pop_np(qs, q, k)
    qs.state[ids] = final
    flows[flow] += len(ids)


def _move_due_np(qs: Queues, q: int, to: int, days: int, flow: int, t: int, flows: npt.NDArray[np.float64]) -> None:
    """kernel._move_due: people who entered queue q at least `days` ago move to queue `to`."""
    ids = _pop_np(qs, q, _due(qs, q, days, t))
    _push_np(qs, to, ids, t)
    flows[flow] += len(ids)


def step_day_np(t: int, p: npt.NDArray[np.float64], newc: npt.NDArray[np.int64],
                keys: npt.NDArray[np.uint64], qs: Queues, flows: npt.NDArray[np.float64]) -> None:
    """Vectorised reference of `step_day` (same phases, same random keys, same results)."""
    if p[P_RELEASE] > 0.5:
        for q in (OFFSHORE, OFF_RETURN):
            ids = _pop_np(qs, q, qs.stock(q))
            _push_np(qs, AWAIT, ids, t)
            flows[F_OFF_RELEASED] += len(ids)
    n_main, n_off, n_third = (int(x) for x in newc)
    first = int(qs.n[0])
    total = n_main + n_off + n_third
    new = np.arange(first, first + total, dtype=np.int64)
    qs.supp[new] = (rng.uniform_np(keys[K_SUPPORT], new) < p[P_SUPPORT]).astype(np.int8)
    qs.n[0] = first + total
    flows[F_CLAIMS] += total
    _push_np(qs, THIRD_WAIT, new[:n_third], t)
    flows[F_TO_THIRD] += n_third
    cand = new[n_third:n_third + n_off]
    free = int(p[P_OFF_PLACES]) - qs.stock(OFFSHORE) - qs.stock(OFF_RETURN)
    screened = rng.uniform_np(keys[K_SCREEN], cand) < p[P_SCREENED]
    # a candidate is taken while places remain; screened-out people free their place at once
    held_before = np.cumsum(~screened) - (~screened)
    taken = held_before < max(free, 0)
    to_main = np.zeros(len(cand), dtype=bool)
    to_main[taken & screened] = True
    to_main[~taken] = True
    flows[F_TRANSFERS] += int(taken.sum())
    flows[F_SCREENED_OUT] += int((taken & screened).sum())
    # keep the kernel's push order: candidates in id order, each to its queue
    _push_np(qs, AWAIT, cand[to_main], t)
    _push_np(qs, OFFSHORE, cand[~to_main], t)
    _push_np(qs, AWAIT, new[n_third + n_off:], t)
    # 3. offshore decisions
    ids = _pop_np(qs, OFFSHORE, _due(qs, OFFSHORE, int(p[P_OFF_TARGET]), t))
    grant = rng.uniform_np(keys[K_OFFSHORE], ids) < p[P_OFF_GRANT]
    qs.state[ids[grant]] = GRANTED
    _push_np(qs, OFF_RETURN, ids[~grant], t)
    flows[F_OFF_DECISIONS] += len(ids)
    flows[F_OFF_GRANTS] += int(grant.sum())
    flows[F_OFF_REFUSALS] += int((~grant).sum())
    # 4. returns, releases
    _finish_np(qs, OFF_RETURN, _take_np(qs.credit, C_RET, p[P_RET_CAP], qs.stock(OFF_RETURN)), RETURNED, F_RETURNS,
               flows)
    _move_due_np(qs, OFF_RETURN, REMOVABLE, int(p[P_OFF_MAXHOLD]), F_OFF_RELEASED, t, flows)
    # 5. third country
    _finish_np(qs, THIRD_WAIT, _take_np(qs.credit, C_THIRD, p[P_THIRD_CAP], qs.stock(THIRD_WAIT)), THIRD_REMOVED,
               F_THIRD_REMOVED, flows)
    _move_due_np(qs, THIRD_WAIT, AWAIT, int(p[P_THIRD_MAXWAIT]), F_THIRD_BACK, t, flows)
    # 6. initial decisions
    cap = p[P_DEC_CAP] if p[P_DEC_SHARE] <= 0.0 else p[P_DEC_SHARE] * qs.stock(AWAIT)
    ids = _pop_np(qs, AWAIT, _take_np(qs.credit, C_DEC, cap, qs.stock(AWAIT)))
    u = rng.uniform_np(keys[K_DECISION], ids)
    pw = p[P_WITHDRAW]
    pg = pw + (1.0 - pw) * p[P_GRANT]
    wd, gr = u < pw, (u >= pw) & (u < pg)
    ref = ids[u >= pg]
    qs.state[ids[wd]] = WITHDRAWN
    qs.state[ids[gr]] = GRANTED
    lodge = rng.uniform_np(keys[K_LODGE], ref) < p[P_APPEAL]
    # refused people go to two queues; pushing each subset keeps the kernel's order within each queue
    _push_np(qs, APPEAL, ref[lodge], t)
    _push_np(qs, REMOVABLE, ref[~lodge], t)
    flows[F_DECISIONS] += len(ids)
    flows[F_WITHDRAWALS] += int(wd.sum())
    flows[F_GRANTS] += int(gr.sum())
    flows[F_REFUSALS] += len(ref)
    flows[F_APPEALS_LODGED] += int(lodge.sum())
    flows[F_SUPP_GRANTED] += int(qs.supp[ids[gr]].sum())
    flows[F_SUPP_REFUSED] += int(qs.supp[ref[~lodge]].sum())
    # 7. appeals
    ids = _pop_np(qs, APPEAL, _take_np(qs.credit, C_APP, p[P_APP_CAP], qs.stock(APPEAL)))
    allow = rng.uniform_np(keys[K_APPEAL], ids) < p[P_ALLOW]
    qs.state[ids[allow]] = GRANTED
    _push_np(qs, REMOVABLE, ids[~allow], t)
    flows[F_APPEAL_DECISIONS] += len(ids)
    flows[F_APPEAL_GRANTS] += int(allow.sum())
    flows[F_SUPP_GRANTED] += int(qs.supp[ids[allow]].sum())
    flows[F_SUPP_REFUSED] += int(qs.supp[ids[~allow]].sum())
    # 8. removals
    _finish_np(qs, REMOVABLE, _take_np(qs.credit, C_REM, p[P_REM_CAP], qs.stock(REMOVABLE)), REMOVED, F_REMOVALS,
               flows)
    # 9. absconding
    k = rng.binomial(keys[K_ABSCOND], 0, qs.stock(REMOVABLE), p[P_ABSCOND])
    _finish_np(qs, REMOVABLE, int(k), ABSCONDED, F_ABSCONDED, flows)


def step(t: int, p: npt.NDArray[np.float64], newc: npt.NDArray[np.int64], keys: npt.NDArray[np.uint64],
         qs: Queues, flows: npt.NDArray[np.float64], *, reference: bool = False) -> None:
    """One day with the kernel (default) or the numpy reference."""
    if reference:
        step_day_np(t, p, newc, keys, qs, flows)
    else:
        step_day(t, p, newc, keys, *qs.arrays(), flows)  # type: ignore[call-arg]
