"""Command-line options of `crossings forecast` and `crossings backtest` (light: imports nothing heavy)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any


def add_parsers(sub: Any) -> None:
    f = sub.add_parser("forecast", help="probabilistic forecast past a date: monthly mean and 5/25/50/75/95%% bands",
                       description="Each draw: parameters conditioned on data before --from, one path of the latent "
                                   "inflow driver, the mean-field mechanism, the month's noise (docs/forecasting.md). "
                                   "Example: crossings forecast scenarios/central_med.yaml --from 2025-01-01 "
                                   "--horizon 12 --draws 1000 --out out/cm_fc")
    f.add_argument("scenario", help="a Crossings sea scenario .yaml (central_med, channel)")
    f.add_argument("--from", dest="origin", default=None,
                   help="first forecast day, YYYY-MM-01; only data before it are used: before the end of the "
                        "shipped fit's window the parameters are refitted on the data before it (central_med: "
                        "minutes) (default: the day after the scenario's end)")
    f.add_argument("--horizon", type=int, default=12, help="months to forecast (default: 12)")
    f.add_argument("--draws", type=int, default=1000, help="forecast draws (default: 1000)")
    f.add_argument("--seed", type=int, default=1, help="seed of the driver's random stream (default: 1)")
    f.add_argument("--jobs", type=int, default=1,
                   help="processes for the UK asylum forecast's draws (one agent run each; the output does not "
                        "depend on it); the sea forecasts' draws are vectorised and ignore it (default: 1)")
    f.add_argument("--out", required=True, help="output directory (written atomically)")
    f.add_argument("--compare-baseline", action="store_true",
                   help="also run every draw with all levers off (same driver path and noise) and report the "
                        "levers' effect per draw with intervals (lever_effects.csv)")
    f.add_argument("--no-parquet", action="store_true", help="write CSV only (default: CSV and parquet)")
    f.add_argument("--posterior", default="auto",
                   help="posterior draws file (calibrate.bayes): each forecast draw runs the mechanism at one "
                        "posterior draw; only for an origin after the file's window (else refused: leakage). "
                        "'auto' (default): the scenario's <name>.posterior.yaml when there is one and the origin is "
                        "after its window; 'none': the point estimate")

    b = sub.add_parser("backtest", help="rolling-origin back-test of the forecasts against baselines (CRPS, coverage)",
                       description="Origins every --step months from --first to the last origin with --horizon "
                                   "months of data after it; everything re-estimated before each origin. "
                                   "Example: crossings backtest scenarios/channel.yaml --json")
    b.add_argument("scenario", help="a Crossings sea scenario .yaml (central_med, channel)")
    b.add_argument("--json", action="store_true", help="print the summary as one JSON object (default: a table)")
    b.add_argument("--first", default="2021-01-01", help="first origin, YYYY-MM-01 (default: 2021-01-01)")
    b.add_argument("--step", type=int, default=3, help="months between origins (default: 3)")
    b.add_argument("--horizon", type=int, default=12, help="horizons 1..N months (default: 12)")
    b.add_argument("--draws", type=int, default=500, help="draws per forecast (default: 500)")
    b.add_argument("--seed", type=int, default=1, help="seed of the driver's random stream (default: 1)")
    b.add_argument("--max-origins", type=int, default=None,
                   help="use only the first N origins (a reduced back-test; default: all)")
    b.add_argument("--max-nfev", type=int, default=None,
                   help="least-squares evaluations per origin's refit (default: forecast.origin.MAX_NFEV)")
    b.add_argument("--refit-every", type=int, default=12,
                   help="months between refits of the mechanism's parameters; the driver is re-estimated at every "
                        "origin (default: 12)")
    b.add_argument("--out", default=None, help="also write backtest_rows.csv and a manifest here (default: none)")


def month_start(value: str) -> dt.date:
    """--from as a date on the first day of a month (the sea and Europe forecasts' origin)."""
    from crossings.core.errors import InputError

    try:
        d = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("--from", value, "expected a date YYYY-MM-DD") from None
    if d.day != 1:
        raise InputError("--from", value, "forecasts start on the first day of a month (YYYY-MM-01)")
    return d


def check(args: argparse.Namespace) -> None:
    """Range checks argparse cannot make."""
    from crossings.core.errors import InputError

    for name in ("horizon", "draws", "step", "refit_every", "jobs"):
        v = getattr(args, name, None)
        if v is not None and v < 1:
            raise InputError(f"--{name}", str(v), "must be at least 1")
    if getattr(args, "draws", 0) < 20 and args.command in ("forecast", "backtest"):
        raise InputError("--draws", str(args.draws), "at least 20 draws are needed for the 5% and 95% quantiles")
