"""`queue_feedback_identity`: decisions past the cut as a share of the model's own queue (issue 10, session 9).

backlog_feedback (after_backlog.py) makes decisions respond to a queue of its own (the published one at the cut
and the rule's own claims path), then hands the agents a fixed capacity. Here the feedback runs inside the
simulation: after the cut, each day the queue kernel decides a share of the people then awaiting an initial
decision (process.P_DEC_SHARE), so the band of the queue and of the decisions respond to each other draw by
draw (a draw with more claims gets more decisions). Specified here and committed before its back-test was
run; chosen with backlog_feedback's and backlog_feedback_rw's scores known (session 8), and the test origins
had been looked at by every earlier rule:

- the decision hazard of quarter q, in the kernel's own units (decisions per day per person waiting):
  d_q = D_q / (n_q (A_{q-1} + A_q) / 2), initial decisions (Asy_D02) over the quarter's days times its mean
  queue (the published Asy_D03 at its start and end, trapezoid); every quarter from 2010 Q3 (Asy_D03 starts
  2010 Q2) to the cut with the three published; at least MIN_QUARTERS, else no share (the capacity of the
  base rule decides);
- log d a driftless random walk from the cut's quarter: log d_h = log d_cut + sum of h steps sd e_k, sd the
  root mean squared past quarterly change (its maximum likelihood), e_k the normals backlog_feedback_rw draws
  for its clearance share (stream "asylum.after_data.decision_capacity.clearance", driver path as the seed:
  common random numbers). A random walk, not an AR(1): at every origin the AR(1) on the clearance share
  could not be told from one (docs/asylum_forecasting.md, session 8);
- every day of quarter h after the cut: the kernel decides d_h x (the queue after the day's arrivals)
  (fractional capacity carried as for any capacity); the capacity column is ignored on those days, and a
  decision-capacity lever acts on the share instead (scenario/levers/decision_capacity.apply_share: a
  multiplier scales it; a per_month capacity replaces it on its days; session 11);
- every other input as recalibrated_identity: stochastic_recalibrated plus the stock-flow identity's terms
  (after_identity.py), so the model's queue starts at the published one at the cut.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossings.asylum import after_backlog, after_rules

F64 = npt.NDArray[np.float64]
RULE = "queue_feedback_identity"
MIN_QUARTERS = 16  # past hazards needed (4 years; declared, not tuned)
DECISIONS = "initial_decisions_people_AsyD02"
AWAITING = "people_awaiting_initial_decision_AsyD03"


def hazards(q: pd.DataFrame) -> pd.Series:
    """d_q = D_q / (days_q (A_{q-1} + A_q) / 2) for each quarter of `q` (consecutive quarter ends, the three
    published, mean queue > 0); indexed by quarter end."""
    q = q.sort_values("quarter_end").reset_index(drop=True)
    ends = pd.to_datetime(q["quarter_end"])
    gap = ends.diff().dt.days
    days = (ends - (ends - pd.offsets.QuarterEnd(1))).dt.days.astype(float)
    mean_q = (q[AWAITING].shift(1) + q[AWAITING]) / 2.0
    d = q[DECISIONS] / (days * mean_q)
    ok = d.notna() & (gap <= 92) & (mean_q > 0) & (d > 0)
    return pd.Series(d[ok].to_numpy(dtype=float), index=pd.DatetimeIndex(q.loc[ok, "quarter_end"]))


def hazard_path(q: pd.DataFrame, horizon: int, path: int) -> F64 | None:
    """The decision hazard (per day per person waiting) in each of `horizon` quarters after the last quarter
    of `q` (the table cut at the data's end); None with fewer than MIN_QUARTERS past hazards or when the last
    quarter has none (the caller keeps the base rule's capacity)."""
    h = hazards(q.dropna(subset=[DECISIONS]))
    last = q.dropna(subset=[DECISIONS]).sort_values("quarter_end")["quarter_end"]
    if len(h) < MIN_QUARTERS or last.empty or h.index[-1] != pd.Timestamp(last.iloc[-1]):
        return None
    y = np.log(h.to_numpy())
    e = after_rules.normals(f"{after_backlog.NAME}.clearance", path, horizon)
    return np.asarray(np.exp(y[-1] + np.cumsum(after_backlog.random_walk_sd(y) * e)))


def daily(q: pd.DataFrame, data_end: dt.date, start: dt.date, n_days: int, path: int) -> tuple[F64, F64 | None]:
    """P_DEC_SHARE per run day: 0 up to `data_end`, the quarter's hazard after it (all 0 when hazard_path
    gives none); and the quarterly hazards (None then)."""
    out = np.zeros(n_days)
    first_after = max((data_end - start).days + 1, 0)
    if first_after >= n_days:
        return out, None
    days = pd.date_range(start + dt.timedelta(days=first_after), periods=n_days - first_after, freq="D")
    end = pd.Timestamp(data_end)
    q_ahead = np.asarray((days.year - end.year) * 4 + (days.quarter - end.quarter), dtype=np.int64)
    per_q = hazard_path(q, int(q_ahead.max()), path)
    if per_q is None:
        return out, None
    out[first_after:] = per_q[q_ahead - 1]
    return out, per_q
