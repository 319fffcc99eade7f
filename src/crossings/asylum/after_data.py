"""The stated rule for days after the observed UK quarterly data (`after_data:` of a destination).

`error` (default): a run that needs an `observed` input beyond the data fails with an InputError naming the key.
`hold_last_year`: on the days after an input's last observed quarter, the input is held at its value over the
last HOLD_QUARTERS observed quarters: flows as their mean daily rate (sum / days), shares as the ratio of
their sums, the dispersed-accommodation capacity (a stock) at its last observed value. Four quarters, not
one, so that a single odd quarter (e.g. the 59,086 decisions of the 2023 Q4 clearance drive) does not set
the future. This is an ASSUMPTION ("policy and claims as in the last observed year"), not a forecast of
policy; every input extended this way is listed, with its date and held value, in the run's asylum summary.
Days inside the data are computed exactly as with `error`, so runs that end within the data do not change.

The other rules (after_rules.py) give one value per quarter after the data: `hold_last_quarter` (the last
observed quarter's rate, share or stock), `damped_trend` (a damped trend on the log / logit of the last
quarters) and `stochastic` (a local level on that scale fitted on every quarter before the cut, one driver
path per `path`), with its variants `stochastic_paths` (whole past paths: a block bootstrap of the input's
quarterly changes) and `stochastic_recalibrated` (the local level's spread rescaled by its past errors). A rule given as
{rule, data_until, path} treats every input as observed only to `data_until` (a back-test's origin): the rule
takes over after it, estimated from the quarters before it only. A mixture rule (`mix_identity`,
after_mix.py) carries every input by the member rule its driver path picks; the summary names both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossings.asylum import (
    after_backlog,
    after_bootstrap,
    after_identity,
    after_mix,
    after_queue,
    after_rules,
    inputs,
)
from crossings.core import observed
from crossings.core.calendar import date_index
from crossings.core.errors import InputError
from crossings.scenario.asylum import AfterDataSpec, Step

F64 = npt.NDArray[np.float64]
HOLD_QUARTERS = 4
BOATS = "uk_small_boats_daily"  # the small-boat series behind `other_claims: observed_residual`

DECISIONS = "initial_decisions_people_AsyD02"
GRANTS, REFUSALS = "initial_grants_people_AsyD02", "initial_refusals_people_AsyD02"
WITHDRAWALS = "initial_withdrawals_people_AsyD02"
CLAIMS = "asylum_claims_people_AsyD01"
SUPPORT, HOTELS = "people_in_receipt_of_asylum_support_AsyD11", "people_in_contingency_hotels_AsyD11"
# the rules that draw one path per driver path (after_rules.py)
STOCHASTIC = {"stochastic": after_rules.stochastic, "stochastic_paths": after_rules.stochastic_paths,
              "stochastic_recalibrated": after_rules.stochastic_recalibrated,
              # decisions from the queue (after_backlog.py); every other input as stochastic_recalibrated
              after_backlog.RULE: after_rules.stochastic_recalibrated,
              after_backlog.RULE_RW: after_rules.stochastic_recalibrated}
# a rule of after_identity.RULES carries every input as its base rule, plus the stock-flow identity's residual
# (after_identity.py: the queue starts at the published one, a residual drawn per quarter) as other claims
STOCHASTIC_OR_IDENTITY = set(STOCHASTIC) | set(after_identity.RULES)


@dataclass(frozen=True)
class Held:
    """An input's value after the data: `value` (per day, a share or people), the last observed day it
    rests on (`data_end`) and the first day of the quarters it is taken from (`basis_start`)."""

    value: float
    data_end: dt.date
    basis_start: dt.date
    unit: str


class AfterData:
    """Applies one destination's rule and records every input it extends (for the summary)."""

    def __init__(self, rule: str | AfterDataSpec, dest_key: str, start: dt.date, n_days: int, seed: int = 0) -> None:
        spec = rule if isinstance(rule, AfterDataSpec) else AfterDataSpec(rule=rule)  # type: ignore[arg-type]
        # the stochastic rule's driver path: the one the scenario names, else the run's (destination's) seed
        self.path = spec.path if spec.path is not None else int(seed)
        self.named, self.until = spec.rule, spec.data_until  # the rule as named; a mixture's member below
        self.rule = after_mix.resolve(spec.rule, self.path)
        self.base = after_identity.base_rule(self.rule)  # the rule that carries the inputs themselves
        self.key, self.start, self.n_days = dest_key, start, n_days
        self.extended: dict[str, dict[str, Any]] = {}

    def _days_after(self, data_end: dt.date) -> int:
        """Number of run days after `data_end` (the tail of the run)."""
        first_after = max((data_end - self.start).days + 1, 0)
        return max(self.n_days - first_after, 0)

    def _check(self, name: str, data_end: dt.date) -> int:
        """Days after the data; raise under `error` if there are any."""
        n_after = self._days_after(data_end)
        if n_after and self.rule == "error":
            end = self.start + dt.timedelta(days=self.n_days - 1)
            raise InputError("<asylum>", f"{self.key}.{name}",
                             f"the observed data end on {data_end} and the run on {end}: set {self.key}.after_data: "
                             "hold_last_year (the last observed year held after the data) or give a number or steps")
        return n_after

    def extend(self, name: str, arr: F64, held: Held, hist: pd.Series, kind: str) -> F64:
        """`arr` with its days after `held.data_end` set by the rule (recorded), or an error. `hist`: the
        input's quarterly values (index quarter_end) to `held.data_end`; `kind`: flow, share or stock."""
        n_after = self._check(name, held.data_end)
        if not n_after:
            return arr
        out = arr.copy()
        out[self.n_days - n_after:] = self.after(name, held, hist, kind, n_after)
        return out

    def after(self, name: str, held: Held, hist: pd.Series, kind: str, n_after: int) -> F64:
        """The rule's values on the last `n_after` days of the run, quarter by quarter (recorded)."""
        days = date_index(self.start + dt.timedelta(days=self.n_days - n_after), n_after)
        end = pd.Timestamp(held.data_end)
        q_ahead = np.asarray((days.year - end.year) * 4 + (days.quarter - end.quarter), dtype=np.int64)
        horizon = int(q_ahead.max())
        x = hist.to_numpy(dtype=float)
        rule = self.base
        if rule == "hold_last_quarter":
            per_q = after_rules.hold_last_quarter(x, horizon)
        elif rule == "damped_trend":
            per_q = after_rules.damped_trend(x, kind, horizon)
        elif rule in after_backlog.RULES and name == after_backlog.NAME and (
                (fb := after_backlog.decisions_path(_quarters(held.data_end), horizon, self.path,
                                                    after_backlog.RULES[rule])) is not None):
            per_q = fb
        elif self.rule == after_bootstrap.RULE and name == after_bootstrap.NAME and (
                (bs := after_bootstrap.decisions_path(x, horizon, self.path)) is not None):
            per_q = bs
        elif rule in STOCHASTIC:
            per_q = STOCHASTIC[rule](x, kind, horizon, name, self.path)
        else:  # hold_last_year
            per_q = np.full(horizon, held.value)
        # the quarters the rule rests on: the last 4 (hold_last_year), the last one, or the last N_FIT
        n_basis = {"hold_last_quarter": 1, "damped_trend": after_rules.N_FIT} | {r: len(hist) for r in STOCHASTIC}
        k = min(n_basis.get(rule, 0), len(hist))
        basis_start = _first_day(hist.index[-k]) if k else held.basis_start
        self._record(name, held, n_after, per_q, basis_start)
        return per_q[q_ahead - 1]

    def _record(self, name: str, held: Held, n_after: int, per_q: F64, basis_start: dt.date) -> None:
        self.extended[name] = {
            "from": str(self.start + dt.timedelta(days=self.n_days - n_after)),
            "held_value": float(per_q[0]), "unit": held.unit, "quarterly_values": [float(v) for v in per_q],
            "basis": f"{basis_start} to {held.data_end}",
        }

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.named, "held_quarters": HOLD_QUARTERS, "extended": dict(self.extended)}
        if self.named != self.rule:
            out["member_rule"] = self.rule  # the mixture's member this path carries
        if self.until is not None:
            out["data_until"] = str(self.until)
        if self.rule in STOCHASTIC_OR_IDENTITY:
            out["path"] = self.path
        return out

    # ---- the observed inputs, each with the rule applied

    def decision_capacity(self) -> F64:
        arr = inputs.quarterly_flow_daily(DECISIONS, self.start, self.n_days)
        return self.extend("decision_capacity", arr, held_flow(DECISIONS, self.until),
                           flow_history(DECISIONS, self.until), "flow")

    def decision_share(self) -> F64:
        """The kernel's decision share per day (process.P_DEC_SHARE): 0 (decisions by capacity) except after
        the decisions' data under queue_feedback_identity (after_queue.py; recorded)."""
        if self.rule != after_queue.RULE:
            return np.zeros(self.n_days)
        data_end = held_flow(DECISIONS, self.until).data_end
        share, per_q = after_queue.daily(_quarters(data_end), data_end, self.start, self.n_days, self.path)
        if per_q is not None:
            self.extended["decision_share"] = {
                "from": str(data_end + dt.timedelta(days=1)), "unit": "decisions per day per person waiting",
                "quarterly_values": [float(v) for v in per_q],
                "basis": f"{after_queue.hazards(_quarters(data_end)).index[0].date()} to {data_end}"}
        return share

    def grant_rate(self) -> F64:
        arr = inputs.quarterly_share_daily(GRANTS, [GRANTS, REFUSALS], self.start, self.n_days)
        return self.extend("grant_rate", arr, held_share(GRANTS, [GRANTS, REFUSALS], self.until),
                           share_history(GRANTS, [GRANTS, REFUSALS], self.until), "share")

    def withdrawal_share(self) -> F64:
        arr = inputs.quarterly_share_daily(WITHDRAWALS, [DECISIONS], self.start, self.n_days)
        return self.extend("withdrawal_share", arr, held_share(WITHDRAWALS, [DECISIONS], self.until),
                           share_history(WITHDRAWALS, [DECISIONS], self.until), "share")

    def dispersed_capacity(self) -> F64:
        # interpolation already holds the last value; the rule decides whether that is allowed. Before the
        # first hotel count (Dec 2022) there is nothing to cut: the first count is held back, as in any run
        arr = inputs.observed_dispersed_capacity(self.start, self.n_days)
        hist = dispersed_history(self.until)
        if hist.empty:
            return arr
        return self.extend("dispersed_capacity", arr, held_dispersed(self.until), hist, "stock")

    def other_claims(self, claim_share: float | list[Step]) -> F64:
        """`observed_residual` per day; after the data the rule on the quarterly mean daily residual, so the
        small-boat series is never read beyond its end (nor beyond `data_until`)."""
        hist = residual_history(claim_share, self.until)
        held = held_residual(claim_share, self.until, hist)
        n_after = self._check("inflows.other_claims", held.data_end)
        n_in = self.n_days - n_after
        out = np.empty(self.n_days)
        if n_in:
            share = inputs.schedule_daily(claim_share, self.start, n_in)
            boats = inputs.observed_arrivals_daily(BOATS, self.start, n_in)
            out[:n_in] = inputs.observed_other_claims_daily(boats * share, self.start, n_in)
        if n_after:
            out[n_in:] = self.after("inflows.other_claims", held, hist, "flow", n_after)
            if self.rule in after_identity.RULES:
                out[n_in:] = self._identity(held.data_end, out[n_in:])
        return out

    def _identity(self, data_end: dt.date, after: F64) -> F64:
        """`after` (the other claims per day after `data_end`) plus the identity's people per quarter
        (after_identity.per_quarter), spread over their quarter's days; a day floored at 0 (recorded)."""
        n_after = len(after)
        days = date_index(self.start + dt.timedelta(days=self.n_days - n_after), n_after)
        end = pd.Timestamp(data_end)
        q_ahead = np.asarray((days.year - end.year) * 4 + (days.quarter - end.quarter), dtype=np.int64)
        horizon = int(q_ahead.max())
        q = _quarters(data_end)
        per_q = after_identity.per_quarter(q, self.start, horizon, self.path)
        res = after_identity.residuals(q)
        ends = [end + pd.offsets.QuarterEnd(h) for h in range(horizon + 1)]
        q_days = np.array([(ends[h] - ends[h - 1]).days for h in range(1, horizon + 1)], dtype=float)
        new = after + (per_q / q_days)[q_ahead - 1]
        self.extended["identity_residual"] = {
            "from": str(days[0].date()), "unit": "people per quarter", "quarterly_values": [float(v) for v in per_q],
            "start_gap": after_identity.start_gap(q, self.start), "floored_people": float(np.maximum(-new, 0.0).sum()),
            "basis": f"{res.index[0].date() if len(res) else data_end} to {data_end}"}
        return np.asarray(np.maximum(new, 0.0))


@observed.derived()
def _quarters(until: dt.date | None = None) -> pd.DataFrame:
    """The UK quarterly table, sorted; only quarters ending on or before `until` when given."""
    q = inputs.uk_quarters()
    if until is not None:
        q = q[q["quarter_end"] <= pd.Timestamp(until)]
    return q.sort_values("quarter_end").reset_index(drop=True)


def _quarter_days(ends: pd.Series) -> npt.NDArray[np.int64]:
    e = pd.DatetimeIndex(ends)
    return np.asarray((e - (e - pd.offsets.QuarterEnd(1))).days, dtype=np.int64)


def _basis(rows: pd.DataFrame, what: str) -> pd.DataFrame:
    last = rows.tail(HOLD_QUARTERS)
    if len(last) < HOLD_QUARTERS:
        raise ValueError(f"fewer than {HOLD_QUARTERS} observed quarters of {what}")
    return last


def _first_day(quarter_end: pd.Timestamp) -> dt.date:
    return (quarter_end - pd.offsets.QuarterEnd(1) + pd.Timedelta(days=1)).date()


# The histories and held values below are functions of the shipped data and their arguments: computed once per
# process (observed.derived), since a forecast's or back-test's draws all ask for the same ones.

@observed.derived()
def held_flow(column: str, until: dt.date | None = None) -> Held:
    """Mean daily rate of `column` over its last observed quarters: their sum / their number of days."""
    last = _basis(_quarters(until).dropna(subset=[column]), column)
    rate = float(last[column].sum() / _quarter_days(last["quarter_end"]).sum())
    return Held(rate, last["quarter_end"].iloc[-1].date(), _first_day(last["quarter_end"].iloc[0]),
                "people per day")


@observed.derived()
def flow_history(column: str, until: dt.date | None = None) -> pd.Series:
    """Daily rate of `column` in each observed quarter (its sum / its days), by quarter end."""
    q = _quarters(until).dropna(subset=[column])
    return pd.Series(q[column].to_numpy(dtype=float) / _quarter_days(q["quarter_end"]),
                     index=pd.DatetimeIndex(q["quarter_end"]))


@observed.derived()
def held_share(num: str, den: list[str], until: dt.date | None = None) -> Held:
    """sum(num) / sum(den) over the last quarters where all of them are observed."""
    last = _basis(_quarters(until).dropna(subset=[num, *den]), num)
    share = float(last[num].sum() / last[den].to_numpy(dtype=float).sum())
    return Held(share, last["quarter_end"].iloc[-1].date(), _first_day(last["quarter_end"].iloc[0]), "share")


@observed.derived()
def share_history(num: str, den: list[str], until: dt.date | None = None) -> pd.Series:
    """num / sum(den) in each quarter where all of them are observed."""
    q = _quarters(until).dropna(subset=[num, *den])
    return pd.Series(q[num].to_numpy(dtype=float) / q[den].to_numpy(dtype=float).sum(axis=1),
                     index=pd.DatetimeIndex(q["quarter_end"]))


@observed.derived()
def dispersed_history(until: dt.date | None = None) -> pd.Series:
    """Asy_D11 support minus contingency hotels at each quarter end with both (people)."""
    q = _quarters(until).dropna(subset=[SUPPORT, HOTELS])
    return pd.Series((q[SUPPORT] - q[HOTELS]).to_numpy(dtype=float), index=pd.DatetimeIndex(q["quarter_end"]))


@observed.derived()
def held_dispersed(until: dt.date | None = None) -> Held:
    """Asy_D11 support minus contingency hotels at the last quarter end with both (people)."""
    rows = _quarters(until).dropna(subset=[SUPPORT, HOTELS])
    last = rows.iloc[-1]
    return Held(float(last[SUPPORT] - last[HOTELS]), last["quarter_end"].date(), last["quarter_end"].date(),
                "people")


@observed.derived()
def residual_history(claim_share: float | list[Step], until: dt.date | None = None) -> pd.Series:
    """Mean daily `observed_residual` of each quarter that has Asy_D01 claims and lies wholly inside the
    small-boat series (and ends by `until`); each the one a run over the data uses (clipped at 0)."""
    boats_dates = pd.to_datetime(observed.load(BOATS)["date"])
    q = _quarters(until).dropna(subset=[CLAIMS])
    starts = q["quarter_end"] - pd.offsets.QuarterEnd(1) + pd.Timedelta(days=1)
    inside = q[(starts >= boats_dates.min()) & (q["quarter_end"] <= boats_dates.max())]
    vals = []
    for qe in inside["quarter_end"]:
        q0 = _first_day(qe)
        n = (qe.date() - q0).days + 1
        share = inputs.schedule_daily(claim_share, q0, n)
        boats = inputs.observed_arrivals_daily(BOATS, q0, n)
        vals.append(float(inputs.observed_other_claims_daily(boats * share, q0, n).sum()) / n)
    return pd.Series(vals, index=pd.DatetimeIndex(inside["quarter_end"]), dtype=float)


def held_residual(claim_share: float | list[Step], until: dt.date | None = None,
                  hist: pd.Series | None = None) -> Held:
    """Mean daily residual over the last quarters of residual_history (sum of residuals / sum of days);
    `hist`: that history when the caller has it already."""
    hist = residual_history(claim_share, until) if hist is None else hist
    if len(hist) < HOLD_QUARTERS:
        raise ValueError(f"fewer than {HOLD_QUARTERS} observed quarters of claims with small-boat arrivals")
    last = hist.tail(HOLD_QUARTERS)
    days = _quarter_days(pd.Series(last.index))
    return Held(float((last.to_numpy() * days).sum() / days.sum()), last.index[-1].date(),
                _first_day(last.index[0]), "people per day")
