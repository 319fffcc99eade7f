"""Observed series named in a scenario -> tidy frames (route, measure, date|month, observed)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crossings.core import observed as obs
from crossings.core.errors import InputError
from crossings.scenario.schema import ObservedSeries, Scenario


def _series(ob: ObservedSeries, where: str, file: str) -> pd.Series:
    try:
        df = obs.load(ob.file)
    except KeyError as err:
        raise InputError(file, f"{where}.file", str(err).strip('"')) from None
    for col, val in ob.filter.items():
        if col not in df.columns:
            raise InputError(file, f"{where}.filter.{col}", f"no column {col!r} in {ob.file}")
        df = df[df[col].astype(str) == val]
    key = "date" if ob.freq == "daily" else "month"
    for col in (key, ob.column):
        if col not in df.columns:
            raise InputError(file, f"{where}.column", f"no column {col!r} in {ob.file}")
    s = pd.to_numeric(df[ob.column], errors="coerce")
    s.index = pd.Index(df[key].astype(str))
    s = s.groupby(level=0).sum(min_count=1)
    if ob.freq == "daily" and ob.absent_is_zero and len(s):
        full = pd.date_range(min(s.index), max(s.index), freq="D").strftime("%Y-%m-%d")
        s = s.reindex(full, fill_value=0.0)
    return s


def observed_frames(sc: Scenario, file: str, start: dt.date, end: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(daily, monthly) observed values in [start, end]: columns route, measure, date|month, observed.

    A daily series also gives monthly values, for the months it covers completely."""
    daily, monthly = [], []
    s0, s1 = start.isoformat(), end.isoformat()
    m0, m1 = s0[:7], s1[:7]
    for i, ob in enumerate(sc.observed):
        s = _series(ob, f"observed.{i}", file)
        if ob.freq == "daily":
            d = s[(s.index >= s0) & (s.index <= s1)].dropna()
            daily.append(pd.DataFrame({"place": ob.route, "measure": ob.measure, "date": d.index,
                                       "observed": d.to_numpy()}))
            months = d.index.str[:7]
            g = d.groupby(months)
            size = g.size()
            days_in = pd.PeriodIndex(size.index, freq="M").days_in_month
            full = size[size.to_numpy() == days_in.to_numpy()].index
            ms = g.sum()[full]
            if ob.measure in {m for o in sc.observed if o.freq == "monthly" and o.route == ob.route
                              for m in [o.measure]}:
                continue  # a monthly series of the same measure wins
            monthly.append(pd.DataFrame({"place": ob.route, "measure": ob.measure, "month": ms.index,
                                         "observed": ms.to_numpy()}))
        else:
            m = s[(s.index >= m0) & (s.index <= m1)].dropna()
            monthly.append(pd.DataFrame({"place": ob.route, "measure": ob.measure, "month": m.index,
                                         "observed": m.to_numpy()}))
    cols_d = ["place", "measure", "date", "observed"]
    cols_m = ["place", "measure", "month", "observed"]
    dd = pd.concat(daily, ignore_index=True) if daily else pd.DataFrame(columns=cols_d)
    mm = pd.concat(monthly, ignore_index=True) if monthly else pd.DataFrame(columns=cols_m)
    return dd, mm
