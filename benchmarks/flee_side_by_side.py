"""Flee 3.1 and Crossings side by side on Flee's own validation cases: whole-process wall times and ARDs.

    uv run --frozen python benchmarks/flee_side_by_side.py                     # mali2012 and burundi2015, seed 1
    uv run --frozen python benchmarks/flee_side_by_side.py --cases mali2012 --seed 2 --flee-seeds 3 --json

Flee runs in its own environment, `.bench/flee-venv` (created with `python3 -m venv` and
`pip install flee==3.1` when missing; FLEE_VENV=/path/to/venv uses an existing one instead), through
benchmarks/flee_driver.py, a mirror of flee's runscripts/run.py. Crossings runs as
`crossings validate CASE --rules RULES --seeds 1 --first-seed SEED --json`, once untimed to warm the numba
cache, then timed. Both times are whole processes (interpreter start, imports, input reading, the run, the
error metric), measured here around the subprocess. Both ARDs are Flee's metric (flee_driver.py docstring).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench"
DRIVER = ROOT / "benchmarks" / "flee_driver.py"
CASES_DIR = ROOT / "src" / "crossings" / "data" / "flee_cases"
FLEE_VERSION = "3.1"


def say(msg: str) -> None:
    """Progress on stderr, so that stdout holds only the table or the JSON."""
    print(msg, file=sys.stderr, flush=True)


class BenchError(RuntimeError):
    """A problem that stops the benchmark; printed as one line."""


@dataclass
class Row:
    case: str
    rules: str
    seed: int
    flee_seeds: list[int]
    flee_wall_s: list[float]
    flee_ard: list[float]
    flee_ard_rescaled: list[float]
    flee_agent_steps: int
    crossings_wall_s: float | None = None
    crossings_ard: float | None = None
    crossings_ard_rescaled: float | None = None
    crossings_ard_sd: float | None = None
    crossings_seeds: int | None = None
    crossings_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Flee's wall time over Crossings' (above 1: Crossings is faster)."""
        if self.crossings_wall_s is None or self.crossings_wall_s <= 0:
            return None
        return statistics.fmean(self.flee_wall_s) / self.crossings_wall_s


# ---------------------------------------------------------------- flee's environment


def _flee_version(python: Path) -> str | None:
    if not python.exists():
        return None
    proc = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m, flee; print(m.version('flee'))"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def ensure_flee() -> Path:
    """Python of an environment with flee 3.1: $FLEE_VENV, else .bench/flee-venv (created if missing)."""
    env = os.environ.get("FLEE_VENV")
    venv = Path(env) if env else BENCH / "flee-venv"
    python = venv / "bin" / "python"
    version = _flee_version(python)
    if version == FLEE_VERSION:
        return python
    if env:
        raise BenchError(f"FLEE_VENV={env}: no flee {FLEE_VERSION} there (found: {version or 'none'})")
    say(f"installing flee {FLEE_VERSION} into {venv} (once)")
    base = shutil.which("python3") or sys.executable
    for cmd in (
        [base, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", f"flee=={FLEE_VERSION}"],
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
            raise BenchError(f"`{' '.join(cmd)}` failed: {tail[0]}")
    version = _flee_version(python)
    if version != FLEE_VERSION:
        raise BenchError(f"{venv}: flee {FLEE_VERSION} not importable after install (found: {version})")
    return python


# ---------------------------------------------------------------- the two runs


def _last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            obj: dict[str, Any] = json.loads(line)
            return obj
    raise ValueError("no JSON object in the output")


def run_flee(python: Path, case_dir: Path, rules: Path, seed: int) -> tuple[float, dict[str, Any]]:
    """Whole-process wall time and the driver's result of one flee run (its log and out.csv under .bench/)."""
    logs = BENCH / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    tag = f"flee_{case_dir.name}_{rules.stem}_s{seed}"
    cmd = [
        str(python),
        str(DRIVER),
        str(case_dir),
        "--rules",
        str(rules),
        "--seed",
        str(seed),
        "--json",
        "--out-csv",
        str(logs / f"{tag}.out.csv"),
    ]
    with open(logs / f"{tag}.log", "w", encoding="utf-8") as err:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchError(f"flee run failed (exit {proc.returncode}); see {logs / f'{tag}.log'}")
    return wall, _last_json(proc.stdout)


def crossings_command() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "crossings"
    if exe.exists():
        return [str(exe)]
    uv = shutil.which("uv")
    if uv is None:
        raise BenchError("neither .venv/bin/crossings nor uv found; run `uv sync --frozen` first")
    return [uv, "run", "--frozen", "crossings"]


def run_crossings(case_dir: Path, rules: Path, seed: int, seeds: int) -> tuple[float, dict[str, Any]]:
    """Whole-process wall time and the --json result of `crossings validate`; BenchError if it fails."""
    cmd = [
        *crossings_command(),
        "validate",
        str(case_dir),
        "--rules",
        str(rules),
        "--seeds",
        str(seeds),
        "--first-seed",
        str(seed),
        "--json",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise BenchError(f"exit {proc.returncode}: {lines[-1] if lines else 'no output'}")
    try:
        return wall, _last_json(proc.stdout)
    except ValueError as exc:
        raise BenchError(f"unreadable --json output: {exc}") from exc


def side_by_side(python: Path, case: str, rules: Path, seed: int, flee_seeds: int) -> Row:
    case_dir = CASES_DIR / case
    if not (case_dir / "input_csv").is_dir():
        known = ", ".join(sorted(p.name for p in CASES_DIR.iterdir() if (p / "input_csv").is_dir()))
        raise BenchError(f"no bundled Flee case {case!r}; known: {known}")
    seeds = list(range(seed, seed + flee_seeds))
    walls, results = [], []
    for s in seeds:
        say(f"flee 3.1 {case} seed {s} ...")
        wall, res = run_flee(python, case_dir, rules, s)
        walls.append(wall)
        results.append(res)
    row = Row(
        case=case,
        rules=rules.name,
        seed=seed,
        flee_seeds=seeds,
        flee_wall_s=walls,
        flee_ard=[r["ard"] for r in results],
        flee_ard_rescaled=[r["ard_rescaled"] for r in results],
        flee_agent_steps=int(results[0]["agent_steps"]),
    )
    try:
        say(f"crossings {case}: warm-up run (numba cache) ...")
        run_crossings(case_dir, rules, seed, 1)
        wall, res = run_crossings(case_dir, rules, seed, 1)
        row.crossings_wall_s = wall
        row.crossings_ard, row.crossings_ard_rescaled = res["ard"], res.get("ard_rescaled")
        row.crossings_seeds = 1
        row.extra["crossings_json"] = res
        if flee_seeds > 1:  # ARD over as many seeds as flee ran (timing stays the one-seed run)
            _, res_n = run_crossings(case_dir, rules, seed, flee_seeds)
            row.crossings_ard, row.crossings_ard_rescaled = res_n["ard"], res_n.get("ard_rescaled")
            row.crossings_ard_sd, row.crossings_seeds = res_n.get("ard_sd"), flee_seeds
    except BenchError as exc:
        row.crossings_note = f"Crossings' Flee engine not available or failed ({exc})"
    return row


# ---------------------------------------------------------------- report


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}"


def _f(x: float | None, fmt: str) -> str:
    return "n/a" if x is None else format(x, fmt)


def _mean_sd(xs: list[float]) -> str:
    if len(xs) == 1:
        return f"{xs[0]:.3f}"
    return f"{statistics.fmean(xs):.3f} (sd {statistics.stdev(xs):.3f}, n={len(xs)})"


def print_table(rows: list[Row]) -> None:
    print(f"machine: {machine()}")
    head = (
        "case",
        "rules",
        "seed",
        "flee s",
        "crossings s",
        "flee/crossings",
        "flee ARD",
        "crossings ARD",
        "flee ARD_resc",
        "crossings ARD_resc",
    )
    print(" | ".join(head))
    for r in rows:
        c_ard = _f(r.crossings_ard, ".3f")
        if r.crossings_ard_sd is not None and r.crossings_seeds:
            c_ard += f" (sd {r.crossings_ard_sd:.3f}, n={r.crossings_seeds})"
        print(
            " | ".join(
                [
                    r.case,
                    r.rules,
                    str(r.seed),
                    f"{statistics.fmean(r.flee_wall_s):.1f}",
                    _f(r.crossings_wall_s, ".1f"),
                    _f(r.ratio, ".1f"),
                    _mean_sd(r.flee_ard),
                    c_ard,
                    _mean_sd(r.flee_ard_rescaled),
                    _f(r.crossings_ard_rescaled, ".3f"),
                ]
            )
        )
        if r.crossings_note:
            print(f"  {r.case}: {r.crossings_note}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", nargs="+", default=["mali2012", "burundi2015"])
    p.add_argument(
        "--rules",
        default="simsetting.yml",
        help="a rule file in the bundled rulesets/ (by name) or a path (default: simsetting.yml)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--flee-seeds", type=int, default=1, help="flee runs seeds SEED..SEED+N-1 (ARD mean, sd)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    try:
        if args.flee_seeds < 1:
            raise BenchError("--flee-seeds must be at least 1")
        rules = Path(args.rules)
        if not rules.exists():
            rules = CASES_DIR / "rulesets" / args.rules
        if not rules.exists():
            raise BenchError(
                f"rule file {args.rules!r} not found (neither a path nor in {CASES_DIR / 'rulesets'})"
            )
        python = ensure_flee()
        if importlib.util.find_spec("scipy") is not None:
            say("note: scipy is installed here (dev extra); numba imports scipy.linalg at start-up, adding about "
                "0.17 s to every Crossings process. Time the default install: `uv sync --frozen` first.")
        rows = []
        for case in args.cases:
            rows.append(side_by_side(python, case, rules.resolve(), args.seed, args.flee_seeds))
    except BenchError as exc:
        print(f"flee_side_by_side: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        out = {"machine": machine(), "rows": [asdict(r) | {"ratio": r.ratio} for r in rows]}
        print(json.dumps(out, indent=1))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
