"""Daily input arrays of one destination: schedules resolved to days, observed UK series spread over days.

The UK quarterly tables (Asy_D01 claims, Asy_D02 decisions, Asy_D03 backlog, Asy_D11 support and hotels) are
the only observed asylum-process series in this release, so `observed` always means them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossings.core import observed
from crossings.core.calendar import date_index
from crossings.core.errors import InputError
from crossings.scenario.asylum import Step

F64 = npt.NDArray[np.float64]
UK_QUARTERLY = "uk_asylum_quarterly"


def schedule_daily(value: float | list[Step], start: dt.date, n_days: int) -> F64:
    """A number or dated steps as one value per day (before the first step: the first step's value)."""
    if not isinstance(value, list):
        return np.full(n_days, float(value))
    steps = sorted(value, key=lambda s: s.start)
    out = np.full(n_days, steps[0].value if steps else 0.0)
    for s in steps:
        t0 = max((s.start - start).days, 0)
        if t0 < n_days:
            out[t0:] = s.value
    return out


def window_mask(start: dt.date, n_days: int, w_start: dt.date, w_end: dt.date | None) -> npt.NDArray[np.bool_]:
    t = np.arange(n_days)
    t0 = (w_start - start).days
    t1 = (w_end - start).days if w_end is not None else n_days
    return (t >= t0) & (t <= t1)


def per_month_to_daily(monthly: F64, start: dt.date) -> F64:
    """A per-month rate held on each day, divided by that month's number of days."""
    days_in_month = date_index(start, len(monthly)).days_in_month.to_numpy()
    return monthly / days_in_month


@observed.derived(maxsize=8)
def uk_quarters() -> pd.DataFrame:
    """The UK quarterly table with its quarter ends as dates."""
    q = observed.load(UK_QUARTERLY)
    q["quarter_end"] = pd.to_datetime(q["quarter_end"])
    return q


def quarterly_flow_daily(column: str, start: dt.date, n_days: int) -> F64:
    """An observed quarterly flow spread evenly over the days of its quarter (NaN outside the data)."""
    q = uk_quarters()
    days = date_index(start, n_days)
    ends = days + pd.offsets.QuarterEnd(0)
    per_q = q.set_index("quarter_end")[column]
    qlen = (ends - (ends - pd.offsets.QuarterEnd(1))).days
    vals = per_q.reindex(ends).to_numpy(dtype=float)
    return vals / qlen.to_numpy()


def quarterly_share_daily(num: str, den: list[str], start: dt.date, n_days: int) -> F64:
    """An observed quarterly ratio num / sum(den), held over each day of its quarter."""
    q = uk_quarters()
    days = date_index(start, n_days)
    ends = days + pd.offsets.QuarterEnd(0)
    ratio = q[num] / q[den].sum(axis=1)
    return pd.Series(ratio.to_numpy(), index=q["quarter_end"]).reindex(ends).to_numpy(dtype=float)


def quarterly_stock_interpolated(values: pd.Series, start: dt.date, n_days: int) -> F64:
    """Quarter-end stocks linearly interpolated to days; held constant outside the observed range."""
    values = values.dropna()
    days = date_index(start, n_days)
    x = values.index.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.interp(days.to_numpy(dtype="datetime64[ns]").astype(np.int64), x, values.to_numpy(dtype=float))


def observed_dispersed_capacity(start: dt.date, n_days: int) -> F64:
    """People in support outside hotels (Asy_D11 support minus contingency hotels), interpolated.

    The rule behind the hotel stock: dispersed accommodation is filled first and hotels take the overflow
    (hotels are 'contingency' accommodation). Before the first hotel count (Dec 2022) the first value is held.
    """
    q = uk_quarters().set_index("quarter_end")
    disp = q["people_in_receipt_of_asylum_support_AsyD11"] - q["people_in_contingency_hotels_AsyD11"]
    return quarterly_stock_interpolated(disp, start, n_days)


def observed_initial_awaiting(start: dt.date) -> int:
    """People awaiting an initial decision at the last quarter end before `start` (Asy_D03)."""
    q = uk_quarters()
    before = q[q["quarter_end"] < pd.Timestamp(start)].dropna(subset=["people_awaiting_initial_decision_AsyD03"])
    if before.empty:
        raise ValueError(f"no observed backlog (Asy_D03) before {start}")
    return int(before["people_awaiting_initial_decision_AsyD03"].iloc[-1])


@observed.derived(maxsize=64)
def observed_arrivals_covered(stem: str, start: dt.date, n_days: int) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Daily sea arrivals from an observed file and which days the file covers (from its first to its last
    date); inside that span, days absent from the file are zero (UNHCR omits them). Once per process and
    arguments (a forecast's draws all ask for the same days)."""
    df = observed.load(stem)
    col = "people_arrived" if "people_arrived" in df.columns else "people_disembarked"
    s = pd.Series(df[col].to_numpy(dtype=float), index=pd.to_datetime(df["date"]))
    days = date_index(start, n_days)
    covered = np.asarray((days >= s.index.min()) & (days <= s.index.max()))
    return s.reindex(days, fill_value=0.0).to_numpy(dtype=float) * covered, covered


def observed_arrivals_daily(stem: str, start: dt.date, n_days: int) -> F64:
    """Daily sea arrivals from an observed file that must cover the whole run."""
    values, covered = observed_arrivals_covered(stem, start, n_days)
    if not covered.all():
        s = observed.load(stem)["date"]
        days = date_index(start, n_days)
        raise InputError(stem, "inflows.observed_arrivals",
                         f"covers {pd.Timestamp(s.min()).date()} to {pd.Timestamp(s.max()).date()}, not the run's "
                         f"{days[0].date()} to {days[-1].date()}")
    return values


def observed_other_claims_daily(sea_claims_expected: F64, start: dt.date, n_days: int) -> F64:
    """Asy_D01 claims minus expected small-boat claims in each quarter, spread evenly over its days."""
    claims = quarterly_flow_daily("asylum_claims_people_AsyD01", start, n_days)
    days = date_index(start, n_days)
    key = (days + pd.offsets.QuarterEnd(0)).to_numpy()
    sea_q = pd.Series(sea_claims_expected).groupby(key).transform("mean").to_numpy()
    return np.maximum(np.nan_to_num(claims) - sea_q, 0.0)


def carry_round(x: F64) -> npt.NDArray[np.int64]:
    """Integers per day whose running sum stays within 1 of the running sum of x (no random noise)."""
    c = np.floor(np.cumsum(x) + 1e-9)
    return np.diff(np.concatenate([[0.0], c])).astype(np.int64)
