"""Ensemble jobs for the app: each job has its own id and output folder, runs in a background worker, and
reports its progress (members done of members asked).

A member is one seed run twice: the scenario as set, and its baseline with every lever off, on the same random
streams (common random numbers), so the per-seed difference is what the levers did. The job is a pure function
of (scenario, settings, seeds): two jobs running at once give what each gives alone. The only shared state is
the job table, guarded by a lock.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crossings.core.errors import InputError
from crossings.core.measures import MEASURES
from crossings.core.output import hash_files, make_manifest, write_outputs
from crossings.runs.runner import data_versions, prepare, run_scenario
from crossings.scenario.load import scenario_files
from crossings.scenario.overrides import parse_set

DEFAULT_SEEDS = 10
MAX_SEEDS = 50  # a browser request cannot ask for more; the CLI's `ensemble` has no cap
MAX_JOBS_KEPT = 40  # finished jobs beyond this are forgotten, oldest first, with their folders
QUANTILES = {"p05": 0.05, "p50": 0.5, "p95": 0.95}
META = ["place", "place_kind", "is_total", "measure", "unit"]
KEYS = ["month", *META]
DOWNLOADS = {"bands.csv": "text/csv", "effect.csv": "text/csv", "effect_window.csv": "text/csv",
             "results.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "report.html": "text/html", "manifest.json": "application/json"}


@dataclass(frozen=True)
class JobSpec:
    """What a person asked for: a scenario file, `--set` items, an optional window and the seeds."""

    path: Path
    sets: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    seeds: int = DEFAULT_SEEDS
    first_seed: int = 1

    def overrides(self) -> dict[str, Any]:
        return parse_set(list(self.sets))

    def seed_list(self) -> list[int]:
        return list(range(self.first_seed, self.first_seed + self.seeds))


def check(spec: JobSpec) -> None:
    """Raise InputError unless the scenario, with these settings, validates (the same path as `--set`)."""
    if not 1 <= spec.seeds <= MAX_SEEDS:
        raise InputError("seeds", str(spec.seeds), f"expected 1 to {MAX_SEEDS} seeds")
    if spec.first_seed < 0:
        raise InputError("first seed", str(spec.first_seed), "expected a seed of 0 or more")
    prepare(spec.path, spec.start or None, spec.end or None, spec.overrides())


def _tidy(monthly: pd.DataFrame) -> pd.DataFrame:
    return monthly.rename(columns={"route": "place"}) if "place" not in monthly else monthly


def _quantiles(frames: Sequence[pd.DataFrame], value: str, keys: list[str]) -> pd.DataFrame:
    stacked = pd.concat([f[[*keys, value]] for f in frames], ignore_index=True)
    g = stacked.groupby(keys, sort=False, dropna=False)[value]
    out = g.mean().rename("mean").to_frame()
    for name, q in QUANTILES.items():
        out[name] = g.quantile(q)
    return out.reset_index()


@dataclass
class Summary:
    bands: pd.DataFrame  # KEYS, run (scenario | baseline), observed, mean, p05, p50, p95, seeds
    effect: pd.DataFrame  # KEYS, mean, p05, p50, p95 of (scenario - baseline), seed by seed
    effect_window: pd.DataFrame  # META, start, end, mean, p05, p50, p95 of the window's total difference (flows, money)


def summarise(runs: Sequence[pd.DataFrame], bases: Sequence[pd.DataFrame]) -> Summary:
    runs, bases = [_tidy(r) for r in runs], [_tidy(b) for b in bases]
    observed = runs[0][[*KEYS, "observed"]]
    parts = []
    for name, frames in (("scenario", runs), ("baseline", bases)):
        q = _quantiles(frames, "simulated", KEYS).merge(observed, on=KEYS, how="left")
        parts.append(q.assign(run=name, seeds=len(frames)))
    bands = pd.concat(parts, ignore_index=True)[[*KEYS, "run", "observed", "mean", *QUANTILES, "seeds"]]
    diffs = []
    # matched on month, place and measure only: with a lever off, a place may not exist (a third country: 0
    # people, 0 spent) or a total may cover fewer parts (is_total), so the scenario's rows and labels lead
    on = ["month", "place", "measure"]
    for r, b in zip(runs, bases, strict=True):
        d = r[[*KEYS, "simulated"]].merge(b[[*on, "simulated"]], on=on, how="left", suffixes=("", "_base"))
        diffs.append(d.assign(difference=d["simulated"] - d["simulated_base"].fillna(0.0)))
    effect = _quantiles(diffs, "difference", KEYS)
    summed = [m for m, ms in MEASURES.items() if ms.kind in ("flow", "money")]
    totals = [d[d["measure"].isin(summed)].groupby(META, sort=False, dropna=False)["difference"].sum().reset_index()
              for d in diffs]
    window = _quantiles(totals, "difference", META)
    months = sorted(runs[0]["month"].unique())
    window.insert(len(META), "start", months[0] if months else "")
    window.insert(len(META) + 1, "end", months[-1] if months else "")
    return Summary(bands=bands, effect=effect, effect_window=window)


def run_members(spec: JobSpec, on_member: Callable[[int], None] = lambda done: None) -> Summary:
    """Every seed, scenario and baseline; `on_member(done)` after each seed."""
    overrides = spec.overrides()
    runs, bases = [], []
    for i, seed in enumerate(spec.seed_list()):
        kw: dict[str, Any] = {"seed": seed, "start": spec.start or None, "end": spec.end or None,
                              "overrides": overrides}
        runs.append(run_scenario(spec.path, **kw).monthly)
        bases.append(run_scenario(spec.path, baseline=True, **kw).monthly)
        on_member(i + 1)
    return summarise(runs, bases)


def xlsx_bytes(summary: Summary, about: Mapping[str, Any]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        pd.DataFrame({"item": list(about), "value": [str(v) for v in about.values()]}).to_excel(
            xl, sheet_name="about", index=False)
        summary.effect_window.to_excel(xl, sheet_name="effect_window", index=False)
        summary.bands.to_excel(xl, sheet_name="bands", index=False)
        summary.effect.to_excel(xl, sheet_name="effect", index=False)
    return buf.getvalue()


def write_job(folder: Path, spec: JobSpec, summary: Summary, wall_s: float, report_html: str) -> None:
    """results/ (CSV, report, manifest; atomic) and results.xlsx beside it (atomic rename)."""
    sc = prepare(spec.path, spec.start or None, spec.end or None, spec.overrides())
    about = {"scenario": spec.path.name, "seeds": f"{spec.first_seed}..{spec.first_seed + spec.seeds - 1}",
             "settings": "; ".join(spec.sets) or "(as shipped)", "start": sc.start.isoformat(),
             "end": sc.end.isoformat(), "baseline": "the same scenario with every lever off, same seeds"}
    manifest = make_manifest(
        scenario=spec.path.name, scenario_hash=hash_files(scenario_files(spec.path, spec.overrides())),
        seed=spec.first_seed, wall_s=wall_s, data_versions=data_versions(sc),
        extra={"seeds": spec.seed_list(), "overrides": list(spec.sets), "start": sc.start.isoformat(),
               "end": sc.end.isoformat(), "made_by": "crossings serve"})
    write_outputs(folder / "results", {"bands": summary.bands, "effect": summary.effect,
                                       "effect_window": summary.effect_window},
                  manifest, parquet=False, extra_files={"report.html": report_html})
    tmp = folder / ".results.xlsx.tmp"
    tmp.write_bytes(xlsx_bytes(summary, about))
    os.replace(tmp, folder / "results.xlsx")


@dataclass
class Job:
    id: str
    spec: JobSpec
    folder: Path
    state: str = "queued"  # queued | running | done | failed
    done: int = 0
    error: str | None = None
    summary: Summary | None = None
    created: float = field(default_factory=time.time)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.spec.seeds,
                "error": self.error, "scenario": self.spec.path.stem, "settings": list(self.spec.sets)}


class JobTable:
    """The app's jobs: a dict guarded by a lock, a worker pool, and a temp root holding one folder per job."""

    def __init__(self, root: Path | None = None, workers: int = 2,
                 report: Callable[[JobSpec, Summary], str] | None = None) -> None:
        self._own_root = root is None  # a temp root is removed on close; a given one is left as it is
        self.root = Path(tempfile.mkdtemp(prefix="crossings-app-")) if root is None else Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crossings-job")
        self._report = report or (lambda spec, summary: "<!DOCTYPE html><title>report</title>")

    def submit(self, spec: JobSpec) -> Job:
        check(spec)  # bad settings are refused here, as one InputError line, before any work
        job = Job(id=uuid.uuid4().hex[:12], spec=spec, folder=Path())
        job.folder = self.root / job.id
        job.folder.mkdir()
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def view(self, job_id: str) -> tuple[dict[str, Any], Summary | None] | None:
        """The job's public fields and its summary (set once, never changed after), read under the lock."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else (job.public(), job.summary)

    def _set(self, job: Job, **changes: Any) -> None:
        with self._lock:
            for k, v in changes.items():
                setattr(job, k, v)

    def _run(self, job: Job) -> None:
        t0 = time.perf_counter()
        self._set(job, state="running")
        try:
            summary = run_members(job.spec, lambda done: self._set(job, done=done))
            write_job(job.folder, job.spec, summary, time.perf_counter() - t0, self._report(job.spec, summary))
            self._set(job, summary=summary, state="done")
        except InputError as err:
            self._set(job, state="failed", error=str(err))
        except Exception as err:  # shown in the page; the server keeps serving other jobs
            self._set(job, state="failed", error=f"{type(err).__name__}: {err}")

    def _forget_old(self) -> None:  # called with the lock held
        finished = sorted((j for j in self._jobs.values() if j.state in ("done", "failed")), key=lambda j: j.created)
        for j in finished[: max(0, len(self._jobs) - MAX_JOBS_KEPT)]:
            del self._jobs[j.id]
            shutil.rmtree(j.folder, ignore_errors=True)

    def wait(self, job_id: str, timeout: float = 600.0) -> Job:
        """Block until the job finishes (tests and scripts)."""
        t_end = time.monotonic() + timeout
        while time.monotonic() < t_end:
            job = self.get(job_id)
            if job is None or job.state in ("done", "failed"):
                if job is None:
                    raise KeyError(job_id)
                return job
            time.sleep(0.05)
        raise TimeoutError(job_id)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)
