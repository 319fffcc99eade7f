"""Where `crossings validate CASE --seeds N` spends its CPU time, phase by phase, in one process (one job):
interpreter start, imports (the CLI's, then numpy + numba + the Flee engine), reading the case, building the
model, the first kernel call (numba loads the compiled kernel from its cache, then runs the seed), each later
seed's kernel, the ARD of each seed, the summary. CPU time (user+sys of this process, `time.process_time`),
because the development machine is shared; wall time beside it.

    uv run --frozen python benchmarks/flee_validate_profile.py [ssudan2013] [--seeds 3] [--json]

The first seed's "load" is its kernel call minus the median of the later seeds' kernel calls (an estimate:
seeds differ by a few percent). Interpreter start is measured apart (`python -c pass` in a subprocess).
"""

from __future__ import annotations

import time

T0_CPU, T0_WALL = time.process_time(), time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

CASES = Path(__file__).resolve().parents[1] / "src" / "crossings" / "data" / "flee_cases"
phases: list[tuple[str, float, float]] = []
_last = [T0_CPU, T0_WALL]


def mark(name: str) -> None:
    c, w = time.process_time(), time.perf_counter()
    phases.append((name, c - _last[0], w - _last[1]))
    _last[0], _last[1] = c, w


def interpreter_start() -> tuple[float, float]:
    """CPU (children's user+sys) and wall of `python -c pass` with this interpreter, best of 3."""
    best = (float("inf"), float("inf"))
    for _ in range(3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        w = time.perf_counter() - w0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        best = min(best, (c, w))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", nargs="?", default="ssudan2013")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    mark("script start")
    import crossings.cli  # noqa: F401  (what `crossings` imports before it dispatches)

    mark("import crossings.cli")
    from crossings.flee.api import prepare, resolve_rules
    from crossings.flee.metrics import ard
    from crossings.flee.model import build_model, simulate
    from crossings.flee.reader import read_case

    mark("import numpy, numba, crossings.flee")
    case_dir = CASES / a.case
    rules, _ = resolve_rules(case_dir, CASES / "rulesets" / "simsetting.yml")
    case = read_case(case_dir)
    mark("read rules + case")
    model = build_model(case, rules)
    mark("build model (network, timeline)")
    prepare(case_dir, CASES / "rulesets" / "simsetting.yml")
    mark("prepare() again (read + build, as validate calls it)")
    kernel = []
    for i, seed in enumerate(range(1, a.seeds + 1)):
        raw = simulate(model, seed)
        mark(f"seed {seed}: simulate" + (" (first call: numba cache load + kernel)" if i == 0 else ""))
        kernel.append(phases[-1])
        ard(raw.loc_counts[:, model.tl.camps], model.tl.camp_data)
        mark(f"seed {seed}: ARD")
    later = sorted(k[1] for k in kernel[1:])
    res: dict[str, Any] = {"case": a.case, "seeds": a.seeds, "pid_cpu_count": os.cpu_count(),
                           "load_average": os.getloadavg()[0]}
    start_cpu, start_wall = interpreter_start()
    res["phases"] = [{"phase": "interpreter start (python -c pass, best of 3)", "cpu_s": round(start_cpu, 3),
                      "wall_s": round(start_wall, 3)}]
    res["phases"] += [{"phase": n, "cpu_s": round(c, 3), "wall_s": round(w, 3)} for n, c, w in phases]
    if later:
        med = later[len(later) // 2]
        res["first_call_load_cpu_s_estimate"] = round(kernel[0][1] - med, 3)
        res["kernel_cpu_s_median_later_seeds"] = round(med, 3)
    total = start_cpu + sum(c for _, c, _ in phases)
    res["total_cpu_s"] = round(total, 3)
    if a.json:
        print(json.dumps(res))
        return
    print(f"{a.case}, {a.seeds} seeds, one process (load average {res['load_average']:.1f}):")
    for p in res["phases"]:
        print(f"  {p['cpu_s']:8.3f} s CPU {p['wall_s']:8.3f} s wall  {100 * p['cpu_s'] / total:5.1f}%  {p['phase']}")
    print(f"  {total:8.3f} s CPU in all")
    if later:
        print(f"  first kernel call's extra (numba load), estimated: {res['first_call_load_cpu_s_estimate']} s CPU; "
              f"kernel per later seed (median): {res['kernel_cpu_s_median_later_seeds']} s CPU")


if __name__ == "__main__":
    main()
