"""A/B of two versions of the Flee kernel in ONE process: another checkout's engine_numba.py (loaded from its path)
and this tree's, their run_days calls alternated (ABAB, then BABA), kernel CPU time of each. On a shared machine the
load changes from one process to the next by more than a kernel change is worth (session 9: 7.0-10.1 s of CPU for the
same seed); in one process, alternating call by call, both versions see the same load.

    git archive <commit> src | tar -x -C /tmp/before     # the other version
    uv run --frozen python benchmarks/flee_ab.py /tmp/before/src/crossings/flee/engine_numba.py ssudan2013 --reps 8
    NUMBA_NUM_THREADS=1 uv run --frozen python benchmarks/flee_ab.py OTHER.py --scale 10000000 --reps 6

The first call of each version loads (or compiles) its numba cache and is not timed. numba caches the other copy's
kernel under this script's module name for it: delete that copy's *.nbi / *.nbc before importing it the ordinary way. Both versions must take run_days'
arguments as this tree's does; their outputs are compared (a bit-identical change must print "same output: True").
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numba as nb  # noqa: E402
import numpy as np  # noqa: E402

from crossings.flee import engine_numba  # noqa: E402
from crossings.flee.bundles import new_agents  # noqa: E402
from crossings.flee.model import Model, capacity_hint  # noqa: E402


def load_other(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("other_engine_numba", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def runner(model: Model, scale_agents: int) -> Any:
    tl = model.tl
    T, L = tl.movechance.shape
    if scale_agents:  # as benchmarks/scale.py places them: 70% in camps, the rest anywhere, no spawning
        r = np.random.default_rng(1)
        camps = np.array(tl.camps)
        pos0 = np.where(r.random(scale_agents) < 0.7, camps[r.integers(0, len(camps), scale_agents)],
                        r.integers(0, L, scale_agents)).astype(np.int32)
        n_spawn = np.zeros(T, dtype=np.int64)

    def run(K: ModuleType, seed: int, warm: bool = False) -> tuple[float, list[np.ndarray]]:
        if scale_agents:
            n0 = 10_000 if warm else scale_agents
            ag = new_agents(n0)
            ag.pos[:] = pos0[:n0]
            spawn = n_spawn
        else:
            ag = new_agents(capacity_hint(model))
            n0 = 0
            for c, k in zip(tl.camps, tl.initial, strict=True):
                ag.pos[n0:n0 + k] = c
                n0 += int(k)
            spawn = tl.n_spawn
        out = (np.zeros((T, L), dtype=np.int64), np.zeros(T, dtype=np.int64), np.zeros(T, dtype=np.int64))
        c0 = time.process_time()
        K.run_days(seed, n0, spawn, model.net_tuple(), model.days_tuple(), ag, tl.pop.copy(), tl.cap, model.params,
                   *out, nb.get_num_threads(), np.zeros(T, dtype=np.uint8))
        return time.process_time() - c0, [*out, *ag]

    return run


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("other", type=Path, help="the other version's engine_numba.py")
    p.add_argument("case", nargs="?", default="ssudan2013", help="a bundled Flee case")
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--scale", type=int, default=0, help="scale.py's synthetic case with this many agents instead")
    p.add_argument("--reps", type=int, default=6)
    a = p.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from flee_breakdown import case_model  # noqa: PLC0415  (a sibling script)

    model = case_model(a.case, a.scale)
    run = runner(model, a.scale)
    versions = {"other": load_other(a.other), "this": engine_numba}
    for K in versions.values():
        run(K, 99, warm=True)
    cpu: dict[str, list[float]] = {k: [] for k in versions}
    outs: dict[str, list[np.ndarray]] = {}
    for i in range(a.reps):
        order = list(versions) if i % 2 == 0 else list(versions)[::-1]
        for name in order:
            c, outs[name] = run(versions[name], a.seed)
            cpu[name].append(c)
            print(f"{name}: {c:.3f} s CPU", flush=True)
    same = all(np.array_equal(x, y) for x, y in zip(outs["other"], outs["this"], strict=True))
    what = f"scale.py synthetic, {a.scale} agents x 10 days" if a.scale else f"{a.case} seed {a.seed}"
    print(f"{what}, {a.reps} alternating runs each, kernel CPU s: other min {min(cpu['other']):.3f} median "
          f"{float(np.median(cpu['other'])):.3f}; this min {min(cpu['this']):.3f} median "
          f"{float(np.median(cpu['this'])):.3f}; same output: {same}")


if __name__ == "__main__":
    main()
