"""Dates <-> ticks. One tick is one day; tick 0 is the scenario's start date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def to_date(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def tick_of(start: dt.date, day: str | dt.date) -> int:
    return (to_date(day) - start).days


def date_of(start: dt.date, tick: int) -> dt.date:
    return start + dt.timedelta(days=int(tick))


def date_index(start: dt.date, n_days: int) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start), periods=n_days, freq="D")


def month_of_ticks(start: dt.date, n_days: int) -> np.ndarray:
    """Calendar month (1..12) of every tick, as int8."""
    return date_index(start, n_days).month.to_numpy().astype(np.int8)
