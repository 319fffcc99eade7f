"""Ensembles: one scenario over many seeds, summarised as mean and quantiles per month, route and measure.

With `compare_baseline`, each seed also runs with every lever off. Both runs of a seed share their random
streams (counter-based, keyed by seed, stream, tick and agent), so the per-seed difference isolates what the
levers did from run-to-run noise (common random numbers); its quantiles are the effect's uncertainty from
the model's randomness. Parameter uncertainty enters through `overrides` (one ensemble per parameter set), or,
with `parameter_uncertainty`, member by member: each seed draws its own fitted-parameter vector from the fit's
Laplace covariance (crossings.calibrate.uncertainty, counter-based stream keyed by the seed), so the quantiles are
the predictive spread from both the model's randomness and the fitted parameters.

Members run in a process pool when `jobs > 1`; each member is a pure function of (scenario, seed,
overrides), so the summary is identical whatever the number of processes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core.tables import META

QUANTILES = (0.05, 0.5, 0.95)
QCOLS = [f"p{round(q * 100):02d}" for q in QUANTILES]
KEYS = ["month", *META]


@dataclass
class EnsembleResult:
    monthly: pd.DataFrame  # month, route, measure, observed, mean, sd, p05, p50, p95, seeds
    annual: pd.DataFrame  # year, route, measure, observed (complete years), mean, sd, p05, p50, p95
    effect: pd.DataFrame | None  # month, route, measure, mean, p05, p50, p95 of (levers on - all off); None if not asked
    seeds: list[int]
    uncertainty: dict[str, Any] | None = None  # the parameter-uncertainty file used, if any (for the manifest)


def _member(args: tuple[str, int, dict[str, Any], bool]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from crossings.run.runner import run_scenario

    path, seed, overrides, baseline = args
    res = run_scenario(path, seed=seed, overrides=overrides)
    base = run_scenario(path, seed=seed, overrides=overrides, baseline=True).monthly if baseline else None
    return res.monthly, base


def _summarise(frames: Sequence[pd.DataFrame], value: str = "simulated", keys: list[str] = KEYS) -> pd.DataFrame:
    stacked = pd.concat([f[[*keys, value]].assign(member=i) for i, f in enumerate(frames)], ignore_index=True)
    g = stacked.groupby(keys, sort=False)[value]
    out = g.mean().rename("mean").to_frame()
    out["sd"] = g.std(ddof=1) if len(frames) > 1 else 0.0
    for q in QUANTILES:
        out[f"p{round(q * 100):02d}"] = g.quantile(q)  # the names in QCOLS
    return out.reset_index()


def run_ensemble(
    path: str | Path,
    seeds: Sequence[int],
    overrides: Mapping[str, Any] | None = None,
    compare_baseline: bool = False,
    jobs: int = 1,
    parameter_uncertainty: bool | str | Path = False,
) -> EnsembleResult:
    """Run `path` for every seed (and its baseline), then summarise per month, route and measure.

    `parameter_uncertainty`: True draws each member's fitted parameters from the scenario's uncertainty file
    (crossings.calibrate.uncertainty.default_file), a path from that file; the draws are made here, before the pool,
    so they do not depend on `jobs`."""
    per_seed = [dict(overrides or {}) for _ in seeds]
    info = None
    if parameter_uncertainty is not False:
        from crossings.calibrate.uncertainty import member_overrides

        file = None if parameter_uncertainty is True else Path(parameter_uncertainty)
        per_seed, u = member_overrides(Path(path), [int(s) for s in seeds], overrides, file)
        info = {"file": str(u.path), "fitted_file": u.fitted_file, "fitted_created_utc": u.fitted_created_utc,
                "sampled": len(u.sampled), "held": u.held}
    tasks = [(str(path), int(s), o, compare_baseline) for s, o in zip(seeds, per_seed, strict=True)]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            members = list(pool.map(_member, tasks))
    else:
        members = [_member(t) for t in tasks]
    runs = [m[0] for m in members]
    monthly = _summarise(runs)
    observed = runs[0][[*KEYS, "observed"]]
    monthly = monthly.merge(observed, on=KEYS, how="left")
    monthly["seeds"] = len(runs)
    monthly = monthly[[*KEYS, "observed", "mean", "sd", *QCOLS, "seeds"]]
    effect = None
    if compare_baseline:
        diffs = []
        for run, (_, base) in zip(runs, members, strict=True):
            assert base is not None
            d = run[[*KEYS, "simulated"]].merge(base[[*KEYS, "simulated"]], on=KEYS, suffixes=("", "_base"))
            diffs.append(d.assign(difference=d["simulated"] - d["simulated_base"]))
        effect = _summarise(diffs, "difference")
    return EnsembleResult(monthly=monthly, annual=_annual(runs), effect=effect, seeds=[int(s) for s in seeds],
                          uncertainty=info)


def _annual(runs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Per member, each measure over the year by its period rule (crossings.core.measures: flows summed, stocks
    the year's last month, means averaged), then quantiles over members. Observed only for complete years."""
    from crossings.core.measures import names_by_rule

    ykeys = ["year", *META]
    last, mean = names_by_rule("last"), names_by_rule("mean")
    per = []
    for r in runs:
        f = r.assign(year=r["month"].str[:4])
        g = f.groupby(ykeys, sort=False)
        sim = g["simulated"].sum()
        obs = g["observed"].agg(lambda o: o.sum() if o.notna().sum() == 12 else np.nan)
        m = sim.index.get_level_values("measure")
        is_last, is_mean = m.isin(list(last)), m.isin(list(mean))
        sim[is_last] = g["simulated"].last()[is_last]
        sim[is_mean] = g["simulated"].mean()[is_mean]
        obs_last = g["observed"].agg(lambda o: o.iloc[-1] if len(o) == 12 else np.nan)  # the year-end value
        obs[is_last] = obs_last[is_last]
        obs[is_mean] = np.nan
        per.append(sim.to_frame().join(obs).reset_index())
    out = _summarise(per, "simulated", ykeys)
    out = out.merge(per[0][[*ykeys, "observed"]], on=ykeys, how="left")
    return out[[*ykeys, "observed", "mean", "sd", *QCOLS]]
