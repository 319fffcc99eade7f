"""Small-boat arrivals past a forecast origin for the UK asylum forecasts: a stochastic driver, one path a draw.

The same model as the sea forecasts' latent driver (forecasting/drivers.py, Harvey 1989 ch. 2), here on the
arrivals themselves: y_m = log(monthly arrivals + 10) = season(month) + l_m + e_m, a local level with a fixed
seasonal factor per calendar month, both noise variances by maximum likelihood on the observed months to the
origin only (HO SB_01, from 2018-01). Past the origin the level follows its random walk from the filtered
state, so the spread grows with the horizon as fast as the arrivals' own month-to-month drift. A month's
arrivals are spread evenly over its days. Draws come from the counter-based stream keyed by the name
"asylum.after_data.arrivals" with the driver path as the seed (after_rules.normals), the path the asylum
inputs' stochastic rule uses too: path p is one joint draw of arrivals and inputs, the same for any job count.
As in after_rules.stochastic, a path's draws are split into level and noise by its length: the same path over
a longer horizon is another draw of the same model, not an extension.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from crossings.asylum import after_rules, inputs
from crossings.core import observed
from crossings.core.calendar import date_index
from crossings.forecasting.drivers import LocalLevel, fit_local_level

BOATS = "uk_small_boats_daily"
FIRST = dt.date(2018, 1, 1)  # first day of the observed small-boat series
OFFSET = 10.0  # log(x + 10): months with no crossings stay finite (as drivers.py)
STREAM_NAME = "arrivals"  # after_rules.normals(name=...): stream "asylum.after_data.arrivals"


def monthly_observed(origin: dt.date) -> pd.Series:
    """Observed small-boat arrivals per month from 2018-01 to the origin's month (the origin is a month end)."""
    n = (origin - FIRST).days + 1
    days = date_index(FIRST, n)
    daily = pd.Series(inputs.observed_arrivals_daily(BOATS, FIRST, n), index=days)
    return daily.groupby(days.to_period("M")).sum()


@observed.derived()
def fit(origin: dt.date) -> LocalLevel:
    """The local level with seasonal factors on log(arrivals + 10), months to the origin only (once per process
    and origin: observed.derived)."""
    m = monthly_observed(origin)
    # season from every month: the UK back-test (docs/asylum_backtest.csv) was run so; the sea driver's 48-month
    # span (drivers.SEASON_MONTHS, session 6) has not been back-tested here
    return fit_local_level(np.log(m.to_numpy(dtype=float) + OFFSET), pd.PeriodIndex(m.index).month.to_numpy(),
                           season_months=None)


def monthly_path(origin: dt.date, n_months: int, path: int) -> np.ndarray:
    """One path of monthly arrivals for the n_months after the origin (people, >= 0)."""
    model = fit(origin)
    z = after_rules.normals(STREAM_NAME, path, 2 * n_months + 1)
    level = model.level + math.sqrt(max(model.level_var, 0.0)) * z[0] + model.s_level * np.cumsum(z[1:n_months + 1])
    months = pd.period_range(pd.Period(origin, "M") + 1, periods=n_months, freq="M")
    season = np.asarray(model.season)[months.month.to_numpy() - 1]
    return np.maximum(np.exp(level + season + model.s_obs * z[n_months + 1:]) - OFFSET, 0.0)


def daily_path(origin: dt.date, n_days: int, path: int) -> np.ndarray:
    """One path of daily arrivals for the n_days after the origin: each month's arrivals spread over its days."""
    days = date_index(origin + dt.timedelta(days=1), n_days)
    k = np.asarray((days.year - days[0].year) * 12 + days.month - days[0].month, dtype=np.int64)  # month ahead - 1
    monthly = monthly_path(origin, int(k[-1]) + 1 if n_days else 0, path)
    return np.asarray(monthly[k] / days.days_in_month.to_numpy(), dtype=float)


def arrivals_with_path(origin: dt.date, start: dt.date, n_days: int, path: int) -> np.ndarray:
    """Observed daily arrivals from `start` to the origin, then driver path `path`."""
    n_in = (origin - start).days + 1
    out = np.empty(n_days)
    out[:n_in] = inputs.observed_arrivals_daily(BOATS, start, n_in)
    out[n_in:] = daily_path(origin, n_days - n_in, path)
    return out
