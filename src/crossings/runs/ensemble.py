"""Ensembles: one scenario over many seeds, summarised as mean and quantiles per month, place and measure.

With `compare_baseline`, each seed also runs with every lever off. Both runs of a seed share their random
streams (counter-based, keyed by seed, stream, tick and agent), so the per-seed difference isolates what the
levers did from run-to-run noise (common random numbers); its quantiles are the effect's uncertainty from
the model's randomness. Parameter uncertainty enters through `overrides` (one ensemble per parameter set), or,
with `parameter_uncertainty`, member by member: each seed draws its own fitted-parameter vector from the fit's
Laplace covariance (crossings.calibrate.uncertainty, counter-based stream keyed by the seed), so the quantiles are
the predictive spread from both the model's randomness and the fitted parameters.

How it runs (issue 12): the scenario is read, validated and built once (crossings.runs.member); members run in
chunks of CHUNK seeds on an executor (crossings.core.executor: this process, a local process pool, or Ray);
each finished chunk's monthly vectors (and annual, and lever-effect vectors) go to a Parquet partition in a
checkpoint folder (crossings.runs.member_store), and the summaries are computed from those partitions at the
end, a block of rows at a time. Each member is a pure function of (scenario, seed, overrides) and the
partitions are read in member order, so the summary is identical whatever the backend, the number of workers,
the completion order, or an interruption and re-run in between.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crossings.core.executor import Executor, make_executor
from crossings.core.tables import META
from crossings.runs.member import MemberSpec, prepare_members, run_members
from crossings.runs.member_store import MemberStore, checkpoint_dir

QUANTILES = (0.05, 0.5, 0.95)
QCOLS = [f"p{round(q * 100):02d}" for q in QUANTILES]
KEYS = ["month", *META]
CHUNK = 25  # members per task and per partition: fixed, so the partitions do not depend on the worker count


@dataclass
class EnsembleResult:
    monthly: pd.DataFrame  # month, keys, observed, mean, sd, p05, p50, p95, seeds
    annual: pd.DataFrame  # year, keys, observed (complete years), mean, sd, p05, p50, p95
    effect: pd.DataFrame | None  # month, keys, mean, sd, p05, p50, p95 of (levers on - all off); None if not asked
    seeds: list[int]
    # year, keys, mean, sd, p05, p50, p95 of each member's annual (levers on - all off): the yearly effect's
    # interval from per-member yearly differences (summing monthly quantiles would be wrong)
    effect_annual: pd.DataFrame | None = None
    uncertainty: dict[str, Any] | None = None  # the parameter-uncertainty file used, if any (for the manifest)
    profile: dict[str, float] = field(default_factory=dict)  # seconds per phase (workers' summed over members)
    resumed: int = 0  # members found in the checkpoint folder, not run again
    started_utc: str = ""
    finished_utc: str = ""
    scenario: Any = None  # the validated scenario of the first member (for the manifest's data versions)
    checkpoint: Path | None = None  # the folder of finished members: remove it (discard) once the output is written

    def discard(self) -> None:
        """Remove the checkpoint folder (after the output is safely written)."""
        if self.checkpoint is not None:
            import shutil

            shutil.rmtree(self.checkpoint, ignore_errors=True)


def _stats(x: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, sd (ddof 1) and the QUANTILES (linear interpolation, as pandas) over axis 0 (members)."""
    nan = bool(np.isnan(x).any())
    mean = np.nanmean(x, axis=0) if nan else x.mean(axis=0)
    sd = (np.nanstd(x, axis=0, ddof=1) if nan else x.std(axis=0, ddof=1)) if len(x) > 1 else np.zeros(x.shape[1])
    q = (np.nanquantile if nan else np.quantile)(x, QUANTILES, axis=0)
    return {"mean": mean, "sd": sd, **{c: q[i] for i, c in enumerate(QCOLS)}}


def _key_cols(frame: pd.DataFrame, value: str) -> list[str]:
    return [c for c in frame.columns if c not in (value, "simulated", "observed", "difference")]


def _summarise(frames: Sequence[pd.DataFrame], value: str = "simulated", keys: list[str] | None = None) -> pd.DataFrame:
    """Members' tables (same rows, same order) -> keys, mean, sd, quantiles (the same numbers as run_ensemble)."""
    keys = keys or _key_cols(frames[0], value)
    x = np.stack([f[value].to_numpy(dtype=np.float64) for f in frames])
    out = frames[0][keys].reset_index(drop=True).copy()
    for k, v in _stats(x).items():
        out[k] = v
    return out


@dataclass
class AnnualLayout:
    keys: pd.DataFrame  # year, keys, observed
    order: np.ndarray  # monthly rows sorted by annual group
    starts: np.ndarray  # first position in `order` of each group
    counts: np.ndarray
    last: np.ndarray  # per group, its last monthly row
    is_last: np.ndarray  # group aggregates by the year's last month (stocks)
    is_mean: np.ndarray  # group aggregates by the mean (rates, shares)


def _rules(measures: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    from crossings.core.measures import names_by_rule

    last, mean = names_by_rule("last"), names_by_rule("mean")
    m = measures.astype(str)
    return m.isin(list(last)).to_numpy(), m.isin(list(mean)).to_numpy()


def annual_layout(template: pd.DataFrame) -> AnnualLayout:
    """Per (year, keys): flows summed over the year's months, stocks the year's last month, rates averaged;
    observed only for complete years (12 observed months; a stock's year-end value when 12 months are there)."""
    keys = [c for c in template.columns if c not in ("month", "observed")]
    t = template.assign(year=template["month"].str[:4])
    ykeys = ["year", *keys]
    g = t.groupby(ykeys, sort=False)
    gid = g.ngroup().to_numpy()
    order = np.argsort(gid, kind="stable")
    counts = np.bincount(gid)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    last = order[starts + counts - 1]
    first = g.head(1).reset_index(drop=True)[ykeys]
    is_last, is_mean = _rules(first["measure"])
    obs = g["observed"].agg(lambda o: o.sum() if o.notna().sum() == 12 else np.nan).to_numpy()
    obs_last = g["observed"].agg(lambda o: o.iloc[-1] if len(o) == 12 else np.nan).to_numpy()
    obs = np.where(is_last, obs_last, np.where(is_mean, np.nan, obs))
    return AnnualLayout(first.assign(observed=obs), order, starts, counts, last, is_last, is_mean)


def annual_vectors(monthly: np.ndarray, lay: AnnualLayout) -> np.ndarray:
    """members x monthly rows -> members x annual rows."""
    out = np.add.reduceat(monthly[:, lay.order], lay.starts, axis=1)
    out[:, lay.is_mean] /= lay.counts[lay.is_mean]
    out[:, lay.is_last] = monthly[:, lay.last[lay.is_last]]
    return out


def _summary_frame(keys: pd.DataFrame, store: MemberStore, column: str) -> pd.DataFrame:
    stats: dict[str, np.ndarray] = {k: np.empty(len(keys)) for k in ("mean", "sd", *QCOLS)}
    for sl, x in store.blocks(column, len(keys)):
        for k, v in _stats(x).items():
            stats[k][sl] = v
    out = keys.reset_index(drop=True).copy()
    for k, v in stats.items():
        out[k] = v
    return out


def _task(spec: MemberSpec, index: list[int]) -> dict[str, Any]:
    return run_members(spec, index)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_ensemble(
    path: str | Path,
    seeds: Sequence[int],
    overrides: Mapping[str, Any] | None = None,
    compare_baseline: bool = False,
    jobs: int = 1,
    parameter_uncertainty: bool | str | Path = False,
    *,
    backend: str = "local",
    address: str | None = None,
    executor: Executor | None = None,
    checkpoint: str | Path | None = None,
    progress: bool = False,
    fresh: bool = False,
) -> EnsembleResult:
    """Run `path` for every seed (and its baseline), then summarise per month, place and measure.

    `parameter_uncertainty`: True draws each member's fitted parameters from the scenario's uncertainty file
    (crossings.calibrate.uncertainty.default_file), a path from that file; the draws are made here, before the
    workers, so they do not depend on `jobs`. `checkpoint`: the output folder the ensemble is for; finished
    members are kept beside it until the caller calls `discard_checkpoint`, and a re-run with the same
    arguments runs only the others (`fresh`: start over). Without it, a temporary folder is used and removed."""
    started, t0 = _now(), time.perf_counter()
    seeds = [int(s) for s in seeds]
    per_seed = [dict(overrides or {}) for _ in seeds]
    info = None
    if parameter_uncertainty is not False:
        from crossings.calibrate.draws import member_overrides

        file = None if parameter_uncertainty is True else Path(parameter_uncertainty)
        per_seed, u = member_overrides(Path(path), seeds, overrides, file)
        info = {"file": str(u.path), "fitted_file": u.fitted_file, "fitted_created_utc": u.fitted_created_utc,
                "sampled": len(u.sampled), "held": u.held}
    spec, template = prepare_members(path, seeds, per_seed, compare_baseline)
    ann = annual_layout(template)
    prof: dict[str, float] = {"prepare_s": time.perf_counter() - t0}
    chunks = [list(range(i, min(i + CHUNK, len(seeds)))) for i in range(0, len(seeds), CHUNK)]
    temp = checkpoint is None
    ident = identity(path, seeds, per_seed, compare_baseline, spec.n_rows)
    folder = (Path(tempfile.mkdtemp(prefix="crossings-ensemble-")) if checkpoint is None
              else checkpoint_dir(Path(checkpoint), ident))
    if fresh:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    store = MemberStore(folder, ident)
    try:
        done = store.done()
        todo = [c for c in range(len(chunks)) if c not in done]
        resumed = sum(len(chunks[c]) for c in done if c < len(chunks))
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(seeds), initial=resumed, unit="member", file=sys.stderr, leave=False)
        ex = executor or make_executor(backend, jobs, address)
        t1 = time.perf_counter()
        write_s = 0.0
        for k, res in ex.run(_task, spec, [chunks[c] for c in todo]):
            tw = time.perf_counter()
            cols = {"member": res["index"], "monthly": res["monthly"],
                    "annual": annual_vectors(res["monthly"], ann)}
            if "effect" in res:
                cols["effect"] = res["effect"]
                cols["effect_annual"] = annual_vectors(res["effect"], ann)  # linear: = annual(on) - annual(off)
            store.write(todo[k], cols)
            write_s += time.perf_counter() - tw
            for name, v in res["profile"].items():
                prof[f"members.{name}"] = prof.get(f"members.{name}", 0.0) + v
            if bar is not None:
                bar.update(len(res["index"]))
        if bar is not None:
            bar.close()
        prof["run_wall_s"] = time.perf_counter() - t1
        prof["write_partitions_s"] = write_s
        t2 = time.perf_counter()
        monthly = _summary_frame(template.drop(columns=["observed"]), store, "monthly")
        monthly.insert(len(template.columns) - 1, "observed", template["observed"].to_numpy())
        monthly["seeds"] = len(seeds)
        annual = _summary_frame(ann.keys.drop(columns=["observed"]), store, "annual")
        annual.insert(len(ann.keys.columns) - 1, "observed", ann.keys["observed"].to_numpy())
        effect = (_summary_frame(template.drop(columns=["observed"]), store, "effect")
                  if compare_baseline else None)
        effect_annual = (_summary_frame(ann.keys.drop(columns=["observed"]), store, "effect_annual")
                         if compare_baseline else None)
        prof["summarise_s"] = time.perf_counter() - t2
    finally:
        if temp:
            store.remove()
    prof["total_s"] = time.perf_counter() - t0
    return EnsembleResult(monthly=monthly, annual=annual, effect=effect, effect_annual=effect_annual,
                          seeds=seeds, uncertainty=info,
                          profile=prof, resumed=resumed, started_utc=started, finished_utc=_now(),
                          scenario=spec.scenario if spec.scenario is not None else spec.first_scenario,
                          checkpoint=None if temp else folder)


def identity(path: str | Path, seeds: Sequence[int], per_seed: Sequence[Mapping[str, Any]], baseline: bool,
             n_rows: int) -> dict[str, Any]:
    """What decides the members' values: a checkpoint is reused only when all of it is equal."""
    from crossings.core.output import git_commit, hash_files
    from crossings.core.version import __version__
    from crossings.scenario.load import scenario_files

    return {"scenario": str(Path(path).resolve()), "files": hash_files(scenario_files(path, per_seed[0])),
            "seeds": list(seeds), "overrides": [{k: str(v) for k, v in o.items()} for o in per_seed],
            "baseline": baseline, "n_rows": n_rows, "chunk": CHUNK, "version": __version__,
            "git_commit": git_commit()}

