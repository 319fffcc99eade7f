"""The tidy results contract: daily and monthly tables with columns
(date | month "YYYY-MM", place, place_kind, is_total, measure, unit, simulated, observed); observed is empty
where nothing was observed.

Each measure aggregates over a period as crossings.core.measures declares (flows summed, stocks the last day,
means averaged). Places are the sea routes (place_kind "route"), plus one row set per destination named in the
observed series (place_kind "destination", is_total True: the sum of its routes), plus the asylum places.
Summing the rows with is_total False never counts a total with its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crossings.core.calendar import date_index
from crossings.core.measures import unit_of
from crossings.core.tables import DAILY_COLS, MONTHLY_COLS, to_monthly  # noqa: F401  (re-exported)
from crossings.sea.outcome import MEASURES, STOCKS, SeaOutcome


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
    series: dict[tuple[str, str, bool, str], np.ndarray] = {}
    for m in (*MEASURES, *STOCKS):
        table: dict[str, np.ndarray] = getattr(sea, m)
        for r in sea.routes:
            series[(r, "route", False, m)] = table[r]
        for d in sorted(destinations):
            rs = [r for r in sea.routes if sea.destination_of_route[r] == d]
            if rs:
                series[(d, "destination", True, m)] = np.sum([table[r] for r in rs], axis=0)
    for (place, kind, total, m), v in series.items():
        parts.append(pd.DataFrame({"date": dates, "place": place, "place_kind": kind, "is_total": total,
                                   "measure": m, "unit": unit_of(m), "simulated": v}))
    return pd.concat(parts, ignore_index=True)


def attach_observed(sim: pd.DataFrame, obs: pd.DataFrame, key: str) -> pd.DataFrame:
    out = sim.merge(obs, on=[key, "place", "measure"], how="left") if len(obs) else sim.assign(observed=np.nan)
    cols = DAILY_COLS if key == "date" else MONTHLY_COLS
    return out[cols].sort_values(["place", "measure", key], kind="stable").reset_index(drop=True)


def annual_summary(monthly: pd.DataFrame, measure: str = "arrivals") -> dict[str, Any]:
    """Per route per year: simulated vs observed (observed only for years with 12 observed months)."""
    m = monthly[monthly["measure"] == measure].assign(year=lambda x: x["month"].str[:4])
    out: dict[str, Any] = {}
    for (route, year), g in m.groupby(["place", "year"]):
        n_obs = int(g["observed"].notna().sum())
        out.setdefault(str(route), {})[str(year)] = {
            "simulated": float(g["simulated"].sum()),
            "observed": float(g["observed"].sum()) if n_obs == 12 else None,
            # a year the run covers only in part is never compared with a whole year's observed total
            "months_simulated": int(g["month"].nunique()),
        }
    return out
