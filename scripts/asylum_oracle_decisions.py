"""Diagnostic (not a forecast): the UK asylum back-test of the default rule with the OBSERVED decisions after
each origin (an oracle: data after the origin, so never a rule). Everything else as the default's members
(stochastic_recalibrated draws of the shares, other claims and dispersed capacity; the arrivals driver):
how much of the backlog band's miss is the decision throughput's? Writes docs/asylum_oracle_decisions.csv
(one row per origin and horizon: the observed backlog, the members' p05 / median / p95, CRPS, in_50, in_90),
which scripts/make_asylum_forecasting.py summarises.

    uv run --frozen python scripts/asylum_oracle_decisions.py --jobs 2 --members 20

--rule RULE --csv FILE: the same oracle with another rule's members (session 9: recalibrated_identity, the
default's inputs plus the stock-flow identity's residual, docs/asylum_oracle_identity.csv).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from crossings.analysis.scoring import score
from crossings.asylum import after_data, inputs
from crossings.forecasting import asylum_backtest as ab

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "docs" / "asylum_oracle_decisions.csv"
RULE = "stochastic_recalibrated"


def _observed_decisions(self: after_data.AfterData) -> np.ndarray:
    """The oracle: Asy_D02 decisions per day on every day of the run, the cut ignored."""
    return np.asarray(inputs.quarterly_flow_daily(after_data.DECISIONS, self.start, self.n_days))


def _origin(args: tuple[dt.date, int, str]) -> np.ndarray:
    origin, n, rule = args
    after_data.AfterData.decision_capacity = _observed_decisions  # type: ignore[method-assign]
    return np.array([ab.run_at_origin(origin, rule, s, p)["awaiting_decision"] for s, p in ab.members(n)])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--members", type=int, default=20)
    ap.add_argument("--rule", default=RULE, help="the members' rule for everything but the decisions")
    ap.add_argument("--csv", type=Path, default=CSV)
    a = ap.parse_args()
    t0 = time.perf_counter()
    origins = ab.origins()
    with ProcessPoolExecutor(a.jobs) as ex:
        runs = list(ex.map(_origin, [(o, a.members, a.rule) for o in origins]))
    obs = ab.observed_quarterly()[ab.SCORED["awaiting_decision"]]
    rows = []
    for o, draws in zip(origins, runs, strict=True):
        for h in range(1, ab.HORIZON + 1):
            y = float(obs[ab.quarter_end(o, h)])
            d = draws[:, h - 1]
            rows.append({"origin": o, "horizon": h, "observed": y, "p05": float(np.quantile(d, 0.05)),
                         "median": float(np.median(d)), "p95": float(np.quantile(d, 0.95)), **score(y, d)})
    t = pd.DataFrame(rows)
    t.to_csv(a.csv, index=False)
    print(f"oracle decisions ({a.rule} otherwise): crps {t['crps'].mean():,.0f}, coverage_90 {t['in_90'].mean():.2f}, "
          f"coverage_50 {t['in_50'].mean():.2f}; {time.perf_counter() - t0:.0f} s; wrote {a.csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
