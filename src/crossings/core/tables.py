"""The tidy table contract every process writes and every reader reads (docs/architecture.md):
(date | month "YYYY-MM", place, place_kind, is_total, measure, unit, simulated, observed).

place_kind: route, destination, centre, third_country, region, land_route. is_total is True where the row's value
includes other rows of the same measure (a destination's sea arrivals are the sum of its routes), so summing
the rows with is_total False never counts a total with its parts.
"""

from __future__ import annotations

import pandas as pd

from crossings.core.measures import names_by_rule

META = ["place", "place_kind", "is_total", "measure", "unit"]
DAILY_COLS = ["date", *META, "simulated", "observed"]
MONTHLY_COLS = ["month", *META, "simulated", "observed"]


def to_monthly(daily: pd.DataFrame, value_cols: tuple[str, ...] = ("simulated",)) -> pd.DataFrame:
    """Daily -> monthly by each measure's period rule (crossings.core.measures)."""
    d = daily.assign(month=daily["date"].astype(str).str[:7])
    g = d.groupby(["month", *META], sort=False)[list(value_cols)]
    out = g.sum(min_count=1)
    measures = out.index.get_level_values("measure")
    last = measures.isin(list(names_by_rule("last")))
    mean = measures.isin(list(names_by_rule("mean")))
    if last.any():
        out.loc[last] = g.last().loc[last]
    if mean.any():
        out.loc[mean] = g.mean().loc[mean]
    return out.reset_index()
