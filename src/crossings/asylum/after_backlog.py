"""`backlog_feedback`: initial decisions past the cut that respond to the queue (issue 10, session 8).

Every other after-data rule carries the decision throughput (Asy_D02 initial decisions) as a process of its
own. This one carries the share of the quarter's workload that is decided instead, and lets the decisions
follow the queue. Specified before its back-test was run (docs/asylum_forecasting.md says so, and that the
test origins had been looked at by every earlier rule):

- clearance share of quarter q: s_q = D_q / (A_{q-1} + C_q): initial decisions (Asy_D02, withdrawals
  included, as the model's decision capacity) over the workload, the queue at the start of the quarter
  (Asy_D03 at the end of the one before) plus the quarter's claims (Asy_D01). A share of the workload, so in
  (0, 1) and the queue can never go below 0; in the data A_q = A_{q-1} + C_q - D_q holds to a few percent
  (2023 Q4: 165,411 + 22,478 - 59,086 = 128,803 vs 128,786 observed);
- its logit follows a stationary AR(1) with its own mean: y_q - mu = phi (y_{q-1} - mu) + e_q, e_q ~ N(0,
  sigma2), all three by exact Gaussian maximum likelihood (statsmodels SARIMAX(1,0,0) with a constant,
  stationarity enforced) on every quarter with the three series observed at or before the cut (Asy_D03 starts
  2010 Q2, so from 2010 Q3); parameters plugged in (their uncertainty not drawn: a limit). phi near 1 makes it
  a random walk: the fitted phi and its standard error are reported per origin on the page;
- claims past the cut: the stochastic rule's local level on the log quarterly claims (Asy_D01, every quarter
  from 2001 to the cut), its own stream;
- the queue past the cut starts at the observed Asy_D03 at the cut and follows W_h = A_{h-1} + C_h,
  D_h = s_h W_h, A_h = W_h - D_h; the rule returns D_h per day of its quarter, the model's decision capacity.
  The model's own queue then meets those decisions (its backlog is the one scored), so the feedback runs
  through the observed queue at the cut and the rule's own claims, not through the agents' queue;
- the other inputs (grant and withdrawal shares, other claims, dispersed capacity) follow
  `stochastic_recalibrated` (the default before it), so the comparison isolates the throughput law;
- fewer than MIN_QUARTERS clearance shares before the cut, or no backlog observed at the last decision
  quarter: the decisions follow `stochastic_recalibrated` too.

A variant added after the back-test above had been scored (session 8, so chosen with its numbers known; the
page shows both): `backlog_feedback_rw`, the same with the logit share a driftless random walk (phi = 1, the
shock variance by maximum likelihood: the mean squared quarterly change), since at every origin the AR(1)'s
phi lies within two standard errors of 1, so the data cannot tell it from a random walk; the same normals.

Noise: counter-based streams "asylum.after_data.decision_capacity.clearance" and ".claims" with the driver
path as the seed (the same path gives the same path of decisions, any job count).
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossings.asylum import after_rules

F64 = npt.NDArray[np.float64]
RULE = "backlog_feedback"
RULE_RW = "backlog_feedback_rw"  # the logit share a random walk (no mean reversion)
RULES = {RULE: False, RULE_RW: True}  # rule -> random walk
MIN_QUARTERS = 16  # clearance shares needed before the AR(1) is fitted (4 years; declared, not tuned)
NAME = "decision_capacity"
DECISIONS = "initial_decisions_people_AsyD02"
AWAITING = "people_awaiting_initial_decision_AsyD03"
CLAIMS = "asylum_claims_people_AsyD01"


@dataclass(frozen=True)
class Clearance:
    """The AR(1) on the logit clearance share fitted at a cut: mean, coefficient (and its standard error),
    innovation variance, the last observed logit share and the number of quarters fitted."""

    mu: float
    phi: float
    phi_se: float
    sigma2: float
    last: float
    n: int


def clearance_shares(q: pd.DataFrame) -> pd.Series:
    """s_q = D_q / (A_{q-1} + C_q) for each quarter of `q` (sorted, consecutive quarter ends) with the three
    observed; indexed by quarter end."""
    q = q.sort_values("quarter_end").reset_index(drop=True)
    prev = q[AWAITING].shift(1)
    gap = pd.to_datetime(q["quarter_end"]).diff().dt.days
    s = q[DECISIONS] / (prev + q[CLAIMS])
    ok = s.notna() & (gap <= 92) & (s > 0) & (s < 1)
    return pd.Series(s[ok].to_numpy(dtype=float), index=pd.DatetimeIndex(q.loc[ok, "quarter_end"]))


@lru_cache(maxsize=512)
def fit_clearance(y: tuple[float, ...]) -> Clearance:
    """Exact Gaussian ML of the AR(1) with a mean on the logit shares `y` (statsmodels SARIMAX)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    z = np.asarray(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = SARIMAX(z, order=(1, 0, 0), trend="c").fit(disp=False)
    names = list(res.model.param_names)
    p = np.asarray(res.params)
    phi = float(p[names.index("ar.L1")])
    se = np.asarray(res.bse)
    mu = float(p[names.index("intercept")]) / (1.0 - phi)
    return Clearance(mu, phi, float(se[names.index("ar.L1")]), float(p[names.index("sigma2")]), float(z[-1]), len(z))


def _quarter_days(data_end: dt.date, horizon: int) -> F64:
    ends = [pd.Timestamp(data_end) + pd.offsets.QuarterEnd(h) for h in range(horizon + 1)]
    return np.array([(ends[h] - ends[h - 1]).days for h in range(1, horizon + 1)], dtype=float)


def random_walk_sd(y: F64) -> float:
    """ML standard deviation of a driftless Gaussian random walk's steps: the root mean squared change."""
    return float(np.sqrt(np.mean(np.diff(y) ** 2)))


def decisions_path(q: pd.DataFrame, horizon: int, path: int, random_walk: bool = False) -> F64 | None:
    """Initial decisions per day in each of the `horizon` quarters after the last quarter of `q` (the
    quarterly table cut at the data's end), or None when the rule cannot apply (the caller falls back).
    `random_walk`: the logit share a random walk (backlog_feedback_rw) instead of the AR(1)."""
    q = q.dropna(subset=[DECISIONS]).sort_values("quarter_end")
    if q.empty or pd.isna(q[AWAITING].iloc[-1]):
        return None
    shares = clearance_shares(q)
    if len(shares) < MIN_QUARTERS:
        return None
    y = np.log(shares.to_numpy() / (1.0 - shares.to_numpy()))
    e = after_rules.normals(f"{NAME}.clearance", path, horizon)
    if random_walk:
        ylev = y[-1] + np.cumsum(random_walk_sd(y) * e)
    else:
        fit = fit_clearance(tuple(float(v) for v in y))
        ylev = np.empty(horizon)
        prev = fit.last
        for h in range(horizon):
            prev = fit.mu + fit.phi * (prev - fit.mu) + np.sqrt(fit.sigma2) * e[h]
            ylev[h] = prev
    s = 1.0 / (1.0 + np.exp(-ylev))
    claims = q[CLAIMS].dropna().to_numpy(dtype=float)
    c = after_rules.stochastic(claims, "flow", horizon, f"{NAME}.claims", path)
    a = float(q[AWAITING].iloc[-1])
    d = np.empty(horizon)
    for h in range(horizon):
        w = a + c[h]
        d[h] = s[h] * w
        a = w - d[h]
    return d / _quarter_days(pd.Timestamp(q["quarter_end"].iloc[-1]).date(), horizon)
