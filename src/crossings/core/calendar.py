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


def month_fraction(idx: pd.DatetimeIndex) -> np.ndarray:
    """Each day's fractional calendar month: 1.0 = 1 January, 1.5 = mid-January (the seasonal terms' clock)."""
    out: np.ndarray = idx.month.to_numpy() + (idx.day.to_numpy() - 1) / idx.days_in_month.to_numpy()
    return out


def season_cos(month: np.ndarray, peak: float, harmonic: int = 1) -> np.ndarray:
    """cos(2 pi harmonic (month - peak) / 12): the yearly cycle of every seasonal term (travel season, incident
    season, loss season, onward hazard), peaking at month `peak` (1.0 = 1 January)."""
    out: np.ndarray = np.cos(2 * harmonic * np.pi * (month - peak) / 12.0)
    return out
