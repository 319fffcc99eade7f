"""Run a case over several seeds and summarise Flee's ARD (no pandas: this path must start fast).

Seeds run in parallel with `jobs` > 1 (crossings.core.executor: forked workers that inherit the prepared model
and die with the parent); each seed is a pure function of (model, seed), and the results are put back in seed
order, so the summary does not depend on `jobs`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from crossings.flee.api import prepare
from crossings.flee.metrics import ard
from crossings.flee.model import simulate
from crossings.flee.rules import FleeRules


def _one_seed(payload: tuple[Any, str, int], seed: int) -> dict[str, Any]:
    model, engine, threads = payload
    if threads > 1:  # here, in the process that runs the seed: a thread pool must not be started before a fork
        import numba as nb

        nb.set_num_threads(min(threads, nb.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    raw = simulate(model, seed, engine, threads)
    a, a_r = ard(raw.loc_counts[:, model.tl.camps], model.tl.camp_data)
    return {"seed": seed, "ard": a, "ard_rescaled": a_r, "agents": raw.n_agents}


def validate_case(case_dir: str | Path, rules: str | Path | FleeRules | None = None, seeds: int = 10,
                  first_seed: int = 1, engine: str = "numba", jobs: int = 1, threads: int = 1) -> dict[str, Any]:
    """`jobs` processes run the seeds; `threads` kernel threads run each seed (numba's pool, at most
    NUMBA_NUM_THREADS). Neither changes any result."""
    from crossings.core.executor import LocalExecutor

    t0 = time.perf_counter()
    model, src = prepare(case_dir, rules)
    seed_list = list(range(first_seed, first_seed + seeds))
    results: dict[int, dict[str, Any]] = dict(LocalExecutor(jobs).run(_one_seed, (model, engine, threads), seed_list))
    per_seed = [results[i] for i in range(len(seed_list))]
    ards = np.array([r["ard"] for r in per_seed])
    ards_r = np.array([r["ard_rescaled"] for r in per_seed])
    return {
        "case": model.case.name,
        "rules": src,
        "engine": engine,
        "seeds": seeds,
        "jobs": jobs,
        "threads": threads,
        "first_seed": first_seed,
        "days": model.case.length,
        "agents_max": max(r["agents"] for r in per_seed),
        "ard": float(ards.mean()),
        "ard_sd": float(ards.std(ddof=1)) if seeds > 1 else 0.0,
        "ard_rescaled": float(ards_r.mean()),
        "ard_rescaled_sd": float(ards_r.std(ddof=1)) if seeds > 1 else 0.0,
        "per_seed": per_seed,
        "warnings": list(model.case.warnings),
        "wall_s": round(time.perf_counter() - t0, 4),
    }
