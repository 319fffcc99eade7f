"""Ensemble at scale: wall time and peak memory of `crossings ensemble` (issue 12's must-show).

    uv run --frozen python benchmarks/ensemble_scale.py [--scenario scenarios/central_med.yaml]
        [--members 1000 10000] [--jobs 2] [--repeat 3] [--cli .venv/bin/crossings]

Runs the command as a subprocess (the real CLI: imports, first-member build, members, summaries, writing),
samples /proc every 20 ms for the resident memory of the parent and of every worker, and prints per run: wall
seconds, CPU seconds (user + sys of the command and its workers), the peak RSS of the largest process, the peak of the whole process tree (parent + workers summed),
and the per-phase profile the command prints with --profile. Minimum wall over --repeat runs is the number to
quote on a shared machine.

    uv run --frozen python benchmarks/ensemble_scale.py --store-only 10000

measures alone the part whose memory could grow with the number of members (partitions written by the parent,
block-wise exact summaries), with synthetic values of central_med's table size.
"""

from __future__ import annotations

import argparse
import resource
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
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_one = peak_tree = 0
    while proc.poll() is None:
        sizes = [_rss(p) for p in _tree(proc.pid)]
        peak_one, peak_tree = max(peak_one, max(sizes, default=0)), max(peak_tree, sum(sizes))
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its workers (it waits for them)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    err = proc.stderr.read() if proc.stderr else ""
    shutil.rmtree(out.parent, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_process_mb": peak_one / 2**20, "peak_rss_tree_mb": peak_tree / 2**20,
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
            print(f"{a.scenario} members={n} jobs={a.jobs}: wall {r['wall_s']:.1f} s, CPU (user+sys, command and "
                  f"workers) {r['cpu_s']:.1f} s, peak RSS largest process "
                  f"{r['peak_rss_process_mb']:.0f} MB, whole tree {r['peak_rss_tree_mb']:.0f} MB")
        best = min(runs, key=lambda r: float(r["wall_s"]))
        print(f"  min wall over {len(runs)}: {best['wall_s']:.1f} s; its profile:\n{best['profile']}")


if __name__ == "__main__" and "--store-only" not in sys.argv:
    main()


def store_only(members: int, rows: int = 2304, annual: int = 192) -> None:
    """The part of an ensemble whose memory could grow with members, alone: write `members` vectors of `rows`
    monthly (and `annual`) values in chunks as the parent does, then the block-wise exact summaries. Run it
    in a fresh process (`--store-only N`): prints the peak RSS (ru_maxrss) before and after."""
    import resource

    import numpy as np

    from crossings.runs.ensemble import CHUNK, QCOLS, _stats
    from crossings.runs.member_store import MemberStore

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = MemberStore(Path(tmp) / "m", {"bench": members})
        rng = np.random.default_rng(1)
        for c, i in enumerate(range(0, members, CHUNK)):
            n = min(CHUNK, members - i)
            store.write(c, {"member": np.arange(i, i + n), "monthly": rng.poisson(500.0, (n, rows)).astype(float),
                            "annual": rng.poisson(6000.0, (n, annual)).astype(float)})
        t1 = time.perf_counter()
        for col, width in (("monthly", rows), ("annual", annual)):
            out = np.empty((len(QCOLS) + 2, width))
            for sl, x in store.blocks(col, width):
                out[:, sl] = np.array(list(_stats(x).values()))
        t2 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"store only, {members} members x {rows} rows: write {t1 - t0:.1f} s, summaries {t2 - t1:.1f} s; "
          f"peak RSS {before:.0f} MB after imports, {after:.0f} MB at the end")


if __name__ == "__main__" and "--store-only" in sys.argv:
    store_only(int(sys.argv[sys.argv.index("--store-only") + 1]))
