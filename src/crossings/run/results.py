"""The tidy results contract: daily and monthly tables with columns
(date | month "YYYY-MM", route, measure, simulated, observed); observed is empty where nothing was observed.

Flows are summed to months; stocks (`waiting`) take the month's last day. Routes are the sea links, plus
one row set per destination named in the observed series (all routes to it summed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crossings.core.calendar import date_index
from crossings.sea.outcome import MEASURES, STOCKS, SeaOutcome

DAILY_COLS = ["date", "route", "measure", "simulated", "observed"]
MONTHLY_COLS = ["month", "route", "measure", "simulated", "observed"]


@dataclass
class ScenarioResult:
    daily: pd.DataFrame
    monthly: pd.DataFrame
    scenario: Any
    summary: dict[str, Any]
    manifest: dict[str, Any]
    sea: SeaOutcome | None = None


def sea_daily(sea: SeaOutcome, destinations: set[str]) -> pd.DataFrame:
    dates = date_index(sea.start, sea.n_days).strftime("%Y-%m-%d")
    parts = []
    series: dict[tuple[str, str], np.ndarray] = {}
    for m in (*MEASURES, *STOCKS):
        table: dict[str, np.ndarray] = getattr(sea, m)
        for r in sea.routes:
            series[(r, m)] = table[r]
        for d in sorted(destinations):
            rs = [r for r in sea.routes if sea.destination_of_route[r] == d]
            if rs:
                series[(d, m)] = np.sum([table[r] for r in rs], axis=0)
    for (route, m), v in series.items():
        parts.append(pd.DataFrame({"date": dates, "route": route, "measure": m, "simulated": v}))
    return pd.concat(parts, ignore_index=True)


def to_monthly(daily: pd.DataFrame, stocks: tuple[str, ...] = STOCKS) -> pd.DataFrame:
    d = daily.assign(month=daily["date"].astype(str).str[:7])
    g = d.groupby(["month", "route", "measure"], sort=False)["simulated"]
    flows = g.sum()
    last = g.last()
    is_stock = flows.index.get_level_values("measure").isin(stocks)
    out = flows.where(~is_stock, last).reset_index()
    return out


def attach_observed(sim: pd.DataFrame, obs: pd.DataFrame, key: str) -> pd.DataFrame:
    out = sim.merge(obs, on=[key, "route", "measure"], how="left") if len(obs) else sim.assign(observed=np.nan)
    cols = DAILY_COLS if key == "date" else MONTHLY_COLS
    return out[cols].sort_values(["route", "measure", key], kind="stable").reset_index(drop=True)


def annual_summary(monthly: pd.DataFrame, measure: str = "arrivals") -> dict[str, Any]:
    """Per route per year: simulated vs observed (observed only for years with 12 observed months)."""
    m = monthly[monthly["measure"] == measure].assign(year=lambda x: x["month"].str[:4])
    out: dict[str, Any] = {}
    for (route, year), g in m.groupby(["route", "year"]):
        n_obs = int(g["observed"].notna().sum())
        out.setdefault(str(route), {})[str(year)] = {
            "simulated": float(g["simulated"].sum()),
            "observed": float(g["observed"].sum()) if n_obs == 12 else None,
        }
    return out
