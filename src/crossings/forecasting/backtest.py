"""Rolling-origin back-test of the sea forecasts against baselines (docs/forecasting.md).

Origins every `step` months from `first` to the last origin with `horizon` months of observed data after it.
At each origin everything is estimated from data before it: the mechanism's parameters (forecast/origin.py,
started from the previous origin's estimate), the latent driver (forecast/drivers.py), and every baseline
(analysis/baselines.py). Levers that start on or after the origin are off (they were not known then). Scored
on the scenario's places with an observed monthly arrivals series, horizons 1..horizon: CRPS (scoringrules),
central 50% / 90% interval coverage, MAE of the median (analysis/scoring.py).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.analysis.baselines import count_model_draws, ets_draws, random_walk_draws, seasonal_naive_draws
from crossings.analysis.scoring import pit, score
from crossings.forecasting.checkpoints import OriginCheckpoints, OriginResult
from crossings.forecasting.engine import draws, month_add, setup
from crossings.forecasting.origin import OriginFit, fit_at_origin

BASELINES = ("seasonal_naive", "random_walk", "count_model", "ets")


def origins(path: Path, first: dt.date, step: int, horizon: int, last_data: dt.date) -> list[dt.date]:
    out, o = [], first
    while month_add(o, horizon) - dt.timedelta(days=1) <= last_data:
        out.append(o)
        o = month_add(o, step)
    return out


REFIT_EVERY = 12  # months between refits of the mechanism's parameters (the driver is re-estimated at every origin)


def backtest_rows(path: Path, origin_list: list[dt.date], horizon: int, n_draws: int, seed: int,
                  max_nfev: int | None = None, verbose: bool = False,
                  refit_every: int = REFIT_EVERY, checkpoints: OriginCheckpoints | None = None,
                  ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One row per (origin, place, horizon, method) with crps, ae, in_50, in_90; and per-origin fit notes.

    The mechanism is refitted at the first origin and then every `refit_every` months (a central
    Mediterranean refit costs minutes); between refits the latest fit is used: it saw less data than the
    origin allows, never more."""
    rows: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    x = None
    f: OriginFit | None = None
    for o in origin_list:
        if checkpoints is not None and (done := checkpoints.load(o)) is not None:  # resume (checkpoints.py)
            rows += done.rows
            notes.append(done.note)
            f, x = done.fit, done.fit.x
            continue
        n0 = len(rows)
        kw = {} if max_nfev is None else {"max_nfev": max_nfev}
        if f is None or (o.year - f.origin.year) * 12 + o.month - f.origin.month >= refit_every:
            f = fit_at_origin(path, o, x0=x, known_levers_only=True, **kw)
            x = f.x
        t0 = time.perf_counter()
        s = setup(path, o, horizon, f.values)
        d = draws(s, n_draws, seed, ("arrivals",))
        targets = [str(pd.Period(o, freq="M") + h) for h in range(horizon)]
        arr = s.observed[s.observed["measure"] == "arrivals"]
        for place in dict.fromkeys(arr["place"]):
            series = arr[arr["place"] == place].set_index("month")["observed"].astype(float)
            if (place, "arrivals") not in d:
                continue
            ob = series.reindex(targets).to_numpy()
            methods = {"model": d[(place, "arrivals")],
                       "seasonal_naive": seasonal_naive_draws(series, targets[0], horizon),
                       "random_walk": random_walk_draws(series, targets[0], horizon),
                       "count_model": count_model_draws(series, targets[0], horizon, n_draws,
                                                        np.random.default_rng([seed, o.year, o.month])),
                       "ets": ets_draws(series, targets[0], horizon, n_draws, seed)}
            for h in range(horizon):
                if not np.isfinite(ob[h]):
                    continue
                for name, m in methods.items():
                    rows.append({"origin": o.isoformat()[:7], "place": place, "horizon": h + 1, "month": targets[h],
                                 "method": name, "observed": float(ob[h]), "median": float(np.median(m[:, h])),
                                 **score(float(ob[h]), m[:, h]), "pit": pit(float(ob[h]), m[:, h])})
        notes.append({"origin": o.isoformat()[:7], "fit_origin": f.origin.isoformat()[:7], "fit_s": round(f.seconds, 2), "forecast_s":
                      round(time.perf_counter() - t0, 2), "s_level": round(s.driver.s_level, 4),
                      "s_obs": round(s.driver.s_obs, 4), "shock_df": round(s.driver.shock_df, 2),
                      "shock_scale": round(s.driver.shock_scale, 4), "window": s.driver.window,
                      "phi": round(s.driver.phi, 4), **{k: v for k, v in f.extra.items()}})
        if checkpoints is not None:
            checkpoints.save(o, OriginResult(rows[n0:], notes[-1], f))
        if verbose:
            print(notes[-1], flush=True)
    return pd.DataFrame(rows), notes


def summary(df: pd.DataFrame, horizon: int, n_origins: int) -> dict[str, Any]:
    """The JSON object of `crossings backtest --json` (averages over places, origins and horizons)."""
    def mean(method: str, col: str) -> float:
        return round(float(df.loc[df["method"] == method, col].mean()), 4)

    return {"coverage_50": mean("model", "in_50"), "coverage_90": mean("model", "in_90"), "crps": mean("model", "crps"),
            "crps_seasonal_naive": mean("seasonal_naive", "crps"), "crps_random_walk": mean("random_walk", "crps"),
            "crps_count_model": mean("count_model", "crps"), "crps_ets": mean("ets", "crps"),
            "mae": mean("model", "ae"), "mae_seasonal_naive": mean("seasonal_naive", "ae"),
            "origins": n_origins, "horizon": horizon}
