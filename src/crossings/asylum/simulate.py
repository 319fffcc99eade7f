"""Run the asylum systems of a scenario after the sea model: `run_asylum(config, sea, seed) -> AsylumOutcome`.

Per destination and day (explicit order): realised q and the deterrence multiplier -> arrivals of the day
(sea arrivals thinned by the multiplier) -> routing of claimants (third country, offshore, mainland) ->
the queue kernel (`process.step_day`) -> stocks, hotels and costs recorded into preallocated arrays.
Without a sea outcome (standalone use) the arrivals come from an observed daily series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossings.asylum import inputs, plain_loop, process
from crossings.asylum import results as res
from crossings.asylum.after_data import AfterData
from crossings.asylum.costs import hotels, support_cost
from crossings.asylum.deterrence import multiplier, realised_q
from crossings.asylum.offshore import OffshorePlan, offshore_plan, ship_day
from crossings.asylum.records import DestinationRecord
from crossings.asylum.removal import RemovalPlan, removal_costs, removal_plan
from crossings.asylum.support import move_on_stock
from crossings.core import rng
from crossings.core.calendar import date_index
from crossings.core.errors import InputError
from crossings.core.rng import (
    STREAM_ABSCOND,
    STREAM_APPEAL,
    STREAM_DECISION,
    STREAM_DETER,
    STREAM_LODGE,
    STREAM_OFFSHORE,
    STREAM_ROUTING,
    STREAM_SCREEN,
    STREAM_SUPPORT,
)
from crossings.scenario.asylum import AsylumConfig, Destination, Levers, parse_asylum
from crossings.scenario.levers import ASYLUM_KINDS, decision_capacity
from crossings.scenario.levers.base import ArrivalsHook, AsylumDays

F64 = npt.NDArray[np.float64]

# random streams: ids declared in crossings.core.rng; each destination's keyed by its name (_dest_seed)
_KEY_STREAMS = (STREAM_SUPPORT, STREAM_DECISION, STREAM_LODGE, STREAM_APPEAL, STREAM_OFFSHORE,
                STREAM_ABSCOND, STREAM_SCREEN)
NEVER = 10**6  # days: a wait that never ends within a run


class SeaLike(Protocol):
    start: dt.date
    n_days: int
    routes: list[str]
    destination_of_route: dict[str, str]
    arrivals: dict[str, F64]


# the observed files the asylum part may read (for run manifests' data versions)
ASYLUM_DATA = ("uk_asylum_quarterly", "uk_small_boats_daily", "italy_sea_arrivals_daily_unhcr",
               "italy_reception_system_stock")


@dataclass
class AsylumOutcome:
    config: AsylumConfig
    runs: dict[str, DestinationRecord]
    start: dt.date
    n_days: int
    summary: dict[str, Any]
    departure_multiplier: dict[str, F64]

    @cached_property
    def daily(self) -> pd.DataFrame:
        """The daily table (run_asylum builds it unless asked not to, so that a bad observed column is reported
        by the run; a forecast's or back-test's draws read a few series instead: `series`)."""
        return res.daily_table(self.config, self.runs, self.start, self.n_days)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """The monthly table, built from the daily one when first asked for (a back-test's or forecast's draws
        never need it)."""
        return res.monthly_table(self.daily)

    @cached_property
    def _series(self) -> dict[tuple[str, str], F64]:
        """Every (place, measure) series of the run, as the daily table's columns (built once)."""
        out: dict[tuple[str, str], F64] = {}
        for name, run in self.runs.items():  # a key two destinations share: the first one's, as the table lists it
            for key, values in res.place_series(name, self.config.destinations[name], run).items():
                out.setdefault(key, values)
        return out

    def series(self, place: str, measure: str) -> F64:
        """One place's daily values of one measure, as in the daily table's `simulated` column, without the table
        (`place` is a destination or a place of one of its levers)."""
        got = self._series.get((place, measure))
        if got is None:
            raise KeyError(f"no {measure!r} at {place!r} in this asylum run")
        return np.asarray(got, dtype=float)


def day_keys(seed: int, t: int) -> npt.NDArray[np.uint64]:
    return np.array([rng.tick_key(seed, s, t) for s in _KEY_STREAMS], dtype=np.uint64)


def run_keys(seed: int, n_days: int) -> npt.NDArray[np.uint64]:
    """day_keys(seed, t) for every day of a run, [n_days, streams], computed at once."""
    return rng.tick_keys(seed, _KEY_STREAMS, n_days)


def _dest_seed(seed: int, name: str) -> int:
    """Distinct random streams per destination, keyed by its name: adding, removing or reordering destinations
    leaves every other destination's draws (and results) unchanged."""
    return rng.seed_for(seed, f"destination.{name}")


def _routes_here(sea: SeaLike, name: str, dest: Destination) -> list[str]:
    """The sea routes landing at `name` that feed this destination (inflows.sea_routes)."""
    wanted = dest.inflows.sea_routes
    return [r for r in sea.routes if sea.destination_of_route.get(r) == name and (wanted == "all" or r in wanted)]


def _summed(by_route: Mapping[str, Any] | None, routes: list[str]) -> F64 | None:
    """The routes' daily series added up; None where the outcome does not report the measure for any."""
    have = [r for r in routes if by_route and r in by_route]
    return np.sum([np.asarray(by_route[r], dtype=float) for r in have], axis=0) if have and by_route else None


def _safe_arrivals(sea: SeaLike | None, name: str, dest: Destination, n_days: int) -> F64:
    """People who reached `name` by a safe route (the sea lever), per day; zeros without one."""
    if sea is None:
        return np.zeros(n_days)
    got = _summed(getattr(sea, "safe_route", None), _routes_here(sea, name, dest))
    return got if got is not None else np.zeros(n_days)


def _sea_inflow(sea: SeaLike | None, name: str, dest: Destination, n_days: int) -> tuple[F64, F64 | None, bool]:
    """Daily sea arrivals landing at `name`, people rescued by its own ships (if reported), and whether
    any sea route lands here."""
    if sea is None:
        return np.zeros(n_days), None, False
    routes = _routes_here(sea, name, dest)
    if not routes:
        return np.zeros(n_days), None, False
    arr = np.sum([np.asarray(sea.arrivals[r], dtype=float) for r in routes], axis=0)
    return arr, _summed(getattr(sea, "rescued_by_destination", None), routes), True


def _use_observed(dest: Destination, from_sea: bool, sea_arr: F64, start: dt.date, n_days: int) -> npt.NDArray[np.bool_]:
    """Put observed arrivals into sea_arr where the scenario asks for them (inflows.arrivals_from); return the
    days that now hold observed arrivals (all days when no sea route lands here and a series is named)."""
    stem, mode = dest.inflows.observed_arrivals, dest.inflows.arrivals_from
    if stem is None or (from_sea and mode == "sea"):
        return np.zeros(n_days, dtype=bool)
    if from_sea and mode == "observed_then_sea":
        values, covered = inputs.observed_arrivals_covered(stem, start, n_days)
        sea_arr[covered] = values[covered]
        return covered
    sea_arr[:] = inputs.observed_arrivals_daily(stem, start, n_days)
    return np.ones(n_days, dtype=bool)


def _params(dest: Destination, start: dt.date, n_days: int, ad: AfterData) -> F64:
    """The day-by-parameter matrix of the queue kernel without offshore or third-country levers (`observed`
    inputs after the data: `ad`'s rule); _lever_params adds those."""
    sd = inputs.schedule_daily
    pm = inputs.per_month_to_daily
    P = np.zeros((n_days, process.N_PARAMS))
    if dest.decision_capacity == "observed":
        dec = ad.decision_capacity()
    else:
        dec = pm(sd(dest.decision_capacity, start, n_days), start)
    dec = _lever_days(dest, start, n_days, dec).decision_capacity  # levers act on observed or held capacity alike
    grant = ad.grant_rate() if dest.grant_rate == "observed" else sd(dest.grant_rate, start, n_days)
    wd = ad.withdrawal_share() if dest.withdrawal_share == "observed" else sd(dest.withdrawal_share, start, n_days)
    for name, arr in (("decision_capacity", dec), ("grant_rate", grant), ("withdrawal_share", wd)):
        if np.isnan(arr).any():
            raise InputError("<asylum>", f"{ad.key}.{name}", "observed series does not cover the run period")
    P[:, process.P_DEC_CAP] = dec
    if dest.decision_capacity == "observed":  # 0 except after the data under a queue-share rule (after_queue.py)
        share = ad.decision_share().copy()
        for lv in dest.levers.decision_capacity:  # a decision-capacity lever acts on the share too
            decision_capacity.apply_share(share, lv, inputs.window_mask(start, n_days, lv.start, lv.end))
        P[:, process.P_DEC_SHARE] = share
    P[:, process.P_GRANT] = grant
    P[:, process.P_WITHDRAW] = wd
    P[:, process.P_APPEAL] = dest.appeal_probability
    P[:, process.P_APP_CAP] = pm(sd(dest.appeal_capacity_per_month, start, n_days), start)
    P[:, process.P_ALLOW] = dest.appeal_allow_rate
    P[:, process.P_REM_CAP] = pm(sd(dest.removal_capacity_per_month, start, n_days), start)
    P[:, process.P_ABSCOND] = 1.0 - np.exp(-dest.abscond_rate_per_year / 365.0)
    P[:, process.P_SUPPORT] = dest.support_share
    P[:, process.P_OFF_TARGET] = NEVER
    P[:, process.P_OFF_MAXHOLD] = NEVER
    P[:, process.P_THIRD_MAXWAIT] = NEVER
    return P


def _each(levers: Levers, tag: str) -> list[Any]:
    """The destination's levers of one registered kind (a list kind, or one lever or none)."""
    got = getattr(levers, tag)
    return list(got) if ASYLUM_KINDS[tag].many else ([] if got is None else [got])


def _lever_days(dest: Destination, start: dt.date, n_days: int, dec: F64) -> AsylumDays:
    """The daily arrays asylum levers act on, after every registered lever with an `apply_asylum` acted (in
    registry order, each over its active days)."""
    days = AsylumDays(start, n_days, date_index(start, n_days).days_in_month.to_numpy().astype(np.float64), dec)
    for tag, kind in ASYLUM_KINDS.items():
        if kind.apply_asylum is not None:
            for lv in _each(dest.levers, tag):
                kind.apply_asylum(days, lv, inputs.window_mask(start, n_days, lv.start, lv.end))
    return days


def _arrivals_hooks(dest: Destination, start: dt.date, n_days: int) -> list[tuple[str, int, ArrivalsHook]]:
    """(tag, random stream, hook) of every lever that takes people out of the day's arrivals, in registry order."""
    days = _lever_days(dest, start, n_days, np.zeros(n_days))
    return [(tag, rng.stream_for(f"lever.{tag}"), kind.arrivals_hook(lv, days))
            for tag, kind in ASYLUM_KINDS.items() if kind.arrivals_hook is not None for lv in _each(dest.levers, tag)]


def _lever_params(P: F64, dest: Destination, off: OffshorePlan | None, rem: RemovalPlan | None) -> None:
    """The offshore and third-country columns of the parameter matrix (in place)."""
    if off is not None:
        lv_off = dest.levers.offshore
        assert lv_off is not None
        P[:, process.P_OFF_PLACES] = off.places
        P[:, process.P_OFF_TARGET] = lv_off.target_days
        P[:, process.P_OFF_GRANT] = off.grant
        P[:, process.P_RET_CAP] = off.return_cap
        P[:, process.P_OFF_MAXHOLD] = lv_off.max_hold_days
        P[:, process.P_RELEASE] = off.release
        P[:, process.P_SCREENED] = lv_off.screened_out_share
    if rem is not None:
        P[:, process.P_THIRD_CAP] = rem.cap
        P[:, process.P_THIRD_MAXWAIT] = rem.max_wait


def _seed_initial(qs: process.Queues, dest: Destination, start: dt.date, seed: int) -> None:
    """People already waiting at the start, spread over the previous year, oldest first."""
    n_wait = inputs.observed_initial_awaiting(start) if dest.initial_awaiting == "observed" else dest.initial_awaiting
    for state, n in ((process.AWAIT, n_wait), (process.APPEAL, dest.initial_appeals)):
        if n <= 0:
            continue
        entries = np.sort(-np.floor(np.linspace(365.0, 1.0, n))).astype(np.int32)
        key = rng.tick_key(seed, STREAM_SUPPORT, -1 - state)
        ids = np.arange(int(qs.n[0]), int(qs.n[0]) + n)
        supp = (rng.uniform_np(np.uint64(key), ids) < dest.support_share).astype(np.int8)
        process.seed_queue(qs, n, entries, supp, state)


@dataclass
class _Inflow:
    """One destination's daily arrivals by source (what the loop routes into the queues)."""

    sea: F64  # arrivals by sea (the sea model's, or observed on the days that use them)
    rescued: F64 | None  # of which brought in by the destination's own ships (if the sea outcome reports it)
    observed_day: npt.NDArray[np.bool_]  # days whose sea arrivals are observed
    safe: F64  # arrivals by a safe route (sea-model days only)
    claim_share: F64  # share of sea arrivals who claim
    other: npt.NDArray[np.int64]  # other claims (rounded, carrying the fractions)


def _inflow(name: str, dest: Destination, sea: SeaLike | None, start: dt.date, n_days: int, ad: AfterData) -> _Inflow:
    sea_arr, rescued, from_sea = _sea_inflow(sea, name, dest, n_days)
    observed_day = _use_observed(dest, from_sea, sea_arr, start, n_days)  # sea_arr replaced on those days
    # safe-route arrivals claim on sea-model days only: observed arrivals are already what happened
    safe_arr = np.where(observed_day, 0.0, _safe_arrivals(sea, name, dest, n_days))
    share = inputs.schedule_daily(dest.inflows.claim_share, start, n_days)
    if dest.inflows.other_claims == "observed_residual":
        other = ad.other_claims(dest.inflows.claim_share)
    else:
        other = inputs.per_month_to_daily(inputs.schedule_daily(dest.inflows.other_claims, start, n_days), start)
    return _Inflow(sea_arr, rescued, observed_day, safe_arr, share, inputs.carry_round(other))


def _plans(dest: Destination, start: dt.date, n_days: int,
           ad: AfterData) -> tuple[F64, OffshorePlan | None, RemovalPlan | None]:
    """The kernel's parameter matrix by day, with the offshore and third-country plans folded in."""
    lv: Levers = dest.levers
    P = _params(dest, start, n_days, ad)
    # an offshore centre without its own grant rate decides at the mainland's rate of the day
    off = offshore_plan(lv.offshore, start, n_days, P[:, process.P_GRANT].copy()) if lv.offshore else None
    rem = removal_plan(lv.third_country, start, n_days) if lv.third_country else None
    _lever_params(P, dest, off, rem)
    return P, off, rem


def _queues(dest: Destination, inflow: _Inflow, start: dt.date, seed: int) -> process.Queues:
    """The preallocated agents, with the people already waiting at the start.

    People the queues may hold: every daily count as it will be rounded, plus a margin (the kernels write into
    preallocated arrays without bounds checks, so the daily loop also checks before each day)."""
    cap = int(np.rint(inflow.sea).sum() + np.rint(inflow.safe).sum() + inflow.other.sum() + 1000)
    cap += inputs.observed_initial_awaiting(start) if dest.initial_awaiting == "observed" else dest.initial_awaiting
    cap += dest.initial_appeals
    qs = process.Queues(cap)
    _seed_initial(qs, dest, start, seed)
    return qs


def _support_and_costs(flows: F64, stocks: F64, dest: Destination, start: dt.date, disp: F64,
                       off: OffshorePlan | None, rem: RemovalPlan | None) -> dict[str, F64]:
    """After the loop: support beyond the queues (move-on, outside stock), hotels, and each part's costs."""
    n_days = len(flows)
    stocks[:, res.S_MOVE_ON] = move_on_stock(flows, dest.support_move_on_days)
    stocks[:, res.S_OUTSIDE] = inputs.schedule_daily(dest.support_outside_queues, start, n_days)
    stocks[:, res.S_SUPPORT] += stocks[:, res.S_MOVE_ON] + stocks[:, res.S_OUTSIDE]
    stocks[:, res.S_HOTELS] = hotels(stocks[:, res.S_SUPPORT], disp)
    cost = {"support": support_cost(stocks[:, res.S_SUPPORT], stocks[:, res.S_HOTELS], dest.costs)}
    if off is not None:
        cost["offshore"] = off.fixed_cost + flows[:, process.F_TRANSFERS] * off.cost_per_person
    if rem is not None:
        cost["third_country"] = removal_costs(rem, flows[:, process.F_THIRD_REMOVED])
    return cost


def _plain(det: Any, hooks: list[Any], off: Any, rem: Any, reference: bool) -> bool:
    """Whether a destination's daily loop can run as one numba call (asylum/plain_loop.py): no lever acts inside
    it and the kernel (not the numpy reference) steps the queues."""
    return det is None and not hooks and off is None and rem is None and not reference


def _run_destination(name: str, dest: Destination, sea: SeaLike | None, start: dt.date, n_days: int,
                     seed: int, reference: bool) -> DestinationRecord:
    """One destination: inflow -> plans (parameters, levers) -> queues -> the daily loop -> support and costs."""
    ad = AfterData(dest.after_data, f"asylum.destinations.{name}", start, n_days, seed)
    inflow = _inflow(name, dest, sea, start, n_days, ad)
    sea_arr, rescued, observed_day = inflow.sea, inflow.rescued, inflow.observed_day
    safe_arr, share, other_n = inflow.safe, inflow.claim_share, inflow.other
    P, off, rem = _plans(dest, start, n_days, ad)
    lv: Levers = dest.levers
    disp = (ad.dispersed_capacity() if dest.dispersed_capacity == "observed"
            else inputs.schedule_daily(dest.dispersed_capacity, start, n_days))
    own_share = lv.offshore.own_ship_share if lv.offshore else 0.0
    off_elig = lv.offshore.eligible_share if lv.offshore else 0.0
    cap_by_rescued = bool(lv.offshore and lv.offshore.cap_by_sea_rescued)
    det = lv.deterrence
    # observed arrivals are thinned here; a sea model gets the multiplier back from the runner instead
    thin = det is not None and det.apply_to_inflow
    det_on = (inputs.window_mask(start, n_days, det.start, det.end) if det
              else np.zeros(n_days, dtype=bool))

    qs = _queues(dest, inflow, start, seed)
    flows = np.zeros((n_days, process.N_FLOWS))
    stocks = np.zeros((n_days, res.N_STOCKS))
    arrivals = np.zeros(n_days)
    removed_like = np.zeros(n_days)
    q_arr = np.zeros(n_days)
    mult = np.ones(n_days)
    aboard = np.zeros(n_days)
    safe_claims = np.zeros(n_days)  # claims by people who came by a safe route
    on_ship = 0
    newc = np.zeros(3, dtype=np.int64)
    hooks = _arrivals_hooks(dest, start, n_days)
    keys = run_keys(seed, n_days)
    # the loop's other per-day keys, also at once: routing, deterrence, then each hook's stream
    side = rng.tick_keys(seed, [STREAM_ROUTING, STREAM_DETER, *(stream for _tag, stream, _hook in hooks)], n_days)
    if _plain(det, hooks, off, rem, reference):
        # no lever acts inside the loop: the same loop as below, in one numba call (asylum/plain_loop.py)
        bad = plain_loop.run_days(P, keys, np.ascontiguousarray(side[:, 0]), sea_arr, share, safe_arr,
                                  float(dest.inflows.safe_route_claim_share), other_n, *qs.arrays(), flows,
                                  stocks, arrivals, safe_claims)  # type: ignore[call-arg]
        if bad >= 0:
            raise RuntimeError(f"asylum agents exceed the preallocated {len(qs.state):,} on day {bad}")
        python_days = range(0)  # done
    else:
        python_days = range(n_days)  # a lever acts inside the loop: one Python iteration a day
    for t in python_days:
        if det is not None:
            q_arr[t] = realised_q(removed_like, arrivals, t, det.window_days, det.lag_days)
            mult[t] = multiplier(det, bool(det_on[t]), q_arr[t])
        rkey = side[t, 0]
        base = int(round(sea_arr[t]))
        if thin and observed_day[t] and mult[t] < 1.0:
            base = rng.binomial(side[t, 1], 0, base, mult[t])
        arrivals[t] = base
        taken_back = 0  # people a lever took out of today's arrivals and counts as removed (e.g. returned)
        for j, (_tag, _stream, hook) in enumerate(hooks):
            took = hook.take(t, base, side[t, 2 + j])
            base -= took
            taken_back += took if hook.counts_as_removal else 0
        claim = rng.binomial(rkey, 0, base, share[t])
        n_third = rng.binomial(rkey, 1, claim, rem.eligible) if rem is not None and rem.active[t] else 0
        rest = claim - n_third
        n_off = 0
        if off is not None and (off.collect[t] if off.collect is not None else off.active[t]):
            # people on the ships that can carry them offshore: a share of claimants, optionally capped by
            # the people the sea model says the destination's own ships brought in
            pool = rng.binomial(rkey, 2, rest, own_share)
            if rescued is not None and cap_by_rescued and not observed_day[t]:
                pool = min(pool, int(round(rescued[t] * base / max(sea_arr[t], 1e-9))))
            n_off = rng.binomial(rkey, 3, pool, off_elig)
        to_centre, to_main = n_off, 0
        if off is not None and off.ship:
            # ship mode: today's candidates board; those aboard land (and claim) together on a trip day
            to_centre, to_main, on_ship = ship_day(off, t, on_ship, n_off)
            aboard[t] = on_ship
        n_safe = rng.binomial(rkey, 4, int(round(safe_arr[t])), dest.inflows.safe_route_claim_share)
        safe_claims[t] = n_safe
        newc[process.N_MAIN] = rest - n_off + other_n[t] + to_main + n_safe
        newc[process.N_OFF_CAND] = to_centre
        newc[process.N_THIRD] = n_third
        if qs.n[0] + newc.sum() > len(qs.state):  # never write past the preallocated agents
            raise RuntimeError(f"asylum agents exceed the preallocated {len(qs.state):,} on day {t}")
        process.step(t, P[t], newc, keys[t], qs, flows[t], reference=reference)
        res.record_stocks(qs, stocks[t])
        removed_like[t] = flows[t, process.F_THIRD_REMOVED] + flows[t, process.F_RETURNS] + taken_back
        if det is not None and det.count_offshore_transfers:
            removed_like[t] += flows[t, process.F_TRANSFERS] - flows[t, process.F_SCREENED_OUT]
    cost = _support_and_costs(flows, stocks, dest, start, disp, off, rem)
    outputs = [hook.output() for _tag, _stream, hook in hooks]
    for out in outputs:
        cost[out.tag] = cost.get(out.tag, 0.0) + out.cost
    return DestinationRecord(flows, stocks, arrivals, q_arr, mult, cost, aboard, ad.summary(), safe_claims, outputs)


def run_asylum(config: AsylumConfig, sea: SeaLike | None, seed: int, *, reference: bool = False,
               tables: bool = True) -> AsylumOutcome:
    """Simulate every destination of `config` over the sea outcome's days (or config start..end). `tables=False`:
    the daily table is built only when asked for (AsylumOutcome.series reads a measure without it)."""
    offset, sea_days = 0, 0
    if sea is not None:
        sea_days = int(sea.n_days)
        sea, offset = _sea_window(sea, config.start, config.end)
        start, n_days = sea.start, int(sea.n_days)
    else:
        if config.start is None or config.end is None:
            raise InputError("<asylum>", "asylum.start", "start and end are needed without a sea model")
        start, n_days = config.start, (config.end - config.start).days + 1
    config = config.model_copy(update={"destinations": {
        k: d.model_copy(update={"levers": active_levers(d.levers)}) for k, d in config.destinations.items()}})
    runs: dict[str, DestinationRecord] = {}
    for name, dest in config.destinations.items():
        runs[name] = _run_destination(name, dest, sea, start, n_days, _dest_seed(seed, name), reference)
    summary = res.summary(config, runs, start, n_days)
    for name, r in runs.items():  # the rule for days after the data, and what it extended (after_data.py)
        summary["destinations"][name]["after_data"] = r.after_data
    mult = {k: r.mult for k, r in runs.items()}
    if sea_days:  # the runner wants one multiplier per day of the whole sea period
        for k, v in mult.items():
            full = np.ones(sea_days)
            full[offset:offset + n_days] = v
            mult[k] = full
    out = AsylumOutcome(config, runs, start, n_days, summary, mult)
    if tables:
        _ = out.daily  # built now: an observed column the scenario names but the file lacks fails the run here
    return out


def _sea_window(sea: SeaLike, start: dt.date | None, end: dt.date | None) -> tuple[SeaLike, int]:
    """The sea outcome restricted to the asylum section's own start/end (if given), and its day offset.

    Lets a scenario warm up its sea model over earlier years while the asylum part covers only the
    period its initial stocks refer to (e.g. italy_albania: sea from 2019, asylum 2024)."""
    s0 = sea.start
    lo = max((start - s0).days, 0) if start is not None else 0
    hi = min((end - s0).days + 1, int(sea.n_days)) if end is not None else int(sea.n_days)
    if lo == 0 and hi == int(sea.n_days):
        return sea, 0
    if hi <= lo:
        raise InputError("<asylum>", "asylum.start", "the asylum period lies outside the scenario's dates")
    view = SimpleNamespace(start=s0 + dt.timedelta(days=lo), n_days=hi - lo, routes=list(sea.routes),
                           destination_of_route=dict(sea.destination_of_route))
    # every per-route daily table the sea hands on (not a hand-kept list: a new sea measure comes along)
    for name, table in vars(sea).items():
        if isinstance(table, dict) and all(isinstance(v, np.ndarray) for v in table.values()) and table:
            setattr(view, name, {r: np.asarray(v)[lo:hi] for r, v in table.items()})
    return view, lo


def load_asylum_scenario(path: str | Path) -> tuple[AsylumConfig, dict[str, Any]]:
    """Read a scenario YAML and validate its `asylum:` section (top-level start/end fill in if missing)."""
    from crossings.scenario.load import (
        read_yaml,  # bounded YAML (depth, aliases, duplicate keys), one-line errors
    )

    p = Path(path)
    raw = read_yaml(p)
    if "asylum" not in raw:
        raise InputError(str(p), "asylum", "missing section")
    section = dict(raw["asylum"] or {})
    for k in ("start", "end"):
        if k not in section and k in raw:
            section[k] = raw[k]
    return parse_asylum(section, str(p)), raw


def run_asylum_scenario(path: str | Path, seed: int = 0, *, baseline: bool = False) -> AsylumOutcome:
    """Standalone run of a scenario's asylum section (no sea model: arrivals from observed series).

    `baseline=True` runs the same scenario with its levers removed.
    """
    cfg, _ = load_asylum_scenario(path)
    if baseline:
        cfg = strip_levers(cfg)
    return run_asylum(cfg, None, seed)


def active_levers(lv: Levers) -> Levers:
    """The levers with `enabled: false` ones removed (the runner's baseline switches levers off this way)."""
    kept: dict[str, Any] = {}
    for tag, kind in ASYLUM_KINDS.items():
        got = getattr(lv, tag)
        kept[tag] = [x for x in got if x.enabled] if kind.many else (got if got is not None and got.enabled else None)
    return Levers(**kept)


def strip_levers(cfg: AsylumConfig) -> AsylumConfig:
    """The scenario's baseline: the same destinations with every asylum lever off."""
    dests = {k: d.model_copy(update={"levers": Levers()}) for k, d in cfg.destinations.items()}
    return cfg.model_copy(update={"destinations": dests})


def write_asylum_outputs(outcome: AsylumOutcome, out_dir: str | Path, scenario: str | Path, seed: int,
                         wall_s: float) -> list[Path]:
    """Write a standalone run's daily/monthly tables and manifest (atomic, CSV + Parquet)."""
    from crossings.core import observed
    from crossings.core.output import hash_files, make_manifest, write_outputs

    manifest = make_manifest(
        scenario=str(scenario), scenario_hash=hash_files([Path(scenario)]), seed=seed, wall_s=wall_s,
        data_versions={s: observed.data_version(s) for s in ASYLUM_DATA},
        extra={"asylum_summary": outcome.summary, "mode": "standalone asylum (observed arrivals)"},
    )
    return write_outputs(out_dir, {"daily": outcome.daily, "monthly": outcome.monthly}, manifest)
