"""Wall time of `crossings forecast` (a 12-month central_med forecast past the data, 1,000 draws) and of the
forecast step alone (draws after the setup), each the best of REPEATS runs, numba caches warm.

Usage: uv run --frozen python benchmarks/forecast_speed.py [--draws 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crossings.forecasting.engine import draws, setup
from crossings.forecasting.origin import fit_at_origin


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scenario", default="scenarios/central_med.yaml")
    ap.add_argument("--origin", default="2025-01-01")
    a = ap.parse_args()
    path, origin = Path(a.scenario), dt.date.fromisoformat(a.origin)
    f = fit_at_origin(path, origin)
    s = setup(path, origin, 12, f.values or None)
    draws(s, 10, 1)  # compile
    inner, inner_cpu = [], []
    for _ in range(a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        draws(s, a.draws, 1)
        inner.append(time.perf_counter() - t0)
        inner_cpu.append(time.process_time() - c0)
    whole: list[float] = []
    whole_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.repeats):
            t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-m", "crossings.cli", "forecast", str(path), "--from", a.origin,
                            "--horizon", "12", "--draws", str(a.draws), "--out", os.path.join(tmp, f"o{i}")],
                           check=True, stdout=subprocess.DEVNULL)
            whole.append(time.perf_counter() - t0)
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            whole_cpu.append(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
    print(f"{path.stem}, origin {a.origin}, 12 months, {a.draws} draws, cpus {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"  draws only (best of {a.repeats}): {min(inner):.2f} s wall, {min(inner_cpu):.2f} s CPU")
    print(f"  whole command incl. start-up and writing (best of {a.repeats}): {min(whole):.2f} s wall, "
          f"{min(whole_cpu):.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
