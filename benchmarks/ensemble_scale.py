"""Ensemble at scale: wall time and peak memory of `crossings ensemble` (issue 12's must-show).

    uv run --frozen python benchmarks/ensemble_scale.py [--scenario scenarios/central_med.yaml]
        [--members 1000 10000] [--jobs 2] [--repeat 3] [--cli .venv/bin/crossings]

Runs the command as a subprocess (the real CLI: imports, first-member build, members, summaries, writing),
samples /proc every 20 ms for the resident memory of the parent and of every worker, and prints per run: wall
seconds, the peak RSS of the largest process, the peak of the whole process tree (parent + workers summed),
and the per-phase profile the command prints with --profile. Minimum wall over --repeat runs is the number to
quote on a shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _tree(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(p.name))
    out, todo = [], [pid]
    while todo:
        q = todo.pop()
        out.append(q)
        todo.extend(kids.get(q, []))
    return out


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_once(cli: str, scenario: str, members: int, jobs: int) -> dict[str, float | str]:
    out = Path(tempfile.mkdtemp(prefix="ens-bench-")) / "out"
    cmd = [cli, "ensemble", scenario, "--seeds", str(members), "--jobs", str(jobs), "--out", str(out), "--quiet",
           "--profile"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_one = peak_tree = 0
    while proc.poll() is None:
        sizes = [_rss(p) for p in _tree(proc.pid)]
        peak_one, peak_tree = max(peak_one, max(sizes, default=0)), max(peak_tree, sum(sizes))
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    err = proc.stderr.read() if proc.stderr else ""
    shutil.rmtree(out.parent, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return {"wall_s": wall, "peak_rss_process_mb": peak_one / 2**20, "peak_rss_tree_mb": peak_tree / 2**20,
            "profile": err.strip()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="scenarios/central_med.yaml")
    ap.add_argument("--members", type=int, nargs="+", default=[1000])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--cli", default=str(Path(sys.executable).parent / "crossings"))
    a = ap.parse_args()
    for n in a.members:
        runs = [run_once(a.cli, a.scenario, n, a.jobs) for _ in range(a.repeat)]
        for r in runs:
            print(f"{a.scenario} members={n} jobs={a.jobs}: wall {r['wall_s']:.1f} s, peak RSS largest process "
                  f"{r['peak_rss_process_mb']:.0f} MB, whole tree {r['peak_rss_tree_mb']:.0f} MB")
        best = min(runs, key=lambda r: float(r["wall_s"]))
        print(f"  min wall over {len(runs)}: {best['wall_s']:.1f} s; its profile:\n{best['profile']}")


if __name__ == "__main__":
    main()
