"""The stated rule for days after the observed UK quarterly data (`after_data:` of a destination).

`error` (default): a run that needs an `observed` input beyond the data fails with an InputError naming the key.
`hold_last_year`: on the days after an input's last observed quarter, the input is held at its value over the
last HOLD_QUARTERS observed quarters: flows as their mean daily rate (sum / days), shares as the ratio of
their sums, the dispersed-accommodation capacity (a stock) at its last observed value. Four quarters, not
one, so that a single odd quarter (e.g. the 59,086 decisions of the 2023 Q4 clearance drive) does not set
the future. This is an ASSUMPTION ("policy and claims as in the last observed year"), not a forecast of
policy; every input extended this way is listed, with its date and held value, in the run's asylum summary.
Days inside the data are computed exactly as with `error`, so runs that end within the data do not change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossings.asylum import inputs
from crossings.core import observed
from crossings.core.errors import InputError
from crossings.scenario.asylum import Step

F64 = npt.NDArray[np.float64]
HOLD_QUARTERS = 4
BOATS = "uk_small_boats_daily"  # the small-boat series behind `other_claims: observed_residual`

DECISIONS = "initial_decisions_people_AsyD02"
GRANTS, REFUSALS = "initial_grants_people_AsyD02", "initial_refusals_people_AsyD02"
WITHDRAWALS = "initial_withdrawals_people_AsyD02"
CLAIMS = "asylum_claims_people_AsyD01"
SUPPORT, HOTELS = "people_in_receipt_of_asylum_support_AsyD11", "people_in_contingency_hotels_AsyD11"


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

    def __init__(self, rule: str, dest_key: str, start: dt.date, n_days: int) -> None:
        self.rule, self.key, self.start, self.n_days = rule, dest_key, start, n_days
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

    def extend(self, name: str, arr: F64, held: Held) -> F64:
        """`arr` with its days after `held.data_end` set to the held value (recorded), or an error."""
        n_after = self._check(name, held.data_end)
        if not n_after:
            return arr
        out = arr.copy()
        out[self.n_days - n_after:] = held.value
        self._record(name, held, n_after)
        return out

    def _record(self, name: str, held: Held, n_after: int) -> None:
        self.extended[name] = {
            "from": str(self.start + dt.timedelta(days=self.n_days - n_after)),
            "held_value": held.value, "unit": held.unit,
            "basis": f"{held.basis_start} to {held.data_end}",
        }

    def summary(self) -> dict[str, Any]:
        return {"rule": self.rule, "held_quarters": HOLD_QUARTERS, "extended": dict(self.extended)}

    # ---- the observed inputs, each with the rule applied

    def decision_capacity(self) -> F64:
        arr = inputs.quarterly_flow_daily(DECISIONS, self.start, self.n_days)
        return self.extend("decision_capacity", arr, held_flow(DECISIONS))

    def grant_rate(self) -> F64:
        arr = inputs.quarterly_share_daily(GRANTS, [GRANTS, REFUSALS], self.start, self.n_days)
        return self.extend("grant_rate", arr, held_share(GRANTS, [GRANTS, REFUSALS]))

    def withdrawal_share(self) -> F64:
        arr = inputs.quarterly_share_daily(WITHDRAWALS, [DECISIONS], self.start, self.n_days)
        return self.extend("withdrawal_share", arr, held_share(WITHDRAWALS, [DECISIONS]))

    def dispersed_capacity(self) -> F64:
        # interpolation already holds the last value; the rule decides whether that is allowed
        arr = inputs.observed_dispersed_capacity(self.start, self.n_days)
        return self.extend("dispersed_capacity", arr, held_dispersed())

    def other_claims(self, claim_share: float | list[Step]) -> F64:
        """`observed_residual` per day; after the data the mean daily residual of the last quarters, so the
        small-boat series is never read beyond its end."""
        held = held_residual(claim_share)
        n_after = self._check("inflows.other_claims", held.data_end)
        n_in = self.n_days - n_after
        out = np.empty(self.n_days)
        if n_in:
            share = inputs.schedule_daily(claim_share, self.start, n_in)
            boats = inputs.observed_arrivals_daily(BOATS, self.start, n_in)
            out[:n_in] = inputs.observed_other_claims_daily(boats * share, self.start, n_in)
        if n_after:
            out[n_in:] = held.value
            self._record("inflows.other_claims", held, n_after)
        return out


def _quarters() -> pd.DataFrame:
    q = observed.load(inputs.UK_QUARTERLY)
    q["quarter_end"] = pd.to_datetime(q["quarter_end"])
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


def held_flow(column: str) -> Held:
    """Mean daily rate of `column` over its last observed quarters: their sum / their number of days."""
    last = _basis(_quarters().dropna(subset=[column]), column)
    rate = float(last[column].sum() / _quarter_days(last["quarter_end"]).sum())
    return Held(rate, last["quarter_end"].iloc[-1].date(), _first_day(last["quarter_end"].iloc[0]),
                "people per day")


def held_share(num: str, den: list[str]) -> Held:
    """sum(num) / sum(den) over the last quarters where all of them are observed."""
    last = _basis(_quarters().dropna(subset=[num, *den]), num)
    share = float(last[num].sum() / last[den].to_numpy(dtype=float).sum())
    return Held(share, last["quarter_end"].iloc[-1].date(), _first_day(last["quarter_end"].iloc[0]), "share")


def held_dispersed() -> Held:
    """Asy_D11 support minus contingency hotels at the last quarter end with both (people)."""
    rows = _quarters().dropna(subset=[SUPPORT, HOTELS])
    last = rows.iloc[-1]
    return Held(float(last[SUPPORT] - last[HOTELS]), last["quarter_end"].date(), last["quarter_end"].date(),
                "people")


def held_residual(claim_share: float | list[Step]) -> Held:
    """Mean daily `observed_residual` over the last quarters that have Asy_D01 claims and lie wholly inside
    the small-boat series; each quarter's residual is the one a run over the data uses (clipped at 0)."""
    boats_dates = pd.to_datetime(observed.load(BOATS)["date"])
    q = _quarters().dropna(subset=[CLAIMS])
    starts = q["quarter_end"] - pd.offsets.QuarterEnd(1) + pd.Timedelta(days=1)
    inside = (starts >= boats_dates.min()) & (q["quarter_end"] <= boats_dates.max())
    last = _basis(q[inside], "claims with small-boat arrivals")
    total, days = 0.0, 0
    for qe in last["quarter_end"]:
        q0 = _first_day(qe)
        n = (qe.date() - q0).days + 1
        share = inputs.schedule_daily(claim_share, q0, n)
        boats = inputs.observed_arrivals_daily(BOATS, q0, n)
        total += float(inputs.observed_other_claims_daily(boats * share, q0, n).sum())
        days += n
    return Held(total / days, last["quarter_end"].iloc[-1].date(), _first_day(last["quarter_end"].iloc[0]),
                "people per day")
